//! The literal prefilter: where in a file each secret format has a candidate.
//!
//! Every format lists literals that each of its matches contains ([`Format::prefixes`]). They
//! are searched by key — a literal's first four bytes, or a stem a family shares (`xox`, `sk-`)
//! — and every key hit is checked against the full literals behind it, so only real literal
//! occurrences are reported.
//!
//! Keys are searched in groups of one length, one pass per group, because a SIMD Teddy searcher
//! (`aho_corasick::packed`) is only as selective as its shortest key. On next@14's 2 MB of
//! minified server code the 61 four-byte keys take 0.46 ms in one Teddy pass, the 12 three-byte
//! keys 0.12 ms in another, and the two 2-byte keys 0.04 ms each with `memmem`; mixing the 3-byte
//! keys into the first pass made it 3.1 ms, the 2-byte ones 0.8 ms, and all 75 keys in one
//! `AhoCorasick` got no prefilter at all: its DFA stepped through every byte (3.2 ms, 85% of
//! the whole scan).
//!
//! [`Format::prefixes`]: super::formats::Format::prefixes

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind, Span, packed};
use memchr::memmem;

use super::formats::FORMATS;

/// Teddy takes at most this many keys per searcher.
const TEDDY_KEYS: usize = 64;

/// The key a literal is searched by: its first four bytes, or the 3-byte stem of a family that
/// would otherwise need a key per member (`xoxb-`, `xoxp-`, … are all `xox`), which keeps the
/// 4-byte keys within one Teddy searcher.
fn key_of(literal: &str) -> &[u8] {
    const STEMS: &[&str] = &["xox", "sk-", "sk_", "rk_", "shp", "dp."];
    let b = literal.as_bytes();
    match STEMS.iter().find(|s| literal.starts_with(**s)) {
        Some(stem) => &b[..stem.len()],
        None => &b[..b.len().min(4)],
    }
}

/// One key and what a hit on it may be.
#[derive(Debug)]
struct Key {
    bytes: &'static [u8],
    /// The format (index in [`FORMATS`]) and full literal of every literal with this key.
    literals: Vec<(usize, &'static [u8])>,
    /// How far to move on after a hit: the first offset inside this key where a key of the
    /// same pass could start, so overlapping occurrences are found too.
    shift: usize,
}

#[derive(Debug)]
enum Searcher {
    /// SIMD (Teddy) search for up to [`TEDDY_KEYS`] keys of one length.
    Teddy(packed::Searcher),
    /// The same keys where Teddy is not available (no SSSE3 or NEON).
    Automaton(AhoCorasick),
    /// A single key too short for Teddy to be selective.
    One(memmem::Finder<'static>),
}

/// One search pass over the file for a group of keys.
#[derive(Debug)]
struct Pass {
    searcher: Searcher,
    keys: Vec<Key>,
}

impl Pass {
    /// A pass over keys of one length; the shortest ones get a pass each.
    fn new(mut keys: Vec<Key>) -> Pass {
        for i in 0..keys.len() {
            let k = keys[i].bytes;
            keys[i].shift = (1..k.len())
                .find(|&s| keys.iter().any(|o| o.bytes.starts_with(&k[s..])))
                .unwrap_or(k.len());
        }
        let searcher = if keys.len() == 1 && keys[0].bytes.len() < 3 {
            Searcher::One(memmem::Finder::new(keys[0].bytes))
        } else {
            let bytes = keys.iter().map(|k| k.bytes);
            match packed::Config::new()
                .builder()
                .extend(bytes.clone())
                .build()
            {
                Some(teddy) => Searcher::Teddy(teddy),
                None => Searcher::Automaton(
                    AhoCorasick::builder()
                        .match_kind(MatchKind::LeftmostFirst)
                        .build(bytes)
                        .expect("a few dozen short keys always build"),
                ),
            }
        };
        Pass { searcher, keys }
    }

