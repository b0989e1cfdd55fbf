//! The review screen's state and [`App::update`], the only place that state changes.
//!
//! The app is a view over `(Artifact, Findings, Baseline)` plus a little UI state: the tree
//! view, the cursor of each pane, the document in the preview and the review coverage.

use crate::artifact::Artifact;
use crate::diff::Diff;
use crate::manifest::Manifest;
use crate::rules::{Evaluation, Facts, Finding};

use super::action::{Action, Mode};
use super::coverage::Coverage;
use super::preview::Doc;
use super::signoff::{SignOff, Signing};
use super::tree::{NodeId, NodeKind, Tree};
use super::tree_view::TreeView;

/// The focused pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The file tree.
    Tree,
    /// The preview.
    Preview,
    /// The findings list.
    Findings,
}

/// The previous release the artifact is compared with.
#[derive(Debug)]
pub struct Baseline {
    /// Its manifest (what `--baseline` named, summarised).
    pub manifest: Manifest,
    /// The artifact itself, with contents, when `--baseline` named one (a manifest has no
    /// contents, so there is nothing to diff a file against).
    pub artifact: Option<Artifact>,
    /// The comparison of the baseline with this artifact.
    pub diff: Diff,
}

impl Baseline {
    /// Compares `manifest` (and its artifact, if any) with `current`.
    pub fn new(manifest: Manifest, artifact: Option<Artifact>, current: &Artifact) -> Self {
        let diff = crate::diff::diff(&manifest, &Manifest::of(current));
        Baseline {
            manifest,
            artifact,
            diff,
        }
    }
}

/// Everything the screen shows.
#[derive(Debug)]
pub struct App {
    /// The artifact under review, contents in memory.
    pub artifact: Artifact,
    /// The previous release, when given.
    pub baseline: Option<Baseline>,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// What the rules learned about entries: which are source maps and nested archives, the
    /// entries the tree opens as virtual folders.
    pub facts: Facts,
    /// The tree node each finding points at (`None` for artifact-wide findings).
    pub finding_nodes: Vec<Option<NodeId>>,
    /// The tree model.
    pub tree: Tree,
    /// Expanded folders, sort, filters and visible rows.
    pub view: TreeView,
    /// Cursor row in the tree.
    pub selected: usize,
    /// First tree row on screen.
    pub tree_offset: usize,
    /// Cursor in the findings list.
    pub finding_selected: usize,
    /// First finding on screen.
    pub finding_offset: usize,
    /// Lines of a finding's detail scrolled off the top with PgDn, and which finding that was
    /// (another finding's detail starts at its top).
    pub detail_scroll: (usize, u16),
    /// The focused pane.
    pub focus: Pane,
    /// Browsing, typing a filter, or reading the help.
    pub mode: Mode,
    /// The document in the preview.
    pub preview: Option<Doc>,
    /// The rest of a big file whose head the preview shows, read a step at a time between
    /// keys ([`App::load_step`]).
    pub loading: Option<crate::artifact::Loading>,
    /// What the reviewer has opened.
    pub coverage: Coverage,
    /// A one-line message in the footer (cleared by the next key).
    pub status: Option<String>,
    /// Terminal size (columns, rows).
    pub viewport: (u16, u16),
    /// False when `NO_COLOR` is set: styles use modifiers only.
    pub color: bool,
    /// First line of the help screen on screen.
    pub help_scroll: usize,
    /// Set by [`Action::Quit`].
    pub should_quit: bool,
    /// True while the rules are still running: the first frame is drawn before them, so the
    /// screen says "scanning" rather than "no findings".
    pub scanning: bool,
    /// What signing needs (config, manifest, policy, threshold, bundle path); `None` for a
    /// screen loaded without sign-off settings, where `S` says so.
    pub signing: Option<Signing>,
    /// The sign-off dialog, while open; drawn last, over everything.
    pub signoff: Option<SignOff>,
    /// Bundles an approval or rejection was appended to in this session.
    pub signed: Vec<std::path::PathBuf>,
}

impl App {
    /// A screen over `artifact` (opened with `Options::index`), its baseline and the rules'
    /// evaluation (empty while they run).
    pub fn new(artifact: Artifact, baseline: Option<Baseline>, evaluation: Evaluation) -> Self {
        let mut app = Self::build(artifact, baseline, evaluation);
        app.peek();
        app
    }

    /// [`App::new`] with nothing in the preview yet: the terminal draws its first frame
    /// before the selected file is read again (a 60 MB map takes a few hundred milliseconds
    /// while the seek index is still being built), then shows it with [`App::show_selected`].
    pub fn without_preview(
        artifact: Artifact,
        baseline: Option<Baseline>,
        evaluation: Evaluation,
    ) -> Self {
        Self::build(artifact, baseline, evaluation)
    }

