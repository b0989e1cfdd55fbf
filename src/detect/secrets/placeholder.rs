//! Placeholders and documented examples: values that look like a secret but are not one.
//!
//! Docs, READMEs and type definitions are full of `AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx…`,
//! `${NPM_TOKEN}` and `<your-key>`. Reporting them as leaks would teach reviewers to ignore the
//! rule, so they are reported as `info` with the reason.

use super::Hit;
use super::formats::Format;

/// Words that only appear in made-up values.
const MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "placeholder",
    "your",
    "dummy",
    "fake",
    "sample",
    "redacted",
    "changeme",
    "replace",
    "insert",
    "todo",
    "secret_here",
    "token_here",
    "key_here",
    "12345678",
    "abcdefgh",
    "0000000",
    "...",
];

/// Documented example values that pass every pattern (AWS's, jwt.io's).
const KNOWN_EXAMPLES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// Passwords that only ever appear in local development URLs.
const DEV_PASSWORDS: &[&str] = &[
    "password", "pass", "passwd", "secret", "postgres", "root", "admin", "test", "user", "mysql",
    "guest", "example", "changeme", "pwd", "123456", "mongo", "redis",
];

/// Why `value` is not a real secret, if it is not.
pub fn reason(f: &Format, value: &[u8], hay: &[u8], hit: &Hit) -> Option<&'static str> {
    let s = String::from_utf8_lossy(value);
    let lower = s.to_ascii_lowercase();
    if KNOWN_EXAMPLES.iter().any(|k| s.contains(k)) {
        return Some("documented example value");
    }
    if s.contains("${") || s.contains("{{") || s.contains('<') || s.contains('%') || s.contains('*')
    {
        return Some("template placeholder");
    }
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return Some("placeholder value");
    }
    // The value after the fixed prefix: a real token is random, a placeholder repeats itself.
    let body = &value[f.known.min(value.len())..];
    let mut distinct = [false; 256];
    for &b in body {
        distinct[b as usize] = true;
    }
    let kinds = distinct.iter().filter(|&&d| d).count();
    if body.len() >= 16 && kinds < 8 {
        return Some("low-entropy placeholder");
    }
    if f.rule.id == "secret-database-url" {
        let whole =
            String::from_utf8_lossy(&hay[hit.at..hit.value.1.saturating_add(80).min(hay.len())])
                .to_ascii_lowercase();
        let host = whole.split_once('@').map_or("", |(_, h)| h);
        if DEV_PASSWORDS.contains(&lower.as_str())
            || [
                "johndoe",
                "janedoe",
                "random",
                "mypassword",
                "mydb",
                "username:",
            ]
            .iter()
            .any(|m| whole.contains(m))
            || [
                "localhost",
                "127.0.0.1",
                "example.",
                "host:",
                "hostname",
                "[::1]",
            ]
            .iter()
            .any(|h| host.starts_with(h))
            || lower.starts_with('$')
            || lower.starts_with(':')
        {
            return Some("local development or example URL");
        }
    }
    if f.rule.id == "secret-jwt" && !jwt_payload_is_json(value) {
        return Some("not a decodable token");
    }
    None
}

/// A real JWT's middle part decodes to a JSON object.
fn jwt_payload_is_json(token: &[u8]) -> bool {
    use base64::Engine as _;
    let Some(payload) = token.split(|&b| b == b'.').nth(1) else {
        return false;
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .is_some_and(|json| {
            serde_json::from_slice::<serde_json::Value>(&json).is_ok_and(|v| v.is_object())
        })
}
