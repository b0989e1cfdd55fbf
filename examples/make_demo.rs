//! Regenerates the demo artifacts in `assets/demo/` byte for byte: `cargo run --example
//! make_demo`. What they are is in `demo/generate.rs`; `tests/demo.rs` fails when the
//! committed files are not what it writes.

#[path = "demo/generate.rs"]
mod generate;

fn main() -> std::io::Result<()> {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    generate::write_demo(&out)?;
    for name in generate::FILES {
        println!("wrote {}", out.join(name).display());
    }
    Ok(())
}
