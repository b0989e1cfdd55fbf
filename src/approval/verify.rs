//! Verifying one bundle line: envelope, statement, SSHSIG signature and allowed signer.
//!
//! A line that cannot be read at all (not JSON, not base64, not a statement, not an SSHSIG) is
//! a [`MalformedLine`] error for that line alone. A line that can be read yields a
//! [`LineOutcome`]: who claims to have signed, with which key, what they signed, and a list of
//! named [`Check`]s, each passed or failed with a reason. What the statement must say about
//! this artifact (subject digests, expiry, policy, findings) is the caller's to check, with
//! [`super::subject_matches`] and [`super::expired`].
//!
//! **Which time the signer's validity window is checked at.** `ssh-keygen -Y verify` checks
//! `valid-after`/`valid-before` at the current time unless told another. We check both:
//! [`CheckName::AllowedSigner`] at `now` (the decisive check, and the one `ssh-keygen -Y verify`
//! agrees with), and [`CheckName::ValidAtReview`] at the statement's `reviewedAt`. `reviewedAt`
//! is the signer's own claim, so it can never widen the window: a key that has expired or
//! been removed stops every approval it made, and an approval claiming a review time outside
//! the key's window is refused too.

use std::fmt;

use ssh_key::PublicKey;

use super::allowed_signers::AllowedSigners;
use super::dsse::{Envelope, EnvelopeError, PAYLOAD_TYPE};
use super::sshsig::{self, SshSigError};
use super::statement::{NAMESPACE, PREDICATE_TYPE, STATEMENT_TYPE, Statement};
use super::timestamp::Timestamp;

/// How to check line `N` of a bundle without shipcheck, with `jq`, `base64` and `ssh-keygen`
/// (bash; set `BUNDLE`, `N` and `SIGNERS`). It rebuilds the PAE from the stored payload,
/// re-armors the SSHSIG blob and asks `ssh-keygen -Y verify` for the claimed reviewer. Tested
/// against lines this module writes.
pub const VERIFY_BY_HAND: &str = r#"LINE=$(sed -n "${N}p" "$BUNDLE")
TYPE=$(jq -r .payloadType <<<"$LINE")
jq -r .payload <<<"$LINE" | base64 -d > payload.json
{ printf 'DSSEv1 %d %s %d ' "${#TYPE}" "$TYPE" "$(wc -c < payload.json)"; cat payload.json; } > pae
{ echo '-----BEGIN SSH SIGNATURE-----'; jq -r '.signatures[0].sig' <<<"$LINE" | fold -w 70
  echo '-----END SSH SIGNATURE-----'; } > approval.sig
ssh-keygen -Y verify -f "$SIGNERS" -I "$(jq -r .predicate.reviewer.id payload.json)" \
  -n release-review@shipcheck.dev -s approval.sig < pae
"#;

/// A line that cannot be read far enough to say who signed what.
#[derive(Debug, thiserror::Error)]
pub enum MalformedLine {
    /// Not a DSSE envelope, or its base64 is broken.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The payload is not a statement with our predicate's fields.
    #[error("payload is not a release-review statement: {0}")]
    Statement(serde_json::Error),
    /// The signature is not an SSHSIG blob.
    #[error(transparent)]
    Signature(#[from] SshSigError),
}

/// The named checks of one line, in the order they are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckName {
    /// The envelope's `payloadType` is the in-toto type.
    PayloadType,
    /// The statement's `_type` is in-toto Statement v1.
    StatementType,
    /// The statement's `predicateType` is our release review.
    PredicateType,
    /// The SSHSIG namespace is ours ([`NAMESPACE`]).
    Namespace,
    /// The SSHSIG signature verifies over PAE(payloadType, payload) with the key it carries.
    Signature,
    /// `allowed_signers` lets the reviewer sign with this key in our namespace now.
    AllowedSigner,
    /// The key's validity window in `allowed_signers` covers `reviewedAt`.
    ValidAtReview,
}

