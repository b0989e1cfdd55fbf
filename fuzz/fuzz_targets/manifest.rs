//! The manifest (baseline) reader: any bytes give a manifest or an error; a manifest it
//! accepts can be written back and read again, and compared against itself without a change.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck::manifest::Manifest;

fuzz_target!(|data: &[u8]| {
    let Ok(m) = Manifest::from_json(data) else {
        return;
    };
    let written = serde_json::to_vec(&m).expect("a manifest serialises");
    let again = Manifest::from_json(&written).expect("what it accepted, it reads back");
    let rewritten = serde_json::to_vec(&again).expect("a manifest serialises");
    assert_eq!(written, rewritten, "a manifest survives a round trip");
    let _ = shipcheck::diff::diff(&m, &again);
});
