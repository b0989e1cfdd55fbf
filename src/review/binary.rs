//! Binary detection with a type guess, so binary content is shown as hex and never
//! highlighted or drawn as text.

/// `Some(type guess)` when the bytes are binary: a NUL or invalid UTF-8 in the first 8 KiB.
pub fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(8192)];
    let magic: &[(&[u8], &str)] = &[
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"\x1f\x8b", "gzip archive"),
        (b"PK\x03\x04", "zip archive"),
        (b"\x7fELF", "ELF executable"),
        (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
        (b"MZ", "Windows executable"),
        (b"\0asm", "WebAssembly module"),
        (b"%PDF", "PDF document"),
        (b"wOFF", "WOFF font"),
        (b"wOF2", "WOFF2 font"),
    ];
    if let Some((_, kind)) = magic.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(kind);
    }
    // A multi-byte character cut by the 8 KiB window is not evidence of binary.
    let truncated = head.len() < bytes.len();
    let mut chunks = head.utf8_chunks().peekable();
    let mut invalid = false;
    while let Some(c) = chunks.next() {
        let last = chunks.peek().is_none();
        if !(c.invalid().is_empty() || last && truncated && c.invalid().len() <= 3) {
            invalid = true;
            break;
        }
    }
    (memchr::memchr(0, head).is_some() || invalid).then_some("binary data")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_detected_with_a_type_guess() {
        assert_eq!(binary_kind(b"\x89PNG\r\n\x1a\n...."), Some("PNG image"));
        assert_eq!(binary_kind(b"abc\0def"), Some("binary data"));
        assert_eq!(binary_kind("héllo".as_bytes()), None);
        assert_eq!(binary_kind(b"text \xff\xfe more text"), Some("binary data"));
    }
}
