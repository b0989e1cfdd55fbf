//! Reading one entry again, on demand, from the file handle the single pass read: where each
//! entry's data lies (a tar offset, a zip entry's compressed bytes), a gzip seek index, and a
//! small cache of what was read last.
//!
//! The handle is the one the first pass opened, never the path reopened: a file replaced on
//! disk under the review is not what gets shown. The bytes read are checked against the
//! sha256 the first pass recorded, so a file changed in place is an error, not a preview of
//! bytes nobody hashed.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError, Weak};

use sha2::{Digest as _, Sha256};

use super::pipe::{FileHasher, HEAD, Hasher};
use super::seek_index::{Inflater, SeekIndex};
use super::{Content, Digests, Entry};
use crate::units::hex;

/// The sha256 of the first [`HEAD`] bytes of files longer than that: (entry index, digest).
pub type Heads = Vec<(u32, [u8; 32])>;

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
    /// A gzip'd tar's seek index, once built ([`Reread::complete`]).
    index: OnceLock<SeekIndex>,
    /// Per entry, by index.
    pub locs: Vec<Loc>,
    /// What was read last, newest at the back (see [`CACHE_BYTES`]).
    cache: Mutex<VecDeque<(u32, Content)>>,
    /// True when the pass left each file's sha256 and the sha512 to [`Reread::complete`].
    defer: bool,
    /// What the thread after the pass has done so far, and a signal for each step.
    progress: Mutex<Progress>,
    stepped: Condvar,
}

/// What [`Reread::complete`] has done so far.
#[derive(Debug, Default)]
struct Progress {
    /// Per entry (by index), its content's sha256, as the thread hashes it (deferred only).
    digests: Vec<Option<[u8; 32]>>,
    /// The sha256 of the first [`HEAD`] bytes of each file longer than that, by entry index:
    /// from the pass, or as the thread hashes them (deferred).
    heads: HashMap<u32, [u8; 32]>,
    /// The artifact's digests, once the whole file was read again (deferred only).
    packed: Option<Digests>,
    /// Set when the thread stops: done, or why not.
    finished: Option<Result<(), String>>,
}

/// Each file's digest and the artifact's digests, as the thread after the pass computed them.
pub struct Completed {
    /// Per entry, by index (`None` for what is not a file).
    pub digests: Vec<Option<[u8; 32]>>,
    /// The artifact's digests, the sha512 included.
    pub packed: Digests,
}

/// A reader that hashes what passes through it: the packed file, read again after the pass.
struct Hashing<R> {
    inner: R,
    hasher: Hasher,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.hasher.update(&out[..n]);
        Ok(n)
    }
}

