//! Plain-text and JSON views of the model for `ls`, `diff` and `manifest`.
//!
//! Every string that came from the artifact passes through [`crate::sanitize`] here, at the
//! last moment before output; the model keeps the real values.

pub mod check_json;
pub mod check_text;
pub mod diff_text;
pub mod ls;
pub mod markdown;
pub mod sarif;

use humansize::{DECIMAL, format_size};

/// The first `chars` characters of a digest, sanitised: a digest from a manifest is as
/// untrusted as any other string in it (and may not even be ASCII), so it is cut by
/// characters, never by bytes.
pub fn digest_prefix(digest: &str, chars: usize) -> String {
    let end = digest
        .char_indices()
        .nth(chars)
        .map_or(digest.len(), |(i, _)| i);
    crate::sanitize::for_terminal(&digest[..end]).into_owned()
}

/// A byte count as people read it (`12.3 kB`), decimal units as npm prints them.
pub fn size(bytes: u64) -> String {
    // humansize prints whole bytes as `N B` too; skipping it there matters on listings of
    // 100,000 small files.
    if bytes < 1000 {
        format!("{bytes} B")
    } else {
        format_size(bytes, DECIMAL)
    }
}

/// [`size`] with one decimal (`147.1 kB`), for columns: never wider than 8 cells below 1 PB.
pub fn size_compact(bytes: u64) -> String {
    if bytes < 1000 {
        format!("{bytes} B")
    } else {
        format_size(bytes, DECIMAL.decimal_places(1))
    }
}

/// A signed byte delta (`+1.2 MB`, `-300 B`, `±0 B`).
pub fn size_delta(delta: i64) -> String {
    match delta {
        0 => "±0 B".to_owned(),
        d if d > 0 => format!("+{}", size(d.unsigned_abs())),
        d => format!("-{}", size(d.unsigned_abs())),
    }
}

/// `-rw-r--r--` for a kind and mode.
pub fn mode_string(kind: crate::artifact::EntryKind, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    push_mode(&mut s, kind, mode);
    s
}

/// [`mode_string`] appended to `out`, without an allocation of its own.
pub fn push_mode(out: &mut String, kind: crate::artifact::EntryKind, mode: u32) {
    out.push(kind.symbol());
    for shift in [6u32, 3, 0] {
        let bits = (mode >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        out.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::EntryKind;

    #[test]
    fn sizes_and_modes_read_naturally() {
        assert_eq!(size(1_234_567), "1.23 MB");
        assert_eq!(size_delta(-300), "-300 B");
        assert_eq!(
            size_compact(147_130),
            "147.1 kB",
            "one decimal, decimal units"
        );
        assert_eq!(size_compact(999), "999 B");
        assert_eq!(size_delta(0), "±0 B");
        assert_eq!(mode_string(EntryKind::File, 0o644), "-rw-r--r--");
        assert_eq!(mode_string(EntryKind::Dir, 0o755), "drwxr-xr-x");
    }

    #[test]
    fn digest_prefixes_are_cut_by_characters_and_sanitised() {
        assert_eq!(digest_prefix("0123456789abcdef", 12), "0123456789ab");
        assert_eq!(digest_prefix("abc", 12), "abc");
        assert_eq!(
            digest_prefix(&format!("a{}", "é".repeat(10)), 12),
            format!("a{}", "é".repeat(10)),
            "no slicing inside a character"
        );
        assert_eq!(digest_prefix("\u{1b}[2Jxxxxxxxxxx", 4), "^[[2J");
    }
}
