//! Hostile npm tarballs: real ustar/GNU/pax headers, then mutated. Every type flag (old and
//! new), pax records (duplicates, wrong lengths, empty values, `size` spelt as JavaScript
//! reads numbers, huge lengths), GNU long names and links, sparse maps, base-256 and odd octal
//! fields, checksums, end markers and what follows them, gzip members; names with drive
//! letters, UNC prefixes, `..`, backslashes, NUL, controls, bidi, NFC/NFD and case twins.
//!
//! The `package.json` comes from a hook ([`Meta`]), so the metadata generator (package.json
//! edge cases) can be plugged in without touching this file.

use std::io::Write as _;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::Rng;

/// Produces the bytes of the tarball's `package.json` for a case.
pub type Meta<'a> = &'a dyn Fn(&mut Rng) -> Vec<u8>;

/// The default metadata: a plain, valid `package.json`.
pub fn plain_meta(_: &mut Rng) -> Vec<u8> {
    br#"{"name":"gen","version":"1.0.0"}"#.to_vec()
}

/// One generated archive.
pub struct Case {
    /// What was done, step by step (for the failure message).
    pub steps: Vec<String>,
    /// The archive as written (gzip'd unless a step says otherwise).
    pub bytes: Vec<u8>,
}

/// How a numeric field is written.
#[derive(Clone, Copy)]
enum Num {
    /// NUL-terminated zero-padded octal (GNU tar).
    Octal,
    /// Space-padded, space-terminated octal (old tar).
    Spaced,
    /// Octal filling the whole field, no terminator.
    Full,
    /// Base-256.
    Base256,
}

fn put_num(field: &mut [u8], value: u64, how: Num) {
    field.fill(0);
    let n = field.len();
    match how {
        Num::Octal => {
            let t = format!("{value:0w$o}", w = n - 1);
            if t.len() < n {
                field[..t.len()].copy_from_slice(t.as_bytes());
            } else {
                put_num(field, value, Num::Base256);
            }
        }
        Num::Spaced => {
            let t = format!("{value:>w$o} ", w = n - 2);
            let b = t.as_bytes();
            let k = b.len().min(n);
            field[..k].copy_from_slice(&b[..k]);
        }
        Num::Full => {
            let t = format!("{value:0n$o}");
            let b = t.as_bytes();
            let k = b.len().min(n);
            field[..k].copy_from_slice(&b[b.len() - k..]);
        }
        Num::Base256 => {
            field[n - 8..].copy_from_slice(&value.to_be_bytes());
            field[0] = 0x80;
        }
    }
}

/// Sets the checksum as tar writes it.
pub fn checksum(h: &mut [u8; 512]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

/// Header fields before they are written.
#[derive(Clone)]
struct Hdr {
    name: Vec<u8>,
    typeflag: u8,
    size: u64,
    link: Vec<u8>,
    mode: u32,
    /// `ustar\000` (POSIX), `ustar  \0` (old GNU) or none.
    magic: &'static [u8; 8],
    prefix: Vec<u8>,
    num: Num,
}

impl Hdr {
    fn new(name: &[u8], typeflag: u8, size: u64) -> Self {
        Self {
            name: name.to_vec(),
            typeflag,
            size,
            link: Vec::new(),
            mode: 0o644,
            magic: b"ustar\x0000",
            prefix: Vec::new(),
            num: Num::Octal,
        }
    }

    fn block(&self) -> [u8; 512] {
        let mut h = [0u8; 512];
        let n = self.name.len().min(100);
        h[..n].copy_from_slice(&self.name[..n]);
        put_num(&mut h[100..108], u64::from(self.mode), self.num);
        put_num(&mut h[108..116], 1000, Num::Octal);
        put_num(&mut h[116..124], 1000, Num::Octal);
        put_num(&mut h[124..136], self.size, self.num);
        put_num(&mut h[136..148], 1_700_000_000, Num::Octal);
        h[156] = self.typeflag;
        let l = self.link.len().min(100);
        h[157..157 + l].copy_from_slice(&self.link[..l]);
        h[257..265].copy_from_slice(self.magic);
        let p = self.prefix.len().min(155);
        h[345..345 + p].copy_from_slice(&self.prefix[..p]);
        checksum(&mut h);
        h
    }
}

fn pad(out: &mut Vec<u8>) {
    let rem = out.len() % 512;
    if rem != 0 {
        out.resize(out.len() + 512 - rem, 0);
    }
}

fn entry(out: &mut Vec<u8>, h: &Hdr, data: &[u8]) {
    out.extend_from_slice(&h.block());
    out.extend_from_slice(data);
    pad(out);
}

/// A pax record `LEN key=value\n` whose length counts itself.
pub fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let rest = key.len() + value.len() + 3;
    let mut len = rest + 1;
    while len != rest + len.to_string().len() {
        len = rest + len.to_string().len();
    }
    let mut r = format!("{len} {key}=").into_bytes();
    r.extend_from_slice(value);
    r.push(b'\n');
    r
}