/// The files of the tar stream, in stream order: (entry index, data offset, size).
fn tar_files(entries: &[Entry], locs: &[Loc]) -> Vec<(u32, u64, u64)> {
    let mut files: Vec<(u32, u64, u64)> = entries
        .iter()
        .filter(|e| e.is_file())
        .filter_map(|e| match locs.get(e.index as usize) {
            Some(Loc::Tar(at)) => Some((e.index, *at, e.size)),
            _ => None,
        })
        .collect();
    files.sort_by_key(|&(_, at, _)| at);
    files
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
    /// `defer`: the pass left each file's sha256 and the sha512 to [`Reread::complete`];
    /// `heads`: the head digests the pass computed (see [`FileHasher`]).
    pub fn new(file: Arc<File>, gzip: bool, locs: Vec<Loc>, defer: bool, heads: Heads) -> Self {
        let progress = Progress {
            digests: if defer {
                vec![None; locs.len()]
            } else {
                Vec::new()
            },
            heads: heads.into_iter().collect(),
            ..Progress::default()
        };
        Self {
            file,
            gzip,
            index: OnceLock::new(),
            locs,
            cache: Mutex::new(VecDeque::new()),
            defer,
            progress: Mutex::new(progress),
            stepped: Condvar::new(),
        }
    }

    /// True when the pass left the per-file digests and the sha512 to this.
    pub fn defers(&self) -> bool {
        self.defer
    }

    /// What [`Reread::complete`] did, once it is done: every file's digest and the sha512
    /// (waits for it).
    pub fn completed(&self) -> anyhow::Result<Completed> {
        let mut p = self.lock();
        loop {
            match &p.finished {
                Some(Ok(())) => {
                    return Ok(Completed {
                        digests: p.digests.clone(),
                        packed: p.packed.clone().unwrap_or_default(),
                    });
                }
                Some(Err(why)) => anyhow::bail!("{why}"),
                None => p = self.stepped.wait(p).unwrap_or_else(PoisonError::into_inner),
            }
        }
    }

    /// The sha256 the thread after the pass recorded for entry `i` (waits for it).
    fn digest_of(&self, i: u32) -> anyhow::Result<[u8; 32]> {
        let mut p = self.lock();
        loop {
            if let Some(Some(d)) = p.digests.get(i as usize) {
                return Ok(*d);
            }
            match &p.finished {
                Some(Err(why)) => anyhow::bail!("{why}"),
                Some(Ok(())) => anyhow::bail!("entry {i} was not hashed again after the pass"),
                None => p = self.stepped.wait(p).unwrap_or_else(PoisonError::into_inner),
            }
        }
    }

    /// The sha256 of the first [`HEAD`] bytes of entry `i`, a file longer than that (waits
    /// for the thread after the pass to hash them when it deferred digests).
    fn head_of(&self, i: u32) -> anyhow::Result<[u8; 32]> {
        let mut p = self.lock();
        loop {
            if let Some(d) = p.heads.get(&i) {
                return Ok(*d);
            }
            match &p.finished {
                Some(Err(why)) => anyhow::bail!("{why}"),
                _ if !self.defer => anyhow::bail!("entry {i}'s head was not hashed in the pass"),
                Some(Ok(())) => anyhow::bail!("entry {i}'s head was not hashed after the pass"),
                None => p = self.stepped.wait(p).unwrap_or_else(PoisonError::into_inner),
            }
        }
    }

    /// The sha256 (hex) `entry` must have: recorded by the pass, else by the thread after
    /// it, waiting for that when `wait`, else `None` while it has not reached the entry.
    fn expected(&self, entry: &Entry, wait: bool) -> anyhow::Result<Option<String>> {
        if let Some(d) = entry.sha256.as_deref() {
            return Ok(Some(d.to_owned()));
        }
        if !self.defer {
            return Ok(Some(String::new()));
        }
        if wait {
            return Ok(Some(hex(&self.digest_of(entry.index)?)));
        }
        let p = self.lock();
        if let Some(Some(d)) = p.digests.get(entry.index as usize) {
            return Ok(Some(hex(d)));
        }
        match &p.finished {
            Some(Err(why)) => anyhow::bail!("{why}"),
            Some(Ok(())) => {
                anyhow::bail!("entry {} was not hashed again after the pass", entry.index)
            }
            None => Ok(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records one step of the thread after the pass and wakes who waits for it.
    fn record(&self, f: impl FnOnce(&mut Progress)) {
        f(&mut self.lock());
        self.stepped.notify_all();
    }

    /// Publishes entry `i`'s digest, as the thread after the pass hashed it.
    fn publish(&self, i: u32, digest: [u8; 32]) {
        self.record(|p| {
            if let Some(slot) = p.digests.get_mut(i as usize) {
                *slot = Some(digest);
            }
        });
    }

    /// Publishes the digest of entry `i`'s head, as the thread after the pass hashed it.
    fn publish_head(&self, i: u32, digest: [u8; 32]) {
        self.record(|p| {
            p.heads.insert(i, digest);
        });
    }

    /// The seek index, once built.
    pub fn index(&self) -> Option<&SeekIndex> {
        self.index.get()
    }

    /// Completes the first pass on a thread of its own, reading the handle of that pass
    /// again: for a gzip'd tar the seek index (the pass inflated with zlib-rs, a third faster
    /// than the indexing inflater, miniz_oxide, which can stop at a block boundary and resume
    /// there); and, when the pass deferred them, each file's sha256 (published as each is
    /// hashed) and the artifact's sha512. The packed bytes are hashed again and must give the
    /// pass's sha256 (`packed_sha256`), else the file changed on disk and everything this
    /// computed is refused. So the review screen's first frame waits for none of it.
    ///
    /// Until the index is in, a read inflates from the stream's start; a read of a file whose
    /// deferred digest is not in yet waits for it. The thread stops at its next chunk once the
    /// artifact is dropped; if it cannot start, reads and [`Reread::completed`] fail saying so.
    ///
    /// Memory: the decoder's 256 KiB ring and 64 KiB input, one 256 KiB read buffer, the
    /// index itself (under 1% of the unpacked size, see [`super::seek_index`]) and, deferred,
    /// 33 bytes an entry.
    pub fn complete(this: &Arc<Self>, entries: super::Entries, packed_sha256: String) {
        if !this.gzip && !this.defer {
            return;
        }
        let weak = Arc::downgrade(this);
        let (file, gzip, defer) = (Arc::clone(&this.file), this.gzip, this.defer);
        let locs = this.locs.clone();
        let work = move || {
            // A panic in the decoder must not leave readers waiting for a step that never
            // comes: it ends the completion with an error like any other.
            let run = std::panic::AssertUnwindSafe(|| {
                if locs.iter().any(|l| matches!(l, Loc::Zip { .. })) {
                    complete_zip(&weak, file, &entries)
                } else {
                    complete_tar(&weak, file, &entries, &locs, gzip, defer)
                }
            });
            let result = std::panic::catch_unwind(run)
                .unwrap_or_else(|_| Err(io::Error::other("the decoder stopped on these bytes")));
            let Some(me) = weak.upgrade() else { return };
            let finished = match result {
                Ok(Some(now)) if now.sha256 != packed_sha256 => Err(format!(
                    "the artifact file changed on disk since it was read (sha256 {} now, {packed_sha256} then); reopen it",
                    now.sha256
                )),
                Ok(Some(now)) => {
                    me.record(|p| p.packed = Some(now));
                    Ok(())
                }
                Ok(None) => return, // the artifact was dropped
                Err(e) => Err(format!("reading the artifact again after the pass: {e}")),
            };
            me.record(|p| p.finished = Some(finished));
        };
        let started = std::thread::Builder::new()
            .name("complete".to_owned())
            .spawn(work);
        if let Err(e) = started {
            this.record(|p| p.finished = Some(Err(format!("could not start a thread: {e}"))));
        }
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
        if let Some(c) = self.cached(entry.index) {
            return Ok(c);
        }
        let bytes = Arc::new(self.read_uncached(entry)?);
        self.remember(entry.index, Arc::clone(&bytes));
        Ok(bytes)
    }

    fn cached(&self, index: u32) -> Option<Content> {
        let cache = self.cache.lock().ok()?;
        let (_, c) = cache.iter().find(|(i, _)| *i == index)?;
        Some(Arc::clone(c))
    }

    /// Keeps `bytes` as the newest in the cache, dropping the oldest past its bounds.
    fn remember(&self, index: u32, bytes: Content) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.push_back((index, bytes));
            let mut total: usize = cache.iter().map(|(_, c)| c.len()).sum();
            while cache.len() > 1 && (cache.len() > CACHE_ENTRIES || total > CACHE_BYTES) {
                if let Some((_, old)) = cache.pop_front() {
                    total -= old.len();
                }
            }
        }
    }

    fn read_uncached(&self, entry: &Entry) -> anyhow::Result<Vec<u8>> {
        use anyhow::Context as _;
        let out = self.read_at_location(entry).with_context(|| again(entry))?;
        let then = self.expected(entry, true)?.unwrap_or_default();
        check(entry, &Sha256::digest(&out).into(), then)?;
        Ok(out)
    }

    fn read_at_location(&self, entry: &Entry) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0).min(1 << 30));
        self.open(entry)?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// A reader of `entry`'s bytes at its location: through the seek index once it is in,
    /// else inflating from the stream's start, as the first pass did.
    fn open(&self, entry: &Entry) -> anyhow::Result<Box<dyn Read + Send>> {
        let size = entry.size;
        let at = |p: u64| At::new(Arc::clone(&self.file), p);
        Ok(match self.locs.get(entry.index as usize).copied() {
            Some(Loc::Tar(offset)) => match self.index.get().filter(|_| self.gzip) {
                Some(index) => Box::new(index.read_from(offset, |p| Ok(at(p)))?.take(size)),
                None if self.gzip => {
                    let mut stream = super::pipe::inflate(at(0));
                    io::copy(&mut (&mut stream).take(offset), &mut io::sink())?;
                    Box::new(stream.take(size))
                }
                None => Box::new(at(offset).take(size)),
            },
            Some(Loc::Zip {
                offset,
                compressed,
                deflated,
            }) => {
                let raw = at(offset).take(compressed);
                if deflated {
                    Box::new(flate2::read::DeflateDecoder::new(raw).take(size))
                } else {
                    Box::new(raw.take(size))
                }
            }
            _ => anyhow::bail!("entry {} has no recorded location", entry.index),
        })
    }

    /// Starts reading a big `entry` (at least [`PROGRESSIVE`] bytes, not in the cache) a step
    /// at a time: returns its first [`HEAD`] bytes, checked against their own digest (so a
    /// preview shows them at once, every byte shown hashed), and the [`Loading`] of the rest,
    /// which [`Reread::step`] continues. `None` for an entry read whole with [`Reread::read`].
    pub fn start(&self, entry: &Entry) -> anyhow::Result<Option<(Content, Loading)>> {
        use anyhow::Context as _;
        if entry.size < PROGRESSIVE || self.cached(entry.index).is_some() {
            return Ok(None);
        }
        let then = self.head_of(entry.index)?;
        let mut reader = self.open(entry).with_context(|| again(entry))?;
        let mut out = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0).min(1 << 30));
        (&mut reader)
            .take(HEAD)
            .read_to_end(&mut out)
            .with_context(|| again(entry))?;
        let now: [u8; 32] = Sha256::digest(&out).into();
        if now != then {
            return Err(Changed {
                path: crate::sanitize::for_terminal(&entry.path).into_owned(),
                now: hex(&now),
                then: hex(&then),
            }
            .into());
        }
        let mut hasher = Sha256::new();
        hasher.update(&out);
        let head = Arc::new(out.clone());
        let loading = Loading {
            index: entry.index,
            reader,
            hasher,
            out,
        };
        Ok(Some((head, loading)))
    }

    /// Reads the next [`STEP`] bytes of `loading` (of `entry`); at the end, checks the whole
    /// against the entry's sha256 and keeps it in the cache. `wait`: wait for a digest the
    /// thread after the pass has not published yet instead of answering [`Step::Waiting`].
    pub fn step(&self, entry: &Entry, loading: &mut Loading, wait: bool) -> anyhow::Result<Step> {
        use anyhow::Context as _;
        anyhow::ensure!(loading.index == entry.index, "a load of another entry");
        let had = loading.out.len();
        if (had as u64) < entry.size {
            let chunk = (entry.size - had as u64).min(STEP);
            (&mut loading.reader)
                .take(chunk)
                .read_to_end(&mut loading.out)
                .with_context(|| again(entry))?;
            let read = &loading.out[had..];
            if read.is_empty() {
                anyhow::bail!(
                    "{}: the artifact ended after {had} of its {} bytes",
                    again(entry),
                    entry.size
                );
            }
            loading.hasher.update(read);
            if (loading.out.len() as u64) < entry.size {
                return Ok(Step::Reading);
            }
        }
        let Some(then) = self.expected(entry, wait)? else {
            return Ok(Step::Waiting);
        };
        check(entry, &loading.hasher.clone().finalize().into(), then)?;
        let content = Arc::new(std::mem::take(&mut loading.out));
        self.remember(entry.index, Arc::clone(&content));
        Ok(Step::Done(content))
    }
}

