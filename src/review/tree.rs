//! The pure tree model behind the review screen: folders, files, removed entries, and the
//! virtual folders of what a source map embeds or a nested archive holds, with sizes, diff
//! status and severities.
//!
//! Nodes are stored in one `Vec` with parents before their children, so every bottom-up pass
//! (sizes, severities, filters) is a single reverse sweep. The reviewer's view of it (expanded
//! folders, visible rows) is [`super::tree_view::TreeView`].
//!
//! A node keeps only its own name; its path is made from its parents when asked for
//! ([`Tree::path`]), and folders are found by (parent, name). Keeping every full path (and
//! indexing every prefix) made a hostile path of depth d cost d² bytes: one 32 MB name of
//! `a/a/a/…` would have asked for terabytes.

use std::collections::HashSet;

use hashbrown::{Equivalent, HashMap};
use std::ops::Range;
use std::sync::Arc;

use crate::artifact::{Artifact, EntryKind};
use crate::diff::Diff;
use crate::rules::{Facts, Finding, Severity};

use super::nested;
use crate::detect::sourcemap;

/// Index of a node in [`Tree::nodes`].
pub type NodeId = u32;

/// What a node stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A folder (real, or virtual inside a source map).
    Dir,
    /// An installed entry of the artifact, by its index.
    Entry(u32),
    /// An entry of the baseline that this release no longer ships.
    Removed,
    /// A file inside an entry: a source embedded in a source map, or an entry of a nested
    /// archive.
    Inner {
        /// The containing entry's index.
        container: u32,
        /// The file's bytes, or where to decode them from.
        content: InnerContent,
    },
}

/// The content of a file inside an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InnerContent {
    /// The bytes themselves (an entry of a nested archive).
    Bytes(Arc<[u8]>),
    /// A source a map embeds: the JSON-escaped string at `span` in the map entry's bytes,
    /// which are read again (through the artifact's small cache) and decoded only when the
    /// source is opened, so the tree holds no map at all.
    Escaped {
        /// The map's entry index in the artifact.
        map: u32,
        /// The string body (between the quotes) inside the map's bytes.
        span: Range<usize>,
    },
}

impl InnerContent {
    /// The file's bytes, decoded if need be; an error when the map cannot be read again.
    pub fn bytes(&self, artifact: &Artifact) -> anyhow::Result<Arc<[u8]>> {
        match self {
            InnerContent::Bytes(b) => Ok(Arc::clone(b)),
            InnerContent::Escaped { map, span } => {
                let map = artifact.content_shared(*map)?;
                Ok(Arc::from(
                    crate::detect::text::json_unescape(map.get(span.clone()).unwrap_or_default())
                        .into_bytes(),
                ))
            }
        }
    }
}

/// The folders and file of a path inside an entry, as the tree shows them: split at `/`,
/// empty and `.` parts dropped, and `..` kept on the folder it leads to (`../src/a.ts` is
/// `../src/` then `a.ts`), so that a map's sources are named exactly as findings name them
/// (`dist/cli.js.map ▸ ../src/auth/token.ts`) and `../src/` never merges with a `src/` of the
/// same map.
fn inner_parts(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut up = String::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => up.push_str("../"),
            p => parts.push(std::mem::take(&mut up) + p),
        }
    }
    if !up.is_empty() {
        parts.push(up.trim_end_matches('/').to_owned());
    }
    parts
}

/// Diff status against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Same as the baseline, or no baseline.
    Same,
    /// New in this release.
    Added,
    /// Different content, kind or mode.
    Changed,
    /// Shipped by the baseline, not by this release.
    Removed,
}