    /// Shows the node under the cursor in the preview (see [`App::without_preview`]).
    pub fn show_selected(&mut self) {
        self.peek();
    }

    /// The artifact and baseline back, everything else (the tree) dropped here.
    pub fn into_parts(self) -> (Artifact, Option<Baseline>) {
        (self.artifact, self.baseline)
    }

    fn build(artifact: Artifact, baseline: Option<Baseline>, evaluation: Evaluation) -> Self {
        let Evaluation {
            mut findings,
            facts,
        } = evaluation;
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let tree = Tree::build(
            &artifact,
            baseline.as_ref().map(|b| &b.diff),
            &findings,
            &facts,
        );
        let finding_nodes: Vec<Option<NodeId>> = findings.iter().map(|f| tree.locate(f)).collect();
        // A finding flags the file it sits in: an entry, or a file inside one (an embedded
        // source, a nested archive's entry), which is read on its own.
        let mut coverage = Coverage {
            files_total: artifact.file_count(),
            findings_total: findings.len(),
            ..Coverage::default()
        };
        for id in finding_nodes.iter().flatten() {
            let node = tree.node(*id);
            match node.kind {
                NodeKind::Entry(i) => {
                    coverage.flagged_files.insert(i);
                }
                NodeKind::Inner { .. } => {
                    coverage.flagged_embedded.insert(tree.path(*id));
                }
                _ => {}
            }
        }
        coverage.embedded_total = tree
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Inner { .. }))
            .count();
        let view = TreeView::new(&tree);
        App {
            artifact,
            baseline,
            findings,
            facts,
            finding_nodes,
            tree,
            view,
            selected: 0,
            tree_offset: 0,
            finding_selected: 0,
            finding_offset: 0,
            detail_scroll: (0, 0),
            focus: Pane::Tree,
            mode: Mode::Browse,
            preview: None,
            loading: None,
            coverage,
            status: None,
            viewport: (80, 24),
            color: true,
            help_scroll: 0,
            should_quit: false,
            scanning: false,
            signing: None,
            signoff: None,
            signed: Vec::new(),
        }
    }

    /// The review coverage, for the approval.
    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    /// The node under the tree cursor.
    pub fn selected_node(&self) -> Option<NodeId> {
        self.view.rows.get(self.selected).copied()
    }

    /// Applies one user intent.
    pub fn update(&mut self, action: Action) {
        if !matches!(action, Action::Resize(..)) {
            self.status = None;
        }
        let (focus, reading) = (self.focus, self.selected_node());
        // What works on the document (scrolling it, its views) works on all of it.
        if self.loading.is_some() && self.works_on_document(action) {
            self.finish_loading();
        }
        self.apply(action);
        // A jump from the findings list moves the tree cursor off the file being read: say so.
        if focus == Pane::Findings
            && self.mode == Mode::Browse
            && action == Action::Open
            && self.status.is_none()
            && let Some(now) = self.selected_node()
            && reading != Some(now)
        {
            self.status = Some(format!(
                "tree cursor moved to {}",
                crate::sanitize::for_terminal(&self.tree.path(now))
            ));
        }
        // The findings pane grows while focused (see `ui::layout`): keep both cursors on screen.
        if self.focus != focus {
            self.scroll_tree_into_view();
            self.scroll_findings_into_view();
        }
    }

    fn apply(&mut self, action: Action) {
        match (self.mode, action) {
            (_, Action::Quit) => self.should_quit = true,
            (_, Action::Resize(w, h)) => {
                let hex_row = self.hex_row();
                self.viewport = (w, h);
                self.rewrap_hex(hex_row);
                self.scroll_tree_into_view();
                self.scroll_findings_into_view();
            }
            (Mode::Help, Action::Help | Action::Back) => self.mode = Mode::Browse,
            (Mode::Help, a) => self.help_key(a),
            (Mode::Filter, a) => self.filter_key(a),
            (Mode::SignOff | Mode::SignOffTyping, a) => {
                self.dialog(a);
                self.mode = self.signoff.as_ref().map_or(Mode::Browse, SignOff::mode);
            }
            (Mode::Browse, a) => {
                self.browse(a);
                if let Some(d) = &self.signoff {
                    self.mode = d.mode();
                }
            }
        }
    }

    /// Scrolls the help; it stops with its last line at the bottom of the popup.
    fn help_key(&mut self, a: Action) {
        let area = self.area();
        let page = super::widgets::help::page(area);
        let max = super::widgets::help::max_scroll(area);
        let at = self.help_scroll.min(max);
        self.help_scroll = match a {
            Action::Down => at + 1,
            Action::Up => at.saturating_sub(1),
            Action::PageDown => at + page,
            Action::PageUp => at.saturating_sub(page),
            Action::Top => 0,
            Action::Bottom => max,
            Action::Wheel { delta, .. } => at.saturating_add_signed(isize::from(delta)),
            _ => at,
        }
        .min(max);
    }

    fn filter_key(&mut self, a: Action) {
        match a {
            Action::FilterChar(c) => self.view.filters.text.push(c),
            Action::FilterBackspace => {
                self.view.filters.text.pop();
            }
            Action::FilterCancel => {
                self.view.filters.text.clear();
                self.mode = Mode::Browse;
            }
            Action::FilterDone => {
                self.mode = Mode::Browse;
                return;
            }
            _ => return,
        }
        self.refilter();
        // Typing moves the cursor to the first name that matches, not to a folder above it.
        let needle = self.view.filters.text.to_lowercase();
        if !needle.is_empty()
            && let Some(row) = {
                let name = |r: &NodeId| self.tree.node(*r).lower.as_str();
                let rows = &self.view.rows;
                rows.iter()
                    .position(|r| name(r) == needle)
                    .or_else(|| rows.iter().position(|r| name(r).contains(&needle)))
            }
        {
            self.selected = row;
            self.scroll_tree_into_view();
            self.peek();
        }
    }

    fn browse(&mut self, a: Action) {
        match a {
            Action::NextPane | Action::PrevPane => {
                let order = [Pane::Tree, Pane::Preview, Pane::Findings];
                let i = order.iter().position(|p| *p == self.focus).unwrap_or(0);
                let step = if a == Action::NextPane { 1 } else { 2 };
                self.focus = order[(i + step) % 3];
            }
            Action::StartFilter => {
                self.mode = Mode::Filter;
                self.focus = Pane::Tree;
            }
            Action::ToggleFlagged => {
                self.view.filters.only_flagged ^= true;
                self.refilter();
            }
            Action::ToggleChanged => {
                if self.baseline.is_none() {
                    self.status = Some("no baseline: run with --baseline to see changes".into());
                    return;
                }
                self.view.filters.only_changed ^= true;
                self.refilter();
            }
            Action::CycleSort => {
                self.view.sort = self.view.sort.next();
                self.refilter();
            }
            Action::ToggleDiff => self.toggle_diff(),
            Action::ToggleHex => self.toggle_hex(),
            Action::Reveal => self.reveal_secrets(),
            Action::NextFinding => self.next_finding(),
            Action::Help => {
                self.mode = Mode::Help;
                self.help_scroll = 0;
            }
            Action::Back => self.back(),
            Action::SignOff => self.open_signoff(crate::approval::ReviewResult::Approved),
            Action::Reject => self.open_signoff(crate::approval::ReviewResult::Rejected),
            Action::Wheel { column, row, delta } => self.wheel(column, row, delta),
            Action::Click { column, row } => self.click(column, row),
            _ => match self.focus {
                Pane::Tree => self.tree_key(a),
                Pane::Preview => self.preview_key(a),
                Pane::Findings => self.findings_key(a),
            },
        }
    }

    /// Rebuilds the rows after a filter or sort change, keeping the cursor on its node.
    fn refilter(&mut self) {
        let keep = self.selected_node();
        self.view.rebuild(&self.tree);
        self.selected = keep
            .and_then(|id| self.view.rows.iter().position(|r| *r == id))
            .unwrap_or(0);
        self.tree_offset = 0;
        self.scroll_tree_into_view();
        self.peek();
    }

    fn back(&mut self) {
        if let Some(doc) = self.preview.as_mut()
            && doc.mode == super::preview::ViewMode::Diff
        {
            doc.leave_diff();
        } else if self.view.filters.active() {
            // Clearing the filter shows the file under the cursor in its place in the tree.
            let keep = self.selected_node();
            self.view.filters = super::tree_view::Filters::default();
            self.refilter();
            if let Some(row) = keep.and_then(|id| self.view.reveal(&self.tree, id)) {
                self.selected = row;
                self.scroll_tree_into_view();
                self.peek();
            }
        } else if self.focus != Pane::Tree {
            self.focus = Pane::Tree;
        }
    }

    /// Findings on a node.
    pub fn findings_on(&self, id: NodeId) -> Vec<&Finding> {
        self.findings
            .iter()
            .zip(&self.finding_nodes)
            .filter(|(_, n)| **n == Some(id))
            .map(|(f, _)| f)
            .collect()
    }

    /// True for nodes whose content can be opened.
    pub fn is_file_like(&self, id: NodeId) -> bool {
        matches!(
            self.tree.node(id).kind,
            NodeKind::Entry(_) | NodeKind::Inner { .. }
        )
    }
}
