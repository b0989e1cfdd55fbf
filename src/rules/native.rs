//! What a native file is, from its first bytes and headers: core and crash dumps, symbol
//! databases, and ELF / Mach-O binaries that still carry DWARF debug info.
//!
//! Every file goes through [`sniff`], so the common case costs one look at four bytes. Only an
//! ELF or Mach-O magic leads further, into the section or load-command headers, and those are
//! read in place: every offset and count in them comes from the (untrusted) file, so each read
//! is bounds-checked, loops are bounded by the bytes there are, and nothing is allocated from a
//! header value. Hand-written rather than the `object` crate: the few headers needed are less
//! code than the dependency's generic readers cost in build time on every change.
//!
//! PE images are not inspected: a release DLL or `.node` built by MSVC always has a debug
//! directory naming its PDB, which is normal; the PDB itself is found when it ships.

/// What [`sniff`] recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Native {
    /// A process core dump (ELF `ET_CORE`, Mach-O `MH_CORE`).
    Core {
        /// The container (`ELF 64-bit LSB`, `Mach-O 64-bit`).
        format: &'static str,
    },
    /// A Windows crash dump: a minidump (`MDMP`) or a full memory dump (`PAGEDUMP`).
    CrashDump {
        /// Which of the two.
        format: &'static str,
    },
    /// A Microsoft program database (PDB).
    Pdb,
    /// A Mach-O dSYM companion file (`MH_DSYM`): the debug info split out of a binary.
    DebugSymbols {
        /// The container.
        format: &'static str,
    },
    /// A binary or object file that still carries DWARF debug info.
    Unstripped {
        /// The container.
        format: &'static str,
        /// Executable, shared object, relocatable object…
        kind: &'static str,
        /// The debug sections or segment found (`.debug_info`, `__DWARF`).
        sections: Vec<&'static str>,
    },
}

/// DWARF sections that mean a binary was not stripped (line tables and type/variable info;
/// `.zdebug_*` is the old compressed form, `*.dwo` split DWARF).
const DEBUG_SECTIONS: &[&str] = &[
    ".debug_info",
    ".debug_line",
    ".zdebug_info",
    ".zdebug_line",
    ".debug_info.dwo",
    ".debug_line.dwo",
];

/// ELF section type of a section with no bytes in the file.
const SHT_NOBITS: u32 = 8;
/// Mach-O 32-bit segment load command.
const LC_SEGMENT: u32 = 0x1;
/// Mach-O 64-bit segment load command.
const LC_SEGMENT_64: u32 = 0x19;

/// Looks at a file's first bytes, and only for ELF or Mach-O at their headers.
pub fn sniff(bytes: &[u8]) -> Option<Native> {
    let magic = bytes.get(..4)?;
    match magic {
        b"\x7fELF" => elf(bytes),
        b"MDMP" if bytes.get(4..6) == Some(b"\x93\xa7") => Some(Native::CrashDump {
            format: "Windows minidump",
        }),
        b"PAGE" if matches!(bytes.get(4..8), Some(b"DUMP" | b"DU64")) => Some(Native::CrashDump {
            format: "Windows memory dump",
        }),
        b"Micr"
            if bytes.starts_with(b"Microsoft C/C++ MSF 7.00\r\n\x1aDS")
                || bytes.starts_with(b"Microsoft C/C++ program database 2.00\r\n\x1aJG") =>
        {
            Some(Native::Pdb)
        }
        [0xca, 0xfe, 0xba, 0xbe | 0xbf] => fat(bytes),
        _ => macho(bytes),
    }
}

/// Bounds-checked integer reads in one byte order.
#[derive(Clone, Copy)]
struct Read<'a> {
    bytes: &'a [u8],
    little: bool,
}

