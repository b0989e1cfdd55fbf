//! Helpers for `bench/ls.py`: generate benchmark inputs and time a bare inflate.
//!
//! - `many OUT N`: an npm-style tarball of N small files in nested folders.
//! - `bomb OUT GIB`: a gzip'd tar holding one file of GIB GiB of zeros, written streaming.
//! - `inflate FILE`: inflates a gzip file to nowhere with flate2 (zlib-rs), the floor that
//!   any listing must pay; prints the inflated byte count.

use std::io::{self, Read, Write as _};

use flate2::{Compression, GzBuilder};

fn many(out: &str, n: usize) -> io::Result<()> {
    let gz = GzBuilder::new()
        .mtime(0)
        .write(std::fs::File::create(out)?, Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut h = tar::Header::new_ustar();
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    for i in 0..n {
        let data = format!("module.exports = {i};\n");
        h.set_size(data.len() as u64);
        let name = format!("package/lib/d{}/e{}/file{i}.js", i % 100, (i / 100) % 10);
        tar.append_data(&mut h, name, data.as_bytes())?;
    }
    tar.into_inner()?.finish()?.flush()
}

/// A reader of `len` zeros, so the bomb is never held in memory.
struct Zeros(u64);

impl io::Read for Zeros {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(usize::try_from(self.0).unwrap_or(usize::MAX));
        buf[..n].fill(0);
        self.0 -= n as u64;
        Ok(n)
    }
}

fn bomb(out: &str, gib: u64) -> io::Result<()> {
    let gz = GzBuilder::new()
        .mtime(0)
        .write(std::fs::File::create(out)?, Compression::best());
    let mut tar = tar::Builder::new(gz);
    let mut h = tar::Header::new_ustar();
    let len = gib << 30;
    h.set_size(len);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut h, "package/zeros.bin", Zeros(len))?;
    tar.into_inner()?.finish()?.flush()
}

/// The input file, buffered in 1 MiB reads.
fn input(file: &str) -> io::Result<io::BufReader<std::fs::File>> {
    Ok(io::BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(file)?,
    ))
}

/// Reads `r` to its end in 256 KiB steps; returns how many bytes it gave.
fn drain(mut r: impl Read) -> io::Result<u64> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
    }
}

/// Inflates `file` with zlib-rs (flate2), as `check` does.
fn inflate(file: &str) -> io::Result<u64> {
    drain(flate2::read::MultiGzDecoder::new(input(file)?))
}

/// Inflates `file` with the review's indexing inflater (miniz_oxide, a checkpoint every 4 MiB).
fn index(file: &str) -> io::Result<u64> {
    drain(shipcheck::artifact::seek_index::Inflater::new(
        input(file)?,
        true,
    ))
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    match arg(0) {
        "many" => many(arg(1), arg(2).parse().unwrap_or(100_000)),
        "bomb" => bomb(arg(1), arg(2).parse().unwrap_or(1)),
        "inflate" => inflate(arg(1)).map(|n| println!("{n}")),
        "index" => index(arg(1)).map(|n| println!("{n}")),
        _ => Err(io::Error::other(
            "usage: bench_tools many OUT N | bomb OUT GIB | inflate FILE | index FILE",
        )),
    }
}
