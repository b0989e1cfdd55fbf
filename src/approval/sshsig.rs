//! SSHSIG blobs: binary form for the envelope, armored form for `ssh-keygen`.
//!
//! The envelope stores the binary blob base64-encoded; `ssh-keygen` reads and writes the same
//! bytes wrapped in `-----BEGIN SSH SIGNATURE-----` armor with 70-column base64 lines.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ssh_encoding::{Decode as _, Encode as _};
use ssh_key::SshSig;

const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const END: &str = "-----END SSH SIGNATURE-----";

/// Why bytes are not an SSHSIG signature.
#[derive(Debug, thiserror::Error)]
pub enum SshSigError {
    /// The armor lines are missing or the body is not base64.
    #[error("not an armored SSH signature: {0}")]
    Armor(&'static str),
    /// The blob does not decode as an SSHSIG structure.
    #[error("not an SSHSIG signature: {0}")]
    Blob(#[from] ssh_key::Error),
    /// The blob decodes but has bytes after its end.
    #[error("SSHSIG signature has {0} trailing bytes")]
    Trailing(usize),
}

/// Decodes a binary SSHSIG blob, refusing trailing bytes.
pub fn decode(blob: &[u8]) -> Result<SshSig, SshSigError> {
    let mut reader = blob;
    let sig = SshSig::decode(&mut reader)?;
    if reader.is_empty() {
        Ok(sig)
    } else {
        Err(SshSigError::Trailing(reader.len()))
    }
}

/// Encodes a signature as its binary SSHSIG blob.
pub fn encode(sig: &SshSig) -> Result<Vec<u8>, SshSigError> {
    let mut out = Vec::new();
    sig.encode(&mut out).map_err(ssh_key::Error::from)?;
    Ok(out)
}

/// Wraps a binary blob in the armor `ssh-keygen -Y sign` writes (70-column lines, final newline).
pub fn armor(blob: &[u8]) -> String {
    let body = STANDARD.encode(blob);
    let mut out = String::with_capacity(body.len() + body.len() / 70 + 64);
    out.push_str(BEGIN);
    out.push('\n');
    // Base64 is ASCII, so splitting the bytes into 70-byte chunks splits characters exactly.
    for chunk in body.as_bytes().chunks(70) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// Unwraps armored text (as `ssh-keygen -Y sign` writes it) into the binary blob.
pub fn dearmor(text: &str) -> Result<Vec<u8>, SshSigError> {
    let text = text.trim();
    let inner = text
        .strip_prefix(BEGIN)
        .ok_or(SshSigError::Armor("no BEGIN SSH SIGNATURE line"))?
        .strip_suffix(END)
        .ok_or(SshSigError::Armor("no END SSH SIGNATURE line"))?;
    let body: String = inner.split_whitespace().collect();
    STANDARD
        .decode(body)
        .map_err(|_| SshSigError::Armor("body is not base64"))
}

/// The OpenSSH SHA-256 fingerprint of a public key, `SHA256:<base64 without padding>`.
pub fn fingerprint(key: &ssh_key::public::KeyData) -> String {
    key.fingerprint(ssh_key::HashAlg::Sha256).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armor_wraps_at_70_and_dearmor_inverts_it() {
        let blob: Vec<u8> = (0..=255).collect();
        let text = armor(&blob);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], BEGIN);
        assert_eq!(lines[lines.len() - 1], END);
        assert!(
            lines[1..lines.len() - 1].iter().all(|l| l.len() <= 70),
            "body lines are at most 70 columns: {text}"
        );
        assert_eq!(lines[1].len(), 70, "full lines are 70 columns");
        assert_eq!(dearmor(&text).expect("dearmors"), blob);
    }

    #[test]
    fn junk_is_not_a_signature() {
        assert!(matches!(dearmor("hello"), Err(SshSigError::Armor(_))));
        assert!(matches!(
            dearmor(&format!("{BEGIN}\n!!!\n{END}\n")),
            Err(SshSigError::Armor(_))
        ));
        assert!(matches!(decode(b"SSHSIG"), Err(SshSigError::Blob(_))));
        assert!(matches!(
            decode(b"NOTSIG\0\0\0\x01"),
            Err(SshSigError::Blob(_))
        ));
    }
}