/// Names an attacker would try, after `package/`.
fn hostile_name(rng: &mut Rng) -> Vec<u8> {
    let names: &[&[u8]] = &[
        b"c:package.json",
        b"C:/index.js",
        b"c:\\index.js",
        b"\\\\?\\C:\\index.js",
        b"\\\\srv\\share\\index.js",
        b"//?/C:/index.js",
        b"/index.js",
        b"//index.js",
        b"../index.js",
        b"lib/../../x.js",
        b"lib\\..\\..\\x.js",
        b"a\\b.js",
        b"./index.js",
        b"lib//x.js",
        b"lib/./x.js",
        b".",
        b"",
        b"index.js\0.evil",
        b"index.js\0x\ny.js",
        b"x\x1b[2J.js",
        b"x\xe2\x80\xaejs.exe",
        b"caf\xc3\xa9.js",
        b"cafe\xcc\x81.js",
        b"README.md",
        b"readme.md",
        b"bad\xff.js",
        b".gitignore",
        b".npmignore",
        b"package.json",
        b"lib/",
        b"c:",
        b"c:..\\x.js",
    ];
    rng.pick(names).to_vec()
}

fn join(root: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut n = root.to_vec();
    n.push(b'/');
    n.extend_from_slice(rest);
    n
}

fn data(rng: &mut Rng, tag: usize) -> Vec<u8> {
    let len = *rng.pick(&[0usize, 1, 5, 100, 511, 512, 513, 1000, 3000]);
    let mut d = format!("// file {tag}\n").into_bytes();
    d.resize(len.max(d.len()), b'x');
    d.truncate(len);
    d
}

/// Size spellings for a pax `size` record: what JavaScript's `Number()` reads differently.
fn pax_size_text(rng: &mut Rng, real: u64) -> Vec<u8> {
    let options = [
        real.to_string(),
        String::new(),
        format!("{real:#x}"),
        format!("{real}.0"),
        format!(" {real} "),
        format!("{}e1", real / 10),
        "1e3".to_owned(),
        "0x10".to_owned(),
        "-1".to_owned(),
        "1.5".to_owned(),
        "Infinity".to_owned(),
        format!("0{real}"),
        format!("{real}abc"),
        "99999999999999999999".to_owned(),
    ];
    rng.pick(&options).clone().into_bytes()
}

