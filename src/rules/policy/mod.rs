//! The policy (`shipcheck.toml`): what the rules report and how severe it is for this package.
//!
//! [`Policy::load`] reads and validates the file ([`file`] holds its serde form); every error
//! names the file, the line and a hint. [`Policy::apply`] (in [`apply`]) turns raw findings
//! into policy findings: disabled rules dropped, severities overridden, allowed findings
//! marked (never dropped). `Policy::default()` is the `public` profile with no file.

pub mod apply;
pub mod file;
mod sections;

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use regex::bytes::Regex;
use sha2::Digest as _;

use super::{Rule, Severity, registry};
use file::{PolicyFile, SizeValue};

pub use apply::{Date, EXPIRED_RULE};

/// A policy error, pointing into the file. It displays as one line,
/// `FILE:LINE:COLUMN: message (hint: …)`, because `main` prints every error on one line.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message} (hint: {hint})")]
pub struct PolicyError {
    /// The policy file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// The profiles a policy may select and a `[profiles.NAME]` table may name. They are fixed,
/// not user-definable: each one changes built-in severities, so a misspelled name must be an
/// error rather than a table that silently never applies.
pub const PROFILES: &[&str] = &["public", "internal"];

/// The built-in profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Published to a public registry: defaults as documented.
    #[default]
    Public,
    /// Published to a private registry: maps and dev files matter less.
    Internal,
}

/// Size and growth limits.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Thresholds {
    /// `large-file`: bytes (default 10 MB).
    pub max_file_size: u64,
    /// `large-file`: share of the package one file may hold (default 0.5).
    pub max_file_share: f64,
    /// `large-file`: files below this never count as dominant (default 1 MB).
    pub share_min_bytes: u64,
    /// `size-anomaly`: unpacked size ratio (default 2.0).
    pub size_ratio: f64,
    /// `size-anomaly`: file count ratio (default 1.5).
    pub files_ratio: f64,
    /// `size-anomaly`: new file vs old largest (default 10).
    pub new_file_ratio: f64,
    /// Size rules stay quiet below this (default 64 kB).
    pub size_min_bytes: u64,
    /// All nested archives of one artifact together are opened up to this much unpacked
    /// (default 256 MB); `--max-nested-unpacked` overrides it.
    pub nested_max_unpacked: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            max_file_size: 10_000_000,
            max_file_share: 0.5,
            share_min_bytes: 1_000_000,
            size_ratio: 2.0,
            files_ratio: 1.5,
            new_file_ratio: 10.0,
            size_min_bytes: 64_000,
            nested_max_unpacked: 256_000_000,
        }
    }
}

/// Sign-off settings: what the review screen requires before it signs, and what `verify`
/// requires of an approval.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Approval {
    /// Distinct approvers required (default 1).
    pub min_approvers: u32,
    /// How long an approval stays valid, in seconds (default 30 days).
    pub max_approval_age: Option<u64>,
    /// Share of files a reviewer must have viewed, if required.
    pub required_coverage: Option<f64>,
    /// Every flagged file must have been viewed before sign-off (default true).
    pub require_flagged_viewed: bool,
    /// Rules whose findings may not be waived at sign-off, as written in the policy.
    pub unwaivable: Vec<String>,
    /// The same, compiled.
    #[serde(skip)]
    pub unwaivable_globs: Vec<GlobMatcher>,
    /// Shortest waiver justification, in characters.
    pub min_waiver_reason: u32,
    /// The allowed_signers file the policy names, as written (relative to the policy file).
    pub allowed_signers: Option<PathBuf>,
}

/// How long an approval stays valid when the policy does not say: 30 days.
pub const DEFAULT_APPROVAL_AGE: u64 = 30 * 86_400;

impl Default for Approval {
    fn default() -> Self {
        Self {
            min_approvers: 1,
            max_approval_age: None,
            required_coverage: None,
            require_flagged_viewed: true,
            unwaivable: Vec::new(),
            unwaivable_globs: Vec::new(),
            min_waiver_reason: 10,
            allowed_signers: None,
        }
    }
}

impl Approval {
    /// When the policy forbids waiving a finding of `rule`, the glob that says so.
    pub fn forbids_waiving(&self, rule: &str) -> Option<&str> {
        self.unwaivable_globs
            .iter()
            .zip(&self.unwaivable)
            .find(|(g, _)| g.is_match(rule))
            .map(|(_, s)| s.as_str())
    }

    /// The approval's lifetime in seconds.
    pub fn lifetime(&self) -> u64 {
        self.max_approval_age.unwrap_or(DEFAULT_APPROVAL_AGE)
    }
}

/// An `[[allow]]` entry.
#[derive(Debug, Clone)]
pub struct Allow {
    /// The glob as written.
    pub path: String,
    glob: GlobMatcher,
    rule: Option<GlobMatcher>,
    /// The reason.
    pub reason: String,
    /// Expiry.
    pub expires: Option<Date>,
}

