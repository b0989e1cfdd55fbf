//! What the reviewer sees of the tree: expanded folders, sort order, filters, visible rows.
//!
//! Moving the cursor never touches this; only expanding, collapsing, sorting and filtering
//! rebuild the rows, so a keystroke on a 100,000-entry tree stays cheap.

use super::tree::{NodeId, NodeKind, Status, Tree};

/// Sort order of siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Largest first (the default: size is where surprises hide).
    #[default]
    Size,
    /// Folders first, then by name.
    Name,
}

impl SortBy {
    /// The next order for `s`.
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            SortBy::Size => SortBy::Name,
            SortBy::Name => SortBy::Size,
        }
    }

    /// A word for the header.
    pub fn label(self) -> &'static str {
        match self {
            SortBy::Size => "size",
            SortBy::Name => "name",
        }
    }
}

/// Which nodes are shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Case-insensitive substring of the name; empty for none.
    pub text: String,
    /// Only nodes with a finding of their own (and their folders).
    pub only_flagged: bool,
    /// Only added, changed or removed nodes (and their folders).
    pub only_changed: bool,
}

impl Filters {
    /// True when any filter is on.
    pub fn active(&self) -> bool {
        !self.text.is_empty() || self.only_flagged || self.only_changed
    }
}

/// The visible part of a [`Tree`].
#[derive(Debug, Clone)]
pub struct TreeView {
    /// Expanded state by node.
    pub expanded: Vec<bool>,
    /// Sibling order.
    pub sort: SortBy,
    /// Active filters.
    pub filters: Filters,
    /// Visible rows, top to bottom (the root itself is not a row).
    pub rows: Vec<NodeId>,
}

impl TreeView {
    /// A view with the root open; everything is opened when the tree is small, else the
    /// folders leading to flagged nodes.
    pub fn new(tree: &Tree) -> Self {
        let mut expanded = vec![false; tree.nodes.len()];
        expanded[0] = true;
        let small = tree.nodes.len() <= 40;
        for (i, n) in tree.nodes.iter().enumerate() {
            let real_dir = n.kind == NodeKind::Dir && n.inner.is_none();
            if small && real_dir {
                expanded[i] = true;
            }
        }
        let mut flagged = 0;
        for (i, n) in tree.nodes.iter().enumerate() {
            if n.own_severity.is_some() && flagged < 50 {
                flagged += 1;
                let mut p = tree.nodes[i].parent;
                while let Some(id) = p {
                    let node = tree.node(id);
                    if node.inner.is_none() && node.kind == NodeKind::Dir {
                        expanded[id as usize] = true;
                    }
                    p = node.parent;
                }
            }
        }
        let mut v = TreeView {
            expanded,
            sort: SortBy::default(),
            filters: Filters::default(),
            rows: Vec::new(),
        };
        v.rebuild(tree);
        v
    }

    /// Recomputes the visible rows.
    pub fn rebuild(&mut self, tree: &Tree) {
        let keep = self.filters.active().then(|| self.kept(tree));
        self.rows.clear();
        let mut stack: Vec<NodeId> = Vec::new();
        self.push_children(tree, 0, keep.as_deref(), &mut stack);
        while let Some(id) = stack.pop() {
            self.rows.push(id);
            let open = keep.is_some() || self.expanded[id as usize];
            if open {
                self.push_children(tree, id, keep.as_deref(), &mut stack);
            }
        }
    }

    /// Pushes the sorted (kept) children of `id` so that the first pops first.
    fn push_children(
        &self,
        tree: &Tree,
        id: NodeId,
        keep: Option<&[bool]>,
        stack: &mut Vec<NodeId>,
    ) {
        let node = tree.node(id);
        let kids = match self.sort {
            SortBy::Size => &node.children,
            SortBy::Name => &node.children_by_name,
        };
        stack.extend(
            kids.iter()
                .rev()
                .copied()
                .filter(|c| keep.is_none_or(|k| k[*c as usize])),
        );
    }

    /// Which nodes survive the filters: matches and the folders above them.
    fn kept(&self, tree: &Tree) -> Vec<bool> {
        let needle = self.filters.text.to_lowercase();
        let mut keep = vec![false; tree.nodes.len()];
        for i in (1..tree.nodes.len()).rev() {
            let n = &tree.nodes[i];
            let hit = (needle.is_empty() || n.lower.contains(&needle))
                && (!self.filters.only_flagged || n.own_severity.is_some())
                && (!self.filters.only_changed || n.status != Status::Same);
            if hit {
                keep[i] = true;
            }
            if keep[i]
                && let Some(p) = n.parent
            {
                keep[p as usize] = true;
            }
        }
        keep
    }

    /// Opens every folder above `id` so that it becomes a row; returns its row.
    pub fn reveal(&mut self, tree: &Tree, id: NodeId) -> Option<usize> {
        let mut p = tree.node(id).parent;
        let mut changed = false;
        while let Some(pid) = p {
            changed |= !self.expanded[pid as usize];
            self.expanded[pid as usize] = true;
            p = tree.node(pid).parent;
        }
        if changed || !self.rows.contains(&id) {
            self.rebuild(tree);
        }
        self.rows.iter().position(|r| *r == id)
    }
}
