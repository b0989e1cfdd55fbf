//! Keys and tokens that are public by publication: the jwt.io example token, RFC test
//! vectors, the example keys crypto libraries ship in their docs. Each is kept as the sha256
//! of its normalised value (never the value), with where it was published, so a copy of one
//! in any file is recognised and said to be public.
//!
//! The normalised value is what the scanner reports as the secret (for a PEM private key, the
//! first base64 line of the body; for a JWT, the whole token) with whitespace and JSON/C
//! escapes of line breaks removed, so a key re-wrapped or quoted in a string still matches.

use sha2::{Digest as _, Sha256};

/// (sha256 of the normalised value, hex; where it is published). Each entry's test rebuilds
/// the value from its published recipe (header, payload, key) and checks the fingerprint.
pub const KNOWN: &[(&str, &str)] = &[
    (
        "7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606",
        "the jwt.io debugger's example token, HS256 with `your-256-bit-secret`",
    ),
    (
        "8d4ef6536dc8895f256c1e0d95dcd19763036732d64a095e44a90ed444267ad3",
        "RFC 7515 Appendix A.1 / RFC 7519 section 3.1 example JWS",
    ),
    (
        "bf145d9380bbe05bdc1a72525796b224f8a8c93ae0e9e102eafbc255ac1af9e8",
        "PyJWT's README example, `jwt.encode({\"some\": \"payload\"}, \"secret\")`",
    ),
    (
        "5cefcbea13e8e57cc93b66c326997d57ccb6556919133f56915f6ed5b5bd7a4f",
        "python-jose's README example, `jwt.encode({'key': 'value'}, 'secret')`",
    ),
];

/// The sha256 (hex) of `value` normalised: whitespace and `\n`/`\r` escapes removed.
pub fn fingerprint(value: &[u8]) -> String {
    let mut h = Sha256::new();
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        if b == b'\\' && matches!(value.get(i + 1), Some(b'n' | b'r')) {
            i += 2;
            continue;
        }
        if !b.is_ascii_whitespace() {
            h.update([b]);
        }
        i += 1;
    }
    crate::units::hex(&h.finalize())
}

/// Where `value` was published, when it is one of the [`KNOWN`] public keys and tokens.
pub fn known(value: &[u8]) -> Option<&'static str> {
    let f = fingerprint(value);
    KNOWN.iter().find(|(k, _)| *k == f).map(|(_, src)| *src)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

    /// HMAC-SHA256 (RFC 2104), enough to rebuild the published example tokens.
    fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(msg)
            .finalize();
        Sha256::new()
            .chain_update(pad(0x5c))
            .chain_update(inner)
            .finalize()
            .into()
    }

    /// An HS256 JWS of `header` and `payload` (JSON text as published) signed with `key`.
    fn hs256(header: &str, payload: &str, key: &[u8]) -> String {
        let input = format!("{}.{}", B64.encode(header), B64.encode(payload));
        let sig = hmac_sha256(key, input.as_bytes());
        format!("{input}.{}", B64.encode(sig))
    }

    #[test]
    fn the_published_examples_are_recognised_from_their_recipes() {
        let h = r#"{"alg":"HS256","typ":"JWT"}"#;
        let rfc_key = B64
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .expect("RFC 7515 A.1.1's key");
        let cases = [
            (
                hs256(
                    h,
                    r#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#,
                    b"your-256-bit-secret",
                ),
                "jwt.io",
            ),
            (
                hs256(
                    "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}",
                    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}",
                    &rfc_key,
                ),
                "RFC 7515",
            ),
            (hs256(h, r#"{"some":"payload"}"#, b"secret"), "PyJWT"),
            (hs256(h, r#"{"key":"value"}"#, b"secret"), "python-jose"),
        ];
        for (token, source) in &cases {
            let found = known(token.as_bytes());
            assert!(
                found.is_some_and(|s| s.contains(source)),
                "{source}: {token} → {found:?}"
            );
        }
        // RFC 7515 A.1 prints the signature: the rebuilt token is the published one.
        assert!(
            cases[1]
                .0
                .ends_with("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        );
        let other = hs256(h, r#"{"some":"payload"}"#, b"a real secret");
        assert_eq!(
            known(other.as_bytes()),
            None,
            "same payload, another key: not public"
        );
    }

    #[test]
    fn fingerprints_ignore_wrapping_and_escaped_line_breaks() {
        assert_eq!(fingerprint(b"ab\ncd"), fingerprint(b"abcd"));
        assert_eq!(
            fingerprint(br"ab\n cd\r\n"),
            fingerprint(b"abcd"),
            "JSON or C escapes"
        );
        assert_ne!(fingerprint(b"abce"), fingerprint(b"abcd"));
    }
}
