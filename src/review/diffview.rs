//! The diff of one changed file against its baseline version, as rows the preview draws.
//!
//! Computed once when the reviewer asks for it (`d`), with a time limit so that a pathological
//! pair of files cannot freeze the screen; lines are kept as indexes into the two buffers.

use std::sync::Arc;
use std::time::Duration;

use similar::{ChangeTag, TextDiff};

use super::preview::line_starts;

/// Files larger than this (either side) are not diffed line by line.
pub const MAX_DIFF_BYTES: usize = 8 << 20;

/// One row of the diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffRow {
    /// A line in both versions: old and new line indexes.
    Same(usize, usize),
    /// A line only in the baseline.
    Removed(usize),
    /// A line only in this release.
    Added(usize),
    /// Unchanged lines left out.
    Gap,
}

/// A computed diff, or why there is none.
#[derive(Debug, Clone)]
pub struct DiffDoc {
    /// The baseline's bytes.
    pub old: Arc<[u8]>,
    /// Line starts of `old`.
    pub old_starts: Vec<usize>,
    /// The rows, with 3 lines of context around each change.
    pub rows: Vec<DiffRow>,
    /// Set instead of rows when no line diff can be shown (manifest baseline, binary, size).
    pub note: Option<String>,
}

impl DiffDoc {
    /// A diff that cannot be shown, with the reason.
    pub fn note(text: impl Into<String>) -> Self {
        DiffDoc {
            old: Arc::from(&[][..]),
            old_starts: vec![0],
            rows: Vec::new(),
            note: Some(text.into()),
        }
    }

    /// Diffs `old` against `new` line by line.
    pub fn compute(old: Arc<[u8]>, new: &[u8]) -> Self {
        if old.len() > MAX_DIFF_BYTES || new.len() > MAX_DIFF_BYTES {
            return Self::note(format!(
                "too large to diff here ({} → {}); compare the files with a diff tool",
                crate::units::size(old.len() as u64),
                crate::units::size(new.len() as u64)
            ));
        }
        let (a, b) = (String::from_utf8_lossy(&old), String::from_utf8_lossy(new));
        let diff = TextDiff::configure()
            .timeout(Duration::from_millis(300))
            .diff_lines(a.as_ref(), b.as_ref());
        let mut rows = Vec::new();
        for (i, group) in diff.grouped_ops(3).iter().enumerate() {
            if i > 0 || group.first().is_some_and(|op| op.old_range().start > 0) {
                rows.push(DiffRow::Gap);
            }
            for op in group {
                for change in diff.iter_changes(op) {
                    let (o, n) = (change.old_index(), change.new_index());
                    rows.push(match (change.tag(), o, n) {
                        (ChangeTag::Delete, Some(o), _) => DiffRow::Removed(o),
                        (ChangeTag::Insert, _, Some(n)) => DiffRow::Added(n),
                        (_, Some(o), Some(n)) => DiffRow::Same(o, n),
                        _ => continue,
                    });
                }
            }
        }
        let ops = diff.grouped_ops(3);
        if let Some(last) = ops.last().and_then(|g| g.last())
            && last.old_range().end < diff.old_slices().len()
        {
            rows.push(DiffRow::Gap);
        }
        let note = rows
            .is_empty()
            .then(|| "no line differs (the mode or kind changed)".to_owned());
        DiffDoc {
            old_starts: line_starts(&old),
            old,
            rows,
            note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_come_with_context_and_gaps() {
        let old: Vec<String> = (1..=20).map(|i| format!("line {i}\n")).collect();
        let mut new = old.clone();
        new[9] = "changed\n".into();
        let d = DiffDoc::compute(
            Arc::from(old.concat().into_bytes()),
            new.concat().as_bytes(),
        );
        assert_eq!(
            d.rows.first(),
            Some(&DiffRow::Gap),
            "unchanged start is elided"
        );
        assert!(d.rows.contains(&DiffRow::Removed(9)));
        assert!(d.rows.contains(&DiffRow::Added(9)));
        assert_eq!(
            d.rows.len(),
            1 + 3 + 2 + 3 + 1,
            "3 lines of context each side"
        );
    }

    #[test]
    fn huge_files_get_a_note() {
        let big = vec![b'a'; MAX_DIFF_BYTES + 1];
        let note = DiffDoc::compute(Arc::from(&b"x"[..]), &big).note;
        assert_eq!(
            note.as_deref(),
            Some("too large to diff here (1 B → 8.39 MB); compare the files with a diff tool"),
            "sizes in the units every other message uses"
        );
    }
}