/// One row of the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// The last path component (raw; sanitise before drawing). Inside an entry, one part of
    /// the inner path as [`inner_parts`] splits it (`../src` is one part).
    pub name: String,
    /// For the files inside an entry and their folders (virtual rows: a map's sources, a
    /// nested archive's entries), the entry's node. Their path is [`Tree::inner_path`].
    pub inner: Option<NodeId>,
    /// The parent folder (`None` for the root).
    pub parent: Option<NodeId>,
    /// Children, largest first (sorted once when the tree is built).
    pub children: Vec<NodeId>,
    /// The same children, folders first, then by name.
    pub children_by_name: Vec<NodeId>,
    /// The name in lower case, for the filter.
    pub lower: String,
    /// Bytes: the file's size, or the sum over a folder.
    pub size: u64,
    /// What it is.
    pub kind: NodeKind,
    /// Diff status of the node itself.
    pub status: Status,
    /// What the change column shows. A file's own status; a folder's sums up what it holds,
    /// so that nothing changed is hidden in a collapsed folder: `+` when everything inside is
    /// new (the folder itself is), `-` when everything inside is gone, `~` when anything else
    /// inside was added, changed or removed (a mix), blank when nothing inside changed.
    pub mark: Status,
    /// The worst finding on this node itself.
    pub own_severity: Option<Severity>,
    /// The worst finding on this node or below it.
    pub severity: Option<Severity>,
    /// Depth below the root (root = 0), saturating.
    pub depth: u16,
}

/// A child of a node by its name: the key of [`Tree::children`].
type ChildKey = (NodeId, Box<str>);

/// A borrowed [`ChildKey`] for lookups that allocate nothing; hashes as the owned tuple does.
#[derive(Hash)]
struct ChildRef<'a>(NodeId, &'a str);

impl Equivalent<ChildKey> for ChildRef<'_> {
    fn equivalent(&self, key: &ChildKey) -> bool {
        self.0 == key.0 && *self.1 == *key.1
    }
}

/// The whole tree of one artifact.
#[derive(Debug, Clone)]
pub struct Tree {
    /// All nodes; `nodes[0]` is the root; parents come before children.
    pub nodes: Vec<Node>,
    /// Every node but the root by (parent, name): real folders and files, and the files and
    /// folders inside an entry below the entry's node. A name never holds the whole path, so
    /// a real file named like `x.map ▸ y` can never pose as an embedded source.
    children: HashMap<ChildKey, NodeId, Hasher>,
    by_entry: HashMap<u32, NodeId, Hasher>,
    /// The folder the last inserted path went into (its path and node): a listing's files
    /// come folder by folder, so most inserts find their folder without a walk.
    last_dir: (String, NodeId),
}

/// A fast seeded hasher for the path indexes: SipHash showed up in building the tree of
/// 100,000 files, and a random seed still keeps hostile names from colliding by design.
type Hasher = foldhash::quality::RandomState;

impl Tree {
    /// A tree with only its root, named `title`.
    fn empty(title: String) -> Self {
        Tree {
            nodes: vec![Node {
                name: title,
                inner: None,
                parent: None,
                children: Vec::new(),
                children_by_name: Vec::new(),
                lower: String::new(),
                size: 0,
                kind: NodeKind::Dir,
                status: Status::Same,
                mark: Status::Same,
                own_severity: None,
                severity: None,
                depth: 0,
            }],
            children: HashMap::default(),
            by_entry: HashMap::default(),
            last_dir: (String::new(), 0),
        }
    }

