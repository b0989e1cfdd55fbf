//! The committed demo artifacts are exactly what `cargo run --example make_demo` writes, and
//! stay small.

#[path = "../examples/demo/generate.rs"]
mod generate;

use std::path::Path;

#[test]
fn the_committed_demo_is_what_the_generator_writes_and_is_small() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let fresh = tempfile::tempdir().expect("temp dir");
    generate::write_demo(fresh.path()).expect("the generator runs");
    let mut total = 0;
    for name in generate::FILES {
        let want = std::fs::read(fresh.path().join(name)).expect("the generator wrote it");
        let have = std::fs::read(committed.join(name))
            .unwrap_or_else(|e| panic!("assets/demo/{name}: {e}"));
        assert!(
            have == want,
            "assets/demo/{name} is stale ({} bytes committed, {} generated): run `cargo run --example make_demo` and commit the result",
            have.len(),
            want.len()
        );
        total += have.len();
    }
    let mut listed: Vec<String> = std::fs::read_dir(&committed)
        .expect("assets/demo")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    let mut expected: Vec<String> = generate::FILES.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(
        listed, expected,
        "assets/demo holds exactly the generated files"
    );
    assert!(
        total < 300_000,
        "the demo artifacts stay under 300 KB together: {total} bytes"
    );
}
