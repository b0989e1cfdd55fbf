//! `shipcheck check`: the rules over the artifact as it streams ([`crate::rules::stream`]),
//! through the inputs step, with a progress line on a terminal when it takes a moment.

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::inputs::Inputs;
use crate::report::Report;

/// Runs the check: the rules over the artifact as it streams, a progress line on a terminal
/// when it takes a moment, and the report for any output format.
pub fn run(inputs: &Inputs) -> anyhow::Result<Report> {
    let seen = Arc::new(AtomicU64::new(0));
    let progress = Progress::start(Arc::clone(&seen));
    let scanned = inputs.scan_for_report(&seen);
    progress.stop();
    Ok(inputs.report(scanned?))
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
