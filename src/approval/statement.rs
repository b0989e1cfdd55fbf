//! The in-toto Statement v1 an approver signs, and its release-review predicate.
//!
//! Plain serde data: what a reviewer saw and decided about one artifact. The field names on
//! disk are camelCase as in-toto writes them; the Rust names are snake_case.

use serde::{Deserialize, Serialize};

use super::timestamp::Timestamp;

/// The in-toto Statement type every approval line carries in `_type`.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// Our predicate type: a human release review of one artifact by one reviewer.
///
/// Stable: a change to the predicate's meaning gets a new URI (`.../v2`), never a new meaning
/// under this one.
pub const PREDICATE_TYPE: &str = "https://shipcheck.dev/release-review/v1";

/// The SSHSIG namespace every approval signature is made in.
///
/// `ssh-keygen -Y verify -n release-review@shipcheck.dev` checks an approval without shipcheck;
/// a signature made for git commits or anything else (another namespace) never counts as one.
pub const NAMESPACE: &str = "release-review@shipcheck.dev";

/// An in-toto Statement v1 whose predicate is a [`ReleaseReview`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Always [`STATEMENT_TYPE`] when written by us; checked when read.
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The artifact(s) the review is about: the artifact file name and its digests.
    pub subject: Vec<Subject>,
    /// Always [`PREDICATE_TYPE`] when written by us; checked when read.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// What the reviewer decided and saw.
    pub predicate: ReleaseReview,
}

impl Statement {
    /// A statement of our types about `subject`.
    pub fn new(subject: Subject, predicate: ReleaseReview) -> Self {
        Statement {
            statement_type: STATEMENT_TYPE.to_owned(),
            subject: vec![subject],
            predicate_type: PREDICATE_TYPE.to_owned(),
            predicate,
        }
    }
}

/// One artifact the statement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The artifact's file name (no directories), e.g. `left-pad-1.3.0.tgz`.
    pub name: String,
    /// Digests of the artifact's bytes.
    pub digest: SubjectDigest,
}

/// The digests of an artifact file, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDigest {
    /// SHA-512 of the file, as npm's `integrity` uses, in hex.
    pub sha512: String,
    /// SHA-256 of the file, in hex.
    pub sha256: String,
}

/// The release-review predicate ([`PREDICATE_TYPE`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseReview {
    /// The decision.
    pub result: ReviewResult,
    /// Why the release was rejected (empty for approvals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who reviewed: the principal looked up in `allowed_signers`.
    pub reviewer: Reviewer,
    /// When the reviewer signed off (as the reviewer's clock said).
    pub reviewed_at: Timestamp,
    /// After this instant the approval no longer lets the artifact be published.
    pub expires_at: Timestamp,
    /// The program that produced the statement.
    pub tool: Tool,
    /// The policy file in force, if one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyDigest>,
    /// The package as its metadata names it.
    pub package: Package,
    /// The release manifest of the reviewed artifact.
    pub manifest: ManifestDigest,
    /// How much of the artifact the reviewer actually read.
    pub coverage: Coverage,
    /// Every finding that existed at review time and did not block the approval.
    pub findings: Vec<FindingRecord>,
    /// Findings the reviewer waived, each with its justification.
    pub waivers: Vec<Waiver>,
}

/// The reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewResult {
    /// The artifact may be published.
    Approved,
    /// The artifact must not be published.
    Rejected,
}

/// The reviewer, by principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewer {
    /// The `allowed_signers` principal, usually an email address.
    pub id: String,
}

/// The program that wrote the statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Program name (`shipcheck`).
    pub name: String,
    /// Program version.
    pub version: String,
}

/// The digest of the policy file the review ran under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDigest {
    /// SHA-256 of the policy file's bytes, in hex.
    pub sha256: String,
}

/// The package as its own metadata names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Package name, e.g. `@scope/name`.
    pub name: String,
    /// Package version.
    pub version: String,
}

