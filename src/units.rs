//! Units: byte counts as people read and write them, and lowercase hex.
//!
//! One convention everywhere: decimal (SI) units, as npm prints them. Sizes are printed in
//! them (`12.3 kB`, `5.24 MB`) and read in them (`10M` is 10,000,000 bytes), so a limit
//! written `10M` prints as `10 MB` beside the sizes it is compared with. Binary suffixes
//! (`512MiB`) are still read, for people who mean them, but nothing is printed in them.

use humansize::{DECIMAL, format_size};

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

/// Parses `1000`, `64K`, `512M`, `2G` (decimal units: `K` = 1,000, as [`size`] prints them);
/// `KiB`, `MiB`, `GiB`, `TiB` are binary.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..digits]
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 512M or 2G"))?;
    let mult: u64 = match t[digits..].trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" => 1_000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        "T" | "TB" => 1_000_000_000_000,
        "KIB" => 1 << 10,
        "MIB" => 1 << 20,
        "GIB" => 1 << 30,
        "TIB" => 1 << 40,
        other => return Err(format!("unknown size unit {other:?} (use K, M, G: 1,000s)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))
}

/// Lowercase hex (a table lookup: `write!` per byte showed up in listings of many files).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size(1_234_567), "1.23 MB");
        assert_eq!(size_delta(-300), "-300 B");
        assert_eq!(
            size_compact(147_130),
            "147.1 kB",
            "one decimal, decimal units"
        );
        assert_eq!(size_compact(999), "999 B");
        assert_eq!(size_delta(0), "±0 B");
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1G"), Ok(1_000_000_000));
        assert_eq!(parse_size("512M"), Ok(512_000_000));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(
            parse_size("64kib"),
            Ok(64 << 10),
            "binary when asked for by name"
        );
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("12X").is_err());
        assert!(
            parse_size("99999999999T").is_err(),
            "overflow is an error, not a wrap"
        );
    }

    #[test]
    fn a_limit_prints_as_it_was_written() {
        for written in ["10M", "64K", "1G", "256M"] {
            let printed = size(parse_size(written).expect("parses"));
            assert_eq!(
                printed.replace(' ', "").trim_end_matches('B'),
                written.replace('K', "k"),
                "{written} prints as {printed}: one convention, no 10.49 MB for 10M"
            );
        }
    }

    #[test]
    fn hex_is_lowercase_and_two_digits_a_byte() {
        assert_eq!(hex(&[0, 0x0f, 0xab, 0xff]), "000fabff");
    }
}
