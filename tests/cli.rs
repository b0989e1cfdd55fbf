//! `ls`, `diff` and `manifest` through the real binary: exit codes, one-line errors, JSON
//! snapshots, output safety, robustness against mangled archives, and memory under a bomb.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use common::{Tar, Zip, flag, gzip, write};

fn shipcheck() -> Command {
    Command::cargo_bin("shipcheck").expect("the shipcheck binary is built")
}

fn run(args: &[&str]) -> Output {
    shipcheck().args(args).output().expect("shipcheck runs")
}

fn run_paths(cmd: &str, paths: &[&Path], extra: &[&str]) -> Output {
    let mut c = shipcheck();
    c.arg(cmd);
    for p in paths {
        c.arg(p);
    }
    c.args(extra).output().expect("shipcheck runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is valid UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_ok(o: &Output, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{what} succeeds; stderr: {}",
        stderr(o)
    );
}

/// Exit 2, nothing on stdout, exactly one stderr line naming `file` and saying `problem`.
fn assert_one_line_error(o: &Output, file: &str, problem: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "an error exits 2; stderr: {err}");
    assert!(
        o.stdout.is_empty(),
        "no partial output on stdout: {:?}",
        stdout(o)
    );
    assert_eq!(err.lines().count(), 1, "exactly one stderr line: {err:?}");
    assert!(err.ends_with('\n'), "the line is terminated: {err:?}");
    assert!(err.contains(file), "the error names {file}: {err}");
    assert!(err.contains(problem), "the error says {problem:?}: {err}");
}

/// Replaces values that depend on the temp dir, the compressor or the tool version.
fn redact(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                match k.as_str() {
                    "path" if val.as_str().is_some_and(|s| s.starts_with('/')) => {
                        *val = Value::from("[temp path]");
                    }
                    // Digests of the artifact bytes depend on the gzip implementation.
                    "sha512" | "integrity" | "packed_size" | "packed_delta" | "compressed_size" => {
                        *val = Value::from("[packed]");
                    }
                    _ => redact(val),
                }
            }
            if let Some(tool) = map.get_mut("tool") {
                tool["version"] = Value::from("[version]");
            }
            for side in ["artifact", "old", "new"] {
                if let Some(sha) = map.get_mut(side).and_then(|a| a.get_mut("sha256")) {
                    *sha = Value::from("[packed]");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn json_of(o: &Output) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    redact(&mut v);
    v
}

struct Releases {
    _dir: tempfile::TempDir,
    old: PathBuf,
    new: PathBuf,
}

/// A clean release and a next release that leaks (source map, .env, new postinstall and dep).
fn releases() -> Releases {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = write(
        dir.path(),
        "demo-1.0.0.tgz",
        &common::npm_tgz_with(
            r#"{"name":"demo","version":"1.0.0","files":["dist"],"dependencies":{"tiny":"^1.0.0"}}"#,
            &[
                ("dist/index.js", b"module.exports = () => 1;\n"),
                ("dist/util.js", b"exports.u = 1;\n"),
                ("README.md", b"# demo\n"),
            ],
        ),
    );
    let new = write(
        dir.path(),
        "demo-1.1.0.tgz",
        &common::npm_tgz_with(
            r#"{"name":"demo","version":"1.1.0","files":["dist"],"scripts":{"postinstall":"node dist/setup.js"},"dependencies":{"tiny":"^1.0.0","helper-x":"git+https://example.com/x.git"}}"#,
            &[
                ("dist/index.js", b"module.exports = () => 2; // changed\n"),
                (
                    "dist/index.js.map",
                    br#"{"version":3,"sources":["src/index.ts"],"sourcesContent":["secret()"]}"#,
                ),
                (".env", b"API_KEY=abc\n"),
                ("README.md", b"# demo\n"),
            ],
        ),
    );
    Releases {
        _dir: dir,
        old,
        new,
    }
}

// ---------------------------------------------------------------------------------------------
// ls

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
    insta::assert_json_snapshot!("ls_json", json_of(&o));
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
    insta::assert_json_snapshot!("ls_json_hostile", json_of(&o));
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

// ---------------------------------------------------------------------------------------------
// Broken archives

#[test]
fn broken_archives_exit_2_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tgz = common::npm_tgz("x", "1.0.0", &[("a.js", &[b'a'; 5000])]);
    let mut corrupt = tgz.clone();
    for b in &mut corrupt[12..40] {
        *b ^= 0x5a;
    }
    let mut lying = Tar::new();
    lying.file("package/package.json", b"{}");
    lying.raw(b"package/big", flag::FILE, 1 << 33, b"tiny", b"");
    let zip = common::wheel("w", "1.0");
    let cd = zip
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("a central directory");
    let mut broken_cd = zip.clone();
    broken_cd[cd + 1] = b'?';
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.tgz",
            tgz[..tgz.len() - 30].to_vec(),
            "corrupt gzip: truncated",
        ),
        ("corrupt.tgz", corrupt, "corrupt gzip"),
        (
            "text.tgz",
            b"not an archive at all\n".to_vec(),
            "not a package archive",
        ),
        ("empty.tgz", Vec::new(), "empty file"),
        (
            "lying.tgz",
            gzip(&lying.bytes),
            "truncated: entry package/big declares 8589934592 bytes",
        ),
        ("broken-cd.whl", broken_cd, "corrupt zip"),
    ];
    for (name, bytes, problem) in cases {
        let path = write(dir.path(), name, &bytes);
        for args in [&["ls"][..], &["ls", "--json"], &["manifest"]] {
            let mut c = shipcheck();
            c.args(args).arg(&path);
            let o = c.output().expect("runs");
            assert_one_line_error(&o, name, problem);
        }
        let ok = write(dir.path(), "ok.tgz", &common::npm_tgz("x", "1.0.0", &[]));
        let o = run_paths("diff", &[&ok, &path], &[]);
        assert_one_line_error(&o, name, problem);
    }
}