/// Entries at least this big are read for the preview a step at a time, their head shown
/// first ([`Reread::start`]); smaller ones are read whole (a few milliseconds).
pub const PROGRESSIVE: u64 = 8 << 20;

/// Bytes each [`Reread::step`] reads: a few milliseconds of inflating and hashing, so a key
/// pressed meanwhile waits no longer than that.
const STEP: u64 = 2 << 20;

/// A big entry being read a step at a time ([`Reread::start`]). Memory: the entry's bytes read
/// so far (at most its size) and the decoder's state.
pub struct Loading {
    index: u32,
    reader: Box<dyn Read + Send>,
    hasher: Sha256,
    out: Vec<u8>,
}

impl Loading {
    /// The entry being read.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Bytes read so far.
    pub fn read(&self) -> usize {
        self.out.len()
    }
}

impl std::fmt::Debug for Loading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loading")
            .field("index", &self.index)
            .field("read", &self.out.len())
            .finish_non_exhaustive()
    }
}

/// Where a [`Loading`] stands after a step.
#[derive(Debug)]
pub enum Step {
    /// More to read.
    Reading,
    /// All read; the digest to check it against is not in yet (the thread after the pass has
    /// not reached it): step again later.
    Waiting,
    /// All read and checked.
    Done(Content),
}

