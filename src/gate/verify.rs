//! `shipcheck verify`: every line of an approval bundle checked against these exact bytes.
//!
//! Each line must be a valid SSHSIG over DSSE's PAE in our namespace by a key that
//! `allowed_signers` lists for the reviewer's principal (the `approval` module checks that);
//! here the statement is checked against the artifact and the policy: the subject digests are
//! the artifact's, the approval has not expired (nor outlived the policy's maximum age), the
//! policy is the one in force, the reviewer is not forbidden, the result is `approved`, and a
//! fresh run of the rules (the same inputs step `check` and `review` use) finds nothing at or
//! above the blocking severity that the approval did not record as waived. Approvers are then
//! counted distinct by principal and by key. A line that cannot be read is reported and the
//! others are still evaluated.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::approval::record::{self, unrecorded};
use crate::approval::{AllowedSigners, ReviewResult, Timestamp, read_bundle, verify_line};
use crate::finding::{Finding, Severity};
use crate::inputs::Inputs;
use crate::manifest::ArtifactSummary;
use crate::rules::stream::Scanned;

/// What `verify` requires beyond a valid signature, from flags and the policy.
#[derive(Debug, Clone)]
pub struct Requirements {
    /// Distinct approvers needed.
    pub min_approvers: u32,
    /// Principals whose approvals do not count (the release's author).
    pub forbidden: Vec<String>,
    /// Whether the policy's digest must match the approval's (a policy file is in force).
    pub policy_digest: Option<String>,
    /// The oldest an approval may be, in seconds, if the policy limits it.
    pub max_age: Option<u64>,
    /// The blocking severity.
    pub threshold: Severity,
}

/// One named check of one line.
#[derive(Debug, Clone, Serialize)]
pub struct LineCheck {
    /// Stable kebab-case name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was found.
    pub reason: String,
}

/// The verdict on one line of the bundle.
#[derive(Debug, Clone, Serialize)]
pub struct LineVerdict {
    /// 1-based line number in the bundle.
    pub line: usize,
    /// The reviewer the statement names, when the line could be read.
    pub principal: Option<String>,
    /// The signing key's fingerprint.
    pub key: Option<String>,
    /// When the reviewer signed.
    pub reviewed_at: Option<String>,
    /// `approved` or `rejected`.
    pub result: Option<String>,
    /// Every check.
    pub checks: Vec<LineCheck>,
    /// Whether this line counts as an approver (all checks passed, not a duplicate).
    pub counts: bool,
}

