//! A gzip stream's seek index, as zlib's `zran` example builds one: while the single pass
//! inflates, a checkpoint every [`SPAN`] of output, so that any range of the inflated stream
//! can be read again by inflating at most one span instead of the whole stream.
//!
//! A checkpoint sits at a deflate block boundary (or at the start of a gzip member) and holds
//! what a raw inflate needs to resume there: the byte offset in the packed file, the bits of
//! the last byte the previous block left unread, and the 32 KiB window of output before it.
//! zlib resumes mid-byte with `inflatePrime`, which flate2 does not expose and zlib-rs only
//! offers through `unsafe`; miniz_oxide's `block-boundary` feature stops at each boundary and
//! resumes from exactly this state, so the indexing pass inflates with it.
//!
//! Memory: a checkpoint holds at most 32 KiB of window plus a few words, one per [`SPAN`]
//! (4 MiB) of output, so the index is under 1% of the unpacked size; the decoder itself holds
//! a 256 KiB output ring and a 64 KiB input buffer.
//!
//! The stream is read as [`super::pipe`]'s reader reads it (node's zlib): members back to
//! back, each with its CRC-32 and length checked; after a member a zero byte starts padding to
//! the end and any byte other than another member's is an error. A decoder resumed from a
//! block checkpoint cannot check that member's CRC (its running sum is not kept); readers of a
//! resumed range check the entry's sha256 instead.

use std::io::{self, Read};

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_STOP_ON_BLOCK_BOUNDARY,
    TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{BlockBoundaryState, DecompressorOxide, decompress};

/// Output between two checkpoints, at least (a checkpoint waits for the next block boundary,
/// so a span is longer by up to one deflate block).
pub const SPAN: u64 = 4 << 20;
/// Deflate's largest back-reference distance: what a resumed inflate must see of the past.
const WINDOW: usize = 32 * 1024;
/// The output ring (a power of two, as miniz_oxide's wrapping output requires).
const RING: usize = 256 * 1024;
/// The input buffer.
const INPUT: usize = 64 * 1024;

/// How a decoder resumes at a checkpoint.
#[derive(Clone)]
enum Resume {
    /// At the first byte of a gzip member's header.
    Member,
    /// At a deflate block boundary inside a member.
    Block {
        /// The unread bits of the previous byte.
        state: BlockBoundaryState,
        /// The member's output before this point, its last 32 KiB at most.
        window: Box<[u8]>,
        /// Output of this member before this point (for the length check at its end).
        member_out: u64,
    },
}

#[derive(Clone)]
struct Checkpoint {
    /// Offset in the inflated stream.
    out: u64,
    /// Offset in the packed file of the next byte to feed.
    packed: u64,
    resume: Resume,
}

/// Checkpoints into one gzip file's inflated stream, in stream order.
#[derive(Clone, Default)]
pub struct SeekIndex {
    points: Vec<Checkpoint>,
}

impl std::fmt::Debug for SeekIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SeekIndex({} checkpoints, {} bytes)",
            self.points.len(),
            self.memory()
        )
    }
}

impl SeekIndex {
    /// The number of checkpoints.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when there are none (the stream was never read).
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Bytes the index holds.
    pub fn memory(&self) -> usize {
        self.points
            .iter()
            .map(|p| {
                std::mem::size_of::<Checkpoint>()
                    + match &p.resume {
                        Resume::Member => 0,
                        Resume::Block { window, .. } => window.len(),
                    }
            })
            .sum()
    }

