//! Checking a manifest read from disk before anything uses it.
//!
//! A manifest is plain JSON that anyone can edit, so it is as untrusted as an archive: serde
//! checks the shapes, this checks the values the rest of shipcheck relies on (digests are
//! lowercase hex of the right length, `integrity` is the SRI form of that sha512, sizes and
//! counts are plausible, entry indices are positions). An invalid manifest is refused whole,
//! with the field that is wrong, instead of being half-believed.

use base64::Engine as _;

use super::Manifest;

/// Sizes past this (1 PiB) are not a real package, only a way to overflow arithmetic.
pub const MAX_SIZE: u64 = 1 << 50;

/// Mode bits a tar header can hold (seven octal digits).
const MAX_MODE: u32 = 0o7_777_777;

/// A field of a manifest that is not what shipcheck writes.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InvalidManifest {
    /// The field, as a JSON path (`artifact.sha256`, `entries[3].size`).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> InvalidManifest {
    InvalidManifest {
        field: field.into(),
        problem: problem.into(),
    }
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn digest(field: &str, value: &str, len: usize) -> Result<(), InvalidManifest> {
    if is_lower_hex(value, len) {
        Ok(())
    } else {
        Err(invalid(field, format!("not {len} lowercase hex digits")))
    }
}

fn size(field: impl FnOnce() -> String, value: u64) -> Result<(), InvalidManifest> {
    if value <= MAX_SIZE {
        Ok(())
    } else {
        Err(invalid(field(), format!("{value} is larger than 1 PiB")))
    }
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Checks every value of `m` that shipcheck relies on.
pub fn validate(m: &Manifest) -> Result<(), InvalidManifest> {
    let a = &m.artifact;
    digest("artifact.sha256", &a.sha256, 64)?;
    digest("artifact.sha512", &a.sha512, 128)?;
    let sri = hex_bytes(&a.sha512).map(|b| {
        format!(
            "sha512-{}",
            base64::engine::general_purpose::STANDARD.encode(b)
        )
    });
    if sri.as_deref() != Some(a.integrity.as_str()) {
        return Err(invalid(
            "artifact.integrity",
            "not the sha512- form of artifact.sha512",
        ));
    }
    size(|| "artifact.packed_size".to_owned(), a.packed_size)?;
    size(|| "artifact.unpacked_size".to_owned(), a.unpacked_size)?;
    if a.files > m.entries.len() {
        return Err(invalid(
            "artifact.files",
            format!("{} files but {} entries", a.files, m.entries.len()),
        ));
    }
    for (i, e) in m.entries.iter().enumerate() {
        let field = |name: &str| format!("entries[{i}].{name}");
        if e.index as usize != i {
            return Err(invalid(
                field("index"),
                format!("{} at position {i}", e.index),
            ));
        }
        if let Some(d) = &e.sha256 {
            digest(&field("sha256"), d, 64)?;
        }
        size(|| field("size"), e.size)?;
        if let Some(s) = e.declared_size {
            size(|| field("declared_size"), s)?;
        }
        if let Some(s) = e.compressed_size {
            size(|| field("compressed_size"), s)?;
        }
        if e.mode > MAX_MODE {
            return Err(invalid(field("mode"), "more bits than a tar header holds"));
        }
        if let Some(hex) = e.raw_path_hex()
            && hex_bytes(hex).is_none()
        {
            return Err(invalid(field("raw_path_hex"), "not lowercase hex bytes"));
        }
    }
    for (i, an) in m.anomalies.iter().enumerate() {
        if an.entry.is_some_and(|e| e as usize >= m.entries.len()) {
            return Err(invalid(
                format!("anomalies[{i}].entry"),
                "names no entry of the manifest",
            ));
        }
    }
    Ok(())
}
