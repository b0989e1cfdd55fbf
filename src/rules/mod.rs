//! Findings: what the rules report about an artifact.
//!
//! This module holds the shared vocabulary ([`Severity`], [`Location`], [`Finding`]) that the
//! rules produce and that `check`, the review screen and the approval consume. The rule
//! registry itself lives beside it (issue #3).

pub mod archive;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::artifact::Artifact;
use crate::manifest::Manifest;

/// Runs every rule over an opened artifact, against the previous release when given.
/// Findings come worst first, then by path.
pub fn evaluate(artifact: &Artifact, baseline: Option<&Manifest>) -> Vec<Finding> {
    let _ = baseline;
    let mut findings = archive::findings(artifact);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.path.cmp(&b.location.path))
    });
    findings
}

/// How bad a finding is, from `info` to `critical`; ordered so `>=` means "at least as bad".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never blocks.
    Info,
    /// Minor.
    Low,
    /// Should be looked at.
    Medium,
    /// Blocks by default.
    High,
    /// Stop the release.
    Critical,
}

impl Severity {
    /// All severities, worst first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity {s:?} (critical, high, medium, low, info)"))
    }
}

/// Where a finding is: an entry, and optionally a place inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The entry's index in the artifact, when the finding concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u32>,
    /// The entry's install path (empty for artifact-wide findings).
    pub path: String,
    /// A file inside the entry: an embedded source of a source map, or an entry of a nested
    /// archive (`dist/cli.js.map ▸ src/auth/token.ts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner: Option<String>,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(inner) = &self.inner {
            write!(f, " ▸ {inner}")?;
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        Ok(())
    }
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's stable id (`sourcemap-embedded-sources`, `archive-path-traversal`, …).
    pub rule: String,
    /// Severity after the policy applied.
    pub severity: Severity,
    /// Where.
    #[serde(flatten)]
    pub location: Location,
    /// One sentence for a human. Untrusted parts are sanitised when shown, not here.
    pub message: String,
    /// Structured detail (counts, masked secret prefix, …).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub evidence: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
    }

    #[test]
    fn locations_read_like_the_design() {
        let loc = Location {
            path: "dist/cli.js.map".into(),
            inner: Some("src/auth/token.ts".into()),
            line: Some(42),
            ..Location::default()
        };
        assert_eq!(loc.to_string(), "dist/cli.js.map ▸ src/auth/token.ts:42");
    }
}
