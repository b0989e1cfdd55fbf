//! `debug-artifact`: debug symbols, crash dumps, unstripped binaries and similar build leftovers.
//!
//! Found by name (`*.pdb`, `*.dSYM/`, `core.1234`, …) and by content whatever the name
//! ([`native::sniff`]: ELF and Mach-O core dumps, minidumps, PDBs, dSYM companions, and ELF /
//! Mach-O binaries that still carry DWARF). A stripped `.so` or `.node` is not reported, nor
//! is a PE image's debug directory naming its PDB, which every MSVC release build has.

use serde_json::json;

use super::ctx::FileCtx;
use super::native::{self, Native};
use super::{Finding, Rule, Severity};
use crate::detect::text::file_name;

/// The rule.
pub const RULE: Rule = Rule {
    id: "debug-artifact",
    severity: Severity::High,
    summary: "debug symbols, crash dumps (by name or content), unstripped binaries (medium)",
    why: "Symbol files carry source paths, function names and sometimes source; core and crash \
          dumps carry process memory, which means environment variables, tokens and user data. \
          They are never meant for a package and are usually large, so they are high whatever \
          their name says. A native binary or addon that still carries DWARF (`.debug_info`, \
          `.debug_line`, a Mach-O `__DWARF` segment) leaks the build machine's source paths and \
          every symbol and type name, and is often several times its stripped size; it is \
          medium because many packages ship such builds by accident rather than by leak, and \
          `strip --strip-debug` (or `-s -w`, `strip = \"debuginfo\"`) fixes it.",
};

fn what(path: &str) -> Option<&'static str> {
    let name = file_name(path).to_ascii_lowercase();
    if path
        .split('/')
        .any(|p| p.to_ascii_lowercase().ends_with(".dsym"))
    {
        return Some("macOS debug symbols (.dSYM)");
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some("pdb") => return Some("Windows debug symbols (.pdb)"),
        Some("dmp" | "mdmp") => return Some("crash dump"),
        Some("dwo" | "dwp") => return Some("split DWARF debug info"),
        Some("ilk") => return Some("incremental link state"),
        Some("debug") => return Some("separated debug info"),
        _ => {}
    }
    let core_numbered = name
        .strip_prefix("core.")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if name == "core"
        || core_numbered
        || name.starts_with("vgcore.")
        || name.starts_with("hs_err_pid")
    {
        return Some("core or crash dump");
    }
    None
}

/// Reports debug leftovers by content, else by name. One finding per file.
pub fn check(ctx: &FileCtx<'_>, bytes: &[u8], out: &mut Vec<Finding>) {
    let by_name = what(ctx.name());
    let found = native::sniff(bytes);
    let finding = match (&found, by_name) {
        (None, None) => return,
        (None, Some(what)) => Finding::new(
            &RULE,
            ctx.location(None, None),
            format!("{what} ships in the package"),
        )
        .evidence(json!({ "detected_by": "name" })),
        // A file named as debug info (`x.debug`, `x.dwo`) that is one: high, as named.
        (Some(Native::Unstripped { sections, .. }), Some(what)) => Finding::new(
            &RULE,
            ctx.location(None, None),
            format!(
                "{what} ships in the package (DWARF: {})",
                sections.join(", ")
            ),
        )
        .evidence(json!({ "detected_by": "name and content", "debug_sections": sections })),
        (Some(native), _) => by_content(ctx, native),
    };
    out.push(finding);
}

