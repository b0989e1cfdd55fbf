//! What the fuzz targets share: reading an artifact held in memory the way `check` reads one
//! (every rule on every file, then the whole-artifact rules), and the invariants that must hold
//! whatever the bytes.

use shipcheck::artifact::{self, Artifact, Content, Entry, Limits, Options};
use shipcheck::rules::{Policy, Scanner};

/// Limits small enough that one input stays fast, with the same shape as the defaults.
pub fn limits() -> Limits {
    Limits {
        max_unpacked: 64 << 20,
        max_entries: 10_000,
        hard_max_entries: 50_000,
        max_scanned: 16 << 20,
        ..Limits::default()
    }
}

/// Reads `bytes` as the artifact `name` and runs every rule on it; checks the invariants.
pub fn read_and_scan(name: &str, bytes: &[u8]) {
    let policy = Policy::default();
    let opts = Options {
        limits: limits(),
        ..Options::default()
    };
    let mut scanner = Scanner::new(&policy);
    let mut seen = 0u64;
    let read = {
        let visit = &mut |e: &Entry, data: &Content| {
            seen += data.len() as u64;
            scanner.file(e, data);
        };
        artifact::read_bytes(name, bytes, &opts, Some(visit))
    };
    let Ok(a) = read else {
        return;
    };
    assert!(
        seen <= opts.limits.max_unpacked,
        "the visitor saw {seen} bytes, past the unpacked limit"
    );
    check_invariants(&a, &opts.limits);
    let _ = scanner.finish(&a, None);
}

/// What every artifact that opened must satisfy.
pub fn check_invariants(a: &Artifact, limits: &Limits) {
    assert!(
        a.entries.len() <= limits.hard_max_entries,
        "{} entries, past the hard limit",
        a.entries.len()
    );
    let unpacked: u64 = a.entries.iter().map(|e| e.size).sum();
    assert!(
        unpacked <= limits.max_unpacked,
        "{unpacked} bytes read, past the unpacked limit"
    );
    for an in &a.anomalies {
        assert!(
            !an.detail.chars().any(char::is_control),
            "an anomaly's detail (sanitised by contract) holds a control character: {:?}",
            an.detail
        );
    }
    for (i, e) in a.entries.iter().enumerate() {
        assert_eq!(e.index as usize, i, "entries are numbered by position");
        if !e.installed {
            continue;
        }
        assert!(!e.path.is_empty(), "an installed entry has a path");
        assert!(
            !e.path.starts_with('/'),
            "installed path {:?} is absolute",
            e.path
        );
        assert!(
            !e.path.split('/').any(|c| c == ".." || c.is_empty()),
            "installed path {:?} has a `..` or empty component",
            e.path
        );
    }
}

/// A gzip'd tar of `files` (name, content) as a packer writes it.
pub fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut t = tar::Builder::new(gz);
    for (name, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        t.append_data(&mut h, name, *data).expect("tar in memory");
    }
    t.into_inner()
        .expect("tar in memory")
        .finish()
        .expect("gzip in memory")
}

/// A zip of `files` (name, content), deflated.
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(*name, opts).expect("zip in memory");
        w.write_all(data).expect("zip in memory");
    }
    w.finish().expect("zip in memory").into_inner()
}
