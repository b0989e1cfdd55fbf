//! `new-dependency`: dependencies added since the baseline, and specs that left the registry.

use serde_json::json;

use super::{Finding, Location, Rule, Severity};
use crate::diff::Diff;

/// The rule.
pub const RULE: Rule = Rule {
    id: "new-dependency",
    severity: Severity::Medium,
    summary: "a dependency not in the baseline; high for git/URL/file specs",
    why: "A new dependency is new code that runs in every user's process, and often a new \
          install script. Specs pointing at git, a URL, a tarball or a local file bypass the \
          registry's immutability and integrity checks; a spec that changes to one of those \
          between releases is a classic way to slip code in.",
};

/// Sections whose dependencies users install (dev dependencies are not installed).
const INSTALLED: &[&str] = &[
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "bundleDependencies",
    "bundledDependencies",
];

/// True for a spec that does not resolve through the registry.
pub fn is_direct(spec: &str) -> bool {
    let s = spec.trim();
    ["git+", "git:", "git@", "http:", "https:", "file:", "link:", "github:", "gitlab:", "bitbucket:", "gist:"]
        .iter()
        .any(|p| s.starts_with(p))
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with('/')
        // `user/repo` and `user/repo#ref` are GitHub shorthands.
        || (!s.starts_with('@') && !s.starts_with("npm:") && s.split('/').count() == 2 && !s.contains(' '))
}

/// Reports added dependencies and specs that became direct, located at `metadata`: the file
/// that declares them (`package.json`, `METADATA`, `Cargo.toml`), as the artifact names it.
pub fn check(d: &Diff, metadata: Option<&str>, out: &mut Vec<Finding>) {
    let loc = || Location {
        path: metadata.unwrap_or("package.json").to_owned(),
        ..Location::default()
    };
    for m in &d.metadata {
        let Some((section, name)) = m.field.split_once('.') else {
            continue;
        };
        if !INSTALLED.contains(&section) {
            continue;
        }
        let Some(new) = &m.new else { continue };
        let (severity, message) = match &m.old {
            None if is_direct(new) => (
                Severity::High,
                format!("new {section} `{name}` from a non-registry spec `{new}`"),
            ),
            None => (Severity::Medium, format!("new {section} `{name}@{new}`")),
            Some(old) if is_direct(new) && !is_direct(old) => (
                Severity::High,
                format!("{section} `{name}` changed from `{old}` to a non-registry spec `{new}`"),
            ),
            Some(_) => continue,
        };
        out.push(
            Finding::new(&RULE, loc(), message)
                .severity(severity)
                .evidence(
                    json!({ "section": section, "name": name, "spec": new, "previous": m.old }),
                ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use crate::rules::test_support::artifact_of;

    fn m(deps: &str) -> Manifest {
        let pkg = format!(
            r#"{{"name":"a","version":"1.0.0","files":["x"],"dependencies":{{{deps}}},"devDependencies":{{"jest":"1"}}}}"#
        );
        Manifest::of(&artifact_of(&[("package/package.json", pkg.as_bytes())]))
    }

    #[test]
    fn added_and_redirected_dependencies() {
        let old = m(r#""a":"^1.0.0","b":"^2.0.0""#);
        let new =
            m(r#""a":"^1.1.0","b":"github:evil/b","c":"^3.0.0","d":"https://x.example/d.tgz""#);
        let mut out = Vec::new();
        check(
            &crate::diff::diff(&old, &new),
            Some("package.json"),
            &mut out,
        );
        let got: Vec<(String, Severity)> = out
            .iter()
            .map(|f| {
                (
                    f.evidence["name"].as_str().unwrap_or_default().to_owned(),
                    f.severity,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("b".to_owned(), Severity::High),
                ("c".to_owned(), Severity::Medium),
                ("d".to_owned(), Severity::High)
            ],
            "a bump is not reported; b changed to git, c new, d new from a URL"
        );
    }

    #[test]
    fn direct_specs() {
        assert!(is_direct("git+https://github.com/a/b.git"));
        assert!(is_direct("user/repo#main"));
        assert!(is_direct("file:../x"));
        assert!(!is_direct("^1.2.3"));
        assert!(!is_direct("npm:other@1"));
        assert!(!is_direct(">= 1.0.0 < 2"));
    }
}
