//! Zip and wheel archives written byte by byte from a seed, with the mutations where zip
//! readers disagree: end-record counts, zip64 records, central vs local names and flags,
//! extra fields, methods, encryption, data descriptors, overlapping entries, prepended data,
//! and hostile names (drive letters, UNC, `..`, backslashes, NUL, controls, bidi, NFC/NFD,
//! case twins).

use std::io::Write as _;

use super::Rng;

/// One member as the generator writes it.
#[derive(Debug, Clone)]
pub struct Member {
    /// The central directory's name.
    pub name: Vec<u8>,
    /// The local header's name, when it differs.
    pub local_name: Option<Vec<u8>>,
    /// The uncompressed data.
    pub data: Vec<u8>,
    /// The method field (0 stored, 8 deflated; anything else is written stored but labelled).
    pub method: u16,
    /// General-purpose flags in the central directory.
    pub flags: u16,
    /// The local header's flags, when they differ.
    pub local_flags: Option<u16>,
    /// The central directory's uncompressed size, when it lies.
    pub declared: Option<u32>,
    /// The CRC written, when it lies.
    pub crc: Option<u32>,
    /// A Unix mode (with type bits) in the external attributes; `None` for a DOS entry.
    pub mode: Option<u32>,
    /// Extra field bytes in the central directory.
    pub extra: Vec<u8>,
    /// Sizes and offset as 0xFFFFFFFF with a zip64 extra field.
    pub zip64: bool,
    /// A data descriptor after the data (flag bit 3, zero sizes in the local header).
    pub descriptor: bool,
    /// "Version needed to extract".
    pub version: u16,
}

impl Member {
    /// A deflated regular file, mode 0644.
    pub fn file(name: &[u8], data: &[u8]) -> Self {
        Self {
            name: name.to_vec(),
            local_name: None,
            data: data.to_vec(),
            method: 8,
            flags: 0,
            local_flags: None,
            declared: None,
            crc: None,
            mode: Some(0o100_644),
            extra: Vec::new(),
            zip64: false,
            descriptor: false,
            version: 20,
        }
    }
}

