//! `secret-*`: credentials in shipped bytes, found precisely and never printed in full.
//!
//! [`find`] is the scanner: one Aho-Corasick pass over the literal prefixes of every
//! [`formats::Format`], then that format's regex on a bounded window around each hit (so no
//! input makes it super-linear). [`report`] turns hits into findings with line, column, a
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

/// The compiled scanner, built once.
struct Compiled {
    literals: AhoCorasick,
    /// For each literal, the format it belongs to.
    owner: Vec<usize>,
    regexes: Vec<Regex>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let mut literals = Vec::new();
    let mut owner = Vec::new();
    for (i, f) in FORMATS.iter().enumerate() {
        for p in f.prefixes {
            literals.push(*p);
            owner.push(i);
        }
    }
    let regexes = FORMATS
        .iter()
        .map(|f| {
            RegexBuilder::new(f.pattern)
                .unicode(false)
                .build()
                .expect("secret patterns are tested to compile")
        })
        .collect();
    Compiled {
        literals: AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&literals)
            .expect("a few dozen short literals always build"),
        owner,
        regexes,
    }
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

/// Every secret in `hay`, in order. Linear: each literal hit costs at most one regex run over a
/// window of `back + literal + span` bytes.
pub fn find(hay: &[u8]) -> Vec<Hit> {
    let c = &*COMPILED;
    let mut hits: Vec<Hit> = Vec::new();
    for m in c.literals.find_iter(hay) {
        let f = &FORMATS[c.owner[m.pattern().as_usize()]];
        let re = &c.regexes[c.owner[m.pattern().as_usize()]];
        let start = m.start().saturating_sub(f.back);
        let end = (m.end() + f.span).min(hay.len());
        let Some(caps) = re.captures(&hay[start..end]) else {
            continue;
        };
        let (Some(whole), Some(v)) = (caps.get(0), caps.name("v")) else {
            continue;
        };
        let (at, vs, ve) = (start + whole.start(), start + v.start(), start + v.end());
        // A token glued to more word characters is part of something else (an identifier,
        // a longer base64 run), not the token.
        // Formats that look back (`back > 0`) express their own left boundary in the pattern.
        let glued_before = f.back == 0 && at > 0 && is_word(hay[at]) && is_word(hay[at - 1]);
        let glued_after = ve < hay.len() && hay[ve].is_ascii_alphanumeric() && is_word(hay[ve - 1]);
        if glued_before || glued_after {
            continue;
        }
        if hits.last().is_some_and(|h| h.value.1 > at) {
            continue;
        }
        hits.push(Hit {
            format: f,
            at,
            value: (vs, ve),
        });
    }
    hits
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
