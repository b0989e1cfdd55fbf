//! `dev-artifact`: tests, fixtures, coverage, CI and editor files that users never need.
//!
//! Reported once per folder or file kind (not once per file), so a package that ships its
//! whole `test/` tree gets one readable finding with the count and size.

use std::collections::BTreeMap;

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Location, Rule, Severity};
use crate::detect::text::file_name;

/// The rule.
pub const RULE: Rule = Rule {
    id: "dev-artifact",
    severity: Severity::Medium,
    summary: "development files: tests, fixtures, coverage, CI configs, editor folders, logs",
    why: "They make every install bigger, and they are where keys, internal URLs and sample \
          customer data hide (fixtures, logs, coverage reports with source). A `files` \
          allowlist in package.json keeps them out without maintaining an ignore list.",
};

const DIRS: &[(&str, &str)] = &[
    ("test", "tests"),
    ("tests", "tests"),
    ("__tests__", "tests"),
    ("spec", "tests"),
    ("__mocks__", "test mocks"),
    ("fixtures", "test fixtures"),
    ("__fixtures__", "test fixtures"),
    ("coverage", "coverage report"),
    (".nyc_output", "coverage data"),
    (".github", "CI configuration"),
    (".circleci", "CI configuration"),
    (".gitlab", "CI configuration"),
    (".vscode", "editor settings"),
    (".idea", "editor settings"),
    (".husky", "git hooks"),
    (".turbo", "build cache"),
    (".cache", "build cache"),
];

/// What kind of dev file `path` is, and the group it is reported under.
fn classify(path: &str) -> Option<(&'static str, String)> {
    // One pass over the folders, in order: a check per folder against the ones before it
    // would be quadratic in depth, and a name can hold tens of thousands of components.
    let folders = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut end = 0;
    for part in folders.split('/') {
        end += part.len();
        if let Some((_, what)) = DIRS.iter().find(|(d, _)| part.eq_ignore_ascii_case(d)) {
            return Some((what, format!("{}/", &path[..end])));
        }
        // `node_modules/x/test/` inside a bundled dependency is the dependency's business.
        if part == "node_modules" {
            break;
        }
        end += 1;
    }
    let name = file_name(path).to_ascii_lowercase();
    let kind = if name.ends_with(".log") {
        "log file"
    } else if name.ends_with(".tsbuildinfo") {
        "TypeScript build info"
    } else if matches!(
        name.as_str(),
        ".travis.yml"
            | ".gitlab-ci.yml"
            | "appveyor.yml"
            | "azure-pipelines.yml"
            | "jenkinsfile"
            | ".drone.yml"
    ) {
        "CI configuration"
    } else if matches!(
        name.as_str(),
        "stats.json"
            | "webpack-stats.json"
            | "bundle-stats.json"
            | "report.html"
            | "bundle-report.html"
            | "stats.html"
    ) {
        "bundle-analyzer report"
    } else if name.ends_with(".swp")
        || name.ends_with('~')
        || name.ends_with(".orig")
        || name.ends_with(".rej")
        || name == ".eslintcache"
    {
        "editor or merge leftover"
    } else {
        return None;
    };
    Some((kind, format!("*{kind}")))
}

/// Dev files seen so far, by group.
#[derive(Debug, Default)]
pub struct Groups {
    groups: BTreeMap<String, Group>,
}

#[derive(Debug)]
struct Group {
    what: &'static str,
    first: Location,
    files: u64,
    bytes: u64,
}

impl Groups {
    /// Counts `ctx`'s file if it is a dev file.
    pub fn add(&mut self, ctx: &FileCtx<'_>, size: u64) {
        if !ctx.policy.enabled(RULE.id) {
            return;
        }
        let Some((what, key)) = classify(ctx.name()) else {
            return;
        };
        let g = self.groups.entry(key).or_insert_with(|| Group {
            what,
            first: ctx.location(None, None),
            files: 0,
            bytes: 0,
        });
        g.files += 1;
        g.bytes += size;
    }

    /// Adds another set of groups (from a worker thread) to this one.
    pub fn merge(&mut self, other: Groups) {
        for (key, g) in other.groups {
            match self.groups.get_mut(&key) {
                Some(mine) => {
                    mine.files += g.files;
                    mine.bytes += g.bytes;
                    if g.first.entry < mine.first.entry {
                        mine.first = g.first;
                    }
                }
                None => {
                    self.groups.insert(key, g);
                }
            }
        }
    }

    /// One finding per group.
    pub fn findings(&self) -> Vec<Finding> {
        self.groups
            .iter()
            .map(|(key, g)| {
                let mut loc = g.first.clone();
                let folder = key.ends_with('/');
                if folder {
                    loc = Location {
                        path: key.clone(),
                        ..Location::default()
                    };
                }
                let size = crate::units::size(g.bytes);
                Finding::new(
                    &RULE,
                    loc,
                    format!("{}: {} file(s), {size}", g.what, g.files),
                )
                .evidence(
                    json!({ "kind": g.what, "group": key, "files": g.files, "bytes": g.bytes }),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Policy;

    #[test]
    fn groups_by_folder_and_kind() {
        let policy = Policy::default();
        let mut g = Groups::default();
        for (p, n) in [
            ("test/a.js", 10),
            ("test/b/c.js", 5),
            ("lib/x.js", 1),
            ("npm-debug.log", 3),
            ("node_modules/dep/test/t.js", 1),
        ] {
            g.add(
                &FileCtx {
                    entry: None,
                    path: p,
                    inner: None,
                    policy: &policy,
                },
                n,
            );
        }
        let f = g.findings();
        assert_eq!(f.len(), 2, "{f:?}");
        let tests = f
            .iter()
            .find(|f| f.location.path == "test/")
            .expect("test/ group");
        assert_eq!(tests.evidence["files"], 2);
        assert_eq!(tests.evidence["bytes"], 15);
        assert!(f.iter().any(|f| f.location.path == "npm-debug.log"));
    }

    #[test]
    fn ordinary_files_are_not_dev_files() {
        assert!(classify("lib/testing-library.js").is_none());
        assert!(classify("dist/index.js").is_none());
        assert!(classify("README.md").is_none());
    }
}
