//! The finding vocabulary: what a rule is ([`Rule`]), how bad a finding is ([`Severity`]),
//! where it is ([`Location`]) and the [`Finding`] itself.
//!
//! Plain serde data on the ground floor: the rules produce it, and `check`'s outputs, the
//! review screen and the approval consume the same structs. It depends on nothing in the crate.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A rule's identity and documentation. The checking code lives beside it in its own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable kebab-case id; a family ends in `*` (`archive-*`).
    pub id: &'static str,
    /// Severity before the policy applies.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// A paragraph: why this matters, what to do.
    pub why: &'static str,
}

/// Sorts findings worst first, then by location, so every output lists them the same way.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.path.cmp(&b.location.path))
            .then_with(|| a.location.inner.cmp(&b.location.inner))
            .then_with(|| a.location.line.cmp(&b.location.line))
            .then_with(|| a.location.column.cmp(&b.location.column))
            .then_with(|| a.rule.cmp(&b.rule))
    });
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
    /// Set when a policy `allow` entry covers this finding: it is still shown, never dropped,
    /// but it no longer fails the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Allowed>,
}

impl Finding {
    /// A finding of `rule` at its default severity.
    pub fn new(rule: &Rule, location: Location, message: String) -> Self {
        Self {
            rule: rule.id.to_owned(),
            severity: rule.severity,
            location,
            message,
            evidence: serde_json::Value::Null,
            allowed: None,
        }
    }

    /// The same finding at another severity.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The same finding with structured evidence.
    #[must_use]
    pub fn evidence(mut self, evidence: serde_json::Value) -> Self {
        self.evidence = evidence;
        self
    }

    /// True when the finding counts against `--fail-on` (not allowed by the policy).
    pub fn blocks_at(&self, threshold: Severity) -> bool {
        self.allowed.is_none() && self.severity >= threshold
    }
}

/// Why a policy lets a finding through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowed {
    /// The reason written in the policy (mandatory there).
    pub reason: String,
    /// The allow entry's expiry date (`YYYY-MM-DD`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The glob that matched.
    pub path: String,
}

/// The evidence of a `secret-*` finding: what was found, never the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretEvidence {
    /// The format's label (`GitHub personal access token`).
    pub kind: String,
    /// The public start of the value that the finding shows (`ghp_R8`).
    pub prefix: String,
    /// The value's length in bytes: how much of the line the review screen masks.
    pub length: usize,
    /// Why the hit is not a leaked credential (a placeholder, a test fixture), if so.
    pub context: Option<String>,
}

impl SecretEvidence {
    /// The secret evidence of `f`, when it carries one.
    pub fn of(f: &Finding) -> Option<Self> {
        if !f.rule.starts_with("secret-") {
            return None;
        }
        Self::deserialize(&f.evidence).ok()
    }
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
