//! The zip family: Python wheels, `.zip`, `.jar`, VS Code `.vsix`.
//!
//! Names are install paths as they are (no root to strip); the central directory, which is what
//! installers read, decides the entries. Content is read through the `zip` crate, capped by the
//! unpacked limit chunk by chunk, so an overlapping-entry bomb stops at the cap.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::builder::{Builder, RawEntry};
use super::path::Layout;
use super::pipe::{self, find_open_error, hex};
use super::{Anomaly, AnomalyKind, Digests, EntryKind, OpenError};

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
    let unpacked = read_from(File::open(file)?, b);
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

/// Reads a zip from any seekable source; returns the unpacked byte count.
pub fn read_from<R: Read + Seek>(input: R, b: &mut Builder<'_>) -> anyhow::Result<u64> {
    b.set_layout(Layout::AsIs);
    let mut archive = zip::ZipArchive::new(input).map_err(corrupt)?;
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| corrupt(format!("entry {i}: {e}")))?;
        let mode = file.unix_mode().unwrap_or(0);
        let kind = if file.is_symlink() {
            EntryKind::Symlink
        } else if file.is_dir() {
            EntryKind::Dir
        } else {
            match mode & 0o170_000 {
                0o020_000 | 0o060_000 => EntryKind::Device,
                0o010_000 => EntryKind::Fifo,
                _ => EntryKind::File,
            }
        };
        let name = file.name_raw().to_vec();
        let declared = file.size();
        // A zip symlink's target is its content; read a little of it, never follow it.
        let mut target = Vec::new();
        if kind == EntryKind::Symlink {
            (&mut file)
                .take(4096)
                .read_to_end(&mut target)
                .map_err(|e| read_error(&e))?;
        }
        let raw = RawEntry {
            name: &name,
            kind,
            mode,
            declared_size: declared,
            compressed_size: Some(file.compressed_size()),
            link_target: (kind == EntryKind::Symlink).then_some(target.as_slice()),
        };
        let Some(index) = b.add(&raw)? else { continue };
        if kind != EntryKind::File {
            b.finish_other(index);
            continue;
        }
        let want = b.wants_content(index);
        let mut content = want.then(|| Vec::with_capacity(declared.min(1 << 20) as usize));
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(|e| read_error(&e))?;
            if n == 0 {
                break;
            }
            b.count_read(n as u64)?;
            hasher.update(&buf[..n]);
            if let Some(c) = content.as_mut() {
                c.extend_from_slice(&buf[..n]);
            }
            size += n as u64;
        }
        total += size;
        b.finish_file(index, size, hex(&hasher.finalize()), content);
        if b.done {
            break;
        }
    }
    if archive.has_duplicate_names() {
        // The zip crate indexes entries by name, so earlier duplicates are not reachable
        // through it; the installer (which walks the central directory) writes the later one.
        b.push_anomaly(Anomaly {
            kind: AnomalyKind::DuplicatePath,
            entry: None,
            detail: "the central directory names some paths more than once; the later entry of each is installed".to_owned(),
        });
    }
    Ok(total)
}

fn read_error(e: &io::Error) -> anyhow::Error {
    match find_open_error(e) {
        Some(open) => open.clone().into(),
        None => corrupt(e),
    }
}
