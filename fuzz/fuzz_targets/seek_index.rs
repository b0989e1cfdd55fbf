//! The gzip seek index the review screen reads entries again through: the first byte picks
//! whether the rest is data the target gzips (in one to three members, stored, fast or best,
//! so that checkpoints land inside members and between them) or gzip bytes as they are. What
//! must hold: no panic, and when the indexing inflater reads the stream to its end, reading
//! again from any offset through the index gives the very bytes it gave there.
#![no_main]

use std::io::{Read as _, Write as _};

use libfuzzer_sys::fuzz_target;
use shipcheck::artifact::seek_index::Inflater;

/// Output between checkpoints: small, so that a fuzz input has several.
const SPAN: u64 = 64;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let gz = if mode & 1 == 0 {
        let members = usize::from(mode >> 1) % 3 + 1;
        let mut out = Vec::new();
        for (k, part) in rest.chunks(rest.len() / members + 1).enumerate() {
            let level = [0, 1, 9][(usize::from(mode >> 3) + k) % 3];
            let mut enc =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
            enc.write_all(part).expect("gzip in memory");
            out.extend(enc.finish().expect("gzip in memory"));
        }
        out
    } else {
        rest.to_vec()
    };
    let mut whole = Vec::new();
    let mut dec = Inflater::with_span(&gz[..], SPAN);
    // Bounded: a bomb stops at 16 MiB, unchecked.
    if (&mut dec).take(16 << 20).read_to_end(&mut whole).is_err() || whole.len() == 16 << 20 {
        return;
    }
    let index = dec.into_index();
    let len = whole.len() as u64;
    // A few offsets the input picks, and both ends.
    let picks = rest.iter().take(8).map(|&b| u64::from(b) * len / 255);
    for at in [0, len].into_iter().chain(picks) {
        let mut again = Vec::new();
        let read = index
            .read_from(at, |packed| {
                let packed = usize::try_from(packed).unwrap_or(usize::MAX);
                Ok(gz.get(packed..).unwrap_or_default())
            })
            .and_then(|mut r| r.read_to_end(&mut again));
        let at = usize::try_from(at).expect("small");
        match read {
            Ok(_) => assert_eq!(again, whole[at..], "read again from {at}"),
            Err(e) if index.is_empty() => {
                let _ = e; // nothing to resume from: an empty stream
            }
            Err(e) => panic!("read again from {at} failed: {e}"),
        }
    }
});
