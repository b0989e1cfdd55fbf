//! Named regression cases for the zip install model (Python's zipfile, so pip), package
//! metadata read as npm reads it, inputs that are not regular files, `-o` targets, and
//! setuid bits. Each comes from a class the differential test or issue #10 found.

mod common;

use common::adversarial::Rng;
use common::adversarial::metadata::{self, MUTATIONS, Npm};
use common::adversarial::zip::{Archive, Member};
use common::check::{anomalies, error_of, fixture, paths};
use common::fixtures::write;
use common::{run, shipcheck};
use shipcheck::artifact::{AnomalyKind, Limits};

fn wheel(members: Vec<Member>) -> Archive {
    Archive {
        members,
        ..Archive::default()
    }
}

fn pth() -> Member {
    Member::file(b"evil.pth", b"import os; os.system('id')\n")
}

#[test]
fn a_65536_entry_zip_without_zip64_is_read_in_full_as_pip_reads_it() {
    // The end record's 16-bit count wraps to 0; zipfile walks the directory by its size.
    let mut members: Vec<Member> = (0..65_535)
        .map(|i| {
            let mut m = Member::file(format!("d/{i}").as_bytes(), b"");
            m.method = 0;
            m
        })
        .collect();
    members.push(pth());
    let mut a = wheel(members);
    a.count = Some(0);
    let (_dir, art) = fixture("big-1.0-py3-none-any.whl", &a.bytes());
    assert_eq!(art.entries.len(), 65_536, "every record is an entry");
    assert!(
        art.entries
            .iter()
            .any(|e| e.path == "evil.pth" && e.installed),
        "the last entry, past the wrapped count, is installed"
    );
    let found = anomalies(&art, AnomalyKind::EntryCount);
    assert!(
        found
            .iter()
            .any(|(_, d)| d.contains("counts 0 entries but the central directory holds 65536")),
        "{found:?}"
    );
}

#[test]
fn a_local_header_name_that_differs_from_the_central_name_is_refused() {
    let mut m = pth();
    m.local_name = Some(b"README.txt".to_vec());
    let err = error_of("x.whl", &wheel(vec![m]).bytes(), Limits::default());
    assert!(
        err.contains("zip refused: the central directory names an entry evil.pth but its local header says README.txt; pip refuses such a file"),
        "{err}"
    );
}

#[test]
fn methods_and_encryption_are_named_not_called_corrupt() {
    for (method, flags, said) in [
        (
            12,
            0,
            "evil.pth uses bzip2 (method 12) compression; pip can install it",
        ),
        (
            14,
            0,
            "evil.pth uses LZMA (method 14) compression; pip can install it",
        ),
        (
            93,
            0,
            "evil.pth uses Zstandard (method 93) compression; pip cannot install it either",
        ),
        (8, 1, "evil.pth is an encrypted entry"),
        (8, 0x41, "evil.pth uses strong encryption (flag bit 6)"),
    ] {
        let mut m = pth();
        m.method = method;
        m.flags = flags;
        let err = error_of("m.whl", &wheel(vec![m]).bytes(), Limits::default());
        assert!(
            err.contains(said),
            "method {method} flags {flags:#x}: {err}"
        );
        assert!(!err.contains("corrupt"), "{err}");
    }
}

#[test]
fn zip64_records_data_descriptors_and_a_comment_are_read() {
    let mut z64 = pth();
    z64.zip64 = true;
    let mut desc = Member::file(b"pkg/__init__.py", b"x = 1\n");
    desc.descriptor = true;
    let mut a = wheel(vec![z64, desc]);
    a.zip64_end = true;
    a.comment = b"built by hand".to_vec();
    let (_dir, art) = fixture("z.whl", &a.bytes());
    assert_eq!(paths(&art), ["evil.pth", "pkg/__init__.py"]);
    assert!(art.anomalies.is_empty(), "{:?}", art.anomalies);
}

