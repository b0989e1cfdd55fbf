//! Making the SSHSIG signature: through ssh-agent, with a key file, or with `ssh-keygen -Y sign`.
//!
//! The order of preference is [`choose_signer`]'s: the agent if it holds the key (no passphrase
//! asked, works for any key kind), else the key file in-process (ed25519, ecdsa p256/p384;
//! the caller asks for a passphrase when told [`SignError::PassphraseRequired`]), else
//! `ssh-keygen` for what this crate cannot sign with (RSA files, FIDO `sk-` keys).
//! Every signature is SSHSIG version 1 with sha512 in namespace [`NAMESPACE`].

use std::fmt;
use std::path::{Path, PathBuf};

use ssh_key::{Algorithm, EcdsaCurve, HashAlg, PrivateKey, PublicKey, SshSig};
use zeroize::Zeroizing;

use super::dsse::{Envelope, PAYLOAD_TYPE, pae};
use super::sshsig::{self, SshSigError};
use super::statement::{NAMESPACE, Statement};
use agent::{agent_keys, sign_with_agent};
use ssh_keygen::sign_with_ssh_keygen;

/// How to make a signature.
#[derive(Debug, Clone)]
pub enum Signer {
    /// Ask the ssh-agent listening on `socket` (usually `$SSH_AUTH_SOCK`).
    Agent {
        /// The agent's Unix socket.
        socket: PathBuf,
        /// Sign with the identity whose public key this is; `None` takes the first one.
        key: Option<PublicKey>,
    },
    /// Load an OpenSSH private key file and sign in-process (ed25519, ecdsa p256/p384).
    KeyFile {
        /// The private key file.
        path: PathBuf,
        /// The passphrase of an encrypted key; `None` until the caller has asked for it.
        passphrase: Option<Passphrase>,
    },
    /// Run `ssh-keygen -Y sign -n NAMESPACE -f path` (RSA files, FIDO `sk-` keys). It never
    /// reads the terminal (the review screen owns it): an encrypted key needs the passphrase
    /// here first ([`SignError::PassphraseRequired`]), which reaches ssh-keygen through a
    /// private `SSH_ASKPASS` helper; a FIDO key is touched when it blinks.
    SshKeygen {
        /// The private key file.
        path: PathBuf,
        /// The passphrase of an encrypted key; `None` until the caller has asked for it.
        passphrase: Option<Passphrase>,
    },
}

impl Signer {
    /// The same signer with `passphrase` set (for [`Signer::KeyFile`]; others are unchanged),
    /// for the retry after [`SignError::PassphraseRequired`].
    #[must_use]
    pub fn with_passphrase(self, passphrase: Passphrase) -> Signer {
        match self {
            Signer::KeyFile { path, .. } => Signer::KeyFile {
                path,
                passphrase: Some(passphrase),
            },
            Signer::SshKeygen { path, .. } => Signer::SshKeygen {
                path,
                passphrase: Some(passphrase),
            },
            agent @ Signer::Agent { .. } => agent,
        }
    }
}

/// A key passphrase, wiped from memory when dropped and never printed by `Debug`.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl From<String> for Passphrase {
    fn from(s: String) -> Self {
        Passphrase(Zeroizing::new(s))
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(***)")
    }
}

