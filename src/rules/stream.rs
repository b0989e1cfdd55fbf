//! The streaming scan: open the artifact once and run every per-file rule while its contents
//! stream past, without keeping them.
//!
//! The `artifact::open` visitor hands every file to a scanner thread, so reading (inflate,
//! hashing, the tar walk) and scanning use both cores: small files in batches through a
//! bounded channel, a big file alone, with big files waiting or being scanned there up to
//! 32 MiB together (or one larger file alone). Memory then holds at most those, the file
//! being read and two batches. A big file used to be scanned on the reading thread, which
//! stopped the inflate for as long as the scan took: on claude-code 2.1.88 (a 60 MB map) the
//! reading thread was the critical path. A file past `Limits::max_scanned` is not held at
//! all; `large-file` reports it as not scanned. The scanner thread runs [`Scanner`], the
//! same code [`super::evaluate_with`] runs on the contents the review screen kept, and its
//! findings are merged before the whole-artifact rules.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::artifact::{self, Artifact, Entry, Options};
use crate::diff::{self, Comparison, Diff};
use crate::manifest::Manifest;

use super::{Evaluation, Policy, Scanner};

/// Files above this travel to the scanner thread alone (see the module doc).
const BIG_FILE: usize = 4 << 20;

/// Big files queued for the scanner (sent, not yet scanned) stay under this many bytes, but
/// for one that is larger alone. One at a time made the reader wait on each of claude-code's
/// six 4.5 MB binaries in turn while both cores were a third idle.
const BIG_QUEUE: usize = 32 << 20;

/// Small files travel to the scanner thread in batches of about this many bytes or files: one
/// send per file woke the worker thousands of times on a real package.
const BATCH_BYTES: usize = 1 << 20;
const BATCH_FILES: usize = 256;

