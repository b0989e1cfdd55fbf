//! A zip's end record and central directory, read the way Python's `zipfile` reads them.
//!
//! pip installs wheels through `zipfile`, so its reading is the one to model: the end record is
//! the last `PK\5\6` in the final 64 KiB (+22 bytes), a zip64 locator and end record directly
//! before it replace its fields, data prepended to the archive shifts every offset by the same
//! amount ("concat"), and the central directory is walked by its *size* — the entry count in
//! the end record is never used, so a count of 0 (or a 16-bit count that wrapped past 65,535)
//! hides nothing from pip, and must hide nothing from us either.

use std::io::{self, BufRead as _, Read, Seek, SeekFrom};

use super::OpenError;
use crate::sanitize::bytes_for_terminal;

/// General-purpose flag bits (APPNOTE 4.4.4).
pub const FLAG_ENCRYPTED: u16 = 0x0001;
/// Compressed patched data, which Python refuses.
pub const FLAG_PATCHED: u16 = 0x0020;
/// Strong encryption, which Python refuses.
pub const FLAG_STRONG_ENCRYPTION: u16 = 0x0040;
/// The name is UTF-8; without it, Python decodes it as cp437.
pub const FLAG_UTF8: u16 = 0x0800;

/// The end of central directory record, zip64 fields applied.
#[derive(Debug, Clone, Copy)]
pub struct End {
    /// Central directory size in bytes.
    pub size: u64,
    /// The offset the record states for the central directory.
    pub offset: u64,
    /// Where the end record itself starts in the file.
    pub location: u64,
    /// The total entry count it states (only compared, never trusted).
    pub count: u64,
    /// True when a zip64 end record replaced the fields.
    pub zip64: bool,
}

impl End {
    /// Bytes before the archive's own offset 0 (a stub in front), as Python computes them.
    pub fn concat(&self) -> anyhow::Result<u64> {
        let before = self
            .location
            .checked_sub(if self.zip64 { 76 } else { 0 })
            .and_then(|l| l.checked_sub(self.size))
            .and_then(|l| l.checked_sub(self.offset));
        before.ok_or_else(|| corrupt("bad offset for central directory"))
    }
}

/// One central-directory record.
#[derive(Debug, Clone)]
pub struct Record {
    /// The stored name bytes.
    pub raw_name: Vec<u8>,
    /// The name as Python decodes it (UTF-8 with the flag, cp437 without), before its cut at
    /// a NUL: the form the local header's name is compared against.
    pub full_name: String,
    /// General-purpose flags.
    pub flags: u16,
    /// Compression method.
    pub method: u16,
    /// CRC-32 of the uncompressed data.
    pub crc: u32,
    /// Compressed size.
    pub compressed: u64,
    /// Uncompressed size.
    pub declared: u64,
    /// Absolute offset of the local header (stub included).
    pub header: u64,
    /// Unix mode from the external attributes, 0 when not made on Unix.
    pub mode: u32,
    /// An Info-ZIP Unicode Path (0x7075) name that applies to this record, if any.
    pub unicode_path: Option<String>,
}

impl Record {
    /// The name Python's `ZipInfo` keeps: cut at the first NUL.
    pub fn name(&self) -> &str {
        self.full_name
            .split_once('\0')
            .map_or(self.full_name.as_str(), |(n, _)| n)
    }
}

pub(super) fn corrupt(e: impl std::fmt::Display) -> anyhow::Error {
    OpenError::Corrupt {
        container: "zip",
        reason: e.to_string(),
    }
    .into()
}