/// A whole archive.
#[derive(Debug, Clone, Default)]
pub struct Archive {
    /// Members in order.
    pub members: Vec<Member>,
    /// Bytes before the first local header.
    pub prefix: Vec<u8>,
    /// The end record's entry count, when it lies.
    pub count: Option<u16>,
    /// A zip64 end record and locator before the end record.
    pub zip64_end: bool,
    /// `(i, j)`: member i's central record points at member j's local header.
    pub overlap: Option<(usize, usize)>,
    /// The archive comment.
    pub comment: Vec<u8>,
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

impl Archive {
    /// The bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = self.prefix.clone();
        let base = out.len();
        let mut offsets = Vec::new();
        let mut central = Vec::new();
        let mut packed = Vec::new();
        for m in &self.members {
            let stored = if m.method == 8 {
                deflate(&m.data)
            } else {
                m.data.clone()
            };
            let crc = m.crc.unwrap_or_else(|| crc32(&m.data));
            let size = m.declared.unwrap_or(m.data.len() as u32);
            let offset = (out.len() - base) as u32;
            offsets.push(offset);
            let local_name = m.local_name.as_ref().unwrap_or(&m.name);
            let lflags = m.local_flags.unwrap_or(m.flags) | if m.descriptor { 8 } else { 0 };
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&m.version.to_le_bytes());
            out.extend_from_slice(&lflags.to_le_bytes());
            out.extend_from_slice(&m.method.to_le_bytes());
            out.extend_from_slice(&[0, 0, 0x21, 0]);
            let (lcrc, lcs, lsize) = if m.descriptor {
                (0, 0, 0)
            } else if m.zip64 {
                (crc, u32::MAX, u32::MAX)
            } else {
                (crc, stored.len() as u32, size)
            };
            out.extend_from_slice(&lcrc.to_le_bytes());
            out.extend_from_slice(&lcs.to_le_bytes());
            out.extend_from_slice(&lsize.to_le_bytes());
            let lextra = if m.zip64 && !m.descriptor {
                let mut x = vec![1, 0, 16, 0];
                x.extend_from_slice(&u64::from(size).to_le_bytes());
                x.extend_from_slice(&(stored.len() as u64).to_le_bytes());
                x
            } else {
                Vec::new()
            };
            out.extend_from_slice(&(local_name.len() as u16).to_le_bytes());
            out.extend_from_slice(&(lextra.len() as u16).to_le_bytes());
            out.extend_from_slice(local_name);
            out.extend_from_slice(&lextra);
            out.extend_from_slice(&stored);
            if m.descriptor {
                out.extend_from_slice(b"PK\x07\x08");
                out.extend_from_slice(&crc.to_le_bytes());
                out.extend_from_slice(&(stored.len() as u32).to_le_bytes());
                out.extend_from_slice(&size.to_le_bytes());
            }
            packed.push((crc, stored.len() as u32, size));
        }
        for (i, m) in self.members.iter().enumerate() {
            let (crc, cs, size) = packed[i];
            let offset = match self.overlap {
                Some((a, b)) if a == i && b < offsets.len() => offsets[b],
                _ => offsets[i],
            };
            central.extend_from_slice(b"PK\x01\x02");
            central.push(20);
            central.push(if m.mode.is_some() { 3 } else { 0 });
            central.extend_from_slice(&m.version.to_le_bytes());
            let cflags = m.flags | if m.descriptor { 8 } else { 0 };
            central.extend_from_slice(&cflags.to_le_bytes());
            central.extend_from_slice(&m.method.to_le_bytes());
            central.extend_from_slice(&[0, 0, 0x21, 0]);
            central.extend_from_slice(&crc.to_le_bytes());
            let mut extra = m.extra.clone();
            if m.zip64 {
                central.extend_from_slice(&u32::MAX.to_le_bytes());
                central.extend_from_slice(&u32::MAX.to_le_bytes());
                let mut x = vec![1, 0, 24, 0];
                x.extend_from_slice(&u64::from(size).to_le_bytes());
                x.extend_from_slice(&u64::from(cs).to_le_bytes());
                x.extend_from_slice(&u64::from(offset).to_le_bytes());
                x.extend_from_slice(&extra);
                extra = x;
            } else {
                central.extend_from_slice(&cs.to_le_bytes());
                central.extend_from_slice(&size.to_le_bytes());
            }
            central.extend_from_slice(&(m.name.len() as u16).to_le_bytes());
            central.extend_from_slice(&(extra.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
            let dos_dir = u32::from(m.mode.is_none() && m.name.ends_with(b"/")) * 0x10;
            let external = m.mode.map_or(0, |mode| mode << 16) | dos_dir;
            central.extend_from_slice(&external.to_le_bytes());
            let stated = if m.zip64 { u32::MAX } else { offset };
            central.extend_from_slice(&stated.to_le_bytes());
            central.extend_from_slice(&m.name);
            central.extend_from_slice(&extra);
        }
        let cd_offset = (out.len() - base) as u64;
        let count = self.members.len() as u64;
        out.extend_from_slice(&central);
        if self.zip64_end {
            let at = (out.len() - base) as u64;
            out.extend_from_slice(b"PK\x06\x06");
            out.extend_from_slice(&44u64.to_le_bytes());
            out.extend_from_slice(&[45, 3, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&(central.len() as u64).to_le_bytes());
            out.extend_from_slice(&cd_offset.to_le_bytes());
            out.extend_from_slice(b"PK\x06\x07");
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&at.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
        }
        let n = self.count.unwrap_or(count as u16);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        let stated = if self.zip64_end {
            u32::MAX
        } else {
            cd_offset as u32
        };
        out.extend_from_slice(&stated.to_le_bytes());
        out.extend_from_slice(&(self.comment.len() as u16).to_le_bytes());
        out.extend_from_slice(&self.comment);
        out
    }
}

/// Hostile names (UTF-8 unless said): each is a class the generator draws from.
pub const NAMES: &[&[u8]] = &[
    b"pkg/__init__.py",
    b"pkg/util.py",
    b"evil.pth",
    b"../escape.py",
    b"pkg/../../up.py",
    b"/abs/root.py",
    b"C:/win/drive.py",
    b"c:drive-relative.py",
    b"\\\\srv\\share\\unc.py",
    b"pkg\\back\\slash.py",
    b"pkg/nul\0hidden.py",
    b"pkg/ctl\x1b[31m.py",
    b"pkg/bidi\xe2\x80\xaeyp.exe",
    b"pkg/caf\xc3\xa9.py",
    b"pkg/cafe\xcc\x81.py",
    b"pkg/Case.py",
    b"pkg/case.py",
    b"pkg/cp437-\x82.py",
    b"pkg/dir/",
    b"pkg/./dot.py",
    b"pkg//double.py",
];

/// The mutation classes, by name.
pub const MUTATIONS: &[&str] = &[
    "none",
    "count-zero",
    "count-wrong",
    "zip64-end",
    "zip64-member",
    "local-name-differs",
    "local-utf8-flag-differs",
    "utf8-flag",
    "utf8-flag-invalid",
    "unicode-path-extra",
    "bad-extra",
    "method-bzip2",
    "method-lzma",
    "method-unknown",
    "encrypted",
    "strong-encryption",
    "descriptor",
    "overlap",
    "prefix",
    "comment",
    "declared-larger",
    "declared-smaller",
    "bad-crc",
    "duplicate",
    "dos-dir-attr",
    "setuid",
    "mode",
    "symlink",
    "version-needed",
];

/// A generated case: its archive and the mutations applied (for messages).
pub struct Case {
    /// The archive.
    pub archive: Archive,
    /// What was done to it.
    pub applied: Vec<&'static str>,
}

/// A wheel-shaped archive with up to two mutations, from `seed`.
pub fn case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let mut a = Archive::default();
    a.members.push(Member::file(
        b"pkg-1.0.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n\n",
    ));
    for _ in 0..=rng.below(4) {
        let name = *rng.pick(NAMES);
        let data: Vec<u8> = (0..rng.below(300))
            .map(|_| rng.next() as u8 % 64 + 32)
            .collect();
        let mut m = Member::file(name, &data);
        if name.ends_with(b"/") {
            m.data.clear();
        }
        if name.iter().any(|&b| b >= 0x80) && !name.ends_with(b"\x82.py") {
            m.flags |= 0x800;
        }
        if rng.one_in(3) {
            m.method = 0;
        }
        a.members.push(m);
    }
    a.members.push(Member::file(
        b"pkg-1.0.dist-info/WHEEL",
        b"Wheel-Version: 1.0\nGenerator: shipcheck-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    ));
    a.members
        .push(Member::file(b"pkg-1.0.dist-info/RECORD", b""));
    let mut applied = Vec::new();
    // 0–2 mutations: a third of the cases keep the plain structure, so the hostile names
    // alone are compared too.
    for _ in 0..rng.below(3) {
        let which = *rng.pick(MUTATIONS);
        mutate(&mut a, which, &mut rng);
        applied.push(which);
    }
    Case {
        archive: a,
        applied,
    }
}

/// Applies one named mutation.
pub fn mutate(archive: &mut Archive, which: &str, rng: &mut Rng) {
    let a = archive;
    let count = a.members.len();
    let at = rng.below(count);
    let m = &mut a.members[at];
    match which {
        "count-zero" => a.count = Some(0),
        "count-wrong" => a.count = Some(rng.below(count + 3) as u16),
        "zip64-end" => a.zip64_end = true,
        "zip64-member" => m.zip64 = true,
        "local-name-differs" => {
            let mut l = m.name.clone();
            if let Some(c) = l.first_mut() {
                *c ^= 1;
            }
            m.local_name = Some(l);
        }
        "local-utf8-flag-differs" => m.local_flags = Some(m.flags ^ 0x800),
        "utf8-flag" => m.flags |= 0x800,
        "utf8-flag-invalid" => {
            m.name.extend_from_slice(b"\xff.py");
            m.flags |= 0x800;
        }
        "unicode-path-extra" => {
            let target = b"renamed.pth";
            let mut x = vec![0x75, 0x70];
            x.extend_from_slice(&((5 + target.len()) as u16).to_le_bytes());
            x.push(1);
            x.extend_from_slice(&crc32(&m.name).to_le_bytes());
            x.extend_from_slice(target);
            m.extra = x;
        }
        "bad-extra" => m.extra = vec![0x34, 0x12, 40, 0, 1, 2],
        "method-bzip2" => m.method = 12,
        "method-lzma" => m.method = 14,
        "method-unknown" => m.method = 77,
        "encrypted" => m.flags |= 1,
        "strong-encryption" => m.flags |= 0x41,
        "descriptor" => m.descriptor = true,
        "overlap" => a.overlap = Some((at, rng.below(count))),
        "prefix" => a.prefix = b"#!/bin/sh\nexit 0\n".to_vec(),
        "comment" => {
            a.comment = b"a comment with PK\x05\x06 inside".to_vec();
        }
        "declared-larger" => m.declared = Some(m.data.len() as u32 + 1 + rng.below(100) as u32),
        "declared-smaller" => m.declared = Some((m.data.len() / 2) as u32),
        "bad-crc" => m.crc = Some(rng.next() as u32),
        "duplicate" => {
            let mut twin = m.clone();
            twin.data = b"import os; os.system('id')\n".to_vec();
            a.members.push(twin);
        }
        "dos-dir-attr" => m.mode = None,
        "setuid" => m.mode = Some(0o104_755),
        // Permission bits with and without the regular-file type bits: pip makes a file
        // executable only when both say so.
        "mode" => {
            let perm = *rng.pick(&[0o600, 0o640, 0o700, 0o755, 0o777, 0o666, 0, 0o751, 0o711]);
            let kind = *rng.pick(&[0o100_000, 0]);
            m.mode = Some(kind | perm);
        }
        "symlink" => {
            m.mode = Some(0o120_777);
            m.data = b"../../etc/passwd".to_vec();
            m.method = 0;
        }
        "version-needed" => m.version = 64,
        _ => {}
    }
}
