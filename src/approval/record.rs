//! From the model to the record: what a sign-off must settle first ([`needs`]), the statement
//! it signs ([`statement`]), and what `verify` compares a fresh evaluation with
//! ([`unrecorded`]).
//!
//! Pure functions of (artifact, findings, policy, waivers, coverage, reviewer): the review
//! screen and `verify` call the same code, so what one records is what the other checks.

use sha2::{Digest as _, Sha256};

use super::statement::{
    Coverage, FindingRecord, FindingStatus, ManifestDigest, Package, PolicyDigest, ReleaseReview,
    ReviewResult, Reviewer, Statement, Subject, SubjectDigest, Tool, Waiver,
};
use super::timestamp::Timestamp;
use crate::finding::{Finding, Severity};
use crate::manifest::Manifest;
use crate::rules::Policy;

/// The digest of a release manifest as the approval records it: sha256 of the manifest JSON
/// that `shipcheck manifest` writes, without the artifact's path and file name (the same bytes
/// named from another folder, or downloaded under another name, have the same manifest; the
/// name is recorded in the subject).
pub fn manifest_digest(m: &Manifest) -> String {
    let mut canonical = m.clone();
    canonical.artifact.path = String::new();
    canonical.artifact.file_name = String::new();
    let text = crate::json::to_string_pretty(&canonical).unwrap_or_default();
    crate::units::hex(&Sha256::digest(text.as_bytes()))
}

/// Where a finding is, as the approval names it: `path ▸ inner:line`.
pub fn finding_path(f: &Finding) -> String {
    f.location.to_string()
}

/// What stands between the reviewer and a sign-off.
#[derive(Debug, Default, PartialEq)]
pub struct Needs<'a> {
    /// Findings at or above the blocking severity that must each be waived with a reason, by
    /// position in the findings list.
    pub to_waive: Vec<(usize, &'a Finding)>,
    /// Blocking findings the policy forbids waiving, with the policy's glob: sign-off is
    /// refused while any is there.
    pub unwaivable: Vec<(usize, &'a Finding, &'a str)>,
    /// Flagged files not yet viewed, when the policy requires every flagged file to be read.
    pub unviewed_flagged: Vec<String>,
    /// The share of files viewed and the share the policy requires, when short of it.
    pub coverage_short: Option<(f64, f64)>,
}

impl Needs<'_> {
    /// True when the sign-off may go ahead once every finding in `to_waive` has a waiver.
    pub fn can_sign(&self) -> bool {
        self.unwaivable.is_empty()
            && self.unviewed_flagged.is_empty()
            && self.coverage_short.is_none()
    }
}

/// The findings that block a release at `threshold` (policy allow entries excepted).
pub fn blocking(
    findings: &[Finding],
    threshold: Severity,
) -> impl Iterator<Item = (usize, &Finding)> {
    findings
        .iter()
        .enumerate()
        .filter(move |(_, f)| f.blocks_at(threshold))
}

/// What a sign-off needs under `policy`: `flagged_unviewed` are the flagged files the reviewer
/// has not opened, and `coverage` what was read.
pub fn needs<'a>(
    findings: &'a [Finding],
    threshold: Severity,
    policy: &'a Policy,
    coverage: &Coverage,
    flagged_unviewed: &[String],
) -> Needs<'a> {
    let mut n = Needs::default();
    for (i, f) in blocking(findings, threshold) {
        match policy.approval.forbids_waiving(&f.rule) {
            Some(glob) => n.unwaivable.push((i, f, glob)),
            None => n.to_waive.push((i, f)),
        }
    }
    if policy.approval.require_flagged_viewed {
        n.unviewed_flagged = flagged_unviewed.to_vec();
    }
    if let Some(need) = policy.approval.required_coverage {
        let have = if coverage.files_total == 0 {
            1.0
        } else {
            coverage.files_viewed as f64 / coverage.files_total as f64
        };
        if have + f64::EPSILON < need {
            n.coverage_short = Some((have, need));
        }
    }
    n
}

