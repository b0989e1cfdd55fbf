//! The preview pane: numbered, highlighted lines of the visible window, long lines cut with a
//! marker, secrets masked, the finding's line marked; a hex view for binary files; the diff
//! against the baseline.

use std::borrow::Cow;
use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget as _, Wrap};

use crate::review::app::{App, Pane};
use crate::review::diffview::DiffRow;
use crate::review::highlight::{self, LINE_CAP};
use crate::review::preview::{Doc, DocSource, ViewMode, hidden_ranges, line, mask_line};
use crate::review::theme::Theme;

/// Lines above the window fed to the highlighter so that open comments colour right.
const CONTEXT_LINES: usize = 20;
/// Bytes of each context line fed to the highlighter.
const CONTEXT_CAP: usize = 256;

/// Draws the preview pane.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::Preview;
    let Some(doc) = &app.preview else {
        Block::bordered()
            .title(" preview ")
            .border_style(theme.border(focused))
            .render(area, buf);
        return;
    };
    let mode = match (doc.mode, doc.binary) {
        (ViewMode::Hex, Some(kind)) => format!(" · {kind} · hex"),
        (ViewMode::Hex, None) => " · hex".to_owned(),
        (ViewMode::Diff, _) => " · diff vs baseline".to_owned(),
        (ViewMode::Text, _) if doc.revealed.is_some() => {
            format!(
                " · SECRET ON LINE {} REVEALED",
                doc.revealed.unwrap_or(0) + 1
            )
        }
        (ViewMode::Text, _) if !doc.masks.is_empty() => " · secrets masked (r reveals)".to_owned(),
        (ViewMode::Text, _) => String::new(),
    };
    // A map or nested archive: say that Enter shows what it holds.
    let mode = if app.is_file_like(doc.node)
        && app.tree.expandable(doc.node)
        && doc.mode != ViewMode::Diff
    {
        format!("{mode} · holds files (⏎ expands)")
    } else {
        mode
    };
    let width = usize::from(area.width.saturating_sub(2));
    let mode = fit_mode(mode, width);
    let title = super::fit_end(
        &crate::sanitize::for_terminal(&doc.path),
        width.saturating_sub(mode.chars().count() + 4),
    );
    let block = Block::bordered()
        .title(Line::from(vec![
            Span::styled(format!(" {title}"), theme.title()),
            Span::styled(format!("{mode} "), theme.dim()),
        ]))
        .title_bottom(format!(
            " {}/{}{} ",
            (doc.scroll_y + 1).min(doc.rows(app.hex_row())),
            doc.rows(app.hex_row()),
            reading(doc)
        ))
        .border_style(theme.border(focused));
    let inner = block.inner(area);
    block.render(area, buf);
    let (w, h) = (usize::from(inner.width), usize::from(inner.height));
    let bytes = doc.bytes(&app.artifact);
    let lines = match (&doc.source, doc.mode) {
        (DocSource::Note(n), _) => {
            Paragraph::new(crate::sanitize::for_terminal(n).replace("^J", "\n"))
                .wrap(Wrap { trim: false })
                .style(theme.dim())
                .render(inner, buf);
            return;
        }
        (_, ViewMode::Hex) => {
            let hidden = hidden_ranges(&doc.active_masks());
            hex_lines(&bytes, &hidden, (doc.scroll_y, h, app.hex_row()), theme)
        }
        // Why there is no diff, wrapped: a cut sentence would hide the reason.
        (_, ViewMode::Diff) if doc.diff.as_ref().is_some_and(|d| d.note.is_some()) => {
            let note = doc
                .diff
                .as_ref()
                .and_then(|d| d.note.as_deref())
                .unwrap_or("");
            Paragraph::new(crate::sanitize::for_terminal(note).replace("^J", "\n"))
                .wrap(Wrap { trim: false })
                .style(theme.dim())
                .render(inner, buf);
            return;
        }
        (_, ViewMode::Diff) => diff_lines(doc, &bytes, w, h, theme),
        (_, ViewMode::Text) => text_lines(doc, &bytes, w, h, theme),
    };
    Paragraph::new(lines).render(inner, buf);
}

/// What the bottom border adds while only a big file's head is in: more lines are coming.
fn reading(doc: &Doc) -> String {
    match &doc.source {
        DocSource::Head { total, .. } => format!("+ · reading {}…", crate::units::size(*total)),
        _ => String::new(),
    }
}

/// Columns the file's name keeps in the title before the mode's key hints give way.
const TITLE_NAME_MIN: usize = 10;