/// The context of an error reading `entry` again.
fn again(entry: &Entry) -> String {
    format!(
        "reading {} again from the artifact (did the file change on disk?)",
        crate::sanitize::for_terminal(&entry.path)
    )
}

/// Fails unless `now` (the sha256 of what was read) is `then` (in hex, as recorded).
fn check(entry: &Entry, now: &[u8; 32], then: String) -> anyhow::Result<()> {
    let now = hex(now);
    if now != then {
        return Err(Changed {
            path: crate::sanitize::for_terminal(&entry.path).into_owned(),
            now,
            then,
        }
        .into());
    }
    Ok(())
}

/// What a completion computed of the packed file (the sha512 only when deferred); `None` once
/// the artifact is dropped.
type Packed = Option<Digests>;

/// [`Reread::complete`] for a tar, gzip'd or not: one pass over the stream that records a
/// gzip'd one's seek index and, when `defer`, hashes each file's span of it.
fn complete_tar(
    weak: &Weak<Reread>,
    file: Arc<File>,
    entries: &[Entry],
    locs: &[Loc],
    gzip: bool,
    defer: bool,
) -> io::Result<Packed> {
    let mut packed = Hashing {
        inner: At::new(file, 0),
        hasher: Hasher::with_sha512(defer),
    };
    let files = if defer {
        tar_files(entries, locs)
    } else {
        Vec::new()
    };
    if gzip {
        let mut dec = Inflater::new(&mut packed, true);
        if !hash_spans(weak, &mut dec, &files)? {
            return Ok(None);
        }
        let index = dec.into_index();
        if let Some(me) = weak.upgrade() {
            let _ = me.index.set(index);
        }
    } else if !hash_spans(weak, &mut packed, &files)? {
        return Ok(None);
    }
    io::copy(&mut packed, &mut io::sink())?;
    Ok(Some(packed.hasher.finish().0))
}

