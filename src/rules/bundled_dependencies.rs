//! `bundled-dependencies`: packages shipped inside the tarball under `node_modules/`.
//!
//! npm installs a bundled dependency from the tarball's bytes, not from the registry: no
//! lockfile integrity, no advisory lookup by its real contents, and its install scripts run
//! like any other dependency's. One finding per package lists each bundled package (from its
//! own `package.json`) with name, version and whether it has install scripts; the
//! `install-script` rule reports the scripts themselves.

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Location, Rule, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "bundled-dependencies",
    severity: Severity::Medium,
    summary: "`node_modules/` shipped in the tarball, with names, versions, install scripts",
    why: "A dependency bundled into the tarball (`bundleDependencies`) is installed from these \
          bytes, not from the registry: no integrity check against the published version, no \
          advisory matches its real content, and what it contains can differ from the version \
          it claims. Its install scripts run at install like any dependency's. The reviewer \
          should know which packages ride along, in which versions, and which of them run code \
          at install.",
};

/// One bundled package.
#[derive(Debug, Clone)]
struct Bundled {
    location: Location,
    name: String,
    version: String,
    scripts: Vec<String>,
}

/// The bundled packages seen while the files streamed past.
#[derive(Debug, Default)]
pub struct Bundles(Vec<Bundled>);

/// The folder of a bundled package when `path` is its `package.json`
/// (`node_modules/x/package.json`, `node_modules/@s/x/package.json`, nested ones too).
fn package_json_of(path: &str) -> Option<&str> {
    let pos = path.rfind("node_modules/")?;
    let rest = path[pos + "node_modules/".len()..].strip_suffix("/package.json")?;
    let depth = if rest.starts_with('@') { 2 } else { 1 };
    (rest.split('/').count() == depth && !rest.is_empty()).then_some(rest)
}

impl Bundles {
    /// Reads a top-level `node_modules/…/package.json`.
    pub fn add(&mut self, ctx: &FileCtx<'_>, bytes: &[u8]) {
        if ctx.inner.is_some() {
            return;
        }
        let Some(folder) = package_json_of(ctx.path) else {
            return;
        };
        let pkg: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
        let text = |k: &str| pkg[k].as_str().map(str::to_owned);
        let scripts = ["preinstall", "install", "postinstall"]
            .iter()
            .filter(|h| pkg["scripts"][**h].is_string())
            .map(|h| (*h).to_owned())
            .collect();
        self.0.push(Bundled {
            location: ctx.location(None, None),
            name: text("name").unwrap_or_else(|| folder.to_owned()),
            version: text("version").unwrap_or_else(|| "?".to_owned()),
            scripts,
        });
    }

    /// Takes over another scanner's.
    pub fn merge(&mut self, other: Bundles) {
        self.0.extend(other.0);
    }

    /// One listing finding, at the first bundled package.
    pub fn findings(mut self) -> Option<Finding> {
        if self.0.is_empty() {
            return None;
        }
        self.0.sort_by_key(|a| a.location.entry);
        let with_scripts = self.0.iter().filter(|b| !b.scripts.is_empty()).count();
        let shown: Vec<String> = self
            .0
            .iter()
            .take(8)
            .map(|b| {
                let runs = if b.scripts.is_empty() {
                    String::new()
                } else {
                    format!(" (runs {})", b.scripts.join(", "))
                };
                format!("{}@{}{runs}", b.name, b.version)
            })
            .collect();
        let more = self.0.len() - shown.len();
        let message = format!(
            "{} bundled package{} in node_modules/, {with_scripts} with install scripts: {}{}",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" },
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more (in the evidence)")
            } else {
                String::new()
            }
        );
        let list: Vec<_> = self
            .0
            .iter()
            .map(|b| {
                json!({ "name": b.name, "version": b.version, "path": b.location.path,
                        "install_scripts": b.scripts })
            })
            .collect();
        let first = self.0[0].location.clone();
        Some(Finding::new(&RULE, first, message).evidence(json!({ "packages": list })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::artifact_of;

    #[test]
    fn bundled_packages_are_listed_with_versions_and_scripts() {
        let a = artifact_of(&[
            (
                "package/package.json",
                br#"{"name":"app","version":"1.0.0","bundleDependencies":["a","@s/b"]}"#,
            ),
            ("package/index.js", b"require('a');\n"),
            (
                "package/node_modules/a/package.json",
                br#"{"name":"a","version":"1.2.3"}"#,
            ),
            ("package/node_modules/a/index.js", b"module.exports = 1;\n"),
            (
                "package/node_modules/@s/b/package.json",
                br#"{"name":"@s/b","version":"0.1.0","scripts":{"postinstall":"node x"}}"#,
            ),
            (
                "package/node_modules/a/node_modules/c/package.json",
                b"{ broken",
            ),
            (
                "package/node_modules/a/lib/package.json",
                br#"{"type":"module"}"#,
            ),
        ]);
        let ev = crate::rules::evaluate(&a, None);
        let found: Vec<_> = ev.findings.iter().filter(|f| f.rule == RULE.id).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.path, "node_modules/a/package.json");
        assert_eq!(
            found[0].message,
            "3 bundled packages in node_modules/, 1 with install scripts: a@1.2.3, @s/b@0.1.0 (runs postinstall), c@?"
        );
        assert_eq!(
            found[0].evidence["packages"][1]["install_scripts"][0],
            "postinstall"
        );
    }

    #[test]
    fn package_json_paths() {
        assert_eq!(package_json_of("node_modules/x/package.json"), Some("x"));
        assert_eq!(
            package_json_of("node_modules/@s/x/package.json"),
            Some("@s/x")
        );
        assert_eq!(package_json_of("node_modules/x/lib/package.json"), None);
        assert_eq!(package_json_of("node_modules/package.json"), None);
        assert_eq!(package_json_of("package.json"), None);
    }
}