/// The title's mode words in a `width`-column title: the key hints (`(r reveals)`) go first
/// where the file's name would be squeezed, then the words are cut with `…`, never bare.
fn fit_mode(mode: String, width: usize) -> String {
    let room = width.saturating_sub(TITLE_NAME_MIN + 4);
    if mode.chars().count() <= room {
        return mode;
    }
    let short = mode.replace(" (r reveals)", "").replace(" (⏎ expands)", "");
    super::fit(&short, room)
}

/// A window of one raw line, starting at byte `from` (snapped to a character), at most
/// `width` characters once tabs are expanded, and whether more follows.
fn window(raw: &[u8], from: usize, width: usize) -> (String, bool, bool) {
    let mut start = from.min(raw.len());
    while start > 0 && start < raw.len() && raw[start] & 0xC0 == 0x80 {
        start -= 1;
    }
    let mut end = start.saturating_add(width * 4 + 8).min(raw.len());
    while end < raw.len() && raw[end] & 0xC0 == 0x80 {
        end += 1;
    }
    let text = lossless_text(&raw[start..end]);
    let cut = text
        .char_indices()
        .nth(width)
        .map_or(text.len(), |(i, _)| i);
    let more = cut < text.len() || end < raw.len();
    (text[..cut].to_owned(), start > 0, more)
}

/// Bytes as text with tabs expanded, each invalid UTF-8 byte shown as `\xNN` as everywhere
/// else (never U+FFFD, which would hide what the bytes are). Control characters stay for
/// the highlighter; [`spans`] escapes them.
fn lossless_text(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\t', "    "));
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Sanitised spans of styled pieces, cut to `width` characters.
fn spans(pieces: Vec<(Style, String)>, width: usize) -> Vec<Span<'static>> {
    let mut left = width;
    let mut out = Vec::new();
    for (style, text) in pieces {
        if left == 0 {
            break;
        }
        let safe = crate::sanitize::for_terminal(&text);
        let n = safe.chars().count();
        let piece: String = if n > left {
            safe.chars().take(left).collect()
        } else {
            safe.into_owned()
        };
        left -= piece.chars().count();
        out.push(Span::styled(piece, style));
    }
    out
}

fn text_lines(doc: &Doc, bytes: &[u8], w: usize, h: usize, theme: Theme) -> Vec<Line<'static>> {
    let digits = doc.line_count().to_string().len();
    let cw = w.saturating_sub(digits + 2).max(1);
    let end = (doc.scroll_y + h).min(doc.line_count());
    let masks = doc.active_masks();
    let raw_line = |i: usize| -> Cow<'_, [u8]> {
        let at = doc.line_starts.get(i).copied().unwrap_or(0);
        mask_line(line(bytes, &doc.line_starts, i), at, &masks)
    };
    let windows: Vec<(String, bool, bool)> = (doc.scroll_y..end)
        .map(|i| window(&raw_line(i), doc.scroll_x, cw.saturating_sub(2)))
        .collect();
    let highlighted = (theme.color && doc.scroll_x == 0 && doc.binary.is_none()).then(|| {
        // Only the start of the first line decides the syntax (a shebang); never decode all
        // of a 60 MB line for it.
        let head = line(bytes, &doc.line_starts, 0);
        let first = window(head, 0, 200).0;
        let syntax = highlight::syntax_for(&doc.syntax_path, &first);
        let ctx_raw: Vec<String> = (doc.scroll_y.saturating_sub(CONTEXT_LINES)..doc.scroll_y)
            .map(|i| window(&raw_line(i), 0, CONTEXT_CAP).0)
            .collect();
        let ctx: Vec<&str> = ctx_raw.iter().map(String::as_str).collect();
        let texts: Vec<&str> = windows
            .iter()
            .map(|(t, ..)| if t.len() <= LINE_CAP { t.as_str() } else { "" })
            .collect();
        highlight::highlight(syntax, &ctx, &texts)
    });
    let mut out = Vec::with_capacity(h);
    for (k, (text, cut_left, more)) in windows.into_iter().enumerate() {
        let i = doc.scroll_y + k;
        let is_focus = doc.focus == Some(i);
        let gutter = if is_focus { "▶" } else { " " };
        let mut line_spans = vec![Span::styled(
            format!("{:>digits$}{gutter} ", i + 1),
            theme.dim(),
        )];
        if cut_left {
            line_spans.push(Span::styled("‹", theme.dim()));
        }
        let pieces = match &highlighted {
            Some(hl) if !hl[k].is_empty() || text.is_empty() => hl[k].clone(),
            _ => vec![(Style::default(), text)],
        };
        line_spans.extend(spans(pieces, cw.saturating_sub(2)));
        if more {
            line_spans.push(Span::styled("›", theme.dim()));
        }
        let mut l = Line::from(line_spans);
        if is_focus {
            l = l.patch_style(theme.focus_line());
        }
        out.push(l);
    }
    out
}

