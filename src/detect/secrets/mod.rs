//! Secret detection: credentials in bytes, found precisely. The `secret-*` rules
//! (`rules::secrets`) turn hits into findings; redaction ([`super::redact`]) masks them
//! wherever text leaves the program.
//!
//! [`find`] is the scanner, in two steps. The prefilter (`prefilter.rs`) finds, in a few SIMD
//! passes over the file, every place where one of a format's literals occurs (`ghp_`,
//! `-----BEGIN `, `eyJ`). Then each format that has such a place runs its own
//! `regex::bytes`-style pattern (`matcher.rs`), but only in windows around those places; the
//! windows are merged where they touch, so no byte is searched twice by one format and no
//! input makes the scan super-linear. On minified code most formats have no candidate at all
//! and cost nothing beyond the prefilter.

pub mod formats;
mod matcher;
pub mod pair;
pub mod placeholder;
mod prefilter;
pub mod public;

use std::sync::LazyLock;

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
    // Made on the first literal found, and only the formats it names are searched: a package
    // of 100,000 small files spent a tenth of `check` on every format's empty windows.
    let mut windows: Vec<Windows> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    prefilter::literals(hay, |f, at| {
        if windows.is_empty() {
            windows = FORMATS.iter().map(|_| Windows::new(hay.len())).collect();
        }
        if windows[f].is_empty() {
            touched.push(f);
        }
        windows[f].add(MATCHERS[f].reach(at, hay.len()));
    });
    touched.sort_unstable();
    let mut hits: Vec<(Hit, usize)> = Vec::new();
    for i in touched {
        let (f, m) = (&FORMATS[i], &MATCHERS[i]);
        let windows = std::mem::replace(&mut windows[i], Windows::new(0)).finish();
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

/// No format matches fewer bytes than this (tested), so shorter text holds no secret.
pub const MIN_MATCH: usize = 8;
