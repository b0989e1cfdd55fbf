//! `native-binary`: every native binary the package ships, listed with its kind and
//! architecture, with or without a baseline.
//!
//! One finding per package, not per file: a package like `sharp` or `esbuild` ships a binary
//! per platform, and a reviewer needs the list (in the evidence, one row per file with its
//! location) and the first file to jump to, not a dozen lines that say the same thing. What a
//! file is comes from its header ([`super::native::identify`]); a `.node` addon whose header is
//! none of those is listed too, as unrecognised.

use serde_json::json;

use super::ctx::FileCtx;
use super::native::{self, Binary};
use super::{Finding, Location, Rule, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "native-binary",
    severity: Severity::Low,
    summary: "every ELF / Mach-O / PE / WebAssembly file and `.node` addon, with kind and architecture",
    why: "A native binary is code nobody reviews as text: no diff shows what changed in it, and \
          no rule can read what it does. It may be exactly what the package is for (a compiled \
          addon, a prebuilt tool), but the reviewer should see each one, with the platform it \
          is built for, and know whether it was expected. The list is in one finding per \
          package; each file's kind and architecture come from its header.",
};

/// One binary found.
#[derive(Debug, Clone)]
struct Found {
    location: Location,
    what: Option<Binary>,
    size: u64,
}

/// The binaries seen while the files streamed past.
#[derive(Debug, Default)]
pub struct Binaries(Vec<Found>);

impl Binaries {
    /// Looks at one file's header (four bytes decide for anything that is not a binary).
    pub fn add(&mut self, ctx: &FileCtx<'_>, bytes: &[u8]) {
        let what = native::identify(bytes);
        let addon = ctx.name().to_ascii_lowercase().ends_with(".node");
        if what.is_some() || addon {
            self.0.push(Found {
                location: ctx.location(None, None),
                what,
                size: bytes.len() as u64,
            });
        }
    }

    /// Takes over another scanner's.
    pub fn merge(&mut self, other: Binaries) {
        self.0.extend(other.0);
    }

    /// One listing finding, at the first binary in package order.
    pub fn findings(mut self) -> Option<Finding> {
        if self.0.is_empty() {
            return None;
        }
        self.0.sort_by(|a, b| {
            (a.location.entry, &a.location.inner).cmp(&(b.location.entry, &b.location.inner))
        });
        let describe = |f: &Found| match &f.what {
            Some(b) => b.to_string(),
            None => "a .node addon of no known binary format".to_owned(),
        };
        let shown: Vec<String> = self
            .0
            .iter()
            .take(5)
            .map(|f| format!("{} ({})", f.location, describe(f)))
            .collect();
        let more = self.0.len().saturating_sub(shown.len());
        let message = format!(
            "{} native binar{}: {}{}",
            self.0.len(),
            if self.0.len() == 1 { "y" } else { "ies" },
            shown.join("; "),
            if more > 0 {
                format!("; and {more} more (in the evidence)")
            } else {
                String::new()
            }
        );
        let files: Vec<_> = self
            .0
            .iter()
            .map(|f| {
                json!({
                    "path": f.location.to_string(),
                    "format": f.what.as_ref().map(|b| b.format),
                    "kind": f.what.as_ref().map(|b| b.kind),
                    "arch": f.what.as_ref().map(|b| b.arch.clone()),
                    "size": f.size,
                })
            })
            .collect();
        let first = self.0[0].location.clone();
        Some(Finding::new(&RULE, first, message).evidence(json!({ "files": files })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{artifact_of, fixtures};

    #[test]
    fn one_listing_per_package_pointing_at_the_first() {
        let elf = fixtures::elf(3, &[".text"], true, true);
        let dylib = fixtures::macho(6, &["__TEXT"]);
        let dll = fixtures::pe(0x8664, true);
        let wasm = fixtures::wasm();
        let a = artifact_of(&[
            ("package/package.json", br#"{"name":"n","version":"1.0.0"}"#),
            (
                "package/index.js",
                b"module.exports = require('./build/addon.node');\n",
            ),
            ("package/build/addon.node", &elf),
            ("package/prebuilds/darwin/addon.node", &dylib),
            ("package/prebuilds/win32/addon.node", &dll),
            ("package/lib/engine.wasm", &wasm),
            ("package/lib/broken.node", b"not a binary"),
            (
                "package/README.md",
                b"MZ is a fine way to start a sentence.\n",
            ),
        ]);
        let ev = crate::rules::evaluate(&a, None);
        let found: Vec<_> = ev.findings.iter().filter(|f| f.rule == RULE.id).collect();
        assert_eq!(found.len(), 1, "one listing finding");
        let f = found[0];
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(f.location.path, "build/addon.node");
        assert!(
            f.message.starts_with(
                "5 native binaries: build/addon.node (ELF 64-bit LSB shared object (x86-64))"
            ),
            "{}",
            f.message
        );
        let files = f.evidence["files"].as_array().expect("files");
        assert_eq!(files.len(), 5);
        assert_eq!(files[2]["arch"][0], "x86-64");
        assert_eq!(files[2]["kind"], "DLL");
        assert_eq!(files[4]["path"], "lib/broken.node");
        assert!(files[4]["format"].is_null());
    }

    #[test]
    fn no_binaries_no_finding() {
        let a = artifact_of(&[
            ("package/package.json", br#"{"name":"n","version":"1.0.0"}"#),
            ("package/index.js", b"module.exports = 1;\n"),
        ]);
        let ev = crate::rules::evaluate(&a, None);
        assert!(ev.findings.iter().all(|f| f.rule != RULE.id));
    }
}
