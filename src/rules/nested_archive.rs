//! `nested-archive`: an archive inside the package, opened and scanned one level deep.
//!
//! Recognised by [`crate::detect::container::is_nested_archive`] (magic bytes, so a renamed
//! archive is still found). Its files
//! go through the same per-file rules, with locations like `vendor/inner.tgz ▸ package/.env`.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Rule, Severity};
use crate::artifact::{Artifact, OpenError};

/// The rule.
pub const RULE: Rule = Rule {
    id: "nested-archive",
    severity: Severity::Medium,
    summary: "an archive inside the package (`.tgz`, `.zip`, `.jar`, `.whl`, …)",
    why: "A nested archive hides its contents from every listing of the package and from most \
          scanners; it is how whole directories, binaries or old releases get shipped by \
          accident. shipcheck opens it and scans what it holds one level deep, but a reviewer \
          should still ask why it is there.",
};

/// left to the other rules).
pub fn is_archive(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    let gzip = bytes.starts_with(&[0x1f, 0x8b]);
    let zip = bytes.starts_with(b"PK\x03\x04");
    let tar = bytes.len() > 262 && &bytes[257..262] == b"ustar";
    // Plain `.gz` of a single file is compressed data, not an archive of files; zip-based
    // document formats are not packages either.
    let doc = [".docx", ".xlsx", ".pptx", ".odt", ".epub", ".xpi"]
        .iter()
        .any(|e| lower.ends_with(e));
    (zip && !doc)
        || tar
        || (gzip
            && (lower.ends_with(".tgz") || lower.ends_with(".tar.gz") || lower.ends_with(".crate")))
}

/// How many bytes all the nested archives of one artifact may unpack to together (the
/// policy's `nested_max_unpacked`, or `--max-nested-unpacked`). A per-archive cap alone let a
/// 58 KB tarball of 100 gzip bombs make `check` inflate 100 times that cap; with one budget the
/// work is bounded whatever the count. Shared by the scanner threads of one artifact; a nested
/// archive is read while holding it, so the order in which archives spend it is the order in
/// which each thread meets them, and a package whose nested archives fit never notices.
#[derive(Debug, Clone)]
pub struct Budget {
    limit: u64,
    remaining: Arc<Mutex<u64>>,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            remaining: Arc::new(Mutex::new(limit)),
        }
    }

    /// Runs `read` with what is left of the budget (more than 0), charging what it reports
    /// it decompressed; `None` when the budget is spent.
    pub fn spend<T>(&self, read: impl FnOnce(u64) -> (T, u64)) -> Option<T> {
        let mut remaining = self
            .remaining
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *remaining == 0 {
            return None;
        }
        let (value, used) = read(*remaining);
        *remaining = remaining.saturating_sub(used);
        Some(value)
    }

    /// The whole budget.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// What a message says about the budget: its size and how to raise it.
fn budget_text(limit: u64) -> String {
    format!(
        "the {} that all nested archives together may unpack to (raise it with \
         --max-nested-unpacked or `nested_max_unpacked` under [thresholds])",
        crate::units::size(limit)
    )
}

/// A nested archive left unopened because the budget was spent on the ones before it.
pub fn report_budget_spent(ctx: &FileCtx<'_>, limit: u64, out: &mut Vec<Finding>) {
    out.push(
        Finding::new(
            &RULE,
            ctx.location(None, None),
            format!(
                "nested archive not opened, so not scanned: the archives before it used up {}",
                budget_text(limit)
            ),
        )
        .evidence(json!({ "error": "nested budget spent", "nested_max_unpacked": limit })),
    );
}

/// Reports a nested archive: what it held, or why it could not be read. `budget` is the whole
/// budget for nested archives, named when this one ran past what was left of it.
pub fn report(
    ctx: &FileCtx<'_>,
    opened: Result<(&Artifact, usize), &anyhow::Error>,
    budget: u64,
    out: &mut Vec<Finding>,
) {
    let past_budget = |e: &anyhow::Error| {
        e.chain().any(|c| {
            matches!(
                c.downcast_ref::<OpenError>(),
                Some(OpenError::TooLarge { .. })
            )
        })
    };
    let (message, evidence) = match opened {
        Err(e) if past_budget(e) => (
            format!(
                "nested archive not fully read, its files past that point not scanned: it \
                 unpacks to more than what was left of {}",
                budget_text(budget)
            ),
            json!({ "error": format!("{e:#}"), "nested_max_unpacked": budget }),
        ),
        Ok((a, scanned)) => (
            format!(
                "nested {} with {} files ({}), scanned",
                a.format.label(),
                a.file_count(),
                crate::units::size(a.unpacked_size)
            ),
            json!({ "format": a.format.label(), "files": a.file_count(), "unpacked_size": a.unpacked_size, "scanned": scanned }),
        ),
        Err(e) => (
            format!("nested archive that could not be opened: {e:#}"),
            json!({ "error": format!("{e:#}") }),
        ),
    };
    out.push(Finding::new(&RULE, ctx.location(None, None), message).evidence(evidence));
}

/// A zip that holds data, not package files (a NumPy `.npz`): named, `info`, not opened.
pub fn report_data(ctx: &FileCtx<'_>, format: &str, out: &mut Vec<Finding>) {
    out.push(
        Finding::new(
            &RULE,
            ctx.location(None, None),
            format!("{format}: a data file, not a nested package; not opened"),
        )
        .severity(Severity::Info)
        .evidence(json!({ "format": format })),
    );
}

/// An archive two levels down: reported, not opened.
pub fn report_unopened(ctx: &FileCtx<'_>, out: &mut Vec<Finding>) {
    out.push(Finding::new(
        &RULE,
        ctx.location(None, None),
        "archive nested two levels deep: not opened".to_owned(),
    ));
}
