//! The `?` help screen, generated from the key table so it documents exactly what is handled.
//!
//! The text is wrapped here, not by the paragraph, so that a key's continuation lines are
//! indented under its description and the state knows how far the help can scroll.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget as _};

use crate::review::action::{KEYS, Mode};
use crate::review::app::App;
use crate::review::theme::Theme;

/// Width of the key column: two spaces, the label, padding.
const KEY_COLUMN: usize = 13;

/// The help text for an inside `width` columns wide: one entry per binding, browsing keys
/// first, then the help's own, the filter's and the sign-off dialog's; a description that does
/// not fit continues on lines indented under itself.
pub fn lines(theme: Theme, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width).max(KEY_COLUMN + 10);
    let mut out = Vec::new();
    let prose = |text: &str, style: Style, out: &mut Vec<Line<'static>>| {
        for piece in wrap(text, width) {
            out.push(Line::styled(piece, style));
        }
    };
    prose("Review the exact bytes that ship.", theme.title(), &mut out);
    prose(
        "Tree rows: +added ~changed -removed, C/H/M/L/I worst finding, size, share bar.",
        theme.dim(),
        &mut out,
    );
    out.push(Line::raw(""));
    for (mode, heading) in [
        (Mode::Browse, "Keys"),
        (
            Mode::Help,
            "In this help (the movement keys above and the wheel scroll it)",
        ),
        (Mode::Filter, "While typing a filter"),
        (Mode::SignOff, "In the sign-off dialog"),
        (
            Mode::SignOffTyping,
            "While typing in the sign-off dialog (letters type)",
        ),
    ] {
        prose(heading, theme.title(), &mut out);
        // The help's own section lists only what differs from browsing.
        let own = |b: &&crate::review::action::KeyBinding| {
            b.modes.contains(&mode) && (mode != Mode::Help || !b.modes.contains(&Mode::Browse))
        };
        for b in KEYS.iter().filter(own) {
            for (k, piece) in wrap(b.help, width - KEY_COLUMN).into_iter().enumerate() {
                let key = if k == 0 { b.label } else { "" };
                out.push(Line::from(vec![
                    Span::styled(format!("  {key:<11}"), theme.title()),
                    Span::raw(piece),
                ]));
            }
        }
        out.push(Line::raw(""));
    }
    prose(
        "Mouse: the wheel scrolls the pane under it; a click selects, a second click opens.",
        theme.dim(),
        &mut out,
    );
    out
}

/// `text` in lines of at most `width` characters, broken between words (a longer word is
/// cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let (have, add) = (line.chars().count(), word.chars().count());
        if have > 0 && have + 1 + add > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let rest: String = line.chars().skip(width).collect();
            out.push(line.chars().take(width).collect());
            line = rest;
        }
    }
    out.push(line);
    out
}

/// Where the help popup goes on a screen of `area`.
pub fn popup(area: Rect) -> Rect {
    let [v] = Layout::vertical([Constraint::Percentage(90)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Max(84)])
        .flex(Flex::Center)
        .areas(v);
    popup
}

/// Rows of the popup's inside on a screen of `area` (a page, for PgUp/PgDn).
pub fn page(area: Rect) -> usize {
    usize::from(popup(area).height.saturating_sub(2)).max(1)
}

/// The furthest the help scrolls on a screen of `area`: its last line at the bottom.
pub fn max_scroll(area: Rect) -> usize {
    let inner = popup(area).width.saturating_sub(2);
    lines(Theme { color: false }, inner)
        .len()
        .saturating_sub(page(area))
}

/// Draws the help popup over the screen.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let popup = popup(area);
    Clear.render(popup, buf);
    let text = lines(theme, popup.width.saturating_sub(2));
    let total = text.len();
    let scroll = app.help_scroll.min(max_scroll(area));
    let last = (scroll + page(area)).min(total);
    Paragraph::new(text)
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
        .block(
            Block::bordered()
                .title(" help · ↑↓ j/k PgUp PgDn Home End scroll · ? Esc q close ")
                .title_bottom(
                    Line::from(format!(" {}–{last} of {total} ", scroll + 1)).right_aligned(),
                )
                .border_style(theme.border(true)),
        )
        .render(popup, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_description_continues_indented_under_itself() {
        let text: Vec<String> = lines(Theme { color: false }, 78)
            .iter()
            .map(ToString::to_string)
            .collect();
        let open = text
            .iter()
            .position(|l| l.starts_with("  ⏎/l/→"))
            .expect("the open key is listed");
        assert!(
            text[open + 1].starts_with(&" ".repeat(KEY_COLUMN))
                && !text[open + 1].trim().is_empty(),
            "its description goes on indented:\n{}\n{}",
            text[open],
            text[open + 1]
        );
        assert!(
            text.iter().all(|l| l.chars().count() <= 78),
            "no line is wider than the popup"
        );
    }
}