/// Why no signature was made. Callers branch on [`SignError::PassphraseRequired`] (ask, retry
/// with [`Signer::KeyFile`]'s `passphrase`) and [`SignError::UnsupportedKey`] (use
/// [`Signer::SshKeygen`]).
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// No key was given and none of the default key files exists.
    #[error("no SSH key: pass --key, start ssh-agent, or create ~/.ssh/id_ed25519")]
    NoKey,
    /// The key file cannot be read.
    #[error("{path}: {source}")]
    ReadKey {
        /// The key file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The key file is not an OpenSSH private key (nor is there a `.pub` beside it).
    #[error("{path}: not an OpenSSH private key: {source}")]
    ParseKey {
        /// The key file.
        path: PathBuf,
        /// What the parser said.
        source: ssh_key::Error,
    },
    /// The key is encrypted: ask the user for the passphrase and try again with it.
    #[error("{path}: the key is protected by a passphrase")]
    PassphraseRequired {
        /// The key file.
        path: PathBuf,
    },
    /// The passphrase does not decrypt the key.
    #[error("{path}: wrong passphrase")]
    WrongPassphrase {
        /// The key file.
        path: PathBuf,
    },
    /// The key kind cannot sign in-process; sign with [`Signer::SshKeygen`] instead.
    #[error("{path}: {algorithm} keys are signed with ssh-keygen, not in-process")]
    UnsupportedKey {
        /// The key file.
        path: PathBuf,
        /// The key's algorithm name, e.g. `ssh-rsa`.
        algorithm: String,
    },
    /// Talking to the agent failed.
    #[error("ssh-agent at {socket}: {source}")]
    Agent {
        /// The agent's socket.
        socket: PathBuf,
        /// What the agent client said.
        source: ssh_agent_client_rs::Error,
    },
    /// The agent does not hold the wanted key (or any key).
    #[error("ssh-agent at {socket} does not hold {wanted}")]
    AgentKeyMissing {
        /// The agent's socket.
        socket: PathBuf,
        /// The wanted key's fingerprint, or "any key".
        wanted: String,
    },
    /// `ssh-keygen` could not be run, or its signature could not be read back.
    #[error("ssh-keygen -Y sign: {0}")]
    SshKeygenIo(std::io::Error),
    /// `ssh-keygen` ran and failed.
    #[error("ssh-keygen -Y sign failed ({status}): {stderr}")]
    SshKeygenFailed {
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed on stderr.
        stderr: String,
    },
    /// The signature bytes are malformed (from ssh-keygen or the agent).
    #[error(transparent)]
    SshSig(#[from] SshSigError),
    /// The cryptographic operation failed.
    #[error("signing failed: {0}")]
    Crypto(ssh_key::Error),
    /// The signature just made does not verify (a faulty agent or tool); nothing is written.
    #[error("the new signature does not verify: {0}")]
    SelfCheck(ssh_key::Error),
}

/// Signs `pae` (see [`super::dsse::pae`]) and returns the binary SSHSIG blob.
///
/// The result is checked against the signer's public key before it is returned, so a
/// misbehaving agent or tool cannot make an unverifiable line.
pub fn sign_pae(pae: &[u8], signer: &Signer) -> Result<Vec<u8>, SignError> {
    let sig = match signer {
        Signer::Agent { socket, key } => sign_with_agent(pae, socket, key.as_ref())?,
        Signer::KeyFile { path, passphrase } => sign_with_file(pae, path, passphrase.as_ref())?,
        Signer::SshKeygen { path, passphrase } => {
            if passphrase.is_none() && is_encrypted_openssh(path) {
                return Err(SignError::PassphraseRequired { path: path.clone() });
            }
            sign_with_ssh_keygen(pae, path, passphrase.as_ref().map(|p| p.0.as_str()))?
        }
    };
    PublicKey::from(sig.public_key().clone())
        .verify(NAMESPACE, pae, &sig)
        .map_err(SignError::SelfCheck)?;
    Ok(sshsig::encode(&sig)?)
}

/// Serialises `statement`, signs it, and returns the envelope as one line (no newline): the
/// exact bytes to append to the bundle.
pub fn sign_statement(statement: &Statement, signer: &Signer) -> Result<String, SignError> {
    let payload =
        serde_json::to_vec(statement).expect("a statement of strings and numbers serialises");
    let blob = sign_pae(&pae(PAYLOAD_TYPE, &payload), signer)?;
    Ok(Envelope::new(&payload, &blob).to_line())
}

/// The agent socket named by `SSH_AUTH_SOCK`, if set and non-empty.
pub fn agent_socket_from_env() -> Option<PathBuf> {
    std::env::var_os("SSH_AUTH_SOCK")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

/// The key to sign with: `explicit` (the `--key` path) if given, else the first of
/// `HOME/.ssh/id_ed25519` and `HOME/.ssh/id_ecdsa` that exists.
pub fn default_key_path(explicit: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let ssh = home?.join(".ssh");
    ["id_ed25519", "id_ecdsa"]
        .iter()
        .map(|name| ssh.join(name))
        .find(|p| p.is_file())
}

/// Picks how to sign: the agent at `agent_socket` if it holds `key_path`'s public key (or, with
/// no key path, its first identity), else the key file in-process if its kind allows, else
/// `ssh-keygen`. An unreachable agent is passed over, not an error.
pub fn choose_signer(
    key_path: Option<&Path>,
    agent_socket: Option<&Path>,
) -> Result<Signer, SignError> {
    let Some(path) = key_path else {
        return match agent_socket {
            Some(socket) => Ok(Signer::Agent {
                socket: socket.to_path_buf(),
                key: None,
            }),
            None => Err(SignError::NoKey),
        };
    };
    let public = read_public_key(path)?;
    if let Some(socket) = agent_socket {
        let held = ssh_agent_client_rs::Client::connect(socket)
            .and_then(|mut c| agent_keys(&mut c))
            .is_ok_and(|ids| ids.iter().any(|k| k.key_data() == public.key_data()));
        if held {
            return Ok(Signer::Agent {
                socket: socket.to_path_buf(),
                key: Some(public),
            });
        }
    }
    if signs_in_process(&public.algorithm()) {
        Ok(Signer::KeyFile {
            path: path.to_path_buf(),
            passphrase: None,
        })
    } else {
        Ok(Signer::SshKeygen {
            path: path.to_path_buf(),
            passphrase: None,
        })
    }
}

/// True for an OpenSSH private key file whose key is encrypted (the envelope says so in the
/// clear, whatever the key kind); false when it cannot be told (ssh-keygen will say).
fn is_encrypted_openssh(path: &Path) -> bool {
    crate::outfile::read_text_input(path)
        .ok()
        .and_then(|text| PrivateKey::from_openssh(text.as_str()).ok())
        .is_some_and(|k| k.is_encrypted())
}

/// The public half of a private key file: from the file itself (OpenSSH keeps it unencrypted),
/// else from `<path>.pub` (old PEM-format RSA keys).
pub fn read_public_key(path: &Path) -> Result<PublicKey, SignError> {
    let text = crate::outfile::read_text_input(path).map_err(|source| SignError::ReadKey {
        path: path.to_path_buf(),
        source,
    })?;
    match PrivateKey::from_openssh(&text) {
        Ok(key) => Ok(key.public_key().clone()),
        Err(source) => {
            let mut pub_path = path.as_os_str().to_owned();
            pub_path.push(".pub");
            PublicKey::read_openssh_file(Path::new(&pub_path)).map_err(|_| SignError::ParseKey {
                path: path.to_path_buf(),
                source,
            })
        }
    }
}

/// Whether this crate signs with keys of `algorithm` in-process.
pub fn signs_in_process(algorithm: &Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::Ed25519
            | Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256 | EcdsaCurve::NistP384
            }
    )
}

