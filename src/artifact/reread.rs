//! Reading one entry again, on demand, from the file handle the single pass read: where each
//! entry's data lies (a tar offset, a zip entry's compressed bytes), a gzip seek index, and a
//! small cache of what was read last.
//!
//! The handle is the one the first pass opened, never the path reopened: a file replaced on
//! disk under the review is not what gets shown. The bytes read are checked against the
//! sha256 the first pass recorded, so a file changed in place is an error, not a preview of
//! bytes nobody hashed.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest as _, Sha256};

use super::seek_index::{Inflater, SeekIndex};
use super::{Content, Entry};
use crate::units::hex;

/// Where an entry's data lies in the artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// Not a file, or not located (read with the whole stream instead).
    Unknown,
    /// At this offset of the tar stream (the file itself, or its inflated gzip stream).
    Tar(u64),
    /// A zip entry: its compressed bytes at this file offset.
    Zip {
        /// Offset of the first data byte (after the local header).
        offset: u64,
        /// Compressed length.
        compressed: u64,
        /// Deflated (else stored).
        deflated: bool,
    },
}

/// The cache keeps at most this many entries…
const CACHE_ENTRIES: usize = 8;
/// …and at most this many bytes, but always the entry read last, whatever its size (the one
/// being previewed, read once per draw): its bound is 32 MiB plus the largest entry.
const CACHE_BYTES: usize = 32 << 20;

/// A reader at an offset of a shared file handle that does not move the handle's own offset
/// (`pread`), so that several readers (the hashing thread, the entry reader) share one handle.
pub struct At {
    file: Arc<File>,
    pos: u64,
}

impl At {
    /// Reads `file` from `pos`.
    pub fn new(file: Arc<File>, pos: u64) -> Self {
        Self { file, pos }
    }
}

impl Read for At {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, out, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(&*self.file, out, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for At {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let bad = || io::Error::new(io::ErrorKind::InvalidInput, "seek before the start");
        self.pos = match to {
            SeekFrom::Start(p) => p,
            SeekFrom::Current(d) => self.pos.checked_add_signed(d).ok_or_else(bad)?,
            SeekFrom::End(d) => self
                .file
                .metadata()?
                .len()
                .checked_add_signed(d)
                .ok_or_else(bad)?,
        };
        Ok(self.pos)
    }
}

/// What [`super::Artifact::content`] needs to read an entry again.
pub struct Reread {
    /// The handle the first pass read.
    pub file: Arc<File>,
    /// True for a gzip'd tar: its offsets are in the inflated stream.
    gzip: bool,
    /// A gzip'd tar's seek index, once built ([`Reread::index_in_background`]).
    index: OnceLock<SeekIndex>,
    /// Per entry, by index.
    pub locs: Vec<Loc>,
    /// What was read last, newest at the back (see [`CACHE_BYTES`]).
    cache: Mutex<VecDeque<(u32, Content)>>,
}

impl std::fmt::Debug for Reread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reread")
            .field("index", &self.index.get())
            .field("entries", &self.locs.len())
            .finish_non_exhaustive()
    }
}

/// The artifact file changed on disk since it was read.
#[derive(Debug, thiserror::Error)]
#[error(
    "{path} reads differently now than when the artifact was read (sha256 {now}, was {then}): the artifact file changed on disk during the review; reopen it"
)]
pub struct Changed {
    /// The entry (sanitised).
    pub path: String,
    /// The digest read now.
    pub now: String,
    /// The digest recorded by the first pass.
    pub then: String,
}

impl Reread {
    /// Over `file` with entries located by `locs`; a gzip'd tar has no seek index yet.
    pub fn new(file: Arc<File>, gzip: bool, locs: Vec<Loc>) -> Self {
        Self {
            file,
            gzip,
            index: OnceLock::new(),
            locs,
            cache: Mutex::new(VecDeque::new()),
        }
    }

    /// The seek index, once built.
    pub fn index(&self) -> Option<&SeekIndex> {
        self.index.get()
    }

