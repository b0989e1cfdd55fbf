//! The preview's view modes: hex, the diff against the baseline, and revealing masked
//! secrets for the reviewer's eyes only.

use std::sync::Arc;

use super::app::{App, Pane};
use super::diffview::DiffDoc;
use super::preview::ViewMode;
use super::tree::{NodeKind, Status};

impl App {
    /// Bytes per row of the hex view in the preview pane as it is now.
    pub fn hex_row(&self) -> usize {
        super::preview::hex_row(usize::from(self.regions().preview.width.saturating_sub(2)))
    }

    /// After a resize changed the bytes per hex row from `was`: the same bytes stay at the top.
    pub(super) fn rewrap_hex(&mut self, was: usize) {
        let now = self.hex_row();
        if let Some(doc) = self.preview.as_mut()
            && doc.mode == ViewMode::Hex
            && was != now
        {
            doc.scroll_y = doc.scroll_y * was / now;
        }
    }

    /// `x`: hex view on or off (binary files stay in hex).
    pub(super) fn toggle_hex(&mut self) {
        if let Some(doc) = self.preview.as_mut() {
            doc.mode = match doc.mode {
                ViewMode::Hex if doc.binary.is_none() => ViewMode::Text,
                ViewMode::Hex => {
                    self.status = Some("binary file: only the hex view is safe to show".into());
                    ViewMode::Hex
                }
                _ => ViewMode::Hex,
            };
            doc.scroll_y = 0;
        }
    }

    /// `r`: show or mask again the secrets of the previewed file.
    pub(super) fn reveal_secrets(&mut self) {
        let (height, hex_row) = (self.preview_height(), self.hex_row());
        match self.preview.as_mut() {
            Some(doc) if !doc.masks.is_empty() => {
                // One secret at a time, and only one on screen: the one the finding points at,
                // else the first in view.
                // Lines of the file, whatever the view mode scrolls over (diff rows, hex rows).
                let in_view = |l: usize| doc.shows_line(l, height, hex_row);
                let Some(line) = doc
                    .focus
                    .and_then(|f| doc.masks.iter().find(|m| in_view(f) && m.spans_line(f)))
                    .or_else(|| {
                        doc.masks
                            .iter()
                            .find(|m| (m.line..=m.last_line).any(&in_view))
                    })
                    .map(|m| m.line)
                else {
                    self.status = Some("no secret in view: scroll to one to reveal it".into());
                    return;
                };
                doc.revealed = if doc.revealed.is_some() {
                    None
                } else {
                    Some(line)
                };
                self.status = Some(match doc.revealed {
                    Some(l) => format!(
                        "secret on line {} revealed on this screen only; r masks it again",
                        l + 1
                    ),
                    None => "secrets masked".into(),
                });
            }
            _ => self.status = Some("nothing masked in this file".into()),
        }
    }

    /// `d`: the diff against the baseline, or why there is none.
    pub(super) fn toggle_diff(&mut self) {
        let Some(doc) = self.preview.as_ref() else {
            return;
        };
        if doc.mode == ViewMode::Diff {
            if let Some(d) = self.preview.as_mut() {
                d.leave_diff();
            }
            return;
        }
        let Some(base) = self.baseline.as_ref() else {
            self.status = Some("no baseline: run with --baseline to diff".into());
            return;
        };
        let node = self.tree.node(doc.node);
        let path = self.tree.path(doc.node);
        let diff = match (&node.kind, node.status) {
            (NodeKind::Entry(_), Status::Added) => {
                DiffDoc::note("New in this release: the baseline has no such file.")
            }
            (NodeKind::Entry(_), Status::Same) => DiffDoc::note("Unchanged since the baseline."),
            (NodeKind::Entry(_), _) => match &base.artifact {
                None => {
                    let was = base.diff.changed.iter().find(|c| c.path == path);
                    DiffDoc::note(format!(
                        "The baseline is a release manifest: it records sizes and digests, not contents, so there is nothing to diff against.\nsha256 {} → {}",
                        crate::sanitize::for_terminal(
                            was.and_then(|c| c.old_sha256.as_deref()).unwrap_or("?")
                        ),
                        crate::sanitize::for_terminal(
                            was.and_then(|c| c.new_sha256.as_deref()).unwrap_or("?")
                        ),
                    ))
                }
                Some(old) => {
                    let old_bytes = old
                        .installed()
                        .filter(|e| e.path == path && e.is_file())
                        .last()
                        .and_then(|e| old.content(e.index).ok());
                    match old_bytes {
                        _ if doc.binary.is_some() => {
                            DiffDoc::note("Binary file changed; see the hex view (x).")
                        }
                        Some(b) => {
                            DiffDoc::compute(Arc::from(b.as_ref()), &doc.bytes(&self.artifact))
                        }
                        None => DiffDoc::note("The baseline version could not be read."),
                    }
                }
            },
            _ => DiffDoc::note("Only files of this release can be diffed."),
        };
        if let Some(doc) = self.preview.as_mut() {
            doc.enter_diff(diff);
        }
        self.focus = Pane::Preview;
    }
}
