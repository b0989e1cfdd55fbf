//! Helpers shared by the reader tests: open a fixture, find entries and anomalies, assert.

use std::path::Path;

use shipcheck::artifact::{AnomalyKind, Artifact, Entry, Limits, Options, read_file};

use super::fixtures::write;

pub fn read(path: &Path) -> Artifact {
    read_file(path, &Options::default(), None, None)
        .unwrap_or_else(|e| panic!("{} should read: {e:#}", path.display()))
}

pub fn read_with(path: &Path, limits: Limits) -> anyhow::Result<Artifact> {
    let opts = Options {
        limits,
        keep_contents: false,
        digesting: shipcheck::artifact::Digesting::InPass,
        index: false,
    };
    read_file(path, &opts, None, None)
}

pub fn fixture(name: &str, bytes: &[u8]) -> (tempfile::TempDir, Artifact) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), name, bytes);
    let a = read(&path);
    (dir, a)
}

pub fn error_of(name: &str, bytes: &[u8], limits: Limits) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), name, bytes);
    match read_with(&path, limits) {
        Ok(a) => panic!("{name} should be refused, got {} entries", a.entries.len()),
        Err(e) => format!("{e:#}"),
    }
}

pub fn entry<'a>(a: &'a Artifact, path: &str) -> &'a Entry {
    a.entries
        .iter()
        .rev()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("no entry {path:?} in {:?}", paths(a)))
}

pub fn paths(a: &Artifact) -> Vec<&str> {
    a.entries.iter().map(|e| e.path.as_str()).collect()
}

/// The anomalies of one kind, as (entry index, detail).
pub fn anomalies(a: &Artifact, kind: AnomalyKind) -> Vec<(Option<u32>, &str)> {
    a.anomalies
        .iter()
        .filter(|an| an.kind == kind)
        .map(|an| (an.entry, an.detail.as_str()))
        .collect()
}

/// Asserts exactly one anomaly of `kind`, at `e`, whose message mentions `needle`.
pub fn assert_one(a: &Artifact, kind: AnomalyKind, e: &Entry, needle: &str) {
    let found = anomalies(a, kind);
    assert_eq!(
        found.len(),
        1,
        "one {kind:?} anomaly expected, got {found:?} (all: {:?})",
        a.anomalies
    );
    assert_eq!(
        found[0].0,
        Some(e.index),
        "{kind:?} points at entry {} ({})",
        e.index,
        e.path
    );
    assert!(
        found[0].1.contains(needle),
        "{kind:?} message {:?} mentions {needle:?}",
        found[0].1
    );
    assert!(
        !found[0].1.bytes().any(|b| b == 0x1b || b == 0x07),
        "anomaly messages are sanitised: {:?}",
        found[0].1
    );
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
