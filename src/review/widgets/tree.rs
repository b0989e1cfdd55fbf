//! The tree pane: one row per visible node with its name, diff status, severity marker, size
//! and a heat bar showing its share of the package.
//!
//! A folder carries the marks of what it holds, so nothing changed or flagged is hidden in a
//! collapsed folder: its change column is `+` when everything inside is new, `-` when
//! everything inside is gone, `~` when anything else inside was added, changed or removed
//! (see [`crate::review::tree::Node::mark`]), and its severity letter is the worst finding on
//! it or inside it.
//!
//! The files inside an entry (a source map's embedded sources, a nested archive's entries) are
//! virtual rows: their names start with [`VIRTUAL`] and are drawn in italics, so an embedded
//! `vendor/` never reads as the package's own `vendor/` one column away, with or without
//! colour. They are named as findings name them (`../src/auth/token.ts`). Every bar, theirs
//! included, is a share of the package's unpacked size, as the pane's bottom line says: one
//! scale, so a long bar means many bytes wherever it is.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget as _};

use crate::review::app::{App, Pane};
use crate::review::theme::{HeatBar, Theme};
use crate::review::tree::NodeKind;

use super::fit;

const BAR: usize = 6;

/// What a virtual row's name starts with: the row is inside a file, not a file of the package.
pub const VIRTUAL: &str = "◦ ";

/// Draws the tree pane.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::Tree;
    let f = &app.view.filters;
    let mut title = format!(" files · by {} ", app.view.sort.label());
    if !f.text.is_empty() {
        title = format!("{title}· /{} ", crate::sanitize::for_terminal(&f.text));
    }
    if f.only_flagged {
        title.push_str("· flagged ");
    }
    if f.only_changed {
        title.push_str("· changed ");
    }
    let block = Block::bordered()
        .title(title)
        .title_bottom(format!(
            " {}/{} {}",
            app.selected + usize::from(!app.view.rows.is_empty()),
            app.view.rows.len(),
            // Where the bars are drawn (see below), say what they measure.
            if area.width >= 32 {
                "· bars: share of package "
            } else {
                ""
            }
        ))
        .border_style(theme.border(focused));
    let inner = block.inner(area);
    block.render(area, buf);
    let width = usize::from(inner.width);
    let total = app.artifact.unpacked_size.max(1) as f64;
    let mut lines = Vec::new();
    if app.view.rows.is_empty() {
        lines.push(Line::styled("nothing matches", theme.dim()));
    }
    for (row, id) in app
        .view
        .rows
        .iter()
        .enumerate()
        .skip(app.tree_offset)
        .take(usize::from(inner.height))
    {
        let n = app.tree.node(*id);
        // Deep trees (a filter opens every folder) must leave room for the names.
        let indent = usize::from(n.depth.saturating_sub(1)).min(width / 5);
        // Open means its children are the rows below it (a filter may hide them all).
        let open = app
            .view
            .rows
            .get(row + 1)
            .is_some_and(|next| app.tree.node(*next).parent == Some(*id));
        let arrow = match (app.tree.expandable(*id), open) {
            (false, _) => " ",
            (true, true) => "▾",
            (true, false) => "▸",
        };
        let (st, st_style) = theme.status(n.mark);
        let (sev, sev_style) = n
            .severity
            .map_or((" ", ratatui::style::Style::default()), |s| {
                theme.severity(s)
            });
        // One decimal keeps every size within 9 cells, so columns align; decimal units, as
        // `ls`, `diff` and npm print them.
        let size = crate::units::size_compact(n.size);
        // Narrow panes drop the bar, then the size, before the name.
        let (show_bar, show_size) = (width >= 30, width >= 20);
        let right = if show_bar {
            11 + BAR
        } else if show_size {
            10
        } else {
            0
        };
        let name_w = width.saturating_sub(indent + 4 + right);
        let mut name = if n.inner.is_some() {
            VIRTUAL.to_owned()
        } else {
            String::new()
        };
        name.push_str(&crate::sanitize::for_terminal(&n.name));
        if matches!(n.kind, NodeKind::Dir) {
            name.push('/');
        }
        let name = fit(&name, name_w);
        let pad = name_w.saturating_sub(name.chars().count());
        let mut name_style = ratatui::style::Style::default();
        if n.status == crate::review::tree::Status::Removed {
            name_style = theme
                .dim()
                .add_modifier(ratatui::style::Modifier::CROSSED_OUT);
        } else if n.inner.is_some() {
            name_style = theme.virtual_row();
        }
        let share = if n.kind == NodeKind::Removed {
            0.0
        } else {
            n.size as f64 / total
        };
        let mut line = Line::from(vec![
            Span::raw(" ".repeat(indent)),
            Span::raw(arrow),
            Span::styled(st, st_style),
            Span::styled(sev, sev_style),
            Span::raw(" "),
            Span::styled(name, name_style),
            Span::raw(" ".repeat(pad)),
        ]);
        if show_size {
            line.push_span(Span::styled(format!(" {size:>9}"), theme.dim()));
        }
        if show_bar {
            line.push_span(Span::raw(" "));
            line.push_span(Span::styled(
                HeatBar { share, width: BAR }.to_string(),
                theme.heat(share),
            ));
        }
        if row == app.selected {
            line = line.patch_style(theme.cursor(focused));
        }
        lines.push(line);
    }
    Paragraph::new(lines).render(inner, buf);
}
