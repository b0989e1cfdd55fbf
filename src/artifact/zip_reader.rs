//! The zip family: Python wheels, `.zip`, `.jar`, VS Code `.vsix`.
//!
//! Names are install paths as they are (no root to strip); the central directory, which is what
//! installers read, decides the entries. Content is read through the `zip` crate, capped by the
//! unpacked limit chunk by chunk, so an overlapping-entry bomb stops at the cap.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::sanitize::bytes_for_terminal;

use super::builder::{Builder, Collect, RawEntry};
use super::path::Layout;
use super::pipe::{self, find_open_error};
use super::{Digests, EntryKind, OpenError};
use crate::units::hex;

type Totals = (Digests, u64, u64);

/// Reads a zip file, hashing it on a second thread while the entries are read.
pub fn read(file: &Path, b: &mut Builder<'_>) -> anyhow::Result<Totals> {
    let mut hash_input = File::open(file)?;
    let hashing = std::thread::spawn(move || -> io::Result<(Digests, u64)> {
        let mut hasher = pipe::Hasher::default();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = hash_input.read(&mut buf)?;
            if n == 0 {
                return Ok(hasher.finish());
            }
            hasher.update(&buf[..n]);
        }
    });
    let input = File::open(file)?;
    let unpacked = read_from(&input, b);
    let (digests, packed) = pipe::join(hashing)??;
    Ok((digests, packed, unpacked?))
}

fn corrupt(e: impl std::fmt::Display) -> anyhow::Error {
    OpenError::Corrupt {
        container: "zip",
        reason: e.to_string(),
    }
    .into()
}

/// Reads a zip from any seekable source (cloned to walk the central directory on its own);
/// returns the unpacked byte count.
pub fn read_from<R: Read + Seek + Clone>(input: R, b: &mut Builder<'_>) -> anyhow::Result<u64> {
    b.set_layout(Layout::AsIs);
    let archive = zip::ZipArchive::new(input.clone()).map_err(corrupt)?;
    let records = central_records(
        &mut input.clone(),
        archive.central_directory_start(),
        archive.offset(),
        b.hard_max_entries(),
    )?;
    if archive.has_duplicate_names() {
        // The zip crate indexes entries by name, so an earlier duplicate is not reachable
        // through it; installers walk the central directory record by record, so we do too.
        return read_records(input, &records, b);
    }
    if records.len() != archive.len() {
        return Err(corrupt(format!(
            "the central directory holds {} records but its end record counts {}",
            records.len(),
            archive.len()
        )));
    }
    read_indexed(archive, &records, b)
}

/// The common case: every name appears once, so the zip crate's index is the whole story.
fn read_indexed<R: Read + Seek>(
    mut archive: zip::ZipArchive<R>,
    records: &[Record],
    b: &mut Builder<'_>,
) -> anyhow::Result<u64> {
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| corrupt(format!("entry {i}: {e}")))?;
        // The zip crate's `unix_mode` clears setuid/setgid/sticky; a reviewer should see them.
        let mode = match file.system() {
            zip::System::Unix if file.external_attributes() != 0 => {
                file.external_attributes() >> 16
            }
            _ => file.unix_mode().unwrap_or(0),
        };
        let kind = if file.is_symlink() {
            EntryKind::Symlink
        } else if file.is_dir() {
            EntryKind::Dir
        } else {
            kind_of_mode(mode)
        };
        // Names are decoded as UTF-8 (invalid bytes as U+FFFD) whether or not the entry sets
        // the UTF-8 flag (general-purpose bit 11). Python's zipfile (pip) and yauzl (VS Code)
        // decode a name *without* that flag as cp437, so a non-ASCII name without it installs
        // as different characters than shown here. Not aligned yet, because the right answer
        // depends on the installer, not the container: java.util.zip (jars) decodes UTF-8
        // whatever the flag, and on flagged names that are not valid UTF-8 zipfile refuses
        // while yauzl replaces. Doing it properly means a per-format decoder (the flag from
        // `central_records`, a cp437 table) and an anomaly for names whose readings differ.
        let name = file.name_raw().to_vec();
        let stored = records.get(i).map_or(&[][..], |r| r.name.as_slice());
        if name != stored {
            // The zip crate honours an Info-ZIP Unicode Path extra field; Python's zipfile
            // (pip) ignores it. Which name gets written depends on the installer.
            return Err(corrupt(format!(
                "entry {i}: a Unicode Path extra field renames {} to {}; installers disagree on which name they write",
                bytes_for_terminal(stored),
                bytes_for_terminal(&name)
            )));
        }
        let compressed = file.compressed_size();
        let declared = file.size();
        if read_one(
            &mut file, &name, kind, mode, declared, compressed, &mut total, b,
        )? {
            break;
        }
    }
    Ok(total)
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
#[allow(clippy::too_many_arguments)]
fn read_one(
    file: &mut impl Read,
    name: &[u8],
    kind: EntryKind,
    mode: u32,
    declared: u64,
    compressed: u64,
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
    let raw = RawEntry {
        name,
        kind,
        mode,
        declared_size: declared,
        compressed_size: Some(compressed),
        link_target: (kind == EntryKind::Symlink).then_some(target.as_slice()),
    };
    let Some(index) = b.add(&raw)? else {
        return Ok(false);
    };
    if kind != EntryKind::File {
        b.finish_other(index);
        return Ok(false);
    }
    let mut content = Collect::new(b.content_cap(index), declared);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| read_error(&e))?;
        if n == 0 {
            break;
        }
        b.count_read(n as u64)?;
        hasher.update(&buf[..n]);
        content.extend(&buf[..n]);
        size += n as u64;
    }
    *total += size;
    b.finish_file(index, size, hex(&hasher.finalize()), content);
    Ok(b.done)
}

