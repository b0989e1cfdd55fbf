//! `manifest` and manifests as baselines: its snapshot, a manifest standing in for the
//! artifact it describes (in `diff` and in `check --baseline`), and manifests that are from
//! another schema, invalid, hostile or mangled.

mod common;

use std::path::Path;

use common::fixtures::{tgz_as_stored_v7, write};
use common::{
    assert_ok, assert_one_line_error, find, json_of, mutants, redacted_json, releases, run_paths,
    shipcheck_in, stderr, stdout, unsafe_char,
};
use serde_json::Value;

#[test]
fn manifest_snapshot_and_manifests_stand_in_for_artifacts() {
    let r = releases();
    let o = run_paths("manifest", &[&r.old], &[]);
    assert_ok(&o, "manifest");
    let manifest = redacted_json(&o);
    assert_eq!(
        manifest["schema"], "shipcheck.manifest/v1",
        "versioned schema"
    );
    insta::assert_json_snapshot!("manifest_json", manifest);

    let file = r.old.with_extension("manifest.json");
    let o = run_paths(
        "manifest",
        &[&r.old],
        &["-o", file.to_str().expect("utf-8 path")],
    );
    assert_ok(&o, "manifest -o");
    assert!(o.stdout.is_empty(), "-o writes the file, not stdout");
    let from_artifact = run_paths("diff", &[&r.old, &r.new], &["--json"]);
    let from_manifest = run_paths("diff", &[&file, &r.new], &["--json"]);
    assert_ok(&from_manifest, "diff OLD.manifest.json NEW.tgz");
    let (mut a, mut b) = (redacted_json(&from_artifact), redacted_json(&from_manifest));
    // The summaries name what was given on the command line; everything else must agree.
    a["old"]["path"] = serde_json::Value::Null;
    b["old"]["path"] = serde_json::Value::Null;
    assert_eq!(
        a, b,
        "a manifest diffs exactly like the artifact it describes"
    );
    let both = run_paths("diff", &[&file, &file], &[]);
    assert_ok(&both, "diff of two manifests");
    assert!(stdout(&both).contains("unchanged: 4"), "{}", stdout(&both));
}

