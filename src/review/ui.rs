//! Layout and drawing: where each region goes, and [`render`], which draws `&App` into a frame.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};

use super::action::{Mode, hints};
use super::app::App;
use super::theme::Theme;
use super::widgets;

/// The regions of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regions {
    /// Package, sizes, findings count, coverage.
    pub header: Rect,
    /// The file tree.
    pub tree: Rect,
    /// The preview.
    pub preview: Rect,
    /// The findings list.
    pub findings: Rect,
    /// Key hints, the filter prompt or a message.
    pub footer: Rect,
}

/// Splits the screen; pure, so that mouse handling and drawing agree. While the findings pane
/// has the focus it takes half the body, so the selected finding's message and its rule's
/// why can be read in full even at 80×24.
pub fn layout(area: Rect, findings_focused: bool) -> Regions {
    let header_h = if area.height >= 20 { 3 } else { 2 };
    let normal = if area.height >= 30 { 9 } else { 6 };
    let findings_h = if findings_focused {
        normal.max(area.height.saturating_sub(header_h + 1) / 2)
    } else {
        normal
    };
    let [header, body, findings, footer] = Layout::vertical([
        Constraint::Length(header_h),
        Constraint::Min(3),
        Constraint::Length(findings_h),
        Constraint::Length(1),
    ])
    .areas(area);
    let [tree, preview] =
        Layout::horizontal([Constraint::Percentage(44), Constraint::Percentage(56)]).areas(body);
    Regions {
        header,
        tree,
        preview,
        findings,
        footer,
    }
}

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let theme = Theme { color: app.color };
    let r = app.regions();
    let buf = frame.buffer_mut();
    widgets::header::render(app, theme, r.header, buf);
    widgets::tree::render(app, theme, r.tree, buf);
    widgets::preview::render(app, theme, r.preview, buf);
    widgets::findings::render(app, theme, r.findings, buf);
    footer(app, theme, r.footer, buf);
    mark_focus(app, theme, r, buf);
    if app.mode == Mode::Help {
        widgets::help::render(app, theme, frame.area(), frame.buffer_mut());
    }
    // The dialog is drawn last, over everything.
    widgets::signoff::render(app, theme, frame.area(), frame.buffer_mut());
}

/// Marks the focused pane's title with `●` (not `▶`, which marks a finding's line), which survives `NO_COLOR` (the border's colour
/// alone did not). Done here, once, for every pane: the title as its widget drew it moves one
/// cell right to make room (a border cell, or at worst the title's last cell, drops off).
fn mark_focus(app: &App, theme: Theme, r: Regions, buf: &mut ratatui::buffer::Buffer) {
    let area = match app.focus {
        super::app::Pane::Tree => r.tree,
        super::app::Pane::Preview => r.preview,
        super::app::Pane::Findings => r.findings,
    };
    if area.width < 6 || area.height == 0 {
        return;
    }
    let (y, left, right) = (area.y, area.x + 1, area.right() - 2);
    for x in (left + 1..=right).rev() {
        if let Some(cell) = buf.cell((x - 1, y)).cloned()
            && let Some(to) = buf.cell_mut((x, y))
        {
            *to = cell;
        }
    }
    if let Some(cell) = buf.cell_mut((left, y)) {
        cell.set_symbol("●").set_style(theme.border(true));
    }
}

fn footer(app: &App, theme: Theme, area: Rect, buf: &mut ratatui::buffer::Buffer) {
    let mut spans = Vec::new();
    if app.mode == Mode::Filter {
        spans.push(Span::styled("/", theme.title()));
        spans.push(widgets::untrusted(
            &app.view.filters.text,
            ratatui::style::Style::default(),
        ));
        spans.push(Span::styled("▏ ", theme.title()));
    } else if let Some(msg) = &app.status {
        spans.push(Span::styled(format!("{msg}  "), theme.title()));
    }
    for (label, word) in hints(app.mode) {
        spans.push(Span::styled(label, theme.title()));
        spans.push(Span::styled(format!(" {word} "), theme.dim()));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// Pane geometry the state needs to keep cursors on screen; derived from [`layout`].
impl App {
    /// Rows of the tree pane's inside.
    pub fn tree_height(&self) -> usize {
        usize::from(self.regions().tree.height.saturating_sub(2)).max(1)
    }

    /// Rows of the preview pane's inside.
    pub fn preview_height(&self) -> usize {
        usize::from(self.regions().preview.height.saturating_sub(2)).max(1)
    }

    /// Rows of the findings pane's inside.
    pub fn findings_height(&self) -> usize {
        usize::from(self.regions().findings.height.saturating_sub(2)).max(1)
    }

    /// The screen's regions in the current focus.
    pub fn regions(&self) -> Regions {
        layout(self.area(), self.focus == super::app::Pane::Findings)
    }

    /// The whole screen.
    pub fn area(&self) -> Rect {
        Rect::new(0, 0, self.viewport.0, self.viewport.1)
    }

    /// Keeps the tree cursor within the pane.
    pub(super) fn scroll_tree_into_view(&mut self) {
        let h = self.tree_height();
        self.selected = self.selected.min(self.view.rows.len().saturating_sub(1));
        if self.selected < self.tree_offset {
            self.tree_offset = self.selected;
        } else if self.selected >= self.tree_offset + h {
            self.tree_offset = self.selected + 1 - h;
        }
    }

    /// Keeps the findings cursor within the pane.
    pub(super) fn scroll_findings_into_view(&mut self) {
        let h = self.findings_height();
        if self.finding_selected < self.finding_offset {
            self.finding_offset = self.finding_selected;
        } else if self.finding_selected >= self.finding_offset + h {
            self.finding_offset = self.finding_selected + 1 - h;
        }
    }
}
