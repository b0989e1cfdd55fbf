//! Who may approve: the git/OpenSSH `allowed_signers` file (`ssh-keygen(1)`, ALLOWED SIGNERS).
//!
//! Each line is `principals [options] keytype base64 [comment]`: principals a comma-separated
//! pattern list (quoted if it holds spaces), options among `namespaces="patterns"`,
//! `valid-after="time"`, `valid-before="time"` and `cert-authority`. A line we cannot read is
//! an error naming file:line, never skipped: a gate must not quietly drop a signer rule.
//!
//! Times are `YYYYMMDD[HHMM[SS]]` with an optional `Z` (or `UTC`). OpenSSH reads a time
//! without `Z` in the local time zone; shipcheck always reads it as UTC, so write `Z` to make
//! both agree on machines not set to UTC. Validity is inclusive at both ends, as in OpenSSH.
//!
//! `cert-authority` lines are read (so one file can serve git and shipcheck) but never
//! authorise an approval: shipcheck verifies plain keys, not certificates.

use std::fmt;
use std::path::{Path, PathBuf};

use ssh_key::PublicKey;

use super::pattern::matches_list;
use super::timestamp::Timestamp;
use line::parse_line;

/// A parsed `allowed_signers` file.
#[derive(Debug, Clone)]
pub struct AllowedSigners {
    /// Where it was read from (used in messages only).
    pub path: PathBuf,
    /// The signer lines in file order.
    pub entries: Vec<SignerEntry>,
}

/// One signer line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerEntry {
    /// 1-based line number in the file.
    pub line: usize,
    /// The principals pattern list, unquoted (e.g. `*@example.com,!mallory@example.com`).
    pub principals: String,
    /// The `namespaces` pattern list; `None` allows every namespace.
    pub namespaces: Option<String>,
    /// The key is valid from this instant on.
    pub valid_after: Option<Timestamp>,
    /// The key is valid up to this instant.
    pub valid_before: Option<Timestamp>,
    /// The line names a certificate authority (never authorises an approval here).
    pub cert_authority: bool,
    /// The signer's public key.
    pub key: PublicKey,
}

/// A file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AllowedSignersError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A line cannot be parsed.
    #[error("{}:{line}: {reason}", path.display())]
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: LineError,
    },
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// A quote opened and never closed.
    #[error("unterminated quote")]
    UnterminatedQuote,
    /// Principals but no key after them.
    #[error("missing public key")]
    MissingKey,
    /// The key text is not an OpenSSH public key.
    #[error("invalid public key: {0}")]
    InvalidKey(String),
    /// An option we do not know (OpenSSH refuses these too).
    #[error("unknown option {0:?}")]
    UnknownOption(String),
    /// An option given twice.
    #[error("option {0} given twice")]
    DuplicateOption(&'static str),
    /// An option value that must be quoted is not.
    #[error("option {0} needs a quoted value, like {0}=\"...\"")]
    UnquotedValue(&'static str),
    /// A time that is not `YYYYMMDD[HHMM[SS]][Z]`.
    #[error("{option}: {value:?} is not a time of the form YYYYMMDD[HHMM[SS]][Z]")]
    BadTime {
        /// `valid-after` or `valid-before`.
        option: &'static str,
        /// The rejected value.
        value: String,
    },
    /// `valid-before` is not after `valid-after`.
    #[error("valid-before is not after valid-after")]
    EmptyValidity,
}

/// Why a (principal, key, namespace, time) is not authorised. The most specific reason wins.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No line lists the key.
    #[error("the key is not listed in allowed_signers")]
    KeyNotListed,
    /// The key is listed, but only for principals that do not match.
    #[error("the key is listed for {principals}, not for this principal")]
    OtherPrincipal {
        /// The principals lists of the lines with this key.
        principals: String,
    },
    /// The principal matches only a `cert-authority` line.
    #[error(
        "line {line}: cert-authority lines are not supported (shipcheck verifies plain keys, not certificates)"
    )]
    CertAuthorityUnsupported {
        /// The cert-authority line.
        line: usize,
    },
    /// The line's `namespaces` does not allow ours.
    #[error("line {line}: namespace {namespace:?} is not in namespaces=\"{allowed}\"")]
    NamespaceNotAllowed {
        /// The matching line.
        line: usize,
        /// The namespace asked for.
        namespace: String,
        /// The line's namespaces list.
        allowed: String,
    },
    /// Before `valid-after`.
    #[error("line {line}: the key is not valid before {valid_after} (checked at {at})")]
    NotYetValid {
        /// The matching line.
        line: usize,
        /// Its `valid-after`.
        valid_after: Timestamp,
        /// The time checked.
        at: Timestamp,
    },
    /// After `valid-before`.
    #[error("line {line}: the key expired at {valid_before} (checked at {at})")]
    Expired {
        /// The matching line.
        line: usize,
        /// Its `valid-before`.
        valid_before: Timestamp,
        /// The time checked.
        at: Timestamp,
    },
}