#[test]
fn a_manifest_written_by_shipcheck_is_a_baseline_like_the_artifact_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(
        dir.path(),
        "m-1.0.0.tgz",
        &tgz_as_stored_v7(&[
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
        &tgz_as_stored_v7(&[
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
    let out = shipcheck_in(dir.path())
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
    let text = shipcheck_in(dir.path())
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

#[test]
fn unknown_manifest_schemas_are_refused() {
    let r = releases();
    let dir = tempfile::tempdir().expect("temp dir");
    let future = write(
        dir.path(),
        "future.json",
        br#"{"schema":"shipcheck.manifest/v9","entries":[]}"#,
    );
    let o = run_paths("diff", &[&future, &r.new], &[]);
    assert_one_line_error(
        &o,
        "future.json",
        "manifest schema shipcheck.manifest/v9 is not one this shipcheck",
    );
    let other = write(dir.path(), "other.json", br#"{"name":"x"}"#);
    let o = run_paths("diff", &[&other, &r.new], &[]);
    assert_one_line_error(&o, "other.json", "is not a shipcheck manifest");
    let hostile = write(
        dir.path(),
        "hostile.json",
        b"{\"schema\":\"shipcheck.manifest/\x1b]52;c;eA==\x07\"}",
    );
    let o = run_paths("diff", &[&hostile, &r.new], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        !o.stderr.contains(&0x1b),
        "the refused schema is quoted sanitised: {}",
        stderr(&o)
    );
}

#[test]
fn an_invalid_manifest_is_refused_naming_the_file_and_the_field() {
    let r = releases();
    let o = run_paths("manifest", &[&r.old], &[]);
    let mut m: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    m["artifact"]["sha256"] = format!("a{}", "é".repeat(10)).into();
    let file = write(dir.path(), "bad.json", m.to_string().as_bytes());
    let o = run_paths("diff", &[&file, &r.new], &[]);
    assert_one_line_error(
        &o,
        "bad.json",
        "artifact.sha256: not 64 lowercase hex digits",
    );
    m["artifact"]["sha256"] = "0".repeat(64).into();
    m["entries"][2]["size"] = u64::MAX.into();
    let file = write(dir.path(), "huge.json", m.to_string().as_bytes());
    let o = run_paths("diff", &[&r.new, &file], &[]);
    assert_one_line_error(&o, "huge.json", "entries[2].size");
}

#[test]
fn a_hostile_manifest_is_printed_safely() {
    // A manifest is plain JSON anyone could edit: its strings are as untrusted as an archive's.
    let r = releases();
    let o = run_paths("manifest", &[&r.old], &[]);
    assert_ok(&o, "manifest");
    let mut m: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    m["entries"][1]["path"] = "dist/\u{1b}]52;c;ZXZpbA==\u{7}x.js".into();
    m["package"]["name"] = "demo\u{1b}[2J\u{202e}".into();
    m["artifact"]["name"] = "demo\u{1b}[2J\u{202e}".into();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(
        dir.path(),
        "old.manifest.json",
        serde_json::to_string(&m).expect("JSON").as_bytes(),
    );
    for args in [&[][..], &["--json"]] {
        let o = run_paths("diff", &[&file, &r.new], args);
        assert_ok(&o, "diff of a hostile manifest");
        if let Some(c) = unsafe_char(&o.stdout) {
            panic!("diff {args:?}: raw {c} in stdout:\n{}", stdout(&o));
        }
    }
    let text = stdout(&run_paths("diff", &[&file, &r.new], &[]));
    assert!(
        text.contains("dist/^[]52;c;ZXZpbA==^Gx.js") && text.contains("demo^[[2J\\u{202e}"),
        "hostile manifest strings are shown escaped:\n{text}"
    );
}

/// Edits of a valid manifest that a hostile or careless hand could make.
fn manifest_mutants(valid: &serde_json::Value) -> Vec<(String, Vec<u8>)> {
    use serde_json::{Value, json};
    type Edit = fn(&mut Value);
    let edits: &[(&str, Edit)] = &[
        ("sha256 of multibyte chars", |m| {
            m["artifact"]["sha256"] = format!("a{}", "é".repeat(10)).into();
        }),
        ("sha256 with a clear-screen", |m| {
            m["artifact"]["sha256"] = format!("\u{1b}[2J\u{1b}[H{}", "0".repeat(58)).into();
        }),
        ("uppercase sha256", |m| {
            m["artifact"]["sha256"] = "AB".repeat(32).into();
        }),
        ("short sha512", |m| m["artifact"]["sha512"] = "zz".into()),
        ("integrity with OSC 52", |m| {
            m["artifact"]["integrity"] = "sha512-\u{1b}]52;c;ZXZpbA==\u{7}".into();
        }),
        ("u64::MAX sizes", |m| {
            m["artifact"]["packed_size"] = u64::MAX.into();
            m["artifact"]["unpacked_size"] = u64::MAX.into();
        }),
        ("negative size", |m| {
            m["artifact"]["packed_size"] = (-1).into();
        }),
        ("fractional size", |m| {
            m["artifact"]["unpacked_size"] = 1.5.into();
        }),
        ("size as a string", |m| {
            m["artifact"]["packed_size"] = "12".into();
        }),
        ("a billion files", |m| {
            m["artifact"]["files"] = 1_000_000_000u64.into();
        }),
        ("format with ESC", |m| {
            m["artifact"]["format"] = "\u{1b}[2J".into();
        }),
        ("name with ESC and bidi", |m| {
            m["artifact"]["name"] = "x\u{1b}[2J\u{202e}".into();
            m["artifact"]["file_name"] = "\u{9b}31m.tgz".into();
        }),
        ("entry sha256 of multibyte chars", |m| {
            m["entries"][0]["sha256"] = "é".repeat(32).into();
        }),
        ("entry sha256 with ESC", |m| {
            m["entries"][1]["sha256"] = format!("\u{1b}[2J{}", "0".repeat(60)).into();
        }),
        ("entry size u64::MAX", |m| {
            m["entries"][0]["size"] = u64::MAX.into();
        }),
        ("entry index out of place", |m| {
            m["entries"][0]["index"] = 99.into();
        }),
        ("entry mode u32::MAX", |m| {
            m["entries"][0]["mode"] = u32::MAX.into();
        }),
        ("entry kind with ESC", |m| {
            m["entries"][0]["kind"] = "\u{1b}[2J".into();
        }),
        ("entry path with ESC and bidi", |m| {
            m["entries"][0]["path"] = "\u{1b}[2J\u{202e}sj.js".into();
        }),
        ("entry link target with OSC", |m| {
            m["entries"][0]["link_target"] = "\u{1b}]0;pwned\u{7}".into();
        }),
        ("raw_path_hex not hex", |m| {
            m["entries"][0]["raw_path_hex"] = "\u{1b}[2J".into();
        }),
        ("entries not a list", |m| m["entries"] = "x".into()),
        ("no entries but files", |m| m["entries"] = json!([])),
        ("a null entry", |m| m["entries"][0] = Value::Null),
        ("anomaly of no entry", |m| {
            m["anomalies"] = json!([{"kind": "symlink", "entry": 999, "detail": "\u{1b}[2J"}]);
        }),
        ("anomaly detail with ESC", |m| {
            m["anomalies"] = json!([{"kind": "symlink", "entry": 0, "detail": "\u{1b}[2J"}]);
        }),
        ("scripts and dependencies with controls", |m| {
            m["package"] = json!({
                "ecosystem": "npm", "source": "\u{1b}[2J",
                "name": "evil\u{7f}", "version": "\u{2066}1",
                "scripts": {"\u{1b}[2J": "\u{1b}]0;x\u{7}"},
                "dependencies": {"dependencies": {"a\u{1b}": "\u{9b}"}},
                "files": ["\u{1b}[31m"]
            });
        }),
        ("package of the wrong type", |m| {
            m["package"] = json!([1, 2]);
        }),
        ("another schema with ESC", |m| {
            m["schema"] = "shipcheck.manifest/v2\u{1b}[2J".into();
        }),
        ("no tool", |m| m["tool"] = Value::Null),
        ("no artifact", |m| {
            m.as_object_mut().map(|o| o.remove("artifact"));
        }),
    ];
    let mut out = Vec::new();
    for (name, edit) in edits {
        let mut m = valid.clone();
        edit(&mut m);
        out.push(((*name).to_owned(), serde_json::to_vec(&m).expect("JSON")));
    }
    let bytes = serde_json::to_vec_pretty(valid).expect("JSON");
    out.extend(mutants(&bytes, 99));
    out.push((
        "deeply nested".to_owned(),
        format!(
            "{{\"schema\":\"shipcheck.manifest/v1\",\"x\":{}",
            "[".repeat(100_000)
        )
        .into_bytes(),
    ));
    out
}

#[test]
fn mangled_manifests_never_panic_or_reach_the_terminal_raw() {
    let r = releases();
    let o = run_paths("manifest", &[&r.old], &[]);
    assert_ok(&o, "manifest");
    let valid: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut refused = 0;
    for (j, (how, bytes)) in manifest_mutants(&valid).into_iter().enumerate() {
        let file = write(dir.path(), &format!("{j}.manifest.json"), &bytes);
        let runs: [(&str, Vec<&Path>, &[&str]); 4] = [
            ("diff", vec![&file, &r.new], &[]),
            ("diff", vec![&r.new, &file], &["--json"]),
            ("diff", vec![&file, &file], &[]),
            (
                "check",
                vec![&r.new],
                &["--baseline", file.to_str().expect("UTF-8 path")],
            ),
        ];
        for (cmd, paths, extra) in runs {
            let o = run_paths(cmd, &paths, extra);
            let (code, err) = (o.status.code(), stderr(&o));
            let allowed: &[i32] = if cmd == "check" { &[0, 1, 2] } else { &[0, 2] };
            assert!(
                code.is_some_and(|c| allowed.contains(&c)),
                "{cmd} with a manifest ({how}): exit {code:?}, never a panic; stderr: {err}"
            );
            assert!(!err.contains("panicked"), "{how}: {err}");
            if let Some(c) = unsafe_char(&o.stdout) {
                panic!("{cmd} ({how}): raw {c} in stdout:\n{}", stdout(&o));
            }
            if let Some(c) = unsafe_char(&o.stderr) {
                panic!("{cmd} ({how}): raw {c} in stderr:\n{err}");
            }
            if code == Some(2) {
                refused += 1;
                assert!(o.stdout.is_empty(), "{how}: no partial output");
                assert_eq!(err.lines().count(), 1, "{how}: one line: {err}");
                assert!(
                    err.contains(&format!("{j}.manifest.json")),
                    "{how}: the error names the file: {err}"
                );
            }
        }
    }
    assert!(refused > 0, "some mangled manifests are refused");
}
