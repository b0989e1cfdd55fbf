//! How each pane answers the keys and the mouse: moving, opening, and jumping to findings.

use super::action::Action;
use super::app::{App, Pane};
use super::preview::{Doc, DocSource, ViewMode};
use super::tree::{NodeId, NodeKind};
use crate::artifact::Progressive;

/// How far PgDn scrolls a finding's detail at most; drawing clamps it to the text's length.
const MAX_DETAIL_SCROLL: u16 = 200;

impl App {
    /// A key in the tree pane: move, expand, collapse, open.
    pub(super) fn tree_key(&mut self, a: Action) {
        let last = self.view.rows.len().saturating_sub(1);
        let page = self.tree_height();
        match a {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::Open => return self.open_selected(),
            Action::Close => {
                let Some(id) = self.selected_node() else {
                    return;
                };
                if self.view.expanded[id as usize] && self.tree.expandable(id) {
                    self.view.expanded[id as usize] = false;
                    self.view.rebuild(&self.tree);
                } else if let Some(p) = self.tree.node(id).parent.filter(|p| *p != 0)
                    && let Some(row) = self.view.rows.iter().position(|r| *r == p)
                {
                    self.selected = row;
                }
            }
            _ => return,
        }
        self.scroll_tree_into_view();
        self.peek();
    }

    /// Enter on a tree row: expand or collapse what expands, open what has content.
    fn open_selected(&mut self) {
        let Some(id) = self.selected_node() else {
            return;
        };
        if self.tree.expandable(id) && !self.view.filters.active() {
            let e = &mut self.view.expanded[id as usize];
            *e = !*e;
            self.view.rebuild(&self.tree);
        }
        if self.is_file_like(id) {
            let line = self.follow_findings(id);
            self.open_node(id, line);
            if !self.tree.expandable(id) {
                self.focus = Pane::Preview;
            }
        }
        self.scroll_tree_into_view();
    }

    /// Shows the node under the cursor without counting it as viewed.
    pub(super) fn peek(&mut self) {
        if let Some(id) = self.selected_node()
            && self.preview.as_ref().is_none_or(|d| d.node != id)
        {
            self.follow_findings(id);
            self.show(id);
        }
    }

    /// Puts node `id` in the preview: the whole of it, or a big file's head while the rest
    /// is read a step at a time ([`App::load_step`]); a load of another file stops here.
    pub(super) fn show(&mut self, id: NodeId) {
        let (doc, loading) = self.doc_for(id);
        self.preview = Some(doc);
        self.loading = loading;
    }

    /// The findings pane follows the tree: when the selected finding is not on `id` and one
    /// is, that one is selected, so its detail and why are what the reviewer reads beside the
    /// file. Returns the selected finding's line when it is on `id`.
    fn follow_findings(&mut self, id: NodeId) -> Option<u32> {
        let on_id = |k: usize| self.finding_nodes.get(k).copied().flatten() == Some(id);
        if !on_id(self.finding_selected) {
            let k = (0..self.findings.len()).find(|k| on_id(*k))?;
            self.finding_selected = k;
            self.scroll_findings_into_view();
        }
        self.findings[self.finding_selected].location.line
    }

    /// Opens a node in the preview, counts it as viewed, and scrolls to `line` (1-based).
    pub(super) fn open_node(&mut self, id: NodeId, line: Option<u32>) {
        if self.preview.as_ref().is_none_or(|d| d.node != id) {
            self.show(id);
        }
        let (height, hex_row) = (self.preview_height(), self.hex_row());
        if let Some(doc) = self.preview.as_mut() {
            doc.focus = line.map(|l| (l as usize).saturating_sub(1));
            if doc.focus.is_some() {
                if doc.binary.is_none() {
                    doc.mode = ViewMode::Text;
                }
                doc.scroll_to_focus(height, hex_row);
            }
        }
        let node = self.tree.node(id);
        match &node.kind {
            NodeKind::Entry(i) => {
                self.coverage.files_viewed.insert(*i);
            }
            // A file inside a map or archive is a file of its own; the container counts as
            // read only when its own content is shown (design §7, "coverage means reading").
            NodeKind::Inner { .. } => {
                self.coverage.embedded_viewed.insert(self.tree.path(id));
            }
            _ => {}
        }
        for (k, n) in self.finding_nodes.iter().enumerate() {
            if *n == Some(id) {
                self.coverage.findings_viewed.insert(k);
            }
        }
    }