    /// Builds the tree of installed entries, removed baseline entries, and embedded sources.
    pub fn build(
        artifact: &Artifact,
        diff: Option<&Diff>,
        findings: &[Finding],
        facts: &Facts,
    ) -> Self {
        let mut t = Tree::empty(artifact.title());
        let set = |f: fn(&Diff) -> &Vec<crate::diff::EntryChange>| -> HashSet<&str> {
            diff.map(|d| f(d).iter().map(|c| c.path.as_str()).collect())
                .unwrap_or_default()
        };
        let (added, changed) = (set(|d| &d.added), set(|d| &d.changed));
        t.nodes.reserve(artifact.entries.len());
        t.children.reserve(artifact.entries.len());
        t.by_entry.reserve(artifact.entries.len());
        // What the nested archives opened below may still unpack to, all of them together.
        let mut nested_budget = nested::MAX_NESTED as u64;
        for e in artifact.installed() {
            let status = if added.contains(e.path.as_str()) {
                Status::Added
            } else if changed.contains(e.path.as_str()) {
                Status::Changed
            } else {
                Status::Same
            };
            let kind = if e.kind == EntryKind::Dir {
                NodeKind::Dir
            } else {
                NodeKind::Entry(e.index)
            };
            let id = t.insert(&e.path, &kind, e.size, status);
            t.by_entry.insert(e.index, id);
            // Only the entries the rules read as maps or archives are opened here, so building
            // stays linear in their size and the tree agrees with the findings.
            if e.is_file() && facts.source_maps.contains(&e.index) {
                // The rules' reading, recorded as the map streamed past: names normalised as
                // findings name them (`../src/a.ts` stays so), so `locate` finds a finding's
                // source by its exact path and a reviewer reads the same name in both panes.
                if let Some(sources) = facts.embedded.get(&e.index) {
                    let files = sources
                        .iter()
                        .map(|s| {
                            let content = InnerContent::Escaped {
                                map: e.index,
                                span: s.span.clone(),
                            };
                            (s.name.clone(), s.bytes, content)
                        })
                        .collect();
                    t.add_inner(id, e.index, files);
                }
            } else if e.is_file()
                && facts.nested_archives.contains(&e.index)
                && let Ok(bytes) = artifact.content(e.index)
            {
                let files = nested::files(&e.path, &bytes, &mut nested_budget)
                    .into_iter()
                    .map(|(path, b)| (path, b.len() as u64, InnerContent::Bytes(b)))
                    .collect();
                t.add_inner(id, e.index, files);
            }
        }
        for r in diff.map(|d| d.removed.as_slice()).unwrap_or_default() {
            t.insert(
                &r.path,
                &NodeKind::Removed,
                r.old_size.unwrap_or(0),
                Status::Removed,
            );
        }
        for f in findings {
            if let Some(id) = t.locate(f) {
                let n = &mut t.nodes[id as usize];
                n.own_severity = n.own_severity.max(Some(f.severity));
            }
        }
        t.sum_up();
        t.sort_children();
        t
    }

