//! Work per artifact is linear in its size, whatever its shape (issue #10, class 5): each
//! adversarial shape is generated here at size N and 4N, and `check`'s time on the larger one
//! must stay within a generous multiple of four times the smaller one's. A quadratic path makes
//! that ratio sixteen. Each timing is the best of several runs, so a loaded two-core CI machine
//! slows both sides rather than one, and the sizes are chosen so the work dwarfs process start.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use common::fixtures::{Tar, gzip, tgz_as_stored, write};
use common::{find, json_of, shipcheck_in};

/// Linear work gives a ratio of about 4; this much more is allowed for noise and for the
/// constant costs (process start, the package's other files) not shrinking with N.
const SLACK: f64 = 2.0;
const RUNS: usize = 3;

/// The best of [`RUNS`] runs of `check` on `file`, which must finish (any exit but a crash).
fn best_check_time(dir: &Path, file: &Path, extra: &[&str]) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let out = shipcheck_in(dir)
                .arg("check")
                .arg(file)
                .args(extra)
                .output()
                .expect("shipcheck runs");
            let took = start.elapsed();
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "check finishes on {}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            took
        })
        .min()
        .expect("at least one run")
}

/// Asserts that `check` on the 4N artifact takes at most `4 * SLACK` times the N one.
fn assert_linear(what: &str, small: &[u8], large: &[u8], extra: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (s, l) = (
        write(dir.path(), "small.tgz", small),
        write(dir.path(), "large.tgz", large),
    );
    let (ts, tl) = (
        best_check_time(dir.path(), &s, extra),
        best_check_time(dir.path(), &l, extra),
    );
    let ratio = tl.as_secs_f64() / ts.as_secs_f64().max(1e-3);
    eprintln!("{what}: N {ts:?}, 4N {tl:?}, ratio {ratio:.2}");
    assert!(
        ratio <= 4.0 * SLACK,
        "{what}: check took {tl:?} at 4N against {ts:?} at N (ratio {ratio:.1}, linear is about \
         4, quadratic 16)"
    );
}

/// An npm tarball of `files` files, each `depth` folders deep (pax path records), with the
/// folder names that the dev-artifact and sensitive-file rules look for sprinkled in.
fn deep_paths(depth: usize, files: usize) -> Vec<u8> {
    let mut t = Tar::new();
    t.file(
        "package/package.json",
        br#"{"name":"deep","version":"1.0.0"}"#,
    );
    for f in 0..files {
        let mut path = String::from("package/");
        for i in 0..depth {
            path.push_str(match i % 7 {
                3 => "node_modules/",
                5 => "test/",
                _ => "a/",
            });
        }
        write!(path, "f{f}.js").expect("writing to a String");
        t.pax(&[("path", path.as_bytes())], "package/short.js", b"x");
    }
    gzip(&t.finish())
}

#[test]
fn check_is_linear_in_path_depth() {
    // Before the fix (a per-folder look back at the folders before it) 2,000 folders took
    // 0.85 s and 8,000 took 9.4 s.
    assert_linear(
        "path depth",
        &deep_paths(3_000, 20),
        &deep_paths(12_000, 20),
        &[],
    );
}

#[test]
fn check_is_linear_in_the_number_of_deep_files() {
    assert_linear(
        "deep files",
        &deep_paths(500, 50),
        &deep_paths(500, 200),
        &[],
    );
}

/// An npm tarball holding `n` nested `.tgz` files, each a gzip bomb unpacking to `bomb` bytes.
fn nested_bombs(n: usize, bomb: usize) -> Vec<u8> {
    let inner = tgz_as_stored(&[("package/zeros.bin", &vec![0u8; bomb])]);
    let mut files: Vec<(String, &[u8])> = vec![(
        "package/package.json".to_owned(),
        br#"{"name":"bombs","version":"1.0.0"}"#,
    )];
    for i in 0..n {
        files.push((format!("package/vendor/b{i}.tgz"), &inner));
    }
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
    tgz_as_stored(&files)
}

#[test]
fn nested_archives_share_one_inflate_budget_named_in_the_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "bombs.tgz", &nested_bombs(40, 4 << 20));
    let name = file.to_str().expect("UTF-8 temp path");
    let (v, _) = json_of(dir.path(), &[name, "--max-nested-unpacked", "10M"]);
    let nested = find(&v, "nested-archive");
    assert_eq!(nested.len(), 40, "every nested archive is reported");
    let scanned: u64 = nested
        .iter()
        .filter_map(|f| f["evidence"]["unpacked_size"].as_u64())
        .sum();
    assert!(
        scanned <= 10_000_000,
        "all nested archives together unpacked {scanned} bytes, within the 10M budget"
    );
    let opened = nested
        .iter()
        .filter(|f| f["evidence"]["unpacked_size"].is_u64())
        .count();
    assert_eq!(opened, 2, "two 4 MiB bombs fit in 10M: {nested:#?}");
    let refused: Vec<&str> = nested
        .iter()
        .filter_map(|f| f["message"].as_str())
        .filter(|m| !m.contains("scanned)") && !m.ends_with("scanned"))
        .collect();
    assert_eq!(refused.len(), 38, "the rest say why: {refused:#?}");
    for m in refused {
        assert!(
            m.contains("10 MB") && m.contains("--max-nested-unpacked"),
            "the message names the limit and the flag that raises it: {m}"
        );
    }
}

#[test]
fn the_budget_flag_raises_the_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "bombs.tgz", &nested_bombs(5, 1 << 20));
    let name = file.to_str().expect("UTF-8 temp path");
    let (v, _) = json_of(dir.path(), &[name, "--max-nested-unpacked", "64M"]);
    let opened = find(&v, "nested-archive")
        .iter()
        .filter(|f| f["evidence"]["unpacked_size"].is_u64())
        .count();
    assert_eq!(opened, 5, "a larger budget opens them all");
}

