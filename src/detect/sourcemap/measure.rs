//! Measuring what a map embeds: lines and decoded bytes of each escaped source body, without
//! decoding it.

use super::IN_TWO_MIN;

/// [`measure`] of every body, in order; on two threads for large maps (measuring is a third
/// of analysing a 60 MB map, and the other core is idle for it).
pub(super) fn measure_all(bodies: &[(usize, &[u8])]) -> Vec<(u64, u64)> {
    crate::par::in_two(
        bodies,
        IN_TWO_MIN,
        |(_, b)| b.len(),
        |part| part.iter().map(|(_, b)| measure(b)).collect(),
    )
}

/// Lines and decoded bytes of an escaped JSON string body, in one pass over its escapes.
/// Lines end where the decoded text has a newline (`\n`, `\u000a`; `\\n` is none).
pub fn measure(body: &[u8]) -> (u64, u64) {
    let (mut newlines, mut bytes, mut i) = (0u64, 0u64, 0usize);
    // Where the last decoded newline ended: the body ends with one when that is its end.
    let mut after_newline = usize::MAX;
    while let Some(p) = memchr::memchr(b'\\', &body[i..]) {
        let at = i + p;
        bytes += p as u64;
        // The two-byte escapes (`\n` on every line) inline; `\u` decoded exactly.
        match body.get(at + 1) {
            Some(b'n') => {
                newlines += 1;
                bytes += 1;
                i = at + 2;
                after_newline = i;
            }
            Some(&b) if b != b'u' && b.is_ascii() => {
                bytes += 1;
                i = at + 2;
            }
            _ => {
                let (c, len) = crate::detect::text::json_escape(body, at);
                bytes += c.len_utf8() as u64;
                i = at + len;
                if c == '\n' {
                    newlines += 1;
                    after_newline = i;
                }
            }
        }
    }
    bytes += body.len().saturating_sub(i) as u64;
    (newlines + u64::from(after_newline != body.len()), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_escaped_text() {
        assert_eq!(measure(br"a\nb"), (2, 3));
        assert_eq!(
            measure(br"a\nb\n"),
            (2, 4),
            "a trailing newline ends the last line"
        );
        assert_eq!(measure(br"\u00e9"), (1, 2), "é is two UTF-8 bytes");
        assert_eq!(
            measure(br"x\\ny"),
            (1, 4),
            "an escaped backslash is not a newline"
        );
        assert_eq!(
            measure(br"a\\\n"),
            (1, 3),
            "an escaped backslash, then a final newline"
        );
        assert_eq!(measure(br"a\u000ab"), (2, 3), "\\u000a is a newline");
        assert_eq!(
            measure(br"\ud83d\ude00"),
            (1, 4),
            "a pair is one 4-byte character"
        );
    }
}