/// Everything a signed review states, gathered by the review screen.
#[derive(Debug)]
pub struct Review<'a> {
    /// The artifact's release manifest (its `artifact` holds file name and digests).
    pub manifest: &'a Manifest,
    /// The findings at review time, after the policy.
    pub findings: &'a [Finding],
    /// The blocking severity they were judged at.
    pub threshold: Severity,
    /// The policy in force.
    pub policy: &'a Policy,
    /// Waivers: (position in `findings`, justification).
    pub waivers: &'a [(usize, String)],
    /// What the reviewer read.
    pub coverage: Coverage,
    /// The allowed_signers principal.
    pub reviewer: &'a str,
    /// Approved, or rejected with a reason.
    pub result: ReviewResult,
    /// Why, for a rejection.
    pub reason: Option<String>,
    /// When.
    pub now: Timestamp,
}

/// The statement a sign-off signs.
pub fn statement(r: &Review<'_>) -> Statement {
    let a = &r.manifest.artifact;
    let waived: std::collections::BTreeMap<usize, &str> = r
        .waivers
        .iter()
        .map(|(i, why)| (*i, why.as_str()))
        .collect();
    let mut findings = Vec::new();
    let mut waivers = Vec::new();
    for (i, f) in r.findings.iter().enumerate() {
        let status = if f.allowed.is_some() {
            FindingStatus::Allowed
        } else if f.severity < r.threshold {
            FindingStatus::BelowThreshold
        } else if let Some(why) = waived.get(&i) {
            waivers.push(Waiver {
                rule: f.rule.clone(),
                path: finding_path(f),
                justification: (*why).to_owned(),
            });
            FindingStatus::Waived
        } else {
            // A blocking finding without a waiver is recorded as such only in a rejection;
            // an approval is not built until every one is waived.
            FindingStatus::BelowThreshold
        };
        if status == FindingStatus::BelowThreshold && f.severity >= r.threshold {
            continue;
        }
        findings.push(FindingRecord {
            rule: f.rule.clone(),
            severity: f.severity.as_str().to_owned(),
            path: finding_path(f),
            status,
        });
    }
    let lifetime = i64::try_from(r.policy.approval.lifetime()).unwrap_or(i64::MAX);
    Statement::new(
        Subject {
            name: a.file_name.clone(),
            digest: SubjectDigest {
                sha512: a.sha512.clone(),
                sha256: a.sha256.clone(),
            },
        },
        ReleaseReview {
            result: r.result,
            reason: r.reason.clone(),
            reviewer: Reviewer {
                id: r.reviewer.to_owned(),
            },
            reviewed_at: r.now,
            expires_at: Timestamp(r.now.0.saturating_add(lifetime)),
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            policy: r
                .policy
                .sha256
                .clone()
                .map(|sha256| PolicyDigest { sha256 }),
            package: Package {
                name: a.name.clone().unwrap_or_default(),
                version: a.version.clone().unwrap_or_default(),
            },
            manifest: ManifestDigest {
                sha256: manifest_digest(r.manifest),
                files: a.files as u64,
            },
            coverage: r.coverage.clone(),
            findings,
            waivers,
        },
    )
}

