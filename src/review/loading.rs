//! A big file in the preview: its head is shown at once, the rest is read a step at a time
//! between keys (the event loop calls [`App::load_step`] while no key is waiting), and the
//! document becomes the whole file when the last step has checked it.

use super::action::{Action, Mode};
use super::app::{App, Pane};
use super::preview::DocSource;
use crate::artifact::Step;

/// Where the preview's load stands after [`App::load_step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    /// More to read.
    Reading,
    /// All read, its digest not in yet (the thread after the pass is still hashing): step
    /// again a little later.
    Waiting,
    /// The preview changed (the whole file is in, or reading it failed): draw it.
    Done,
}

impl App {
    /// True while the preview shows a big file's head and the rest is being read.
    pub fn loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Reads the next step of the file in the preview (a few milliseconds).
    pub fn load_step(&mut self) -> Loaded {
        self.step_loading(false)
    }

    /// Reads the rest of the file in the preview now, waiting for its digest if need be.
    pub fn finish_loading(&mut self) {
        while self.loading.is_some() {
            self.step_loading(true);
        }
    }

    fn step_loading(&mut self, wait: bool) -> Loaded {
        let Some(mut loading) = self.loading.take() else {
            return Loaded::Done;
        };
        // The load belongs to the document it started with; any other one ends it.
        let Some((node, entry)) = self.preview.as_ref().and_then(|d| match d.source {
            DocSource::Head { entry, .. } if entry == loading.index() => Some((d.node, entry)),
            _ => None,
        }) else {
            return Loaded::Done;
        };
        let source = match self.artifact.load_step(&mut loading, wait) {
            Ok(Step::Reading) => {
                self.loading = Some(loading);
                return Loaded::Reading;
            }
            Ok(Step::Waiting) => {
                self.loading = Some(loading);
                return Loaded::Waiting;
            }
            // The whole is in the artifact's cache now: the document reads it from there.
            Ok(Step::Done(_)) => DocSource::Entry(entry),
            Err(e) => DocSource::Note(super::navigate::unreadable(&e)),
        };
        let mut doc = self.doc_over(node, source);
        if let Some(head) = self.preview.take() {
            // The reviewer's place in the head stays; a finding's line past the head is
            // scrolled to now that it is there.
            (doc.focus, doc.scroll_y, doc.scroll_x) = (head.focus, head.scroll_y, head.scroll_x);
            if doc.focus.is_some_and(|f| f + 1 >= head.line_count()) {
                doc.scroll_to_focus(self.preview_height(), self.hex_row());
            }
        }
        self.preview = Some(doc);
        Loaded::Done
    }

    /// True when `a` scrolls the document or changes how it is shown: it needs all of it.
    pub(super) fn works_on_document(&self, a: Action) -> bool {
        if self.mode != Mode::Browse {
            return false;
        }
        match a {
            Action::ToggleDiff | Action::ToggleHex | Action::Reveal => true,
            Action::Wheel { column, row, .. } => {
                let r = self.regions();
                let pos = ratatui::layout::Position::new(column, row);
                !r.tree.contains(pos) && !r.findings.contains(pos)
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Open
            | Action::Close => self.focus == Pane::Preview,
            _ => false,
        }
    }
}
