//! The tar family: npm tarballs, `.crate`, Python sdists, any `.tar.gz` or `.tar`.

use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

use crate::sanitize::bytes_for_terminal;

use super::builder::{Builder, Collect, RawEntry};
use super::path::Layout;
use super::pipe::{self, Capped, FileHasher, Magic, Stage, find_open_error};
use super::reread::{At, Loc};
use super::tar_walk::Walker;
use super::{Digests, EntryKind, OpenError};

/// (digests of the packed bytes, packed size, unpacked stream size)
type Totals = (Digests, u64, u64);

/// Reads a tar or gzip'd tar file with the threaded pipeline.
pub fn read(file: Arc<File>, magic: Magic, b: &mut Builder<'_>) -> anyhow::Result<Totals> {
    let limit = b.limit();
    let Stage {
        reader,
        handle: hashing,
    } = pipe::hashing_stage(At::new(file, 0), !b.defers_digests());
    // A gzip'd tar read for the review screen is inflated here as for `check` (zlib-rs, a
    // third faster than the indexing inflater); its seek index is built after this pass, on a
    // thread of its own (`Reread::complete`), so the first frame does not wait.
    let inflated = if magic == Magic::Gzip {
        let stage = pipe::inflate_stage(reader);
        let mut capped = Capped::new(stage.reader, limit);
        let result = parse(&mut capped, b);
        // Dropping the reader first lets a stage blocked on a full channel see the hang-up.
        drop(capped.inner);
        pipe::join(stage.handle)?;
        result?;
        capped.total
    } else {
        let mut capped = Capped::new(reader, limit);
        let result = parse(&mut capped, b);
        drop(capped.inner);
        result?;
        capped.total
    };
    let (digests, packed) = pipe::join(hashing)?;
    Ok((digests, packed, inflated))
}

/// Reads a tar or gzip'd tar held in memory; `inflated` counts the stream's bytes read, also
/// when the read fails.
pub fn read_from(
    bytes: io::Cursor<Vec<u8>>,
    magic: Magic,
    b: &mut Builder<'_>,
    inflated: &mut u64,
) -> anyhow::Result<Totals> {
    let limit = b.limit();
    let mut hasher = pipe::Hasher::new();
    hasher.update(bytes.get_ref());
    let (digests, packed) = hasher.finish();
    let result = if magic == Magic::Gzip {
        let mut capped = Capped::new(pipe::inflate(bytes), limit);
        let result = parse(&mut capped, b);
        *inflated = capped.total;
        result
    } else {
        let mut capped = Capped::new(bytes, limit);
        let result = parse(&mut capped, b);
        *inflated = capped.total;
        result
    };
    result?;
    Ok((digests, packed, *inflated))
}

/// Turns a decoder error into the typed error it carries, or a corrupt-tar error.
fn classify(e: &io::Error) -> anyhow::Error {
    match find_open_error(e) {
        Some(open) => open.clone().into(),
        None => OpenError::Corrupt {
            container: "tar",
            reason: e.to_string(),
        }
        .into(),
    }
}

/// Walks the tar stream as node-tar does, then drains what follows the end marker so the
/// whole input is hashed.
fn parse<R: Read>(input: &mut Capped<R>, b: &mut Builder<'_>) -> anyhow::Result<()> {
    b.set_layout(Layout::StripRoot);
    // One read buffer for every entry: zeroing a fresh one per entry dominated listings of
    // many small files.
    let mut buf = vec![0u8; 64 * 1024];
    let mut walker = Walker::new(&mut *input);
    while let Some(h) = walker.next_entry().map_err(|e| classify(&e))? {
        let kind = h.kind;
        let declared = h.size;
        let raw = RawEntry {
            name: &h.path,
            kind,
            mode: h.mode,
            declared_size: declared,
            compressed_size: None,
            link_target: h.link.as_deref(),
        };
        let Some(index) = b.add(&raw)? else { continue };
        b.locate(index, Loc::Tar(walker.pos()));
        if kind != EntryKind::File {
            b.finish_other(index);
            continue;
        }
        let mut content = Collect::for_tar(b.content_cap(index), declared);
        let mut hasher = b.entry_digests().then(FileHasher::new);
        let mut size = 0u64;
        loop {
            let n = walker.read_data(&mut buf).map_err(|e| classify(&e))?;
            if n == 0 {
                break;
            }
            if let Some(h) = &mut hasher {
                h.update(&buf[..n]);
            }
            content.extend(&buf[..n]);
            size += n as u64;
        }
        if size < declared {
            let path = bytes_for_terminal(&h.path).into_owned();
            return Err(OpenError::Truncated {
                path,
                declared,
                read: size,
            }
            .into());
        }
        b.finish_file(index, size, hasher, content);
        if b.done {
            return Ok(());
        }
    }
    drop(walker);
    io::copy(input, &mut io::sink()).map_err(|e| classify(&e))?;
    Ok(())
}
