//! shipcheck's npm install model against npm itself, on generated hostile tarballs.
//!
//! Every case from the seeded generator (`common::adversarial::tar`) is read by shipcheck
//! (in-process, the library `ls` uses; a sample also through the binary's `ls --json`) and
//! extracted by npm's own pacote (`tests/oracle/npm_extract.js`, one node process for the
//! whole batch). For each case one of these must hold:
//! - the files shipcheck lists as installed (path and sha256) are exactly what npm wrote;
//! - shipcheck refuses the artifact (exit 2);
//! - every path on which the two differ belongs to an entry shipcheck reports an anomaly on
//!   (an `archive-*` finding, critical).
//!
//! `SHIPCHECK_DIFF_CASES` (default 2000) sets the number of cases, `SHIPCHECK_DIFF_SEED` the
//! first seed.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::adversarial::tar::{Case, case, plain_meta};
use common::differential::{installed_files, npm_root, spawn_npm_oracle, umask, written};
use shipcheck::artifact::install::npm_file_mode;
use shipcheck::artifact::{Artifact, Options, read_bytes};

/// What npm wrote, per case: `Ok(files)` (path → sha256) or `Err(npm's error)`.
type Written = Result<BTreeMap<String, String>, String>;

/// Runs the oracle once over every file.
fn oracle(npm: &Path, files: &[PathBuf]) -> Vec<Written> {
    let mut child = spawn_npm_oracle(npm);
    let mut stdin = child.stdin.take().expect("stdin");
    let mut list = String::new();
    for f in files {
        list.push_str(&f.to_string_lossy());
        list.push('\n');
    }
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let mut out = Vec::new();
    let reader = BufReader::new(child.stdout.take().expect("stdout"));
    for line in reader.lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(&line.expect("a line")).expect("JSON");
        if v["ok"] == true {
            let mut files = BTreeMap::new();
            for e in v["entries"].as_array().expect("entries") {
                match e["kind"].as_str() {
                    Some("dir") => {}
                    Some("file") => {
                        // Content and mode: "sha256:mode".
                        files.insert(
                            e["path"].as_str().expect("path").to_owned(),
                            format!(
                                "{}:{:o}",
                                e["sha256"].as_str().expect("sha"),
                                e["mode"].as_u64().expect("mode")
                            ),
                        );
                    }
                    other => {
                        files.insert(
                            e["path"].as_str().expect("path").to_owned(),
                            format!("<{other:?}>"),
                        );
                    }
                }
            }
            out.push(Ok(files));
        } else {
            out.push(Err(v["error"].as_str().unwrap_or_default().to_owned()));
        }
    }
    writer.join().expect("writer").expect("list written");
    assert!(
        child.wait().expect("node exits").success(),
        "the oracle ran"
    );
    assert_eq!(out.len(), files.len(), "one oracle line per case");
    out
}

/// What shipcheck says npm writes: each installed file's content and mode ("sha256:mode", the
/// mode by `npm_file_mode` under this process's umask, which the oracle's node inherits).
fn npm_writes(a: &Artifact) -> BTreeMap<String, String> {
    let umask = umask();
    written(a, |m| npm_file_mode(m, umask))
}

/// The paths on which the two disagree.
fn differences(ours: &BTreeMap<String, String>, npm: &BTreeMap<String, String>) -> Vec<String> {
    let mut diff: Vec<String> = ours
        .iter()
        .filter(|(p, s)| npm.get(*p) != Some(s))
        .map(|(p, _)| p.clone())
        .collect();
    diff.extend(
        npm.iter()
            .filter(|(p, s)| ours.get(*p) != Some(s))
            .map(|(p, _)| p.clone()),
    );
    diff.sort();
    diff.dedup();
    diff
}

/// True if shipcheck reports an anomaly on an entry at `path`.
fn reported(a: &Artifact, path: &str) -> bool {
    a.anomalies.iter().any(|an| {
        an.entry
            .and_then(|i| a.entries.get(i as usize))
            .is_some_and(|e| e.path == path)
    })
}

/// The outcome of one case; `Err` describes an unexplained difference.
#[derive(Debug, Default)]
struct Tally {
    equal: usize,
    refused: usize,
    reported: usize,
    npm_refused: usize,
}

fn judge(
    c: &Case,
    ours: &anyhow::Result<Artifact>,
    npm: &Written,
    t: &mut Tally,
) -> Result<(), String> {
    let Ok(npm) = npm else {
        // npm refuses the tarball (and installs nothing); whatever shipcheck shows is more.
        t.npm_refused += 1;
        return Ok(());
    };
    let Ok(a) = ours else {
        t.refused += 1;
        return Ok(());
    };
    let diff = differences(&npm_writes(a), npm);
    if diff.is_empty() {
        t.equal += 1;
        return Ok(());
    }
    let unexplained: Vec<&String> = diff.iter().filter(|p| !reported(a, p)).collect();
    if unexplained.is_empty() {
        t.reported += 1;
        return Ok(());
    }
    Err(format!(
        "shipcheck installs {:?}\nnpm installs {:?}\nunexplained paths {unexplained:?}\nsteps: {:#?}\nanomalies: {:#?}",
        npm_writes(a),
        npm,
        c.steps,
        a.anomalies
    ))
}