    /// The document for node `id`, and the load of the rest of a big file shown by its head.
    fn doc_for(&self, id: NodeId) -> (Doc, Option<crate::artifact::Loading>) {
        let node = self.tree.node(id);
        let size = crate::units::size(node.size);
        let mut loading = None;
        let source = match &node.kind {
            NodeKind::Entry(i) => {
                let e = &self.artifact.entries[*i as usize];
                match (e.kind, &e.link_target) {
                    // Read now, so that a file that cannot be read again (the artifact
                    // changed on disk) says so instead of showing as empty.
                    (crate::artifact::EntryKind::File, _) => {
                        match self.artifact.content_progressive(*i) {
                            Ok(Progressive::Whole(_)) => DocSource::Entry(*i),
                            Ok(Progressive::Head(head, rest)) => {
                                loading = Some(rest);
                                DocSource::Head {
                                    entry: *i,
                                    head,
                                    total: e.size,
                                }
                            }
                            Err(e) => DocSource::Note(unreadable(&e)),
                        }
                    }
                    (kind, Some(t)) => DocSource::Note(format!(
                        "{kind:?} → {t}\n\nLinks are never followed; the installer's view is shown in the tree."
                    )),
                    (kind, None) => {
                        DocSource::Note(format!("{kind:?} entry, mode {:o}; no content", e.mode))
                    }
                }
            }
            NodeKind::Inner { content, .. } => match content.bytes(&self.artifact) {
                Ok(bytes) => DocSource::Inner(bytes),
                Err(e) => DocSource::Note(unreadable(&e)),
            },
            NodeKind::Removed => DocSource::Note(format!(
                "Removed since the baseline: this release no longer ships it (it was {size})."
            )),
            NodeKind::Dir if node.inner.is_some() => DocSource::Note(format!(
                "Folder inside a source map or nested archive: {size}.\nEnter expands it; each file opens with highlighting."
            )),
            NodeKind::Dir => DocSource::Note(format!(
                "Folder · {size} · {} entries. Enter expands or collapses it.",
                node.children.len()
            )),
        };
        (self.doc_over(id, source), loading)
    }

    /// The document for node `id` over `source`.
    pub(super) fn doc_over(&self, id: NodeId, source: DocSource) -> Doc {
        let path = self.tree.path(id);
        let syntax_path = self.tree.inner_path(id).unwrap_or_else(|| path.clone());
        Doc::new(
            &self.artifact,
            id,
            path,
            syntax_path,
            source,
            &self.findings_on(id),
        )
    }

    /// A key in the preview pane: scroll down/up and right/left.
    pub(super) fn preview_key(&mut self, a: Action) {
        let page = self.preview_height();
        let step = usize::from(self.regions().preview.width / 2).max(8);
        let hex_row = self.hex_row();
        let Some(doc) = self.preview.as_mut() else {
            return;
        };
        let last = doc.rows(hex_row).saturating_sub(1);
        match a {
            Action::Up => doc.scroll_y = doc.scroll_y.saturating_sub(1),
            Action::Down => doc.scroll_y = (doc.scroll_y + 1).min(last),
            Action::PageUp => doc.scroll_y = doc.scroll_y.saturating_sub(page),
            Action::PageDown => doc.scroll_y = (doc.scroll_y + page).min(last),
            Action::Top => doc.scroll_y = 0,
            Action::Bottom => doc.scroll_y = last.saturating_sub(page.saturating_sub(1)),
            Action::Open => doc.scroll_x = (doc.scroll_x + step).min(doc.len),
            Action::Close => doc.scroll_x = doc.scroll_x.saturating_sub(step),
            _ => {}
        }
    }