    /// Sorts every child list once for both orders, so no keystroke ever sorts.
    fn sort_children(&mut self) {
        for i in 0..self.nodes.len() {
            let mut kids = std::mem::take(&mut self.nodes[i].children);
            let nodes = &self.nodes;
            kids.sort_by(|a, b| {
                let (a, b) = (&nodes[*a as usize], &nodes[*b as usize]);
                b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name))
            });
            let mut by_name = kids.clone();
            by_name.sort_by(|a, b| {
                let (a, b) = (&nodes[*a as usize], &nodes[*b as usize]);
                let (da, db) = (a.kind == NodeKind::Dir, b.kind == NodeKind::Dir);
                db.cmp(&da).then_with(|| a.name.cmp(&b.name))
            });
            self.nodes[i].children = kids;
            self.nodes[i].children_by_name = by_name;
        }
    }

    /// Inserts a path below the root, creating folders on the way; returns the leaf.
    ///
    /// The leaf's folder is most often the one the last path went into (one string
    /// comparison); otherwise it is walked to from the root by (parent, name), one lookup per
    /// part and no allocation for folders that exist. Work and memory are linear in the
    /// path's length whatever its depth.
    fn insert(&mut self, path: &str, kind: &NodeKind, size: u64, status: Status) -> NodeId {
        let plain = !path.is_empty()
            && !path.starts_with('/')
            && !path.ends_with('/')
            && !path.contains("//");
        if !plain {
            let joined: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
            if joined.is_empty() {
                return 0;
            }
            return self.insert(&joined.join("/"), kind, size, status);
        }
        let (dir, leaf) = match memchr::memrchr(b'/', path.as_bytes()) {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        let parent = if dir == self.last_dir.0 {
            self.last_dir.1
        } else {
            // Removed entries come last, so a folder first made for one holds only removed
            // entries: it was removed too.
            let st = if status == Status::Removed {
                Status::Removed
            } else {
                Status::Same
            };
            let mut at = 0;
            for part in dir.split('/').filter(|p| !p.is_empty()) {
                at = match self.child(at, part) {
                    Some(id) => id,
                    None => self.push(at, part.to_owned(), None, NodeKind::Dir, 0, st),
                };
            }
            self.last_dir = (dir.to_owned(), at);
            at
        };
        if let Some(id) = self.child(parent, leaf) {
            let n = &mut self.nodes[id as usize];
            if *kind != NodeKind::Dir {
                (n.kind, n.size, n.status) = (kind.clone(), size, status);
            }
            return id;
        }
        self.push(parent, leaf.to_owned(), None, kind.clone(), size, status)
    }

    /// The child of `parent` named `name`.
    fn child(&self, parent: NodeId, name: &str) -> Option<NodeId> {
        self.children.get(&ChildRef(parent, name)).copied()
    }

    /// Adds a node named `name` below `parent` (indexed by that pair).
    fn push(
        &mut self,
        parent: NodeId,
        name: String,
        inner: Option<NodeId>,
        kind: NodeKind,
        size: u64,
        status: Status,
    ) -> NodeId {
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NodeId::MAX);
        let depth = self.nodes[parent as usize].depth.saturating_add(1);
        self.children
            .insert((parent, name.clone().into_boxed_str()), id);
        self.nodes.push(Node {
            lower: name.to_lowercase(),
            name,
            inner,
            parent: Some(parent),
            children: Vec::new(),
            children_by_name: Vec::new(),
            size,
            kind,
            status,
            mark: status,
            own_severity: None,
            severity: None,
            depth,
        });
        self.nodes[parent as usize].children.push(id);
        id
    }

    /// Adds the virtual folder of the files inside an entry (a map's embedded sources, a nested
    /// archive's entries) below the entry's node.
    fn add_inner(&mut self, node: NodeId, container: u32, files: Vec<(String, u64, InnerContent)>) {
        for (path, file_size, content) in files {
            let mut parent = node;
            let parts = inner_parts(&path);
            for (i, part) in parts.iter().enumerate() {
                let last = i + 1 == parts.len();
                if !last && let Some(id) = self.child(parent, part) {
                    parent = id;
                    continue;
                }
                let (kind, size) = if last {
                    let content = content.clone();
                    (NodeKind::Inner { container, content }, file_size)
                } else {
                    (NodeKind::Dir, 0)
                };
                parent = self.push(parent, part.clone(), Some(node), kind, size, Status::Same);
            }
        }
    }

    /// Sizes of folders (removed and embedded nodes do not count: they do not ship as such),
    /// worst severities and change marks, in one reverse sweep.
    fn sum_up(&mut self) {
        // The statuses of the files below each node, one bit each.
        let bit = |s: Status| match s {
            Status::Same => 1u8,
            Status::Added => 2,
            Status::Changed => 4,
            Status::Removed => 8,
        };
        let mut held = vec![0u8; self.nodes.len()];
        for i in (1..self.nodes.len()).rev() {
            let n = &self.nodes[i];
            let sev = n.own_severity.max(n.severity);
            // A folder (real or virtual) holds its files' statuses; a file, a map included,
            // is its own.
            let bits = if n.kind == NodeKind::Dir && held[i] != 0 {
                held[i]
            } else {
                bit(n.status)
            };
            let mark = if n.kind != NodeKind::Dir {
                n.status
            } else if bits == bit(Status::Added) {
                Status::Added
            } else if bits == bit(Status::Removed) {
                Status::Removed
            } else if bits & !bit(Status::Same) != 0 {
                Status::Changed
            } else {
                Status::Same
            };
            let counts = n.kind != NodeKind::Removed;
            let (parent, size) = (n.parent, n.size);
            self.nodes[i].severity = sev;
            self.nodes[i].mark = mark;
            if let Some(p) = parent {
                held[p as usize] |= bits;
                let p = &mut self.nodes[p as usize];
                if counts && p.kind == NodeKind::Dir {
                    p.size += size;
                }
                p.severity = p.severity.max(sev);
            }
        }
        let root = &mut self.nodes[0];
        root.severity = root.severity.max(root.own_severity);
    }

    /// The node a finding points at: the embedded source or folder named by `inner` when
    /// there is one, else the entry, else the path.
    pub fn locate(&self, f: &Finding) -> Option<NodeId> {
        let loc = &f.location;
        // A folder's finding names it with a trailing `/` (`new-top-level-folder`).
        let base = loc
            .entry
            .and_then(|e| self.by_entry.get(&e).copied())
            .or_else(|| self.node_at(&loc.path))
            .or_else(|| self.node_at(loc.path.trim_end_matches('/')))?;
        if let Some(inner) = &loc.inner {
            let clean = sourcemap::tree_path(&sourcemap::normalize(inner));
            let found = self
                .inner_node(base, inner)
                .or_else(|| self.inner_node(base, &sourcemap::normalize(inner)))
                // A name that is only the tail of a tree path (written by hand in a policy or
                // a test): take the shortest inner path ending with it.
                .or_else(|| {
                    let tail = format!("/{clean}");
                    (0..self.nodes.len() as NodeId)
                        .filter(|&id| self.nodes[id as usize].inner == Some(base))
                        .filter_map(|id| Some((self.inner_path(id)?, id)))
                        .filter(|(p, _)| p.ends_with(&tail))
                        .min_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)))
                        .map(|(_, id)| id)
                });
            return Some(found.unwrap_or(base));
        }
        Some(base)
    }

    /// The node of an installed entry.
    pub fn node_of_entry(&self, entry: u32) -> Option<NodeId> {
        self.by_entry.get(&entry).copied()
    }

    /// The node at an install path (a real file or folder, never one inside an entry).
    pub fn node_at(&self, path: &str) -> Option<NodeId> {
        if path.is_empty() {
            return None;
        }
        path.split('/').try_fold(0, |at, part| {
            self.child(at, part)
                .filter(|&id| self.nodes[id as usize].inner.is_none())
        })
    }

    /// The node of a file or folder inside the entry at `node` (a map's source, an archive's
    /// entry), by its inner path split as the tree splits it.
    pub fn inner_node(&self, node: NodeId, inner: &str) -> Option<NodeId> {
        let parts = inner_parts(inner);
        if parts.is_empty() {
            return None;
        }
        parts.iter().try_fold(node, |at, part| self.child(at, part))
    }

    /// The install path of a node; inside an entry, `entry path ▸ inner path`. Made from the
    /// names up to the root, so it costs the path's length.
    pub fn path(&self, id: NodeId) -> String {
        let n = &self.nodes[id as usize];
        if let (Some(container), Some(inner)) = (n.inner, self.inner_path(id)) {
            return format!("{} ▸ {inner}", self.path(container));
        }
        self.join_up(id, 0)
    }

    /// The path inside the entry of a virtual row (a map's source as findings name it,
    /// `../src/a.ts`; a nested archive's entry); `None` for real rows.
    pub fn inner_path(&self, id: NodeId) -> Option<String> {
        let container = self.nodes[id as usize].inner?;
        Some(self.join_up(id, container))
    }

    /// The names from below `top` down to `id`, joined with `/`.
    fn join_up(&self, id: NodeId, top: NodeId) -> String {
        let mut names = Vec::new();
        let mut at = id;
        while at != top && at != 0 {
            let n = &self.nodes[at as usize];
            names.push(n.name.as_str());
            match n.parent {
                Some(p) => at = p,
                None => break,
            }
        }
        names.reverse();
        names.join("/")
    }

    /// The node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// True for folders and for maps with embedded sources: nodes that expand.
    pub fn expandable(&self, id: NodeId) -> bool {
        !self.nodes[id as usize].children.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(t: &Tree) -> Vec<(String, &str, Option<NodeId>)> {
        t.nodes
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, n)| (t.path(i as NodeId), n.name.as_str(), n.parent))
            .collect()
    }

    fn owned<'a>(
        want: &[(&str, &'a str, Option<NodeId>)],
    ) -> Vec<(String, &'a str, Option<NodeId>)> {
        want.iter().map(|&(p, n, i)| (p.to_owned(), n, i)).collect()
    }

    #[test]
    fn insert_makes_each_folder_once_and_reuses_the_deepest() {
        let mut t = Tree::empty("p".into());
        let file = NodeKind::Entry(0);
        let a = t.insert("lib/x/a.js", &file, 3, Status::Same);
        let b = t.insert("lib/x/b.js", &file, 4, Status::Added);
        let c = t.insert("lib/c.js", &file, 5, Status::Same);
        assert_eq!(
            paths(&t),
            owned(&[
                ("lib", "lib", Some(0)),
                ("lib/x", "x", Some(1)),
                ("lib/x/a.js", "a.js", Some(2)),
                ("lib/x/b.js", "b.js", Some(2)),
                ("lib/c.js", "c.js", Some(1)),
            ])
        );
        assert_eq!((a, b, c), (3, 4, 5));
        assert_eq!(t.node(1).depth, 1);
        assert_eq!(t.node(4).depth, 3);
        // A later copy of a file updates its node; a folder entry after its files adds nothing.
        assert_eq!(
            t.insert("lib/x/a.js", &NodeKind::Entry(7), 9, Status::Changed),
            a
        );
        assert_eq!(t.node(a).kind, NodeKind::Entry(7));
        assert_eq!((t.node(a).size, t.node(a).status), (9, Status::Changed));
        assert_eq!(t.insert("lib/x", &NodeKind::Dir, 0, Status::Same), 2);
        assert_eq!(t.nodes.len(), 6);
        // Odd spellings land on the same nodes.
        assert_eq!(t.insert("lib//x/b.js", &file, 4, Status::Added), b);
        assert_eq!(t.insert("/lib/c.js/", &file, 5, Status::Same), c);
        assert_eq!(
            t.insert("//", &file, 0, Status::Same),
            0,
            "nothing left: the root"
        );
        assert_eq!(t.nodes.len(), 6);
    }

    #[test]
    fn a_folder_s_mark_sums_up_what_it_holds() {
        let mut t = Tree::empty("p".into());
        let file = NodeKind::Entry(0);
        t.insert("same/a.js", &file, 1, Status::Same);
        t.insert("new/deep/a.js", &file, 1, Status::Added);
        t.insert("new/b.js", &file, 1, Status::Added);
        t.insert("mixed/deep/bin", &file, 1, Status::Changed);
        t.insert("mixed/c.js", &file, 1, Status::Same);
        t.insert("grew/c.js", &file, 1, Status::Same);
        t.insert("grew/d.js", &file, 1, Status::Added);
        t.insert("gone/e.js", &NodeKind::Removed, 1, Status::Removed);
        t.insert("shrank/f.js", &file, 1, Status::Same);
        t.insert("shrank/g.js", &NodeKind::Removed, 1, Status::Removed);
        t.sum_up();
        let mark = |p: &str| t.node(t.node_at(p).expect("in the tree")).mark;
        assert_eq!(mark("same"), Status::Same, "nothing inside changed");
        assert_eq!(mark("new"), Status::Added, "everything inside is new");
        assert_eq!(mark("new/deep"), Status::Added);
        assert_eq!(mark("mixed"), Status::Changed, "a changed file deep inside");
        assert_eq!(mark("mixed/deep"), Status::Changed);
        assert_eq!(mark("grew"), Status::Changed, "a new file in an old folder");
        assert_eq!(mark("gone"), Status::Removed, "everything inside is gone");
        assert_eq!(
            mark("shrank"),
            Status::Changed,
            "a file gone from an old folder"
        );
        assert_eq!(mark("grew/d.js"), Status::Added, "a file is itself");
    }

    #[test]
    fn folders_made_for_removed_entries_are_removed() {
        let mut t = Tree::empty("p".into());
        t.insert("lib/a.js", &NodeKind::Entry(0), 1, Status::Same);
        let gone = t.insert("old/deep/b.js", &NodeKind::Removed, 1, Status::Removed);
        let kept = t.insert("lib/old.js", &NodeKind::Removed, 1, Status::Removed);
        assert_eq!(
            t.node(t.node_at("old/deep").expect("made")).status,
            Status::Removed
        );
        assert_eq!(t.node(gone).status, Status::Removed);
        assert_eq!(t.node(1).status, Status::Same, "lib/ still ships");
        assert_eq!(t.node(kept).parent, Some(1));
    }

    #[test]
    fn a_map_found_by_its_content_opens_like_a_named_one() {
        let map = br#"{"version":3,"sources":["src/a.ts"],"sourcesContent":["export const a = 1;\n"],"mappings":"AAAA"}"#;
        let a = crate::rules::test_support::artifact_of(&[
            ("package/package.json", br#"{"name":"p","version":"1.0.0"}"#),
            ("package/dist/debug.json", map),
        ]);
        let unscanned = Tree::build(&a, None, &[], &crate::rules::Facts::default());
        let node = unscanned.node_at("dist/debug.json").expect("listed");
        assert!(
            !unscanned.expandable(node),
            "before the rules ran, nothing is opened"
        );
        let evaluation = crate::rules::evaluate(&a, None);
        let findings = &evaluation.findings;
        assert!(
            findings
                .iter()
                .any(|f| f.rule == "sourcemap-embedded-sources"),
            "the rules find the map by its content: {findings:?}"
        );
        let t = Tree::build(&a, None, findings, &evaluation.facts);
        let node = t.node_at("dist/debug.json").expect("listed");
        assert!(t.expandable(node), "it opens once the rules have found it");
        assert!(t.inner_node(node, "src/a.ts").is_some());
    }

    /// A tree holding one file `depth` folders deep, and one embedded source as deep inside
    /// it; with the time it took to build (best of three).
    fn deep_tree(depth: usize) -> (Tree, std::time::Duration) {
        let path = format!("{}f.js", "a/".repeat(depth));
        let inner = format!("{}s.ts", "../".repeat(depth / 2) + &"b/".repeat(depth));
        let mut best = std::time::Duration::MAX;
        let mut tree = None;
        for _ in 0..3 {
            let start = std::time::Instant::now();
            let mut t = Tree::empty("p".into());
            let id = t.insert(&path, &NodeKind::Entry(0), 1, Status::Same);
            let content = InnerContent::Bytes(Arc::from(&b"x"[..]));
            t.add_inner(id, 0, vec![(inner.clone(), 1, content)]);
            t.insert(
                &format!("{}g.js", "a/".repeat(depth)),
                &NodeKind::Entry(1),
                1,
                Status::Same,
            );
            t.sum_up();
            best = best.min(start.elapsed());
            tree = Some(t);
        }
        (tree.expect("built"), best)
    }

    #[test]
    fn a_deep_path_costs_its_length_not_its_square() {
        let (small, t1) = deep_tree(5_000);
        let (large, t4) = deep_tree(20_000);
        // What the tree holds is linear in the paths: each node keeps its own name only.
        let held =
            |t: &Tree| -> usize { t.nodes.iter().map(|n| n.name.len() + n.lower.len()).sum() };
        assert!(
            held(&large) <= 4 * held(&small) + 64,
            "{} vs {}",
            held(&large),
            held(&small)
        );
        // The root, the folders, f.js, the source's folders (`../../…/b` is one) and itself,
        // g.js.
        assert_eq!(large.nodes.len(), 1 + 20_000 + 1 + 20_000 + 1 + 1);
        // The paths are still whole when asked for.
        let leaf = large
            .node_at(&format!("{}g.js", "a/".repeat(20_000)))
            .expect("found");
        assert_eq!(large.path(leaf).len(), 2 * 20_000 + 4);
        let file = large
            .node_at(&format!("{}f.js", "a/".repeat(20_000)))
            .expect("found");
        let inner = format!("{}s.ts", "../".repeat(10_000) + &"b/".repeat(20_000));
        let source = large.inner_node(file, &inner).expect("the deep source");
        assert_eq!(large.inner_path(source).as_deref(), Some(inner.as_str()));
        // And building it takes time linear in depth (4 for 4x; a square would be 16).
        let ratio = t4.as_secs_f64() / t1.as_secs_f64().max(1e-6);
        assert!(
            ratio < 8.0,
            "4x the depth took {ratio:.1}x the time ({t1:?} -> {t4:?})"
        );
    }

    #[test]
    fn inner_paths_keep_the_map_s_own_names() {
        let split = |p: &str| inner_parts(p);
        assert_eq!(split("../src/a.ts"), ["../src", "a.ts"]);
        assert_eq!(split("../../x//./y.ts"), ["../../x", "y.ts"]);
        assert_eq!(split("src/a.ts"), ["src", "a.ts"]);
        assert_eq!(
            split("../.."),
            ["../.."],
            "nothing after the dots: kept whole"
        );
        assert!(split("").is_empty());
    }
}
