//! What the differential tests share: their settings, the Python oracles' batch protocol, and
//! how shipcheck's side is summarised and judged.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;
use shipcheck::artifact::{Artifact, EntryKind};

/// A number from the environment (`SHIPCHECK_DIFF_CASES`, `SHIPCHECK_DIFF_SEED`), or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Where npm keeps its own modules (pacote, tar): `$(npm root -g)/npm`. Without them it
/// fails the test when `SHIPCHECK_REQUIRE_ORACLES` is set (CI), else says on stderr what
/// happens instead (`without`) and gives `None`.
pub fn npm_root(without: &str) -> Option<std::path::PathBuf> {
    let out = Command::new("npm").args(["root", "-g"]).output().ok()?;
    let root = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("npm");
    if root.join("node_modules/pacote").is_dir() {
        Some(root)
    } else if std::env::var_os("SHIPCHECK_REQUIRE_ORACLES").is_some() {
        panic!(
            "SHIPCHECK_REQUIRE_ORACLES is set (CI) but npm's pacote is not under {}",
            root.display()
        );
    } else {
        // Straight to the stream: libtest captures `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "npm's pacote not found under {}: {without}",
            root.display()
        );
        None
    }
}

/// Starts npm's own extraction (`tests/oracle/npm_extract.js`) with npm's modules at `npm`:
/// tarball paths go in a line each on stdin, one JSON line comes out per tarball after a
/// first line naming the versions.
pub fn spawn_npm_oracle(npm: &std::path::Path) -> std::process::Child {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/npm_extract.js");
    Command::new("node")
        .arg(script)
        .arg(npm)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs")
}

/// The interpreter the Python oracles run with (`SHIPCHECK_PYTHON`, default `python3`).
pub fn python() -> String {
    std::env::var("SHIPCHECK_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// True when `python -c probe` succeeds. Otherwise fails the test when `require` is set in
/// the environment (CI sets it, so an oracle can never silently not run), else says on stderr
/// that `test` skips because `missing`.
pub fn python_has(probe: &str, require: &str, test: &str, missing: &str) -> bool {
    let ok = Command::new(python())
        .args(["-c", probe])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os(require).is_none(),
            "{require} is set but {} has {missing}",
            python()
        );
        eprintln!(
            "SKIPPED {test}: {} has {missing} (CI installs it; set SHIPCHECK_PYTHON)",
            python()
        );
    }
    ok
}

/// Runs a Python oracle on a batch of files: the paths go in as one JSON array on stdin, one
/// JSON object comes back per line, in order.
pub fn run_oracle(script: &str, paths: &[String]) -> Vec<Value> {
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    let input = serde_json::to_vec(paths).expect("json");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("oracle finishes");
    writer
        .join()
        .expect("writer")
        .expect("oracle reads its input");
    assert!(out.status.success(), "the oracle {script} failed");
    let answers: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(answers.len(), paths.len(), "one answer per case");
    answers
}

