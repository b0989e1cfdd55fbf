//! `secret-*`: credentials in shipped bytes, found precisely and never printed in full.
//!
//! [`find`] is the scanner, in two steps. The prefilter (`prefilter.rs`) finds, in a few SIMD passes over the
//! file, every place where one of a format's literals occurs (`ghp_`, `-----BEGIN `, `eyJ`).
//! Then each format that has such a place runs its own `regex::bytes`-style pattern
//! (`matcher.rs`), but only in windows around those places; the windows are merged where they
//! touch, so no byte is searched twice by one format and no input makes the scan super-linear.
//! On minified code most formats have no candidate at all and cost nothing beyond the
//! prefilter. [`report`] turns hits into findings with line, column, a masked value and the
//! context that decides severity: a placeholder or documented example is `info`, a key in a
//! test fixture is `low`.

pub mod formats;
mod matcher;
mod pair;
pub mod placeholder;
mod prefilter;

use std::sync::LazyLock;

use super::engine::FileCtx;
use super::text::{self, LineCounter};
use super::{Finding, Severity};
use formats::{FORMATS, Format};
use matcher::{Matcher, Windows};

/// Every format compiled once, with the reach of its matches around its literals.
static MATCHERS: LazyLock<Vec<Matcher>> =
    LazyLock::new(|| FORMATS.iter().map(Matcher::new).collect());

/// One secret found: which format, and the byte range of the value itself.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    /// The format that matched.
    pub format: &'static Format,
    /// Start of the whole match (where line and column point).
    pub at: usize,
    /// The value's byte range.
    pub value: (usize, usize),
    /// For an AWS key pair (the value is the secret), the access key id's byte range.
    pub pair: Option<(usize, usize)>,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every secret in `hay`, in order of position. Linear in `hay` whatever it holds.
pub fn find(hay: &[u8]) -> Vec<Hit> {
    let mut windows: Vec<Windows> = FORMATS.iter().map(|_| Windows::new(hay.len())).collect();
    prefilter::literals(hay, |f, at| {
        windows[f].add(MATCHERS[f].reach(at, hay.len()));
    });
    let mut hits: Vec<(Hit, usize)> = Vec::new();
    for (i, ((f, m), windows)) in FORMATS.iter().zip(MATCHERS.iter()).zip(windows).enumerate() {
        let windows = windows.finish();
        if windows.is_empty() {
            continue;
        }
        m.each(hay, &windows, &mut |at, (vs, ve)| {
            // A token glued to more word characters is part of something else (an
            // identifier, a longer base64 run), not the token. Formats that look back
            // (`back > 0`) express their own left boundary in the pattern.
            // In JSON text (a `.json` file, a map's own fields) an escape like `\n` or `\t` ends
            // in a letter but is a separator. (Embedded sources are scanned decoded.)
            let after_escape =
                at >= 2 && hay[at - 2] == b'\\' && matches!(hay[at - 1], b'n' | b't' | b'r');
            let glued_before =
                f.back == 0 && at > 0 && is_word(hay[at]) && is_word(hay[at - 1]) && !after_escape;
            let glued_after =
                ve < hay.len() && hay[ve].is_ascii_alphanumeric() && is_word(hay[ve - 1]);
            if !glued_before && !glued_after {
                let hit = Hit {
                    format: f,
                    at,
                    value: (vs, ve),
                    pair: None,
                };
                hits.push((hit, i));
            }
        });
    }
    // One report per place: where two formats claim overlapping bytes, the earlier-listed
    // (more specific) format wins.
    hits.sort_by_key(|(h, i)| (h.at, *i));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for (h, _) in hits {
        if kept.last().is_some_and(|k| k.value.1 > h.at) {
            continue;
        }
        kept.push(h);
    }
    pair::join(hay, &mut kept);
    kept
}

/// Files that exist to show examples (`*.examples.json` API docs, `README`s' sample configs).
fn is_docs_example(path: &str) -> bool {
    let name = text::file_name(path).to_ascii_lowercase();
    name.contains("example") || name.contains("sample") || name.starts_with("readme")
}

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
        return (
            Severity::Low.min(hit.format.rule.severity),
            Some("test fixture"),
        );
    }
    (hit.format.rule.severity, None)
}

/// No format matches fewer bytes than this (tested), so shorter text holds no secret.
pub const MIN_MATCH: usize = 8;

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

/// The finding for one hit.
fn push(ctx: &FileCtx<'_>, hay: &[u8], hit: &Hit, lines: &mut LineCounter, out: &mut Vec<Finding>) {
    let value = &hay[hit.value.0..hit.value.1];
    let (severity, why) = context(ctx, value, hay, hit);
    let (line, column) = lines.at(hay, hit.at);
    let (shown, len) = text::mask(value, hit.format.known);
    let f = hit.format;
    let mut message = format!("{} {}", f.label, text::masked(value, f.known));
    let mut evidence = serde_json::json!({
        "kind": f.label,
        "prefix": shown,
        "length": len,
        "context": why,
    });
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
    if let Some(why) = why {
        message = format!("{message} — {why}, not a leaked credential");
    }
    out.push(
        Finding::new(&f.rule, ctx.location(Some(line), Some(column)), message)
            .severity(severity)
            .evidence(evidence),
    );
}

#[cfg(test)]
mod tests;