// ---------------------------------------------------------------------------------------------
// diff and manifest

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
fn diff_ls_and_manifest_mask_secrets_in_scripts_and_dependency_specs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = format!("{}{}", "ghp_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
    let old = write(
        dir.path(),
        "a-1.0.0.tgz",
        &common::npm_tgz_with(r#"{"name":"a","version":"1.0.0"}"#, &[]),
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

#[test]
fn diff_json_snapshot() {
    let r = releases();
    let o = run_paths("diff", &[&r.old, &r.new], &["--json"]);
    assert_ok(&o, "diff --json");
    insta::assert_json_snapshot!("diff_json", json_of(&o));
}

#[test]
fn manifest_snapshot_and_manifests_stand_in_for_artifacts() {
    let r = releases();
    let o = run_paths("manifest", &[&r.old], &[]);
    assert_ok(&o, "manifest");
    let manifest = json_of(&o);
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
    let (mut a, mut b) = (json_of(&from_artifact), json_of(&from_manifest));
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

// ---------------------------------------------------------------------------------------------
// Output safety

/// True if `bytes` hold a raw ESC, another C0 control except newline, DEL, a C1 control,
/// a bidi control, or invalid UTF-8.
fn unsafe_char(bytes: &[u8]) -> Option<String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some("invalid UTF-8".to_owned());
    };
    text.chars()
        .find(|&c| c != '\n' && shipcheck::sanitize::is_dangerous(c))
        .map(|c| format!("{c:?}"))
}

#[test]
fn no_raw_control_or_bidi_character_reaches_any_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hostile_json = "{\"name\":\"evil\\u001b[2J\",\"version\":\"1.0.0\\u202e\",\
        \"scripts\":{\"postinstall\":\"curl x\\u001b]52;c;ZXZpbA==\\u0007\"},\
        \"dependencies\":{\"dep\\u009b31m\":\"^1\\u2066\"}}";
    let mut t = Tar::new();
    t.file("package/package.json", hostile_json.as_bytes())
        .file("package/\x1b[2J\x1b[Hcls.js", b"1")
        .file("package/\x1b]52;c;Y3VybCBldmlsfHNo\x07osc.js", b"2")
        .file("package/\u{9b}31mc1.js", b"3")
        .file("package/invoice\u{202e}fdp.js", b"4")
        .file("package/iso\u{2067}late.js", b"5")
        .file_bytes(b"package/bad\xff\xc0.js", b"6")
        .file("package/del\x7f.js", b"7")
        .link("package/link", flag::SYMLINK, "\x1b[31mtarget\u{202e}");
    let evil = write(dir.path(), "evil.tgz", &gzip(&t.finish()));
    let clean = write(
        dir.path(),
        "clean.tgz",
        &common::npm_tgz("evil", "0.9.0", &[]),
    );
    let zip = write(
        dir.path(),
        "evil.zip",
        &Zip::new()
            .file("\x1b[2Jz.txt", b"1")
            .file("r\u{202e}txt.exe", b"2")
            .symlink("s", "\x1b]52;c;eA==\x07")
            .finish(),
    );
    let runs: Vec<(String, Output)> = vec![
        ("ls".into(), run_paths("ls", &[&evil], &[])),
        ("ls --json".into(), run_paths("ls", &[&evil], &["--json"])),
        ("ls zip".into(), run_paths("ls", &[&zip], &[])),
        (
            "ls --json zip".into(),
            run_paths("ls", &[&zip], &["--json"]),
        ),
        ("diff".into(), run_paths("diff", &[&clean, &evil], &[])),
        (
            "diff reverse".into(),
            run_paths("diff", &[&evil, &clean], &[]),
        ),
        (
            "diff --json".into(),
            run_paths("diff", &[&clean, &evil], &["--json"]),
        ),
        ("manifest".into(), run_paths("manifest", &[&evil], &[])),
        ("manifest zip".into(), run_paths("manifest", &[&zip], &[])),
    ];
    for (what, o) in &runs {
        assert_ok(o, what);
        assert!(!o.stdout.is_empty(), "{what} printed something");
        if let Some(c) = unsafe_char(&o.stdout) {
            panic!(
                "{what}: raw {c} in stdout:\n{}",
                String::from_utf8_lossy(&o.stdout)
            );
        }
    }
    let ls = stdout(&runs[0].1);
    assert!(ls.contains("^[[2J^[[Hcls.js"), "ESC shown as ^[:\n{ls}");
    assert!(
        ls.contains("invoice\\u{202e}fdp.js"),
        "bidi shown escaped:\n{ls}"
    );
    assert!(
        ls.contains("bad\u{fffd}\u{fffd}.js"),
        "invalid UTF-8 listed as the U+FFFD name node-tar writes:\n{ls}"
    );
    assert!(
        ls.contains("package/bad\\xff\\xc0.js holds characters"),
        "the anomaly shows the stored bytes as \\xNN:\n{ls}"
    );
    assert!(
        ls.contains("-> ^[[31mtarget\\u{202e}"),
        "link target sanitised:\n{ls}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&runs[1].1.stdout).expect("ls --json is valid JSON");
    assert_eq!(
        json["entries"][1]["path"], "\u{1b}[2J\u{1b}[Hcls.js",
        "JSON escapes decode back to the real name"
    );
    assert_eq!(json["package"]["name"], "evil\u{1b}[2J");
    let diff = stdout(&runs[4].1);
    assert!(
        diff.contains("evil^[[2J") && diff.contains("curl x^[]52;c;ZXZpbA==^G"),
        "metadata values in diff are sanitised:\n{diff}"
    );
}

// ---------------------------------------------------------------------------------------------
// Robustness

/// Deterministic pseudo-random numbers (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn mutants(valid: &[u8], seed: u64) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let len = valid.len();
    let step = (len / 12).max(1);
    for cut in (0..len).step_by(step).chain([1, 2, 10, 511, 512, len - 1]) {
        if cut < len {
            out.push((format!("truncated at {cut}"), valid[..cut].to_vec()));
        }
    }
    let mut rng = Lcg(seed);
    for _ in 0..16 {
        let mut m = valid.to_vec();
        let flips = 1 + rng.next() % 4;
        for _ in 0..flips {
            let at = (rng.next() as usize) % len;
            m[at] ^= 1 << (rng.next() % 8);
        }
        out.push(("bit flips".to_owned(), m));
    }
    out
}

#[test]
fn mangled_archives_never_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut tar = Tar::new();
    tar.file("package/package.json", br#"{"name":"x","version":"1.0.0"}"#)
        .file("package/a.js", &[b'a'; 700])
        .link("package/l", flag::SYMLINK, "a.js");
    let inputs = [
        (
            "x.tgz",
            common::npm_tgz("x", "1.0.0", &[("a.js", &[b'q'; 3000]), ("b.js", b"b")]),
        ),
        ("x.tar", tar.finish()),
        ("x.whl", common::wheel("w", "1.0")),
        ("x.zip", common::plain_zip_by_crate()),
    ];
    for (i, (name, valid)) in inputs.iter().enumerate() {
        for (j, (how, bytes)) in mutants(valid, i as u64 + 7).into_iter().enumerate() {
            let path = write(dir.path(), &format!("{j}-{name}"), &bytes);
            let o = run_paths("ls", &[&path], &["--json"]);
            let code = o.status.code();
            assert!(
                matches!(code, Some(0 | 2)),
                "{name} {how}: exit {code:?} (0 or 2 expected, never a panic); stderr: {}",
                stderr(&o)
            );
            let err = stderr(&o);
            assert!(!err.contains("panicked"), "{name} {how}: {err}");
            if code == Some(2) {
                assert!(o.stdout.is_empty(), "{name} {how}: no partial output");
                assert_eq!(err.lines().count(), 1, "{name} {how}: one line: {err}");
            } else {
                let _: serde_json::Value =
                    serde_json::from_slice(&o.stdout).expect("a readable mutant lists as JSON");
            }
        }
    }
}

#[test]
fn many_mangled_archives_through_the_library_never_panic() {
    use shipcheck::artifact::{Options, read_bytes};
    let inputs = [
        common::npm_tgz("x", "1.0.0", &[("a.js", &[b'q'; 3000])]),
        common::crate_file("c", "0.1.0"),
        common::wheel("w", "1.0"),
        common::vsix(),
        {
            let mut t = Tar::new();
            t.file("package/package.json", b"{}")
                .pax(&[("path", b"package/long/name")], "package/x", b"data")
                .gnu_long_name(b"package/another/long", b"zz");
            t.finish()
        },
    ];
    let mut rng = Lcg(42);
    let mut read_ok = 0;
    for valid in &inputs {
        for _ in 0..300 {
            let mut m = valid.clone();
            match rng.next() % 3 {
                0 => m.truncate((rng.next() as usize) % m.len()),
                1 => {
                    for _ in 0..=(rng.next() % 8) {
                        let at = (rng.next() as usize) % m.len();
                        m[at] = rng.next() as u8;
                    }
                }
                _ => {
                    let at = (rng.next() as usize) % m.len();
                    let len = ((rng.next() as usize) % 64).min(m.len() - at);
                    m.drain(at..at + len);
                }
            }
            match read_bytes("mutant", &m, &Options::default(), None) {
                Ok(_) => read_ok += 1,
                Err(e) => {
                    let msg = format!("{e:#}");
                    assert!(!msg.contains("panicked"), "no panic inside a reader: {msg}");
                    assert!(msg.starts_with("mutant: "), "errors name the input: {msg}");
                }
            }
        }
    }
    assert!(read_ok > 0, "some mutants are still readable archives");
}

// ---------------------------------------------------------------------------------------------
// Bombs and memory

/// Runs shipcheck under `/usr/bin/time -f %M` and returns (output, peak RSS in KiB).
fn run_measured(args: &[&std::ffi::OsStr]) -> Option<(Output, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("skipping the RSS measurement: /usr/bin/time is not installed");
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("shipcheck");
    let mut o = std::process::Command::new(time)
        .args(["-f", "RSS_KIB=%M"])
        .arg(bin)
        .args(args)
        .output()
        .expect("time runs");
    let err = stderr(&o);
    let rss = err
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RSS_KIB="))
        .and_then(|n| n.trim().parse().ok())
        .expect("time printed the peak RSS");
    // Leave shipcheck's own stderr: drop what `time` added.
    o.stderr = err
        .lines()
        .filter(|l| !l.starts_with("RSS_KIB=") && !l.starts_with("Command exited with"))
        .flat_map(|l| [l, "\n"])
        .collect::<String>()
        .into_bytes();
    eprintln!("peak RSS of shipcheck {args:?}: {rss} KiB");
    Some((o, rss))
}

#[test]
fn gzip_bomb_is_refused_with_a_clear_error_and_flat_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bomb = common::zero_bomb(dir.path(), "bomb.tgz", 256 << 20);
    let o = shipcheck()
        .args(["ls", "--max-unpacked-size", "32M"])
        .arg(&bomb)
        .output()
        .expect("runs");
    assert_one_line_error(
        &o,
        "bomb.tgz",
        "unpacks to more than 33554432 bytes (--max-unpacked-size); refusing to read further",
    );
    // Under the cap it is read in full, streaming: memory stays far below the unpacked size.
    if let Some((o, rss_kib)) = run_measured(&["ls".as_ref(), "--json".as_ref(), bomb.as_os_str()])
    {
        assert_eq!(
            o.status.code(),
            Some(0),
            "256 MiB is under the 1 GiB default"
        );
        let listing: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(listing["artifact"]["unpacked_size"], 256u64 << 20);
        assert!(
            listing["anomalies"]
                .as_array()
                .expect("anomalies")
                .iter()
                .any(|a| a["kind"] == "compression-ratio"),
            "the ratio is recorded"
        );
        assert!(
            rss_kib < 96 * 1024,
            "peak RSS {rss_kib} KiB stays under 96 MiB while streaming 256 MiB"
        );
    }
}

