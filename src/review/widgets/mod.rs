//! The screen's regions, each drawn by one plain function over `&App`.

pub mod findings;
pub mod header;
pub mod help;
pub mod preview;
pub mod signoff;
pub mod tree;

use ratatui::text::Span;

/// A span of untrusted text, sanitised: the only way artifact strings become spans.
pub fn untrusted(text: &str, style: ratatui::style::Style) -> Span<'static> {
    Span::styled(crate::sanitize::for_terminal(text).into_owned(), style)
}

/// Cuts `s` to `width` characters, ending with `…` when it was longer.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        out.push('…');
    }
    out
}

/// Keeps the end of `s` in `width` characters (`…/dist/cli.js`), for paths.
pub fn fit_end(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_owned();
    }
    let tail: String = s.chars().skip(n + 1 - width.max(1)).collect();
    format!("…{tail}")
}
