//! One `allowed_signers` line: principals, options and key, read the way OpenSSH reads them.

use ssh_key::PublicKey;

use super::{LineError, SignerEntry};
use crate::approval::timestamp::{Timestamp, digits, from_civil};

pub(super) fn parse_line(raw: &str, line: usize) -> Result<Option<SignerEntry>, LineError> {
    let rest = raw.trim();
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(None);
    }
    let (principals, rest) = take_token(rest)?;
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Err(LineError::MissingKey);
    }
    // As OpenSSH does: the rest is a key, or else an options token followed by a key.
    let (options, key) = match PublicKey::from_openssh(rest) {
        Ok(key) => (None, key),
        Err(_) => {
            let (options, key_text) = take_token(rest)?;
            let key_text = key_text.trim_start();
            if key_text.is_empty() {
                return Err(LineError::MissingKey);
            }
            let key = PublicKey::from_openssh(key_text)
                .map_err(|e| LineError::InvalidKey(e.to_string()))?;
            (Some(options), key)
        }
    };
    let mut entry = SignerEntry {
        line,
        principals: unquote(principals),
        namespaces: None,
        valid_after: None,
        valid_before: None,
        cert_authority: false,
        key,
    };
    if let Some(options) = options {
        apply_options(&mut entry, options)?;
    }
    Ok(Some(entry))
}

/// Splits off the first whitespace-delimited token, keeping quoted runs (which may hold spaces
/// and commas) whole.
fn take_token(s: &str) -> Result<(&str, &str), LineError> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => return Ok((&s[..i], &s[i..])),
            _ => {}
        }
    }
    if quoted {
        Err(LineError::UnterminatedQuote)
    } else {
        Ok((s, ""))
    }
}

fn unquote(s: &str) -> String {
    s.replace('"', "")
}

fn apply_options(entry: &mut SignerEntry, options: &str) -> Result<(), LineError> {
    for option in split_options(options) {
        let (name, value) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (option, None),
        };
        let name = name.to_ascii_lowercase();
        match (name.as_str(), value) {
            ("cert-authority", None) => entry.cert_authority = true,
            ("namespaces", Some(v)) => {
                let v = quoted_value("namespaces", v)?;
                set_once(&mut entry.namespaces, v.to_owned(), "namespaces")?;
            }
            ("valid-after", Some(v)) => {
                let t = parse_time("valid-after", quoted_value("valid-after", v)?)?;
                set_once(&mut entry.valid_after, t, "valid-after")?;
            }
            ("valid-before", Some(v)) => {
                let t = parse_time("valid-before", quoted_value("valid-before", v)?)?;
                set_once(&mut entry.valid_before, t, "valid-before")?;
            }
            _ => return Err(LineError::UnknownOption(option.to_owned())),
        }
    }
    if let (Some(after), Some(before)) = (entry.valid_after, entry.valid_before)
        && before <= after
    {
        return Err(LineError::EmptyValidity);
    }
    Ok(())
}

/// Splits `a,b="x,y",c` on the commas outside quotes.
fn split_options(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn quoted_value<'a>(option: &'static str, v: &'a str) -> Result<&'a str, LineError> {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|inner| !inner.contains('"'))
        .ok_or(LineError::UnquotedValue(option))
}

fn set_once<T>(slot: &mut Option<T>, value: T, option: &'static str) -> Result<(), LineError> {
    if slot.is_some() {
        return Err(LineError::DuplicateOption(option));
    }
    *slot = Some(value);
    Ok(())
}

/// `YYYYMMDD[HHMM[SS]]` with an optional `Z`/`UTC` suffix, always read as UTC.
fn parse_time(option: &'static str, value: &str) -> Result<Timestamp, LineError> {
    let bad = || LineError::BadTime {
        option,
        value: value.to_owned(),
    };
    let upper = value.to_ascii_uppercase();
    let body = upper
        .strip_suffix("UTC")
        .or_else(|| upper.strip_suffix('Z'))
        .unwrap_or(&upper)
        .as_bytes();
    if !matches!(body.len(), 8 | 12 | 14) {
        return Err(bad());
    }
    let field = |r: std::ops::Range<usize>| body.get(r).map_or(Some(0), digits);
    let get = |r| field(r).ok_or_else(bad);
    let (y, mo, d) = (get(0..4)?, get(4..6)?, get(6..8)?);
    let (h, mi, s) = (get(8..10)?, get(10..12)?, get(12..14)?);
    from_civil(y, mo, d, h, mi, s)
        .map(Timestamp)
        .ok_or_else(bad)
}
