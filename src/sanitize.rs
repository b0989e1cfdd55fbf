//! Making untrusted text safe to show.
//!
//! Every string that comes out of an artifact (entry names, link targets, metadata fields, file
//! contents) may have been written by an attacker. A raw ESC can clear the reviewer's screen, an
//! OSC 52 sequence can write their clipboard, and a bidi override can make `evil.js` read as
//! `sj.live`. Before such a string reaches a terminal, text output or a ratatui `Span`, it goes
//! through [`for_terminal`] (or [`bytes_for_terminal`] when it may not be UTF-8), which turns
//! every dangerous character into a visible escape. JSON output keeps the real characters but
//! writes them as `\uXXXX` escapes (see [`crate::json`]).

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for characters that must never reach a terminal raw: C0 controls (tab included, since
/// names have no business holding one), DEL, C1 controls, bidi embeddings/overrides/isolates and
/// marks, line/paragraph separators, and the byte-order mark / zero-width characters that hide
/// text.
pub fn is_dangerous(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}'
    )
}

/// True for the bidirectional-control subset of [`is_dangerous`].
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Writes the visible escape for one dangerous character: `^[` style caret notation for C0 and
/// DEL (as `cat -v` and bat do), `\u{..}` for everything else.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\u{0}'..='\u{1f}' => {
            out.push('^');
            out.push(char::from(b'@' + c as u8));
        }
        '\u{7f}' => out.push_str("^?"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Returns `s` with every dangerous character replaced by a visible escape; borrows when `s`
/// is already safe, which is the common case.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    // Printable ASCII, by far the common case, holds nothing to escape.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`for_terminal`] for bytes that may not be UTF-8: each invalid byte becomes `\xNN`.
pub fn bytes_for_terminal(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => for_terminal(s),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                out.push_str(&for_terminal(chunk.valid()));
                for b in chunk.invalid() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            Cow::Owned(out)
        }
    }
}

/// What a name contains that a reviewer should be told about.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NameIssues {
    /// C0/C1 controls or DEL.
    pub control: bool,
    /// Bidi overrides, embeddings, isolates or marks.
    pub bidi: bool,
    /// Bytes that are not UTF-8.
    pub invalid_utf8: bool,
}

/// Inspects a raw name for the characters [`for_terminal`] would escape.
pub fn name_issues(bytes: &[u8]) -> NameIssues {
    let mut issues = NameIssues::default();
    for chunk in bytes.utf8_chunks() {
        if !chunk.invalid().is_empty() {
            issues.invalid_utf8 = true;
        }
        for c in chunk.valid().chars() {
            if is_bidi(c) {
                issues.bidi = true;
            } else if is_dangerous(c) {
                issues.control = true;
            }
        }
    }
    issues
}

/// True when `NO_COLOR` asks for no colour (set and not empty, as <https://no-color.org>
/// says): the one place it is read, for the review screen and `check`'s text output alike.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_text_is_borrowed_unchanged() {
        assert!(matches!(
            for_terminal("dist/index.js"),
            Cow::Borrowed("dist/index.js")
        ));
        assert_eq!(for_terminal("héllo ✓ 日本"), "héllo ✓ 日本");
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(
            for_terminal("a\u{1b}[2Jb"),
            "a^[[2Jb",
            "CSI clear screen is shown, not run"
        );
        assert_eq!(
            for_terminal("\u{1b}]52;c;aGk=\u{7}"),
            "^[]52;c;aGk=^G",
            "OSC 52 is shown"
        );
        assert_eq!(
            for_terminal("x\u{7f}\u{9b}y"),
            "x^?\\u{9b}y",
            "DEL and C1 CSI escaped"
        );
        assert_eq!(for_terminal("a\tb\nc"), "a^Ib^Jc");
    }

    #[test]
    fn bidi_overrides_become_visible() {
        assert_eq!(for_terminal("evil\u{202e}sj.js"), "evil\\u{202e}sj.js");
        assert_eq!(for_terminal("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn invalid_utf8_is_hex_escaped() {
        assert_eq!(bytes_for_terminal(b"ok\xff\xfe.js"), "ok\\xff\\xfe.js");
        assert_eq!(bytes_for_terminal(b"\xe2\x80\xaeab"), "\\u{202e}ab");
    }

    #[test]
    fn name_issues_are_classified() {
        assert_eq!(name_issues(b"plain.js"), NameIssues::default());
        let n = name_issues(b"a\xe2\x80\xaeb\x1b");
        assert!(n.bidi && n.control && !n.invalid_utf8);
        assert!(name_issues(b"a\xffb").invalid_utf8);
    }
}
