//! The DSSE envelope around a statement: one JSON line per approver, and the PAE it signs.
//!
//! The signature covers `PAE(payloadType, payload bytes)` exactly as stored (base64-decoded),
//! never a re-serialisation of the statement, so verification reads the bytes on disk.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A DSSE envelope as written on one line of an approval bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Always [`PAYLOAD_TYPE`] when written by us; checked when read.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The statement's JSON bytes, standard base64 with padding.
    pub payload: String,
    /// The signatures over [`pae`] of the type and the payload bytes; we write exactly one.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature in an [`Envelope`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// Unused hint (empty): the SSHSIG blob carries the public key itself.
    #[serde(default)]
    pub keyid: String,
    /// The binary SSHSIG blob, standard base64: exactly the body of the
    /// `-----BEGIN SSH SIGNATURE-----` armor `ssh-keygen -Y sign` writes.
    pub sig: String,
}

/// Why a line is not a readable envelope.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// The line is not the JSON of an envelope.
    #[error("not a DSSE envelope: {0}")]
    Json(#[from] serde_json::Error),
    /// `payload` is not standard base64.
    #[error("payload is not base64: {0}")]
    PayloadBase64(base64::DecodeError),
    /// A `sig` is not standard base64.
    #[error("signature is not base64: {0}")]
    SignatureBase64(base64::DecodeError),
    /// The envelope does not carry exactly one signature (we write one per line).
    #[error("expected exactly one signature, found {0}")]
    SignatureCount(usize),
}

impl Envelope {
    /// An envelope of `payload` (statement JSON bytes) with one SSHSIG signature blob.
    pub fn new(payload: &[u8], sshsig: &[u8]) -> Self {
        Envelope {
            payload_type: PAYLOAD_TYPE.to_owned(),
            payload: STANDARD.encode(payload),
            signatures: vec![EnvelopeSignature {
                keyid: String::new(),
                sig: STANDARD.encode(sshsig),
            }],
        }
    }

    /// Reads one bundle line (without its newline).
    pub fn from_line(line: &[u8]) -> Result<Self, EnvelopeError> {
        Ok(serde_json::from_slice(line)?)
    }

    /// Writes the envelope as one JSON line, without the trailing newline.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("an envelope of strings always serialises")
    }

    /// The payload bytes as stored (base64-decoded).
    pub fn payload_bytes(&self) -> Result<Vec<u8>, EnvelopeError> {
        STANDARD
            .decode(&self.payload)
            .map_err(EnvelopeError::PayloadBase64)
    }

    /// The one SSHSIG blob (base64-decoded).
    pub fn signature_blob(&self) -> Result<Vec<u8>, EnvelopeError> {
        match self.signatures.as_slice() {
            [one] => STANDARD
                .decode(&one.sig)
                .map_err(EnvelopeError::SignatureBase64),
            more => Err(EnvelopeError::SignatureCount(more.len())),
        }
    }

    /// The bytes the signature covers: `PAE(payloadType, payload)`.
    pub fn pae(&self) -> Result<Vec<u8>, EnvelopeError> {
        Ok(pae(&self.payload_type, &self.payload_bytes()?))
    }
}

/// DSSE's pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // From the DSSE protocol document's test vector.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(
            pae("", b""),
            b"DSSEv1 0  0 ".to_vec(),
            "empty type and body"
        );
    }

    #[test]
    fn an_envelope_is_one_line_and_reads_back() {
        let env = Envelope::new(b"{\"a\":\n1}", b"SSHSIG\x00\x01");
        let line = env.to_line();
        assert!(!line.contains('\n'), "one line: {line}");
        assert_eq!(
            line,
            r#"{"payloadType":"application/vnd.in-toto+json","payload":"eyJhIjoKMX0=","signatures":[{"keyid":"","sig":"U1NIU0lHAAE="}]}"#
        );
        let back = Envelope::from_line(line.as_bytes()).expect("reads back");
        assert_eq!(back, env);
        assert_eq!(back.payload_bytes().expect("base64"), b"{\"a\":\n1}");
        assert_eq!(back.signature_blob().expect("one sig"), b"SSHSIG\x00\x01");
        assert_eq!(
            back.pae().expect("pae"),
            b"DSSEv1 28 application/vnd.in-toto+json 8 {\"a\":\n1}".to_vec()
        );
    }

    #[test]
    fn broken_envelopes_are_errors() {
        assert!(matches!(
            Envelope::from_line(b"{\"payloadType\":1}"),
            Err(EnvelopeError::Json(_))
        ));
        let mut env = Envelope::new(b"x", b"y");
        env.payload = "***".into();
        assert!(matches!(
            env.payload_bytes(),
            Err(EnvelopeError::PayloadBase64(_))
        ));
        env.signatures.clear();
        assert!(matches!(
            env.signature_blob(),
            Err(EnvelopeError::SignatureCount(0))
        ));
    }
}
