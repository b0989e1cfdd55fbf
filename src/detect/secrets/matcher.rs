//! One format's regex, run only in windows around the places its literals occur.
//!
//! Every match of a format contains one of its literals, so it lies within a fixed reach of
//! that literal's position: it starts at most `before` bytes ahead of it and ends at most
//! `after` bytes past its start. Both come from the pattern itself: `after` is the longest match
//! the pattern allows, `before` is 0 when every match provably starts with a literal (the regex
//! crate's own prefix extraction says so) and the longest match less the shortest literal
//! otherwise. A reach the pattern leaves unbounded (`{10,}`, `\s*`) runs to the file's end or
//! start.
//!
//! The windows around a format's literals are merged where they touch ([`Windows`], as the
//! prefilter reports them, so nothing per occurrence is kept) and each merged window is searched
//! once, with `Input::span` so that look-around at its edges still sees the bytes outside it.
//! That gives exactly the matches of a `find_iter` over the whole file: every match lies inside
//! one window, and a window holds no match that the whole file would not.
//!
//! Why it is linear whatever the input: the merged windows of one format do not overlap, so no
//! byte is searched twice by the same regex, and the regex crate's engines never backtrack.
//! On `eyJeyJeyJ…` the windows of all those literals merge into one. (An earlier design
//! searched a window around every candidate separately and went O(n × window) there.) Memory
//! stays bounded too: a format keeps at most [`Windows::MAX`] windows.

use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind, PatternID};
use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use super::formats::Format;

/// A format's compiled pattern and how far its matches reach around a literal.
#[derive(Debug)]
pub struct Matcher {
    re: Regex,
    /// The index of the capture group `v` (the value).
    value: usize,
    /// How far before a literal's start a match may start; `None` for any distance.
    before: Option<usize>,
    /// How far after a literal's start a match may end; `None` for any distance.
    after: Option<usize>,
}

impl Matcher {
    /// Compiles `f` the way `regex::bytes::RegexBuilder` with `unicode(false)` would.
    pub fn new(f: &Format) -> Matcher {
        let pattern = f.pattern.strip_prefix('^').unwrap_or(f.pattern);
        let hir = syntax::parse_with(pattern, &syntax::Config::new().unicode(false).utf8(false))
            .expect("secret patterns are tested to compile");
        let re = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .utf8_empty(false)
                    .nfa_size_limit(Some(10 << 20))
                    .hybrid_cache_capacity(2 << 20),
            )
            .build_from_hir(&hir)
            .expect("secret patterns are tested to compile");
        let value = re
            .group_info()
            .to_index(PatternID::ZERO, "v")
            .expect("every pattern names its value `v`");
        let longest = hir.properties().maximum_len();
        let shortest_literal = f.prefixes.iter().map(|p| p.len()).min().unwrap_or(0);
        let before = if starts_with_literal(&hir, f.prefixes) {
            Some(0)
        } else {
            longest.map(|n| n.saturating_sub(shortest_literal))
        };
        Matcher {
            re,
            value,
            before,
            after: longest,
        }
    }

    /// The bytes of a file of `len` bytes that a match holding a literal at `at` can cover.
    pub fn reach(&self, at: usize, len: usize) -> (usize, usize) {
        let start = self.before.map_or(0, |n| at.saturating_sub(n));
        let end = self.after.map_or(len, |n| at.saturating_add(n).min(len));
        (start, end)
    }

    /// Calls `found(start, value)` for every match in `hay` inside `windows` (ordered, not
    /// overlapping), in order.
    pub fn each(
        &self,
        hay: &[u8],
        windows: &[(usize, usize)],
        found: &mut impl FnMut(usize, (usize, usize)),
    ) {
        let mut caps = self.re.create_captures();
        for &w in windows {
            self.search(hay, w, &mut caps, found);
        }
    }

    /// Every match inside `hay[start..end]`, as `find_iter` would give them.
    fn search(
        &self,
        hay: &[u8],
        (start, end): (usize, usize),
        caps: &mut Captures,
        found: &mut impl FnMut(usize, (usize, usize)),
    ) {
        let mut input = Input::new(hay).span(start..end);
        loop {
            // The fast engines find the match; captures are resolved on its span only.
            self.re.search_captures(&input, caps);
            let Some(m) = caps.get_match() else { return };
            if let Some(v) = caps.get_group(self.value) {
                found(m.start(), (v.start, v.end));
            }
            if m.is_empty() {
                return; // no pattern matches the empty string (tested); never loop on one
            }
            input.set_start(m.end());
        }
    }
}

/// A format's windows in one file, merged as they are added.
///
/// Kept bounded whatever the file holds: past [`Windows::MAX`] separate windows the rest of
/// the file from the first one becomes one window, which costs one regex pass, as a
/// whole-file scan would.
#[derive(Debug)]
pub struct Windows {
    spans: Vec<(usize, usize)>,
    len: usize,
    ordered: bool,
}

