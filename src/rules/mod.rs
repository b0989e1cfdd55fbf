//! The rules: what they report about an artifact, and the engine that runs them.
//!
//! Each rule lives in its own file with its doc and tests; [`registry`] lists them all,
//! [`engine`] runs them (per file, with a [`ctx::FileCtx`], then once over the whole artifact),
//! [`stream`] runs the engine over an artifact as it streams (`check`, `verify`),
//! [`evaluate_with`] over contents kept in memory (the review screen), and [`policy`] adjusts
//! what they found. The vocabulary they produce ([`Finding`], [`Severity`], …) lives in
//! [`crate::finding`], re-exported here.

pub mod archive;
pub mod bundled_dependencies;
pub mod ctx;
pub mod custom_pattern;
pub mod debug_artifact;
pub mod dev_artifact;
pub mod engine;
pub mod fold;
pub mod git_status;
pub mod install_script;
pub mod large_file;
pub mod native;
pub mod native_binary;
pub mod nested_archive;
pub mod new_dependency;
pub mod new_file_type;
pub mod new_top_level_folder;
pub mod no_files_allowlist;
pub mod phantom_dependency;
pub mod policy;
pub mod registry;
pub mod secrets;
pub mod sensitive_file;
pub mod size_anomaly;
pub mod sourcemap_embedded;
pub mod sourcemap_file;
pub mod sourcemap_inline;
pub mod sourcemap_reference;
pub mod stream;
pub mod trojan_source;

#[cfg(test)]
pub mod test_support;

use crate::artifact::Artifact;
use crate::diff::Comparison;
use crate::manifest::Manifest;

pub use crate::finding::{Allowed, Finding, Location, Rule, Severity, sort};
pub use engine::{EmbeddedSource, Evaluation, Facts, Scanner};
pub use policy::Policy;
pub use registry::RULES;

/// Runs every rule over an opened artifact, against the previous release when given, with the
/// default policy: the findings worst first, then by path, and what was learned about entries.
///
/// A convenience for tests and tools; the commands go through the inputs step, which computes
/// the comparison once and calls [`evaluate_with`] or [`stream::scan`].
pub fn evaluate(artifact: &Artifact, baseline: Option<&Manifest>) -> Evaluation {
    let current = baseline.map(|_| Manifest::of(artifact));
    let diff = baseline
        .zip(current.as_ref())
        .map(|(b, c)| crate::diff::diff(b, c));
    let comparison = current
        .as_ref()
        .and_then(|c| Comparison::of(baseline, c, diff.as_ref()));
    evaluate_with(artifact, comparison.as_ref(), &Policy::default())
}

/// Every rule under `policy`, on contents kept in memory ([`Artifact::content`]); `check`
/// runs the same per-file code on the streaming visitor instead ([`stream::scan`]).
pub fn evaluate_with(
    artifact: &Artifact,
    baseline: Option<&Comparison<'_>>,
    policy: &Policy,
) -> Evaluation {
    let mut scanner = Scanner::new(policy);
    // Files past the scan limit are left unread here as `check`'s reader leaves them, and
    // `large-file` says so.
    let readable =
        |e: &&crate::artifact::Entry| e.is_file() && e.size <= artifact.limits().max_scanned;
    for e in artifact.entries.iter().filter(readable) {
        match artifact.content(e.index) {
            Ok(bytes) => scanner.file(e, &bytes),
            Err(err) => scanner.unreadable(e, &err),
        }
    }
    scanner.finish(artifact, baseline)
}