    /// Builds the gzip seek index on a thread of its own, reading the handle of the first
    /// pass again: that pass inflated with zlib-rs, a third faster than the indexing inflater
    /// (miniz_oxide, which can stop at a block boundary and resume there), so the review
    /// screen's first frame does not wait for the index. Until it is in, a read inflates from
    /// the stream's start. The thread stops at its next chunk once the artifact is dropped;
    /// if it cannot start or the stream does not inflate, reads go on streaming.
    ///
    /// Memory: the decoder's 256 KiB ring and 64 KiB input, one 256 KiB read buffer, and the
    /// index itself (under 1% of the unpacked size, see [`super::seek_index`]).
    pub fn index_in_background(this: &Arc<Self>) {
        let weak = Arc::downgrade(this);
        let file = Arc::clone(&this.file);
        let build = move || {
            let mut dec = Inflater::new(At::new(file, 0), true);
            let mut buf = vec![0u8; 256 << 10];
            loop {
                if weak.strong_count() == 0 {
                    return;
                }
                match dec.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
            if let Some(reread) = weak.upgrade() {
                let _ = reread.index.set(dec.into_index());
            }
        };
        let _ = std::thread::Builder::new()
            .name("seek-index".to_owned())
            .spawn(build);
    }

    /// True when `entry` can be read from its location (else the caller streams).
    pub fn locates(&self, entry: &Entry) -> bool {
        matches!(
            self.locs.get(entry.index as usize),
            Some(Loc::Tar(_) | Loc::Zip { .. })
        )
    }

    /// The content of `entry`, from the cache or read at its location and checked against its
    /// recorded sha256.
    pub fn read(&self, entry: &Entry) -> anyhow::Result<Content> {
        if let Ok(cache) = self.cache.lock()
            && let Some((_, c)) = cache.iter().find(|(i, _)| *i == entry.index)
        {
            return Ok(Arc::clone(c));
        }
        let bytes = Arc::new(self.read_uncached(entry)?);
        if let Ok(mut cache) = self.cache.lock() {
            cache.push_back((entry.index, Arc::clone(&bytes)));
            let mut total: usize = cache.iter().map(|(_, c)| c.len()).sum();
            while cache.len() > 1 && (cache.len() > CACHE_ENTRIES || total > CACHE_BYTES) {
                if let Some((_, old)) = cache.pop_front() {
                    total -= old.len();
                }
            }
        }
        Ok(bytes)
    }

    fn read_uncached(&self, entry: &Entry) -> anyhow::Result<Vec<u8>> {
        use anyhow::Context as _;
        let out = self.read_at_location(entry).with_context(|| {
            format!(
                "reading {} again from the artifact (did the file change on disk?)",
                crate::sanitize::for_terminal(&entry.path)
            )
        })?;
        let now = hex(&Sha256::digest(&out));
        let then = entry.sha256.as_deref().unwrap_or_default();
        if now != then {
            return Err(Changed {
                path: crate::sanitize::for_terminal(&entry.path).into_owned(),
                now,
                then: then.to_owned(),
            }
            .into());
        }
        Ok(out)
    }

    fn read_at_location(&self, entry: &Entry) -> anyhow::Result<Vec<u8>> {
        let size = entry.size;
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 30));
        let at = |p: u64| Ok(At::new(Arc::clone(&self.file), p));
        match self.locs.get(entry.index as usize).copied() {
            Some(Loc::Tar(offset)) => match self.index.get().filter(|_| self.gzip) {
                Some(index) => {
                    index
                        .read_from(offset, at)?
                        .take(size)
                        .read_to_end(&mut out)?;
                }
                None if self.gzip => {
                    // No index yet: inflate from the start, as the first pass did.
                    let mut stream = super::pipe::inflate(At::new(Arc::clone(&self.file), 0));
                    io::copy(&mut (&mut stream).take(offset), &mut io::sink())?;
                    stream.take(size).read_to_end(&mut out)?;
                }
                None => {
                    At::new(Arc::clone(&self.file), offset)
                        .take(size)
                        .read_to_end(&mut out)?;
                }
            },
            Some(Loc::Zip {
                offset,
                compressed,
                deflated,
            }) => {
                let raw = At::new(Arc::clone(&self.file), offset).take(compressed);
                if deflated {
                    flate2::read::DeflateDecoder::new(raw)
                        .take(size)
                        .read_to_end(&mut out)?;
                } else {
                    raw.take(size).read_to_end(&mut out)?;
                }
            }
            _ => anyhow::bail!("entry {} has no recorded location", entry.index),
        }
        Ok(out)
    }
}
