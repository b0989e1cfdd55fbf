//! The zip reader (wheels, jars, vsix), through the path `check` takes, rules included.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shipcheck_fuzz::read_and_scan("fuzz.whl", data);
});
