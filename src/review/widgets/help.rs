//! The `?` help screen, generated from the key table so it documents exactly what is handled.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget as _, Wrap};

use crate::review::action::{KEYS, Mode};
use crate::review::app::App;
use crate::review::theme::Theme;

/// The help text: one line per binding, browsing keys first, then the filter's and the
/// sign-off dialog's.
pub fn lines(theme: Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::styled("Review the exact bytes that ship.", theme.title()),
        Line::styled(
            "Tree rows: +added ~changed -removed, C/H/M/L/I worst finding, size, share bar.",
            theme.dim(),
        ),
        Line::raw(""),
    ];
    for (mode, heading) in [
        (Mode::Browse, "Keys"),
        (Mode::Filter, "While typing a filter"),
        (Mode::SignOff, "In the sign-off dialog"),
        (
            Mode::SignOffTyping,
            "While typing in the sign-off dialog (letters type)",
        ),
    ] {
        out.push(Line::styled(heading, theme.title()));
        for b in KEYS.iter().filter(|b| b.modes.contains(&mode)) {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<11}", b.label), theme.title()),
                Span::raw(b.help),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled(
        "Mouse: the wheel scrolls the pane under it; a click selects, a second click opens.",
        theme.dim(),
    ));
    out
}

/// Draws the help popup over the screen.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let [v] = Layout::vertical([Constraint::Percentage(90)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Max(84)])
        .flex(Flex::Center)
        .areas(v);
    Clear.render(popup, buf);
    Paragraph::new(lines(theme))
        .wrap(Wrap { trim: false })
        .scroll((u16::try_from(app.help_scroll).unwrap_or(u16::MAX), 0))
        .block(
            Block::bordered()
                .title(" help · ? or Esc closes · j/k scroll ")
                .border_style(theme.border(true)),
        )
        .render(popup, buf);
}
