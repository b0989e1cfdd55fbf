//! `shipcheck check` on the paths the main CLI tests do not take: source-map references that
//! miss or leave the package, policy thresholds, baseline comparisons of npm scripts and
//! `binding.gyp`, archives nested too deep, colour, and the allowed sections of the outputs.
//! Every package is generated here.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::fixtures::{self, Tar, gzip, npm_tgz_with, write};
use serde_json::Value;

const PKG: &str = r#"{"name":"p","version":"1.0.0","files":["dist","lib"]}"#;

/// The binary with colour left to each test.
fn shipcheck(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("shipcheck").expect("binary builds");
    c.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// `check --format json ARGS` in `dir`: the document and the exit code.
fn json_of(dir: &Path, args: &[&str]) -> (Value, i32) {
    common::check_json(shipcheck(dir), args)
}

/// The findings of `rule` as (path, severity).
fn of_rule(v: &Value, rule: &str) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

#[test]
fn a_reference_to_a_missing_map_is_low_and_to_an_external_url_medium() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "p-1.0.0.tgz",
        &npm_tgz_with(
            PKG,
            &[
                ("dist/a.js", b"a();\n//# sourceMappingURL=a.js.map\n"),
                (
                    "dist/b.js",
                    b"b();\n//# sourceMappingURL=https://cdn.example.com/b.js.map\n",
                ),
            ],
        ),
    );
    let (v, code) = json_of(dir.path(), &[s(&f)]);
    assert_eq!(code, 0, "neither blocks at the default threshold: {v}");
    let mut refs = of_rule(&v, "sourcemap-reference");
    refs.sort();
    assert_eq!(
        refs,
        [
            ("dist/a.js".to_owned(), "low".to_owned()),
            ("dist/b.js".to_owned(), "medium".to_owned()),
        ],
        "missing map low, external URL medium: {v}"
    );
}

#[test]
fn the_policy_s_max_file_size_makes_a_file_large() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "p-1.0.0.tgz",
        &npm_tgz_with(PKG, &[("lib/data.bin", &[7u8; 3000]), ("lib/i.js", b"x\n")]),
    );
    let (v, _) = json_of(dir.path(), &[s(&f)]);
    assert!(
        of_rule(&v, "large-file").is_empty(),
        "3 kB is not large by default"
    );
    let policy = write(
        dir.path(),
        "limits.toml",
        b"[thresholds]\nmax_file_size = \"2K\"\n",
    );
    let (v, _) = json_of(dir.path(), &[s(&f), "--policy", s(&policy)]);
    assert_eq!(
        of_rule(&v, "large-file"),
        [("lib/data.bin".to_owned(), "medium".to_owned())],
        "above the policy's 2 kB: {v}"
    );
}

/// An old release with one 100 KiB file and a new one with `extra` more small files, and
/// the new one grown by `grow` bytes.
fn releases(dir: &Path, extra: usize, grow: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let big = vec![b'a'; 100 << 10];
    let old = write(
        dir,
        "p-1.0.0.tgz",
        &npm_tgz_with(PKG, &[("lib/big.txt", &big)]),
    );
    let names: Vec<String> = (0..extra).map(|i| format!("lib/f{i:02}.txt")).collect();
    let grown = vec![b'b'; grow];
    let mut files: Vec<(&str, &[u8])> = vec![("lib/big.txt", &big), ("lib/grown.txt", &grown)];
    files.extend(names.iter().map(|n| (n.as_str(), b"small\n".as_slice())));
    let new = write(
        dir,
        "p-1.1.0.tgz",
        &npm_tgz_with(&PKG.replace("1.0.0", "1.1.0"), &files),
    );
    (old, new)
}

#[test]
fn size_anomaly_fires_on_file_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = releases(dir.path(), 30, 10);
    let (v, code) = json_of(dir.path(), &[s(&new), "--baseline", s(&old)]);
    let found: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "size-anomaly")
        .collect();
    assert_eq!(found.len(), 1, "{v}");
    let f = found[0];
    assert_eq!(f["severity"], "high");
    let message = f["message"].as_str().unwrap_or_default();
    assert!(message.contains("files 2 → 33"), "{message}");
    assert!(
        !message.contains("unpacked size"),
        "the size barely grew: {message}"
    );
    assert_eq!(f["evidence"]["added_count"], 31);
    assert!(
        message.ends_with(
            "biggest additions: lib/grown.txt 10 B (new), lib/f00.txt 6 B (new), \
             lib/f01.txt 6 B (new) and 28 more"
        ),
        "the added files are in the message, biggest first: {message}"
    );
    assert_eq!(
        f["path"], "lib/grown.txt",
        "and the finding points at the biggest"
    );
    assert_eq!(code, 1, "high fails the default threshold");
}