#[test]
fn names_are_decoded_and_cut_as_python_does() {
    // No UTF-8 flag: cp437 (0x82 is é); a NUL ends the name (ZipInfo cuts it there).
    let unflagged = Member::file(b"pkg/caf\x82.py", b"1");
    let nul = Member::file(b"pkg/real.py\0.txt", b"2");
    let (_dir, art) = fixture("n.whl", &wheel(vec![unflagged, nul]).bytes());
    assert_eq!(paths(&art), ["pkg/café.py", "pkg/real.py"]);
    let mut bad = Member::file(b"pkg/\xff.py", b"3");
    bad.flags = 0x800;
    let err = error_of("u.whl", &wheel(vec![bad]).bytes(), Limits::default());
    assert!(
        err.contains("sets the UTF-8 flag but is not UTF-8"),
        "{err}"
    );
}

#[test]
fn a_bad_crc_and_overlapping_entries_are_what_pip_reads() {
    let mut bad = pth();
    bad.crc = Some(0x1234_5678);
    let err = error_of("c.whl", &wheel(vec![bad]).bytes(), Limits::default());
    assert!(err.contains("evil.pth: bad CRC-32"), "{err}");
    // Two central records pointing at one local header: pip refuses (the name differs).
    let mut a = wheel(vec![pth(), Member::file(b"ok.py", b"1")]);
    a.overlap = Some((1, 0));
    let err = error_of("o.whl", &a.bytes(), Limits::default());
    assert!(
        err.contains("names an entry ok.py but its local header says evil.pth"),
        "{err}"
    );
}

#[test]
fn every_package_json_npm_installs_shows_its_install_script() {
    let mut rng = Rng::new(7);
    for (i, name) in MUTATIONS.iter().enumerate() {
        let (json, script, npm) = metadata::package_json(i, "demo", "1.0.0");
        let bytes = common::fixtures::tgz(&[
            (b"package.json".as_slice(), json.as_slice()),
            (b"index.js".as_slice(), b"module.exports = 1;\n".as_slice()),
        ]);
        let (_dir, art) = fixture("demo-1.0.0.tgz", &bytes);
        let meta = art
            .package
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: package.json is found: {:?}", art.entries));
        match npm {
            Npm::Installs => assert_eq!(
                meta.scripts.get("postinstall"),
                script.as_ref(),
                "{name}: npm runs this script, so it is seen"
            ),
            Npm::Refuses => {
                let found = anomalies(&art, AnomalyKind::UnreadableMetadata);
                assert_eq!(found.len(), 1, "{name}: {found:?}");
                assert!(
                    found[0]
                        .1
                        .contains("package.json: package.json is not valid JSON"),
                    "{name}: {found:?}"
                );
            }
        }
        let _ = metadata::any(&mut rng);
    }
}

#[test]
fn setuid_bits_show_in_ls_and_are_reported_high() {
    let mut m = Member::file(b"bin/tool", b"#!/bin/sh\n");
    m.mode = Some(0o104_755);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "s.zip", &wheel(vec![m]).bytes());
    let p = path.to_str().expect("utf-8 path");
    let out = run(&["ls", p]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("-rwsr-xr-x"), "{text}");
    let out = run(&["check", p, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "archive-setuid")
        .unwrap_or_else(|| panic!("an archive-setuid finding: {json}"));
    assert_eq!(f["severity"], "high");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("setuid bit (mode 4755)") && m.contains("npm")),
        "{f}"
    );
}

/// Found by the long sdist run (seeds 4001114, 4003015 and 65 more of 100,000): a name that
/// climbs with `..` but stays inside, and a write through a link named with a drive letter.
#[test]
fn dots_that_resolve_inside_are_reported_naming_where_tarfile_writes() {
    let mut t = common::fixtures::Tar::new();
    t.file(
        "pkg-1.0/PKG-INFO",
        b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n",
    );
    t.file("pkg-1.0/deep/../escape.py", b"print('in')");
    t.file("pkg-1.0/a/../../up.py", b"print('out')");
    let (_dir, a) = fixture("pkg-1.0.tar.gz", &common::fixtures::gzip(&t.finish()));
    let found = anomalies(&a, AnomalyKind::PathTraversal);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].1.contains("npm refuses it, but Python's tarfile")
            && found[0].1.ends_with("writes escape.py"),
        "says where an sdist's copy lands: {}",
        found[0].1
    );
    assert!(
        found[1].1.contains("climbs out of the install folder"),
        "{}",
        found[1].1
    );
    for e in a.entries.iter().filter(|e| e.path.contains("..")) {
        assert!(!e.installed, "npm's reading: {}", e.path);
    }
}

