//! `phantom-dependency`: a dependency new since the baseline that no shipped file mentions.
//!
//! The axios compromise of 2026-03-31 added one dependency, `plain-crypto-js`, to a release
//! whose code was otherwise unchanged; the dependency existed only for its own `postinstall`.
//! Real dependencies are used: some shipped file names them (a `require`, an `import`, a
//! dynamic `import()`, a plugin string, a `.d.ts`, a source embedded in a map). A new one that
//! nothing names is there for what installing it does.
//!
//! The search is one multi-pattern pass (Aho-Corasick) over every shipped file except the
//! manifest and lock files, which name every dependency by definition. It runs only when the
//! release adds a dependency (so never without a baseline, and never on an unchanged dependency
//! list): the names to look for are known only once the package's own metadata has been read,
//! which in a tarball may come after the code. It reads the contents the review screen kept, or
//! streams the artifact file once more with the same reader, holding one file at a time.
//!
//! Python: a new `Requires-Dist` (not an optional extra) that no module imports. A
//! distribution's import name is often not its own (`python-dateutil` → `dateutil`, `PyYAML`
//! → `yaml`), so each name is searched in its usual spellings and a short table of well-known
//! renames, case-insensitively; a name that cannot be mapped is left alone rather than reported
//! (no false alarm on a package nobody tuned for).

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::json;

use super::{Finding, Location, Rule, Severity};
use crate::artifact::{self, Artifact, Entry};
use crate::diff::Comparison;

/// The rule.
pub const RULE: Rule = Rule {
    id: "phantom-dependency",
    severity: Severity::High,
    summary: "a dependency new since the baseline whose name no shipped file mentions",
    why: "The axios compromise (2026-03-31) added one dependency, `plain-crypto-js`, to a \
          release whose code was otherwise unchanged; its only job was its own install \
          script. A dependency that no shipped file requires, imports or names is not used by \
          the package: it is there for what installing it does. The message says how many \
          files were searched and whether the release changed any code; the same dependency is \
          then not reported again as a medium `new-dependency` (a non-registry spec still is).",
};

/// Sections whose dependencies are installed with the package.
const NPM_SECTIONS: &[&str] = &[
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "bundleDependencies",
    "bundledDependencies",
];

/// Distributions whose import name is unrelated to their name (lower-case, `-` form).
const PY_RENAMES: &[(&str, &[&str])] = &[
    ("pyyaml", &["yaml"]),
    ("beautifulsoup4", &["bs4"]),
    ("pillow", &["PIL"]),
    ("scikit-learn", &["sklearn"]),
    ("scikit-image", &["skimage"]),
    ("opencv-python", &["cv2"]),
    ("opencv-python-headless", &["cv2"]),
    ("protobuf", &["google.protobuf"]),
    ("attrs", &["attr"]),
    ("pyjwt", &["jwt"]),
    ("pycryptodome", &["Crypto"]),
    ("pycryptodomex", &["Cryptodome"]),
    ("setuptools", &["pkg_resources", "setuptools"]),
    ("pywin32", &["win32api", "win32con", "pywintypes", "win32"]),
    ("pyopenssl", &["OpenSSL"]),
    ("python-magic", &["magic"]),
    ("msgpack-python", &["msgpack"]),
    ("google-api-python-client", &["googleapiclient"]),
    ("grpcio", &["grpc"]),
    ("pymysql", &["pymysql"]),
    ("mysqlclient", &["MySQLdb"]),
    ("psycopg2-binary", &["psycopg2"]),
    ("dnspython", &["dns"]),
    ("pyserial", &["serial"]),
    ("pyzmq", &["zmq"]),
    ("typing-extensions", &["typing_extensions"]),
    ("importlib-metadata", &["importlib_metadata"]),
    ("zope.interface", &["zope"]),
];

/// True for files that list dependencies by definition (the manifest and lock files, Python's
/// metadata and build configuration): a name there says nothing about its use.
fn lists_dependencies(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    path == "package.json"
        || matches!(
            base,
            "package-lock.json"
                | "npm-shrinkwrap.json"
                | "yarn.lock"
                | "pnpm-lock.yaml"
                | "bun.lock"
                | "bun.lockb"
                | "PKG-INFO"
                | "METADATA"
                | "RECORD"
                | "requires.txt"
                | "setup.cfg"
                | "setup.py"
                | "pyproject.toml"
                | "poetry.lock"
                | "Pipfile"
                | "Pipfile.lock"
        )
        || (base.starts_with("requirements") && base.ends_with(".txt"))
}

/// One new dependency and the spellings that count as a mention of it.
#[derive(Debug)]
struct Candidate {
    name: String,
    section: String,
    spec: String,
    spellings: Vec<String>,
}