#[test]
fn a_policy_threshold_changes_the_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 100 KiB → 160 KiB: 1.6×, under the default 2× size ratio.
    let (old, new) = releases(dir.path(), 0, 60 << 10);
    let (v, _) = json_of(dir.path(), &[s(&new), "--baseline", s(&old)]);
    assert!(
        of_rule(&v, "size-anomaly").is_empty(),
        "1.6× is under the default: {v}"
    );
    let policy = write(
        dir.path(),
        "strict.toml",
        b"[thresholds]\nsize_ratio = 1.5\n",
    );
    let (v, code) = json_of(
        dir.path(),
        &[s(&new), "--baseline", s(&old), "--policy", s(&policy)],
    );
    assert_eq!(
        of_rule(&v, "size-anomaly"),
        [("lib/grown.txt".to_owned(), "high".to_owned())],
        "over the policy's 1.5×, pointing at the file that grew: {v}"
    );
    assert_eq!(code, 1);
}

#[test]
fn changed_npm_scripts_and_a_new_binding_gyp_against_the_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(
        dir.path(),
        "n-1.0.0.tgz",
        &npm_tgz_with(
            r#"{"name":"n","version":"1.0.0","files":["lib"],"scripts":{"postinstall":"node setup.js","prepare":"tsc"}}"#,
            &[("lib/i.js", b"x\n")],
        ),
    );
    let new = write(
        dir.path(),
        "n-1.0.1.tgz",
        &npm_tgz_with(
            r#"{"name":"n","version":"1.0.1","files":["lib"],"scripts":{"postinstall":"node setup.js --fast","prepare":"tsc -b"}}"#,
            &[("lib/i.js", b"x\n"), ("binding.gyp", b"{}\n")],
        ),
    );
    let (v, code) = json_of(dir.path(), &[s(&new), "--baseline", s(&old)]);
    assert_eq!(code, 1, "{v}");
    let found: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "install-script")
        .map(|f| {
            let t = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (t("path"), t("severity"), t("message"))
        })
        .collect();
    let get = |needle: &str| {
        found
            .iter()
            .find(|(p, _, m)| p.contains(needle) || m.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {found:#?}"))
    };
    let (_, sev, msg) = get("`postinstall`");
    assert_eq!(sev, "high", "a changed postinstall is high");
    assert!(msg.contains("changed since the baseline"), "{msg}");
    let (_, sev, msg) = get("`prepare`");
    assert_eq!(sev, "low", "a changed prepare stays low");
    assert!(msg.contains("changed since the baseline"), "{msg}");
    let (path, sev, _) = get("binding.gyp");
    assert_eq!(
        (path.as_str(), sev.as_str()),
        ("binding.gyp", "critical"),
        "a new binding.gyp means a new node-gyp build on install"
    );
}

#[test]
fn an_archive_nested_two_levels_deep_is_reported_not_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut deepest = Tar::new();
    deepest.file("package/.env", b"TOKEN=1\n");
    let mut middle = Tar::new();
    middle.file("package/inner.tgz", &gzip(&deepest.finish()));
    let f = write(
        dir.path(),
        "p-1.0.0.tgz",
        &npm_tgz_with(PKG, &[("lib/outer.tgz", &gzip(&middle.finish()))]),
    );
    let (v, _) = json_of(dir.path(), &[s(&f)]);
    let nested: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "nested-archive")
        .collect();
    let unopened = nested
        .iter()
        .find(|f| f["inner"] == "inner.tgz")
        .unwrap_or_else(|| panic!("the second level is reported: {nested:#?}"));
    assert_eq!(unopened["path"], "lib/outer.tgz");
    assert!(
        unopened["message"]
            .as_str()
            .is_some_and(|m| m.contains("not opened")),
        "{unopened}"
    );
    assert!(
        of_rule(&v, "sensitive-file").is_empty(),
        "the .env two levels down is not read: {v}"
    );
}

/// A package with one high finding (an install script) and one allowed finding.
fn with_allowed(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let f = write(
        dir,
        "p-1.0.0.tgz",
        &npm_tgz_with(
            r#"{"name":"p","version":"1.0.0","files":["lib"],"scripts":{"postinstall":"node x.js"}}"#,
            &[
                ("lib/x.js", b"x\n"),
                (
                    "lib/app.js.map",
                    br#"{"version":3,"sources":["a.ts"],"mappings":"AAAA"}"#,
                ),
            ],
        ),
    );
    let policy = write(
        dir,
        "allow.toml",
        b"[[allow]]\npath = \"lib/*.map\"\nreason = \"maps are published on purpose\"\nexpires = 2999-01-01\n",
    );
    (f, policy)
}

