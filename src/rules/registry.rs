//! The rule catalogue: one static list of every rule with its id, severity, summary and why.
//!
//! `shipcheck rules`, the SARIF rule table, `docs/rules.md` and the review screen's detail view
//! all read this list, so a rule's documentation cannot drift from the rule itself.

use std::fmt::Write as _;

use super::Rule;

/// Every rule except the `secret-*` formats (listed in [`crate::detect::secrets::formats::FORMATS`]).
pub static RULES: &[&Rule] = &[
    &super::sourcemap_embedded::RULE,
    &super::sourcemap_file::RULE,
    &super::sourcemap_inline::RULE,
    &super::sourcemap_reference::RULE,
    &super::sensitive_file::RULE,
    &super::dev_artifact::RULE,
    &super::debug_artifact::RULE,
    &super::nested_archive::RULE,
    &super::large_file::RULE,
    &super::no_files_allowlist::RULE,
    &super::install_script::RULE,
    &super::new_dependency::RULE,
    &super::size_anomaly::RULE,
    &super::new_file_type::RULE,
    &super::new_top_level_folder::RULE,
    &super::custom_pattern::RULE,
    &super::policy::EXPIRED_RULE,
    &super::archive::RULE,
];

/// The whole catalogue: [`RULES`] followed by every secret format, in a stable order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().copied().chain(
        crate::detect::secrets::formats::FORMATS
            .iter()
            .map(|f| &f.rule),
    )
}

/// The rule documenting `id`: an exact match, else its family (`archive-path-traversal` →
/// `archive-*`; a policy pattern's own id → `custom-pattern`).
pub fn lookup(id: &str) -> &'static Rule {
    all()
        .find(|r| r.id == id)
        .or_else(|| {
            all().find(|r| {
                r.id.strip_suffix('*')
                    .is_some_and(|family| id.starts_with(family))
            })
        })
        .unwrap_or(&super::custom_pattern::RULE)
}

/// The catalogue as text: one block per rule.
pub fn text() -> String {
    let mut out = String::new();
    for r in all() {
        let _ = write!(
            out,
            "{:<30} {:<8} {}\n{}\n\n",
            r.id,
            r.severity,
            r.summary,
            wrap(r.why, 96, "    ")
        );
    }
    out
}

/// The catalogue as the markdown table committed in `docs/rules.md`.
pub fn markdown() -> String {
    let mut out = String::from("| id | default | fires on | why |\n|---|---|---|---|\n");
    for r in all() {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            r.id,
            r.severity,
            r.summary.replace('|', "\\|"),
            r.why.replace('|', "\\|")
        );
    }
    out
}

fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if line.len() > indent.len() && line.len() + 1 + word.len() > width {
            out.push_str(&line);
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in all() {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '*'),
                "{} is not kebab-case",
                r.id
            );
            assert!(!r.summary.is_empty(), "{} has no summary", r.id);
            assert!(r.why.len() > 80, "{} needs a real paragraph of why", r.id);
        }
        assert!(
            all().filter(|r| r.id.starts_with("secret-")).count() >= 40,
            "at least 40 secret formats"
        );
    }

    #[test]
    fn families_resolve() {
        assert_eq!(lookup("archive-path-traversal").id, "archive-*");
        assert_eq!(lookup("sourcemap-file").id, "sourcemap-file");
        assert_eq!(lookup("internal-hostname").id, "custom-pattern");
    }
}
