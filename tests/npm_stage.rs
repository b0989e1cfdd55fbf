//! npm's staged publishing end to end: `npm-stage:ID` artifacts fetched by the real npm client
//! from a stub registry, and `gate::npm_stage::approve` reaching that registry.
//!
//! The real-npm tests skip (saying so) only when `npm` is missing or older than 11.15, the first
//! release with `npm stage`; `.ci/run` installs a recent npm so that CI runs them. The tests
//! that refuse input before npm runs use a fake `npm` on `PATH` and always run.

mod common;
#[path = "support/stub_registry.rs"]
mod stub_registry;

use std::ffi::OsString;
use std::path::Path;
use std::process::Command as StdCommand;
use std::time::Duration;

use assert_cmd::Command;
use common::fixtures;
use serde_json::Value;
use sha2::{Digest as _, Sha512};
use stub_registry::StubRegistry;

const STAGE: &str = "0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6c";
const UNKNOWN: &str = "ffffffff-0000-4000-8000-000000000000";

/// Whether the installed npm has `npm stage` (11.15 and later); prints why not.
fn npm_has_stage() -> bool {
    let Ok(out) = StdCommand::new("npm").arg("--version").output() else {
        // Straight to the stream: libtest captures `eprintln!` of a passing test, and a skip
        // must show in plain `cargo test` output.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipping: npm is not installed (CI installs it: .ci/run)\n"),
        );
        return false;
    };
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) < (11, 15) {
        // Straight to the stream: libtest captures `eprintln!` of a passing test, and a skip
        // must show in plain `cargo test` output.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "skipping: npm {version} has no `npm stage` (11.15+; CI installs it: .ci/run)\n"
            ),
        );
        return false;
    }
    true
}

/// The environment that points the npm child at `registry` and away from the user's npm
/// config and cache: everything lives in `home`.
fn npm_env(registry: &str, home: &Path) -> Vec<(&'static str, OsString)> {
    vec![
        ("npm_config_registry", registry.into()),
        // npm reads `npm_config_*` case-insensitively; leave no inherited upper-case twin.
        ("NPM_CONFIG_REGISTRY", registry.into()),
        ("HOME", home.into()),
        ("npm_config_cache", home.join("cache").into()),
        ("npm_config_userconfig", home.join(".npmrc").into()),
        // Otherwise npm asks the registry for its own latest version first.
        ("npm_config_update_notifier", "false".into()),
    ]
}

/// The demo package staged as [`STAGE`] on a fresh stub, and a private npm home; `None` (with
/// a note) when npm has no `npm stage`.
fn staged_demo() -> Option<(Vec<u8>, StubRegistry, tempfile::TempDir)> {
    if !npm_has_stage() {
        return None;
    }
    let tarball = fixtures::demo_clean();
    let stub = StubRegistry::start(&[(STAGE, &tarball)]);
    let home = tempfile::tempdir().expect("temp home");
    Some((tarball, stub, home))
}

