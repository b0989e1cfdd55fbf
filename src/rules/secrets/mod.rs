//! `secret-*`: credentials in shipped bytes, found precisely and never printed in full.
//!
//! [`find`] is the scanner: every [`formats::Format`]'s own `regex::bytes` over the file, each
//! prefiltered by its literal (so no input makes it super-linear). [`report`] turns hits into findings with line, column, a
//! masked value and the context that decides severity: a placeholder or documented example is
//! `info`, a key in a test fixture is `low`.

pub mod formats;
pub mod placeholder;

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use super::engine::FileCtx;
use super::text::{self, LineCounter};
use super::{Finding, Severity};
use formats::{FORMATS, Format};

/// The compiled formats, built once: one unanchored `regex::bytes` per format. Each has a
/// literal prefix (or an inner literal) that the regex crate turns into a SIMD prefilter, so a
/// pass costs little on code without candidates, and every pass is linear whatever the input
/// (the regex crate never backtracks). A shared prefix-hit scheme with a regex per hit was
/// tried first: windows re-scanned around every hit made `eyJeyJeyJ…` cost O(n × window).
static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    FORMATS
        .iter()
        .map(|f| {
            RegexBuilder::new(f.pattern.strip_prefix('^').unwrap_or(f.pattern))
                .unicode(false)
                .build()
                .expect("secret patterns are tested to compile")
        })
        .collect()
});

/// The prefilter key of a literal: its first four bytes, with families that share a rare
/// stem merged, so the automaton stays small for its SIMD (Teddy) prefilter.
fn key_of(literal: &str) -> &[u8] {
    const STEMS: &[&str] = &["xox", "sk-", "sk_", "rk_", "shp", "dp.", "pscale_"];
    let b = literal.as_bytes();
    match STEMS.iter().find(|s| literal.starts_with(**s)) {
        Some(stem) => &b[..stem.len()],
        None => &b[..b.len().min(4)],
    }
}

/// Every format's literals in one automaton: a single pass says which formats have any
/// candidate in a file, so only those formats' regexes run (each of which is linear).
static LITERALS: LazyLock<(AhoCorasick, Vec<Vec<usize>>)> = LazyLock::new(|| {
    let mut keys: Vec<&[u8]> = Vec::new();
    let mut owners: Vec<Vec<usize>> = Vec::new();
    for (i, f) in FORMATS.iter().enumerate() {
        for p in f.prefixes {
            let key = key_of(p);
            match keys.iter().position(|k| *k == key) {
                Some(k) => owners[k].push(i),
                None => {
                    keys.push(key);
                    owners.push(vec![i]);
                }
            }
        }
    }
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(&keys)
        .expect("a few dozen short literals always build");
    (ac, owners)
});

/// One secret found: which format, and the byte range of the value itself.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    /// The format that matched.
    pub format: &'static Format,
    /// Start of the whole match (where line and column point).
    pub at: usize,
    /// The value's byte range.
    pub value: (usize, usize),
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every secret in `hay`, in order of position. Linear in `hay` for every format.
pub fn find(hay: &[u8]) -> Vec<Hit> {
    let (ac, owners) = &*LITERALS;
    let mut wanted = vec![false; FORMATS.len()];
    // Keys are three bytes and distinct, so a key hidden inside another key's match is rare
    // (it needs both on overlapping bytes) and the key still counts wherever else it occurs.
    for m in ac.find_iter(hay) {
        for &i in &owners[m.pattern().as_usize()] {
            wanted[i] = true;
        }
    }
    let mut hits: Vec<Hit> = Vec::new();
    for ((f, re), _) in FORMATS
        .iter()
        .zip(COMPILED.iter())
        .zip(&wanted)
        .filter(|(_, w)| **w)
    {
        for m in re.find_iter(hay) {
            // Captures only on the matched span: the slow engine never sees the haystack.
            let Some(caps) = re.captures(&hay[m.start()..m.end()]) else {
                continue;
            };
            let Some(v) = caps.name("v") else { continue };
            let (at, vs, ve) = (m.start(), m.start() + v.start(), m.start() + v.end());
            // A token glued to more word characters is part of something else (an
            // identifier, a longer base64 run), not the token. Formats that look back
            // (`back > 0`) express their own left boundary in the pattern.
            // In JSON-escaped text (`sourcesContent`) an escape like `\n` or `\t` ends in a letter
            // but is a separator.
            let after_escape =
                at >= 2 && hay[at - 2] == b'\\' && matches!(hay[at - 1], b'n' | b't' | b'r');
            let glued_before =
                f.back == 0 && at > 0 && is_word(hay[at]) && is_word(hay[at - 1]) && !after_escape;
            let glued_after =
                ve < hay.len() && hay[ve].is_ascii_alphanumeric() && is_word(hay[ve - 1]);
            if glued_before || glued_after {
                continue;
            }
            hits.push(Hit {
                format: f,
                at,
                value: (vs, ve),
            });
        }
    }
    // One report per place: where two formats claim overlapping bytes, the earlier-listed
    // (more specific) format wins.
    hits.sort_by_key(|h| (h.at, FORMATS.iter().position(|f| std::ptr::eq(f, h.format))));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        if kept.last().is_some_and(|k| k.value.1 > h.at) {
            continue;
        }
        kept.push(h);
    }
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
    if let Some(why) = placeholder::reason(hit.format, value, hay, hit) {
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

/// Findings for every secret in `hay`. `escaped` says `hay` is a JSON string body (a map's
/// `sourcesContent` entry), whose lines end at the escape `\n`.
pub fn report(ctx: &FileCtx<'_>, hay: &[u8], escaped: bool, out: &mut Vec<Finding>) {
    let mut lines = LineCounter::default();
    for hit in find(hay) {
        let value = &hay[hit.value.0..hit.value.1];
        let (severity, why) = context(ctx, value, hay, &hit);
        let (line, column) = if escaped {
            text::escaped_line_col(hay, hit.at)
        } else {
            lines.at(hay, hit.at)
        };
        let (shown, len) = text::mask(value, hit.format.known);
        let f = hit.format;
        let mut message = format!("{} {shown}… ({len} chars)", f.label);
        if let Some(why) = why {
            message = format!("{message} — {why}, not a leaked credential");
        }
        out.push(
            Finding::new(&f.rule, ctx.location(Some(line), Some(column)), message)
                .severity(severity)
                .evidence(serde_json::json!({
                    "kind": f.label,
                    "prefix": shown,
                    "length": len,
                    "context": why,
                })),
        );
    }
}

#[cfg(test)]
mod tests;
