//! `check --format json`: the design.md §2 schema, documented in `docs/check.md`.

use serde::Serialize;

use super::Report;
use crate::diff::{EntryChange, Totals};
use crate::manifest::ArtifactSummary;
use crate::rules::{Finding, Severity};

/// The document `check --format json` writes.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    /// Schema id, bumped on incompatible changes.
    pub schema: &'static str,
    /// The artifact checked.
    pub artifact: &'a ArtifactSummary,
    /// The baseline, if any.
    pub baseline: Option<&'a ArtifactSummary>,
    /// Added, removed and changed entries against the baseline, if any.
    pub diff: Option<DiffJson<'a>>,
    /// The policy applied.
    pub policy: PolicyJson<'a>,
    /// Every finding, worst first; allowed ones carry `allowed`.
    pub findings: &'a [Finding],
    /// Counts and the verdict.
    pub summary: Summary,
}

/// The diff part.
#[derive(Debug, Serialize)]
pub struct DiffJson<'a> {
    /// Entries only in the new release.
    pub added: &'a [EntryChange],
    /// Entries only in the baseline.
    pub removed: &'a [EntryChange],
    /// Entries whose content, kind or mode changed.
    pub changed: &'a [EntryChange],
    /// Size and count deltas.
    pub totals: Totals,
}

/// Which policy was applied.
#[derive(Debug, Serialize)]
pub struct PolicyJson<'a> {
    /// The file, or null for built-in defaults.
    pub path: Option<String>,
    /// Its sha256.
    pub sha256: Option<&'a str>,
    /// `public` or `internal`.
    pub profile: crate::rules::policy::Profile,
}

/// Counts by severity of findings that are not allowed, plus the verdict.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Critical findings.
    pub critical: usize,
    /// High findings.
    pub high: usize,
    /// Medium findings.
    pub medium: usize,
    /// Low findings.
    pub low: usize,
    /// Info findings.
    pub info: usize,
    /// Findings the policy allowed.
    pub allowed: usize,
    /// The `--fail-on` threshold.
    pub fail_on: Severity,
    /// True when the check exits 1.
    pub failed: bool,
}

/// Builds the document.
pub fn document(r: &Report, fail_on: Severity) -> CheckJson<'_> {
    let c = r.counts();
    CheckJson {
        schema: "shipcheck.check/v1",
        artifact: &r.artifact,
        baseline: r.baseline.as_ref(),
        diff: r.diff.as_ref().map(|d| DiffJson {
            added: &d.added,
            removed: &d.removed,
            changed: &d.changed,
            totals: d.totals,
        }),
        policy: PolicyJson {
            path: r.policy.source.as_ref().map(|p| p.display().to_string()),
            sha256: r.policy.sha256.as_deref(),
            profile: r.policy.profile,
        },
        findings: &r.findings,
        summary: Summary {
            critical: c[0].1,
            high: c[1].1,
            medium: c[2].1,
            low: c[3].1,
            info: c[4].1,
            allowed: r.findings.iter().filter(|f| f.allowed.is_some()).count(),
            fail_on,
            failed: r.fails(fail_on),
        },
    }
}

/// The JSON text (dangerous characters escaped).
pub fn render(r: &Report, fail_on: Severity) -> anyhow::Result<String> {
    Ok(crate::json::to_string_pretty(&document(r, fail_on))? + "\n")
}
