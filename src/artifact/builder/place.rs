//! Where an entry installs: the install path the installer computes from the stored name
//! (node-tar's `strip: 1` for npm, the single root for sdists and crates, the name itself for
//! zips), whether it writes the entry at all, and every anomaly of the name and the kind.

use super::{
    AnomalyKind, Builder, EntryKind, Layout, OpenError, RawEntry, bytes_for_terminal, decode,
    for_terminal, masked, normalize,
};
use crate::artifact::path::{Normalized, npm_climbs, npm_strip_absolute};

/// node-tar's default `maxDepth`: a deeper name is not extracted.
const NPM_MAX_DEPTH: usize = 1024;

impl Builder<'_> {
    /// The common case, checked in one cheap pass: a printable-ASCII file or folder name under
    /// the known root whose other components are all plain (none empty, `.` or `..`) and not
    /// too deep. For it [`Self::place`] would find no anomaly and install the rest as it is.
    pub(super) fn plain_path<'n>(&self, raw: &RawEntry<'n>) -> Option<&'n str> {
        let Some(Some(root)) = &self.root else {
            return None;
        };
        let name = raw.name;
        let plain = self.layout == Layout::StripRoot
            && matches!(raw.kind, EntryKind::File | EntryKind::Dir)
            && !root.is_empty()
            && name.iter().all(|b| (0x20..0x7f).contains(b))
            && !(name.len() >= 2 && name[1] == b':' && name[0].is_ascii_alphabetic());
        if !plain {
            return None;
        }
        let rest = name.strip_prefix(root.as_bytes())?.strip_prefix(b"/")?;
        // node-tar strips a drive letter after the root and splits on `\` for `..`.
        if rest.get(1) == Some(&b':') || rest.contains(&b'\\') {
            return None;
        }
        let mut depth = 1;
        for part in rest.split(|&b| b == b'/') {
            if part.is_empty() || part == b"." || part == b".." {
                return None;
            }
            depth += 1;
        }
        if depth > self.opts.limits.max_depth {
            return None;
        }
        std::str::from_utf8(rest).ok()
    }

    /// Refuses past the hard entry limit; notes the soft one.
    pub(super) fn count_entry(&mut self, index: u32) -> anyhow::Result<()> {
        if self.entries.len() >= self.opts.limits.hard_max_entries {
            return Err(OpenError::TooManyEntries {
                limit: self.opts.limits.hard_max_entries,
            }
            .into());
        }
        if self.entries.len() == self.opts.limits.max_entries {
            let limit = self.opts.limits.max_entries;
            self.anomaly(
                AnomalyKind::TooManyEntries,
                Some(index),
                format!("more than {limit} entries"),
            );
        }
        Ok(())
    }

    /// The general case: where the installer writes `raw` and whether it does, with every
    /// anomaly of the name and kind recorded. `None` for the package root folder itself.
    pub(super) fn place(
        &mut self,
        raw: &RawEntry<'_>,
        index: u32,
    ) -> anyhow::Result<Option<(String, bool)>> {
        let norm = normalize(raw.name, self.layout, self.opts.limits.max_depth);
        let shown = || bytes_for_terminal(raw.name);
        // node-tar (strip: 1) splits the name as stored on '/' and drops the first piece,
        // whatever it is: `package`, `.`, `..`, or the empty piece before a leading '/'.
        // Only then does it look for '..' and strip what is left of an absolute path. The
        // install path is the rest, normalised; the whole name still yields the anomalies.
        let split_text: Option<(String, Option<String>)> =
            (self.layout == Layout::StripRoot).then(|| {
                let text = String::from(decode(raw.name));
                match text.split_once('/') {
                    Some((h, r)) => (h.to_owned(), Some(r.to_owned())),
                    None => (text, None),
                }
            });
        // node-tar then strips what is left of a root, Windows style (`c:`, `C:/`, `//?/C:/`,
        // `\\srv\share\`), refuses a `..` split on `/` or `\`, and skips a name more than
        // 1024 components deep.
        let mut stripped_root = String::new();
        let mut npm_climbs_out = false;
        let mut npm_too_deep = false;
        let split = split_text.as_ref().map(|(head, rest)| {
            let rest = rest.as_deref().map(|r| {
                let (root, stripped) = npm_strip_absolute(r);
                stripped_root = root;
                npm_climbs_out = npm_climbs(stripped);
                npm_too_deep = r.split('/').count() > NPM_MAX_DEPTH;
                normalize(stripped.as_bytes(), self.layout, usize::MAX)
            });
            (head, rest)
        });
        let root = match (&self.root, &split) {
            (Some(root), _) => root.clone(),
            (None, None) => None,
            (None, Some((head, rest))) => {
                let decides = rest
                    .as_ref()
                    .is_some_and(|r| !r.is_empty() || raw.kind == EntryKind::Dir);
                if decides {
                    self.root = Some(Some(String::clone(head)));
                    // Loose names seen so far are not paths of the package (see `finish`).
                    self.seen.forget(&self.rootless);
                    Some(String::clone(head))
                } else {
                    // A loose file (or an empty name) decides nothing: npm strips the first
                    // component of every name, so the root is whatever the others share.
                    self.rootless
                        .push(u32::try_from(self.entries.len()).unwrap_or(u32::MAX));
                    None
                }
            }
        };
        let mut installed = !norm.is_empty();
        let mut outside = false;
        let mut traversal = norm.anomalies.contains(&AnomalyKind::PathTraversal);
        let path = match (&root, &split) {
            (Some(r), Some((head, rest))) => {
                outside = head.as_str() != r.as_str();
                match rest.as_ref().filter(|rest| !rest.is_empty()) {
                    Some(rest) => {
                        traversal = (0..rest.len()).any(|i| rest.component(i) == Some(".."));
                        traversal |= npm_climbs_out;
                        if npm_too_deep {
                            installed = false;
                        }
                        rest.joined(0)
                    }
                    None => {
                        if !outside && raw.kind == EntryKind::Dir {
                            return Ok(None);
                        }
                        installed = false;
                        norm.joined(0)
                    }
                }
            }
            _ => norm.joined(0),
        };
        self.count_entry(index)?;
        self.name_anomalies(raw, index, &norm, &path, traversal);
        if traversal && !norm.anomalies.contains(&AnomalyKind::PathTraversal) {
            self.anomaly(
                AnomalyKind::PathTraversal,
                Some(index),
                format!(
                    "{} climbs out of the install folder with '..' between backslashes, which npm splits on",
                    shown()
                ),
            );
        }
        if !stripped_root.is_empty() && root.is_some() {
            let kind = if stripped_root.as_bytes().get(1) == Some(&b':') {
                AnomalyKind::DriveLetter
            } else {
                AnomalyKind::AbsolutePath
            };
            if !norm.anomalies.contains(&kind) {
                self.anomaly(
                    kind,
                    Some(index),
                    format!(
                        "{} holds the root '{}' after the package folder, which npm strips: it installs as {}",
                        shown(),
                        for_terminal(&stripped_root),
                        for_terminal(&path)
                    ),
                );
            }
        }
        if traversal {
            installed = false; // node-tar and pip refuse such names
        }
        if outside {
            let root = root.as_deref().map(for_terminal).unwrap_or_default();
            self.anomaly(
                AnomalyKind::OutsideRoot,
                Some(index),
                format!("{} is outside the package root '{root}/'", shown()),
            );
        }
        if !self.kind_anomalies(raw, index) {
            installed = false;
        }
        Ok(Some((path, installed)))
    }

    /// Records the anomalies of the name itself: traversal, absolute paths, drive letters,
    /// backslashes, depth, characters shown escaped.
    fn name_anomalies(
        &mut self,
        raw: &RawEntry<'_>,
        index: u32,
        norm: &Normalized,
        path: &str,
        traversal: bool,
    ) {
        let shown = || bytes_for_terminal(raw.name);
        for kind in &norm.anomalies {
            let detail = match kind {
                AnomalyKind::PathTraversal if !traversal => format!(
                    "{} starts with '..', which the installer strips with the root; it installs as {}",
                    shown(),
                    for_terminal(path)
                ),
                AnomalyKind::PathTraversal => match resolve_inside(path) {
                    // `a/../b`: node-tar refuses any `..`, but Python's tarfile (and its data
                    // filter) only refuses a name that ends up outside, so an sdist's copy
                    // lands where the name resolves.
                    Some(resolved) => format!(
                        "{} holds '..': npm refuses it, but Python's tarfile (pip unpacking an \
                         sdist) resolves it and writes {}",
                        shown(),
                        for_terminal(&resolved)
                    ),
                    None => format!("{} climbs out of the install folder with '..'", shown()),
                },
                AnomalyKind::AbsolutePath => format!("{} is an absolute path", shown()),
                AnomalyKind::DriveLetter => format!("{} starts with a drive letter", shown()),
                AnomalyKind::Backslash => format!("{} uses '\\' as a path separator", shown()),
                AnomalyKind::TooDeep => format!("{} is {} levels deep", shown(), norm.len()),
                _ => format!("name {} holds characters shown escaped", shown()),
            };
            self.anomaly(*kind, Some(index), detail);
        }
    }

    /// Records the anomalies of the entry's kind (links, devices, fifos); false when the
    /// installer does not write such an entry at all.
    fn kind_anomalies(&mut self, raw: &RawEntry<'_>, index: u32) -> bool {
        let shown = || bytes_for_terminal(raw.name);
        match raw.kind {
            EntryKind::Symlink | EntryKind::Hardlink => {
                let (kind, word) = if raw.kind == EntryKind::Symlink {
                    (AnomalyKind::Symlink, "symlink")
                } else {
                    (AnomalyKind::Hardlink, "hard link")
                };
                let target = raw
                    .link_target
                    .map(|t| masked(bytes_for_terminal(t).into_owned()))
                    .unwrap_or_default();
                self.anomaly(
                    kind,
                    Some(index),
                    format!("{} is a {word} to {target}", shown()),
                );
                true
            }
            EntryKind::Device | EntryKind::Fifo | EntryKind::Other => {
                self.anomaly(
                    AnomalyKind::SpecialFile,
                    Some(index),
                    format!("{} is a {:?} entry", shown(), raw.kind),
                );
                false
            }
            EntryKind::File | EntryKind::Dir => true,
        }
    }

    /// Records an entry whose parent path is a symlink earlier in the archive: an installer
    /// that follows links writes it wherever the link points. Remembers symlinks as they come;
    /// costs nothing while there are none.
    pub(super) fn link_traversal(&mut self, kind: EntryKind, index: u32, path: &str) {
        if !self.links.is_empty() {
            let through = path
                .match_indices('/')
                .map(|(i, _)| &path[..i])
                .find(|parent| self.links.contains(*parent));
            if let Some(link) = through {
                let how = if self.layout == Layout::AsIs {
                    "pip and Python's zipfile write a zip's link as a plain file, so nothing is \
                     written through it; unzip(1) and other extractors that make links follow it"
                } else {
                    "npm (pacote) drops links and node-tar refuses to extract through one; \
                     Python's tarfile with the data filter (sdists) and cargo's tar unpacking \
                     follow it as long as the target stays inside the destination; GNU tar \
                     and bsdtar follow it"
                };
                let detail = format!(
                    "{} is written through the symlink {} earlier in the archive: {how}",
                    for_terminal(path),
                    for_terminal(link)
                );
                self.anomaly(AnomalyKind::LinkTraversal, Some(index), detail);
            }
        }
        if kind == EntryKind::Symlink && !path.is_empty() {
            self.links.insert(path.trim_end_matches('/').to_owned());
        }
    }
}

/// Where `path` (components joined by `/`, `..` kept) lands when `..` is resolved as Python's
/// tarfile resolves it; `None` when it climbs above its start or leaves nothing.
fn resolve_inside(path: &str) -> Option<String> {
    let (resolved, climbed) = crate::artifact::path::resolve_dots(path);
    (!climbed && !resolved.is_empty()).then_some(resolved)
}

#[cfg(test)]
mod resolve_tests {
    #[test]
    fn dots_resolve_inside_or_not_at_all() {
        let r = super::resolve_inside;
        assert_eq!(r("ddd/../escape.py").as_deref(), Some("escape.py"));
        assert_eq!(r("a/b/../../c").as_deref(), Some("c"));
        assert_eq!(r("../escape.py"), None);
        assert_eq!(r("a/../../up.py"), None);
        assert_eq!(r("a/.."), None);
    }
}
