//! The source-map reader, and the rules that run on a map (embedded sources, secrets in them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck::artifact::{Entry, EntryKind, Stored};
use shipcheck::detect::sourcemap;
use shipcheck::rules::{Policy, Scanner};

fuzz_target!(|data: &[u8]| {
    if let Some(Ok(map)) = sourcemap::parse_if_map("dist/index.js.map", data) {
        assert!(
            map.embedded.len() <= map.sources.max(map.embedded.len()),
            "counts agree"
        );
        for source in &map.embedded {
            let text = source.decode();
            assert!(
                text.len() <= data.len() * 3,
                "a decoded source ({} bytes) cannot outgrow its escaped form ({} bytes) \
                 more than a U+FFFD per byte",
                text.len(),
                data.len()
            );
            let _ = source.tree_path();
        }
    }
    let policy = Policy::default();
    let mut scanner = Scanner::new(&policy);
    let entry = Entry {
        index: 0,
        path: "dist/index.js.map".to_owned(),
        stored: Stored::Same,
        kind: EntryKind::File,
        mode: 0o644,
        size: data.len() as u64,
        declared_size: None,
        compressed_size: None,
        sha256: None,
        executable: None,
        link_target: None,
        installed: true,
    };
    scanner.file(&entry, data);
});
