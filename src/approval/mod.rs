//! The signed approval: an in-toto statement in a DSSE envelope, signed with an SSH key.
//!
//! One bundle file per artifact (`<artifact>.approval.intoto.jsonl`), one line per approver.
//! Each line is a DSSE [`Envelope`] whose payload is an in-toto [`Statement`] with our
//! [`ReleaseReview`] predicate, signed as an OpenSSH SSHSIG in namespace [`NAMESPACE`] over
//! DSSE's [`pae`], so that `ssh-keygen -Y verify` with a git-style `allowed_signers` file checks
//! a line without shipcheck.
//!
//! Read it in this order:
//! - [`statement`]: what is signed; [`timestamp`]: its times.
//! - [`dsse`]: the envelope and the bytes a signature covers.
//! - [`sign`]: ssh-agent, a key file, or `ssh-keygen -Y sign`.
//! - [`allowed_signers`]: who may sign, in which namespaces, when.
//! - [`verify`]: one line to a structured outcome; [`bundle`]: the file of lines.
//!
//! Writing: build a [`Statement`], pick a [`Signer`] with [`choose_signer`] (retry with a
//! [`Passphrase`] on [`SignError::PassphraseRequired`]), [`sign_statement`] to get the line, and
//! [`append_line`] it. Reading: [`read_bundle`], then [`verify_line`] each line against an
//! [`AllowedSigners`]; the caller then checks [`subject_matches`], [`expired`], the policy
//! digest and the findings, and counts distinct approvers by principal and key fingerprint.
//! [`verify::VERIFY_BY_HAND`] is the shell recipe that checks a line without shipcheck.
//!
//! [`record`] turns the model (manifest, findings, policy, waivers, coverage) into a statement
//! and is the one part that reads the floors below; the rest depends on std and external
//! crates only.

pub mod allowed_signers;
pub mod bundle;
pub mod dsse;
mod pattern;
pub mod record;
pub mod sign;
pub mod sshsig;
pub mod statement;
pub mod timestamp;
pub mod verify;

#[cfg(test)]
mod testkit;

pub use allowed_signers::{AllowedSigners, AllowedSignersError, Refusal, SignerEntry};
pub use bundle::{BundleError, BundleLine, append_line, read_bundle};
pub use dsse::{Envelope, EnvelopeError, PAYLOAD_TYPE, pae};
pub use sign::{
    Passphrase, SignError, Signer, agent_socket_from_env, choose_signer, default_key_path,
    sign_pae, sign_statement,
};
pub use statement::{
    Coverage, FindingRecord, FindingStatus, ManifestDigest, NAMESPACE, PREDICATE_TYPE, Package,
    PolicyDigest, ReleaseReview, ReviewResult, Reviewer, STATEMENT_TYPE, Statement, Subject,
    SubjectDigest, Tool, Waiver, expired, subject_matches,
};
pub use timestamp::{Timestamp, TimestampError};
pub use verify::{Check, CheckName, LineOutcome, MalformedLine, verify_line};
