//! Every output of shipcheck's commands: `check`'s [`Report`] in text, JSON, SARIF and
//! markdown ([`render`]), and the `ls`, `diff` and `manifest` views of the model.
//!
//! Every string that came from the artifact passes through [`crate::sanitize`] here, at the
//! last moment before output; the model keeps the real values.

pub mod check_json;
pub mod check_text;
pub mod diff_text;
pub mod ls;
pub mod markdown;
pub mod sarif;

use crate::diff::Diff;
use crate::manifest::ArtifactSummary;
use crate::rules::{Finding, Policy, Severity};

/// Everything `check` found, ready for any output format.
#[derive(Debug)]
pub struct Report {
    /// The artifact checked.
    pub artifact: ArtifactSummary,
    /// The baseline it was compared with.
    pub baseline: Option<ArtifactSummary>,
    /// The comparison.
    pub diff: Option<Diff>,
    /// Findings after the policy, worst first.
    pub findings: Vec<Finding>,
    /// The policy applied.
    pub policy: Policy,
}

impl Report {
    /// Findings by severity (allowed ones excluded), worst first.
    pub fn counts(&self) -> [(Severity, usize); 5] {
        Severity::ALL.map(|s| {
            let n = self
                .findings
                .iter()
                .filter(|f| f.allowed.is_none() && f.severity == s)
                .count();
            (s, n)
        })
    }

    /// True when a finding at or above `threshold` is not allowed: exit 1.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.blocks_at(threshold))
    }
}

/// `check --format`: how a [`Report`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: findings by severity, coloured on a terminal.
    Text,
    /// design.md §2's schema, documented in `docs/check.md`.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// A pull-request comment.
    Markdown,
}

/// `report` in `format`; `fail_on` is the threshold the verdict is judged at and `colour`
/// whether text output is coloured.
pub fn render(
    report: &Report,
    format: Format,
    fail_on: Severity,
    colour: bool,
) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => check_json::render(report, fail_on)?,
        Format::Sarif => sarif::render(report)?,
        Format::Markdown => markdown::render(report, fail_on),
        Format::Text => check_text::render(report, fail_on, colour),
    })
}

/// The first `chars` characters of a digest, sanitised: a digest from a manifest is as
/// untrusted as any other string in it (and may not even be ASCII), so it is cut by
/// characters, never by bytes.
pub fn digest_prefix(digest: &str, chars: usize) -> String {
    let end = digest
        .char_indices()
        .nth(chars)
        .map_or(digest.len(), |(i, _)| i);
    crate::sanitize::for_terminal(&digest[..end]).into_owned()
}

/// `-rw-r--r--` for a kind and mode.
pub fn mode_string(kind: crate::artifact::EntryKind, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    push_mode(&mut s, kind, mode);
    s
}

/// [`mode_string`] appended to `out`, without an allocation of its own.
pub fn push_mode(out: &mut String, kind: crate::artifact::EntryKind, mode: u32) {
    out.push(kind.symbol());
    // As `ls -l`: setuid, setgid and sticky show in the execute column (`s`/`S`, `t`/`T`).
    for (shift, special, set) in [(6u32, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        out.push(match (bits & 1 != 0, mode & special != 0) {
            (true, true) => set,
            (false, true) => set.to_ascii_uppercase(),
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::EntryKind;

    #[test]
    fn sizes_and_modes_read_naturally() {
        assert_eq!(mode_string(EntryKind::File, 0o644), "-rw-r--r--");
        assert_eq!(mode_string(EntryKind::Dir, 0o755), "drwxr-xr-x");
        assert_eq!(mode_string(EntryKind::File, 0o4755), "-rwsr-xr-x");
        assert_eq!(mode_string(EntryKind::File, 0o2644), "-rw-r-Sr--");
        assert_eq!(mode_string(EntryKind::Dir, 0o1777), "drwxrwxrwt");
        assert_eq!(mode_string(EntryKind::File, 0o7000), "---S--S--T");
    }

    #[test]
    fn digest_prefixes_are_cut_by_characters_and_sanitised() {
        assert_eq!(digest_prefix("0123456789abcdef", 12), "0123456789ab");
        assert_eq!(digest_prefix("abc", 12), "abc");
        assert_eq!(
            digest_prefix(&format!("a{}", "é".repeat(10)), 12),
            format!("a{}", "é".repeat(10)),
            "no slicing inside a character"
        );
        assert_eq!(digest_prefix("\u{1b}[2Jxxxxxxxxxx", 4), "^[[2J");
    }
}
