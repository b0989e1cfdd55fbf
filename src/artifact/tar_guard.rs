//! A watch on tar extension headers, so none is buffered past a small cap.
//!
//! The `tar` crate reads a pax extended header or a GNU long-name/long-link record whole into
//! memory, however large its header says it is; only the unpacked-size cap would stop it, so
//! a hostile tarball could make us hold up to `--max-unpacked-size` bytes (1 GiB by default)
//! for a single "name". [`Guard`] follows the stream's headers as the bytes pass (the same
//! walk the tar crate makes, pax `size` records included) and refuses an extension header
//! larger than [`MAX_EXTENSION`] before its data is read. Where it cannot follow (a broken
//! checksum, GNU sparse files, the end marker) it stops watching and leaves the verdict to the
//! tar crate: it never rejects what the tar crate would read correctly.
//!
//! It also decides where the archive ends, as node-tar does: at two consecutive zero blocks.
//! The tar crate stops at the first one, so an attacker could hide entries that npm installs
//! behind a lone zero block; the reader sets `ignore_zeros` and the guard reports end of
//! input once the real end marker has passed.
//!
//! node-tar applies a pax *global* header's `size` and `linkpath` to every later entry; the
//! tar crate ignores global headers. The two would then walk different entries, so such an
//! archive is refused: no real packer writes those keys globally.

use std::io::{self, Read};

use super::OpenError;

/// The largest extension record we buffer: real names and pax records are a few KiB at most.
pub const MAX_EXTENSION: u64 = 1 << 20;

/// A reader that watches the tar headers passing through it.
pub struct Guard<R> {
    inner: R,
    header: [u8; 512],
    filled: usize,
    /// Bytes of the current entry's data and padding still to pass.
    skip: u64,
    /// A pax header's records being collected, how many data bytes remain, and whether it
    /// is a global header.
    pax: Option<(Vec<u8>, u64, bool)>,
    /// The pax `size` that applies to the next regular header.
    pax_size: Option<u64>,
    /// Stopped watching (a header only the tar crate can judge).
    off: bool,
    /// Reused by forward seeks.
    scratch: Vec<u8>,
    /// Bytes passed so far; a seek returns it, as the tar crate sets its position from it.
    pos: u64,
    /// The last header-position block was all zeros.
    after_zero: bool,
    /// Two consecutive zero blocks have passed: the archive is over for node-tar.
    ended: bool,
}

