//! The findings pane: the list, worst first, and the selected finding's detail.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget as _, Wrap};

use crate::review::app::{App, Pane};
use crate::review::theme::Theme;
use crate::rules::Finding;

use super::{fit, untrusted};

/// Draws the findings pane.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::Findings;
    let (seen, total) = app.coverage.findings();
    let block = Block::bordered()
        .title(format!(" findings · {seen}/{total} opened "))
        .border_style(theme.border(focused));
    let inner = block.inner(area);
    block.render(area, buf);
    if app.findings.is_empty() {
        let text = if app.scanning {
            "Scanning the package for findings…"
        } else {
            "No findings. Still read what ships: the tree is sorted by size."
        };
        Paragraph::new(Line::styled(text, theme.dim())).render(inner, buf);
        return;
    }
    let [list, detail_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(inner);
    let width = usize::from(list.width);
    let lines: Vec<Line> = app
        .findings
        .iter()
        .enumerate()
        .skip(app.finding_offset)
        .take(usize::from(list.height))
        .map(|(k, f)| {
            let (letter, style) = if f.allowed.is_some() {
                ("a", theme.dim())
            } else {
                theme.severity(f.severity)
            };
            let seen = if app.coverage.findings_viewed.contains(&k) {
                "✓"
            } else {
                " "
            };
            let loc = crate::sanitize::for_terminal(&f.location.to_string()).into_owned();
            let text = fit(
                &format!("{} {loc}", crate::sanitize::for_terminal(&f.rule)),
                width.saturating_sub(4),
            );
            let mut line = Line::from(vec![
                Span::styled(letter, style),
                Span::styled(seen, theme.dim()),
                Span::raw(" "),
                Span::raw(text),
            ]);
            if k == app.finding_selected {
                line = line.patch_style(theme.cursor(focused));
            }
            line
        })
        .collect();
    Paragraph::new(lines).render(list, buf);
    if let Some(f) = app.findings.get(app.finding_selected) {
        let text = detail(f, theme);
        // Wrapped height, estimated by characters with a word's slack per row (word wrapping
        // leaves rows short): enough to stop PgDn just past the end of the text.
        let width = usize::from(detail_area.width.saturating_sub(9)).max(1);
        let rows: usize = text.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
        let hidden =
            u16::try_from(rows.saturating_sub(usize::from(detail_area.height))).unwrap_or(u16::MAX);
        let scroll = if app.detail_scroll.0 == app.finding_selected {
            app.detail_scroll.1.min(hidden)
        } else {
            0
        };
        let mut block = Block::new()
            .borders(ratatui::widgets::Borders::LEFT)
            .border_style(theme.dim());
        if focused && hidden > 0 {
            let more = if scroll < hidden {
                "PgDn more"
            } else {
                "PgUp back"
            };
            block = block
                .title_bottom(Line::styled(format!(" {more} "), theme.title()).right_aligned());
        }
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .scroll((scroll, 0))
            .block(block)
            .render(detail_area, buf);
    }
}

/// The selected finding: severity and rule, whether the policy allows it and why, the message,
/// and the rule's why from the registry (the same text `shipcheck rules` prints).
fn detail(f: &Finding, theme: Theme) -> Vec<Line<'static>> {
    let rule = crate::rules::registry::lookup(&f.rule);
    let mut text = vec![Line::from(vec![
        Span::styled(format!("{} ", f.severity), theme.severity(f.severity).1),
        untrusted(&f.rule, theme.title()),
    ])];
    if let Some(a) = &f.allowed {
        text.push(Line::from(vec![
            Span::styled("allowed by policy: ", theme.title()),
            untrusted(&a.reason, Style::default()),
        ]));
    }
    text.push(Line::from(untrusted(&f.message, Style::default())));
    text.push(Line::from(vec![
        Span::styled("why: ", theme.title()),
        Span::styled(
            rule.why.split_whitespace().collect::<Vec<_>>().join(" "),
            theme.dim(),
        ),
    ]));
    text
}
