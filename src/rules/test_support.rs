//! Test helpers: build small package tarballs in memory.

use std::io::Write as _;

/// The generated fixtures the integration tests and the review screen's tests share.
#[path = "../../tests/support/fixtures.rs"]
pub mod fixtures;

use crate::artifact::{self, Artifact};
use crate::rules::Policy;
use crate::rules::ctx::FileCtx;

/// Runs `f` with the context of the top-level file `path` (entry 0) under the default policy.
pub fn with_file<R>(path: &str, f: impl FnOnce(&FileCtx<'_>) -> R) -> R {
    let policy = Policy::default();
    f(&FileCtx {
        entry: Some(0),
        path,
        inner: None,
        policy: &policy,
    })
}

/// A gzip'd tar of `files` (paths as stored, e.g. `package/index.js`).
pub fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut t = tar::Builder::new(gz);
    for (path, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        t.append_data(&mut h, path, *bytes).expect("in-memory tar");
    }
    let mut gz = t.into_inner().expect("tar finishes");
    gz.flush().expect("flush");
    gz.finish().expect("gzip finishes")
}

/// An artifact read from an in-memory tarball of `files`, contents kept.
pub fn artifact_of(files: &[(&str, &[u8])]) -> Artifact {
    let opts = artifact::Options {
        keep_contents: true,
        ..artifact::Options::default()
    };
    artifact::read_bytes("test.tgz", &tgz(files), &opts, None).expect("test tarball opens")
}

/// An artifact read from an in-memory zip of `files` named `name` (a `.whl` name makes a
/// wheel), contents kept.
pub fn zip_artifact_of(name: &str, files: &[(&str, &[u8])]) -> Artifact {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644);
    for (path, bytes) in files {
        w.start_file(*path, opts).expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    let zip = w.finish().expect("zip finishes").into_inner();
    let opts = artifact::Options {
        keep_contents: true,
        ..artifact::Options::default()
    };
    artifact::read_bytes(name, &zip, &opts, None).expect("test zip opens")
}
