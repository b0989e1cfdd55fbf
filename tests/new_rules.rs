//! The detection rules of issue 13 end to end through `check`: the axios pattern fails the
//! gate on the streaming path, and the git rules ask a real git about a real work tree.
//!
//! The git test skips (printing why) only when git or npm is not installed.

mod common;

use std::path::Path;
use std::process::Command;

use common::fixtures::{npm_tgz_with, write};
use common::{find, have, json_of};

#[test]
fn the_axios_pattern_fails_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let code: &[(&str, &[u8])] = &[
        (
            "lib/axios.js",
            b"const FormData = require('form-data');\nmodule.exports = {};\n",
        ),
        ("index.d.ts", b"export default function axios(): void;\n"),
    ];
    let old = write(
        dir.path(),
        "axios-1.14.0.tgz",
        &npm_tgz_with(
            r#"{"name":"axios","version":"1.14.0","files":["lib","index.d.ts"],"dependencies":{"form-data":"^4.0.4"}}"#,
            code,
        ),
    );
    let new = write(
        dir.path(),
        "axios-1.14.1.tgz",
        &npm_tgz_with(
            r#"{"name":"axios","version":"1.14.1","files":["lib","index.d.ts"],"dependencies":{"form-data":"^4.0.4","plain-crypto-js":"^4.2.1"}}"#,
            code,
        ),
    );
    let args = [
        new.to_str().expect("utf-8"),
        "--baseline",
        old.to_str().expect("utf-8"),
    ];
    let (v, exit) = json_of(dir.path(), &args);
    assert_eq!(exit, 1, "high at the default --fail-on: {v}");
    let phantom = find(&v, "phantom-dependency");
    assert_eq!(phantom.len(), 1, "{v}");
    assert_eq!(phantom[0]["severity"], "high");
    assert_eq!(
        phantom[0]["message"],
        "new dependency `plain-crypto-js@^4.2.1` (dependencies) is named by none of the 2 shipped \
         files searched (package.json and lock files aside); the release changed no code"
    );
    assert!(
        find(&v, "new-dependency").is_empty(),
        "one cause, one finding: {v}"
    );
    // The same release with the dependency used: medium, exit 0.
    let used = write(
        dir.path(),
        "axios-1.14.2.tgz",
        &npm_tgz_with(
            r#"{"name":"axios","version":"1.14.2","files":["lib"],"dependencies":{"form-data":"^4.0.4","plain-crypto-js":"^4.2.1"}}"#,
            &[("lib/axios.js", b"require('plain-crypto-js');\n")],
        ),
    );
    let (v, exit) = json_of(
        dir.path(),
        &[
            used.to_str().expect("utf-8"),
            "--baseline",
            old.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(exit, 0, "{v}");
    assert!(find(&v, "phantom-dependency").is_empty());
    assert_eq!(find(&v, "new-dependency").len(), 1);
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_directory_in_a_git_work_tree_reports_ignored_and_untracked_files() {
    if !have("git", "--version") || !have("npm", "--version") {
        return;
    }
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    let pkg = root.join("pkg");
    std::fs::create_dir_all(pkg.join("lib")).expect("mkdir");
    std::fs::create_dir_all(pkg.join("dist")).expect("mkdir");
    for (p, text) in [
        ("pkg/package.json", r#"{"name":"g","version":"1.0.0"}"#),
        ("pkg/lib/index.js", "module.exports = 1;\n"),
        ("pkg/.env", "DEBUG=1\n"),
        ("pkg/dist/out.js", "built\n"),
        ("pkg/scratch.js", "// not committed\n"),
        // The trap: an .npmignore makes npm stop reading .gitignore.
        ("pkg/.npmignore", "*.log\n"),
        (".gitignore", ".env\ndist/\n"),
    ] {
        std::fs::write(root.join(p), text).expect("write");
    }
    git(root, &["init", "-q"]);
    git(
        root,
        &[
            "add",
            ".gitignore",
            "pkg/package.json",
            "pkg/lib/index.js",
            "pkg/.npmignore",
        ],
    );
    git(root, &["commit", "-q", "-m", "init"]);
    let (v, _) = json_of(root, &[pkg.to_str().expect("utf-8")]);
    let ignored = find(&v, "shipped-but-git-ignored");
    assert_eq!(ignored.len(), 1, "{v}");
    assert_eq!(ignored[0]["severity"], "high");
    let files: Vec<&str> = ignored[0]["evidence"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert_eq!(files, [".env", "dist/out.js"], "{v}");
    let untracked = find(&v, "shipped-but-untracked");
    assert_eq!(untracked.len(), 1, "{v}");
    assert_eq!(untracked[0]["path"], "scratch.js");
    assert_eq!(untracked[0]["severity"], "medium");

    // With `files` naming dist/ on purpose, the ignored build is not reported; .env is not
    // in `files` and does not ship.
    std::fs::write(
        pkg.join("package.json"),
        r#"{"name":"g","version":"1.0.0","files":["lib","dist"]}"#,
    )
    .expect("write");
    let (v, _) = json_of(root, &[pkg.to_str().expect("utf-8")]);
    assert!(find(&v, "shipped-but-git-ignored").is_empty(), "{v}");
    assert!(find(&v, "shipped-but-untracked").is_empty(), "{v}");

    // Outside a work tree: no git rule, no error.
    let plain = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        plain.path().join("package.json"),
        r#"{"name":"h","version":"1.0.0"}"#,
    )
    .expect("write");
    std::fs::write(plain.path().join("x.js"), "1;\n").expect("write");
    let (v, exit) = json_of(plain.path(), &[plain.path().to_str().expect("utf-8")]);
    assert!(exit == 0 || exit == 1, "{v}");
    assert!(find(&v, "shipped-but-untracked").is_empty());
}