/// Reads `stream` to its end, hashing and publishing each of `files` (entry index, offset,
/// size; in stream order) as its span passes. False once the artifact is dropped.
fn hash_spans(
    weak: &Weak<Reread>,
    stream: &mut impl Read,
    files: &[(u32, u64, u64)],
) -> io::Result<bool> {
    let mut next = files.iter().peekable();
    // The file being hashed: (entry index, start, end in the stream, its hasher).
    let mut current: Option<(u32, u64, u64, FileHasher)> = None;
    let mut buf = vec![0u8; 256 << 10];
    let mut pos = 0u64;
    loop {
        if weak.strong_count() == 0 {
            return Ok(false);
        }
        let n = stream.read(&mut buf)?;
        let end = pos + n as u64;
        // Every file that starts before this chunk's end: hash what of it lies here, and
        // publish it once it ends here (at the stream's end, one that starts there too).
        loop {
            if current.is_none() {
                match next.peek() {
                    Some(&&(i, at, size)) if at < end || (n == 0 && at <= end) => {
                        next.next();
                        current = Some((i, at, at + size, FileHasher::new()));
                    }
                    _ => break,
                }
            }
            let Some((i, start, stop, hasher)) = current.as_mut() else {
                break;
            };
            let from = usize::try_from((*start).clamp(pos, end) - pos).unwrap_or(0);
            let to = usize::try_from((*stop).clamp(pos, end) - pos).unwrap_or(0);
            if from < to
                && let Some(head) = hasher.update(&buf[from..to])
            {
                // A preview of the file can show its head now (see `Reread::start`).
                let Some(me) = weak.upgrade() else {
                    return Ok(false);
                };
                me.publish_head(*i, head);
            }
            if *stop > end {
                break;
            }
            let (i, _, _, hasher) = current.take().expect("a file being hashed");
            let Some(me) = weak.upgrade() else {
                return Ok(false);
            };
            me.publish(i, hasher.finish().0);
        }
        if n == 0 {
            return Ok(true);
        }
        pos = end;
    }
}

/// [`Reread::complete`] for a zip (only when digests were deferred): each file read again at
/// its location and hashed, then the whole file for its digests.
fn complete_zip(weak: &Weak<Reread>, file: Arc<File>, entries: &[Entry]) -> io::Result<Packed> {
    for e in entries.iter().filter(|e| e.is_file()) {
        let Some(me) = weak.upgrade() else {
            return Ok(None);
        };
        if !me.locates(e) {
            continue;
        }
        let bytes = me.read_at_location(e).map_err(io::Error::other)?;
        let mut hasher = FileHasher::new();
        if let Some(head) = hasher.update(&bytes) {
            me.publish_head(e.index, head);
        }
        me.publish(e.index, hasher.finish().0);
    }
    let mut packed = Hashing {
        inner: At::new(file, 0),
        hasher: Hasher::new(),
    };
    io::copy(&mut packed, &mut io::sink())?;
    Ok(Some(packed.hasher.finish().0))
}