impl Windows {
    /// More separate windows than this become one.
    pub const MAX: usize = 1024;

    /// No windows yet, in a file of `len` bytes.
    pub fn new(len: usize) -> Windows {
        Windows {
            spans: Vec::new(),
            len,
            ordered: true,
        }
    }

    /// True before the first window.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Adds the window `(start, end)`.
    pub fn add(&mut self, (start, end): (usize, usize)) {
        match self.spans.last_mut() {
            Some(last) if start >= last.0 && start <= last.1 => last.1 = last.1.max(end),
            Some(last) => {
                self.ordered &= start > last.1;
                self.spans.push((start, end));
            }
            None => self.spans.push((start, end)),
        }
        if self.spans.len() > Self::MAX {
            let first = self.spans.iter().map(|s| s.0).min().unwrap_or(0);
            self.spans = vec![(first, self.len)];
            self.ordered = true;
        }
    }

    /// The windows in order, none overlapping another.
    pub fn finish(mut self) -> Vec<(usize, usize)> {
        if !self.ordered {
            self.spans.sort_unstable();
            let mut merged: Vec<(usize, usize)> = Vec::with_capacity(self.spans.len());
            for (start, end) in self.spans {
                match merged.last_mut() {
                    Some(last) if start <= last.1 => last.1 = last.1.max(end),
                    _ => merged.push((start, end)),
                }
            }
            return merged;
        }
        self.spans
    }
}

/// Whether every match of `hir` starts with one of `literals`, by the regex crate's prefix
/// extraction. Not provable (an infinite or inexact set that is too short) counts as no.
fn starts_with_literal(hir: &Hir, literals: &[&str]) -> bool {
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    prefixes.literals().is_some_and(|found| {
        !found.is_empty()
            && found.iter().all(|l| {
                literals
                    .iter()
                    .any(|p| l.as_bytes().starts_with(p.as_bytes()))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::secrets::formats::FORMATS;

    #[test]
    fn reaches_come_from_the_patterns() {
        let m = |id: &str| {
            Matcher::new(
                FORMATS
                    .iter()
                    .find(|f| f.rule.id == id)
                    .expect("format exists"),
            )
        };
        let gh = m("secret-github-pat");
        assert_eq!((gh.before, gh.after), (Some(0), Some(40)), "ghp_ + 36");
        let jwt = m("secret-jwt");
        assert_eq!((jwt.before, jwt.after), (Some(0), None), "unbounded length");
        let azure = m("secret-azure-client-secret");
        assert_eq!(
            (azure.before, azure.after),
            (Some(38), Some(40)),
            "the literal sits inside: up to 40 bytes less the 2 of `Q~` before it"
        );
        let npmrc = m("secret-npmrc-auth");
        assert_eq!(
            (npmrc.before, npmrc.after),
            (None, None),
            "starts at a line's indentation"
        );
    }

    #[test]
    fn windows_merge_and_stay_bounded() {
        let mut w = Windows::new(1_000);
        for span in [(10, 50), (40, 90), (90, 95), (200, 240), (5, 12)] {
            w.add(span);
        }
        assert_eq!(
            w.finish(),
            [(5, 95), (200, 240)],
            "touching windows merge, a second ordered run is merged in"
        );
        let mut w = Windows::new(1_000_000);
        for i in 0..=Windows::MAX {
            w.add((1_000 + i * 100, 1_000 + i * 100 + 40));
        }
        assert_eq!(
            w.finish(),
            [(1_000, 1_000_000)],
            "past MAX windows, the rest of the file from the first is one window"
        );
    }

    #[test]
    fn literal_positions_are_proven_or_known() {
        // A format whose matches are not proven to start with a literal has its literal inside
        // the match; these were checked by hand to contain one in every match. A new one must be.
        let inside = [
            "secret-azure-client-secret",
            "secret-npmrc-auth",
            "secret-openai-legacy-key",
            "secret-mailchimp-api-key",
            "secret-telegram-bot-token",
        ];
        for f in FORMATS {
            let m = Matcher::new(f);
            assert_eq!(
                m.before != Some(0),
                inside.contains(&f.rule.id),
                "{}: before = {:?}",
                f.rule.id,
                m.before
            );
            let pattern = f.pattern.trim_start_matches('^');
            let hir =
                syntax::parse_with(pattern, &syntax::Config::new().unicode(false).utf8(false))
                    .expect("compiles");
            assert!(
                hir.properties().minimum_len() >= Some(crate::detect::secrets::MIN_MATCH),
                "{} must not match fewer than MIN_MATCH bytes (nor the empty string)",
                f.rule.id
            );
        }
    }
}
