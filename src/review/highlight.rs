//! Syntax highlighting with syntect, for the visible window only.
//!
//! The syntax set is two-face's curated one (bat's, which has TypeScript, TOML, Vue…), loaded
//! once on a background thread at start-up so the first preview does not wait for it.
//! Callers hand in only the lines on screen, each already cut to [`LINE_CAP`] bytes: syntect
//! needs seconds and hundreds of megabytes for a 5 MB single line, so it never sees one.

use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};
use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, Theme};
use syntect::parsing::{SyntaxReference, SyntaxSet};

/// Longest prefix of one line that is highlighted; the rest is drawn plain.
pub const LINE_CAP: usize = 1024;

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
static THEME: OnceLock<Theme> = OnceLock::new();

/// The curated syntax set (loaded on first use).
pub fn syntaxes() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

fn theme() -> &'static Theme {
    THEME.get_or_init(|| {
        two_face::theme::extra()
            .get(two_face::theme::EmbeddedThemeName::Base16OceanDark)
            .clone()
    })
}

/// Loads the syntax set and theme on a background thread, and compiles the regexes of the
/// syntaxes a package is made of (syntect compiles them on first use, ~100 ms for JavaScript),
/// so that the first preview does not pay for it.
pub fn warm_up() {
    std::thread::spawn(prime);
}

/// What [`warm_up`] does, on the calling thread.
pub fn prime() {
    for (path, sample) in [
        (
            "a.js",
            "const a = `x${1}`; // c\nfunction f(b) { return /re/g.test(b); }",
        ),
        ("a.ts", "export const f = (x: number): string => `${x}`;"),
        ("a.json", "{\"a\": [1, true, null]}"),
        ("a.md", "# t\n\n`code` *em*"),
    ] {
        let lines: Vec<&str> = sample.lines().collect();
        let _ = highlight(syntax_for(path, ""), &[], &lines);
    }
}

/// The syntax for a file: by extension, then by well-known name, then by its first line
/// (`#!/usr/bin/env node`), else plain text.
pub fn syntax_for(path: &str, first_line: &str) -> &'static SyntaxReference {
    let ss = syntaxes();
    let name = path.rsplit(['/', ' ']).next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let by_ext = match ext.as_deref() {
        Some("mjs" | "cjs") => ss.find_syntax_by_extension("js"),
        Some("mts" | "cts") => ss.find_syntax_by_extension("ts"),
        Some("map") => ss.find_syntax_by_extension("json"),
        Some(e) => ss.find_syntax_by_extension(e),
        None => None,
    };
    by_ext
        .or_else(|| ss.find_syntax_by_extension(name))
        .or_else(|| {
            let head: String = first_line.chars().take(200).collect();
            ss.find_syntax_by_first_line(&head)
        })
        .unwrap_or_else(|| ss.find_syntax_plain_text())
}

/// Highlights `lines` (each without its newline and at most [`LINE_CAP`] bytes), after
/// feeding `context` (the lines just above, same caps) so that a comment or string opened
/// above the window is coloured right. Returns styled pieces per line, unsanitised.
pub fn highlight(
    syntax: &SyntaxReference,
    context: &[&str],
    lines: &[&str],
) -> Vec<Vec<(Style, String)>> {
    let ss = syntaxes();
    let mut h = HighlightLines::new(syntax, theme());
    let mut buf = String::with_capacity(LINE_CAP + 1);
    for line in context {
        buf.clear();
        buf.push_str(line);
        buf.push('\n');
        let _ = h.highlight_line(&buf, ss);
    }
    lines
        .iter()
        .map(|line| {
            buf.clear();
            buf.push_str(line);
            buf.push('\n');
            match h.highlight_line(&buf, ss) {
                Ok(pieces) => pieces
                    .into_iter()
                    .map(|(s, t)| (convert(s), t.trim_end_matches('\n').to_owned()))
                    .filter(|(_, t)| !t.is_empty())
                    .collect(),
                Err(_) => vec![(Style::default(), (*line).to_owned())],
            }
        })
        .collect()
}

fn convert(s: syntect::highlighting::Style) -> Style {
    let c = s.foreground;
    let mut style = Style::default().fg(Color::Rgb(c.r, c.g, c.b));
    if s.font_style.contains(FontStyle::BOLD) {
        style = style.add_modifier(Modifier::BOLD);
    }
    if s.font_style.contains(FontStyle::ITALIC) {
        style = style.add_modifier(Modifier::ITALIC);
    }
    style
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_and_shebangs_are_recognised() {
        assert_eq!(syntax_for("src/auth/token.ts", "").name, "TypeScript");
        assert!(
            syntax_for("bin/cli", "#!/usr/bin/env node")
                .name
                .starts_with("JavaScript")
        );
        assert_eq!(syntax_for("LICENSE", "MIT").name, "Plain Text");
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let s = syntax_for("a.js", "");
        let out = highlight(s, &["/* open"], &["still comment */ const x = 1;"]);
        let text: String = out[0].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(text, "still comment */ const x = 1;");
        assert!(out[0].len() > 1, "the line is split into styled pieces");
    }
}