/// A zip that Python's zipfile reads differently or not at all: refused, naming why.
pub(super) fn refused(reason: String) -> anyhow::Error {
    OpenError::Refused {
        container: "zip",
        reason,
    }
    .into()
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

const END: usize = 22;

/// Finds the end record as `zipfile._EndRecData` does.
pub fn end_record<R: Read + Seek>(input: &mut R) -> anyhow::Result<End> {
    let len = input.seek(SeekFrom::End(0))?;
    let not_zip = || corrupt("no end of central directory record (not a zip file)");
    if len < END as u64 {
        return Err(not_zip());
    }
    let from = len.saturating_sub((1 << 16) + END as u64);
    input.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::new();
    input.take(len - from).read_to_end(&mut tail)?;
    let last = &tail[tail.len() - END..];
    let at = if last.starts_with(b"PK\x05\x06") && last[END - 2..] == [0, 0] {
        tail.len() - END
    } else {
        let at = memchr::memmem::rfind(&tail, b"PK\x05\x06").ok_or_else(not_zip)?;
        if tail.len() - at < END {
            return Err(not_zip());
        }
        at
    };
    let rec = &tail[at..at + END];
    let location = from + at as u64;
    let mut end = End {
        size: u64::from(u32_at(rec, 12)),
        offset: u64::from(u32_at(rec, 16)),
        location,
        count: u64::from(u16_at(rec, 10)),
        zip64: false,
    };
    // zipfile._EndRecData64: a locator right before, then a zip64 end record right before that.
    let Some(loc_at) = location.checked_sub(20) else {
        return Ok(end);
    };
    let mut loc = [0u8; 20];
    input.seek(SeekFrom::Start(loc_at))?;
    if input.read_exact(&mut loc).is_err() || !loc.starts_with(b"PK\x06\x07") {
        return Ok(end);
    }
    if u32_at(&loc, 4) != 0 || u32_at(&loc, 16) > 1 {
        return Err(corrupt("zip files that span multiple disks are not read"));
    }
    let Some(rec_at) = loc_at.checked_sub(56) else {
        return Ok(end);
    };
    let mut rec = [0u8; 56];
    input.seek(SeekFrom::Start(rec_at))?;
    if input.read_exact(&mut rec).is_err() || !rec.starts_with(b"PK\x06\x06") {
        return Ok(end);
    }
    end.count = u64_at(&rec, 32);
    end.size = u64_at(&rec, 40);
    end.offset = u64_at(&rec, 48);
    end.zip64 = true;
    Ok(end)
}

/// cp437's upper half, which Python uses for names without the UTF-8 flag.
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

/// Decodes a name as Python's zipfile does: UTF-8 (strict) with the flag, cp437 without.
pub fn decode_name(raw: &[u8], flags: u16) -> anyhow::Result<String> {
    if flags & FLAG_UTF8 != 0 {
        return String::from_utf8(raw.to_vec()).map_err(|_| {
            refused(format!(
                "{} sets the UTF-8 flag but is not UTF-8 (Python's zipfile, so pip, refuses it)",
                bytes_for_terminal(raw)
            ))
        });
    }
    let high: Vec<char> = CP437_HIGH.chars().collect();
    Ok(raw
        .iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                high[usize::from(b - 0x80)]
            }
        })
        .collect())
}

