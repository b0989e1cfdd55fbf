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
    &super::phantom_dependency::RULE,
    &super::size_anomaly::RULE,
    &super::new_file_type::RULE,
    &super::new_top_level_folder::RULE,
    &super::native_binary::RULE,
    &super::trojan_source::RULE,
    &super::bundled_dependencies::RULE,
    &super::git_status::IGNORED,
    &super::git_status::UNTRACKED,
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

    /// One package that trips every rule of the catalogue, against a small baseline and under a
    /// policy with a custom pattern and a lapsed allow entry: a rule that is documented and
    /// registered but never called by the engine fails here.
    #[test]
    fn every_registered_rule_fires_on_the_fixture() {
        use base64::Engine as _;

        use crate::diff::Comparison;
        use crate::manifest::Manifest;
        use crate::rules::test_support::{artifact_of, fixtures};

        let embedded = br#"{"version":3,"sources":["src/a.ts"],"sourcesContent":["export const a = 1;\n"],"mappings":"AAAA"}"#;
        let plain = br#"{"version":3,"sources":["src/a.ts"],"mappings":"AAAA"}"#;
        let inline = format!(
            "console.log(1);\n//# sourceMappingURL=data:application/json;base64,{}\n",
            base64::engine::general_purpose::STANDARD.encode(embedded)
        );
        let big = vec![b'x'; 4096];
        let nested = fixtures::tgz(&[(b"package/index.js", b"module.exports = 1;\n")]);
        let addon = fixtures::elf(3, &[".text"], true, true);
        let mut new = artifact_of(&[
            (
                "package/package.json",
                br#"{"name":"p","version":"2.0.0","scripts":{"postinstall":"node x.js"},"dependencies":{"left-pad":"1.0.0","used-dep":"1.0.0"}}"#,
            ),
            ("package/index.js", b"module.exports = 'INTERNAL ONLY';\n"),
            ("package/dist/app.js.map", embedded),
            ("package/dist/plain.js.map", plain),
            ("package/dist/inline.js", inline.as_bytes()),
            ("package/dist/ref.js", b"x();\n//# sourceMappingURL=gone.js.map\n"),
            ("package/.env", b"TOKEN=1\n"),
            ("package/test/a.test.js", b"test();\n"),
            ("package/bin/app.pdb", b"pdb"),
            ("package/vendor/inner.tgz", &nested),
            ("package/data/big.bin", &big),
            ("package/index.js", b"module.exports = 2;\n"),
            ("package/build/addon.node", &addon),
            (
                "package/lib/auth.js",
                "require('used-dep');\n/*\u{202e} } if (admin) */\n".as_bytes(),
            ),
            ("package/node_modules/dep/package.json", br#"{"name":"dep","version":"1.0.0"}"#),
        ]);
        // What git said of the packed directory (`artifact::git`, tested with a real repository
        // in tests/new_rules.rs).
        new.git = Some(crate::artifact::git::GitStatus {
            dir: ".".into(),
            ignored: vec![".env".into()],
            untracked: vec!["lib/auth.js".into()],
        });
        let old = artifact_of(&[
            ("package/package.json", br#"{"name":"p","version":"1.0.0"}"#),
            ("package/index.js", b"module.exports = 1;\n"),
        ]);
        let policy = crate::rules::Policy::parse(
            "p.toml",
            "[thresholds]\nmax_file_size = \"1K\"\nsize_min_bytes = \"1K\"\n\n[[pattern]]\nid = \"codename\"\nseverity = \"high\"\ncontent = \"INTERNAL ONLY\"\n\n[[allow]]\npath = \"nothing/**\"\nreason = \"lapsed\"\nexpires = \"2000-01-01\"\n",
        )
        .expect("the fixture's policy");
        let (base, current) = (Manifest::of(&old), Manifest::of(&new));
        let diff = crate::diff::diff(&base, &current);
        let comparison = Comparison {
            base: &base,
            current: &current,
            diff: &diff,
        };
        let found: std::collections::BTreeSet<&str> =
            crate::rules::evaluate_with(&new, Some(&comparison), &policy)
                .findings
                .iter()
                .map(|f| lookup(&f.rule).id)
                .collect();
        let silent: Vec<&str> = RULES
            .iter()
            .map(|r| r.id)
            .filter(|id| !found.contains(id))
            .collect();
        assert!(
            silent.is_empty(),
            "registered rules that never fired: {silent:?} (fired: {found:?})"
        );
    }

    #[test]
    fn families_resolve() {
        assert_eq!(lookup("archive-path-traversal").id, "archive-*");
        assert_eq!(lookup("sourcemap-file").id, "sourcemap-file");
        assert_eq!(lookup("internal-hostname").id, "custom-pattern");
    }
}
