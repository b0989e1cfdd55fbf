//! Test helpers: rule contexts and artifacts read from packages built in memory.

/// The one fixtures module: the same file the integration tests, the benches and the
/// review screen's tests build their packages with.
#[path = "../../tests/common/fixtures.rs"]
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

/// An artifact read from an in-memory tarball of `files` (paths as stored, e.g.
/// `package/index.js`), contents kept.
pub fn artifact_of(files: &[(&str, &[u8])]) -> Artifact {
    let opts = artifact::Options {
        keep_contents: true,
        ..artifact::Options::default()
    };
    artifact::read_bytes("test.tgz", &fixtures::tgz_as_stored(files), &opts, None)
        .expect("test tarball opens")
}

/// An artifact read from an in-memory zip of `files` named `name` (a `.whl` name makes a
/// wheel), contents kept.
pub fn zip_artifact_of(name: &str, files: &[(&str, &[u8])]) -> Artifact {
    let opts = artifact::Options {
        keep_contents: true,
        ..artifact::Options::default()
    };
    artifact::read_bytes(name, &fixtures::zip_stored(files), &opts, None).expect("test zip opens")
}
