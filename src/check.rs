//! `shipcheck check`: open the artifact once, scan every file as it streams, apply the policy.
//!
//! Contents are never kept: the `artifact::open` visitor hands each file to a scanner thread
//! (small files, through a bounded channel, so reading and scanning use both cores) or scans
//! it in place (big files, so memory stays at the reader's one buffer plus the scanner's).
//! A file past `Limits::max_scanned` is not held at all; `large-file` reports it as not scanned.
//! Both halves run [`rules::Scanner`], the same code `rules::evaluate` runs for the review
//! screen, and their findings are merged before the whole-artifact rules.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;

use crate::artifact::{self, Entry, Options};
use crate::diff::{self, Diff};
use crate::manifest::{self, ArtifactSummary, Manifest};
use crate::rules::{Finding, Policy, Scanner, Severity};

/// Files above this are scanned on the reading thread instead of being copied to the worker.
const INLINE_SCAN: usize = 4 << 20;

/// Small files travel to the scanner thread in batches of about this many bytes or files: one
/// send per file woke the worker thousands of times on a real package.
const BATCH_BYTES: usize = 1 << 20;
const BATCH_FILES: usize = 256;

/// Files on their way to the scanner thread.
#[derive(Default)]
struct Batch {
    files: Vec<(Entry, artifact::Content)>,
    bytes: usize,
}

/// Hands a batch to the worker, or scans it here if the worker is gone (it panicked) rather
/// than lose the files.
fn send(tx: &std::sync::mpsc::SyncSender<Batch>, batch: Batch, inline: &mut Scanner<'_>) {
    if batch.files.is_empty() {
        return;
    }
    if let Err(back) = tx.send(batch) {
        for (e, bytes) in &back.0.files {
            inline.file(e, bytes);
        }
    }
}

/// Everything `check` found, ready for any output format.
#[derive(Debug)]
pub struct Report {
    /// The artifact checked.
    pub artifact: ArtifactSummary,
    /// The baseline it was compared with.
    pub baseline: Option<ArtifactSummary>,
    /// The comparison.
    pub diff: Option<Diff>,
    /// Findings after the policy, worst first.
    pub findings: Vec<Finding>,
    /// The policy applied.
    pub policy: Policy,
}

impl Report {
    /// Findings by severity (allowed ones excluded), worst first.
    pub fn counts(&self) -> [(Severity, usize); 5] {
        Severity::ALL.map(|s| {
            let n = self
                .findings
                .iter()
                .filter(|f| f.allowed.is_none() && f.severity == s)
                .count();
            (s, n)
        })
    }

    /// True when a finding at or above `threshold` is not allowed: exit 1.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.blocks_at(threshold))
    }
}

/// The policy for `spec`: `--policy`, else `shipcheck.toml` beside the artifact or in the
/// package directory (for `npm:` specs, in the current directory), else the defaults.
pub fn find_policy(spec: &str, explicit: Option<&Path>) -> anyhow::Result<Policy> {
    if let Some(p) = explicit {
        return Policy::load(p);
    }
    let path = Path::new(spec);
    let dir: PathBuf = if path.is_dir() {
        path.to_owned()
    } else if path.is_file() {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_owned)
    } else {
        PathBuf::from(".")
    };
    let candidate = if dir.as_os_str().is_empty() {
        PathBuf::from("shipcheck.toml")
    } else {
        dir.join("shipcheck.toml")
    };
    if candidate.is_file() {
        Policy::load(&candidate)
    } else {
        Ok(Policy::default())
    }
}