/// One central-directory record, as read by [`central_records`].
struct Record {
    name: Vec<u8>,
    /// Absolute offset of the local header.
    header: u64,
    compressed: u64,
    declared: u64,
    mode: u32,
    dir: bool,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Walks the central directory from `start`, every record in order (duplicates included).
/// Names and extra fields are at most 64 KiB each; the count is capped by `max`.
fn central_records<R: Read + Seek>(
    input: &mut R,
    start: u64,
    archive_offset: u64,
    max: usize,
) -> anyhow::Result<Vec<Record>> {
    input.seek(io::SeekFrom::Start(start))?;
    let mut r = io::BufReader::new(input);
    let mut records = Vec::new();
    loop {
        let mut sig = [0u8; 4];
        if r.read_exact(&mut sig).is_err() || sig != *b"PK\x01\x02" {
            return Ok(records);
        }
        if records.len() >= max {
            return Err(OpenError::TooManyEntries { limit: max }.into());
        }
        let mut fixed = [0u8; 42];
        r.read_exact(&mut fixed).map_err(corrupt)?;
        let made_by_unix = fixed[1] == 3;
        let external = u32_at(&fixed, 34);
        let mut compressed = u64::from(u32_at(&fixed, 16));
        let mut declared = u64::from(u32_at(&fixed, 20));
        let mut header = u64::from(u32_at(&fixed, 38));
        let mut name = vec![0u8; usize::from(u16_at(&fixed, 24))];
        r.read_exact(&mut name).map_err(corrupt)?;
        let mut extra = vec![0u8; usize::from(u16_at(&fixed, 26))];
        r.read_exact(&mut extra).map_err(corrupt)?;
        r.seek_relative(i64::from(u16_at(&fixed, 28)))
            .map_err(corrupt)?;
        // Zip64: the 8-byte values replace, in order, those stored as 0xFFFFFFFF.
        let mut at = 0;
        while at + 4 <= extra.len() {
            let (id, len) = (u16_at(&extra, at), usize::from(u16_at(&extra, at + 2)));
            let body = extra.get(at + 4..at + 4 + len).unwrap_or_default();
            if id == 1 {
                let mut fields = body
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
                for value in [&mut declared, &mut compressed, &mut header] {
                    if *value == 0xFFFF_FFFF {
                        *value = fields.next().unwrap_or(*value);
                    }
                }
            }
            at += 4 + len;
        }
        let mode = if made_by_unix { external >> 16 } else { 0 };
        records.push(Record {
            dir: name.ends_with(b"/") || (!made_by_unix && external & 0x10 != 0),
            name,
            header: header.saturating_add(archive_offset),
            compressed,
            declared,
            mode,
        });
    }
}

/// Reads every central-directory record in order, each from its own local header.
fn read_records<R: Read + Seek>(
    mut input: R,
    records: &[Record],
    b: &mut Builder<'_>,
) -> anyhow::Result<u64> {
    let mut total = 0u64;
    for (i, rec) in records.iter().enumerate() {
        let kind = if rec.dir {
            EntryKind::Dir
        } else {
            kind_of_mode(rec.mode)
        };
        input
            .seek(io::SeekFrom::Start(rec.header))
            .map_err(corrupt)?;
        let mut file =
            zip::read::read_zipfile_from_stream_with_compressed_size(&mut input, rec.compressed)
                .map_err(|e| corrupt(format!("entry {i}: {e}")))?
                .ok_or_else(|| {
                    corrupt(format!(
                        "entry {i}: no local header where the central directory points"
                    ))
                })?;
        let stop = read_one(
            &mut file,
            &rec.name,
            kind,
            rec.mode,
            rec.declared,
            rec.compressed,
            &mut total,
            b,
        )?;
        if stop {
            break;
        }
    }
    Ok(total)
}

fn read_error(e: &io::Error) -> anyhow::Error {
    match find_open_error(e) {
        Some(open) => open.clone().into(),
        None => corrupt(e),
    }
}
