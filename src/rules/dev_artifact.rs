//! `dev-artifact`: tests, fixtures, coverage, CI and editor files that users never need.
//!
//! Reported once per folder or file kind (not once per file), so a package that ships its
//! whole `test/` tree gets one readable finding with the count and size.
//!
//! A folder named `test/` is a test folder when it holds tests, not because of its name: a web
//! framework's test-client module or a CLI's `commands/test/` is runtime code. So a tests group
//! whose code files show no sign of a test (a test-framework import or call, a `*.test.*` /
//! `test_*.py` name) is not reported; one of data files only (fixtures) still is.

use std::collections::BTreeMap;

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Location, Rule, Severity};
use crate::detect::text::{extension, file_name};

/// Extensions of code files: a tests folder of these must show a test to be reported.
const CODE: &[&str] = &[
    "js", "mjs", "cjs", "ts", "mts", "cts", "jsx", "tsx", "py", "rs", "go", "rb", "java", "kt",
    "php", "cs", "swift",
];

/// Calls and imports that only test code makes. Matched at a word start, in the first
/// [`SNIFF`] bytes of a file.
const TEST_MARKERS: &[&str] = &[
    "describe(",
    "it(\"",
    "it('",
    "it(`",
    "test(\"",
    "test('",
    "test(`",
    "expect(",
    "import pytest",
    "import unittest",
    "from unittest",
    "from pytest",
    "def test_",
    "#[test]",
    "#[cfg(test)]",
    "require('assert')",
    "require(\"assert\")",
    "node:test",
    "from 'vitest'",
    "from \"vitest\"",
    "@jest/globals",
    "func Test",
    "RSpec.",
    "@Test",
];

/// How much of a file is read for test markers.
const SNIFF: usize = 64 * 1024;

/// True when `name` and the start of `bytes` show a test: a test file name or a test call.
fn looks_like_test(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if [".test.", ".spec.", "_test.", "_spec.", "test_"]
        .iter()
        .any(|m| lower.contains(m))
        || lower == "conftest.py"
    {
        return true;
    }
    let head = &bytes[..bytes.len().min(SNIFF)];
    TEST_MARKERS.iter().any(|m| {
        memchr::memmem::find_iter(head, m.as_bytes()).any(|at| {
            at == 0
                || !(head[at - 1].is_ascii_alphanumeric()
                    || head[at - 1] == b'_'
                    || head[at - 1] == b'.')
        })
    })
}

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
        // `cargo package` writes the manifest as written by the author to
        // `Cargo.toml.orig` in every `.crate`: packaging, not a merge leftover.
        || (name.ends_with(".orig") && name != "cargo.toml.orig")
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
    /// Code files in the group, and how many of them show a test ([`looks_like_test`]).
    code: u64,
    tests: u64,
}

impl Group {
    /// A tests folder whose code shows no test is runtime code that happens to be named so.
    fn is_runtime_code(&self) -> bool {
        self.what == "tests" && self.code > 0 && self.tests == 0
    }
}

impl Groups {
    /// Counts `ctx`'s file (content `bytes`) if it is a dev file.
    pub fn add(&mut self, ctx: &FileCtx<'_>, bytes: &[u8]) {
        let size = bytes.len() as u64;
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
            code: 0,
            tests: 0,
        });
        g.files += 1;
        g.bytes += size;
        let name = ctx.name();
        if extension(name).is_some_and(|e| CODE.contains(&e.as_str())) {
            g.code += 1;
            g.tests += u64::from(looks_like_test(file_name(name), bytes));
        } else if g.what == "tests" && looks_like_test(file_name(name), &[]) {
            g.tests += 1;
        }
    }

    /// Adds another set of groups (from a worker thread) to this one.
    pub fn merge(&mut self, other: Groups) {
        for (key, g) in other.groups {
            match self.groups.get_mut(&key) {
                Some(mine) => {
                    mine.files += g.files;
                    mine.bytes += g.bytes;
                    mine.code += g.code;
                    mine.tests += g.tests;
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
            .filter(|(_, g)| !g.is_runtime_code())
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
            ("test/a.js", "describe('a', () => {});"),
            ("test/b/c.js", "x = 1"),
            ("lib/x.js", "y"),
            ("npm-debug.log", "log"),
            ("node_modules/dep/test/t.js", "z"),
        ] {
            g.add(
                &FileCtx {
                    entry: None,
                    path: p,
                    inner: None,
                    policy: &policy,
                },
                n.as_bytes(),
            );
        }
        let f = g.findings();
        assert_eq!(f.len(), 2, "{f:?}");
        let tests = f
            .iter()
            .find(|f| f.location.path == "test/")
            .expect("test/ group");
        assert_eq!(tests.evidence["files"], 2);
        assert_eq!(tests.evidence["bytes"], 29);
        assert!(f.iter().any(|f| f.location.path == "npm-debug.log"));
    }

    /// The dev-artifact findings for `files` (path, content).
    fn findings_of(files: &[(&str, &str)]) -> Vec<Finding> {
        let policy = Policy::default();
        let mut g = Groups::default();
        for (path, content) in files {
            let ctx = FileCtx {
                entry: None,
                path,
                inner: None,
                policy: &policy,
            };
            g.add(&ctx, content.as_bytes());
        }
        g.findings()
    }

    #[test]
    fn a_test_folder_is_one_that_holds_tests() {
        // Starlette-style test client and a CLI's `commands/test/`: runtime code.
        let runtime = findings_of(&[
            (
                "lib/commands/test/index.js",
                "export function run(argv) { return spawn(argv); }",
            ),
            (
                "lib/commands/test/options.js",
                "module.exports = { bail: false };",
            ),
            (
                "pkg/test/client.py",
                "class TestClient:\n    def get(self, url): ...",
            ),
        ]);
        assert!(
            runtime.is_empty(),
            "runtime code named test/ is not a dev artifact: {runtime:?}"
        );
        for (what, files) in [
            (
                "a mocha/jest call",
                vec![(
                    "test/a.js",
                    "const x = require('../');\ndescribe('x', () => {})",
                )],
            ),
            ("pytest import", vec![("tests/util.py", "import pytest\n")]),
            (
                "a test file name",
                vec![("test/helpers.js", "x"), ("test/parse.test.js", "x")],
            ),
            ("Rust test", vec![("tests/it.rs", "#[test]\nfn t() {}")]),
            ("fixtures only", vec![("test/data/sample.json", "{}")]),
        ] {
            let f = findings_of(&files);
            assert_eq!(f.len(), 1, "{what}: {f:?}");
        }
        assert!(
            !looks_like_test("a.js", b"function exit() {} exit();"),
            "`it(` inside a word"
        );
        assert!(
            !looks_like_test("a.js", b"obj.describe('x')"),
            "a method, not a test call"
        );
    }

    #[test]
    fn ordinary_files_are_not_dev_files() {
        assert!(classify("lib/testing-library.js").is_none());
        assert!(classify("dist/index.js").is_none());
        assert!(classify("README.md").is_none());
        assert!(
            classify("Cargo.toml.orig").is_none(),
            "written by `cargo package` into every .crate"
        );
        assert!(classify("src/lib.rs.orig").is_some(), "a merge leftover");
    }
}