#[test]
fn shipcheck_installs_what_npm_installs_on_generated_tarballs() {
    let Some(npm) = npm_root("skipping the npm differential test") else {
        return;
    };
    let n = common::differential::env_number("SHIPCHECK_DIFF_CASES", 2000);
    let first = common::differential::env_number("SHIPCHECK_DIFF_SEED", 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    // Batches keep the temp dir small on long runs.
    let batch = 2000;
    let mut seed = first;
    while seed < first + n {
        let end = (seed + batch).min(first + n);
        let cases: Vec<(u64, Case)> = (seed..end).map(|s| (s, case(s, &plain_meta))).collect();
        let files: Vec<PathBuf> = cases
            .iter()
            .map(|(s, c)| common::fixtures::write(dir.path(), &format!("c{s}.tgz"), &c.bytes))
            .collect();
        let written = oracle(&npm, &files);
        for (((s, c), file), npm) in cases.iter().zip(&files).zip(&written) {
            let ours = read_bytes(&format!("c{s}.tgz"), &c.bytes, &Options::default(), None);
            if let Err(why) = judge(c, &ours, npm, &mut tally) {
                failures.push(format!("seed {s}:\n{why}"));
            }
            if s % 97 == 0 {
                same_through_the_binary(file, &ours);
            }
            std::fs::remove_file(file).expect("remove case");
        }
        seed = end;
        if n > batch {
            // Progress of a long run (shown with --nocapture).
            let _ = writeln!(
                std::io::stderr(),
                "up to seed {end}: {tally:?}, {} unexplained{}",
                failures.len(),
                failures
                    .last()
                    .map(|f| format!("; last {}", f.lines().next().unwrap_or_default()))
                    .unwrap_or_default()
            );
        }
    }
    eprintln!("npm differential: {n} cases from seed {first}: {tally:?}");
    assert!(
        failures.is_empty(),
        "{} of {n} cases differ from npm without a report; first:\n{}\nall seeds: {:?}",
        failures.len(),
        failures[0],
        failures
            .iter()
            .map(|f| f.lines().next().unwrap_or_default())
            .collect::<Vec<_>>()
    );
    assert!(
        tally.equal > n as usize / 2,
        "most cases are read exactly as npm reads them: {tally:?}"
    );
}

/// `ls --json` lists the same installed files as the library, or exits 2 where it refused.
fn same_through_the_binary(file: &Path, ours: &anyhow::Result<Artifact>) {
    let out = common::shipcheck()
        .args(["ls", "--json"])
        .arg(file)
        .output()
        .expect("shipcheck runs");
    match ours {
        Err(e) => assert_eq!(
            out.status.code(),
            Some(2),
            "refused in-process ({e:#}) and by the binary"
        ),
        Ok(a) => {
            assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
            let listed: BTreeMap<String, String> = v["entries"]
                .as_array()
                .expect("entries")
                .iter()
                .filter(|e| e["installed"] == true && e["kind"] == "file")
                .map(|e| {
                    (
                        e["path"].as_str().expect("path").to_owned(),
                        e["sha256"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            assert_eq!(
                listed,
                installed_files(a),
                "the binary lists what the library read"
            );
        }
    }
}

/// The files under `root` (path → "sha256:mode"), as the oracle lists them.
fn walk(root: &Path, rel: &str, out: &mut BTreeMap<String, String>) {
    let mut names: Vec<_> = std::fs::read_dir(root.join(rel))
        .expect("read dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names.sort();
    for name in names {
        let name = name.to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let full = root.join(&r);
        let meta = std::fs::symlink_metadata(&full).expect("lstat");
        if meta.is_dir() {
            walk(root, &r, out);
        } else if meta.is_file() {
            let bytes = std::fs::read(&full).expect("read");
            let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
            out.insert(r, format!("{}:{mode:o}", common::check::sha256_hex(&bytes)));
        } else {
            out.insert(r, "<other>".to_owned());
        }
    }
}

#[test]
fn the_oracle_writes_what_npm_install_writes() {
    // The oracle calls pacote directly; `npm install ./case.tgz` goes through arborist and
    // reify. On a handful of hostile cases both must write the same files.
    let Some(npm) = npm_root("skipping the npm differential test") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cases: Vec<(u64, PathBuf)> = Vec::new();
    let mut seed = 7;
    // Cases npm accepts, whose package root is `package`, with something hostile in them.
    while cases.len() < 6 {
        let c = case(seed, &plain_meta);
        if c.steps
            .iter()
            .any(|s| s.contains("pax") || s.contains("gnu") || s.contains("type"))
        {
            let f = common::fixtures::write(dir.path(), &format!("c{seed}.tgz"), &c.bytes);
            cases.push((seed, f));
        }
        seed += 1;
    }
    let files: Vec<PathBuf> = cases.iter().map(|(_, f)| f.clone()).collect();
    let written = oracle(&npm, &files);
    let mut compared = 0;
    for ((s, file), oracle_says) in cases.iter().zip(written) {
        let Ok(oracle_says) = oracle_says else {
            continue;
        };
        let project = dir.path().join(format!("p{s}"));
        std::fs::create_dir(&project).expect("project dir");
        std::fs::write(
            project.join("package.json"),
            br#"{"name":"p","version":"1.0.0"}"#,
        )
        .expect("package.json");
        let out = Command::new("npm")
            .args([
                "install",
                "--offline",
                "--no-save",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
            ])
            .arg(file)
            .current_dir(&project)
            .output()
            .expect("npm runs");
        let installed = project.join("node_modules/gen");
        if !out.status.success() || !installed.is_dir() {
            // npm install also validates package.json; the oracle does not need to.
            continue;
        }
        let mut wrote = BTreeMap::new();
        walk(&installed, "", &mut wrote);
        assert_eq!(
            wrote, oracle_says,
            "seed {s}: npm install and the oracle agree"
        );
        compared += 1;
    }
    assert!(
        compared >= 3,
        "enough cases were installed by npm to compare: {compared}"
    );
}