impl LineVerdict {
    /// True when every check of the line passed.
    pub fn valid(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// `verify`'s verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The artifact verified.
    pub artifact: ArtifactSummary,
    /// The bundle read.
    pub approval: PathBuf,
    /// The allowed_signers file used.
    pub allowed_signers: PathBuf,
    /// Per line.
    pub lines: Vec<LineVerdict>,
    /// Distinct approvers that count.
    pub approvers: usize,
    /// How many are needed.
    pub min_approvers: u32,
    /// Every reason for refusal (a rejection, or too few approvers and why each line did not
    /// count); empty when verified.
    pub refusals: Vec<String>,
    /// True when the artifact may be published.
    pub verified: bool,
}

/// Checks the bundle at `bundle` against the scanned artifact.
pub fn verify(
    scanned: &Scanned,
    bundle: &Path,
    signers: &AllowedSigners,
    req: &Requirements,
    now: Timestamp,
) -> anyhow::Result<Verdict> {
    let artifact = scanned.current.artifact.clone();
    let lines = read_bundle(bundle)?;
    let manifest_digest = record::manifest_digest(&scanned.current);
    let findings = &scanned.evaluation.findings;
    let mut verdicts = Vec::with_capacity(lines.len());
    let mut refusals = Vec::new();
    let (mut principals, mut keys) = (BTreeSet::new(), BTreeSet::new());
    let mut approvers = 0usize;
    if lines.is_empty() {
        refusals.push(format!("{} holds no approval", bundle.display()));
    }
    for line in &lines {
        let mut v = LineVerdict {
            line: line.number,
            principal: None,
            key: None,
            reviewed_at: None,
            result: None,
            checks: Vec::new(),
            counts: false,
        };
        match verify_line(&line.bytes, signers, now) {
            Err(e) => v.checks.push(LineCheck {
                name: "readable".into(),
                passed: false,
                reason: crate::sanitize::for_terminal(&e.to_string()).into_owned(),
            }),
            Ok(outcome) => {
                for c in &outcome.checks {
                    v.checks.push(LineCheck {
                        name: c.name.as_str().into(),
                        passed: c.passed,
                        reason: c.reason.clone(),
                    });
                }
                let s = &outcome.statement;
                let p = &s.predicate;
                v.principal = Some(outcome.principal.clone());
                v.key = Some(outcome.fingerprint.clone());
                v.reviewed_at = Some(p.reviewed_at.to_string());
                v.result = Some(
                    match p.result {
                        ReviewResult::Approved => "approved",
                        ReviewResult::Rejected => "rejected",
                    }
                    .into(),
                );
                statement_checks(
                    &mut v,
                    &outcome.statement,
                    &artifact,
                    &manifest_digest,
                    findings,
                    req,
                    now,
                );
                if outcome.passed() && p.result == ReviewResult::Rejected {
                    let subject_ok = v.checks.iter().any(|c| c.name == "subject" && c.passed);
                    if subject_ok {
                        refusals.push(format!(
                            "line {}: {} rejected this release: {}",
                            line.number,
                            outcome.principal,
                            p.reason.as_deref().unwrap_or("no reason given")
                        ));
                    }
                }
                if v.valid() {
                    // Distinct by principal and by key: one person with two keys, or one key
                    // under two names, is one approver.
                    let fresh = !principals.contains(&outcome.principal)
                        && !keys.contains(&outcome.fingerprint);
                    principals.insert(outcome.principal.clone());
                    keys.insert(outcome.fingerprint.clone());
                    if fresh {
                        approvers += 1;
                        v.counts = true;
                    } else {
                        v.checks.push(LineCheck {
                            name: "distinct".into(),
                            passed: true,
                            reason: "the same approver (principal or key) as an earlier line: counted once".into(),
                        });
                    }
                }
            }
        }
        verdicts.push(v);
    }
    // A rejection refuses whatever else the bundle holds; short of approvers, every reason a
    // line did not count is a reason for the refusal. Lines that do not count beside enough
    // that do are shown in the table, not held against the release.
    if approvers < req.min_approvers as usize {
        for v in &verdicts {
            for c in v.checks.iter().filter(|c| !c.passed) {
                refusals.push(format!("line {}: {}: {}", v.line, c.name, c.reason));
            }
        }
        refusals.push(format!(
            "{approvers} distinct approver{} of {} required",
            if approvers == 1 { "" } else { "s" },
            req.min_approvers
        ));
    }
    let verified = refusals.is_empty();
    Ok(Verdict {
        artifact,
        approval: bundle.to_owned(),
        allowed_signers: signers.path.clone(),
        lines: verdicts,
        approvers,
        min_approvers: req.min_approvers,
        refusals,
        verified,
    })
}

/// The checks of a statement against this artifact, this policy and a fresh evaluation.
fn statement_checks(
    v: &mut LineVerdict,
    s: &crate::approval::Statement,
    artifact: &ArtifactSummary,
    manifest_digest: &str,
    findings: &[Finding],
    req: &Requirements,
    now: Timestamp,
) {
    let p = &s.predicate;
    let mut check = |name: &str, passed: bool, reason: String| {
        v.checks.push(LineCheck {
            name: name.into(),
            passed,
            reason,
        });
    };
    let subject = s.subject.first();
    let digest_ok = subject.is_some_and(|sub| {
        sub.digest.sha512.eq_ignore_ascii_case(&artifact.sha512)
            && sub.digest.sha256.eq_ignore_ascii_case(&artifact.sha256)
    });
    check(
        "subject",
        digest_ok && s.subject.len() == 1,
        match subject {
            Some(sub) if digest_ok => format!("{} sha512 matches these bytes", clean(&sub.name)),
            Some(sub) => format!(
                "the approval is for {} (sha512 {}…), not these bytes (sha512 {}…)",
                clean(&sub.name),
                clean(&sub.digest.sha512.chars().take(16).collect::<String>()),
                &artifact.sha512[..16.min(artifact.sha512.len())]
            ),
            None => "the statement names no subject".into(),
        },
    );
    check(
        "manifest",
        p.manifest.sha256.eq_ignore_ascii_case(manifest_digest),
        if p.manifest.sha256.eq_ignore_ascii_case(manifest_digest) {
            format!("{} files, manifest as reviewed", p.manifest.files)
        } else {
            "the release manifest differs from the one reviewed".into()
        },
    );
    let expired = now >= p.expires_at;
    check(
        "not-expired",
        !expired,
        if expired {
            format!("expired at {}", p.expires_at)
        } else {
            format!("valid until {}", p.expires_at)
        },
    );
    if let Some(max) = req.max_age {
        let age = now.0.saturating_sub(p.reviewed_at.0);
        let ok = u64::try_from(age).map_or(true, |a| a <= max);
        check(
            "max-age",
            ok,
            if ok {
                format!("signed {}", p.reviewed_at)
            } else {
                format!(
                    "signed {}, older than the policy's max_approval_age",
                    p.reviewed_at
                )
            },
        );
    }
    if let Some(want) = &req.policy_digest {
        let have = p.policy.as_ref().map(|d| d.sha256.as_str());
        let ok = have.is_some_and(|h| h.eq_ignore_ascii_case(want));
        check(
            "policy",
            ok,
            match have {
                _ if ok => "reviewed under this policy".into(),
                Some(h) => format!(
                    "reviewed under another policy (sha256 {}…)",
                    clean(&h.chars().take(12).collect::<String>())
                ),
                None => "reviewed without a policy file; one is in force here".into(),
            },
        );
    }
    let forbidden = req.forbidden.iter().any(|f| f == &p.reviewer.id);
    check(
        "approver-allowed",
        !forbidden,
        if forbidden {
            format!(
                "{} may not approve this release (--forbid-approver)",
                clean(&p.reviewer.id)
            )
        } else {
            "not excluded".into()
        },
    );
    check(
        "result",
        p.result == ReviewResult::Approved,
        match p.result {
            ReviewResult::Approved => "approved".into(),
            ReviewResult::Rejected => format!(
                "rejected: {}",
                clean(p.reason.as_deref().unwrap_or("no reason given"))
            ),
        },
    );
    let missing = unrecorded(s, findings, req.threshold);
    check(
        "findings",
        missing.is_empty(),
        if missing.is_empty() {
            "every blocking finding was waived at review".into()
        } else {
            let list: Vec<String> = missing
                .iter()
                .take(5)
                .map(|f| {
                    format!(
                        "{} {} at {}",
                        f.severity,
                        f.rule,
                        clean(&f.location.to_string())
                    )
                })
                .collect();
            format!(
                "{} blocking finding{} the approval did not see: {}{}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                list.join("; "),
                if missing.len() > 5 { "; …" } else { "" }
            )
        },
    );
}

fn clean(s: &str) -> String {
    crate::sanitize::for_terminal(s).into_owned()
}

/// The verdict as text: a table of lines (approvers) and a table of checks, each ✔ or ✘.
pub fn text(v: &Verdict) -> String {
    let mut out = String::new();
    let a = &v.artifact;
    let _ = writeln!(
        out,
        "{}  {}  sha512:{}…",
        clean(&a.title()),
        clean(&a.file_name),
        &a.sha512[..16.min(a.sha512.len())]
    );
    let _ = writeln!(
        out,
        "approval {}  ·  allowed signers {}",
        clean(&v.approval.display().to_string()),
        clean(&v.allowed_signers.display().to_string())
    );
    out.push_str("\napprovers\n");
    for l in &v.lines {
        let mark = if l.counts { "✔" } else { "✘" };
        let _ = writeln!(
            out,
            "  {mark} line {}  {}  {}  {}  {}",
            l.line,
            clean(l.principal.as_deref().unwrap_or("?")),
            l.key.as_deref().unwrap_or("?"),
            l.reviewed_at.as_deref().unwrap_or("?"),
            l.result.as_deref().unwrap_or("unreadable")
        );
        for c in &l.checks {
            let mark = if c.passed { "✔" } else { "✘" };
            let _ = writeln!(out, "      {mark} {:<18} {}", c.name, clean(&c.reason));
        }
    }
    out.push_str("\nchecks\n");
    let _ = writeln!(
        out,
        "  {} approvers: {} distinct of {} required",
        if v.approvers >= v.min_approvers as usize {
            "✔"
        } else {
            "✘"
        },
        v.approvers,
        v.min_approvers
    );
    for r in &v.refusals {
        let _ = writeln!(out, "  ✘ {}", clean(r));
    }
    let _ = writeln!(
        out,
        "\n{}",
        if v.verified {
            "verified: these bytes were approved"
        } else {
            "refused: these bytes may not be published"
        }
    );
    out
}

/// The requirements from the command line and the policy in force.
pub fn requirements(
    inputs: &Inputs,
    min_approvers: Option<u32>,
    forbidden: &[String],
) -> Requirements {
    let policy = &inputs.policy;
    Requirements {
        min_approvers: min_approvers
            .unwrap_or(policy.approval.min_approvers)
            .max(1),
        forbidden: forbidden.to_vec(),
        policy_digest: policy.source.as_ref().and(policy.sha256.clone()),
        max_age: policy.approval.max_approval_age,
        threshold: policy.fail_on.unwrap_or(Severity::High),
    }
}