/// The spellings of a Python distribution's import name, or `None` when there is no safe
/// guess (the dependency is then not judged).
fn python_spellings(dist: &str) -> Option<Vec<String>> {
    let name = dist.split('[').next().unwrap_or(dist).trim();
    let lower = name.to_ascii_lowercase().replace('_', "-");
    let mut out: BTreeSet<String> = BTreeSet::new();
    if let Some((_, names)) = PY_RENAMES.iter().find(|(d, _)| *d == lower) {
        out.extend(names.iter().map(|n| (*n).to_owned()));
    }
    let mut stems = vec![lower.clone()];
    for prefix in ["python-", "py-"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            stems.push(rest.to_owned());
        }
    }
    for suffix in ["-python", "-py", "-binary"] {
        if let Some(rest) = lower.strip_suffix(suffix) {
            stems.push(rest.to_owned());
        }
    }
    for s in stems.into_iter().filter(|s| s.len() >= 2) {
        out.insert(s.replace(['-', '.'], "_"));
        out.insert(s.replace('-', "."));
        out.insert(s.clone());
    }
    (!out.is_empty()).then(|| out.into_iter().collect())
}

/// The dependencies this release adds: in an installed section now, in no section of the
/// baseline (a move from `devDependencies` is not new code).
fn candidates(c: &Comparison<'_>) -> Vec<Candidate> {
    let Some(now) = &c.current.package else {
        return Vec::new();
    };
    let before: BTreeSet<String> = c
        .base
        .package
        .iter()
        .flat_map(|p| p.dependencies.values())
        .flat_map(|deps| deps.keys())
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (section, deps) in &now.dependencies {
        let python = section == "Requires-Dist";
        if !python && !NPM_SECTIONS.contains(&section.as_str()) {
            continue;
        }
        for (name, spec) in deps {
            if before.contains(&name.to_ascii_lowercase()) || !seen.insert(name.clone()) {
                continue;
            }
            let spellings = if python {
                // An extra's dependency is not installed unless asked for.
                if spec.contains("extra") {
                    continue;
                }
                match python_spellings(name) {
                    Some(s) => s,
                    None => continue,
                }
            } else {
                // A scoped package is often named by its bare part (`@esbuild/${platform}`).
                let mut s = vec![name.clone()];
                if let Some((_, bare)) = name.split_once('/')
                    && bare.len() >= 3
                {
                    s.push(bare.to_owned());
                }
                s
            };
            out.push(Candidate {
                name: name.clone(),
                section: section.clone(),
                spec: spec.clone(),
                spellings,
            });
        }
    }
    out
}

/// A name character: a match next to one is part of a longer word, not a mention.
fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The multi-pattern search, and which candidate each pattern stands for.
struct Search {
    ac: AhoCorasick,
    owner: Vec<usize>,
    found: Vec<bool>,
    left: usize,
    files: usize,
}

