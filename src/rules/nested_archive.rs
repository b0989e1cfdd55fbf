//! `nested-archive`: an archive inside the package, opened and scanned one level deep.
//!
//! Recognised by [`crate::detect::container::is_nested_archive`] (magic bytes, so a renamed
//! archive is still found). Its files
//! go through the same per-file rules, with locations like `vendor/inner.tgz ▸ package/.env`.

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Rule, Severity};
use crate::artifact::Artifact;

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

/// Reports a nested archive: what it held, or why it could not be read.
pub fn report(
    ctx: &FileCtx<'_>,
    opened: Result<(&Artifact, usize), &anyhow::Error>,
    out: &mut Vec<Finding>,
) {
    let (message, evidence) = match opened {
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