impl CheckName {
    /// A stable kebab-case name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::PayloadType => "payload-type",
            CheckName::StatementType => "statement-type",
            CheckName::PredicateType => "predicate-type",
            CheckName::Namespace => "namespace",
            CheckName::Signature => "signature",
            CheckName::AllowedSigner => "allowed-signer",
            CheckName::ValidAtReview => "valid-at-review",
        }
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Which check.
    pub name: CheckName,
    /// Whether it passed.
    pub passed: bool,
    /// A human sentence: what was found, and why it fails if it does.
    pub reason: String,
}

/// What one readable line says and which checks it passes.
#[derive(Debug, Clone)]
pub struct LineOutcome {
    /// The claimed reviewer (`predicate.reviewer.id`).
    pub principal: String,
    /// The signing key's fingerprint, `SHA256:...`.
    pub fingerprint: String,
    /// The signing key, as the SSHSIG blob carries it.
    pub key: PublicKey,
    /// The signed statement.
    pub statement: Statement,
    /// Every check, passed or not.
    pub checks: Vec<Check>,
}

impl LineOutcome {
    /// Whether every check passed: the line is a valid signature by an allowed signer.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }

    /// The result of the named check.
    pub fn check(&self, name: CheckName) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

/// Verifies one bundle line (without its newline) against `signers` at time `now`.
pub fn verify_line(
    line: &[u8],
    signers: &AllowedSigners,
    now: Timestamp,
) -> Result<LineOutcome, MalformedLine> {
    let envelope = Envelope::from_line(line)?;
    let payload = envelope.payload_bytes()?;
    let sig = sshsig::decode(&envelope.signature_blob()?)?;
    let statement: Statement =
        serde_json::from_slice(&payload).map_err(MalformedLine::Statement)?;
    let key = PublicKey::from(sig.public_key().clone());
    let principal = statement.predicate.reviewer.id.clone();
    let mut checks = Vec::with_capacity(7);
    let mut check = |name, passed, reason: String| {
        checks.push(Check {
            name,
            passed,
            reason,
        });
    };

    let same = |name: CheckName, found: &str, want: &str| {
        if found == want {
            (name, true, found.to_owned())
        } else {
            (name, false, format!("{found:?} is not {want:?}"))
        }
    };
    for (name, passed, reason) in [
        same(CheckName::PayloadType, &envelope.payload_type, PAYLOAD_TYPE),
        same(
            CheckName::StatementType,
            &statement.statement_type,
            STATEMENT_TYPE,
        ),
        same(
            CheckName::PredicateType,
            &statement.predicate_type,
            PREDICATE_TYPE,
        ),
        same(CheckName::Namespace, sig.namespace(), NAMESPACE),
    ] {
        check(name, passed, reason);
    }

    // Over the payload bytes as stored, never a re-serialisation of the statement.
    let pae = super::dsse::pae(&envelope.payload_type, &payload);
    match key.verify(sig.namespace(), &pae, &sig) {
        Ok(()) => check(
            CheckName::Signature,
            true,
            format!("valid {} signature", sig.algorithm()),
        ),
        Err(e) => check(CheckName::Signature, false, format!("bad signature: {e}")),
    }

    let lookup = |at: Timestamp| signers.find(&principal, &key, NAMESPACE, at);
    let path = signers.path.display();
    match lookup(now) {
        Ok(entry) => check(
            CheckName::AllowedSigner,
            true,
            format!("{principal} allowed by {path}:{}", entry.line),
        ),
        Err(refusal) => check(
            CheckName::AllowedSigner,
            false,
            format!("{principal} not allowed by {path}: {refusal}"),
        ),
    }
    let reviewed_at = statement.predicate.reviewed_at;
    match lookup(reviewed_at) {
        Ok(entry) => check(
            CheckName::ValidAtReview,
            true,
            format!(
                "key valid at review time {reviewed_at} ({path}:{})",
                entry.line
            ),
        ),
        Err(refusal) => check(
            CheckName::ValidAtReview,
            false,
            format!("at review time {reviewed_at}: {refusal}"),
        ),
    }

    Ok(LineOutcome {
        principal,
        fingerprint: sshsig::fingerprint(key.key_data()),
        key,
        statement,
        checks,
    })
}

#[cfg(test)]
mod tests;