impl Search {
    fn new(cands: &[Candidate], case_insensitive: bool) -> Option<Self> {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        for (i, c) in cands.iter().enumerate() {
            for s in &c.spellings {
                patterns.push(s.as_bytes());
                owner.push(i);
            }
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(case_insensitive)
            .build(&patterns)
            .ok()?;
        Some(Self {
            ac,
            owner,
            found: vec![false; cands.len()],
            left: cands.len(),
            files: 0,
        })
    }

    fn file(&mut self, path: &str, bytes: &[u8]) {
        if lists_dependencies(path) {
            return;
        }
        self.files += 1;
        if self.left == 0 {
            return;
        }
        for m in self.ac.find_overlapping_iter(bytes) {
            let owner = self.owner[m.pattern().as_usize()];
            if self.found[owner] {
                continue;
            }
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            if before.is_some_and(word) || after.is_some_and(word) {
                continue;
            }
            self.found[owner] = true;
            self.left -= 1;
            if self.left == 0 {
                return;
            }
        }
    }
}

/// Runs `visit` on every installed file's content: the kept contents when there are, else one
/// more streaming read of the artifact file.
fn each_file(a: &Artifact, visit: &mut dyn FnMut(&Entry, &[u8])) -> anyhow::Result<()> {
    let installed = |e: &Entry| e.installed && e.is_file();
    let kept = a
        .entries
        .iter()
        .find(|e| installed(e))
        .is_some_and(|e| a.shared_content(e.index).is_some());
    if kept {
        for e in a.entries.iter().filter(|e| installed(e)) {
            if let Some(bytes) = a.shared_content(e.index) {
                visit(e, &bytes);
            }
        }
        return Ok(());
    }
    let opts = artifact::Options {
        limits: *a.limits(),
        keep_contents: false,
        digesting: crate::artifact::Digesting::InPass,
        index: false,
    };
    let stream = &mut |e: &Entry, bytes: &artifact::Content| {
        if installed(e) {
            visit(e, bytes);
        }
    };
    artifact::read_file(&a.file, &opts, Some(stream), None).map(|_| ())
}

/// Reports new dependencies nothing mentions; returns their names, so `new-dependency` does
/// not report the same cause again.
pub fn check(a: &Artifact, c: &Comparison<'_>, out: &mut Vec<Finding>) -> BTreeSet<String> {
    let cands = candidates(c);
    if cands.is_empty() {
        return BTreeSet::new();
    }
    let python = cands.iter().any(|c| c.section == "Requires-Dist");
    let Some(mut search) = Search::new(&cands, python) else {
        return BTreeSet::new();
    };
    if each_file(a, &mut |e, bytes| search.file(&e.path, bytes)).is_err() {
        // Not read again: no claim about what the files mention.
        return BTreeSet::new();
    }
    let code_changes: Vec<&str> = c
        .diff
        .added
        .iter()
        .chain(&c.diff.changed)
        .map(|e| e.path.as_str())
        .filter(|p| super::trojan_source::is_code(p) && !lists_dependencies(p))
        .collect();
    let code = match code_changes.len() {
        0 => "the release changed no code".to_owned(),
        n => format!(
            "the release changed {n} code file{}",
            if n == 1 { "" } else { "s" }
        ),
    };
    let manifest = if python {
        c.current
            .package
            .as_ref()
            .map_or_else(String::new, |p| p.source.clone())
    } else {
        "package.json".to_owned()
    };
    let mut phantom = BTreeSet::new();
    for (cand, found) in cands.iter().zip(&search.found) {
        if *found {
            continue;
        }
        phantom.insert(cand.name.clone());
        let full = match (cand.spec.as_str(), python) {
            ("", _) => cand.name.clone(),
            (spec, true) => format!("{} {spec}", cand.name),
            (spec, false) => format!("{}@{spec}", cand.name),
        };
        let message = format!(
            "new dependency `{full}` ({}) is named by none of the {} shipped files searched \
             ({manifest} and lock files aside); {code}",
            cand.section, search.files
        );
        out.push(
            Finding::new(
                &RULE,
                Location {
                    path: manifest.clone(),
                    ..Location::default()
                },
                message,
            )
            .evidence(json!({
                "name": cand.name,
                "section": cand.section,
                "spec": cand.spec,
                "searched_for": cand.spellings,
                "files_searched": search.files,
                "code_files_changed": code_changes,
            })),
        );
    }
    phantom
}

/// Drops the medium `new-dependency` findings of dependencies reported as phantom: one cause,
/// one finding, at the higher severity.
pub fn dedupe(findings: &mut Vec<Finding>, phantom: &BTreeSet<String>) {
    if phantom.is_empty() {
        return;
    }
    // A non-registry spec (high `new-dependency`) is a second cause of its own and stays.
    findings.retain(|f| {
        f.rule != super::new_dependency::RULE.id
            || f.severity != Severity::Medium
            || !f.evidence["name"]
                .as_str()
                .is_some_and(|n| phantom.contains(n))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use crate::rules::test_support::{artifact_of, zip_artifact_of};

    /// (rule, name, severity) of the dependency findings of `new` against `old`.
    fn judged(old: &Artifact, new: &Artifact) -> Vec<(String, String, Severity, String)> {
        let ev = crate::rules::evaluate(new, Some(&Manifest::of(old)));
        ev.findings
            .into_iter()
            .filter(|f| f.rule == RULE.id || f.rule == "new-dependency")
            .map(|f| {
                (
                    f.rule.clone(),
                    f.evidence["name"].as_str().unwrap_or_default().to_owned(),
                    f.severity,
                    f.message,
                )
            })
            .collect()
    }

    fn npm(version: &str, deps: &str, files: &[(&str, &[u8])]) -> Artifact {
        let pkg = format!(
            r#"{{"name":"axios","version":"{version}","files":["lib"],"dependencies":{{{deps}}}}}"#
        );
        let mut all: Vec<(String, &[u8])> = vec![("package/package.json".into(), pkg.as_bytes())];
        all.extend(files.iter().map(|(p, b)| (format!("package/{p}"), *b)));
        let refs: Vec<(&str, &[u8])> = all.iter().map(|(p, b)| (p.as_str(), *b)).collect();
        artifact_of(&refs)
    }

    const CODE: &[(&str, &[u8])] = &[
        (
            "lib/axios.js",
            b"const fd = require('form-data');\nimport('proxy-from-env');\n",
        ),
        ("lib/types.d.ts", b"export * from 'follow-redirects';\n"),
        (
            "package-lock.json",
            br#"{"packages":{"node_modules/plain-crypto-js":{}}}"#,
        ),
    ];

    #[test]
    fn the_axios_pattern_is_high_and_replaces_new_dependency() {
        let old = npm("1.14.0", r#""form-data":"^4","proxy-from-env":"^1""#, CODE);
        let new = npm(
            "1.14.1",
            r#""form-data":"^4","proxy-from-env":"^1","follow-redirects":"^1","plain-crypto-js":"^4.2.1""#,
            CODE,
        );
        let got = judged(&old, &new);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            (got[0].0.as_str(), got[0].1.as_str(), got[0].2),
            ("phantom-dependency", "plain-crypto-js", Severity::High)
        );
        assert_eq!(
            got[0].3,
            "new dependency `plain-crypto-js@^4.2.1` (dependencies) is named by none of the 2 \
             shipped files searched (package.json and lock files aside); the release changed no code"
        );
        assert_eq!(
            (got[1].0.as_str(), got[1].1.as_str(), got[1].2),
            ("new-dependency", "follow-redirects", Severity::Medium),
            "a new dependency the .d.ts names is used: medium, as before"
        );
    }

    #[test]
    fn mentions_count_in_any_form_and_only_as_whole_names() {
        let old = npm("1.0.0", "", &[]);
        let files: &[(&str, &[u8])] = &[
            ("lib/a.mjs", b"import x from \"@scope/plugin-x\";\nconst ms = require('ms');\n"),
            ("lib/b.js.map", br#"{"version":3,"sources":["a.ts"],"sourcesContent":["import 'embedded-dep'"],"mappings":""}"#),
            ("lib/c.js", b"module.exports = { plugins: ['babel-plugin-thing'] }; // items\n"),
        ];
        let new = npm(
            "1.1.0",
            r#""@scope/plugin-x":"1","ms":"2","embedded-dep":"1","babel-plugin-thing":"1","item":"1","lib":"1""#,
            files,
        );
        let phantom: Vec<String> = judged(&old, &new)
            .into_iter()
            .filter(|g| g.0 == RULE.id)
            .map(|g| g.1)
            .collect();
        assert_eq!(
            phantom,
            ["item", "lib"],
            "`item` inside `items` and `lib` as a folder in a path are no mentions (lib/ is only a path in package.json)"
        );
    }

    #[test]
    fn moved_or_changed_dependencies_are_not_new_and_no_baseline_no_rule() {
        let old = npm("1.0.0", r#""a":"1""#, &[]);
        let new = npm("1.0.1", r#""a":"2""#, &[("lib/x.js", b"1;\n")]);
        assert!(judged(&old, &new).is_empty());
        let ev = crate::rules::evaluate(&new, None);
        assert!(ev.findings.iter().all(|f| f.rule != RULE.id));
    }

    fn wheel(version: &str, requires: &[&str], module: &[u8]) -> Artifact {
        let mut meta = format!("Metadata-Version: 2.1\nName: demo\nVersion: {version}\n");
        for r in requires {
            meta.push_str("Requires-Dist: ");
            meta.push_str(r);
            meta.push('\n');
        }
        let path = format!("demo-{version}.dist-info/METADATA");
        zip_artifact_of(
            &format!("demo-{version}-py3-none-any.whl"),
            &[
                (path.as_str(), meta.as_bytes()),
                ("demo/__init__.py", module),
            ],
        )
    }

    #[test]
    fn python_import_names_are_matched_conservatively() {
        let old = wheel("1.0", &["requests (>=2)"], b"import requests\n");
        let new = wheel(
            "1.1",
            &[
                "requests (>=2)",
                "python-dateutil (>=2.8)",
                "PyYAML",
                "typing_extensions",
                "Pillow",
                "rich ; extra == \"cli\"",
                "evil-helper (>=1)",
            ],
            b"import requests\nfrom dateutil import parser\nimport yaml\nfrom typing_extensions import Self\nfrom PIL import Image\n",
        );
        let got = judged(&old, &new);
        let phantom: Vec<&str> = got
            .iter()
            .filter(|g| g.0 == RULE.id)
            .map(|g| g.1.as_str())
            .collect();
        assert_eq!(phantom, ["evil-helper"], "{got:?}");
        assert!(
            got[0].3.contains("the release changed 1 code file"),
            "{}",
            got[0].3
        );
    }

    #[test]
    fn python_spellings_cover_renames() {
        let s = python_spellings("python-dateutil").expect("guessable");
        assert!(s.contains(&"dateutil".to_owned()) && s.contains(&"python_dateutil".to_owned()));
        assert!(
            python_spellings("zope.interface")
                .expect("z")
                .contains(&"zope".to_owned())
        );
        assert!(
            python_spellings("scikit-learn")
                .expect("s")
                .contains(&"sklearn".to_owned())
        );
    }
}
