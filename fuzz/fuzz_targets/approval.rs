//! The approval-bundle parser: the `.approval.intoto.jsonl` lines (DSSE envelope, base64,
//! SSHSIG blob, in-toto statement) and the allowed-signers file. Input: allowed-signers text,
//! a NUL byte, then the bundle; without a NUL, all of it is the bundle.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use shipcheck::approval::{AllowedSigners, Timestamp, bundle, verify_line};

fuzz_target!(|data: &[u8]| {
    let (signers, lines) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b""[..], data),
    };
    let Ok(signers) = AllowedSigners::parse(
        &String::from_utf8_lossy(signers),
        Path::new("allowed_signers"),
    ) else {
        return;
    };
    let now = Timestamp::parse("2026-06-01T00:00:00Z").expect("a fixed valid time");
    for line in bundle::split_lines(lines) {
        let _ = verify_line(&line.bytes, &signers, now);
    }
});