impl<'a> Read<'a> {
    fn take<const N: usize>(self, at: usize) -> Option<[u8; N]> {
        self.bytes.get(at..at.checked_add(N)?)?.try_into().ok()
    }
    fn u16(self, at: usize) -> Option<u16> {
        let b = self.take::<2>(at)?;
        Some(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }
    fn u32(self, at: usize) -> Option<u32> {
        let b = self.take::<4>(at)?;
        Some(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }
    fn u64(self, at: usize) -> Option<u64> {
        let b = self.take::<8>(at)?;
        Some(if self.little {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    }
    /// A 32- or 64-bit word as `usize` (`None` if it does not fit).
    fn word(self, at: usize, wide: bool) -> Option<usize> {
        let v = if wide {
            self.u64(at)?
        } else {
            u64::from(self.u32(at)?)
        };
        usize::try_from(v).ok()
    }
    /// The NUL-terminated name at `at` inside `table` (a string table's range).
    fn name(self, table: std::ops::Range<usize>, at: usize) -> Option<&'a [u8]> {
        let start = table.start.checked_add(at)?;
        let tail = self.bytes.get(start..table.end)?;
        let end = memchr::memchr(0, tail)?;
        Some(&tail[..end])
    }
}

fn elf(bytes: &[u8]) -> Option<Native> {
    let wide = match bytes.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let little = match bytes.get(5)? {
        1 => true,
        2 => false,
        _ => return None,
    };
    let format = match (wide, little) {
        (true, true) => "ELF 64-bit LSB",
        (true, false) => "ELF 64-bit MSB",
        (false, true) => "ELF 32-bit LSB",
        (false, false) => "ELF 32-bit MSB",
    };
    let r = Read { bytes, little };
    let kind = match r.u16(16)? {
        1 => "relocatable object",
        2 => "executable",
        3 => "shared object",
        4 => return Some(Native::Core { format }),
        _ => return None,
    };
    // Section header table: offset, entry size, count, index of the names' table.
    let (shoff, entsize, shnum, shstrndx) = if wide {
        (
            r.word(0x28, true)?,
            r.u16(0x3a)?,
            r.u16(0x3c)?,
            r.u16(0x3e)?,
        )
    } else {
        (
            r.word(0x20, false)?,
            r.u16(0x2e)?,
            r.u16(0x30)?,
            r.u16(0x32)?,
        )
    };
    let (min_entry, off_at, size_at, type_at, link_at) = if wide {
        (64, 24, 32, 4, 40)
    } else {
        (40, 16, 20, 4, 24)
    };
    let entsize = usize::from(entsize);
    if shoff == 0 || entsize < min_entry {
        return None;
    }
    let header = |i: usize| shoff.checked_add(i.checked_mul(entsize)?);
    // More than 0xff00 sections: the real count and names index live in section 0.
    let count = if shnum == 0 {
        r.word(header(0)?.saturating_add(size_at), wide)?
    } else {
        usize::from(shnum)
    };
    let names_index = if shstrndx == 0xffff {
        r.u32(header(0)?.saturating_add(link_at))? as usize
    } else {
        usize::from(shstrndx)
    };
    let names_header = header(names_index)?;
    let names_off = r.word(names_header.saturating_add(off_at), wide)?;
    let names_size = r.word(names_header.saturating_add(size_at), wide)?;
    let names = names_off..names_off.checked_add(names_size)?;
    // Bounded by the headers the file can actually hold, whatever `count` claims.
    let fit = bytes.len().saturating_sub(shoff) / entsize;
    let mut sections = Vec::new();
    for i in 0..count.min(fit) {
        let Some(h) = header(i) else { break };
        let has_data = r.u32(h.saturating_add(type_at)) != Some(SHT_NOBITS)
            && r.word(h.saturating_add(size_at), wide)
                .is_some_and(|s| s > 0);
        let Some(name) = r.u32(h).and_then(|n| r.name(names.clone(), n as usize)) else {
            continue;
        };
        if has_data
            && let Some(known) = DEBUG_SECTIONS.iter().find(|d| d.as_bytes() == name)
            && !sections.contains(known)
        {
            sections.push(*known);
        }
    }
    (!sections.is_empty()).then_some(Native::Unstripped {
        format,
        kind,
        sections,
    })
}

/// A universal (fat) Mach-O: each architecture's slice is a Mach-O of its own. Java class
/// files share the magic; their next word is a version of 45 or more, a fat file's its
/// (small) number of slices.
fn fat(bytes: &[u8]) -> Option<Native> {
    let r = Read {
        bytes,
        little: false,
    };
    let wide = bytes.get(3) == Some(&0xbf);
    let slices = r.u32(4)? as usize;
    if slices == 0 || slices >= 45 {
        return None;
    }
    let entry = if wide { 32 } else { 20 };
    for i in 0..slices {
        let at = 8 + i * entry;
        let (offset, size) = if wide {
            (r.word(at + 8, true)?, r.word(at + 16, true)?)
        } else {
            (r.word(at + 8, false)?, r.word(at + 12, false)?)
        };
        let Some(slice) = bytes.get(offset..offset.saturating_add(size)) else {
            continue;
        };
        if let Some(found) = macho(slice) {
            return Some(found);
        }
    }
    None
}

fn macho(bytes: &[u8]) -> Option<Native> {
    let (wide, little) = match bytes.get(..4)? {
        [0xce, 0xfa, 0xed, 0xfe] => (false, true),
        [0xcf, 0xfa, 0xed, 0xfe] => (true, true),
        [0xfe, 0xed, 0xfa, 0xce] => (false, false),
        [0xfe, 0xed, 0xfa, 0xcf] => (true, false),
        _ => return None,
    };
    let format = if wide { "Mach-O 64-bit" } else { "Mach-O" };
    let r = Read { bytes, little };
    let kind = match r.u32(12)? {
        1 => "relocatable object",
        2 => "executable",
        4 => return Some(Native::Core { format }),
        6 => "shared library",
        8 => "bundle",
        10 => return Some(Native::DebugSymbols { format }),
        _ => return None,
    };
    let commands = r.u32(16)? as usize;
    let mut at = if wide { 32 } else { 28 };
    // Each command is at least 8 bytes, so the loop ends within the file whatever `ncmds` says.
    for _ in 0..commands {
        let (Some(cmd), Some(size)) = (r.u32(at), r.u32(at.saturating_add(4))) else {
            break;
        };
        let size = size as usize;
        if size < 8 {
            break;
        }
        let segment = cmd == LC_SEGMENT || cmd == LC_SEGMENT_64;
        let filesize = if cmd == LC_SEGMENT_64 {
            r.u64(at.saturating_add(48))
        } else {
            r.u32(at.saturating_add(36)).map(u64::from)
        };
        if segment
            && bytes
                .get(at.saturating_add(8)..at.saturating_add(24))
                .is_some_and(is_dwarf_segment)
            && filesize.is_some_and(|s| s > 0)
        {
            return Some(Native::Unstripped {
                format,
                kind,
                sections: vec!["__DWARF"],
            });
        }
        at = at.checked_add(size)?;
    }
    None
}

/// True for the 16-byte, NUL-padded segment name `__DWARF`.
fn is_dwarf_segment(name: &[u8]) -> bool {
    name.starts_with(b"__DWARF") && name.get(7..).is_some_and(|pad| pad.iter().all(|&b| b == 0))
}

/// A native binary's container, kind and architecture, read from its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// `ELF 64-bit LSB`, `Mach-O 64-bit`, `Mach-O universal`, `PE32+`, `WebAssembly`.
    pub format: &'static str,
    /// Executable, shared object, DLL, bundle, module…
    pub kind: &'static str,
    /// The architectures (one, or each slice of a universal Mach-O).
    pub arch: Vec<&'static str>,
}

impl std::fmt::Display for Binary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({})",
            self.format,
            self.kind,
            self.arch.join(", ")
        )
    }
}