#[test]
fn check_is_linear_in_the_number_of_nested_bombs() {
    // Each bomb is 4 MiB of zeros; without one budget for all, 4N bombs inflate four times
    // as much as N (and 100 of 256 MiB each took 57 s); with it the work stops at 32M.
    assert_linear(
        "nested bombs",
        &nested_bombs(10, 4 << 20),
        &nested_bombs(40, 4 << 20),
        &["--max-nested-unpacked", "32M"],
    );
}

/// An npm tarball of `n` small files spread over folders of a thousand.
fn many_entries(n: usize) -> Vec<u8> {
    let mut t = Tar::new();
    t.file(
        "package/package.json",
        br#"{"name":"many","version":"1.0.0"}"#,
    );
    for i in 0..n {
        t.file(&format!("package/d{}/f{i}.txt", i / 1000), b"x");
    }
    gzip(&t.finish())
}

#[test]
fn entries_past_the_limit_are_refused_naming_the_limit_and_its_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "many.tgz", &many_entries(3_000));
    for (extra, code) in [
        (&["--max-entries", "2000"][..], 2),
        (&["--max-entries", "5000"], 0),
    ] {
        let out = shipcheck_in(dir.path())
            .arg("ls")
            .arg(&file)
            .args(extra)
            .output()
            .expect("shipcheck runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{extra:?}: {err}");
        if code == 2 {
            assert!(
                err.contains("more than 2000 entries (--max-entries)") && err.contains("many.tgz"),
                "names the file, the limit and the flag: {err}"
            );
            assert!(out.stdout.is_empty(), "nothing half-listed");
        }
    }
}

#[test]
fn check_is_linear_in_the_number_of_entries() {
    assert_linear("entries", &many_entries(5_000), &many_entries(20_000), &[]);
}

/// A baseline manifest of `n` entries (written by shipcheck itself) and a small artifact.
fn manifest_of(dir: &Path, n: usize) -> std::path::PathBuf {
    let tgz = write(dir, &format!("base{n}.tgz"), &many_entries(n));
    let out = dir.join(format!("base{n}.manifest.json"));
    let o = shipcheck_in(dir)
        .arg("manifest")
        .arg(&tgz)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("shipcheck runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn a_baseline_manifest_is_read_in_linear_time_and_capped_by_the_entry_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let small = many_entries(10);
    let file = write(dir.path(), "now.tgz", &small);
    let (m1, m4) = (
        manifest_of(dir.path(), 5_000),
        manifest_of(dir.path(), 20_000),
    );
    let (t1, t4) = (
        best_check_time(
            dir.path(),
            &file,
            &["--baseline", m1.to_str().expect("UTF-8")],
        ),
        best_check_time(
            dir.path(),
            &file,
            &["--baseline", m4.to_str().expect("UTF-8")],
        ),
    );
    let ratio = t4.as_secs_f64() / t1.as_secs_f64().max(1e-3);
    eprintln!("baseline manifest entries: N {t1:?}, 4N {t4:?}, ratio {ratio:.2}");
    assert!(ratio <= 4.0 * SLACK, "ratio {ratio:.1} (linear is about 4)");
    let out = shipcheck_in(dir.path())
        .arg("check")
        .arg(&file)
        .arg("--baseline")
        .arg(&m4)
        .args(["--max-entries", "10000"])
        .output()
        .expect("shipcheck runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("base20000.manifest.json")
            && err.contains("more than 10000 entries (--max-entries)"),
        "names the manifest, the limit and the flag: {err}"
    );
}

/// `n` extension headers of each kind before the entries they describe: pax headers of half a
/// MiB (read and parsed: under node-tar's 1 MiB limit), pax headers of 2 MiB (skipped unread),
/// GNU long names of half a MiB, and pax headers before a sparse `S` entry (which npm skips),
/// every path of the header walk taken once per round.
fn extension_headers(n: usize) -> Vec<u8> {
    let pax = |value_len: usize| {
        let value = "v".repeat(value_len);
        let rest = "comment".len() + value.len() + 3;
        let mut len = rest + 1;
        while len != rest + len.to_string().len() {
            len = rest + len.to_string().len();
        }
        format!("{len} comment={value}\n").into_bytes()
    };
    let (small, large) = (pax(500_000), pax(2_000_000));
    let long = {
        let mut name = format!("package/{}", "n".repeat(500_000)).into_bytes();
        name.push(0);
        name
    };
    let mut t = Tar::new();
    t.file(
        "package/package.json",
        br#"{"name":"ext","version":"1.0.0"}"#,
    );
    for i in 0..n {
        t.raw(b"PaxHeaders/x", b'x', small.len() as u64, &small, b"");
        t.raw(b"PaxHeaders/x", b'x', large.len() as u64, &large, b"");
        t.file(&format!("package/a{i}.txt"), b"a");
        t.raw(b"././@LongLink", b'L', long.len() as u64, &long, b"");
        t.file(&format!("package/b{i}.txt"), b"b");
        t.raw(b"PaxHeaders/x", b'x', small.len() as u64, &small, b"");
        t.raw(
            format!("package/s{i}.bin").as_bytes(),
            b'S',
            4,
            b"ssss",
            b"",
        );
    }
    gzip(&t.finish())
}

#[test]
fn check_is_linear_in_the_number_of_extension_headers() {
    assert_linear(
        "extension headers",
        &extension_headers(4),
        &extension_headers(16),
        &[],
    );
}
