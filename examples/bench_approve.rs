//! For `bench/gate.sh`: signs an approval of ARTIFACT as a reviewer who waived every blocking
//! finding, with the key file KEY, as PRINCIPAL, appended to OUT, so `verify` can be timed
//! against `check` on any large artifact. The statement is built by the tests' own helper
//! (`tests/common/gate.rs`), which uses the library as the review screen does.
//!
//! `cargo run --release --example bench_approve -- ARTIFACT KEY PRINCIPAL OUT`

#[allow(dead_code)]
#[path = "../tests/common/gate.rs"]
mod gate;

use std::path::Path;

use anyhow::Context as _;
use shipcheck::approval::{ReviewResult, append_line};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [artifact, key, principal, out] = args.as_slice() else {
        anyhow::bail!("usage: bench_approve ARTIFACT KEY PRINCIPAL OUT");
    };
    let statement = gate::statement_for(
        Path::new(artifact),
        principal,
        ReviewResult::Approved,
        |_| {},
    );
    let key = gate::Key {
        path: key.into(),
        public: String::new(),
    };
    append_line(Path::new(out), &gate::sign(&statement, &key)).context("writing the bundle")?;
    Ok(())
}