#[cfg(unix)]
mod files {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;
    use std::time::Duration;

    fn mkfifo(path: &std::path::Path) {
        let ok = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "mkfifo works");
    }

    /// Runs the binary with a deadline, so a hang fails the test instead of stalling it.
    fn run_bounded(args: &[&str], stdin: std::process::Stdio) -> std::process::Output {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("shipcheck"));
        let mut child = cmd
            .args(args)
            .stdin(stdin)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawns");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if child.try_wait().expect("waits").is_some() {
                return child.wait_with_output().expect("output");
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("shipcheck {args:?} did not finish within 60 s (a hang)");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_fifo_or_device_input_is_refused_at_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("in.tgz");
        mkfifo(&fifo);
        for target in [fifo.to_str().expect("utf-8"), "/dev/zero"] {
            let out = run_bounded(&["check", target], std::process::Stdio::null());
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{target}: {err}");
            assert!(
                err.contains("not a regular file; save the stream to a file first"),
                "{err}"
            );
        }
        // /dev/stdin from a pipe: refused just as clearly, never "Illegal seek".
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("shipcheck"))
            .args(["ls", "/dev/stdin"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawns");
        drop(child.stdin.take());
        let out = child.wait_with_output().expect("finishes");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("is a FIFO or pipe, not a regular file"),
            "{err}"
        );
    }

    #[test]
    fn a_fifo_as_policy_allowed_signers_or_approval_is_refused_at_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let art = write(dir.path(), "w.zip", &wheel(vec![pth()]).bytes());
        let art = art.to_str().expect("utf-8");
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let fifo = fifo.to_str().expect("utf-8");
        let signers = dir.path().join("allowed_signers");
        std::fs::write(&signers, "").expect("write");
        let signers = signers.to_str().expect("utf-8");
        for args in [
            vec!["check", art, "--policy", fifo],
            vec!["check", art, "--baseline", fifo],
            vec!["verify", art, "--allowed-signers", fifo, "--approval", fifo],
            vec![
                "verify",
                art,
                "--allowed-signers",
                signers,
                "--approval",
                fifo,
            ],
        ] {
            let out = run_bounded(&args, std::process::Stdio::null());
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.contains(fifo) && err.contains("is a FIFO or pipe, not a regular file"),
                "{args:?}: names the file and what it is: {err}"
            );
        }
    }

    #[test]
    fn manifest_o_replaces_only_a_regular_file_and_keeps_its_mode() {
        let dir = tempfile::tempdir().expect("temp dir");
        let art = write(dir.path(), "w.zip", &wheel(vec![pth()]).bytes());
        let art = art.to_str().expect("utf-8");
        let real = dir.path().join("real.json");
        std::fs::write(&real, b"keep").expect("write");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let fifo = dir.path().join("fifo.json");
        mkfifo(&fifo);
        for (target, what) in [
            (&link, "is a symbolic link"),
            (&fifo, "is a FIFO"),
            (&dir.path().to_path_buf(), "is a directory"),
        ] {
            let t = target.to_str().expect("utf-8");
            let out = run_bounded(&["manifest", art, "-o", t], std::process::Stdio::null());
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{t}: {err}");
            assert!(
                err.contains(what) && err.contains("only replaces a regular file"),
                "{err}"
            );
        }
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).expect("real"), b"keep");
        // An existing file keeps its mode; a new one is 0644 less the umask (022 here at most).
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let out = shipcheck()
            .args(["manifest", art, "-o", real.to_str().expect("utf-8")])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mode = std::fs::metadata(&real).expect("meta").permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640);
        let new = dir.path().join("new.json");
        let out = shipcheck()
            .args(["manifest", art, "-o", new.to_str().expect("utf-8")])
            .output()
            .expect("runs");
        assert!(out.status.success());
        let mode = std::fs::metadata(&new).expect("meta").permissions().mode() & 0o7777;
        assert!(
            mode & 0o644 == mode && mode & 0o600 == 0o600,
            "a new file is 0644 less the umask, not 0600: {mode:o}"
        );
        assert_ne!(
            mode, 0o600,
            "not the temp file's 0600 (umask here is at most 022)"
        );
    }
}
