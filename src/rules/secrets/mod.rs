//! `secret-*`: credentials in shipped bytes, found precisely and never printed in full.
//!
//! The scanner is [`crate::detect::secrets::find`]; this file is the rule side.
//! [`report`] turns hits into findings with line, column, a masked value and the
//! context that decides severity: a placeholder or documented example is `info`, a key in a
//! test fixture is `low`.

use crate::detect::secrets::{Hit, MIN_MATCH, find, pair, placeholder};
use crate::detect::text::{self, LineCounter};

use super::ctx::FileCtx;
use super::{Finding, Severity};
use crate::finding::SecretEvidence;

/// Files that exist to show examples (`*.examples.json` API docs, `README`s' sample configs).
fn is_docs_example(path: &str) -> bool {
    let name = text::file_name(path).to_ascii_lowercase();
    name.contains("example") || name.contains("sample") || name.starts_with("readme")
}

/// The context of a private key under a test folder: a question, not a verdict.
const UNDER_TESTS: &str = "under a tests folder: a fixture?";

/// How a hit's surroundings change what it means.
fn context(
    ctx: &FileCtx<'_>,
    value: &[u8],
    hay: &[u8],
    hit: &Hit,
) -> (Severity, Option<&'static str>) {
    let key_id = hit
        .pair
        .and_then(|(s, e)| placeholder::reason(*pair::KEY_ID, &hay[s..e], hay, hit));
    if let Some(why) = placeholder::reason(hit.format, value, hay, hit).or(key_id) {
        return (Severity::Info, Some(why));
    }
    if is_docs_example(ctx.name()) {
        return (Severity::Info, Some("documentation example file"));
    }
    if text::is_test_path(ctx.path) || ctx.inner.is_some_and(text::is_test_path) {
        // A private key under a test folder may be a fixture, or the key a test signs with
        // that the author also deploys: the folder cannot tell, so say what is known and ask.
        if hit.format.rule.id == "secret-private-key" {
            return (
                Severity::Medium.min(hit.format.rule.severity),
                Some(UNDER_TESTS),
            );
        }
        return (
            Severity::Low.min(hit.format.rule.severity),
            Some("test fixture"),
        );
    }
    (hit.format.rule.severity, None)
}

/// Findings for every secret in `hay` (a file, or a map's embedded source decoded).
pub fn report(ctx: &FileCtx<'_>, hay: &[u8], out: &mut Vec<Finding>) {
    // Hits come in position order, so the counter goes through `hay` once in all.
    let mut lines = LineCounter::default();
    for hit in find(hay) {
        push(ctx, hay, &hit, &mut lines, out);
    }
}

/// Findings for the secrets in `hay` outside `skip` (ordered byte ranges): a source map's own
/// fields, around the embedded sources that [`report`] scans decoded on their own.
pub fn report_outside(
    ctx: &FileCtx<'_>,
    hay: &[u8],
    skip: &[(usize, usize)],
    out: &mut Vec<Finding>,
) {
    let mut lines = LineCounter::default();
    let mut at = 0;
    let ends = skip.iter().copied().chain([(hay.len(), hay.len())]);
    for (start, end) in ends {
        // Between two sources there is only `","`: nothing a format could match.
        if start >= at + MIN_MATCH {
            for mut hit in find(&hay[at..start]) {
                hit.at += at;
                hit.value = (hit.value.0 + at, hit.value.1 + at);
                hit.pair = hit.pair.map(|(s, e)| (s + at, e + at));
                push(ctx, hay, &hit, &mut lines, out);
            }
        }
        at = at.max(end);
    }
}

/// The first folder of `path` that makes it a test path (`tests`, `__tests__`, `spec`…).
fn test_folder(path: &str) -> Option<&str> {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts
        .into_iter()
        .find(|dir| text::is_test_path(&format!("{dir}/f")))
}

/// The finding for one hit.
fn push(ctx: &FileCtx<'_>, hay: &[u8], hit: &Hit, lines: &mut LineCounter, out: &mut Vec<Finding>) {
    let value = &hay[hit.value.0..hit.value.1];
    let (severity, why) = context(ctx, value, hay, hit);
    let (line, column) = lines.at(hay, hit.at);
    let (shown, len) = text::mask(value, hit.format.known);
    let f = hit.format;
    let mut message = format!("{} {}", f.label, text::masked(value, f.known));
    let typed = SecretEvidence {
        kind: f.label.to_owned(),
        prefix: shown,
        length: len,
        context: why.map(str::to_owned),
    };
    let mut evidence = serde_json::to_value(typed).unwrap_or_default();
    if let Some((s, e)) = hit.pair {
        let id = &hay[s..e];
        let known = pair::KEY_ID.known;
        message = format!(
            "AWS access key pair: key id {} with secret access key {}",
            text::masked(id, known),
            text::masked(value, f.known)
        );
        let (id_shown, id_len) = text::mask(id, known);
        evidence["pair"] = true.into();
        evidence["key_id"] = serde_json::json!({ "prefix": id_shown, "length": id_len });
    }
    match why {
        Some(UNDER_TESTS) => {
            let folder = test_folder(ctx.inner.unwrap_or(ctx.path)).unwrap_or("tests");
            message = format!("{message} — under {folder}/: a fixture?");
        }
        Some(why) => message = format!("{message} — {why}, not a leaked credential"),
        None => {}
    }
    out.push(
        Finding::new(&f.rule, ctx.location(Some(line), Some(column)), message)
            .severity(severity)
            .evidence(evidence),
    );
}

#[cfg(test)]
mod tests;
