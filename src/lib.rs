//! shipcheck: a human gate in front of `npm publish`, `cargo publish` and friends.
//!
//! The library knows nothing about terminals but in [`review`]. Its modules are layered: each
//! imports only modules on the floors below it (`tests/layering.rs` fails otherwise). Read it
//! from the ground up:
//!
//! 1. Ground floor: [`sanitize`] and [`json`] (nothing from an artifact reaches a terminal or
//!    a JSON document raw), [`units`] (sizes and hex), [`par`] (work split over two threads),
//!    [`outfile`] (files we write replace only a regular file).
//! 2. [`finding`]: the vocabulary: [`finding::Rule`], [`finding::Severity`],
//!    [`finding::Location`], [`finding::Finding`] and typed evidence.
//! 3. [`detect`]: byte-level detectors every floor above shares: secrets, redaction, the
//!    source-map reader, archive recognition, text helpers.
//! 4. [`artifact`]: open the exact bytes that ship, safely, once; the model everything uses.
//! 5. [`manifest`], then [`diff`]: the release manifest (the baseline for next time) and the
//!    comparison of two releases ([`diff::Comparison`]).
//! 6. [`rules`]: the registry, the per-file engine, the streaming scan and the policy.
//! 7. [`report`]: `check`'s report and every output format; `ls`, `diff` and `manifest` views.
//! 8. [`inputs`]: the one inputs step: arguments in, artifact + policy + baseline out.
//! 9. [`check`] and [`review`] (the interactive screen, the only module that talks to a
//!    terminal).
//! 10. [`cli`]: the command line, and [`run`], which the binary calls.
//!
//! `docs/architecture.md` says where to add a rule, a container format, an output format or a
//! key binding.

pub mod approval;
pub mod artifact;
pub mod check;
pub mod cli;
pub mod detect;
pub mod diff;
pub mod finding;
pub mod gate;
pub mod inputs;
pub mod json;
pub mod manifest;
pub mod outfile;
pub mod par;
pub mod report;
pub mod review;
pub mod rules;
pub mod sanitize;
pub mod units;

pub use cli::run;