impl<R> Guard<R> {
    /// Watches `inner`, which must be positioned at the first tar header.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            header: [0; 512],
            filled: 0,
            skip: 0,
            pax: None,
            pax_size: None,
            off: false,
            scratch: Vec::new(),
            pos: 0,
            after_zero: false,
            ended: false,
        }
    }

    fn observe(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() && !self.off {
            if self.skip > 0 {
                let n = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                if let Some((buf, left, _)) = &mut self.pax {
                    let take = usize::try_from(*left).unwrap_or(usize::MAX).min(n);
                    buf.extend_from_slice(&bytes[..take]);
                    *left -= take as u64;
                }
                self.skip -= n as u64;
                bytes = &bytes[n..];
                if self.skip == 0 {
                    self.end_of_data()?;
                }
                continue;
            }
            let n = (512 - self.filled).min(bytes.len());
            self.header[self.filled..self.filled + n].copy_from_slice(&bytes[..n]);
            self.filled += n;
            bytes = &bytes[n..];
            if self.filled == 512 {
                self.filled = 0;
                self.on_header()?;
            }
        }
        Ok(())
    }

    fn end_of_data(&mut self) -> io::Result<()> {
        match self.pax.take() {
            Some((records, _, false)) => self.pax_size = pax_size(&records),
            Some((records, _, true)) => {
                for record in tar::PaxExtensions::new(&records).flatten() {
                    if let Ok(key @ ("size" | "linkpath")) = record.key() {
                        return Err(io::Error::other(OpenError::Corrupt {
                            container: "tar",
                            reason: format!(
                                "a pax global header sets '{key}', which npm applies to every later entry and this reader cannot; refusing"
                            ),
                        }));
                    }
                }
            }
            None => {}
        }
        Ok(())
    }

    fn on_header(&mut self) -> io::Result<()> {
        if self.header.iter().all(|&b| b == 0) {
            self.ended = self.after_zero;
            self.after_zero = true;
            return Ok(());
        }
        self.after_zero = false;
        let h = tar::Header::from_byte_slice(&self.header);
        // The checksum counts its own field as spaces.
        let all: u32 = self.header.iter().map(|&b| u32::from(b)).sum();
        let field: u32 = self.header[148..156].iter().map(|&b| u32::from(b)).sum();
        let sum = all - field + 8 * 32;
        let (Ok(cksum), Ok(mut size)) = (h.cksum(), h.entry_size()) else {
            self.off = true;
            return Ok(());
        };
        if cksum != sum {
            self.off = true;
            return Ok(());
        }
        let t = h.entry_type();
        let what = if t.is_pax_local_extensions() {
            Some("pax extended")
        } else if t.is_pax_global_extensions() {
            Some("pax global")
        } else if t.is_gnu_longname() {
            Some("GNU long name")
        } else if t.is_gnu_longlink() {
            Some("GNU long link")
        } else {
            None
        };
        if let Some(what) = what {
            if size > MAX_EXTENSION {
                return Err(io::Error::other(OpenError::Corrupt {
                    container: "tar",
                    reason: format!(
                        "a {what} header declares {size} bytes (more than {MAX_EXTENSION}); refusing to buffer it"
                    ),
                }));
            }
            if t.is_pax_local_extensions() || t.is_pax_global_extensions() {
                let global = t.is_pax_global_extensions();
                self.pax = Some((Vec::with_capacity(size as usize), size, global));
            }
        } else {
            if t.is_gnu_sparse() && self.header[482] != 0 {
                // Extended sparse maps follow the header; too rare to follow here.
                self.off = true;
                return Ok(());
            }
            // As in the tar crate: a pax size describes the next regular entry only.
            if let Some(s) = self.pax_size.take() {
                size = s;
            }
        }
        match size.checked_add(511) {
            Some(s) => self.skip = s & !511,
            None => self.off = true,
        }
        if self.skip == 0 {
            self.end_of_data()?;
        }
        Ok(())
    }
}

/// The `size` record of a pax header, parsed as the tar crate parses it.
fn pax_size(records: &[u8]) -> Option<u64> {
    for record in tar::PaxExtensions::new(records) {
        let record = record.ok()?;
        if record.key() == Ok("size") {
            return record.value().ok()?.parse().ok();
        }
    }
    None
}

/// Forward-only seeking that still passes every byte through the watch: the tar crate skips
/// padding and unread data by seeking, which avoids its zeroing a 32 KiB stack buffer per
/// entry (that dominated listings of many small files).
impl<R: Read> io::Seek for Guard<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        let unsupported =
            || io::Error::new(io::ErrorKind::Unsupported, "the stream only moves forward");
        let io::SeekFrom::Current(delta) = pos else {
            return Err(unsupported());
        };
        let mut left = u64::try_from(delta).map_err(|_| unsupported())?;
        let mut scratch = std::mem::take(&mut self.scratch);
        if scratch.is_empty() {
            scratch = vec![0u8; 64 * 1024];
        }
        let result = (|| {
            while left > 0 {
                let want = usize::try_from(left)
                    .unwrap_or(usize::MAX)
                    .min(scratch.len());
                let n = self.read(&mut scratch[..want])?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "unexpected end of data",
                    ));
                }
                left -= n as u64;
            }
            Ok(self.pos)
        })();
        self.scratch = scratch;
        result
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // The tar crate reads at most up to the next header, so nothing past the end marker
        // has been handed out when it is seen.
        if self.ended {
            return Ok(0);
        }
        let n = self.inner.read(out)?;
        self.pos += n as u64;
        if !self.off {
            self.observe(&out[..n])?;
        }
        Ok(n)
    }
}
