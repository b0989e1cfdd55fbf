//! The tar stream walked as node-tar (npm's extractor, through pacote) walks it.
//!
//! The `tar` crate and node-tar disagree on hostile headers: a pax header with two `path`
//! records, a GNU long name followed by a pax `path`, the old `X` and `N` types, a pax `size`
//! of `""`, `1e3` or `0x10`, sparse entries. Where two readers disagree on where an entry
//! ends, one of them reads data as headers, and the reviewer sees a different package from
//! the one npm installs. This module is our own reading of node-tar 7's `Parser`, `Header`,
//! `Pax` and `ReadEntry` (what `npm install` runs), header by header:
//!
//! - a header's numbers are octal text (cut at a NUL, trimmed, `parseInt(…, 8)`) or base-256;
//!   strings end at their first NUL (with JavaScript's `/\0.*/`, which stops at a newline);
//! - two consecutive null blocks end the archive; a lone one is skipped;
//! - `x`, `X` (pax), `g` (global pax), `L`, `N` (long name) and `K` (long link name) describe
//!   the next file entry; they pile up (a later record wins, a pax `path` after an `L`
//!   replaces it) and apply to the first file-system entry (types `0`–`7`, `D`, NUL);
//! - an extension header over 1 MiB is skipped unread (node-tar's `maxMetaEntrySize`), so
//!   nothing larger is ever buffered, whatever type, sparse map or order the headers have;
//! - a pax `size` is read with JavaScript's `Number()`;
//! - other types (`S` sparse, `V`, `M`, `A`, `I`, unknown) are skipped with their data.
//!
//! Where node-tar skips a header it cannot read (a bad checksum, an empty name, a link
//! without a target, invalid base-256) and then reads that header's data as headers, we
//! refuse the archive instead: no packer writes such a header, and following node-tar through
//! data read as headers is where readers drift apart. A fractional or infinite pax `size`,
//! and a global pax `size` or `linkpath` (which node-tar applies to every later entry), are
//! refused for the same reason.

use std::io::{self, Read};

use super::{EntryKind, OpenError};

/// node-tar's `maxMetaEntrySize`: a longer extension header is skipped, not read.
pub const MAX_META: u64 = 1 << 20;

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE: u64 = (1 << 53) - 1;

/// A file-system entry with its extension headers applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The type flag as stored.
    pub typeflag: u8,
    /// What node-tar makes of it: `0`/NUL/`7` a file, `5`/`D` (or `0` ending in `/`) a folder,
    /// `1`/`2` links, `3`/`4` devices, `6` a FIFO; `Other` for the types node-tar skips with
    /// their data (`S` sparse, `V`, `M`, `A`, `I`, unknown).
    pub kind: EntryKind,
    /// The name as node-tar reads it (bytes; node-tar decodes them as UTF-8, lossily).
    pub path: Vec<u8>,
    /// The link target, if any.
    pub link: Option<Vec<u8>>,
    /// Mode bits (`& 0o7777`).
    pub mode: u32,
    /// Data bytes that follow the header.
    pub size: u64,
}

/// Extension records pending for the next entry.
#[derive(Debug, Default, Clone)]
struct Ext {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
    /// pax `uid`, `gid` or `mtime` were set: node-tar then does not decode those fields.
    uid: bool,
    gid: bool,
    mtime: bool,
}

/// Walks a tar stream header by header.
pub struct Walker<R> {
    input: R,
    /// Extension records for the next file entry (`x`, `X`, `L`, `N`, `K`).
    ex: Option<Ext>,
    /// Global pax records (`g`).
    gex: Option<Ext>,
    saw_null: bool,
    ended: bool,
    /// Data bytes of the current entry not yet read.
    remain: u64,
    /// Padding after them.
    pad: u64,
    /// Offset of the next byte, for messages.
    pos: u64,
    scratch: Vec<u8>,
}

fn corrupt(reason: String) -> io::Error {
    io::Error::other(OpenError::Corrupt {
        container: "tar",
        reason,
    })
}

impl<R: Read> Walker<R> {
    /// Walks `input`, positioned at the first header.
    pub fn new(input: R) -> Self {
        Self {
            input,
            ex: None,
            gex: None,
            saw_null: false,
            ended: false,
            remain: 0,
            pad: 0,
            pos: 0,
            scratch: Vec::new(),
        }
    }

