//! The zip family: Python wheels, `.zip`, `.jar`, VS Code `.vsix`.
//!
//! Read the way Python's `zipfile` reads (what pip installs wheels with), since that is the
//! installer whose reading is tested against ours: the central directory (walked by its size,
//! [`super::zip_central`]) decides the entries, each entry's data starts after its own local
//! header, whose name must match the central one, and is the central directory's compressed
//! size of bytes, inflated, cut at the declared size and checked against the CRC. What pip would
//! refuse (a name that differs between the headers, encryption, a method or flag Python cannot
//! read, a bad CRC) is refused here, naming the entry and the reason; an end record whose count
//! differs from the records is read in full and reported, since readers that trust the count
//! (yauzl for VS Code) see other entries than pip.
//!
//! Names are install paths as they are (no root to strip). Content is read capped by the
//! unpacked limit chunk by chunk, so an overlapping-entry bomb stops at the cap.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use crate::sanitize::for_terminal;

use super::builder::{Builder, Collect, RawEntry};
use super::path::Layout;
use super::pipe::{self, find_open_error};
use super::reread::{At, Loc};
use super::zip_central::{
    self, FLAG_ENCRYPTED, FLAG_PATCHED, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, Record, corrupt,
    decode_name, method_name, refused,
};
use super::{AnomalyKind, Digests, EntryKind};

type Totals = (Digests, u64, u64);

/// Reads a zip file, hashing it on a second thread while the entries are read.
pub fn read(file: Arc<File>, b: &mut Builder<'_>) -> anyhow::Result<Totals> {
    let mut hash_input = At::new(Arc::clone(&file), 0);
    let sha512 = !b.defers_digests();
    let hashing = std::thread::spawn(move || -> io::Result<(Digests, u64)> {
        let mut hasher = pipe::Hasher::with_sha512(sha512);
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = hash_input.read(&mut buf)?;
            if n == 0 {
                return Ok(hasher.finish());
            }
            hasher.update(&buf[..n]);
        }
    });
    let input = At::new(file, 0);
    let unpacked = read_from(io::BufReader::new(input), b);
    let (digests, packed) = pipe::join(hashing)??;
    Ok((digests, packed, unpacked?))
}

/// Reads a zip from any seekable source; returns the unpacked byte count.
pub fn read_from<R: Read + Seek>(mut input: R, b: &mut Builder<'_>) -> anyhow::Result<u64> {
    b.set_layout(Layout::AsIs);
    let end = zip_central::end_record(&mut input)?;
    let records = zip_central::records(&mut input, &end, b.hard_max_entries())?;
    if end.count != records.len() as u64 {
        b.note(
            AnomalyKind::EntryCount,
            format!(
                "the end record counts {} entries but the central directory holds {}: pip \
                 (Python's zipfile) installs all {}, readers that trust the count (VS Code's \
                 yauzl) see {}",
                end.count,
                records.len(),
                records.len(),
                end.count
            ),
        );
    }
    let mut total = 0u64;
    for rec in &records {
        let shown = for_terminal(rec.name()).into_owned();
        if let Some(other) = rec.unicode_path.as_deref().filter(|n| *n != rec.name()) {
            // Python's zipfile (pip) ignores the Info-ZIP Unicode Path field; yauzl and the
            // zip crate honour it. Which name gets written depends on the installer.
            return Err(refused(format!(
                "a Unicode Path extra field renames {shown} to {}; installers disagree on which name they write",
                for_terminal(other)
            )));
        }
        let kind = if rec.name().ends_with('/') {
            EntryKind::Dir
        } else {
            kind_of_mode(rec.mode)
        };
        if kind == EntryKind::Dir {
            // pip never opens a directory entry, so its local header and data do not matter.
            if let Some(index) = b.add(&raw_entry(rec, kind, None))? {
                b.finish_other(index);
            }
            continue;
        }
        let (data, offset) = open_entry(&mut input, rec, &shown)?;
        let loc = Loc::Zip {
            offset,
            compressed: rec.compressed,
            deflated: rec.method == 8,
        };
        let mut data = Entry::new(data, rec)?;
        let stop = read_one(&mut data, rec, kind, loc, &mut total, b)?;
        if !stop {
            data.check_crc(&shown)?;
        }
        if stop || b.done {
            break;
        }
    }
    Ok(total)
}

fn raw_entry<'a>(rec: &'a Record, kind: EntryKind, target: Option<&'a [u8]>) -> RawEntry<'a> {
    RawEntry {
        name: rec.name().as_bytes(),
        kind,
        mode: rec.mode,
        declared_size: rec.declared,
        compressed_size: Some(rec.compressed),
        link_target: target,
    }
}