fn elf_machine(m: u16) -> &'static str {
    match m {
        3 => "x86",
        8 => "mips",
        0x14 => "ppc",
        0x15 => "ppc64",
        0x16 => "s390x",
        0x28 => "arm",
        0x3e => "x86-64",
        0xb7 => "aarch64",
        0xf3 => "riscv",
        0x102 => "loongarch",
        _ => "other",
    }
}

fn macho_cpu(cpu: u32) -> &'static str {
    match cpu {
        7 => "x86",
        0x0100_0007 => "x86-64",
        12 => "arm",
        0x0100_000c => "arm64",
        0x0200_000c => "arm64_32",
        18 => "ppc",
        0x0100_0012 => "ppc64",
        _ => "other",
    }
}

/// What native binary `bytes` is, from its first header: ELF, Mach-O (thin or universal), PE
/// (with its `PE\0\0` signature, not `MZ` alone) and WebAssembly. Four bytes decide for any
/// other file; every offset read is bounds-checked.
pub fn identify(bytes: &[u8]) -> Option<Binary> {
    match bytes.get(..4)? {
        b"\x7fELF" => {
            let little = match bytes.get(5)? {
                1 => true,
                2 => false,
                _ => return None,
            };
            let format = match (bytes.get(4)?, little) {
                (2, true) => "ELF 64-bit LSB",
                (2, false) => "ELF 64-bit MSB",
                (1, true) => "ELF 32-bit LSB",
                (1, false) => "ELF 32-bit MSB",
                _ => return None,
            };
            let r = Read { bytes, little };
            let kind = match r.u16(16)? {
                1 => "relocatable object",
                2 => "executable",
                3 => "shared object",
                4 => "core dump",
                _ => "other",
            };
            Some(Binary {
                format,
                kind,
                arch: vec![elf_machine(r.u16(18)?)],
            })
        }
        b"\0asm" if bytes.get(4..8) == Some(b"\x01\0\0\0") => Some(Binary {
            format: "WebAssembly",
            kind: "module",
            arch: vec!["wasm32"],
        }),
        [b'M', b'Z', _, _] => {
            let r = Read {
                bytes,
                little: true,
            };
            let pe = r.u32(0x3c)? as usize;
            if bytes.get(pe..pe.checked_add(4)?) != Some(b"PE\0\0") {
                return None;
            }
            let arch = match r.u16(pe + 4)? {
                0x14c => "x86",
                0x8664 => "x86-64",
                0xaa64 => "arm64",
                0x1c0 | 0x1c4 => "arm",
                _ => "other",
            };
            let dll = r.u16(pe + 22)? & 0x2000 != 0;
            let format = match r.u16(pe + 24)? {
                0x20b => "PE32+",
                _ => "PE32",
            };
            Some(Binary {
                format,
                kind: if dll { "DLL" } else { "executable" },
                arch: vec![arch],
            })
        }
        [0xca, 0xfe, 0xba, wide @ (0xbe | 0xbf)] => {
            let r = Read {
                bytes,
                little: false,
            };
            let slices = r.u32(4)? as usize;
            // Java class files share the magic: their next word is a version of 45 or more.
            if slices == 0 || slices >= 45 {
                return None;
            }
            let entry = if *wide == 0xbf { 32 } else { 20 };
            let mut arch = Vec::new();
            let mut kind = "other";
            for i in 0..slices {
                let at = 8 + i * entry;
                let Some(cpu) = r.u32(at) else { break };
                arch.push(macho_cpu(cpu));
                let offset = r.word(at + 8, *wide == 0xbf);
                if let Some(inner) = offset.and_then(|o| bytes.get(o..)).and_then(macho_binary) {
                    kind = inner.kind;
                }
            }
            Some(Binary {
                format: "Mach-O universal",
                kind,
                arch,
            })
        }
        _ => macho_binary(bytes),
    }
}

