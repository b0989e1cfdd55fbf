//! Real packers, real listers: `ls --json` agrees with `tar -tzf` and `unzip -Z1` on tarballs
//! made by `npm pack` and `cargo package` of small local packages, and on generated zips.
//!
//! Each test skips (printing why) only when a tool it needs is not installed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixtures, have};

/// The paths `shipcheck ls --json` lists (installed entries, directories left out).
fn shipcheck_paths(artifact: &Path) -> Vec<String> {
    let o = assert_cmd::Command::cargo_bin("shipcheck")
        .expect("binary")
        .arg("ls")
        .arg("--json")
        .arg(artifact)
        .output()
        .expect("shipcheck runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "ls {} succeeds: {}",
        artifact.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let anomalies = v["anomalies"].as_array().expect("anomalies");
    assert!(
        anomalies.is_empty(),
        "a package made by a real packer has no container anomalies: {anomalies:?}"
    );
    let mut paths: Vec<String> = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["installed"] == true && e["kind"] != "dir")
        .map(|e| e["path"].as_str().expect("path").to_owned())
        .collect();
    paths.sort();
    paths
}

/// `tar -tzf` with the first component stripped, directories left out.
fn tar_paths(artifact: &Path) -> Vec<String> {
    let o = Command::new("tar")
        .arg("-tzf")
        .arg(artifact)
        .output()
        .expect("tar runs");
    assert!(o.status.success(), "tar -tzf {}", artifact.display());
    let mut paths: Vec<String> = String::from_utf8(o.stdout)
        .expect("UTF-8 names")
        .lines()
        .filter(|l| !l.ends_with('/'))
        .filter_map(|l| l.split_once('/').map(|(_, rest)| rest.to_owned()))
        .filter(|p| !p.is_empty())
        .collect();
    paths.sort();
    paths
}

fn npm_pack(dir: &Path, dest: &Path) -> PathBuf {
    npm_pack_json(dir, dest).0
}

fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

#[test]
fn npm_pack_tarballs_list_like_tar() {
    if !have("npm", "--version") || !have("tar", "--version") {
        return;
    }
    let packages: [&[(&str, &str)]; 3] = [
        &[
            (
                "package.json",
                r#"{"name":"fixture-simple","version":"1.0.0","main":"dist/index.js","files":["dist"]}"#,
            ),
            ("dist/index.js", "module.exports = 1;\n"),
            ("dist/sub/deep/a.js", "exports.a = 1;\n"),
            ("src/index.ts", "export default 1;\n"),
            ("README.md", "# simple\n"),
            ("LICENSE", "MIT\n"),
        ],
        &[
            (
                "package.json",
                r#"{"name":"@fixture/scoped","version":"0.2.0","bin":{"fx":"bin/fx.js"}}"#,
            ),
            ("bin/fx.js", "#!/usr/bin/env node\nconsole.log(1);\n"),
            ("docs/héllo wörld.md", "unicode and spaces\n"),
            ("lib/a b/c.js", "1\n"),
            (".npmignore", "secret.txt\n"),
            ("secret.txt", "not shipped\n"),
        ],
        &[
            (
                "package.json",
                r#"{"name":"fixture-many","version":"3.0.0"}"#,
            ),
            ("index.js", "1\n"),
            ("a/b/c/d/e/f/g.js", "1\n"),
            ("data/x.json", "{}\n"),
            ("data/y.json", "[]\n"),
        ],
    ];
    let work = tempfile::tempdir().expect("temp dir");
    for (i, files) in packages.iter().enumerate() {
        let dir = work.path().join(format!("pkg{i}"));
        write_tree(&dir, files);
        let dest = work.path().join(format!("out{i}"));
        std::fs::create_dir_all(&dest).expect("mkdir");
        let tgz = npm_pack(&dir, &dest);
        let ours = shipcheck_paths(&tgz);
        assert_eq!(
            ours,
            tar_paths(&tgz),
            "ls --json of {} lists what tar -tzf lists, root stripped",
            tgz.display()
        );
        assert!(ours.contains(&"package.json".to_owned()), "{ours:?}");
        assert_eq!(
            shipcheck_paths(&dir),
            ours,
            "ls of the directory packs it with npm pack and lists the same files"
        );
    }
}

#[test]
fn cargo_package_crate_lists_like_tar() {
    if !have("cargo", "--version") || !have("tar", "--version") {
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().join("tiny");
    write_tree(
        &dir,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"tiny-fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"t\"\nlicense = \"MIT\"\n\n[workspace]\n",
            ),
            ("src/lib.rs", "pub fn f() -> u8 { 1 }\n"),
            ("src/util/mod.rs", "pub fn g() {}\n"),
            ("README.md", "# tiny\n"),
        ],
    );
    let target = work.path().join("target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let o = Command::new(cargo)
        .args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "--offline",
            "--quiet",
        ])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(&dir)
        .output()
        .expect("cargo runs");
    assert!(
        o.status.success(),
        "cargo package: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let krate = target.join("package/tiny-fixture-0.1.0.crate");
    let ours = shipcheck_paths(&krate);
    assert_eq!(
        ours,
        tar_paths(&krate),
        "ls --json of the .crate lists what tar does"
    );
    for want in ["Cargo.toml", "Cargo.toml.orig", "src/lib.rs"] {
        assert!(ours.contains(&want.to_owned()), "{want} in {ours:?}");
    }
    assert_eq!(
        shipcheck_paths(&dir),
        ours,
        "ls of the crate directory packs it with cargo package and lists the same files"
    );
}