/// Runs the check.
pub fn run(
    spec: &str,
    baseline: Option<&str>,
    policy: Policy,
    opts: &Options,
) -> anyhow::Result<Report> {
    let base = baseline
        .map(|b| manifest::load(b, opts).with_context(|| format!("reading the baseline {b}")))
        .transpose()?;
    let seen = Arc::new(AtomicU64::new(0));
    let progress = Progress::start(Arc::clone(&seen));
    let scanned = std::thread::scope(|scope| -> anyhow::Result<_> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
        let policy = &policy;
        let worker = scope.spawn(move || {
            let mut s = Scanner::new(policy);
            for batch in rx {
                for (e, bytes) in &batch.files {
                    s.file(e, bytes);
                }
            }
            s
        });
        let mut inline = Scanner::new(policy);
        let mut batch = Batch::default();
        let opened = {
            let visit = &mut |e: &Entry, bytes: &artifact::Content| {
                seen.fetch_add(bytes.len() as u64 + 512, Ordering::Relaxed);
                if bytes.len() > INLINE_SCAN {
                    inline.file(e, bytes);
                    return;
                }
                batch.bytes += bytes.len();
                batch.files.push((e.clone(), Arc::clone(bytes)));
                if batch.bytes >= BATCH_BYTES || batch.files.len() >= BATCH_FILES {
                    send(&tx, std::mem::take(&mut batch), &mut inline);
                }
            };
            artifact::open(spec, opts, Some(visit))
        };
        send(&tx, batch, &mut inline);
        drop(tx);
        let worker = worker
            .join()
            .map_err(|_| anyhow::anyhow!("the scanner thread panicked"))?;
        let a = opened?;
        inline.merge(worker);
        Ok((a, inline))
    });
    progress.stop();
    let (a, all) = scanned?;
    let findings = all.finish(&a, base.as_ref());
    let current = Manifest::of(&a);
    Ok(Report {
        artifact: current.artifact.clone(),
        diff: base.as_ref().map(|b| diff::diff(b, &current)),
        baseline: base.map(|b| b.artifact),
        findings,
        policy,
    })
}

/// A one-line progress indicator on stderr, only on a terminal and only after a moment.
struct Progress {
    done: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

/// How long `check` works before it says so.
const PROGRESS_AFTER: Duration = Duration::from_millis(700);

impl Progress {
    fn start(seen: Arc<AtomicU64>) -> Self {
        let on = std::io::stderr().is_terminal();
        Self::start_to(seen, on.then(std::io::stderr), PROGRESS_AFTER)
    }

    /// Writes the line to `out` (none: no indicator) once `after` has passed, updating it
    /// every tenth of a second, and erases it when stopped.
    fn start_to(
        seen: Arc<AtomicU64>,
        out: Option<impl std::io::Write + Send + 'static>,
        after: Duration,
    ) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let Some(mut out) = out else {
            return Self { done, handle: None };
        };
        let flag = Arc::clone(&done);
        let handle = std::thread::spawn(move || {
            let mut waited = Duration::ZERO;
            let mut shown = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                waited += Duration::from_millis(100);
                if waited >= after {
                    let mb = seen.load(Ordering::Relaxed) as f64 / 1e6;
                    let _ = write!(out, "\rshipcheck: scanning… {mb:.0} MB read");
                    let _ = out.flush();
                    shown = true;
                }
            }
            if shown {
                let _ = write!(out, "\r\x1b[2K");
                let _ = out.flush();
            }
        });
        Self {
            done,
            handle: Some(handle),
        }
    }

    fn stop(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A writer the test can read after the indicator's thread is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_progress_line_counts_what_was_read_and_is_erased_at_the_end() {
        let seen = Arc::new(AtomicU64::new(42_000_000));
        let out = Shared::default();
        let p = Progress::start_to(Arc::clone(&seen), Some(out.clone()), Duration::ZERO);
        // Until the line is there (the thread wakes every tenth of a second), then stop.
        for _ in 0..200 {
            if !out.0.lock().expect("not poisoned").is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        p.stop();
        let text = String::from_utf8(out.0.lock().expect("not poisoned").clone()).expect("utf-8");
        assert!(
            text.starts_with("\rshipcheck: scanning… 42 MB read"),
            "the line says how much was read: {text:?}"
        );
        assert!(text.ends_with("\r\x1b[2K"), "and is erased: {text:?}");
    }

    #[test]
    fn no_progress_line_before_the_moment_has_passed() {
        let out = Shared::default();
        let p = Progress::start_to(
            Arc::new(AtomicU64::new(0)),
            Some(out.clone()),
            Duration::from_secs(3600),
        );
        std::thread::sleep(Duration::from_millis(250));
        p.stop();
        assert!(
            out.0.lock().expect("not poisoned").is_empty(),
            "a quick check prints nothing"
        );
    }
}