fn by_content(ctx: &FileCtx<'_>, found: &Native) -> Finding {
    let (kind, format, message, severity) = match found {
        Native::Core { format } => (
            "core-dump",
            *format,
            format!("{format} core dump ships in the package: a crashed process's memory"),
            Severity::High,
        ),
        Native::CrashDump { format } => (
            "crash-dump",
            *format,
            format!("{format} ships in the package: a crashed process's memory"),
            Severity::High,
        ),
        Native::Pdb => (
            "pdb",
            "MSF",
            "Windows debug symbols (PDB) ship in the package".to_owned(),
            Severity::High,
        ),
        Native::DebugSymbols { format } => (
            "dsym",
            *format,
            format!("macOS debug symbols ({format} dSYM companion) ship in the package"),
            Severity::High,
        ),
        Native::Unstripped {
            format,
            kind,
            sections,
        } => (
            "unstripped-binary",
            *format,
            format!(
                "unstripped {format} {kind}: DWARF debug info ({}) with source paths and symbol names",
                sections.join(", ")
            ),
            Severity::Medium,
        ),
    };
    let sections = match found {
        Native::Unstripped { sections, .. } => sections.as_slice(),
        _ => &[],
    };
    Finding::new(&RULE, ctx.location(None, None), message)
        .severity(severity)
        .evidence(json!({
            "detected_by": "content",
            "kind": kind,
            "format": format,
            "debug_sections": sections,
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::fixtures;
    use crate::rules::test_support::with_file;

    #[test]
    fn names() {
        assert!(what("bin/app.pdb").is_some());
        assert!(what("App.dSYM/Contents/Resources/DWARF/App").is_some());
        assert!(what("core.12345").is_some());
        assert!(what("hs_err_pid4242.log").is_some());
        assert!(what("lib/core.js").is_none(), "core.js is code, not a dump");
        assert!(what("src/core/index.js").is_none());
    }

    fn run(path: &str, bytes: &[u8]) -> Vec<Finding> {
        let mut out = Vec::new();
        with_file(path, |ctx| check(ctx, bytes, &mut out));
        out
    }

    #[test]
    fn dumps_and_symbols_are_high_whatever_their_name() {
        for (bytes, kind) in [
            (fixtures::elf(4, &[], true, true), "core-dump"),
            (fixtures::minidump(), "crash-dump"),
            (fixtures::pdb(), "pdb"),
            (fixtures::macho(10, &["__DWARF"]), "dsym"),
            (fixtures::macho(4, &[]), "core-dump"),
        ] {
            let out = run("assets/blob.bin", &bytes);
            assert_eq!(out.len(), 1, "{kind}: one finding");
            assert_eq!(out[0].severity, Severity::High, "{kind}");
            assert_eq!(out[0].evidence["kind"], kind);
            assert_eq!(out[0].evidence["detected_by"], "content");
        }
    }

    #[test]
    fn unstripped_binaries_are_medium_with_their_sections() {
        let so = fixtures::elf(3, &[".text", ".debug_info", ".debug_line"], true, true);
        let out = run("build/Release/addon.node", &so);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Medium);
        assert_eq!(
            out[0].evidence["debug_sections"],
            json!([".debug_info", ".debug_line"])
        );
        assert!(
            out[0]
                .message
                .contains("unstripped ELF 64-bit LSB shared object"),
            "{}",
            out[0].message
        );
        let dylib = fixtures::macho(6, &["__TEXT", "__DWARF"]);
        assert_eq!(run("lib/libx.dylib", &dylib)[0].severity, Severity::Medium);
    }

    #[test]
    fn stripped_binaries_and_ordinary_files_are_not_reported() {
        let stripped = fixtures::elf(3, &[".text", ".symtab", ".gnu_debuglink"], true, true);
        assert!(run("prebuilds/linux-x64/addon.node", &stripped).is_empty());
        assert!(run("lib/libfoo.so", &fixtures::macho(6, &["__TEXT"])).is_empty());
        assert!(run("index.js", b"module.exports = 1;\n").is_empty());
        assert!(
            run("x.class", b"\xca\xfe\xba\xbe\0\0\0\x34").is_empty(),
            "a Java class"
        );
    }

    #[test]
    fn a_debug_file_named_as_one_stays_high() {
        let debug = fixtures::elf(3, &[".debug_info"], true, true);
        let out = run("lib/libx.so.debug", &debug);
        assert_eq!(out.len(), 1, "one finding for name and content");
        assert_eq!(out[0].severity, Severity::High);
        assert_eq!(out[0].evidence["detected_by"], "name and content");
    }
}