#[test]
fn text_colour_follows_the_flag_and_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (f, _) = with_allowed(dir.path());
    let text = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = shipcheck(dir.path());
        c.arg("check").arg(&f).args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        String::from_utf8(c.output().expect("runs").stdout).expect("UTF-8")
    };
    let esc = '\u{1b}';
    assert!(
        !text(&[], &[]).contains(esc),
        "auto: no colour when stdout is a pipe"
    );
    let forced = text(&["--color", "always"], &[("NO_COLOR", "1")]);
    assert!(
        forced.contains("\u{1b}[31m"),
        "--color always wins over NO_COLOR: {forced:?}"
    );
    assert!(
        text(&[], &[("CLICOLOR_FORCE", "1")]).contains(esc),
        "CLICOLOR_FORCE"
    );
    assert!(
        !text(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains(esc),
        "NO_COLOR beats CLICOLOR_FORCE"
    );
    assert!(
        !text(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]).contains(esc),
        "--color never"
    );
    assert!(
        !text(&[], &[("CLICOLOR_FORCE", "0")]).contains(esc),
        "CLICOLOR_FORCE=0 does not force"
    );
}

#[test]
fn text_and_markdown_list_allowed_findings_with_their_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (f, policy) = with_allowed(dir.path());
    let run = |format: &str| {
        let out = shipcheck(dir.path())
            .args(["check", "--format", format, "--policy", s(&policy)])
            .arg(&f)
            .output()
            .expect("runs");
        (
            String::from_utf8(out.stdout).expect("UTF-8"),
            out.status.code(),
        )
    };
    let (text, code) = run("text");
    assert_eq!(code, Some(1), "the install script still fails");
    let Some((_, allowed)) = text.split_once("ALLOWED BY POLICY (1)") else {
        panic!("an allowed section: {text}");
    };
    assert!(
        allowed.contains("sourcemap-file") && allowed.contains("lib/app.js.map [medium]"),
        "{allowed}"
    );
    assert!(
        allowed.contains("allowed: maps are published on purpose"),
        "{allowed}"
    );
    let before = text.split("ALLOWED BY POLICY").next().unwrap_or_default();
    assert!(
        !before.contains("sourcemap-file"),
        "an allowed finding is not listed with the open ones: {before}"
    );
    let (md, _) = run("markdown");
    let Some((_, details)) = md.split_once("<details><summary>1 allowed by policy</summary>")
    else {
        panic!("an allowed section: {md}");
    };
    assert!(
        details.contains(
            "| medium | `sourcemap-file` | `lib/app.js.map` | `maps are published on purpose` |"
        ),
        "{details}"
    );
    assert!(details.contains("</details>"), "{details}");
}

#[test]
fn a_shipped_git_folder_is_one_finding_with_its_file_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let objects: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| (format!(".git/objects/{i:02}/abcdef"), vec![b'x'; 10]))
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![(".git/config", b"[core]\n"), ("lib/a.js", b"1;\n")];
    files.extend(objects.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    let tgz = write(dir.path(), "p-1.0.0.tgz", &npm_tgz_with(PKG, &files));
    let (v, code) = json_of(dir.path(), &[tgz.to_str().expect("utf-8 path")]);
    let git: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "sensitive-file")
        .collect();
    assert_eq!(git.len(), 1, "one finding for the folder, not 41: {git:#?}");
    assert_eq!(git[0]["path"], ".git/");
    assert_eq!(git[0]["severity"], "high");
    assert_eq!(git[0]["evidence"]["files"], 41, "every file counted");
    assert_eq!(code, 1, "high fails the check");
}

#[test]
fn a_vs_code_extension_gets_no_npm_install_or_allowlist_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pkg = r#"{"name":"ext","version":"1.0.0","engines":{"vscode":"^1.80.0"},"scripts":{"postinstall":"node setup.js"}}"#;
    let vsix = fixtures::Zip::new()
        .file(
            "extension.vsixmanifest",
            b"<?xml version=\"1.0\"?><PackageManifest/>",
        )
        .file("extension/package.json", pkg.as_bytes())
        .finish();
    let vsix = write(dir.path(), "ext-1.0.0.vsix", &vsix);
    let tgz = write(dir.path(), "ext-1.0.0.tgz", &npm_tgz_with(pkg, &[]));
    let rules = |path: &Path| {
        let (v, _) = json_of(dir.path(), &[path.to_str().expect("utf-8 path")]);
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["rule"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let npm = rules(&tgz);
    assert!(
        npm.iter().any(|r| r == "install-script") && npm.iter().any(|r| r == "no-files-allowlist"),
        "npm runs the script and packs without an allowlist: {npm:?}"
    );
    let ext = rules(&vsix);
    assert!(
        !ext.iter()
            .any(|r| r == "install-script" || r == "no-files-allowlist"),
        "VS Code unpacks an extension and runs none of its scripts: {ext:?}"
    );
}