#[test]
fn zips_list_like_unzip() {
    if !have("unzip", "-v") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in [
        ("w-1.0-py3-none-any.whl", fixtures::wheel("w", "1.0")),
        ("d.jar", fixtures::jar()),
        ("e.vsix", fixtures::vsix()),
        ("p.zip", fixtures::plain_zip_by_crate()),
    ] {
        let path = fixtures::write(dir.path(), name, &bytes);
        let o = Command::new("unzip")
            .arg("-Z1")
            .arg(&path)
            .output()
            .expect("unzip runs");
        assert!(o.status.success(), "unzip -Z1 {name}");
        let mut theirs: Vec<String> = String::from_utf8(o.stdout)
            .expect("UTF-8 names")
            .lines()
            .filter(|l| !l.ends_with('/'))
            .map(str::to_owned)
            .collect();
        theirs.sort();
        assert_eq!(
            shipcheck_paths(&path),
            theirs,
            "ls --json of {name} lists what unzip -Z1 lists"
        );
    }
}

/// `npm pack --json` of `dir` with the JSON it printed.
fn npm_pack_json(dir: &Path, dest: &Path) -> (PathBuf, serde_json::Value) {
    let o = Command::new("npm")
        .args(["pack", "--json", "--ignore-scripts", "--pack-destination"])
        .arg(dest)
        .current_dir(dir)
        .output()
        .expect("npm runs");
    assert!(
        o.status.success(),
        "npm pack in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("npm pack JSON");
    let file = dest.join(v[0]["filename"].as_str().expect("filename"));
    (file, v)
}

fn shipcheck_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("shipcheck")
        .expect("binary")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("shipcheck runs")
}

#[test]
fn integrity_is_what_npm_pack_reports() {
    if !have("npm", "--version") {
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().join("pkg");
    write_tree(
        &dir,
        &[
            (
                "package.json",
                r#"{"name":"fixture-integrity","version":"1.2.3"}"#,
            ),
            ("index.js", "module.exports = 42;\n"),
        ],
    );
    let (tgz, npm) = npm_pack_json(&dir, work.path());
    let want = npm[0]["integrity"]
        .as_str()
        .expect("npm pack reports integrity");
    let o = shipcheck_in(
        work.path(),
        &["ls", "--json", tgz.to_str().expect("UTF-8 path")],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        v["artifact"]["integrity"], want,
        "shipcheck's integrity is npm's for the same tarball"
    );
}

#[test]
fn npm_specs_pack_a_local_directory_and_keep_the_spec() {
    if !have("npm", "--version") {
        return;
    }
    // `npm:./dir` takes the same `npm pack SPEC --ignore-scripts` path as `npm:NAME@VERSION`,
    // without the registry.
    let work = tempfile::tempdir().expect("temp dir");
    write_tree(
        &work.path().join("fixture-dir"),
        &[
            (
                "package.json",
                r#"{"name":"fixture-spec","version":"0.3.0","scripts":{"prepack":"node -e \"require('fs').writeFileSync('ran.txt','x')\""}}"#,
            ),
            ("lib/index.js", "exports.x = 1;\n"),
        ],
    );
    let o = shipcheck_in(work.path(), &["ls", "--json", "npm:./fixture-dir"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        v["artifact"]["path"], "npm:./fixture-dir",
        "the spec is kept for display"
    );
    assert_eq!(v["artifact"]["file_name"], "fixture-spec-0.3.0.tgz");
    assert_eq!(v["artifact"]["name"], "fixture-spec");
    let paths: Vec<&str> = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(paths.contains(&"lib/index.js"), "{paths:?}");
    assert!(
        !work.path().join("fixture-dir/ran.txt").exists() && !paths.contains(&"ran.txt"),
        "an npm: spec is packed with --ignore-scripts: nothing of the package ran"
    );

    for spec in ["npm:./no-such-dir", "npm:", "npm:--registry=x"] {
        let o = shipcheck_in(work.path(), &["ls", "--json", spec]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{spec} is an error: {err}");
        assert!(o.stdout.is_empty(), "{spec}: nothing on stdout");
        assert_eq!(err.lines().count(), 1, "{spec}: one line: {err}");
        assert!(
            err.contains(spec),
            "{spec}: the error names the spec: {err}"
        );
    }
    let err =
        String::from_utf8_lossy(&shipcheck_in(work.path(), &["ls", "npm:./no-such-dir"]).stderr)
            .into_owned();
    assert!(
        err.contains("Could not read package.json"),
        "npm's own message, not its log-file footer: {err}"
    );
}
