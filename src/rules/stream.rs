//! The streaming scan: open the artifact once and run every per-file rule while its contents
//! stream past, without keeping them.
//!
//! The `artifact::open` visitor hands each file to a scanner thread (small files, in batches
//! through a bounded channel, so reading and scanning use both cores) or scans it in place
//! (big files, so memory stays at the reader's one buffer plus the scanner's). A file past
//! `Limits::max_scanned` is not held at all; `large-file` reports it as not scanned. Both
//! halves run [`Scanner`], the same code [`super::evaluate_with`] runs on the contents the
//! review screen kept, and their findings are merged before the whole-artifact rules.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::artifact::{self, Artifact, Entry, Options};
use crate::diff::{self, Comparison, Diff};
use crate::manifest::Manifest;

use super::{Evaluation, Policy, Scanner};

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
        let mut inline = Scanner::new(policy);
        let mut s = inline.sibling();
        let worker = scope.spawn(move || {
            for batch in rx {
                for (e, bytes) in &batch.files {
                    s.file(e, bytes);
                }
            }
            s
        });
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
