//! The on-disk form of `shipcheck.toml`: documented serde types, unknown keys refused.
//!
//! Every key is documented in `docs/check.md`. Values that need checking beyond their type
//! (globs, regexes, severities, rule ids, dates) keep their span so an error can point at the
//! line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// `public` (default) or `internal`.
    pub profile: Option<Spanned<String>>,
    /// Default for `--fail-on`.
    pub fail_on: Option<Spanned<String>>,
    /// Rule ids (or globs like `secret-stripe-*`) that do not run.
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// Rule id (or glob) → severity.
    #[serde(default)]
    pub severity: BTreeMap<String, Spanned<String>>,
    /// Findings let through with a reason.
    #[serde(default)]
    pub allow: Vec<AllowFile>,
    /// Custom name/content patterns.
    #[serde(default)]
    pub pattern: Vec<PatternFile>,
    /// Size and growth limits.
    #[serde(default)]
    pub thresholds: ThresholdsFile,
    /// Sign-off settings the approval uses.
    #[serde(default)]
    pub approval: ApprovalFile,
    /// Per-profile `severity` and `disable` layers; the name must be a built-in profile.
    #[serde(default)]
    pub profiles: BTreeMap<Spanned<String>, LayerFile>,
}

/// `[profiles.NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerFile {
    /// As the top-level `disable`.
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// As the top-level `severity`.
    #[serde(default)]
    pub severity: BTreeMap<String, Spanned<String>>,
}

/// `[[allow]]`. `path` and `reason` are mandatory but optional here, so that a missing one is
/// reported at the entry's line with a precise hint rather than by serde at line 1.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowFile {
    /// Glob over the finding's path. Mandatory.
    pub path: Option<Spanned<String>>,
    /// Rule id or glob; any rule when absent.
    pub rule: Option<Spanned<String>>,
    /// Why this is acceptable. Mandatory.
    pub reason: Option<Spanned<String>>,
    /// `YYYY-MM-DD`, as a TOML date or a string.
    pub expires: Option<Spanned<DateValue>>,
}

/// A date written either way.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum DateValue {
    /// `expires = 2026-12-31`
    Toml(toml::value::Datetime),
    /// `expires = "2026-12-31"`
    Text(String),
}

/// `[[pattern]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternFile {
    /// The finding's rule id.
    pub id: Spanned<String>,
    /// Its severity.
    pub severity: Spanned<String>,
    /// The finding's message.
    pub message: Option<String>,
    /// Glob over file paths.
    pub name: Option<Spanned<String>>,
    /// Regex over file contents.
    pub content: Option<Spanned<String>>,
}

/// A size as bytes or as `"10M"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
    /// Bytes.
    Bytes(u64),
    /// With a unit.
    Text(String),
}

/// `[thresholds]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsFile {
    /// `large-file` limit.
    pub max_file_size: Option<Spanned<SizeValue>>,
    /// `large-file` share of the package (0–1).
    pub max_file_share: Option<Spanned<f64>>,
    /// `size-anomaly` unpacked size ratio.
    pub size_ratio: Option<Spanned<f64>>,
    /// `size-anomaly` file count ratio.
    pub files_ratio: Option<Spanned<f64>>,
    /// `size-anomaly` new file vs old largest ratio.
    pub new_file_ratio: Option<Spanned<f64>>,
    /// Below this, size rules stay quiet.
    pub size_min_bytes: Option<Spanned<SizeValue>>,
    /// Limit for opening nested archives.
    pub nested_max_unpacked: Option<Spanned<SizeValue>>,
}

/// `[approval]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalFile {
    /// Distinct approvers `verify` requires.
    pub min_approvers: Option<Spanned<u32>>,
    /// How old an approval may be: `30d`, `12h`, `2w`.
    pub max_approval_age: Option<Spanned<String>>,
    /// Share of files the reviewer must have viewed (0–1).
    pub required_coverage: Option<Spanned<f64>>,
    /// Whether every flagged file must have been viewed before sign-off (default true).
    pub require_flagged_viewed: Option<bool>,
    /// Rules whose findings a reviewer may not waive (globs like `secret-*`).
    #[serde(default)]
    pub unwaivable: Vec<Spanned<String>>,
    /// Shortest waiver justification, in characters (default 10).
    pub min_waiver_reason: Option<Spanned<u32>>,
    /// git-style allowed_signers file, relative to the policy file.
    pub allowed_signers: Option<Spanned<String>>,
}
