//! The package-metadata parsers as the rules read them: the first byte picks the file the rest
//! becomes (npm `package.json`, a bundled dependency's `package.json`, an sdist's `PKG-INFO`, a
//! wheel's `METADATA`, a crate's `Cargo.toml`), packed in the archive that carries it, read and
//! scanned as `check` would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck_fuzz::{read_and_scan, tgz, zip};

fuzz_target!(|data: &[u8]| {
    let Some((&which, meta)) = data.split_first() else {
        return;
    };
    let code: &[u8] = b"module.exports = 1;\n";
    match which % 5 {
        0 => read_and_scan(
            "pkg.tgz",
            &tgz(&[("package/package.json", meta), ("package/index.js", code)]),
        ),
        1 => read_and_scan(
            "pkg.tgz",
            &tgz(&[
                ("package/package.json", br#"{"name":"a","version":"1.0.0"}"#),
                ("package/node_modules/dep/package.json", meta),
            ]),
        ),
        2 => read_and_scan(
            "demo-1.0.0.tar.gz",
            &tgz(&[("demo-1.0.0/PKG-INFO", meta), ("demo-1.0.0/setup.py", b"")]),
        ),
        3 => read_and_scan(
            "demo-1.0.0-py3-none-any.whl",
            &zip(&[
                ("demo/__init__.py", b""),
                ("demo-1.0.0.dist-info/METADATA", meta),
                ("demo-1.0.0.dist-info/RECORD", b""),
            ]),
        ),
        _ => read_and_scan(
            "demo-1.0.0.crate",
            &tgz(&[
                ("demo-1.0.0/Cargo.toml", meta),
                ("demo-1.0.0/src/lib.rs", b""),
            ]),
        ),
    }
});