/// Files on their way to the scanner thread.
#[derive(Default)]
struct Batch {
    files: Vec<(Entry, artifact::Content)>,
    bytes: usize,
    /// One big file: the worker acknowledges it once scanned.
    big: bool,
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

/// What the streaming scan produced.
#[derive(Debug)]
pub struct Scanned {
    /// The artifact, without contents.
    pub artifact: Artifact,
    /// Its manifest.
    pub current: Manifest,
    /// The comparison with the baseline, when there is one (computed once, here).
    pub diff: Option<Diff>,
    /// The rules' verdict.
    pub evaluation: Evaluation,
}

/// Opens `spec` and runs every rule on it as it streams, against `baseline` when given.
/// `seen` counts the bytes read so far, for a progress indicator.
pub fn scan(
    spec: &str,
    opts: &Options,
    policy: &Policy,
    baseline: Option<&Manifest>,
    seen: &AtomicU64,
) -> anyhow::Result<Scanned> {
    let (a, all) = std::thread::scope(|scope| -> anyhow::Result<_> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
        // One acknowledgement (its size) per big file scanned; the reader takes them before
        // it sends another big file whenever the queued ones and it would pass BIG_QUEUE.
        let (done_tx, done_rx) = std::sync::mpsc::channel::<usize>();
        let mut inline = Scanner::new(policy);
        let mut s = inline.sibling();
        let worker = scope.spawn(move || {
            for batch in rx {
                for (e, bytes) in &batch.files {
                    s.file(e, bytes);
                }
                if batch.big {
                    let size = batch.bytes;
                    drop(batch);
                    // The reader stopped listening only when it is done sending.
                    let _ = done_tx.send(size);
                }
            }
            s
        });
        let mut batch = Batch::default();
        // Bytes of big files sent and not yet acknowledged.
        let mut big_queued = 0usize;
        let opened = {
            let visit = &mut |e: &Entry, bytes: &artifact::Content| {
                seen.fetch_add(bytes.len() as u64 + 512, Ordering::Relaxed);
                if bytes.len() > BIG_FILE {
                    // Wait for scans to finish while this one would pass the queue's budget
                    // (one big file always goes). A worker that is gone (it panicked) sends
                    // nothing back; the file is then scanned here.
                    while big_queued > 0 && big_queued + bytes.len() > BIG_QUEUE {
                        match done_rx.recv() {
                            Ok(size) => big_queued -= size,
                            Err(_) => {
                                inline.file(e, bytes);
                                return;
                            }
                        }
                    }
                    let big = Batch {
                        files: vec![(e.clone(), Arc::clone(bytes))],
                        bytes: bytes.len(),
                        big: true,
                    };
                    send(&tx, big, &mut inline);
                    big_queued += bytes.len();
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
    })?;
    let current = Manifest::of(&a);
    let diff = baseline.map(|b| diff::diff(b, &current));
    let evaluation = all.finish(
        &a,
        Comparison::of(baseline, &current, diff.as_ref()).as_ref(),
    );
    Ok(Scanned {
        artifact: a,
        current,
        diff,
        evaluation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::fixtures;

    /// `files` packed as npm package `p` in a temp dir (kept alive by the first value).
    fn package_file(files: &[(&str, &[u8])]) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = fixtures::write(dir.path(), "p.tgz", &fixtures::npm_tgz("p", "1.0.0", files));
        let spec = path.to_str().expect("UTF-8 temp path").to_owned();
        (dir, spec)
    }

    #[test]
    fn check_without_entry_digests_finds_the_same() {
        let token = format!("ghp_{}", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
        let js = format!("const t = '{token}';\n//# sourceMappingURL=a.js.map\n");
        let zip = fixtures::zip_stored(&[("inner.js", js.as_bytes())]);
        let files: [(&str, &[u8]); 3] = [
            ("a.js", js.as_bytes()),
            (".env", b"A=1"),
            ("vendor.zip", &zip),
        ];
        let (_dir, spec) = package_file(&files);
        let spec = spec.as_str();
        let policy = Policy::default();
        let run = |skip: bool| {
            let opts = Options {
                digesting: if skip {
                    crate::artifact::Digesting::Skip
                } else {
                    crate::artifact::Digesting::InPass
                },
                ..Options::default()
            };
            scan(spec, &opts, &policy, None, &AtomicU64::new(0)).expect("scans")
        };
        let (with, without) = (run(false), run(true));
        let messages = |s: &Scanned| -> Vec<String> {
            s.evaluation
                .findings
                .iter()
                .map(|f| format!("{} {} {}", f.rule, f.location.path, f.message))
                .collect()
        };
        assert!(messages(&with).len() >= 3, "{:?}", messages(&with));
        assert_eq!(messages(&with), messages(&without), "the same findings");
        assert_eq!(
            with.artifact.digests.sha512,
            without.artifact.digests.sha512
        );
        let files = |s: &Scanned| -> Vec<bool> {
            s.artifact
                .entries
                .iter()
                .filter(|e| e.is_file())
                .map(|e| e.sha256.is_some())
                .collect()
        };
        assert_eq!(files(&with), [true; 4], "every file hashed by default");
        assert_eq!(files(&without), [false; 4], "and none when skipped");
    }

    #[test]
    fn big_files_sent_to_the_worker_give_the_findings_of_the_kept_contents() {
        let token = |c: &str| format!("ghp_{}Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeU", c.repeat(2));
        let big = |c: &str| format!("{}\nconst t = '{}';\n", "x".repeat(BIG_FILE + 1), token(c));
        let (a, b, c, small) = (
            big("a"),
            big("b"),
            big("c"),
            format!("t = '{}'", token("d")),
        );
        // Three big files in a row: the third waits for the worker to finish the first.
        let files: [(&str, &[u8]); 4] = [
            ("a.js", a.as_bytes()),
            ("small.js", small.as_bytes()),
            ("b.js", b.as_bytes()),
            ("c.js", c.as_bytes()),
        ];
        let (_dir, spec) = package_file(&files);
        let spec = spec.as_str();
        let policy = Policy::default();
        let streamed = scan(spec, &Options::default(), &policy, None, &AtomicU64::new(0))
            .expect("scans")
            .evaluation;
        let kept_opts = Options {
            keep_contents: true,
            ..Options::default()
        };
        let kept = artifact::open(spec, &kept_opts, None).expect("opens");
        let evaluated = super::super::evaluate_with(&kept, None, &policy);
        let key = |e: &Evaluation| -> Vec<(String, String, Option<u32>)> {
            e.findings
                .iter()
                .map(|f| (f.rule.clone(), f.location.path.clone(), f.location.line))
                .collect()
        };
        assert_eq!(key(&streamed), key(&evaluated), "streamed and kept agree");
        let secrets: Vec<(&str, Option<u32>)> = streamed
            .findings
            .iter()
            .filter(|f| f.rule == "secret-github-pat")
            .map(|f| (f.location.path.as_str(), f.location.line))
            .collect();
        assert_eq!(
            secrets,
            [
                ("a.js", Some(2)),
                ("b.js", Some(2)),
                ("c.js", Some(2)),
                ("small.js", Some(1))
            ],
            "every big file was scanned, each once"
        );
    }
}