impl AllowedSigners {
    /// Reads and parses the file at `path`.
    pub fn load(path: &Path) -> Result<Self, AllowedSignersError> {
        let text =
            crate::outfile::read_text_input(path).map_err(|source| AllowedSignersError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        Self::parse(&text, path)
    }

    /// Parses `text`; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, AllowedSignersError> {
        let mut entries = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            match parse_line(raw, line) {
                Ok(Some(entry)) => entries.push(entry),
                Ok(None) => {}
                Err(reason) => {
                    return Err(AllowedSignersError::Line {
                        path: path.to_path_buf(),
                        line,
                        reason,
                    });
                }
            }
        }
        Ok(AllowedSigners {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// The line that lets `principal` sign with `key` in `namespace` at time `at`, or the most
    /// specific reason none does.
    pub fn find(
        &self,
        principal: &str,
        key: &PublicKey,
        namespace: &str,
        at: Timestamp,
    ) -> Result<&SignerEntry, Refusal> {
        let mut best: Option<Refusal> = None;
        let mut others: Vec<&str> = Vec::new();
        let rank = |r: &Refusal| match r {
            Refusal::KeyNotListed => 0,
            Refusal::OtherPrincipal { .. } => 1,
            Refusal::CertAuthorityUnsupported { .. } => 2,
            _ => 3,
        };
        let consider = |r: Refusal, best: &mut Option<Refusal>| {
            if best.as_ref().is_none_or(|b| rank(&r) > rank(b)) {
                *best = Some(r);
            }
        };
        for entry in &self.entries {
            let principal_ok = matches_list(principal, &entry.principals);
            if entry.cert_authority {
                if principal_ok {
                    consider(
                        Refusal::CertAuthorityUnsupported { line: entry.line },
                        &mut best,
                    );
                }
                continue;
            }
            if entry.key.key_data() != key.key_data() {
                continue;
            }
            if !principal_ok {
                others.push(&entry.principals);
                continue;
            }
            match entry.check(namespace, at) {
                Ok(()) => return Ok(entry),
                Err(r) => consider(r, &mut best),
            }
        }
        if !others.is_empty() {
            let principals = others.join(" ");
            consider(Refusal::OtherPrincipal { principals }, &mut best);
        }
        Err(best.unwrap_or(Refusal::KeyNotListed))
    }
}

impl SignerEntry {
    /// Whether this line allows `namespace` at time `at` (principal and key already match).
    fn check(&self, namespace: &str, at: Timestamp) -> Result<(), Refusal> {
        if let Some(allowed) = &self.namespaces
            && !matches_list(namespace, allowed)
        {
            return Err(Refusal::NamespaceNotAllowed {
                line: self.line,
                namespace: namespace.to_owned(),
                allowed: allowed.clone(),
            });
        }
        if let Some(valid_after) = self.valid_after.filter(|&va| at < va) {
            return Err(Refusal::NotYetValid {
                line: self.line,
                valid_after,
                at,
            });
        }
        if let Some(valid_before) = self.valid_before.filter(|&vb| at > vb) {
            return Err(Refusal::Expired {
                line: self.line,
                valid_before,
                at,
            });
        }
        Ok(())
    }
}

impl fmt::Display for SignerEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} ({})", self.line, self.principals)
    }
}

mod line;

#[cfg(test)]
mod tests;