/// Walks the central directory by its size, as `zipfile._RealGetContents` does, every record
/// in order (duplicates included). At most `max` records are read.
pub fn records<R: Read + Seek>(
    input: &mut R,
    end: &End,
    max: usize,
) -> anyhow::Result<Vec<Record>> {
    let concat = end.concat()?;
    let start = end
        .offset
        .checked_add(concat)
        .ok_or_else(|| corrupt("bad offset for central directory"))?;
    input.seek(SeekFrom::Start(start))?;
    let mut r = io::BufReader::new(input.take(end.size));
    let truncated = || corrupt("truncated central directory");
    let mut records = Vec::new();
    let mut total = 0u64;
    while total < end.size {
        if records.len() >= max {
            return Err(OpenError::TooManyEntries { limit: max }.into());
        }
        let mut fixed = [0u8; 46];
        r.read_exact(&mut fixed).map_err(|_| truncated())?;
        if !fixed.starts_with(b"PK\x01\x02") {
            return Err(corrupt(format!(
                "bad signature for central directory record {}",
                records.len()
            )));
        }
        let flags = u16_at(&fixed, 8);
        let (nlen, xlen, clen) = (
            usize::from(u16_at(&fixed, 28)),
            usize::from(u16_at(&fixed, 30)),
            usize::from(u16_at(&fixed, 32)),
        );
        let mut raw_name = vec![0u8; nlen];
        r.read_exact(&mut raw_name).map_err(|_| truncated())?;
        let mut extra = vec![0u8; xlen];
        r.read_exact(&mut extra).map_err(|_| truncated())?;
        // Python reads the comment and drops it; so do we (at most 64 KiB).
        let mut skip = clen;
        while skip > 0 {
            let n = r.fill_buf()?.len().min(skip);
            if n == 0 {
                return Err(truncated());
            }
            r.consume(n);
            skip -= n;
        }
        if fixed[6] > 63 {
            return Err(refused(format!(
                "{} needs zip version {}.{}, which Python's zipfile (pip) refuses",
                bytes_for_terminal(&raw_name),
                fixed[6] / 10,
                fixed[6] % 10
            )));
        }
        let full_name = decode_name(&raw_name, flags)?;
        let mut rec = Record {
            flags,
            method: u16_at(&fixed, 10),
            crc: u32_at(&fixed, 16),
            compressed: u64::from(u32_at(&fixed, 20)),
            declared: u64::from(u32_at(&fixed, 24)),
            header: u64::from(u32_at(&fixed, 42)),
            mode: if fixed[5] == 3 {
                u32_at(&fixed, 38) >> 16
            } else {
                0
            },
            unicode_path: None,
            raw_name,
            full_name,
        };
        extra_fields(&mut rec, &extra)?;
        rec.header = rec
            .header
            .checked_add(concat)
            .ok_or_else(|| corrupt("bad local header offset"))?;
        records.push(rec);
        total += (46 + nlen + xlen + clen) as u64;
    }
    Ok(records)
}

/// `ZipInfo._decodeExtra`: zip64 sizes and offset; also notes a Unicode Path field, which
/// Python ignores but other readers (yauzl, the zip crate) honour.
fn extra_fields(rec: &mut Record, mut extra: &[u8]) -> anyhow::Result<()> {
    while extra.len() >= 4 {
        let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
        let Some(body) = extra.get(4..4 + len) else {
            return Err(corrupt(format!(
                "corrupt extra field {id:04x} (size {len}) in {}",
                bytes_for_terminal(&rec.raw_name)
            )));
        };
        if id == 0x0001 {
            let mut data = body;
            let missing = |field: &str| {
                corrupt(format!(
                    "corrupt zip64 extra field in {}: {field} not found",
                    bytes_for_terminal(&rec.raw_name)
                ))
            };
            for (value, field) in [
                (&mut rec.declared, "file size"),
                (&mut rec.compressed, "compressed size"),
                (&mut rec.header, "header offset"),
            ] {
                if *value == 0xFFFF_FFFF {
                    if data.len() < 8 {
                        return Err(missing(field));
                    }
                    *value = u64_at(data, 0);
                    data = &data[8..];
                }
            }
        } else if id == 0x7075 && body.len() >= 5 && body[0] == 1 {
            let crc = u32_at(body, 1);
            let mut h = flate2::Crc::new();
            h.update(&rec.raw_name);
            if h.sum() == crc {
                rec.unicode_path = Some(String::from_utf8_lossy(&body[5..]).into_owned());
            }
        }
        extra = &extra[4 + len..];
    }
    Ok(())
}

/// What a compression method is called, for a refusal that names it.
pub fn method_name(method: u16) -> String {
    let name = match method {
        1 => "Shrink",
        2..=5 => "Reduce",
        6 => "Implode",
        9 => "Deflate64",
        10 => "PKWARE DCL Implode",
        12 => "bzip2",
        14 => "LZMA",
        18 => "IBM TERSE",
        19 => "IBM LZ77",
        20 | 93 => "Zstandard",
        95 => "XZ",
        96 => "JPEG",
        97 => "WavPack",
        98 => "PPMd",
        99 => "AES encryption",
        _ => "an unknown method",
    };
    format!("{name} (method {method})")
}
