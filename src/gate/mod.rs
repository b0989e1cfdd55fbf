//! The gate: `verify` and `publish`, and npm's staged publishing.
//!
//! `verify` checks every approval line of a bundle against the exact bytes of the artifact and
//! re-runs the rules through the inputs step, so it judges what `check` and `review` judge;
//! `publish` copies the artifact to a private file, verifies that copy, and hands the same copy
//! to the publish command.

pub mod npm_stage;