/// Findings of a fresh evaluation that block at `threshold` but that the approval did not
/// record as waived: a rule added since the review, a different policy, other bytes.
pub fn unrecorded<'a>(
    s: &Statement,
    findings: &'a [Finding],
    threshold: Severity,
) -> Vec<&'a Finding> {
    let waived: std::collections::BTreeSet<(&str, &str)> = s
        .predicate
        .findings
        .iter()
        .filter(|r| r.status == FindingStatus::Waived)
        .map(|r| (r.rule.as_str(), r.path.as_str()))
        .collect();
    blocking(findings, threshold)
        .map(|(_, f)| f)
        .filter(|f| !waived.contains(&(f.rule.as_str(), finding_path(f).as_str())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Rule};

    const RULE: Rule = Rule {
        id: "sensitive-file",
        severity: Severity::High,
        summary: "s",
        why: "w",
    };

    fn finding(path: &str, severity: Severity) -> Finding {
        Finding::new(
            &RULE,
            Location {
                path: path.into(),
                ..Location::default()
            },
            "m".into(),
        )
        .severity(severity)
    }

    fn manifest() -> Manifest {
        let a = crate::rules::test_support::artifact_of(&[(
            "package/package.json",
            br#"{"name":"p","version":"1.0.0"}"#,
        )]);
        Manifest::of(&a)
    }

    #[test]
    fn every_blocking_finding_must_be_waived_unless_the_policy_forbids_it() {
        let findings = [
            finding(".env", Severity::High),
            finding("a.js", Severity::Low),
            finding("b.js", Severity::Critical),
        ];
        let policy = Policy::parse("p.toml", "[approval]\nunwaivable = [\"sensitive-file\"]\n")
            .expect("policy");
        let cov = Coverage {
            files_viewed: 0,
            files_total: 3,
            flagged_viewed: 0,
            flagged_total: 2,
            flagged_files_viewed: vec![],
        };
        let n = needs(&findings, Severity::High, &policy, &cov, &[".env".into()]);
        assert!(n.to_waive.is_empty(), "both blocking ones are unwaivable");
        assert_eq!(n.unwaivable.len(), 2);
        assert_eq!(n.unviewed_flagged, [".env"]);
        assert!(!n.can_sign());
        let default = Policy::default();
        let n = needs(&findings, Severity::High, &default, &cov, &[]);
        assert_eq!(
            n.to_waive.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            [0, 2],
            "the low one does not block"
        );
        assert!(n.can_sign());
    }

    #[test]
    fn the_statement_records_waivers_and_verify_finds_what_it_did_not_see() {
        let m = manifest();
        let findings = vec![
            finding(".env", Severity::High),
            finding("a.js", Severity::Low),
        ];
        let policy = Policy::default();
        let waivers = [(0, "a template with no values".to_owned())];
        let s = statement(&Review {
            manifest: &m,
            findings: &findings,
            threshold: Severity::High,
            policy: &policy,
            waivers: &waivers,
            coverage: Coverage {
                files_viewed: 1,
                files_total: 1,
                flagged_viewed: 0,
                flagged_total: 0,
                flagged_files_viewed: vec![],
            },
            reviewer: "ana@example.com",
            result: ReviewResult::Approved,
            reason: None,
            now: Timestamp(1_000),
        });
        let p = &s.predicate;
        assert_eq!(
            p.expires_at,
            Timestamp(1_000 + 30 * 86_400),
            "30 days by default"
        );
        assert_eq!(p.waivers.len(), 1);
        assert_eq!(p.waivers[0].justification, "a template with no values");
        assert_eq!(
            p.findings.iter().map(|f| f.status).collect::<Vec<_>>(),
            [FindingStatus::Waived, FindingStatus::BelowThreshold]
        );
        assert_eq!(s.subject[0].digest.sha512, m.artifact.sha512);
        assert!(unrecorded(&s, &findings, Severity::High).is_empty());
        let mut later = findings.clone();
        later.push(finding("new.pem", Severity::Critical));
        let missing = unrecorded(&s, &later, Severity::High);
        assert_eq!(missing.len(), 1, "a finding the approval never saw");
        assert_eq!(missing[0].location.path, "new.pem");
    }

    #[test]
    fn the_manifest_digest_ignores_where_the_artifact_was_named_from() {
        let m = manifest();
        let mut elsewhere = m.clone();
        elsewhere.artifact.path = "/somewhere/else/renamed.tgz".into();
        elsewhere.artifact.file_name = "renamed.tgz".into();
        assert_eq!(manifest_digest(&m), manifest_digest(&elsewhere));
        let mut other = m.clone();
        other.artifact.files += 1;
        assert_ne!(manifest_digest(&m), manifest_digest(&other));
    }
}
