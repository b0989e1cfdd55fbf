//! shipcheck: a human gate in front of `npm publish`, `cargo publish` and friends.
//!
//! The library knows nothing about terminals. Read it in this order:
//! - [`artifact`]: open the exact bytes that ship, safely, once; the model everything uses.
//! - [`manifest`]: a release manifest (the baseline for next time) and [`diff`] between releases.
//! - [`rules`]: the rule registry, the per-file engine and the policy; [`check`] runs them
//!   over a streaming artifact for `shipcheck check`.
//! - [`report`]: text and JSON views for `ls`, `diff` and `manifest`.
//! - [`sanitize`] and [`json`]: nothing from an artifact reaches a terminal raw.
//! - [`review`]: the interactive review screen (the only module that talks to a terminal).
//! - [`cli`]: the command-line interface, and [`run`], which the binary calls.

pub mod approval;
pub mod artifact;
pub mod check;
pub mod cli;
pub mod diff;
pub mod json;
pub mod manifest;
pub mod par;
pub mod report;
pub mod review;
pub mod rules;
pub mod sanitize;

pub use cli::run;
