//! `archive-*`: the container anomalies the reader recorded, as critical findings.
//!
//! The reader (`crate::artifact`) notices every anomaly of the container itself while it
//! streams; this rule only turns each into a finding that points at its entry.

use crate::artifact::{AnomalyKind, Artifact};

use super::{Finding, Location, Severity};

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
            }
        })
        .collect()
}