/// A `[[pattern]]` entry, compiled.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The finding's rule id.
    pub id: String,
    /// Its severity.
    pub severity: Severity,
    /// Its message.
    pub message: String,
    /// Path glob.
    pub name: Option<GlobMatcher>,
    /// Content regex.
    pub content: Option<Regex>,
}

/// A loaded policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where it was read from (`None`: built-in defaults).
    pub source: Option<PathBuf>,
    /// sha256 of the file's bytes, for the approval.
    pub sha256: Option<String>,
    /// The profile.
    pub profile: Profile,
    /// Default `--fail-on`.
    pub fail_on: Option<Severity>,
    disabled: Vec<GlobMatcher>,
    severity: Vec<(GlobMatcher, Severity)>,
    /// Allow entries.
    pub allow: Vec<Allow>,
    /// Custom patterns.
    pub patterns: Vec<Pattern>,
    /// Limits.
    pub thresholds: Thresholds,
    /// Sign-off settings.
    pub approval: Approval,
    /// The date expiries are judged against (today, unless a test sets it).
    pub today: Date,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            source: None,
            sha256: None,
            profile: Profile::Public,
            fail_on: None,
            disabled: Vec::new(),
            severity: Vec::new(),
            allow: Vec::new(),
            patterns: Vec::new(),
            thresholds: Thresholds::default(),
            approval: Approval {
                min_approvers: 1,
                ..Approval::default()
            },
            today: Date::today(),
        }
    }
}

/// Severity changes of the `internal` profile: a private registry's readers are colleagues.
const INTERNAL: &[(&str, Severity)] = &[
    ("sourcemap-embedded-sources", Severity::Medium),
    ("sourcemap-inline", Severity::Low),
    ("sourcemap-file", Severity::Info),
    ("sourcemap-reference", Severity::Info),
    ("no-files-allowlist", Severity::Low),
    ("dev-artifact", Severity::Low),
];

struct Ctx<'a> {
    name: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> PolicyError {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |p| p + 1) + 1;
        PolicyError {
            file: self.name.to_owned(),
            line,
            column,
            message: one_line(&message.into()),
            hint: one_line(&hint.into()),
        }
    }

    /// A number that must lie in `range`.
    fn within(
        &self,
        v: &toml::Spanned<f64>,
        key: &str,
        range: std::ops::RangeInclusive<f64>,
        hint: &str,
    ) -> Result<f64, PolicyError> {
        let n = *v.get_ref();
        if n.is_finite() && range.contains(&n) {
            Ok(n)
        } else {
            Err(self.err(v.span(), format!("{key} = {n} is out of range"), hint))
        }
    }

    /// The span of the `i`-th `[[allow]]` entry's header, found before its first key (or by
    /// counting headers when it has none); an inline `allow = [{…}]` entry points at its key.
    fn allow_span(
        &self,
        i: usize,
        first_key: Option<std::ops::Range<usize>>,
    ) -> std::ops::Range<usize> {
        let header = |end: usize| {
            self.text[..end]
                .rfind("[[allow]]")
                .map(|p| p..p + "[[allow]]".len())
        };
        match first_key {
            Some(k) => header(k.start)
                .filter(|h| !self.text[h.end..k.start].contains("[["))
                .unwrap_or(k),
            None => self
                .text
                .match_indices("[[allow]]")
                .nth(i)
                .map_or(0..0, |(p, _)| p..p + "[[allow]]".len()),
        }
    }

    fn severity(&self, s: &toml::Spanned<String>) -> Result<Severity, PolicyError> {
        s.get_ref()
            .parse()
            .map_err(|e: String| self.err(s.span(), e, "use critical, high, medium, low or info"))
    }

    fn glob(&self, s: &toml::Spanned<String>) -> Result<GlobMatcher, PolicyError> {
        Glob::new(s.get_ref())
            .map(|g| g.compile_matcher())
            .map_err(|e| {
                self.err(
                    s.span(),
                    format!("bad glob {:?}: {e}", s.get_ref()),
                    "globs use `*`, `**`, `?`, `[ab]`, `{a,b}`",
                )
            })
    }

    fn rule_glob(
        &self,
        s: &toml::Spanned<String>,
        custom: &[Pattern],
    ) -> Result<GlobMatcher, PolicyError> {
        let g = self.glob(s)?;
        let known = registry::all().any(|r| {
            g.is_match(r.id)
                || r.id
                    .strip_suffix('*')
                    .is_some_and(|f| s.get_ref().starts_with(f))
        }) || custom.iter().any(|p| g.is_match(&p.id));
        if !known {
            return Err(self.err(
                s.span(),
                format!("unknown rule {:?}", s.get_ref()),
                "`shipcheck rules` lists every id; globs like `secret-*` work",
            ));
        }
        Ok(g)
    }

    fn size(&self, v: &toml::Spanned<SizeValue>) -> Result<u64, PolicyError> {
        match v.get_ref() {
            SizeValue::Bytes(n) => Ok(*n),
            SizeValue::Text(t) => crate::units::parse_size(t)
                .map_err(|e| self.err(v.span(), e, "write a size like 10M or 512K")),
        }
    }
}

