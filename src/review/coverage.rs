//! Review coverage: which files and findings the reviewer actually opened.
//!
//! A plain struct, so the sign-off (a later issue) can put it into the approval as it is.

use std::collections::BTreeSet;

use serde::Serialize;

/// What has been looked at so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Installed regular files in the artifact.
    pub files_total: usize,
    /// Entries (by index) the reviewer opened.
    pub files_viewed: BTreeSet<u32>,
    /// Entries (by index) that carry at least one finding.
    pub flagged_files: BTreeSet<u32>,
    /// Files inside entries (embedded sources, nested archive entries) opened, as
    /// `container ▸ inner` paths.
    pub embedded_viewed: BTreeSet<String>,
    /// Number of findings.
    pub findings_total: usize,
    /// Findings (by position in the findings list) the reviewer opened.
    pub findings_viewed: BTreeSet<usize>,
}

impl Coverage {
    /// Flagged files viewed, and how many there are.
    pub fn flagged_viewed(&self) -> (usize, usize) {
        let seen = self
            .flagged_files
            .iter()
            .filter(|e| self.files_viewed.contains(e))
            .count();
        (seen, self.flagged_files.len())
    }

    /// Files viewed, and how many there are.
    pub fn files(&self) -> (usize, usize) {
        (self.files_viewed.len(), self.files_total)
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
}
