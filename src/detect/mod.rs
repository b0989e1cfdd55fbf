//! Shared detectors: byte-level recognisers that the artifact reader, the rules and the review
//! screen all use, and that know nothing of any of them.
//!
//! - [`secrets`]: credentials in bytes ([`secrets::find`]), the catalogue of formats.
//! - [`redact`]: masks any secret in a string that leaves the program.
//! - [`sourcemap`]: the one reader of source maps (regular and index maps).
//! - [`container`]: recognising archives by their first bytes and by name.
//! - [`text`]: paths, line/column counting, JSON string decoding, binary sniffing, masking.

pub mod container;
pub mod redact;
pub mod secrets;
pub mod sourcemap;
pub mod text;