    /// Reads exactly `out.len()` bytes, or fewer at the end of the input.
    fn fill(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            match self.input.read(&mut out[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.pos += n as u64;
        Ok(n)
    }

    /// Skips `n` bytes; false if the input ended first.
    fn skip(&mut self, mut n: u64) -> io::Result<bool> {
        let mut scratch = std::mem::take(&mut self.scratch);
        if scratch.is_empty() {
            scratch = vec![0; 64 * 1024];
        }
        let mut ok = true;
        while n > 0 {
            let want = usize::try_from(n).unwrap_or(usize::MAX).min(scratch.len());
            let got = self.fill(&mut scratch[..want])?;
            if got == 0 {
                ok = false;
                break;
            }
            n -= got as u64;
        }
        self.scratch = scratch;
        Ok(ok)
    }

    /// Offset of the next byte in the tar stream: after [`Self::next_entry`], where the
    /// entry's data starts.
    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// The current entry's data (call before [`Self::next`]); 0 at its end.
    pub fn read_data(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let want = usize::try_from(self.remain)
            .unwrap_or(usize::MAX)
            .min(out.len());
        if want == 0 {
            return Ok(0);
        }
        let n = self.input.read(&mut out[..want])?;
        self.pos += n as u64;
        self.remain -= n as u64;
        Ok(n)
    }

    /// The next file-system entry, or `None` at the end of the archive (two null blocks, or
    /// the end of the input).
    pub fn next_entry(&mut self) -> io::Result<Option<Header>> {
        loop {
            let rest = self.remain + self.pad;
            self.remain = 0;
            self.pad = 0;
            if rest > 0 && !self.skip(rest)? {
                return Ok(None);
            }
            if self.ended {
                return Ok(None);
            }
            let at = self.pos;
            let mut block = [0u8; 512];
            if self.fill(&mut block)? < 512 {
                // node-tar ignores a partial block at the end.
                self.ended = true;
                return Ok(None);
            }
            if let Some(h) = self.header(&block, at)? {
                return Ok(Some(h));
            }
        }
    }

    fn set_data(&mut self, size: u64) {
        self.remain = size;
        self.pad = size.next_multiple_of(512) - size;
    }

    /// One header block: `Some` for a file-system entry, `None` for what node-tar consumes
    /// itself (null blocks, extension headers, skipped types).
    fn header(&mut self, b: &[u8; 512], at: u64) -> io::Result<Option<Header>> {
        let bad = |what: &str| {
            corrupt(format!(
                "the header at byte {at} {what}; npm skips such a header and reads its data as headers, so this reader refuses the archive"
            ))
        };
        let t = b[156];
        let normal = matches!(t, 0 | b'0'..=b'7' | b'D');
        let ex = if normal { self.ex.clone() } else { None };
        let gex = if normal { self.gex.clone() } else { None };
        let num = |off: usize, len: usize| dec_number(&b[off..off + len]);
        // Fields node-tar decodes (a throw from any of them skips the block).
        let invalid = || bad("holds an invalid base-256 number");
        let mode = num(100, 8).map_err(|()| invalid())?;
        if !ex.as_ref().is_some_and(|e| e.uid) {
            num(108, 8).map_err(|()| invalid())?;
        }
        if !ex.as_ref().is_some_and(|e| e.gid) {
            num(116, 8).map_err(|()| invalid())?;
        }
        let ext_size = ex.as_ref().and_then(|e| e.size);
        let raw_size = if ext_size.is_none() {
            num(124, 12).map_err(|()| invalid())?
        } else {
            None
        };
        if !ex.as_ref().is_some_and(|e| e.mtime) {
            num(136, 12).map_err(|()| invalid())?;
        }
        let cksum = num(148, 12).map_err(|()| invalid())?;
        let ustar = &b[257..265] == b"ustar\x0000";
        if ustar {
            num(329, 8).map_err(|()| invalid())?;
            num(337, 8).map_err(|()| invalid())?;
            if b[475] == 0 {
                num(476, 12).map_err(|()| invalid())?;
                num(488, 12).map_err(|()| invalid())?;
            }
        }
        // Two plain slice sums (a chained iterator did not vectorise); 512 bytes fit a u32.
        let bytes = |s: &[u8]| s.iter().map(|&c| u32::from(c)).sum::<u32>();
        let sum = u64::from(bytes(&b[..148]) + bytes(&b[156..])) + 256;
        if cksum.is_none() && sum == 256 {
            if self.saw_null {
                self.ended = true;
            }
            self.saw_null = true;
            return Ok(None);
        }
        self.saw_null = false;
        #[allow(clippy::cast_precision_loss)] // sums of 512 bytes are small
        if cksum != Some(sum as f64) {
            return Err(bad("fails its checksum"));
        }
        let mut path = match ex.as_ref().and_then(|e| e.path.clone()) {
            Some(p) => p,
            None => js_cut_nul(&b[..100]),
        };
        // Old tars mark a folder as a file whose name ends in `/`: node-tar looks at the name
        // (or the pax path) before it joins the ustar prefix, so `prefix/` + an empty name is
        // a file (found by the long npm differential run, seed 2051546).
        let old_style_dir = path.ends_with(b"/");
        if ustar {
            if b[475] != 0 {
                let mut p = js_cut_nul(&b[345..500]);
                p.push(b'/');
                p.extend_from_slice(&path);
                path = p;
            } else {
                let prefix = js_cut_nul(&b[345..475]);
                if !prefix.is_empty() {
                    let mut p = prefix;
                    p.push(b'/');
                    p.extend_from_slice(&path);
                    path = p;
                }
            }
        }
        if path.is_empty() {
            return Err(bad("has an empty name"));
        }
        let raw_link = js_cut_nul(&b[157..257]);
        let is_link = matches!(t, b'1' | b'2');
        if is_link && raw_link.is_empty() {
            return Err(bad("is a link without a target"));
        }
        if !is_link && !matches!(t, b'x' | b'g') && !raw_link.is_empty() {
            return Err(bad("names a link target for an entry that is not a link"));
        }
        let mut size = ext_size
            .or_else(|| gex.as_ref().and_then(|g| g.size))
            .or_else(|| raw_size.filter(|s| *s >= 0.0).map(js_to_u64))
            .unwrap_or(0);
        let kind = match t {
            b'0' | 0 if old_style_dir => EntryKind::Dir,
            b'0' | 0 | b'7' => EntryKind::File,
            b'5' | b'D' => EntryKind::Dir,
            b'1' => EntryKind::Hardlink,
            b'2' => EntryKind::Symlink,
            b'3' | b'4' => EntryKind::Device,
            b'6' => EntryKind::Fifo,
            b'x' | b'X' | b'g' | b'L' | b'N' | b'K' => {
                // ReadEntry gives an extension header the pending pax `size` too, and
                // node-tar decides by that whether to read it; its data still spans the
                // header's own size.
                let decide = self.ex.as_ref().and_then(|e| e.size).unwrap_or(size);
                self.meta(t, size, decide, at)?;
                return Ok(None);
            }
            _ => EntryKind::Other,
        };
        if kind == EntryKind::Dir && t != b'D' {
            size = 0;
        }
        self.set_data(size);
        // A file-system entry uses up the pending records (global ones stay).
        self.ex = None;
        // ReadEntry takes the pax path and link over the header's (without a ustar prefix).
        if let Some(p) = ex.as_ref().and_then(|e| e.path.clone()) {
            path = p;
        }
        let link = ex
            .as_ref()
            .and_then(|e| e.linkpath.clone())
            .or(Some(raw_link))
            .filter(|l| !l.is_empty());
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let mode = mode.map_or(0, |m| (m as i64 & 0o7777) as u32);
        Ok(Some(Header {
            typeflag: t,
            kind,
            path,
            link,
            mode,
            size,
        }))
    }

    /// An extension header: read (up to [`MAX_META`]) and applied to the pending records.
    fn meta(&mut self, t: u8, size: u64, decide: u64, at: u64) -> io::Result<()> {
        if decide > MAX_META {
            // node-tar skips an oversized one unread.
            self.set_data(size);
            return Ok(());
        }
        if decide == 0 && size == 0 {
            return Ok(());
        }
        if decide == 0 || size > MAX_META {
            return Err(corrupt(format!(
                "the extension header at byte {at} holds {size} bytes but a pending pax 'size' of {decide} applies to it; npm would read its data as headers (or buffer all of it), so this reader refuses the archive"
            )));
        }
        let len = usize::try_from(size).unwrap_or(usize::MAX);
        let mut data = vec![0u8; len];
        let got = self.fill(&mut data)?;
        data.truncate(got);
        self.set_data(size - got as u64);
        self.pad = size.next_multiple_of(512) - size;
        if got < len {
            self.ended = true;
            return Ok(());
        }
        match t {
            b'x' | b'X' => {
                let ex = self.ex.get_or_insert_with(Ext::default);
                parse_pax(&data, ex).map_err(|why| {
                    corrupt(format!("the pax header at byte {at} {why}; refusing"))
                })?;
            }
            b'g' => {
                let mut g = self.gex.take().unwrap_or_default();
                let before = (g.size, g.linkpath.clone());
                parse_pax(&data, &mut g).map_err(|why| {
                    corrupt(format!(
                        "the pax global header at byte {at} {why}; refusing"
                    ))
                })?;
                if g.size != before.0 || g.linkpath != before.1 {
                    return Err(corrupt(format!(
                        "the pax global header at byte {at} sets 'size' or 'linkpath', which npm applies to every later entry; refusing"
                    )));
                }
                self.gex = Some(g);
            }
            b'L' | b'N' => self.ex.get_or_insert_with(Ext::default).path = Some(js_cut_nul(&data)),
            _ => self.ex.get_or_insert_with(Ext::default).linkpath = Some(js_cut_nul(&data)),
        }
        Ok(())
    }
}

/// JavaScript's `s.replace(/\0.*/, '')` on the UTF-8 bytes: from the first NUL up to the next
/// line terminator (`.` does not cross one).
pub fn js_cut_nul(s: &[u8]) -> Vec<u8> {
    let Some(nul) = memchr::memchr(0, s) else {
        return s.to_vec();
    };
    let end = line_terminator(&s[nul..]).map_or(s.len(), |i| nul + i);
    let mut out = s[..nul].to_vec();
    out.extend_from_slice(&s[end..]);
    out
}

/// The offset of the first `\n`, `\r`, U+2028 or U+2029 (candidates by `memchr3`: a header
/// field is mostly NULs after its text, and a byte-by-byte look was a tenth of a listing).
fn line_terminator(s: &[u8]) -> Option<usize> {
    memchr::memchr3_iter(b'\n', b'\r', 0xe2, s).find(|&i| terminator_at(&s[i..]))
}

/// Whether a line terminator starts `s`.
fn terminator_at(s: &[u8]) -> bool {
    matches!(s, [b'\n' | b'\r', ..] | [0xe2, 0x80, 0xa8 | 0xa9, ..])
}

/// JavaScript's white space (what `trim` and `parseInt` skip), as UTF-8.
fn js_space_len(s: &[u8]) -> Option<usize> {
    match s {
        [b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ', ..] => Some(1),
        [0xc2, 0xa0, ..] => Some(2),
        [0xe1, 0x9a, 0x80, ..]
        | [0xe2, 0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf, ..]
        | [0xe2, 0x81, 0x9f, ..]
        | [0xe3, 0x80, 0x80, ..]
        | [0xef, 0xbb, 0xbf, ..] => Some(3),
        _ => None,
    }
}

fn js_trim(mut s: &[u8]) -> &[u8] {
    while let Some(n) = js_space_len(s) {
        s = &s[n..];
    }
    loop {
        let n = (1..=3.min(s.len())).find(|&n| js_space_len(&s[s.len() - n..]) == Some(n));
        match n {
            Some(n) => s = &s[..s.len() - n],
            None => return s,
        }
    }
}

/// node-tar's `decNumber`: base-256 when the high bit is set, else octal text. `Err` where
/// node-tar throws, `Ok(None)` where it reads `undefined`.
fn dec_number(f: &[u8]) -> Result<Option<f64>, ()> {
    if f[0] & 0x80 != 0 {
        let rest = &f[1..];
        let value: i128 = match f[0] {
            0x80 => rest.iter().fold(0i128, |a, &c| {
                a.saturating_mul(256).saturating_add(i128::from(c))
            }),
            0xff => {
                // Two's complement over the whole field.
                let mut v: i128 = 0;
                for &c in f {
                    v = v.saturating_mul(256).saturating_add(i128::from(c ^ 0xff));
                }
                -(v.saturating_add(1))
            }
            _ => return Err(()),
        };
        if value.unsigned_abs() > u128::from(MAX_SAFE) {
            return Err(());
        }
        #[allow(clippy::cast_precision_loss)] // within 2^53
        return Ok(Some(value as f64));
    }
    // `.replace(/\0.*$/, '')`: the first NUL after the last line terminator. (Asking at each
    // offset whether one starts there: searching the rest from each offset was quadratic in
    // the field and a quarter of a listing of many small files.)
    let from = if memchr::memchr3(b'\n', b'\r', 0xe2, f).is_some() {
        (0..f.len())
            .rev()
            .find(|&i| terminator_at(&f[i..]))
            .map_or(0, |i| i + 1)
    } else {
        0
    };
    let text = match memchr::memchr(0, &f[from..]) {
        Some(n) => &f[..from + n],
        None => f,
    };
    Ok(parse_int(js_trim(text), 8))
}

/// JavaScript's `parseInt(s, radix)` after white space is skipped.
fn parse_int(s: &[u8], radix: u32) -> Option<f64> {
    let (neg, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let n = digits
        .iter()
        .take_while(|&&c| char::from(c).is_digit(radix))
        .count();
    if n == 0 {
        return None;
    }
    let v = digits[..n].iter().fold(0f64, |a, &c| {
        a * f64::from(radix) + f64::from(char::from(c).to_digit(radix).unwrap_or(0))
    });
    Some(if neg { -v } else { v })
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn js_to_u64(v: f64) -> u64 {
    v as u64
}

/// JavaScript's `Number(s)` for a string: `""` is 0, `0x10` is 16, `1e3` is 1000.
fn js_number(s: &[u8]) -> f64 {
    let s = js_trim(s);
    if s.is_empty() {
        return 0.0;
    }
    let radix = match s {
        [b'0', b'x' | b'X', ..] => Some(16),
        [b'0', b'o' | b'O', ..] => Some(8),
        [b'0', b'b' | b'B', ..] => Some(2),
        _ => None,
    };
    if let Some(r) = radix {
        let d = &s[2..];
        if d.is_empty() || !d.iter().all(|&c| char::from(c).is_digit(r)) {
            return f64::NAN;
        }
        return parse_int(d, r).unwrap_or(f64::NAN);
    }
    let (sign, body) = match s {
        [b'-', r @ ..] => (-1.0, r),
        [b'+', r @ ..] => (1.0, r),
        _ => (1.0, s),
    };
    if body == b"Infinity" {
        return sign * f64::INFINITY;
    }
    // StrDecimalLiteral: digits [. digits] [e[+-]digits] | . digits [e…]
    let mut i = 0;
    let int = body.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int;
    let mut frac = 0;
    if body.get(i) == Some(&b'.') {
        i += 1;
        frac = body[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac;
    }
    if int + frac == 0 {
        return f64::NAN;
    }
    if matches!(body.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(body.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp = body[j..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return f64::NAN;
        }
        i = j + exp;
    }
    if i != body.len() {
        return f64::NAN;
    }
    std::str::from_utf8(body)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .map_or(f64::NAN, |v| sign * v)
}

/// The length in UTF-8 bytes of the lossy decoding (what `Buffer.byteLength` measures on
/// the string node-tar decoded).
fn decoded_len(s: &[u8]) -> usize {
    s.utf8_chunks()
        .map(|c| c.valid().len() + if c.invalid().is_empty() { 0 } else { 3 })
        .sum()
}

/// The byte offset after `units` UTF-16 code units of the lossy decoding, or `None` when it
/// falls inside a character that takes two.
fn after_units(s: &[u8], mut units: usize) -> Option<usize> {
    let mut off = 0;
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            if units == 0 {
                return Some(off);
            }
            let u = c.len_utf16();
            if u > units {
                return None;
            }
            units -= u;
            off += c.len_utf8();
        }
        if !chunk.invalid().is_empty() {
            if units == 0 {
                return Some(off);
            }
            units -= 1;
            off += chunk.invalid().len();
        }
    }
    (units == 0).then_some(off)
}

/// node-tar's `Pax.parse` into `ex`: `len key=value\n` records; a record whose length is
/// wrong is skipped; a later record wins. `Err` for a `size` node-tar reads as a number that
/// is not a whole number of bytes.
fn parse_pax(data: &[u8], ex: &mut Ext) -> Result<(), String> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    for line in data.split(|&c| c == b'\n') {
        let Some(n) = parse_int(js_trim_start(line), 10) else {
            continue;
        };
        // JavaScript compares the numbers exactly.
        #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
        if n != (decoded_len(line) + 1) as f64 {
            continue;
        }
        // `line.slice((n + ' ').length)`
        let Some(start) = after_units(line, js_to_u64(n).to_string().len() + 1) else {
            continue;
        };
        let rest = &line[start..];
        let (key, value) = match rest.iter().position(|&c| c == b'=') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        if key.is_empty() {
            continue;
        }
        let value = js_cut_nul(value);
        match key {
            b"path" => ex.path = Some(value),
            b"linkpath" => ex.linkpath = Some(value),
            b"size" => {
                let s = js_number(&value);
                if s >= 0.0 {
                    #[allow(clippy::cast_precision_loss)]
                    if s.fract() != 0.0 || s > MAX_SAFE as f64 {
                        return Err(format!(
                            "has a 'size' record {:?} that npm reads as {s}, not a whole number of bytes",
                            String::from_utf8_lossy(&value)
                        ));
                    }
                    ex.size = Some(js_to_u64(s));
                }
            }
            b"uid" => ex.uid = true,
            b"gid" => ex.gid = true,
            b"mtime" => ex.mtime = true,
            _ => {}
        }
    }
    Ok(())
}

fn js_trim_start(mut s: &[u8]) -> &[u8] {
    while let Some(n) = js_space_len(s) {
        s = &s[n..];
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp)] // exact values
    fn pax_size_reads_as_javascript_number() {
        for (text, want) in [
            ("", 0.0),
            ("1e3", 1000.0),
            ("0x10", 16.0),
            (" 12 ", 12.0),
            ("0b11", 3.0),
            ("1.5", 1.5),
            ("-0x10", f64::NAN),
            ("12abc", f64::NAN),
            ("Infinity", f64::INFINITY),
        ] {
            let got = js_number(text.as_bytes());
            assert!(
                got == want || (got.is_nan() && want.is_nan()),
                "Number({text:?}) is {want}, got {got}"
            );
        }
    }

    #[test]
    fn octal_fields_read_as_node_tar_reads_them() {
        assert_eq!(dec_number(b"0000644\0"), Ok(Some(420.0)));
        assert_eq!(dec_number(b"  644  \0"), Ok(Some(420.0)));
        assert_eq!(dec_number(b"\0\0\0\0\0\0\0\0"), Ok(None));
        assert_eq!(
            dec_number(b"0000009\0"),
            Ok(Some(0.0)),
            "parseInt stops at 9"
        );
        assert_eq!(dec_number(&[0x80, 0, 0, 0, 0, 0, 1, 0]), Ok(Some(256.0)));
        assert_eq!(dec_number(&[0xff; 8]), Ok(Some(-1.0)));
        assert_eq!(dec_number(&[0x90, 0, 0, 0, 0, 0, 0, 0]), Err(()));
        // `/\0.*$/` without the `m` flag: the NUL after the last line terminator.
        assert_eq!(
            dec_number(b"12\0\n34\0\0"),
            Ok(Some(10.0)),
            "12 then the cut"
        );
        assert_eq!(dec_number(b"1\0\xe2\x80\xa8\0\0\0"), Ok(Some(1.0)));
        assert_eq!(
            dec_number(b"\0\xe2\x82\xac7\n\0\0"),
            Ok(None),
            "a 0xe2 that starts no terminator"
        );
    }

    #[test]
    fn a_nul_cut_stops_at_a_newline_as_the_regex_does() {
        assert_eq!(js_cut_nul(b"abc\0def\nghi"), b"abc\nghi");
        assert_eq!(js_cut_nul(b"abc\0def"), b"abc");
        assert_eq!(
            js_cut_nul(b"ab\0x\xe2\x80\xa8cd"),
            b"ab\xe2\x80\xa8cd",
            "U+2028 ends it too"
        );
        assert_eq!(
            js_cut_nul(b"ab\0\xe2\x82\xacz\rq"),
            b"ab\rq",
            "a euro sign does not"
        );
    }

    #[test]
    fn pax_records_last_wins_and_bad_lengths_are_skipped() {
        let mut ex = Ext::default();
        parse_pax(b"13 path=a.js\n13 path=b.js\n99 path=c.js\n", &mut ex).expect("parses");
        assert_eq!(ex.path.as_deref(), Some(&b"b.js"[..]));
        let mut ex = Ext::default();
        assert!(parse_pax(b"12 size=1.5\n", &mut ex).is_err());
    }
}
