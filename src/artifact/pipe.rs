//! The streaming pass: read → hash → inflate → parse, on separate threads.
//!
//! Reading and hashing the packed bytes, inflating them, and parsing plus hashing the entries
//! each cost about the same; chained on one thread they add up, on threads joined by bounded
//! channels they overlap, so a listing costs little more than the inflate alone (measured in
//! `bench/`). The channels hold a few chunks each, so memory stays flat whatever the size.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest as _, Sha256, Sha512};

use super::{Digests, OpenError};
pub use crate::detect::container::{Magic, sniff_bytes};
use crate::units::hex;

/// Reads the first bytes of a file and recognises it.
pub fn sniff(file: impl Read) -> anyhow::Result<Magic> {
    let mut head = Vec::with_capacity(512);
    file.take(512).read_to_end(&mut head)?;
    if head.is_empty() {
        anyhow::bail!("empty file, not a package archive");
    }
    sniff_bytes(&head).ok_or_else(|| OpenError::NotAnArchive.into())
}

const CHUNK: usize = 256 * 1024;

type Chunk = io::Result<Vec<u8>>;

/// The receiving end of a stage, readable as a stream.
pub struct ChannelReader {
    rx: Receiver<Chunk>,
    /// Spent chunks go back to the producer: allocating and freeing a 256 KiB chunk per step
    /// made glibc consolidate its heap each time, a tenth of a listing of many small files.
    spent: SyncSender<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

/// Chunks in flight: the channel's own slots plus one being filled and one being read.
const DEPTH: usize = 4;

/// A stage's two channels: chunks forward, spent chunks back.
fn channel() -> (SyncSender<Chunk>, Receiver<Vec<u8>>, ChannelReader) {
    let (tx, rx) = sync_channel(DEPTH);
    let (spent, recycled) = sync_channel(DEPTH + 2);
    let reader = ChannelReader {
        rx,
        spent,
        buf: Vec::new(),
        pos: 0,
        done: false,
    };
    (tx, recycled, reader)
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) if chunk.is_empty() => self.done = true,
                Ok(Ok(chunk)) => {
                    let spent = std::mem::replace(&mut self.buf, chunk);
                    // A full return channel or a finished producer just drops the chunk.
                    let _ = self.spent.try_send(spent);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The sender hung up without an end marker: it failed and says so via its join.
                Err(_) => {
                    self.done = true;
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "reader stage stopped",
                    ));
                }
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Pumps `input` into a channel in chunks until EOF (sending an empty chunk) or an error.
/// `on_chunk` sees each chunk first; returning an error stops the pump with it.
fn pump(
    mut input: impl Read,
    tx: &SyncSender<Chunk>,
    recycled: &Receiver<Vec<u8>>,
    mut on_chunk: impl FnMut(&[u8]) -> io::Result<()>,
) {
    loop {
        let mut chunk = recycled.try_recv().unwrap_or_default();
        // A recycled chunk is only ever truncated, so this writes zeros once per allocation.
        chunk.resize(CHUNK, 0);
        let mut filled = 0;
        // Fill whole chunks: inflaters return small reads, and fewer sends are cheaper.
        let result = loop {
            match input.read(&mut chunk[filled..]) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    filled += n;
                    if filled == CHUNK {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        chunk.truncate(filled);
        let eof = filled < CHUNK;
        let result = result.and_then(|()| on_chunk(&chunk));
        match result {
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
            Ok(()) => {
                if !chunk.is_empty() && tx.send(Ok(chunk)).is_err() {
                    return; // the consumer stopped early (e.g. it found the entry it wanted)
                }
                if eof {
                    let _ = tx.send(Ok(Vec::new()));
                    return;
                }
            }
        }
    }
}

/// Computes the artifact digests as bytes pass.
pub struct Hasher {
    sha256: Sha256,
    /// `None` when the sha512 is left for later ([`super::Digesting::Later`]).
    sha512: Option<Sha512>,
    len: u64,
}

impl Hasher {
    /// Both digests.
    pub fn new() -> Self {
        Self::with_sha512(true)
    }

    /// The sha256, and the sha512 when `sha512`.
    pub fn with_sha512(sha512: bool) -> Self {
        Self {
            sha256: Sha256::new(),
            sha512: sha512.then(Sha512::new),
            len: 0,
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        if let Some(h) = &mut self.sha512 {
            h.update(bytes);
        }
        self.len += bytes.len() as u64;
    }

    /// The digests (`sha512` and `integrity` empty when left for later) and the byte count.
    pub fn finish(self) -> (Digests, u64) {
        let mut digests = Digests {
            sha256: hex(&self.sha256.finalize()),
            ..Digests::default()
        };
        if let Some(h) = self.sha512 {
            use base64::Engine as _;
            let sha512 = h.finalize();
            digests.sha512 = hex(&sha512);
            digests.integrity = format!(
                "sha512-{}",
                base64::engine::general_purpose::STANDARD.encode(sha512)
            );
        }
        (digests, self.len)
    }
}

/// Bytes at the head of a file hashed on their own as well ([`FileHasher`]): what a preview
/// can show of a big file, checked, before the rest of it is read.
pub const HEAD: u64 = 1 << 20;

/// A file's sha256 as its bytes pass, and the sha256 of its first [`HEAD`] bytes when it is
/// longer than that (one more finalisation of a copy of the state: no byte is hashed twice).
#[derive(Clone, Default)]
pub struct FileHasher {
    sha256: Sha256,
    len: u64,
    head: Option<[u8; 32]>,
}

impl FileHasher {
    /// Nothing hashed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes; returns the head's digest when these bytes complete the head.
    pub fn update(&mut self, bytes: &[u8]) -> Option<[u8; 32]> {
        let before = self.len;
        self.len += bytes.len() as u64;
        if before > HEAD || self.len <= HEAD {
            self.sha256.update(bytes);
            return None;
        }
        // These bytes go past the head's end (a file of exactly HEAD bytes has no head of its
        // own: the head is the whole).
        let cut = usize::try_from(HEAD - before).unwrap_or(bytes.len());
        self.sha256.update(&bytes[..cut]);
        let head: [u8; 32] = self.sha256.clone().finalize().into();
        self.sha256.update(&bytes[cut..]);
        self.head = Some(head);
        self.head
    }

    /// The file's sha256 and, for a file longer than [`HEAD`], its head's.
    pub fn finish(self) -> ([u8; 32], Option<[u8; 32]>) {
        (self.sha256.finalize().into(), self.head)
    }
}

/// A running stage and the reader of its output.
pub struct Stage<T> {
    /// The stage's output.
    pub reader: ChannelReader,
    /// The stage's thread; join it after its reader is dropped.
    pub handle: JoinHandle<T>,
}

/// Waits for a stage's thread and returns what it computed.
pub fn join<T>(handle: JoinHandle<T>) -> anyhow::Result<T> {
    handle
        .join()
        .map_err(|_| anyhow::anyhow!("a reader thread panicked"))
}

/// Stage 1: reads `input`, hashing the packed bytes (the sha512 too when `sha512`), and
/// forwards them.
pub fn hashing_stage(input: impl Read + Send + 'static, sha512: bool) -> Stage<(Digests, u64)> {
    let (tx, recycled, reader) = channel();
    let handle = std::thread::spawn(move || {
        let mut hasher = Hasher::with_sha512(sha512);
        pump(input, &tx, &recycled, |c| {
            hasher.update(c);
            Ok(())
        });
        hasher.finish()
    });
    Stage { reader, handle }
}

/// Stage 2: inflates a gzip stream (all members, as `gzip -d` does). The consumer caps the
/// total with [`Capped`]; the bounded channel keeps this stage from running far ahead.
pub fn inflate_stage(input: ChannelReader) -> Stage<()> {
    let (tx, recycled, reader) = channel();
    let handle = std::thread::spawn(move || {
        pump(GzipErrors(Members::new(input)), &tx, &recycled, |_| Ok(()));
    });
    Stage { reader, handle }
}

/// Inflates in memory-sized steps for nested archives (no threads).
pub fn inflate(input: impl Read) -> impl Read {
    GzipErrors(Members::new(input))
}

/// Inflates gzip members back to back as node's zlib (and so npm) does: after a member, a
/// non-zero byte must start another member, while a zero byte ends the stream and whatever
/// follows is padding. The padding is still read through, so the artifact digest covers it.
struct Members<R: Read> {
    member: Option<flate2::bufread::GzDecoder<io::BufReader<R>>>,
}

impl<R: Read> Members<R> {
    fn new(input: R) -> Self {
        // Whole chunks in: with `BufReader`'s 8 KiB each inflate call made ~32 KiB and then
        // copied its last 32 KiB into the window, a second write of every output byte.
        let input = io::BufReader::with_capacity(CHUNK, input);
        Self {
            member: Some(flate2::bufread::GzDecoder::new(input)),
        }
    }
}

impl<R: Read> Read for Members<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        use io::BufRead as _;
        loop {
            let Some(member) = self.member.as_mut() else {
                return Ok(0);
            };
            let n = member.read(out)?;
            if n > 0 || out.is_empty() {
                return Ok(n);
            }
            let Some(member) = self.member.take() else {
                return Ok(0);
            };
            let mut rest = member.into_inner();
            match rest.fill_buf()?.first() {
                None => return Ok(0),
                Some(0) => {
                    io::copy(&mut rest, &mut io::sink())?;
                    return Ok(0);
                }
                Some(0x1f) => self.member = Some(flate2::bufread::GzDecoder::new(rest)),
                Some(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "bytes after the compressed data that are neither padding nor another gzip member",
                    ));
                }
            }
        }
    }
}

