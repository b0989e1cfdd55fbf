//! Review coverage: which files and findings the reviewer actually read.
//!
//! Coverage means reading (design §7): a file counts as viewed when its content was shown in
//! the preview. An embedded source of a source map, or an entry of a nested archive, is a file
//! of its own, viewed when it is previewed; the container counts only when its own content is
//! shown. [`Coverage::record`] turns this into what the approval signs.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::approval;
use crate::artifact::Artifact;

/// What has been looked at so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Installed regular files in the artifact.
    pub files_total: usize,
    /// Entries (by index) whose own content the reviewer opened.
    pub files_viewed: BTreeSet<u32>,
    /// Entries (by index) that carry at least one finding on their own content.
    pub flagged_files: BTreeSet<u32>,
    /// Files inside entries (embedded sources, nested archive entries), as `container ▸ inner`
    /// paths.
    pub embedded_total: usize,
    /// Files inside entries opened, as `container ▸ inner` paths.
    pub embedded_viewed: BTreeSet<String>,
    /// Files inside entries that carry at least one finding, as `container ▸ inner` paths.
    pub flagged_embedded: BTreeSet<String>,
    /// Number of findings.
    pub findings_total: usize,
    /// Findings (by position in the findings list) the reviewer opened.
    pub findings_viewed: BTreeSet<usize>,
}

impl Coverage {
    /// Flagged files viewed, and how many there are (embedded files included).
    pub fn flagged_viewed(&self) -> (usize, usize) {
        let entries = self
            .flagged_files
            .iter()
            .filter(|e| self.files_viewed.contains(e))
            .count();
        let inner = self
            .flagged_embedded
            .iter()
            .filter(|p| self.embedded_viewed.contains(*p))
            .count();
        (
            entries + inner,
            self.flagged_files.len() + self.flagged_embedded.len(),
        )
    }

    /// Files viewed, and how many there are (embedded files included).
    pub fn files(&self) -> (usize, usize) {
        (
            self.files_viewed.len() + self.embedded_viewed.len(),
            self.files_total + self.embedded_total,
        )
    }

    /// Findings viewed, and how many there are.
    pub fn findings(&self) -> (usize, usize) {
        (self.findings_viewed.len(), self.findings_total)
    }

    /// One line for the header: `flagged files viewed 3/5 · findings 2/7 · files 4/120`.
    pub fn summary(&self) -> String {
        let (fv, ft) = self.flagged_viewed();
        let (nv, nt) = self.findings();
        let (av, at) = self.files();
        format!("flagged files viewed {fv}/{ft} · findings {nv}/{nt} · files {av}/{at}")
    }

    /// Paths of the flagged files, each with whether it was viewed: entries first (in entry
    /// order), then embedded files (by path).
    fn flagged(&self, artifact: &Artifact) -> impl Iterator<Item = (String, bool)> {
        let path = |i: u32| {
            artifact
                .entries
                .get(i as usize)
                .map(|e| e.path.clone())
                .unwrap_or_default()
        };
        let entries: Vec<(String, bool)> = self
            .flagged_files
            .iter()
            .map(|i| (path(*i), self.files_viewed.contains(i)))
            .collect();
        let inner = self
            .flagged_embedded
            .iter()
            .map(|p| (p.clone(), self.embedded_viewed.contains(p)));
        entries.into_iter().chain(inner)
    }

    /// The flagged files not opened yet, by path: what the sign-off lists as still unread.
    pub fn unviewed_flagged(&self, artifact: &Artifact) -> Vec<String> {
        self.flagged(artifact)
            .filter(|(_, seen)| !seen)
            .map(|(p, _)| p)
            .collect()
    }

    /// The coverage as the approval records it.
    pub fn record(&self, artifact: &Artifact) -> approval::Coverage {
        let (fv, ft) = self.files();
        let (gv, gt) = self.flagged_viewed();
        approval::Coverage {
            files_viewed: fv as u64,
            files_total: ft as u64,
            flagged_viewed: gv as u64,
            flagged_total: gt as u64,
            flagged_files_viewed: self
                .flagged(artifact)
                .filter(|(_, seen)| *seen)
                .map(|(p, _)| p)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flagged_progress_counts_only_flagged_files() {
        let mut c = Coverage {
            files_total: 10,
            flagged_files: [1, 2, 3].into(),
            findings_total: 4,
            ..Coverage::default()
        };
        c.files_viewed.extend([2, 7]);
        c.findings_viewed.insert(0);
        assert_eq!(
            c.flagged_viewed(),
            (1, 3),
            "file 7 is viewed but not flagged"
        );
        assert_eq!(
            c.summary(),
            "flagged files viewed 1/3 · findings 1/4 · files 2/10"
        );
    }

    #[test]
    fn an_embedded_file_is_a_file_of_its_own() {
        let mut c = Coverage {
            files_total: 2,
            embedded_total: 3,
            flagged_embedded: ["m.map ▸ a.ts".to_owned()].into(),
            ..Coverage::default()
        };
        c.embedded_viewed.insert("m.map ▸ b.ts".into());
        assert_eq!(c.files(), (1, 5), "embedded files count in the total");
        assert_eq!(c.flagged_viewed(), (0, 1), "b.ts is not the flagged one");
        c.embedded_viewed.insert("m.map ▸ a.ts".into());
        assert_eq!(c.flagged_viewed(), (1, 1));
    }
}