fn shipcheck(env: &[(&'static str, OsString)]) -> Command {
    let mut cmd = Command::cargo_bin("shipcheck").expect("the shipcheck binary is built");
    cmd.envs(env.iter().map(|(k, v)| (k, v)))
        .timeout(Duration::from_secs(120));
    cmd
}

fn sha512_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha512::digest(bytes)
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

fn stderr_lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn ls_lists_the_staged_files() {
    let Some((_, stub, home)) = staged_demo() else {
        return;
    };
    let out = shipcheck(&npm_env(&stub.url(), home.path()))
        .args(["ls", &format!("npm-stage:{STAGE}")])
        .output()
        .expect("shipcheck runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ls npm-stage: succeeds; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for path in [
        "package.json",
        "README.md",
        "dist/cli.js",
        "dist/lib/util.js",
    ] {
        assert!(stdout.contains(path), "ls lists {path}:\n{stdout}");
    }
    let asked = stub
        .wait_for(Duration::ZERO, |r| {
            r.method == "GET" && r.path == format!("/-/stage/{STAGE}/tarball")
        })
        .is_some();
    assert!(
        asked,
        "npm fetched the staged tarball: {:?}",
        stub.requests()
    );
}

#[test]
fn check_reports_the_digest_of_the_served_bytes() {
    let Some((tarball, stub, home)) = staged_demo() else {
        return;
    };
    let out = shipcheck(&npm_env(&stub.url(), home.path()))
        .args(["check", &format!("npm-stage:{STAGE}"), "--format", "json"])
        .output()
        .expect("shipcheck runs");
    assert_ne!(
        out.status.code(),
        Some(2),
        "check npm-stage: is no error; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("check prints JSON");
    let artifact = &report["artifact"];
    assert_eq!(
        artifact["sha512"].as_str(),
        Some(sha512_hex(&tarball).as_str()),
        "the reviewed bytes are the served bytes: {artifact}"
    );
    assert_eq!(artifact["name"], "demo-cli", "{artifact}");
    assert_eq!(artifact["version"], "1.0.0", "{artifact}");
}

#[test]
fn an_unknown_stage_is_one_error_line_quoting_npm() {
    let Some((_, stub, home)) = staged_demo() else {
        return;
    };
    let out = shipcheck(&npm_env(&stub.url(), home.path()))
        .args(["ls", &format!("npm-stage:{UNKNOWN}")])
        .output()
        .expect("shipcheck runs");
    assert_eq!(out.status.code(), Some(2), "an unknown stage is an error");
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "one error line: {lines:?}");
    assert!(
        lines[0].starts_with("shipcheck: error: fetching npm-stage:")
            && lines[0].contains("npm error 404 Not Found - GET")
            && lines[0].contains("/-/stage/"),
        "the line quotes npm's 404: {}",
        lines[0]
    );
    assert!(
        stub.requests()
            .iter()
            .any(|r| r.path == format!("/-/stage/{UNKNOWN}/tarball")),
        "npm asked the stub for the unknown stage: {:?}",
        stub.requests()
    );
}

#[test]
fn approve_posts_to_the_stage_with_the_otp() {
    let Some((_, stub, home)) = staged_demo() else {
        return;
    };
    let status = shipcheck::gate::npm_stage::approve_with_env(
        STAGE,
        Some("123456"),
        npm_env(&stub.url(), home.path()),
    )
    .expect("npm stage approve runs");
    assert!(status.success(), "npm stage approve succeeds: {status}");
    let approve = stub
        .wait_for(Duration::from_secs(10), |r| {
            r.method == "POST" && r.path == format!("/-/stage/{STAGE}/approve")
        })
        .unwrap_or_else(|| panic!("npm posted the approval: {:?}", stub.requests()));
    assert_eq!(
        approve.header("npm-otp"),
        Some("123456"),
        "npm sends the otp as a header: {approve:?}"
    );
}

#[test]
fn approving_an_unknown_stage_fails_in_npm() {
    if !npm_has_stage() {
        return;
    }
    let stub = StubRegistry::start(&[]);
    let home = tempfile::tempdir().expect("temp home");
    let status = shipcheck::gate::npm_stage::approve_with_env(
        UNKNOWN,
        None,
        npm_env(&stub.url(), home.path()),
    )
    .expect("npm stage approve runs");
    assert!(!status.success(), "a 404 on approve is a failure: {status}");
}

/// A fake `npm` in `dir` that records its arguments and current directory in `dir/ran`, then
/// runs `body` (shell builtins only: `PATH` holds just `dir`).
fn fake_npm(dir: &Path, body: &str) {
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" \"$PWD\" > '{}'\n{body}\n",
        dir.join("ran").display()
    );
    let npm = fixtures::write(dir, "npm", script.as_bytes());
    let mut perms = std::fs::metadata(&npm).expect("fake npm").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&npm, perms).expect("make the fake npm executable");
}

fn with_fake_npm(bin: &Path) -> Command {
    shipcheck(&[("PATH", bin.into())])
}

#[test]
fn a_stage_id_that_is_not_a_uuid_is_refused_before_npm_runs() {
    let bin = tempfile::tempdir().expect("temp bin");
    fake_npm(
        bin.path(),
        "echo 'npm error 404 Not Found - GET x' >&2; exit 1",
    );
    for bad in ["latest", "--registry=http://evil", "", &format!("{STAGE}0")] {
        let out = with_fake_npm(bin.path())
            .args(["ls", &format!("npm-stage:{bad}")])
            .output()
            .expect("shipcheck runs");
        assert_eq!(out.status.code(), Some(2), "{bad:?} is refused");
        let lines = stderr_lines(&out);
        assert!(
            lines.len() == 1 && lines[0].contains("a stage id is a UUID"),
            "one line saying why {bad:?} is refused: {lines:?}"
        );
        assert!(
            !bin.path().join("ran").exists(),
            "npm never ran for {bad:?}"
        );
    }
    // The control: with a UUID the same fake npm runs, in a private directory of its own.
    let out = with_fake_npm(bin.path())
        .args(["ls", &format!("npm-stage:{STAGE}")])
        .output()
        .expect("shipcheck runs");
    assert_eq!(out.status.code(), Some(2), "the fake npm fails");
    let ran = std::fs::read_to_string(bin.path().join("ran")).expect("the fake npm ran");
    let mut ran = ran.lines();
    assert_eq!(ran.next(), Some(format!("stage download {STAGE}").as_str()));
    let cwd = ran.next().expect("the fake npm's directory");
    assert!(
        !Path::new(cwd).exists(),
        "npm ran in a temporary directory that is gone now: {cwd}"
    );
    let lines = stderr_lines(&out);
    assert!(
        lines.len() == 1 && lines[0].contains("npm error 404 Not Found - GET x"),
        "npm's message is quoted: {lines:?}"
    );
}