/// Names gzip failures as such, so they do not read as tar errors downstream.
struct GzipErrors<R>(R);

impl<R: Read> Read for GzipErrors<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.0.read(out).map_err(|e| {
            let reason = if e.kind() == io::ErrorKind::UnexpectedEof {
                "truncated (the compressed data ends early)".to_owned()
            } else {
                e.to_string()
            };
            io::Error::other(OpenError::Corrupt {
                container: "gzip",
                reason,
            })
        })
    }
}

/// Finds an [`OpenError`] carried inside an error chain (through `io::Error` wrappers).
pub fn find_open_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a OpenError> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(o) = err.downcast_ref::<OpenError>() {
            return Some(o);
        }
        if let Some(inner) = err.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            cur = Some(inner);
            continue;
        }
        cur = err.source();
    }
    None
}

/// Counts bytes through a reader and refuses past a limit.
pub struct Capped<R> {
    /// The wrapped reader.
    pub inner: R,
    /// Bytes so far.
    pub total: u64,
    /// The limit.
    pub limit: u64,
}

impl<R> Capped<R> {
    /// Wraps `inner`, refusing to read past `limit` bytes.
    pub fn new(inner: R, limit: u64) -> Self {
        Self {
            inner,
            total: 0,
            limit,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.total += n as u64;
        if self.total > self.limit {
            return Err(io::Error::other(OpenError::TooLarge { limit: self.limit }));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_s_head_digest_is_that_of_its_first_head_bytes_however_it_is_chunked() {
        let len = usize::try_from(HEAD).expect("HEAD fits") + 1000;
        let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let whole: [u8; 32] = Sha256::digest(&data).into();
        let head: [u8; 32] = Sha256::digest(&data[..len - 1000]).into();
        let head_len = len - 1000;
        // Chunks that end just before, at and just after the head's end, and one chunk.
        for first in [head_len - 1, head_len, head_len + 1, len] {
            let mut h = FileHasher::new();
            let mut reported = h.update(&data[..first]);
            for chunk in data[first..].chunks(300) {
                reported = reported.or(h.update(chunk));
            }
            assert_eq!(reported, Some(head), "reported once, first chunk {first}");
            assert_eq!(h.finish(), (whole, Some(head)), "first chunk {first}");
        }
        // No head for a file of HEAD bytes or fewer.
        let mut h = FileHasher::new();
        assert_eq!(h.update(&data[..head_len]), None);
        assert_eq!(h.update(&[]), None);
        assert_eq!(h.finish().1, None);
    }

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(sniff_bytes(&[0x1f, 0x8b, 8, 0]), Some(Magic::Gzip));
        assert_eq!(sniff_bytes(b"PK\x03\x04rest"), Some(Magic::Zip));
        let mut tar = vec![0u8; 512];
        tar[0] = b'a';
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff_bytes(&tar), Some(Magic::Tar));
        assert_eq!(
            sniff_bytes(b"{\"name\":\"x\"}"),
            None,
            "JSON is not an archive"
        );
        assert_eq!(
            sniff_bytes(&[0u8; 1024]),
            None,
            "zeros are not a tar header"
        );
    }

    #[test]
    fn stages_pass_bytes_through_and_hash_them() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let Stage { mut reader, handle } = hashing_stage(io::Cursor::new(data.clone()), true);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("reads");
        let (digests, len) = join(handle).expect("joins");
        assert_eq!(out, data, "bytes pass through unchanged");
        assert_eq!(len, 1_000_000);
        assert_eq!(digests.sha256, hex(&Sha256::digest(&data)));
        assert!(digests.integrity.starts_with("sha512-"));
    }

    #[test]
    fn inflate_refuses_past_the_limit() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write as _;
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&vec![0u8; 4 << 20]).expect("compresses");
        let gz = enc.finish().expect("finishes");
        let stage = hashing_stage(io::Cursor::new(gz), true);
        let inflated = inflate_stage(stage.reader);
        let mut capped = Capped::new(inflated.reader, 1 << 20);
        let err = capped
            .read_to_end(&mut Vec::new())
            .expect_err("past the limit");
        assert!(err.to_string().contains("more than 1048576 bytes"), "{err}");
        assert!(
            matches!(find_open_error(&err), Some(OpenError::TooLarge { .. })),
            "the typed error is found"
        );
    }

    #[test]
    fn truncated_gzip_is_named() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write as _;
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&vec![7u8; 100_000]).expect("compresses");
        let gz = enc.finish().expect("finishes");
        let err = inflate(&gz[..gz.len() / 2])
            .read_to_end(&mut Vec::new())
            .expect_err("truncated");
        assert!(err.to_string().contains("corrupt gzip: truncated"), "{err}");
    }
}
