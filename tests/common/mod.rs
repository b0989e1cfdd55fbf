//! What the integration tests share: the generated [`fixtures`], the reader helpers of
//! [`check`], and running the real binary (its output, its errors, its JSON, its memory).
#![allow(dead_code)] // each test binary uses its own subset of the helpers

pub mod adversarial;
pub mod check;
pub mod differential;
pub mod fixtures;
pub mod gate;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// True when `tool VERSION_ARG` runs; otherwise says on stderr that the test skips (straight
/// to the stream: libtest captures `eprintln!` of a passing test, and a skip must show).
pub fn have(tool: &str, version_arg: &str) -> bool {
    let ok = std::process::Command::new(tool)
        .arg(version_arg)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipping: {tool} is not installed\n"),
        );
    }
    ok
}

/// The binary, as the user's shell would start it.
pub fn shipcheck() -> Command {
    Command::cargo_bin("shipcheck").expect("the shipcheck binary is built")
}

/// The binary run in `dir` with `NO_COLOR` set.
pub fn shipcheck_in(dir: &Path) -> Command {
    let mut c = shipcheck();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    shipcheck().args(args).output().expect("shipcheck runs")
}

/// Runs `shipcheck CMD PATHS... EXTRA...`.
pub fn run_paths(cmd: &str, paths: &[&Path], extra: &[&str]) -> Output {
    let mut c = shipcheck();
    c.arg(cmd);
    for p in paths {
        c.arg(p);
    }
    c.args(extra).output().expect("shipcheck runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is valid UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn assert_ok(o: &Output, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{what} succeeds; stderr: {}",
        stderr(o)
    );
}

/// Exit 2, nothing on stdout, exactly one stderr line naming `file` and saying `problem`.
pub fn assert_one_line_error(o: &Output, file: &str, problem: &str) {
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
fn redact(v: &mut Value) {
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

/// The JSON document on `o`'s stdout, with what varies between runs redacted (`ls`, `diff`
/// and `manifest` snapshots).
pub fn redacted_json(o: &Output) -> Value {
    let mut v: Value = serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    redact(&mut v);
    v
}

/// `check --format json ARGS` run through `cmd` (the binary, set up by the caller): the
/// document and the exit code.
pub fn check_json(mut cmd: Command, args: &[&str]) -> (Value, i32) {
    let out = cmd
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON: {e}\n{}", String::from_utf8_lossy(&out.stderr)));
    (v, out.status.code().unwrap_or(-1))
}

/// `check --format json ARGS` in `dir` without colour: the document and the exit code.
pub fn json_of(dir: &Path, args: &[&str]) -> (Value, i32) {
    check_json(shipcheck_in(dir), args)
}

/// The findings of `rule` in a `check --format json` document.
pub fn find<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// A clean release and the next one, in a temp dir that lives as long as this.
pub struct Releases {
    _dir: tempfile::TempDir,
    pub old: PathBuf,
    pub new: PathBuf,
}

/// A clean release and a next release that leaks (source map, .env, new postinstall and dep).
pub fn releases() -> Releases {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = fixtures::write(
        dir.path(),
        "demo-1.0.0.tgz",
        &fixtures::npm_tgz_with(
            r#"{"name":"demo","version":"1.0.0","files":["dist"],"dependencies":{"tiny":"^1.0.0"}}"#,
            &[
                ("dist/index.js", b"module.exports = () => 1;\n"),
                ("dist/util.js", b"exports.u = 1;\n"),
                ("README.md", b"# demo\n"),
            ],
        ),
    );
    let new = fixtures::write(
        dir.path(),
        "demo-1.1.0.tgz",
        &fixtures::npm_tgz_with(
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

/// A fake but well-formed GitHub token, assembled so this file never holds one.
pub fn token() -> String {
    format!("{}{}", "ghp_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO")
}

/// A source map embedding three sources, the first of which holds [`token`] on line 42.
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

/// The `package.json` of a clean package with a `files` allowlist.
pub const CLEAN_PKG: &[u8] = br#"{"name":"clean","version":"1.0.0","files":["index.js"]}"#;

/// The incident package, written to `dir`: a source map embedding its sources (and a token),
/// a postinstall script, and a nested tarball shipping a `.env`.
pub fn leaky(dir: &Path) -> PathBuf {
    let inner = fixtures::tgz_as_stored_v7(&[
        ("package/package.json", CLEAN_PKG),
        ("package/.env", b"API=1\n"),
    ]);
    let pkg = br#"{"name":"leaky","version":"2.0.0","scripts":{"postinstall":"node setup.js"}}"#;
    fixtures::write(
        dir,
        "leaky-2.0.0.tgz",
        &fixtures::tgz_as_stored_v7(&[
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

/// True if `bytes` hold a raw ESC, another C0 control except newline, DEL, a C1 control,
/// a bidi control, or invalid UTF-8.
pub fn unsafe_char(bytes: &[u8]) -> Option<String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some("invalid UTF-8".to_owned());
    };
    text.chars()
        .find(|&c| c != '\n' && shipcheck::sanitize::is_dangerous(c))
        .map(|c| format!("{c:?}"))
}

/// Deterministic pseudo-random numbers (no extra dependency).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Truncations and bit flips of `valid`, each with what was done to it.
pub fn mutants(valid: &[u8], seed: u64) -> Vec<(String, Vec<u8>)> {
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

/// Runs shipcheck under `/usr/bin/time -f %M` and returns (output, peak RSS in KiB).
pub fn run_measured(args: &[&std::ffi::OsStr]) -> Option<(Output, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        // Straight to the stream: libtest captures `eprintln!` of a passing test, and a skip
        // must show in plain `cargo test` output.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipping the RSS measurement: /usr/bin/time is not installed\n"),
        );
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
