//! Redaction: no finding says a secret value in full, whichever rule wrote it.
//!
//! Rules quote what they saw: an install script's command, a dependency spec, a map's URL, a
//! custom pattern's match. Any of those can hold a credential (`curl -H 'Authorization: token
//! ghp_…'`, `git+https://x-oauth:ghp_…@github.com/…`), and a finding is printed in text, JSON,
//! SARIF, markdown and the review screen. So instead of every rule remembering to mask, the
//! engine passes every finding's message and evidence strings through [`finding`] once, where
//! findings leave it (`Scanner::finish`, which `check` and `review` both call). A value is
//! masked the way secret findings show theirs ([`text::masked`]: a short prefix and the
//! length) when one of the secret formats matches it or when it is the password of a URL's
//! userinfo (`scheme://user:password@host`).

use serde_json::Value;

use super::{secrets, text};
use crate::finding::Finding;

/// Masks secret values in `f`'s message and in every string of its evidence.
pub fn finding(f: &mut Finding) {
    in_place(&mut f.message);
    value(&mut f.evidence);
}

/// Masks secret values in `s` itself.
pub fn in_place(s: &mut String) {
    if let Some(masked) = redact(s) {
        *s = masked;
    }
}

fn value(v: &mut Value) {
    match v {
        Value::String(s) => in_place(s),
        Value::Array(items) => items.iter_mut().for_each(value),
        Value::Object(fields) => fields.values_mut().for_each(value),
        _ => {}
    }
}

/// `s` with every secret value masked, or `None` when it holds none.
pub fn redact(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    // (start, end, bytes of public prefix) of each value to mask.
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for hit in secrets::find(bytes) {
        spans.push((hit.value.0, hit.value.1, hit.format.known));
        if let Some((start, end)) = hit.pair {
            spans.push((start, end, 4));
        }
    }
    url_passwords(bytes, &mut spans);
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    // Overlapping claims (a token that is also a URL's password) are masked as one.
    let mut merged: Vec<(usize, usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end, known) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end, known)),
        }
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for (start, end, known) in merged {
        out.extend_from_slice(&bytes[at..start]);
        out.extend_from_slice(text::masked(&bytes[start..end], known).as_bytes());
        at = end;
    }
    out.extend_from_slice(&bytes[at..]);
    // A span may end inside a multi-byte character (a password of any bytes); what is left of
    // it is replaced, never shown.
    Some(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Adds the password of every `scheme://user:password@host` in `s`.
fn url_passwords(s: &[u8], spans: &mut Vec<(usize, usize, usize)>) {
    for at in memchr::memmem::find_iter(s, b"://") {
        let start = at + 3;
        let end = s[start..]
            .iter()
            .position(|&b| {
                b.is_ascii_whitespace()
                    || matches!(
                        b,
                        b'/' | b'?' | b'#' | b'@' | b'"' | b'\'' | b'`' | b'<' | b'>'
                    )
            })
            .map_or(s.len(), |p| start + p);
        if s.get(end) != Some(&b'@') {
            continue;
        }
        if let Some(colon) = memchr::memchr(b':', &s[start..end]) {
            let password = start + colon + 1;
            if password < end {
                spans.push((password, end, 0));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Rule, Severity};

    const ANY_RULE: Rule = Rule {
        id: "any-rule",
        severity: Severity::Low,
        summary: "a rule",
        why: "for the test",
    };

    fn gh(body: &str) -> String {
        format!("{}{}", "ghp_", body)
    }

    #[test]
    fn tokens_and_url_passwords_are_masked_like_secret_findings() {
        let token = gh("Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
        let cmd = format!("curl -H 'Authorization: token {token}' https://x.example/i | sh");
        let got = redact(&cmd).expect("holds a token");
        assert_eq!(
            got, "curl -H 'Authorization: token ghp_Zq… (40 chars)' https://x.example/i | sh",
            "the mask of secret findings: a short prefix and the length"
        );
        let spec = format!("git+https://x-oauth:{token}@github.com/o/r.git");
        assert_eq!(
            redact(&spec).as_deref(),
            Some("git+https://x-oauth:ghp_Zq… (40 chars)@github.com/o/r.git"),
            "a token that is also a URL's password is masked once"
        );
        assert_eq!(
            redact("https://deploy:Pl41nPassw0rd4MapsXY@maps.example.com/a.js.map").as_deref(),
            Some("https://deploy:Pl4… (20 chars)@maps.example.com/a.js.map"),
            "a URL password no format knows"
        );
        let pair = format!(
            "export AWS_ID={}{} AWS_KEY={}",
            "AKIA", "Q7ZK3M5T2WX4R6YB", "kW9bPq2Lr7Xv/Nt4Hs8Jd1Fg6Ym3Zc5Ae0Ui+OoT"
        );
        assert_eq!(
            redact(&pair).as_deref(),
            Some("export AWS_ID=AKIA… (20 chars) AWS_KEY=kW9bPq… (40 chars)"),
            "both halves of an AWS key pair"
        );
        assert_eq!(redact("node setup.js && https://host:8080/x@y"), None);
        assert_eq!(
            redact("git+ssh://git@github.com/o/r.git"),
            None,
            "no password"
        );
    }

    #[test]
    fn evidence_strings_are_masked_at_any_depth() {
        let token = gh("Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
        let mut f = Finding::new(&ANY_RULE, Location::default(), format!("see {token}"))
            .evidence(serde_json::json!({ "a": [{ "b": token }], "n": 3 }));
        finding(&mut f);
        let json = serde_json::to_string(&f).expect("serialises");
        assert!(!json.contains(&token[..12]), "{json}");
        assert_eq!(f.evidence["n"], 3, "other values untouched");
        assert_eq!(f.evidence["a"][0]["b"], "ghp_Zq… (40 chars)");
    }
}