/// A thin Mach-O's kind and architecture (a universal file's slice is one).
fn macho_binary(bytes: &[u8]) -> Option<Binary> {
    let (wide, little) = match bytes.get(..4)? {
        [0xce, 0xfa, 0xed, 0xfe] => (false, true),
        [0xcf, 0xfa, 0xed, 0xfe] => (true, true),
        [0xfe, 0xed, 0xfa, 0xce] => (false, false),
        [0xfe, 0xed, 0xfa, 0xcf] => (true, false),
        _ => return None,
    };
    let r = Read { bytes, little };
    let kind = match r.u32(12)? {
        1 => "object",
        2 => "executable",
        4 => "core dump",
        6 => "dynamic library",
        8 => "bundle",
        10 => "debug symbols",
        _ => "other",
    };
    Some(Binary {
        format: if wide { "Mach-O 64-bit" } else { "Mach-O" },
        kind,
        arch: vec![macho_cpu(r.u32(4)?)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::fixtures;

    #[test]
    fn elf_core_files_and_debug_sections_in_every_layout() {
        for (wide, little) in [(true, true), (true, false), (false, true), (false, false)] {
            assert!(
                matches!(
                    sniff(&fixtures::elf(4, &[], wide, little)),
                    Some(Native::Core { .. })
                ),
                "core, wide={wide} little={little}"
            );
            let found = sniff(&fixtures::elf(2, &[".text", ".debug_line"], wide, little));
            assert!(
                matches!(&found, Some(Native::Unstripped { kind: "executable", sections, .. })
                    if sections == &[".debug_line"]),
                "{found:?}, wide={wide} little={little}"
            );
            assert_eq!(
                sniff(&fixtures::elf(3, &[".text", ".symtab"], wide, little)),
                None,
                "symbols without DWARF: stripped of debug info"
            );
        }
    }

    #[test]
    fn mach_o_thin_and_fat() {
        assert!(matches!(
            sniff(&fixtures::macho(2, &["__PAGEZERO", "__TEXT", "__DWARF"])),
            Some(Native::Unstripped {
                kind: "executable",
                ..
            })
        ));
        assert_eq!(sniff(&fixtures::macho(6, &["__TEXT", "__DWARFX"])), None);
        assert!(matches!(
            sniff(&fixtures::macho(4, &[])),
            Some(Native::Core { .. })
        ));
        let fat = fixtures::fat_macho(&[
            fixtures::macho(6, &["__TEXT"]),
            fixtures::macho(6, &["__TEXT", "__DWARF"]),
        ]);
        assert!(
            matches!(sniff(&fat), Some(Native::Unstripped { .. })),
            "any slice with DWARF"
        );
        let clean = fixtures::fat_macho(&[fixtures::macho(6, &["__TEXT"])]);
        assert_eq!(sniff(&clean), None);
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(
            sniff(&fixtures::minidump()),
            Some(Native::CrashDump {
                format: "Windows minidump"
            })
        );
        assert_eq!(sniff(&fixtures::pdb()), Some(Native::Pdb));
        assert_eq!(sniff(b"MDMP is a word"), None, "magic and version both");
        assert_eq!(sniff(b"MZ\x90\0"), None, "PE images are not inspected");
        assert_eq!(sniff(b"\x7fEL"), None, "too short");
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn binaries_are_identified_with_kind_and_architecture() {
        let elf = identify(&fixtures::elf(3, &[".text"], true, true)).expect("ELF");
        assert_eq!(elf.to_string(), "ELF 64-bit LSB shared object (x86-64)");
        let m = identify(&fixtures::macho(6, &["__TEXT"])).expect("Mach-O");
        assert_eq!((m.format, m.kind), ("Mach-O 64-bit", "dynamic library"));
        let fat = identify(&fixtures::fat_macho(&[
            fixtures::macho(8, &["__TEXT"]),
            fixtures::macho(8, &["__TEXT"]),
        ]))
        .expect("fat");
        assert_eq!(
            (fat.format, fat.kind, fat.arch.len()),
            ("Mach-O universal", "bundle", 2)
        );
        let pe = identify(&fixtures::pe(0xaa64, true)).expect("PE");
        assert_eq!(pe.to_string(), "PE32+ DLL (arm64)");
        assert_eq!(
            identify(&fixtures::wasm()).expect("wasm").format,
            "WebAssembly"
        );
        assert_eq!(
            identify(b"MZ is a word in a text file"),
            None,
            "MZ without PE\\0\\0"
        );
        assert_eq!(identify(b"\xca\xfe\xba\xbe\0\0\0\x34 a Java class"), None);
        assert_eq!(identify(b"\0asm"), None);
    }

    /// Every prefix and many single-byte changes of each fixture: never a panic.
    #[test]
    fn mangled_headers_never_panic() {
        let samples = [
            fixtures::elf(3, &[".debug_info", ".debug_line"], true, true),
            fixtures::elf(2, &[".debug_info"], false, false),
            fixtures::macho(6, &["__TEXT", "__DWARF"]),
            fixtures::fat_macho(&[fixtures::macho(2, &["__DWARF"])]),
            fixtures::pe(0x8664, false),
            fixtures::wasm(),
        ];
        for sample in &samples {
            for cut in 0..sample.len() {
                let _ = sniff(&sample[..cut]);
                let _ = identify(&sample[..cut]);
            }
            for at in 0..sample.len() {
                for v in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                    let mut m = sample.clone();
                    m[at] = v;
                    let _ = sniff(&m);
                    let _ = identify(&m);
                }
            }
        }
    }

    #[test]
    fn hostile_counts_are_bounded_by_the_file() {
        // 0xffff sections claimed, names table index past them, and a section header table
        // offset near the top of the address space: nothing is read out of bounds.
        let mut e = fixtures::elf(3, &[".debug_info"], true, true);
        e[0x3c..0x3e].copy_from_slice(&0xffffu16.to_le_bytes());
        let _ = sniff(&e);
        e[0x28..0x30].copy_from_slice(&(u64::MAX - 8).to_le_bytes());
        assert_eq!(sniff(&e), None);
        // Extended numbering: shnum 0, the count in section 0's size, set absurdly high.
        let mut x = fixtures::elf(3, &[".debug_info"], true, true);
        let shoff = usize::try_from(u64::from_le_bytes(x[0x28..0x30].try_into().expect("8")))
            .expect("fits");
        x[0x3c..0x3e].copy_from_slice(&0u16.to_le_bytes());
        x[shoff + 32..shoff + 40].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(sniff(&x), Some(Native::Unstripped { .. })));
        // A Mach-O claiming 4 billion load commands of 8 bytes each.
        let mut m = fixtures::macho(6, &["__TEXT"]);
        m[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(sniff(&m), None);
    }
}
