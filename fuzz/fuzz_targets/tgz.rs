//! The tar and gzip readers, through the path `check` takes for a `.tgz`: the first byte picks
//! whether the rest is gzip'd here (so mutations land on tar headers, not on deflate bits) or
//! read as it is (plain tar, or gzip straight from the fuzzer).
#![no_main]

use std::io::Write as _;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(rest).expect("gzip in memory");
        let bytes = gz.finish().expect("gzip in memory");
        shipcheck_fuzz::read_and_scan("fuzz.tgz", &bytes);
    } else {
        shipcheck_fuzz::read_and_scan("fuzz.tgz", rest);
    }
});