/// The release manifest of the reviewed artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestDigest {
    /// SHA-256 of the manifest's canonical bytes, in hex.
    pub sha256: String,
    /// Number of file entries in the artifact.
    pub files: u64,
}

/// How much the reviewer read. A file counts as viewed when its content was shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// Files whose content was shown.
    pub files_viewed: u64,
    /// Files in the artifact (embedded source-map sources included).
    pub files_total: u64,
    /// Flagged files whose content was shown.
    pub flagged_viewed: u64,
    /// Files with at least one finding.
    pub flagged_total: u64,
    /// Paths of the flagged files that were viewed, so a policy can require all of them.
    pub flagged_files_viewed: Vec<String>,
}

/// A finding present at review time that did not block the approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// Rule id, kebab-case.
    pub rule: String,
    /// Severity as the rule registry spells it (`critical`, `high`, `medium`, `low`, `info`).
    pub severity: String,
    /// Path of the entry inside the artifact.
    pub path: String,
    /// Why the finding did not block.
    pub status: FindingStatus,
}

/// Why a recorded finding did not block the approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// The reviewer waived it (see `waivers`).
    Waived,
    /// Its severity is below the failing threshold.
    BelowThreshold,
    /// The policy allows it.
    Allowed,
}

/// A finding the reviewer waived, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// Rule id of the waived finding.
    pub rule: String,
    /// Path of the waived finding.
    pub path: String,
    /// The reviewer's justification, in their words.
    pub justification: String,
}

/// Whether any subject of `statement` names `name` with exactly these digests (hex, any case).
pub fn subject_matches(
    statement: &Statement,
    name: &str,
    sha512_hex: &str,
    sha256_hex: &str,
) -> bool {
    statement.subject.iter().any(|s| {
        s.name == name
            && s.digest.sha512.eq_ignore_ascii_case(sha512_hex)
            && s.digest.sha256.eq_ignore_ascii_case(sha256_hex)
    })
}

/// Whether the approval has expired at `now`: it is valid up to and excluding `expiresAt`.
pub fn expired(statement: &Statement, now: Timestamp) -> bool {
    now >= statement.predicate.expires_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::testkit::statement;

    #[test]
    fn the_written_statement_has_in_toto_and_camel_case_names() {
        let st = statement("alice@example.com");
        let json = serde_json::to_string_pretty(&st).expect("serialises");
        insta::assert_snapshot!("release_review_statement", json);
        let back: Statement = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, st, "round trip");
    }

    #[test]
    fn rejections_carry_a_reason_and_unknown_statuses_are_refused() {
        let mut st = statement("bob@example.com");
        st.predicate.result = ReviewResult::Rejected;
        st.predicate.reason = Some("bundles a wallet drainer".into());
        let json = serde_json::to_value(&st).expect("serialises");
        assert_eq!(json["predicate"]["result"], "rejected");
        assert_eq!(json["predicate"]["reason"], "bundles a wallet drainer");
        let text = serde_json::to_string(&st)
            .expect("serialises")
            .replace("\"waived\"", "\"ignored\"");
        assert!(
            serde_json::from_str::<Statement>(&text).is_err(),
            "a finding status outside the vocabulary is refused"
        );
    }

    #[test]
    fn subject_and_expiry_helpers() {
        let st = statement("alice@example.com");
        let (sha512, sha256) = ("AB".repeat(64), "cd".repeat(32));
        assert!(subject_matches(&st, "left-pad-1.3.0.tgz", &sha512, &sha256));
        assert!(!subject_matches(
            &st,
            "left-pad-1.3.1.tgz",
            &sha512,
            &sha256
        ));
        assert!(!subject_matches(
            &st,
            "left-pad-1.3.0.tgz",
            &sha512,
            &"ce".repeat(32)
        ));
        let expires = st.predicate.expires_at;
        assert!(!expired(&st, Timestamp(expires.0 - 1)));
        assert!(expired(&st, expires), "expiresAt itself is too late");
    }
}