/// Builds one case from `seed`.
#[allow(clippy::many_single_char_names, clippy::too_many_lines)]
pub fn case(seed: u64, meta: Meta<'_>) -> Case {
    let mut rng = Rng::new(seed);
    let mut steps = Vec::new();
    let mut out = Vec::new();
    let root: &[u8] = if rng.one_in(20) { b"pkg" } else { b"package" };
    let pj = meta(&mut rng);
    entry(
        &mut out,
        &Hdr::new(&join(root, b"package.json"), b'0', pj.len() as u64),
        &pj,
    );
    let n = 1 + rng.below(5);
    for i in 0..n {
        let k = rng.below(16);
        let d = data(&mut rng, i);
        let plain_name = join(root, format!("lib/f{i}.js").as_bytes());
        let name = if rng.one_in(2) {
            join(root, &hostile_name(&mut rng))
        } else {
            plain_name.clone()
        };
        match k {
            0 => {
                // A pax header with records, then a file.
                let mut body = Vec::new();
                let records = 1 + rng.below(4);
                for _ in 0..records {
                    let r = rng.below(9);
                    let rec = match r {
                        0 => pax_record("path", &join(root, &hostile_name(&mut rng))),
                        1 => pax_record("path", &plain_name),
                        2 => pax_record("size", &pax_size_text(&mut rng, d.len() as u64)),
                        3 => pax_record("path", b""),
                        4 => pax_record("linkpath", b"x"),
                        5 => pax_record("mtime", b"1700000000.5"),
                        6 => {
                            // A record whose length is off by one.
                            let mut rec = pax_record("path", b"lib/wrong.js");
                            rec[0] = if rec[0] == b'9' { b'1' } else { rec[0] + 1 };
                            rec
                        }
                        7 => format!("{} path\n", 7 + rng.below(3)).into_bytes(),
                        _ => pax_record("SCHILY.dev", b"1"),
                    };
                    steps.push(format!("pax record {:?}", String::from_utf8_lossy(&rec)));
                    body.extend_from_slice(&rec);
                }
                let t = *rng.pick(b"xxXg");
                steps.push(format!("pax type {}", t as char));
                entry(
                    &mut out,
                    &Hdr::new(b"PaxHeader/x", t, body.len() as u64),
                    &body,
                );
                let declared = if rng.one_in(3) {
                    rng.below(2000) as u64
                } else {
                    d.len() as u64
                };
                steps.push(format!(
                    "file {:?} declared {declared}",
                    String::from_utf8_lossy(&name)
                ));
                entry(&mut out, &Hdr::new(&name, b'0', declared), &d);
            }
            1 => {
                // GNU long name or link (L, N, K), maybe followed by a pax path.
                let t = *rng.pick(b"LNK");
                let mut long = join(root, &hostile_name(&mut rng));
                if rng.one_in(2) {
                    long = join(root, format!("{}/deep.js", "d".repeat(120)).as_bytes());
                }
                if rng.one_in(2) {
                    long.push(0);
                }
                steps.push(format!(
                    "gnu {} {:?}",
                    t as char,
                    String::from_utf8_lossy(&long)
                ));
                let mut h = Hdr::new(b"././@LongLink", t, long.len() as u64);
                h.magic = b"ustar  \0";
                entry(&mut out, &h, &long);
                if rng.one_in(2) {
                    let rec = pax_record("path", &join(root, b"lib/pax.js"));
                    steps.push("then pax path lib/pax.js".to_owned());
                    entry(
                        &mut out,
                        &Hdr::new(b"PaxHeader/x", b'x', rec.len() as u64),
                        &rec,
                    );
                }
                let mut f = Hdr::new(&name, *rng.pick(b"021"), d.len() as u64);
                if f.typeflag != b'0' {
                    f.link = b"package.json".to_vec();
                    f.size = 0;
                }
                steps.push(format!(
                    "entry {} {:?}",
                    f.typeflag as char,
                    String::from_utf8_lossy(&name)
                ));
                entry(&mut out, &f, if f.size == 0 { &[] } else { &d });
            }
            2 => {
                // Any type flag, with data.
                let t = rng.below(256) as u8;
                let t = if rng.one_in(2) {
                    *rng.pick(b"01234567ADIKLMNSVXgx\0 Z")
                } else {
                    t
                };
                let mut h = Hdr::new(&name, t, d.len() as u64);
                if matches!(t, b'1' | b'2') && rng.one_in(2) {
                    h.link = b"package.json".to_vec();
                }
                steps.push(format!(
                    "type {t:#x} {:?} with {} bytes",
                    String::from_utf8_lossy(&name),
                    d.len()
                ));
                entry(&mut out, &h, &d);
            }
            3 => {
                // A GNU sparse entry, maybe with an extended map and a pax header before it.
                if rng.one_in(2) {
                    let rec = pax_record("path", &join(root, b"lib/sparse-pax.js"));
                    entry(
                        &mut out,
                        &Hdr::new(b"PaxHeader/x", b'x', rec.len() as u64),
                        &rec,
                    );
                    steps.push("pax path before sparse".to_owned());
                }
                let mut h = Hdr::new(&name, b'S', 512);
                h.magic = b"ustar  \0";
                let mut b = h.block();
                put_num(&mut b[386..398], 0, Num::Octal);
                put_num(&mut b[398..410], 512, Num::Octal);
                put_num(&mut b[483..495], 4096, Num::Octal);
                let extended = rng.one_in(2);
                if extended {
                    b[482] = 1;
                }
                checksum(&mut b);
                out.extend_from_slice(&b);
                if extended {
                    let mut ext = [0u8; 512];
                    put_num(&mut ext[0..12], 1024, Num::Octal);
                    put_num(&mut ext[12..24], 0, Num::Octal);
                    out.extend_from_slice(&ext);
                }
                out.extend_from_slice(&[b's'; 512]);
                steps.push(format!(
                    "sparse {:?} extended {extended}",
                    String::from_utf8_lossy(&name)
                ));
            }
            4 => {
                // Numeric fields written oddly.
                let how = *rng.pick(&[Num::Octal, Num::Spaced, Num::Full, Num::Base256]);
                let mut h = Hdr::new(&name, b'0', d.len() as u64);
                h.num = how;
                h.mode = *rng.pick(&[0o644, 0o755, 0o4755, 0, 0o7777]);
                steps.push(format!(
                    "odd numbers {:?} mode {:o}",
                    String::from_utf8_lossy(&name),
                    h.mode
                ));
                entry(&mut out, &h, &d);
            }
            5 => {
                // A checksum written differently (or wrong).
                let mut b = Hdr::new(&name, b'0', d.len() as u64).block();
                let sum: u32 = {
                    let mut c = b;
                    c[148..156].fill(b' ');
                    c.iter().map(|&x| u32::from(x)).sum()
                };
                let text = match rng.below(5) {
                    0 => format!("{sum:07o}\0"),
                    1 => format!(" {sum:o}\0  "),
                    2 => format!("{sum:08o}"),
                    3 => format!("{:06o}\0 ", sum + 1),
                    _ => format!("{sum:o} "),
                };
                let t = text.as_bytes();
                b[148..156].fill(b' ');
                b[148..148 + t.len().min(8)].copy_from_slice(&t[..t.len().min(8)]);
                steps.push(format!(
                    "checksum {text:?} on {:?}",
                    String::from_utf8_lossy(&name)
                ));
                out.extend_from_slice(&b);
                out.extend_from_slice(&d);
                pad(&mut out);
            }
            6 => {
                // Zero blocks: one alone, or an end marker with entries after it.
                let z = 1 + rng.below(3);
                steps.push(format!("{z} zero blocks"));
                out.extend_from_slice(&vec![0u8; 512 * z]);
                if rng.one_in(3) {
                    // A null block whose checksum field holds spaces.
                    let mut b = [0u8; 512];
                    b[148..156].fill(b' ');
                    out.extend_from_slice(&b);
                    steps.push("null block with spaces".to_owned());
                }
                entry(&mut out, &Hdr::new(&name, b'0', d.len() as u64), &d);
                steps.push(format!("file {:?}", String::from_utf8_lossy(&name)));
            }
            7 => {
                // A ustar prefix.
                let mut h = Hdr::new(&hostile_name(&mut rng), b'0', d.len() as u64);
                h.prefix = if rng.one_in(2) {
                    root.to_vec()
                } else {
                    join(root, b"lib")
                };
                if rng.one_in(3) {
                    h.magic = b"ustar  \0";
                }
                steps.push(format!(
                    "prefix {:?} name {:?}",
                    String::from_utf8_lossy(&h.prefix),
                    String::from_utf8_lossy(&h.name)
                ));
                entry(&mut out, &h, &d);
            }
            8 => {
                // Directories, links and devices.
                let t = *rng.pick(b"512346");
                let mut h = Hdr::new(&name, t, 0);
                h.link = if matches!(t, b'1' | b'2') {
                    join(root, b"package.json")
                } else {
                    Vec::new()
                };
                steps.push(format!(
                    "type {} {:?}",
                    t as char,
                    String::from_utf8_lossy(&name)
                ));
                entry(&mut out, &h, &[]);
            }
            9 => {
                // The same path twice, or case twins.
                let a = join(root, b"lib/twin.js");
                let b2 = if rng.one_in(2) {
                    a.clone()
                } else {
                    join(root, b"lib/Twin.js")
                };
                entry(&mut out, &Hdr::new(&a, b'0', d.len() as u64), &d);
                entry(&mut out, &Hdr::new(&b2, b'0', 3), b"two");
                steps.push(format!("twins {:?}", String::from_utf8_lossy(&b2)));
            }
            _ => {
                steps.push(format!("file {:?}", String::from_utf8_lossy(&name)));
                entry(&mut out, &Hdr::new(&name, b'0', d.len() as u64), &d);
            }
        }
    }
    // The end: a proper marker, none, a lone zero block, or junk after it.
    match rng.below(6) {
        0 => steps.push("no end marker".to_owned()),
        1 => {
            out.extend_from_slice(&[0u8; 512]);
            steps.push("one zero block at the end".to_owned());
        }
        2 => {
            out.extend_from_slice(&[0u8; 1024]);
            entry(
                &mut out,
                &Hdr::new(&join(root, b"after-end.js"), b'0', 4),
                b"evil",
            );
            steps.push("entry after the end marker".to_owned());
        }
        _ => out.extend_from_slice(&[0u8; 1024]),
    }
    if rng.one_in(12) {
        steps.push("plain tar, not gzip".to_owned());
        return Case { steps, bytes: out };
    }
    let mut gz = gzip(&out);
    match rng.below(10) {
        0 => {
            // Two members: the split falls anywhere.
            let at = rng.below(out.len().max(1));
            gz = gzip(&out[..at]);
            gz.extend_from_slice(&gzip(&out[at..]));
            steps.push(format!("two gzip members split at {at}"));
        }
        1 => {
            gz.extend_from_slice(&[0u8; 100]);
            steps.push("zero padding after gzip".to_owned());
        }
        2 => {
            gz.extend_from_slice(b"trailing garbage");
            steps.push("garbage after gzip".to_owned());
        }
        _ => {}
    }
    Case { steps, bytes: gz }
}

/// gzip of `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip finishes")
}