    /// A reader of the inflated stream from `offset` on: it resumes at the last checkpoint at
    /// or before `offset` (reading the packed file through `open_at(packed offset)`) and
    /// inflates past what lies before `offset`, at most one span.
    pub fn read_from<R: Read>(
        &self,
        offset: u64,
        open_at: impl FnOnce(u64) -> io::Result<R>,
    ) -> io::Result<Inflater<R>> {
        let at = self.points.partition_point(|p| p.out <= offset);
        let Some(cp) = at.checked_sub(1).and_then(|i| self.points.get(i)) else {
            return Err(io::Error::other("the seek index is empty"));
        };
        let input = open_at(cp.packed)?;
        let mut dec = Inflater::new(input, false);
        dec.packed = cp.packed;
        dec.out_total = cp.out;
        if let Resume::Block {
            state,
            window,
            member_out,
        } = &cp.resume
        {
            *dec.dec = DecompressorOxide::from_block_boundary_state(state);
            dec.ring[..window.len()].copy_from_slice(window);
            dec.rpos = window.len();
            dec.read_pos = window.len();
            dec.member_out = *member_out;
            dec.wrapped = *member_out >= RING as u64;
            dec.crc = None;
            dec.phase = Phase::Body;
        }
        io::copy(&mut (&mut dec).take(offset - cp.out), &mut io::sink())?;
        Ok(dec)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before a member's header.
    Header,
    /// Inside its deflate data.
    Body,
    /// At its 8-byte trailer.
    Trailer,
    /// After a member: padding, another member or the end.
    Between,
    /// Nothing more.
    Done,
}

/// Inflates a (multi-member) gzip stream with miniz_oxide, optionally recording a
/// [`SeekIndex`] as it goes.
pub struct Inflater<R> {
    input: R,
    inbuf: Box<[u8]>,
    ipos: usize,
    ilen: usize,
    in_eof: bool,
    /// Offset in the packed file of `inbuf[ipos]`.
    packed: u64,
    dec: Box<DecompressorOxide>,
    ring: Box<[u8]>,
    /// Where the decoder writes next.
    rpos: usize,
    /// The first byte not yet handed to the reader (`read_pos..rpos` is unread).
    read_pos: usize,
    /// True once the ring wrapped within this member: until then miniz_oxide is told the
    /// buffer does not wrap, so that a distance reaching before the member's start is an
    /// error as zlib makes it, not a read of the previous member's bytes.
    wrapped: bool,
    out_total: u64,
    member_out: u64,
    crc: Option<flate2::Crc>,
    phase: Phase,
    /// The checkpoints so far, when recording.
    record: Option<Vec<Checkpoint>>,
    /// Output between checkpoints ([`SPAN`], smaller in tests).
    span: u64,
}

fn corrupt(reason: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, reason.to_owned())
}

fn truncated() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the compressed data ends early",
    )
}

impl<R: Read> Inflater<R> {
    /// Inflates `input` from its first byte (a gzip header); with `record`, keeps checkpoints
    /// for [`Inflater::into_index`].
    pub fn new(input: R, record: bool) -> Self {
        Self {
            input,
            inbuf: vec![0; INPUT].into_boxed_slice(),
            ipos: 0,
            ilen: 0,
            in_eof: false,
            packed: 0,
            dec: Box::default(),
            ring: vec![0; RING].into_boxed_slice(),
            rpos: 0,
            read_pos: 0,
            wrapped: false,
            out_total: 0,
            member_out: 0,
            crc: None,
            phase: Phase::Header,
            record: record.then(Vec::new),
            span: SPAN,
        }
    }

    /// [`Inflater::new`] recording a checkpoint every `span` bytes of output.
    pub fn with_span(input: R, span: u64) -> Self {
        Self {
            span: span.max(1),
            ..Self::new(input, true)
        }
    }

    /// The checkpoints recorded (empty without `record`).
    pub fn into_index(self) -> SeekIndex {
        SeekIndex {
            points: self.record.unwrap_or_default(),
        }
    }

