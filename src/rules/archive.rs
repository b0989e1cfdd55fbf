//! `archive-*`: the container anomalies the reader recorded, as critical findings.
//!
//! The reader (`crate::artifact`) notices every anomaly of the container itself while it
//! streams; this rule only turns each into a finding that points at its entry.

use crate::artifact::{AnomalyKind, Artifact};

use super::{Finding, Location, Rule, Severity};

/// The family entry for every `archive-*` id in the catalogue.
pub const RULE: Rule = Rule {
    id: "archive-*",
    severity: Severity::Critical,
    summary: "the container itself is malformed or hostile (traversal, links, duplicates, bombs)",
    why: "A package archive is input to an installer that writes files. Entries with `..` or \
          absolute paths, links, device files, duplicate paths (the later one silently wins), \
          names with control or bidi characters, or a compression bomb are either an attack or \
          a broken packer; either way the bytes a reviewer sees are not the bytes that land on \
          disk. The reader records each such anomaly; this rule reports each as critical.",
};

/// The rule id for an anomaly kind.
pub fn rule_id(kind: AnomalyKind) -> String {
    format!("archive-{}", kind.id())
}

/// One critical finding per anomaly.
pub fn findings(a: &Artifact) -> Vec<Finding> {
    a.anomalies
        .iter()
        .map(|an| {
            let entry = an.entry.and_then(|i| a.entries.get(i as usize));
            Finding {
                rule: rule_id(an.kind),
                severity: Severity::Critical,
                location: Location {
                    entry: an.entry,
                    path: entry.map(|e| e.path.clone()).unwrap_or_default(),
                    ..Location::default()
                },
                message: an.detail.clone(),
                evidence: serde_json::Value::Null,
                allowed: None,
            }
        })
        .collect()
}