#[test]
fn gzip_bomb_of_2_5_gib_is_refused_under_the_default_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bomb = common::zero_bomb(dir.path(), "big-bomb.tgz", 5 << 29);
    let Some((o, rss_kib)) = run_measured(&["ls".as_ref(), bomb.as_os_str()]) else {
        return;
    };
    assert_eq!(o.status.code(), Some(2), "past the 1 GiB default cap");
    assert!(
        stderr(&o).contains("unpacks to more than 1073741824 bytes"),
        "{}",
        stderr(&o)
    );
    assert!(
        rss_kib < 128 * 1024,
        "peak RSS {rss_kib} KiB stays bounded while refusing a 2.5 GiB bomb"
    );
    // `check` holds a file's content for the rules only up to the 256 MiB scan limit.
    let Some((o, rss_kib)) = run_measured(&["check".as_ref(), bomb.as_os_str()]) else {
        return;
    };
    assert_eq!(o.status.code(), Some(2), "check refuses it too");
    assert!(
        rss_kib < 384 * 1024,
        "check's peak RSS {rss_kib} KiB stays under the scan limit plus the reader"
    );
}

#[test]
fn check_does_not_hold_a_file_past_the_scan_limit_and_says_it_was_not_scanned() {
    // 600 MiB of zeros in one entry: under the 1 GiB cap, past the 256 MiB scan limit.
    let dir = tempfile::tempdir().expect("temp dir");
    let bomb = common::zero_bomb(dir.path(), "wide.tgz", 600 << 20);
    let Some((o, rss_kib)) = run_measured(&[
        "check".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        bomb.as_os_str(),
    ]) else {
        return;
    };
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let unscanned: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "large-file" && f["evidence"]["not_scanned"] == true)
        .collect();
    assert_eq!(unscanned.len(), 1, "one not-scanned finding: {v:#}");
    assert_eq!(unscanned[0]["severity"], "high");
    assert_eq!(unscanned[0]["path"], "zeros.bin");
    assert!(
        rss_kib < 384 * 1024,
        "peak RSS {rss_kib} KiB: the 600 MiB file was hashed, not held"
    );
}