#[test]
fn anything_but_one_tarball_from_npm_is_refused() {
    for (what, body) in [
        ("none", "exit 0"),
        ("two", ": > a-1.0.0-x.tgz; : > b-1.0.0-x.tgz; exit 0"),
        (
            "one and another file",
            ": > a-1.0.0-x.tgz; : > notes.txt; exit 0",
        ),
    ] {
        let bin = tempfile::tempdir().expect("temp bin");
        fake_npm(bin.path(), body);
        let out = with_fake_npm(bin.path())
            .args(["ls", &format!("npm-stage:{STAGE}")])
            .output()
            .expect("shipcheck runs");
        assert_eq!(out.status.code(), Some(2), "{what}: refused");
        let lines = stderr_lines(&out);
        assert!(
            lines.len() == 1 && lines[0].contains("expected exactly one tarball"),
            "{what}: one line saying why: {lines:?}"
        );
    }
}

/// Reads one response (status line, headers, `content-length` body) from `r`.
fn read_response(r: &mut impl std::io::BufRead) -> (String, Vec<u8>) {
    let mut status = String::new();
    r.read_line(&mut status).expect("a status line");
    let mut len = 0;
    loop {
        let mut line = String::new();
        r.read_line(&mut line).expect("a header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().expect("a numeric content-length");
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).expect("the body");
    (status.trim_end().to_owned(), body)
}

#[test]
fn the_stub_registry_serves_several_requests_per_connection() {
    use std::io::{BufReader, Write as _};
    let stub = StubRegistry::start(&[(STAGE, b"tarball bytes")]);
    let addr = stub.url();
    let addr = addr
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let conn = std::net::TcpStream::connect(&addr).expect("connect to the stub");
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    let mut w = conn.try_clone().expect("a second handle");
    let mut r = BufReader::new(conn);
    // Three requests written at once (pipelined), on one keep-alive connection.
    write!(
        w,
        "GET /-/stage/{STAGE}/tarball HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n\
         POST /-/stage/{STAGE}/approve HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
         POST /-/stage/{STAGE}/approve HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
         3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n\
         GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .expect("write the requests");
    let tarball = read_response(&mut r);
    assert_eq!(
        tarball,
        ("HTTP/1.1 200 OK".into(), b"tarball bytes".to_vec())
    );
    let approve = read_response(&mut r);
    assert_eq!(
        approve,
        ("HTTP/1.1 200 OK".into(), br#"{"ok":true}"#.to_vec())
    );
    let chunked = read_response(&mut r);
    assert_eq!(chunked.0, "HTTP/1.1 200 OK");
    let missing = read_response(&mut r);
    assert_eq!(missing.0, "HTTP/1.1 404 Not Found");
    let seen: Vec<(String, String, Vec<u8>)> = stub
        .requests()
        .into_iter()
        .map(|q| (q.method, q.path, q.body))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET".into(), format!("/-/stage/{STAGE}/tarball"), vec![]),
            (
                "POST".into(),
                format!("/-/stage/{STAGE}/approve"),
                b"hello".to_vec()
            ),
            (
                "POST".into(),
                format!("/-/stage/{STAGE}/approve"),
                b"abcde".to_vec()
            ),
            ("GET".into(), "/nope".into(), vec![]),
        ],
        "every request is recorded with its body"
    );
    // Dropping the stub closes this idle keep-alive connection instead of waiting it out.
    let started = std::time::Instant::now();
    drop(stub);
    let mut rest = Vec::new();
    let _ = std::io::Read::read_to_end(&mut r, &mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the stub stops promptly when dropped"
    );
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "nothing listens after the drop"
    );
}

/// A reviewer's key, allowed_signers and a signed approval of `tarball` in `dir` (the bytes as
/// a local file of the name npm gives them; the approval binds the bytes, not the name).
fn approval_of(dir: &Path, tarball: &[u8]) -> (std::path::PathBuf, std::path::PathBuf) {
    let file = dir.join("demo-cli-1.0.0.tgz");
    std::fs::write(&file, tarball).expect("write the reviewed bytes");
    let key = common::gate::keygen(dir, "ana");
    let signers = common::gate::allowed_signers(dir, &[("ana@example.com", "", &key)]);
    let bundle = dir.join("demo-cli-1.0.0.approval.intoto.jsonl");
    common::gate::write_bundle(
        &bundle,
        &[common::gate::approve(&file, &key, "ana@example.com")],
    );
    (bundle, signers)
}