/// `ZipFile.open`: the checks Python makes at the local header, then a reader over the
/// entry's compressed bytes.
fn open_entry<'r, R: Read + Seek>(
    input: &'r mut R,
    rec: &Record,
    shown: &str,
) -> anyhow::Result<(io::Take<&'r mut R>, u64)> {
    input.seek(SeekFrom::Start(rec.header)).map_err(corrupt)?;
    let mut fixed = [0u8; 30];
    input
        .read_exact(&mut fixed)
        .map_err(|_| corrupt(format!("{shown}: truncated local header")))?;
    if !fixed.starts_with(b"PK\x03\x04") {
        return Err(corrupt(format!(
            "{shown}: no local header where the central directory points"
        )));
    }
    let local_flags = u16::from_le_bytes([fixed[6], fixed[7]]);
    let nlen = usize::from(u16::from_le_bytes([fixed[26], fixed[27]]));
    let xlen = i64::from(u16::from_le_bytes([fixed[28], fixed[29]]));
    let mut local = vec![0u8; nlen];
    input
        .read_exact(&mut local)
        .map_err(|_| corrupt(format!("{shown}: truncated local header")))?;
    input.seek(SeekFrom::Current(xlen)).map_err(corrupt)?;
    if rec.flags & FLAG_PATCHED != 0 {
        return Err(refused(format!(
            "{shown} holds compressed patched data (flag bit 5), which pip cannot install"
        )));
    }
    if rec.flags & FLAG_STRONG_ENCRYPTION != 0 {
        return Err(refused(format!(
            "{shown} uses strong encryption (flag bit 6), which pip cannot install"
        )));
    }
    let local_name = decode_name(&local, local_flags & FLAG_UTF8)?;
    if local_name != rec.full_name {
        return Err(refused(format!(
            "the central directory names an entry {shown} but its local header says {}; pip refuses such a file",
            for_terminal(&local_name)
        )));
    }
    if rec.flags & FLAG_ENCRYPTED != 0 {
        return Err(refused(format!(
            "{shown} is an encrypted entry; pip cannot install it without a password"
        )));
    }
    if !matches!(rec.method, 0 | 8) {
        let pip = if matches!(rec.method, 12 | 14) {
            "pip can install it, shipcheck cannot read it yet"
        } else {
            "pip cannot install it either"
        };
        return Err(refused(format!(
            "{shown} uses {} compression; {pip}",
            method_name(rec.method)
        )));
    }
    let offset = input.stream_position().map_err(corrupt)?;
    Ok((input.take(rec.compressed), offset))
}

/// An entry's data as `ZipExtFile` yields it: inflated (or stored), cut at the declared size,
/// with its CRC-32 summed for the check at the end.
struct Entry<R: Read> {
    inner: Inner<io::Take<R>>,
    left: u64,
    crc: flate2::Crc,
    expected: u32,
}

enum Inner<R: Read> {
    Stored(R),
    Deflated(flate2::read::DeflateDecoder<R>),
}

impl<R: Read> Entry<R> {
    fn new(data: io::Take<R>, rec: &Record) -> anyhow::Result<Self> {
        let inner = if rec.method == 8 {
            Inner::Deflated(flate2::read::DeflateDecoder::new(data))
        } else {
            Inner::Stored(data)
        };
        Ok(Self {
            inner,
            left: rec.declared,
            crc: flate2::Crc::new(),
            expected: rec.crc,
        })
    }

    fn check_crc(&self, shown: &str) -> anyhow::Result<()> {
        if self.crc.sum() == self.expected {
            return Ok(());
        }
        Err(refused(format!(
            "{shown}: bad CRC-32 (the data is not what the central directory declares); pip refuses it"
        )))
    }
}

impl<R: Read> Read for Entry<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = match &mut self.inner {
            Inner::Stored(r) => {
                let n = r.read(&mut buf[..want])?;
                if n == 0 && r.limit() > 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the data ends before its compressed size",
                    ));
                }
                n
            }
            Inner::Deflated(r) => r.read(&mut buf[..want])?,
        };
        self.left -= n as u64;
        self.crc.update(&buf[..n]);
        Ok(n)
    }
}

fn kind_of_mode(mode: u32) -> EntryKind {
    match mode & 0o170_000 {
        0o020_000 | 0o060_000 => EntryKind::Device,
        0o010_000 => EntryKind::Fifo,
        0o120_000 => EntryKind::Symlink,
        0o040_000 => EntryKind::Dir,
        _ => EntryKind::File,
    }
}

/// Adds one entry and reads its content (hashing it, capped). True when the reader may stop.
fn read_one(
    file: &mut impl Read,
    rec: &Record,
    kind: EntryKind,
    loc: Loc,
    total: &mut u64,
    b: &mut Builder<'_>,
) -> anyhow::Result<bool> {
    // A zip symlink's target is its content; read a little of it, never follow it.
    let mut target = Vec::new();
    if kind == EntryKind::Symlink {
        file.take(4096)
            .read_to_end(&mut target)
            .map_err(|e| read_error(&e))?;
    }
    let link = (kind == EntryKind::Symlink).then_some(target.as_slice());
    let Some(index) = b.add(&raw_entry(rec, kind, link))? else {
        return Ok(false);
    };
    b.locate(index, loc);
    if kind != EntryKind::File {
        b.finish_other(index);
        // The rest of a link's or device's data still counts for the CRC check.
        io::copy(file, &mut io::sink()).map_err(|e| read_error(&e))?;
        return Ok(false);
    }
    let mut content = Collect::new(b.content_cap(index), rec.declared);
    let mut hasher = b.entry_digests().then(super::pipe::FileHasher::new);
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| read_error(&e))?;
        if n == 0 {
            break;
        }
        b.count_read(n as u64)?;
        if let Some(h) = &mut hasher {
            h.update(&buf[..n]);
        }
        content.extend(&buf[..n]);
        size += n as u64;
    }
    *total += size;
    b.finish_file(index, size, hasher, content);
    Ok(false)
}

fn read_error(e: &io::Error) -> anyhow::Error {
    match find_open_error(e) {
        Some(open) => open.clone().into(),
        None => corrupt(e),
    }
}
