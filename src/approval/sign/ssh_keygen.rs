//! Signing with `ssh-keygen -Y sign`, for keys this crate cannot use in-process (RSA files,
//! FIDO `sk-` keys). It prompts for a passphrase or a touch on the terminal itself.

use std::path::Path;
use std::process::{Command, Stdio};

use ssh_key::SshSig;

use super::SignError;
use crate::approval::sshsig;
use crate::approval::statement::NAMESPACE;

pub(super) fn sign_with_ssh_keygen(pae: &[u8], path: &Path) -> Result<SshSig, SignError> {
    // A private directory (0700): the message is not secret, but nobody else may swap it.
    let dir = tempfile::tempdir().map_err(SignError::SshKeygenIo)?;
    let message = dir.path().join("pae");
    std::fs::write(&message, pae).map_err(SignError::SshKeygenIo)?;
    let output = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(path)
        .arg(&message)
        .stdin(Stdio::inherit())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(SignError::SshKeygenIo)?;
    if !output.status.success() {
        return Err(SignError::SshKeygenFailed {
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    let armored =
        std::fs::read_to_string(dir.path().join("pae.sig")).map_err(SignError::SshKeygenIo)?;
    Ok(sshsig::decode(&sshsig::dearmor(&armored)?)?)
}