#[test]
fn publish_approves_the_stage_only_after_verify_passes() {
    if !npm_has_stage() || !common::gate::have_ssh_keygen() {
        return;
    }
    let tarball = fixtures::demo_clean();
    let stub = StubRegistry::start(&[(STAGE, &tarball)]);
    let home = tempfile::tempdir().expect("temp home");
    let work = tempfile::tempdir().expect("work dir");
    let (bundle, signers) = approval_of(work.path(), &tarball);
    let approved = |stub: &StubRegistry| {
        stub.requests()
            .iter()
            .any(|r| r.method == "POST" && r.path == format!("/-/stage/{STAGE}/approve"))
    };
    // Another package's approval: refused, and the stage is left alone.
    let other = tempfile::tempdir().expect("other");
    let (wrong, wrong_signers) = approval_of(other.path(), &fixtures::demo_leaky());
    let out = shipcheck(&npm_env(&stub.url(), home.path()))
        .current_dir(work.path())
        .args(["publish", "--npm-stage", STAGE, "--approval"])
        .arg(&wrong)
        .arg("--allowed-signers")
        .arg(&wrong_signers)
        .output()
        .expect("shipcheck runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!approved(&stub), "npm stage approve never ran");

    let out = shipcheck(&npm_env(&stub.url(), home.path()))
        .current_dir(work.path())
        .args([
            "publish",
            "--npm-stage",
            STAGE,
            "--otp",
            "123456",
            "--approval",
        ])
        .arg(&bundle)
        .arg("--allowed-signers")
        .arg(&signers)
        .output()
        .expect("shipcheck runs");
    assert!(
        out.status.success(),
        "verified and approved: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let post = stub
        .wait_for(Duration::from_secs(30), |r| {
            r.method == "POST" && r.path == format!("/-/stage/{STAGE}/approve")
        })
        .expect("npm stage approve reached the registry");
    assert_eq!(post.header("npm-otp"), Some("123456"));
    let downloads = stub
        .requests()
        .iter()
        .filter(|r| r.path == format!("/-/stage/{STAGE}/tarball"))
        .count();
    assert!(
        downloads >= 2,
        "the staged bytes were downloaded again to verify"
    );
}

/// A registry serving `demo-cli@1.0.0` as published: its packument and tarball.
fn published(tarball: &[u8]) -> StubRegistry {
    use base64::Engine as _;
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(tarball))
    );
    let bytes = tarball.to_vec();
    StubRegistry::start_with(&[], move |base| {
        let packument = serde_json::json!({
            "name": "demo-cli",
            "dist-tags": { "latest": "1.0.0" },
            "versions": { "1.0.0": {
                "name": "demo-cli", "version": "1.0.0",
                "dist": { "tarball": format!("{base}demo-cli/-/demo-cli-1.0.0.tgz"), "integrity": integrity },
            }},
        });
        vec![
            ("/demo-cli".to_owned(), packument.to_string().into_bytes()),
            ("/demo-cli/-/demo-cli-1.0.0.tgz".to_owned(), bytes),
        ]
    })
}

#[test]
fn after_publishing_anyone_can_verify_what_the_registry_serves() {
    if !common::gate::have_ssh_keygen() {
        return;
    }
    let tarball = fixtures::demo_clean();
    let work = tempfile::tempdir().expect("work dir");
    let (bundle, signers) = approval_of(work.path(), &tarball);
    let home = tempfile::tempdir().expect("temp home");
    let verify = |stub: &StubRegistry| {
        shipcheck(&npm_env(&stub.url(), home.path()))
            .current_dir(work.path())
            .args(["verify", "npm:demo-cli@1.0.0", "--approval"])
            .arg(&bundle)
            .arg("--allowed-signers")
            .arg(&signers)
            .output()
            .expect("shipcheck runs")
    };
    let stub = published(&tarball);
    let out = verify(&stub);
    assert!(
        out.status.success(),
        "the registry serves the approved bytes: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    drop(stub);
    // The registry serves other bytes under the same version (a hijacked account re-publishing
    // is impossible on npm, but a mirror or a proxy could): refused.
    let stub = published(&fixtures::demo_leaky());
    let out = verify(&stub);
    assert_eq!(
        out.status.code(),
        Some(1),
        "other bytes are refused: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("not these bytes"));
}