/// The regular files shipcheck says the installer writes: path → sha256.
pub fn installed_files(a: &Artifact) -> BTreeMap<String, String> {
    installed_file_entries(a)
        .map(|e| {
            (
                e.path.clone(),
                e.sha256.as_deref().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The entries of the regular files shipcheck says the installer writes, in order (a later
/// one of a path wins when collected).
fn installed_file_entries(a: &Artifact) -> impl Iterator<Item = &shipcheck::artifact::Entry> {
    a.entries
        .iter()
        .filter(|e| e.installed && e.kind == EntryKind::File)
}

/// The regular files shipcheck says the installer writes, with the mode it gives them:
/// path → "sha256:mode" (octal), `mode` mapping an entry's stored mode to the written one.
pub fn written(a: &Artifact, mode: impl Fn(u32) -> u32) -> BTreeMap<String, String> {
    installed_file_entries(a)
        .map(|e| {
            let sha = e.sha256.as_deref().unwrap_or_default();
            (e.path.clone(), format!("{sha}:{:o}", mode(e.mode)))
        })
        .collect()
}

/// An oracle's file list (`[path, kind, sha256, mode]` rows) as path → "sha256:mode", files
/// only; `keep` decides which paths count.
pub fn oracle_files(
    rows: &Value,
    keep: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, String> {
    rows.as_array()
        .into_iter()
        .flatten()
        .filter(|f| f[1] == "file")
        .filter_map(|f| {
            let path = keep(f[0].as_str()?)?;
            let mode = f[3].as_u64()?;
            Some((path, format!("{}:{mode:o}", f[2].as_str()?)))
        })
        .collect()
}

/// This process's umask, as the shell reports it (the oracles run under the same one).
pub fn umask() -> u32 {
    let out = Command::new("sh")
        .args(["-c", "umask"])
        .output()
        .expect("sh runs");
    u32::from_str_radix(String::from_utf8_lossy(&out.stdout).trim(), 8).expect("an octal umask")
}

/// Each anomaly with its entry's names: installed, as stored, and as stored below the
/// archive's root folder (none: the whole archive).
pub fn anomalies(a: &Artifact) -> Vec<(Vec<String>, String)> {
    let below_root = |raw: &str| -> Option<String> {
        let root = a.root.as_deref()?;
        Some(raw.strip_prefix(root)?.strip_prefix('/')?.to_owned())
    };
    a.anomalies
        .iter()
        .map(|an| {
            let names = an
                .entry
                .map(|i| &a.entries[i as usize])
                .map(|e| {
                    let raw = e.raw_path().map(std::borrow::Cow::into_owned);
                    let stored = raw.as_deref().and_then(below_root);
                    [
                        Some(e.path.clone()),
                        raw,
                        // Python's tarfile resolves `a/../b` inside the folder and writes `b`.
                        stored.as_deref().map(resolve),
                        link_lands_on(&e.path, e, &below_root),
                        stored
                            .as_deref()
                            .and_then(|s| link_lands_on(s, e, &below_root)),
                        stored,
                    ]
                })
                .into_iter()
                .flatten()
                .flatten()
                .collect();
            (names, format!("archive-{}: {}", an.kind.id(), an.detail))
        })
        .collect()
}

/// Where a link entry at `path` (as shipcheck installs it, or as stored) sends its writes: a
/// symlink's target from the link's folder, a hard link's target below the root. A write
/// through the link changes that path (or what is below it).
fn link_lands_on(
    path: &str,
    e: &shipcheck::artifact::Entry,
    below_root: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let target = e.link_target.as_ref()?;
    match e.kind {
        EntryKind::Symlink => {
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            Some(resolve(&format!("{dir}/{target}")))
        }
        EntryKind::Hardlink => Some(resolve(
            &below_root(target).unwrap_or_else(|| target.to_string()),
        )),
        _ => None,
    }
}

/// `path` with `.` and empty parts dropped and `..` taking away the part before it.
fn resolve(path: &str) -> String {
    shipcheck::artifact::path::resolve_dots(path).0
}

/// True when every path on which the two sides differ is named by an anomaly on that path,
/// or an anomaly of the whole archive (a count, a prefix) stands over all of them. An
/// installer writing a name as stored (`C:/x.py`, `pkg\a.py` on Linux) where shipcheck lists
/// where it leads is covered by the anomaly on that entry, which names both spellings.
pub fn explained(
    ours: &BTreeMap<String, String>,
    theirs: &BTreeMap<String, String>,
    anomalies: &[(Vec<String>, String)],
) -> bool {
    if anomalies.iter().any(|(names, _)| names.is_empty()) {
        return true;
    }
    // A name covers itself and, for a folder (or a link to one), what is below it.
    let covers = |name: &String, p: &String| {
        p == name || (p.starts_with(name.as_str()) && p.as_bytes().get(name.len()) == Some(&b'/'))
    };
    let named = |p: &String| {
        anomalies
            .iter()
            .any(|(names, _)| names.iter().any(|n| covers(n, p)))
    };
    ours.iter()
        .filter(|(p, h)| theirs.get(*p) != Some(*h))
        .map(|(p, _)| p)
        .chain(theirs.keys().filter(|p| !ours.contains_key(*p)))
        .all(named)
}
