//! What changed between two releases: entries and package metadata.
//!
//! Both sides are [`Manifest`]s (an artifact is summarised into one), so a team can compare a
//! new artifact with only the manifest of the last release. Entries are matched by install
//! path; directories are left out because tarballs list them inconsistently.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::artifact::{Entry, EntryKind, PackageMeta};
use crate::manifest::{ArtifactSummary, Manifest};

/// A release compared with its baseline, computed once by the inputs step and read by every
/// rule that looks back (new dependency, size anomaly, new file type, …) and by every output.
#[derive(Debug, Clone, Copy)]
pub struct Comparison<'a> {
    /// The previous release.
    pub base: &'a Manifest,
    /// This release, summarised.
    pub current: &'a Manifest,
    /// What changed between the two.
    pub diff: &'a Diff,
}

impl<'a> Comparison<'a> {
    /// The comparison of `current` with `base`, when there is a baseline (and so a diff).
    pub fn of(
        base: Option<&'a Manifest>,
        current: &'a Manifest,
        diff: Option<&'a Diff>,
    ) -> Option<Self> {
        Some(Comparison {
            base: base?,
            current,
            diff: diff?,
        })
    }
}

/// One entry present on either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryChange {
    /// Install path.
    pub path: String,
    /// Kind on the new side (or the old side, if removed).
    pub kind: EntryKind,
    /// Size before, if present before.
    pub old_size: Option<u64>,
    /// Size after, if present after.
    pub new_size: Option<u64>,
    /// `new_size - old_size`, missing sides counting as 0.
    pub size_delta: i64,
    /// Digest before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_sha256: Option<String>,
    /// Digest after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_sha256: Option<String>,
    /// Mode before, when the mode changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_mode: Option<u32>,
}

/// One package metadata field that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaChange {
    /// Dotted field name: `version`, `scripts.postinstall`, `dependencies.dependencies.left-pad`.
    pub field: String,
    /// Value before (absent if added).
    pub old: Option<String>,
    /// Value after (absent if removed).
    pub new: Option<String>,
}

/// Totals and their deltas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Unpacked bytes after minus before.
    pub unpacked_delta: i64,
    /// Packed bytes after minus before.
    pub packed_delta: i64,
    /// File count after minus before.
    pub files_delta: i64,
}

/// The comparison of two releases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diff {
    /// The older release.
    pub old: ArtifactSummary,
    /// The newer release.
    pub new: ArtifactSummary,
    /// Entries only in the new release.
    pub added: Vec<EntryChange>,
    /// Entries only in the old release.
    pub removed: Vec<EntryChange>,
    /// Entries in both whose content, kind or mode differ.
    pub changed: Vec<EntryChange>,
    /// Entries in both, identical.
    pub unchanged: Vec<EntryChange>,
    /// Size and count deltas.
    pub totals: Totals,
    /// Package metadata differences (version, scripts, dependencies, files allowlist).
    pub metadata: Vec<MetaChange>,
}

fn delta(old: u64, new: u64) -> i64 {
    i64::try_from(new)
        .unwrap_or(i64::MAX)
        .saturating_sub(i64::try_from(old).unwrap_or(i64::MAX))
}

fn change(old: Option<&Entry>, new: Option<&Entry>) -> EntryChange {
    let any = new.or(old).expect("a change has at least one side");
    let mode_changed = matches!((old, new), (Some(o), Some(n)) if o.mode != n.mode);
    EntryChange {
        path: any.path.clone(),
        kind: any.kind,
        old_size: old.map(|e| e.size),
        new_size: new.map(|e| e.size),
        size_delta: delta(old.map_or(0, |e| e.size), new.map_or(0, |e| e.size)),
        old_sha256: old.and_then(|e| e.sha256.as_deref().map(str::to_owned)),
        new_sha256: new.and_then(|e| e.sha256.as_deref().map(str::to_owned)),
        old_mode: mode_changed.then(|| old.map(|e| e.mode)).flatten(),
    }
}

/// Compares two releases.
pub fn diff(old: &Manifest, new: &Manifest) -> Diff {
    // Borrowed, not cloned: a release of a million entries is held once per side, not
    // twice more for the comparison.
    fn index(m: &Manifest) -> BTreeMap<&str, &Entry> {
        // Later duplicates are already the installed ones; dirs are not compared.
        m.installed()
            .filter(|e| e.kind != EntryKind::Dir)
            .map(|e| (e.path.as_str(), e))
            .collect()
    }
    let (before, after) = (index(old), index(new));
    let mut d = Diff {
        old: old.artifact.clone(),
        new: new.artifact.clone(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        unchanged: Vec::new(),
        totals: Totals {
            unpacked_delta: delta(old.artifact.unpacked_size, new.artifact.unpacked_size),
            packed_delta: delta(old.artifact.packed_size, new.artifact.packed_size),
            files_delta: delta(old.artifact.files as u64, new.artifact.files as u64),
        },
        metadata: meta_changes(old.package.as_ref(), new.package.as_ref()),
    };
    for (path, n) in &after {
        match before.get(path) {
            None => d.added.push(change(None, Some(n))),
            Some(o)
                if o.sha256 != n.sha256
                    || o.kind != n.kind
                    || o.mode != n.mode
                    || o.link_target != n.link_target =>
            {
                d.changed.push(change(Some(o), Some(n)));
            }
            Some(o) => d.unchanged.push(change(Some(o), Some(n))),
        }
    }
    d.removed = before
        .iter()
        .filter(|(p, _)| !after.contains_key(*p))
        .map(|(_, o)| change(Some(*o), None))
        .collect();
    d
}

/// Flattens metadata into dotted fields so any change shows as one line.
fn flatten(meta: Option<&PackageMeta>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(m) = meta else { return out };
    for (k, v) in [("name", &m.name), ("version", &m.version)] {
        if let Some(v) = v {
            out.insert(k.to_owned(), v.clone());
        }
    }
    for (k, v) in &m.scripts {
        out.insert(format!("scripts.{k}"), v.clone());
    }
    for (section, deps) in &m.dependencies {
        for (name, spec) in deps {
            out.insert(format!("{section}.{name}"), spec.clone());
        }
    }
    if let Some(files) = &m.files {
        out.insert("files".to_owned(), files.join(", "));
    }
    out
}

fn meta_changes(old: Option<&PackageMeta>, new: Option<&PackageMeta>) -> Vec<MetaChange> {
    let (a, b) = (flatten(old), flatten(new));
    let fields: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    fields
        .into_iter()
        .filter(|f| a.get(*f) != b.get(*f))
        .map(|f| MetaChange {
            field: f.clone(),
            old: a.get(f).cloned(),
            new: b.get(f).cloned(),
        })
        .collect()
}