#[test]
fn a_10_gib_declared_size_does_not_allocate() {
    // The header declares 10 GiB; 40 MiB of zeros follow, gzip'd, and then the stream ends.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut t = Tar::new();
    t.file("package/package.json", br#"{"name":"x","version":"1.0.0"}"#);
    t.raw(
        b"package/big.bin",
        flag::FILE,
        10 << 30,
        &vec![0u8; 40 << 20],
        b"",
    );
    let path = write(dir.path(), "declared.tgz", &gzip(&t.bytes));
    // Under the default cap it is read to its end and refused as truncated; under a 32 MiB
    // cap it is refused at the cap, before the data runs out.
    let expected = [
        (
            None,
            "declares 10737418240 bytes but the archive ends after 41943040",
        ),
        (Some("32M"), "unpacks to more than 33554432 bytes"),
    ];
    for (cap, problem) in expected {
        let mut args: Vec<&std::ffi::OsStr> = vec!["ls".as_ref()];
        if let Some(cap) = cap {
            args.push(std::ffi::OsStr::new("--max-unpacked-size"));
            args.push(std::ffi::OsStr::new(cap));
        }
        args.push(path.as_os_str());
        let o = match run_measured(&args) {
            Some((o, rss_kib)) => {
                assert!(
                    rss_kib < 64 * 1024,
                    "cap {cap:?}: peak RSS {rss_kib} KiB: a declared size is never trusted for an allocation"
                );
                o
            }
            None => shipcheck().args(&args).output().expect("runs"),
        };
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "cap {cap:?}: refused: {err}");
        assert!(o.stdout.is_empty(), "cap {cap:?}: no partial listing");
        assert_eq!(err.lines().count(), 1, "cap {cap:?}: one line: {err}");
        assert!(err.contains("declared.tgz"), "names the file: {err}");
        assert!(err.contains(problem), "cap {cap:?}: {problem:?}: {err}");
    }
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

// ---------------------------------------------------------------------------------------------
// verify and publish: the interface exists, and fails closed until sign-off lands

#[test]
fn verify_and_publish_take_their_flags_and_say_they_are_not_yet_available() {
    let r = releases();
    let new = r.new.to_str().expect("UTF-8 path");
    let flags = [
        "--approval",
        "a.approval.json",
        "--allowed-signers",
        "allowed_signers",
        "--min-approvers",
        "2",
        "--forbid-approver",
        "author@example.com",
        "--forbid-approver",
        "bot@example.com",
        "--policy",
        "shipcheck.toml",
    ];
    let verify = run(&[&["verify", new][..], &flags].concat());
    let publish = run(&[
        &["publish", new][..],
        &flags,
        &["--", "npm", "publish", "--tag", "next"],
    ]
    .concat());
    for (what, o) in [("verify", &verify), ("publish", &publish)] {
        let err = stderr(o);
        assert_eq!(o.status.code(), Some(2), "{what} fails closed: {err}");
        assert!(o.stdout.is_empty(), "{what} prints nothing on stdout");
        assert_eq!(
            err.trim_end(),
            format!("shipcheck {what}: not yet available (tracked in issue #5)"),
            "{what}: one honest line"
        );
    }
    for what in ["verify", "publish"] {
        let o = run(&[what, new]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{what} without --allowed-signers is a usage error"
        );
        assert!(stderr(&o).contains("--allowed-signers"), "{}", stderr(&o));
        let o = run(&[what, new, "--allowed-signers", "s", "--min-approvers", "0"]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{what}: --min-approvers 0 is refused"
        );
        assert!(stderr(&o).contains("--min-approvers"), "{}", stderr(&o));
        let help = stdout(&run(&[what, "--help"]));
        for flag in [
            "--approval",
            "--allowed-signers",
            "--min-approvers",
            "--forbid-approver",
            "--policy",
        ] {
            assert!(help.contains(flag), "{what} --help lists {flag}:\n{help}");
        }
    }
    assert!(
        stdout(&run(&["publish", "--help"])).contains("[-- <COMMAND>...]"),
        "publish takes the command after --"
    );
}

#[test]
fn diff_of_two_wheels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = write(
        dir.path(),
        "w-1.0-py3-none-any.whl",
        &common::wheel("w", "1.0"),
    );
    let new = write(
        dir.path(),
        "w-1.1-py3-none-any.whl",
        &common::wheel("w", "1.1"),
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
fn long_names_cannot_balloon_memory() {
    // 40 entries whose pax paths are just under the 1 MiB record cap: 40 MB of names that
    // compress to almost nothing. Every name is kept (path, raw path, duplicate index), so
    // without a budget on name bytes memory grows to several times that.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    for i in 0..40u32 {
        let name = format!("package/{i}/{}", "n".repeat(1_000_000 - 16));
        t.pax(&[("path", name.as_bytes())], "package/x", b"");
    }
    let path = write(dir.path(), "names.tgz", &gzip(&t.finish()));
    let Some((o, rss_kib)) = run_measured(&["ls".as_ref(), "--json".as_ref(), path.as_os_str()])
    else {
        return;
    };
    assert!(
        rss_kib < 160 * 1024,
        "peak RSS {rss_kib} KiB stays bounded whatever the names hold (exit {:?})",
        o.status.code()
    );
    if o.status.code() == Some(2) {
        assert_one_line_error(
            &o,
            "names.tgz",
            "entry names and link targets add up to more than 33554432 bytes",
        );
    }
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
    insta::assert_json_snapshot!("ls_json_hostile_zip", json_of(&o));
}
