//! Signing with `ssh-keygen -Y sign`, for keys this crate cannot use in-process (RSA files,
//! FIDO `sk-` keys).
//!
//! ssh-keygen is never given the terminal: the review screen owns it in raw mode, and a prompt
//! there would be lost. A passphrase the caller asked for reaches it through `SSH_ASKPASS`
//! (`SSH_ASKPASS_REQUIRE=force`, OpenSSH 8.4+): a two-line script in the same private folder
//! as the message prints it from the environment of that one process.

use std::path::Path;
use std::process::{Command, Stdio};

use ssh_key::SshSig;

use super::SignError;
use crate::approval::sshsig;
use crate::approval::statement::NAMESPACE;

pub(super) fn sign_with_ssh_keygen(
    pae: &[u8],
    path: &Path,
    passphrase: Option<&str>,
) -> Result<SshSig, SignError> {
    // A private directory (0700): the message is not secret, but nobody else may swap it.
    let dir = tempfile::tempdir().map_err(SignError::SshKeygenIo)?;
    let message = dir.path().join("pae");
    std::fs::write(&message, pae).map_err(SignError::SshKeygenIo)?;
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(path)
        .arg(&message)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(secret) = passphrase {
        let askpass = dir.path().join("askpass");
        std::fs::write(
            &askpass,
            "#!/bin/sh\nprintf '%s\\n' \"$SHIPCHECK_ASKPASS\"\n",
        )
        .map_err(SignError::SshKeygenIo)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&askpass, std::fs::Permissions::from_mode(0o700))
                .map_err(SignError::SshKeygenIo)?;
        }
        cmd.env("SSH_ASKPASS", &askpass)
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("SHIPCHECK_ASKPASS", secret);
    }
    let output = cmd.output().map_err(SignError::SshKeygenIo)?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        if said.contains("incorrect passphrase") {
            return Err(SignError::WrongPassphrase {
                path: path.to_path_buf(),
            });
        }
        return Err(SignError::SshKeygenFailed {
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    let armored =
        std::fs::read_to_string(dir.path().join("pae.sig")).map_err(SignError::SshKeygenIo)?;
    Ok(sshsig::decode(&sshsig::dearmor(&armored)?)?)
}