    /// A key in the findings pane: move, or jump to the finding.
    pub(super) fn findings_key(&mut self, a: Action) {
        let last = self.findings.len().saturating_sub(1);
        let page = self.findings_height();
        match a {
            Action::Up => self.finding_selected = self.finding_selected.saturating_sub(1),
            Action::Down => self.finding_selected = (self.finding_selected + 1).min(last),
            // Pages scroll the selected finding's detail (its rule's why is long); the list is
            // short and walked with the arrows.
            Action::PageUp | Action::PageDown => {
                let k = self.finding_selected;
                let at = if self.detail_scroll.0 == k {
                    self.detail_scroll.1
                } else {
                    0
                };
                let step = u16::try_from(page).unwrap_or(u16::MAX);
                let at = if a == Action::PageDown {
                    at.saturating_add(step).min(MAX_DETAIL_SCROLL)
                } else {
                    at.saturating_sub(step)
                };
                self.detail_scroll = (k, at);
            }
            Action::Top => self.finding_selected = 0,
            Action::Bottom => self.finding_selected = last,
            Action::Open => self.jump_to_finding(self.finding_selected),
            _ => {}
        }
        self.scroll_findings_into_view();
    }

    /// Selects finding `k`, reveals its node in the tree and opens it at the finding's line.
    pub fn jump_to_finding(&mut self, k: usize) {
        let Some(line) = self.findings.get(k).map(|f| f.location.line) else {
            return;
        };
        self.finding_selected = k;
        self.scroll_findings_into_view();
        self.coverage.findings_viewed.insert(k);
        let Some(id) = self.finding_nodes[k] else {
            self.status = Some("this finding concerns the whole artifact, not one file".into());
            return;
        };
        let mut row = self.view.reveal(&self.tree, id);
        if row.is_none() {
            self.view.filters = super::tree_view::Filters::default();
            row = self.view.reveal(&self.tree, id);
        }
        // A finding on a map or nested archive is about what it holds: show that too.
        if self.tree.expandable(id) && !self.view.expanded[id as usize] {
            self.view.expanded[id as usize] = true;
            self.view.rebuild(&self.tree);
        }
        if let Some(r) = row {
            self.selected = r;
            self.scroll_tree_into_view();
        }
        self.open_node(id, line);
    }

    /// `n`: the selected finding if not yet opened, else the one after it.
    pub(super) fn next_finding(&mut self) {
        if self.findings.is_empty() {
            self.status = Some("no findings".into());
            return;
        }
        let viewed = self
            .coverage
            .findings_viewed
            .contains(&self.finding_selected);
        let next = if viewed || self.preview.as_ref().is_some_and(|d| d.focus.is_some()) {
            (self.finding_selected + 1) % self.findings.len()
        } else {
            self.finding_selected
        };
        self.jump_to_finding(next);
    }

    /// The mouse wheel scrolls the pane under the pointer.
    pub(super) fn wheel(&mut self, column: u16, row: u16, delta: i8) {
        let r = self.regions();
        let pos = ratatui::layout::Position::new(column, row);
        let pane = if r.tree.contains(pos) {
            Pane::Tree
        } else if r.findings.contains(pos) {
            Pane::Findings
        } else {
            Pane::Preview
        };
        let action = if delta > 0 { Action::Down } else { Action::Up };
        for _ in 0..delta.unsigned_abs() {
            match pane {
                Pane::Tree => self.tree_key(action),
                Pane::Preview => self.preview_key(action),
                Pane::Findings => self.findings_key(action),
            }
        }
    }

    /// A click focuses a pane and selects a row; a second click on it opens it.
    pub(super) fn click(&mut self, column: u16, row: u16) {
        let r = self.regions();
        let pos = ratatui::layout::Position::new(column, row);
        let inner_row = |rect: ratatui::layout::Rect| usize::from(row.saturating_sub(rect.y + 1));
        if r.tree.contains(pos) {
            self.focus = Pane::Tree;
            let target = self.tree_offset + inner_row(r.tree);
            if row > r.tree.y && target < self.view.rows.len() {
                if target == self.selected {
                    self.open_selected();
                } else {
                    self.selected = target;
                    self.peek();
                }
            }
        } else if r.findings.contains(pos) {
            self.focus = Pane::Findings;
            let target = self.finding_offset + inner_row(r.findings);
            if row > r.findings.y && target < self.findings.len() {
                if target == self.finding_selected {
                    self.jump_to_finding(target);
                } else {
                    self.finding_selected = target;
                }
            }
        } else if r.preview.contains(pos) {
            self.focus = Pane::Preview;
        }
    }
}

/// What the preview says for a file it cannot read again.
pub(super) fn unreadable(e: &anyhow::Error) -> String {
    format!("This file could not be read again from the artifact:\n{e:#}")
}