    /// Makes input available: false at its end.
    fn fill(&mut self) -> io::Result<bool> {
        if self.ipos < self.ilen {
            return Ok(true);
        }
        if self.in_eof {
            return Ok(false);
        }
        self.ipos = 0;
        self.ilen = 0;
        loop {
            match self.input.read(&mut self.inbuf) {
                Ok(0) => {
                    self.in_eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.ilen = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn byte(&mut self) -> io::Result<u8> {
        if !self.fill()? {
            return Err(truncated());
        }
        let b = self.inbuf[self.ipos];
        self.ipos += 1;
        self.packed += 1;
        Ok(b)
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.fill()?.then(|| self.inbuf[self.ipos]))
    }

    /// Records a checkpoint when a span has passed since the last one.
    fn due(&self) -> bool {
        self.record.as_ref().is_some_and(|points| {
            points
                .last()
                .is_none_or(|p| self.out_total - p.out >= self.span)
        })
    }

    /// RFC 1952's member header, up to its deflate data.
    fn header(&mut self) -> io::Result<()> {
        if self.due() {
            let (out, packed) = (self.out_total, self.packed);
            if let Some(points) = self.record.as_mut() {
                points.push(Checkpoint {
                    out,
                    packed,
                    resume: Resume::Member,
                });
            }
        }
        let mut hcrc = flate2::Crc::new();
        let mut take = |me: &mut Self| -> io::Result<u8> {
            let b = me.byte()?;
            hcrc.update(&[b]);
            Ok(b)
        };
        let mut fixed = [0u8; 10];
        for b in &mut fixed {
            *b = take(self)?;
        }
        if fixed[..2] != [0x1f, 0x8b] {
            return Err(corrupt("invalid gzip header"));
        }
        if fixed[2] != 8 {
            return Err(corrupt("unknown compression method"));
        }
        let flags = fixed[3];
        if flags & 0xe0 != 0 {
            return Err(corrupt("unknown header flags set"));
        }
        if flags & 4 != 0 {
            let xlen = u16::from_le_bytes([take(self)?, take(self)?]);
            for _ in 0..xlen {
                take(self)?;
            }
        }
        for flag in [8, 16] {
            if flags & flag != 0 {
                while take(self)? != 0 {}
            }
        }
        if flags & 2 != 0 {
            let want = hcrc.sum() & 0xffff;
            let got = u32::from(u16::from_le_bytes([self.byte()?, self.byte()?]));
            if want != got {
                return Err(corrupt("header crc mismatch"));
            }
        }
        *self.dec = DecompressorOxide::default();
        self.crc = Some(flate2::Crc::new());
        self.member_out = 0;
        self.rpos = 0;
        self.read_pos = 0;
        self.wrapped = false;
        self.phase = Phase::Body;
        Ok(())
    }

    /// One call into the inflater.
    fn inflate(&mut self) -> io::Result<()> {
        if self.rpos == RING {
            self.rpos = 0;
            self.read_pos = 0;
            self.wrapped = true;
        }
        if self.ipos == self.ilen {
            self.fill()?;
        }
        let mut flags = 0;
        if !self.in_eof {
            flags |= TINFL_FLAG_HAS_MORE_INPUT;
        }
        if !self.wrapped {
            flags |= TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
        }
        if self.record.is_some() {
            flags |= TINFL_FLAG_STOP_ON_BLOCK_BOUNDARY;
        }
        let (status, used, wrote) = decompress(
            &mut self.dec,
            &self.inbuf[self.ipos..self.ilen],
            &mut self.ring,
            self.rpos,
            flags,
        );
        self.ipos += used;
        self.packed += used as u64;
        if let Some(crc) = self.crc.as_mut() {
            crc.update(&self.ring[self.rpos..self.rpos + wrote]);
        }
        self.rpos += wrote;
        self.out_total += wrote as u64;
        self.member_out += wrote as u64;
        match status {
            TINFLStatus::Done => self.phase = Phase::Trailer,
            TINFLStatus::BlockBoundary => self.checkpoint(),
            TINFLStatus::HasMoreOutput => {}
            TINFLStatus::NeedsMoreInput => {
                // All input taken: fetch more (the next call sees the end if there is none).
                self.fill()?;
            }
            TINFLStatus::FailedCannotMakeProgress => return Err(truncated()),
            _ => return Err(corrupt("invalid deflate data")),
        }
        Ok(())
    }

    fn checkpoint(&mut self) {
        if !self.due() {
            return;
        }
        let Some(state) = self.dec.block_boundary_state() else {
            return;
        };
        let w = usize::try_from(self.member_out).map_or(WINDOW, |m| m.min(WINDOW));
        let mut window = Vec::with_capacity(w);
        if self.rpos >= w {
            window.extend_from_slice(&self.ring[self.rpos - w..self.rpos]);
        } else {
            window.extend_from_slice(&self.ring[RING - (w - self.rpos)..]);
            window.extend_from_slice(&self.ring[..self.rpos]);
        }
        let point = Checkpoint {
            out: self.out_total,
            packed: self.packed,
            resume: Resume::Block {
                state,
                window: window.into_boxed_slice(),
                member_out: self.member_out,
            },
        };
        if let Some(points) = self.record.as_mut() {
            points.push(point);
        }
    }

    fn trailer(&mut self) -> io::Result<()> {
        let mut t = [0u8; 8];
        for b in &mut t {
            *b = self.byte()?;
        }
        let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if self.crc.as_ref().is_some_and(|c| c.sum() != crc) {
            return Err(corrupt("invalid gzip checksum"));
        }
        // ISIZE is the length modulo 2^32.
        #[allow(clippy::cast_possible_truncation)]
        if self.member_out as u32 != size {
            return Err(corrupt("invalid gzip length"));
        }
        self.phase = Phase::Between;
        Ok(())
    }

    fn between(&mut self) -> io::Result<()> {
        match self.peek()? {
            None => self.phase = Phase::Done,
            Some(0) => {
                // Padding to the end, still read through so the caller sees all of it.
                loop {
                    self.packed += (self.ilen - self.ipos) as u64;
                    self.ipos = self.ilen;
                    if !self.fill()? {
                        break;
                    }
                }
                self.phase = Phase::Done;
            }
            Some(0x1f) => self.phase = Phase::Header,
            Some(_) => {
                return Err(corrupt(
                    "bytes after the compressed data that are neither padding nor another gzip member",
                ));
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Inflater<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.read_pos < self.rpos {
                let n = out.len().min(self.rpos - self.read_pos);
                out[..n].copy_from_slice(&self.ring[self.read_pos..self.read_pos + n]);
                self.read_pos += n;
                return Ok(n);
            }
            match self.phase {
                Phase::Done => return Ok(0),
                Phase::Header => self.header()?,
                Phase::Body => self.inflate()?,
                Phase::Trailer => self.trailer()?,
                Phase::Between => self.between()?,
            }
        }
    }
}

#[cfg(test)]
mod tests;