    /// The first key occurrence at or after `at`: which key, and where.
    fn find(&self, hay: &[u8], at: usize) -> Option<(&Key, usize)> {
        let (key, start) = match &self.searcher {
            Searcher::Teddy(s) => s
                .find_in(hay, Span::from(at..hay.len()))
                .map(|m| (m.pattern().as_usize(), m.start())),
            Searcher::Automaton(ac) => ac
                .find(Input::new(hay).span(at..hay.len()))
                .map(|m| (m.pattern().as_usize(), m.start())),
            Searcher::One(f) => f.find(&hay[at..]).map(|i| (0, at + i)),
        }?;
        Some((&self.keys[key], start))
    }
}

/// Every key, grouped into passes: one Teddy pass per length (3 and 4 bytes) and up to
/// [`TEDDY_KEYS`] keys, one `memmem` pass per shorter key.
static PASSES: LazyLock<Vec<Pass>> = LazyLock::new(|| {
    let mut keys: Vec<Key> = Vec::new();
    for (i, f) in FORMATS.iter().enumerate() {
        for literal in f.prefixes {
            let bytes = key_of(literal);
            let entry = (i, literal.as_bytes());
            match keys.iter_mut().find(|k| k.bytes == bytes) {
                Some(k) => k.literals.push(entry),
                None => keys.push(Key {
                    bytes,
                    literals: vec![entry],
                    shift: 0,
                }),
            }
        }
    }
    let mut passes = Vec::new();
    for len in (1..=4).rev() {
        let (group, rest): (Vec<Key>, Vec<Key>) =
            keys.into_iter().partition(|k| k.bytes.len() == len);
        keys = rest;
        let mut group = group.into_iter().peekable();
        while group.peek().is_some() {
            let size = if len < 3 { 1 } else { TEDDY_KEYS };
            passes.push(Pass::new(group.by_ref().take(size).collect()));
        }
    }
    passes
});

/// Calls `found(format, at)` for every occurrence of one of a format's literals in `hay`
/// (`format` indexes [`FORMATS`]). Occurrences come in order within each pass, the passes one
/// after the other, so a format whose keys fall into two passes sees two ordered runs. Each
/// pass is linear in `hay`, and nothing is kept: the caller decides what to remember.
pub fn literals(hay: &[u8], mut found: impl FnMut(usize, usize)) {
    for pass in PASSES.iter() {
        let mut at = 0;
        while let Some((key, start)) = pass.find(hay, at) {
            for &(f, literal) in &key.literals {
                if hay[start..].starts_with(literal) {
                    found(f, start);
                }
            }
            at = start + key.shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn keys_fit_the_fast_searchers() {
        assert!(
            PASSES
                .iter()
                .all(|p| !matches!(p.searcher, Searcher::Automaton(_))),
            "every group of keys gets a Teddy searcher on x86-64"
        );
        assert!(
            PASSES.len() <= 4,
            "{} passes over every file: give a new format's literals a key of 3 or 4 bytes, \
             or a stem its family shares",
            PASSES.len()
        );
    }

    #[test]
    fn overlapping_occurrences_are_all_found() {
        let at = |hay: &str, id: &str| {
            let i = FORMATS
                .iter()
                .position(|f| f.rule.id == id)
                .expect("format exists");
            let mut out = Vec::new();
            literals(hay.as_bytes(), |f, at| {
                if f == i {
                    out.push(at);
                }
            });
            out
        };
        assert_eq!(at("eyJeyJ.eyJ", "secret-jwt"), [0, 3, 7]);
        assert_eq!(at("xxoxb-xoxp-", "secret-slack-token"), [1, 6]);
        assert_eq!(at("-us-us", "secret-mailchimp-api-key"), [0, 3]);
        assert_eq!(
            at("glc_eyJ", "secret-jwt"),
            [4],
            "a literal inside another format's literal"
        );
        assert_eq!(
            at("xoxo-", "secret-slack-token"),
            Vec::<usize>::new(),
            "a stem alone is not a literal"
        );
    }
}