/// Rows `scroll..scroll + h` of the hex view, `per_row` bytes each (see [`hex_row`]).
///
/// [`hex_row`]: crate::review::preview::hex_row
fn hex_lines(
    bytes: &[u8],
    hidden: &[std::ops::Range<usize>],
    (scroll, h, per_row): (usize, usize, usize),
    theme: Theme,
) -> Vec<Line<'static>> {
    let is_hidden = |at: usize| hidden.iter().any(|r| r.contains(&at));
    bytes
        .chunks(per_row)
        .enumerate()
        .skip(scroll)
        .take(h)
        .map(|(row, chunk)| {
            let at = row * per_row;
            let hex: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    if is_hidden(at + i) {
                        "**".to_owned()
                    } else {
                        format!("{b:02x}")
                    }
                })
                .collect();
            let ascii: String = chunk
                .iter()
                .enumerate()
                .map(|(i, b)| match *b {
                    _ if is_hidden(at + i) => '*',
                    b if b.is_ascii_graphic() || b == b' ' => char::from(b),
                    _ => '.',
                })
                .collect();
            Line::from(vec![
                Span::styled(format!("{at:08x}  "), theme.dim()),
                Span::raw(format!("{:<w$}  ", hex.join(" "), w = per_row * 3 - 1)),
                Span::styled(ascii, theme.dim()),
            ])
        })
        .collect()
}

#[allow(clippy::many_single_char_names)]
fn diff_lines(doc: &Doc, bytes: &[u8], w: usize, h: usize, theme: Theme) -> Vec<Line<'static>> {
    let Some(d) = &doc.diff else {
        return Vec::new();
    };
    let cw = w.saturating_sub(13).max(1);
    // Cut as in the text view: `‹` and `›` say a line goes on past the pane.
    let text = |raw: &[u8]| window(raw, doc.scroll_x, cw.saturating_sub(2));
    // Secrets are masked on this release's side, as in the text view.
    let masks = doc.active_masks();
    let new_line = |n: usize| {
        let at = doc.line_starts.get(n).copied().unwrap_or(0);
        mask_line(line(bytes, &doc.line_starts, n), at, &masks)
    };
    d.rows
        .iter()
        .skip(doc.scroll_y)
        .take(h)
        .map(|row| {
            let (o, n, mark, (body, cut_left, more), style) = match *row {
                DiffRow::Same(o, n) => {
                    (Some(o), Some(n), " ", text(&new_line(n)), Style::default())
                }
                DiffRow::Removed(o) => (
                    Some(o),
                    None,
                    "-",
                    text(line(&d.old, &d.old_starts, o)),
                    theme.diff(false),
                ),
                DiffRow::Added(n) => (None, Some(n), "+", text(&new_line(n)), theme.diff(true)),
                DiffRow::Gap => return Line::styled("     ⋯", theme.dim()),
            };
            let num = |x: Option<usize>| x.map_or(String::new(), |x| (x + 1).to_string());
            let mut spans_ = vec![
                Span::styled(format!("{:>5} {:>5} ", num(o), num(n)), theme.dim()),
                Span::styled(mark, style),
            ];
            if cut_left {
                spans_.push(Span::styled("‹", theme.dim()));
            }
            spans_.extend(spans(vec![(style, body)], cw.saturating_sub(2)));
            if more {
                spans_.push(Span::styled("›", theme.dim()));
            }
            Line::from(spans_)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_s_mode_gives_way_to_the_name_with_a_mark() {
        let mode = " · secrets masked (r reveals) · holds files (⏎ expands)".to_owned();
        assert_eq!(fit_mode(mode.clone(), 120), mode, "whole where it fits");
        assert_eq!(
            fit_mode(mode.clone(), 60),
            " · secrets masked · holds files",
            "the key hints go first"
        );
        let cut = fit_mode(mode, 30);
        assert!(
            cut.ends_with('…') && cut.chars().count() <= 16,
            "then an ellipsis: {cut}"
        );
    }
}