fn sign_with_file(
    pae: &[u8],
    path: &Path,
    passphrase: Option<&Passphrase>,
) -> Result<SshSig, SignError> {
    let text = Zeroizing::new(crate::outfile::read_text_input(path).map_err(|source| {
        SignError::ReadKey {
            path: path.to_path_buf(),
            source,
        }
    })?);
    let mut key =
        PrivateKey::from_openssh(text.as_str()).map_err(|source| SignError::ParseKey {
            path: path.to_path_buf(),
            source,
        })?;
    // Refuse unsupported kinds before asking for a passphrase the user would type for nothing.
    if !signs_in_process(&key.algorithm()) {
        return Err(SignError::UnsupportedKey {
            path: path.to_path_buf(),
            algorithm: key.algorithm().as_str().to_owned(),
        });
    }
    if key.is_encrypted() {
        let Some(passphrase) = passphrase else {
            return Err(SignError::PassphraseRequired {
                path: path.to_path_buf(),
            });
        };
        key = key.decrypt(passphrase.0.as_bytes()).map_err(|e| match e {
            ssh_key::Error::Crypto => SignError::WrongPassphrase {
                path: path.to_path_buf(),
            },
            other => SignError::Crypto(other),
        })?;
    }
    SshSig::sign(&key, NAMESPACE, HashAlg::Sha512, pae).map_err(SignError::Crypto)
}

mod agent;
mod ssh_keygen;

#[cfg(test)]
mod tests;
