//! The index against a straight inflate: every range read through a checkpoint equals the
//! same range of the whole stream, on generated members of stored, fixed and dynamic blocks;
//! broken input is an error, never a panic.

use std::io::{Cursor, Read, Write as _};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::*;

/// xorshift: reproducible data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Bytes that compress like source code (repeats within the window) or not at all.
fn payload(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let words: [&[u8]; 6] = [
        b"function ",
        b"return x;\n",
        b"const a = require('b');\n",
        b"{}",
        b"\x00\x01\x02",
        b"exports.default = ",
    ];
    while out.len() < len {
        if rng.below(4) == 0 {
            for _ in 0..rng.below(200) {
                #[allow(clippy::cast_possible_truncation)]
                out.push(rng.next() as u8);
            }
        } else {
            #[allow(clippy::cast_possible_truncation)]
            out.extend_from_slice(words[rng.below(words.len() as u64) as usize]);
        }
    }
    out.truncate(len);
    out
}

fn member(data: &[u8], level: u32) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::new(level));
    enc.write_all(data).expect("compresses");
    enc.finish().expect("finishes")
}

/// Several members at different levels (0 gives stored blocks, small inputs fixed ones,
/// larger ones dynamic), and the whole inflated stream.
fn stream(seed: u64, members: usize, max_len: usize) -> (Vec<u8>, Vec<u8>) {
    let mut rng = Rng(seed);
    let (mut gz, mut plain) = (Vec::new(), Vec::new());
    for _ in 0..members {
        #[allow(clippy::cast_possible_truncation)]
        let len = rng.below(max_len as u64) as usize;
        let data = payload(&mut rng, len);
        #[allow(clippy::cast_possible_truncation)]
        let level = rng.below(10) as u32;
        gz.extend(member(&data, level));
        plain.extend(data);
    }
    (gz, plain)
}

fn inflate_all(gz: &[u8], span: u64) -> io::Result<(Vec<u8>, SeekIndex)> {
    let mut dec = Inflater::with_span(Cursor::new(gz), span);
    let mut out = Vec::new();
    dec.read_to_end(&mut out)?;
    Ok((out, dec.into_index()))
}

fn range(index: &SeekIndex, gz: &[u8], offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let reader = index.read_from(offset, |p| {
        let mut c = Cursor::new(gz);
        c.set_position(p);
        Ok(c)
    })?;
    let mut out = Vec::new();
    reader.take(len as u64).read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn every_range_read_through_the_index_equals_a_straight_inflate() {
    for seed in 1..=12u64 {
        let (gz, plain) = stream(seed * 7919, 1 + (seed as usize % 4), 700_000);
        let mut straight = Vec::new();
        flate2::read::MultiGzDecoder::new(&gz[..])
            .read_to_end(&mut straight)
            .expect("flate2 inflates");
        assert_eq!(straight, plain, "seed {seed}: the generator is sound");
        let span = 16 * 1024 + seed * 3000;
        let (out, index) = inflate_all(&gz, span).expect("inflates");
        assert_eq!(
            out, plain,
            "seed {seed}: the indexing pass inflates the same bytes"
        );
        if plain.len() as u64 > 4 * span {
            assert!(
                index.len() >= 2,
                "seed {seed}: checkpoints were taken ({} of them)",
                index.len()
            );
        }
        let mut rng = Rng(seed);
        for _ in 0..40 {
            let offset = rng.below(plain.len() as u64 + 1);
            #[allow(clippy::cast_possible_truncation)]
            let len = rng.below(100_000) as usize;
            let got = range(&index, &gz, offset, len).expect("resumes");
            #[allow(clippy::cast_possible_truncation)]
            let start = offset as usize;
            let end = (start + len).min(plain.len());
            assert!(
                got == plain[start..end],
                "seed {seed}: range {start}..{end} differs from a straight inflate"
            );
        }
    }
}

#[test]
fn a_checkpoint_is_taken_every_span_and_a_read_inflates_at_most_one() {
    let mut rng = Rng(42);
    let data = payload(&mut rng, 3 << 20);
    let gz = member(&data, 6);
    let span = 256 * 1024;
    let (_, index) = inflate_all(&gz, span).expect("inflates");
    let points: Vec<u64> = index.points.iter().map(|p| p.out).collect();
    assert_eq!(points[0], 0, "the stream's start is a checkpoint");
    for w in points.windows(2) {
        assert!(w[1] - w[0] >= span, "checkpoints are a span apart: {w:?}");
        // A deflate block holds at most some tens of KiB of these data at level 6.
        assert!(
            w[1] - w[0] < span + (256 << 10),
            "a checkpoint follows within a block of the span: {w:?}"
        );
    }
    assert!(
        index.memory() < points.len() * (WINDOW + 256),
        "a checkpoint holds a window and a few words"
    );
}

#[test]
fn padding_and_trailing_bytes_are_read_as_node_reads_them() {
    let gz = member(b"hello", 6);
    let mut padded = gz.clone();
    padded.extend([0u8; 1000]);
    let (out, _) = inflate_all(&padded, SPAN).expect("zero padding is accepted");
    assert_eq!(out, b"hello");
    let mut junk = gz.clone();
    junk.extend(b"junk");
    let err = inflate_all(&junk, SPAN).expect_err("other trailing bytes are refused");
    assert!(err.to_string().contains("neither padding"), "{err}");
    let mut two = gz.clone();
    two.extend(member(b" world", 0));
    assert_eq!(
        inflate_all(&two, SPAN).expect("two members").0,
        b"hello world"
    );
    assert!(
        inflate_all(&[], SPAN).is_err(),
        "an empty stream is truncated"
    );
}

#[test]
fn broken_streams_are_errors_not_panics_and_agree_with_flate2() {
    let (gz, plain) = stream(99, 3, 200_000);
    let mut rng = Rng(5);
    let mut disagreements = Vec::new();
    for round in 0..300 {
        let mut bad = gz.clone();
        match round % 3 {
            0 => {
                #[allow(clippy::cast_possible_truncation)]
                bad.truncate(rng.below(gz.len() as u64) as usize);
            }
            _ => {
                for _ in 0..=rng.below(4) {
                    #[allow(clippy::cast_possible_truncation)]
                    let at = rng.below(gz.len() as u64) as usize;
                    #[allow(clippy::cast_possible_truncation)]
                    let flip = 1u8 << rng.below(8);
                    bad[at] ^= flip;
                }
            }
        }
        // Bounded: the output of a broken stream is capped like any other.
        let cap = plain.len() as u64 * 4;
        let mut ours = Vec::new();
        let r_ours = Inflater::with_span(Cursor::new(&bad), 8192)
            .take(cap)
            .read_to_end(&mut ours);
        let mut theirs = Vec::new();
        let r_theirs = crate::artifact::pipe::inflate(&bad[..])
            .take(cap)
            .read_to_end(&mut theirs);
        if r_ours.is_ok() != r_theirs.is_ok() || (r_ours.is_ok() && ours != theirs) {
            disagreements.push(round);
        }
    }
    assert!(
        disagreements.is_empty(),
        "the indexing inflate and node's zlib reading (flate2) disagree on rounds {disagreements:?}"
    );
}