impl Policy {
    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = crate::outfile::read_text_input(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut p = Self::parse(&path.display().to_string(), &text)?;
        p.source = Some(path.to_owned());
        Ok(p)
    }

    /// Parses policy text; `name` is used in error messages.
    pub fn parse(name: &str, text: &str) -> Result<Self, PolicyError> {
        let cx = Ctx { name, text };
        let f: PolicyFile = toml::from_str(text).map_err(|e| {
            let m = e.message();
            let hint = if m.contains("unknown field") {
                "see docs/check.md for every key"
            } else if m.contains("SizeValue") {
                "write a size as bytes (0 or more) or like \"10M\", \"512K\""
            } else if m.contains("expected u32") {
                "write a whole number of 1 or more"
            } else if m.contains("expected f64") {
                "write a number such as 1.5"
            } else {
                "check the TOML syntax"
            };
            cx.err(
                e.span().unwrap_or(0..0),
                e.message().trim().to_owned(),
                hint,
            )
        })?;
        for name in f.profiles.keys() {
            if !PROFILES.contains(&name.get_ref().as_str()) {
                return Err(cx.err(
                    name.span(),
                    format!("unknown profile {:?} in [profiles]", name.get_ref()),
                    format!("known profiles: {}", PROFILES.join(", ")),
                ));
            }
        }
        let mut p = Policy {
            sha256: Some(crate::units::hex(&sha2::Sha256::digest(text.as_bytes()))),
            ..Policy::default()
        };
        sections::profile(&cx, &f, &mut p)?;
        if let Some(sev) = &f.fail_on {
            p.fail_on = Some(cx.severity(sev)?);
        }
        for pat in &f.pattern {
            p.patterns.push(pattern(&cx, pat)?);
        }
        sections::severities(&cx, &f, &mut p)?;
        sections::allow(&cx, &f, &mut p)?;
        sections::thresholds(&cx, &f, &mut p)?;
        sections::approval(&cx, &f, &mut p)?;
        Ok(p)
    }

    /// The allowed_signers file the policy names, resolved against the policy file's folder.
    pub fn allowed_signers(&self) -> Option<PathBuf> {
        let named = self.approval.allowed_signers.as_ref()?;
        let dir = self
            .source
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""));
        Some(dir.join(named))
    }

    /// False when the policy disables `id` (`secret-*` asks about the whole family).
    pub fn enabled(&self, id: &str) -> bool {
        !self
            .disabled
            .iter()
            .any(|g| g.is_match(id) || g.glob().glob() == id)
    }

    /// The severity the policy gives a rule's findings, if it overrides it.
    pub fn severity_for(&self, id: &str) -> Option<Severity> {
        self.severity
            .iter()
            .rev()
            .find(|(g, _)| g.is_match(id))
            .map(|(_, s)| *s)
    }

    /// The custom patterns documented as rules (for the catalogue of a run).
    pub fn pattern_rules(&self) -> Vec<Rule> {
        self.patterns
            .iter()
            .map(|p| Rule {
                id: "custom-pattern",
                severity: p.severity,
                summary: "policy pattern",
                why: super::custom_pattern::RULE.why,
            })
            .collect()
    }
}

/// Folds a multi-line text (toml's messages can hold a snippet) onto one line.
fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn pattern(cx: &Ctx<'_>, pat: &file::PatternFile) -> Result<Pattern, PolicyError> {
    let id = pat.id.get_ref();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(cx.err(
            pat.id.span(),
            format!("pattern id {id:?} is not kebab-case"),
            "use lowercase letters, digits and `-`",
        ));
    }
    if registry::all()
        .any(|r| r.id == id || r.id.strip_suffix('*').is_some_and(|f| id.starts_with(f)))
    {
        return Err(cx.err(
            pat.id.span(),
            format!("pattern id {id:?} collides with a built-in rule"),
            "pick a new id, e.g. prefix it with your project's name",
        ));
    }
    if pat.name.is_none() && pat.content.is_none() {
        return Err(cx.err(
            pat.id.span(),
            "pattern needs `name` or `content`",
            "add name = \"glob\" or content = \"regex\"",
        ));
    }
    let content = match &pat.content {
        None => None,
        Some(c) => Some(Regex::new(c.get_ref()).map_err(|e| {
            let first = e.to_string().lines().last().unwrap_or_default().to_owned();
            cx.err(
                c.span(),
                format!("bad regex: {first}"),
                "regex syntax is Rust's `regex` crate; use single quotes for backslashes",
            )
        })?),
    };
    Ok(Pattern {
        id: id.clone(),
        severity: cx.severity(&pat.severity)?,
        message: pat
            .message
            .clone()
            .unwrap_or_else(|| format!("matches policy pattern {id}")),
        name: pat.name.as_ref().map(|n| cx.glob(n)).transpose()?,
        content,
    })
}

#[cfg(test)]
mod tests;
