//! `install-script`: code that runs when the package is installed (or built to be installed).
//!
//! npm runs `preinstall`, `install` and `postinstall` from the registry; `prepare` only for git
//! and local installs (so low); a `binding.gyp` makes npm run `node-gyp rebuild` even without a
//! script. Bundled dependencies (`node_modules/*/package.json` inside the package) are checked
//! too. pip builds a Python sdist by running its build backend (`setup.py`, an in-tree backend,
//! a hook file) and a wheel's `*.pth` files run their `import` lines at every interpreter start
//! ([`sdist`], [`pth`]); cargo compiles and runs a crate's build script, and rustc a proc
//! macro ([`cargo`]). Against a baseline, code that is new is critical and code that changed
//! is high (a `prepare` script: medium and low, as registry installs do not run it).

mod cargo;
mod pth;
mod sdist;

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Location, Rule, Severity};
use crate::artifact::{Artifact, Ecosystem, Entry, Format};
use crate::manifest::Manifest;

/// The rule.
pub const RULE: Rule = Rule {
    id: "install-script",
    severity: Severity::High,
    summary: "install-time code: npm lifecycle scripts, `binding.gyp`, an sdist's `setup.py` or build backend, a wheel's `.pth` imports; an sdist's build code and a crate's `build.rs` or proc macro are medium",
    why: "Install scripts run with the installing user's rights on every machine and CI runner \
          that installs the package; they are the main vector of npm supply-chain attacks. The \
          same holds elsewhere: pip builds an sdist (whenever no wheel fits) by running its \
          `setup.py` or in-tree build backend, and a `.pth` file in a wheel runs its `import` \
          lines in every Python process on the machine, not just at install. A crate's \
          `build.rs` (and a procedural macro, inside rustc) runs at build time on every machine \
          that compiles it as a dependency. \
          Both are medium on their own because they are how those formats work (every \
          setuptools sdist runs `setup.py`; many crates probe, generate code or link C), but \
          they deserve a look. Code that appears or changes \
          between releases is the strongest signal of a compromised publish, so it is critical \
          (new) or high (changed) against a baseline; a new `prepare` is medium and a changed \
          one low, since registry installs do not run it.",
};

/// What the per-file pass learned that the whole-artifact check needs: the parts of
/// `Cargo.toml`, `pyproject.toml` and `*.pth` files that say what runs at install.
#[derive(Debug, Default)]
pub struct Facts {
    /// `package.build` of the root `Cargo.toml`, if it was read.
    cargo: Option<cargo::BuildSetting>,
    /// The root `Cargo.toml` declares a procedural macro.
    proc_macro: bool,
    /// `[build-system]` (and hook settings) of the root `pyproject.toml`, if it was read.
    pyproject: Option<sdist::Pyproject>,
    /// `.pth` files that would land in site-packages and hold an `import` line.
    pth: Vec<pth::Pth>,
}

impl Facts {
    /// Takes over what another scanner of the same artifact learned.
    pub fn merge(&mut self, other: Facts) {
        self.cargo = self.cargo.take().or(other.cargo);
        self.proc_macro |= other.proc_macro;
        self.pyproject = self.pyproject.take().or(other.pyproject);
        self.pth.extend(other.pth);
    }
}

/// Reads what a top-level file says about install-time code.
pub fn collect(ctx: &FileCtx<'_>, bytes: &[u8], facts: &mut Facts) {
    if ctx.inner.is_some() {
        return;
    }
    match ctx.path {
        "Cargo.toml" => {
            facts.cargo = cargo::build_setting(bytes);
            facts.proc_macro = cargo::is_proc_macro(bytes);
        }
        "pyproject.toml" => facts.pyproject = Some(sdist::pyproject(bytes)),
        path if pth::is_site_packages_pth(path) => {
            if let Some(pth) = pth::pth(ctx, bytes) {
                facts.pth.push(pth);
            }
        }
        _ => {}
    }
}

/// How a file that runs at install compares with the baseline release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Since {
    /// No baseline to compare with.
    Unknown,
    /// The baseline did not ship it.
    New,
    /// The baseline shipped different bytes.
    Changed,
    /// The baseline shipped the same bytes.
    Same,
}

impl Since {
    /// Compares the entry `e` with the baseline's entry of the same `key` (`key` maps a path
    /// to what identifies the file across releases).
    fn of(e: Option<&Entry>, baseline: Option<&Manifest>, key: impl Fn(&str) -> String) -> Self {
        let (Some(e), Some(base)) = (e, baseline) else {
            return Since::Unknown;
        };
        let wanted = key(&e.path);
        match base.installed().find(|b| key(&b.path) == wanted) {
            None => Since::New,
            Some(b) if b.sha256.is_some() && b.sha256 != e.sha256 => Since::Changed,
            Some(_) => Since::Same,
        }
    }

    /// The severity of a finding whose own severity is `base`.
    fn severity(self, base: Severity) -> Severity {
        match self {
            Since::New => Severity::Critical,
            Since::Changed => base.max(Severity::High),
            Since::Unknown | Since::Same => base,
        }
    }

    /// What the message adds.
    fn note(self) -> &'static str {
        match self {
            Since::New => " (new since the baseline)",
            Since::Changed => " (changed since the baseline)",
            Since::Unknown | Since::Same => "",
        }
    }

    /// The evidence value.
    fn json(self) -> serde_json::Value {
        match self {
            Since::Unknown => serde_json::Value::Null,
            Since::New => json!("new"),
            Since::Changed => json!("changed"),
            Since::Same => json!("same"),
        }
    }
}

/// A name from the artifact as a message shows it: sanitised and cut to 100 characters.
fn shown(s: &str) -> String {
    let safe = crate::sanitize::for_terminal(s);
    let mut out: String = safe.chars().take(100).collect();
    if safe.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// A location at an installed entry, by path.
fn at_entry(e: &Entry, line: Option<u32>) -> Location {
    Location {
        entry: Some(e.index),
        path: e.path.clone(),
        line,
        ..Location::default()
    }
}

/// Reports install-time code of every ecosystem, comparing with the baseline when there is one.
pub fn check(a: &Artifact, baseline: Option<&Manifest>, facts: &Facts, out: &mut Vec<Finding>) {
    let ecosystem = a.package.as_ref().and_then(|m| m.ecosystem);
    match a.format {
        Format::PythonSdist => sdist::check(a, baseline, facts.pyproject.as_ref(), out),
        Format::Wheel => pth::check(a, baseline, &facts.pth, out),
        _ => {}
    }
    if a.format == Format::Crate || ecosystem == Some(Ecosystem::Cargo) {
        cargo::check(a, baseline, facts.cargo.as_ref(), facts.proc_macro, out);
        return;
    }
    // VS Code installs an extension by unpacking it: its `package.json` scripts never run
    // (`vscode:prepublish` ran when it was packed).
    if a.format != Format::Vsix {
        npm(a, baseline, out);
    }
}

const HOOKS: &[&str] = &["preinstall", "install", "postinstall", "prepare"];

fn hook_severity(hook: &str) -> Severity {
    if hook == "prepare" {
        Severity::Low
    } else {
        Severity::High
    }
}

/// Reports an npm package's own scripts and `binding.gyp`.
fn npm(a: &Artifact, baseline: Option<&Manifest>, out: &mut Vec<Finding>) {
    let Some(meta) = &a.package else { return };
    let loc = Location {
        entry: a
            .installed()
            .find(|e| e.path == meta.source)
            .map(|e| e.index),
        path: meta.source.clone(),
        ..Location::default()
    };
    let old = baseline.and_then(|b| b.package.as_ref());
    for hook in HOOKS {
        let Some(cmd) = meta.scripts.get(*hook) else {
            continue;
        };
        let before = old.map(|o| o.scripts.get(*hook));
        // Registry installs do not run `prepare` (git installs and `npm install` in a checkout
        // do), so a new one is worth a look, not a stop, and a changed one stays low.
        let prepare = *hook == "prepare";
        let (severity, how) = match before {
            Some(None) if prepare => (Severity::Medium, "new since the baseline"),
            Some(None) => (Severity::Critical, "new since the baseline"),
            Some(Some(prev)) if prev != cmd && prepare => {
                (Severity::Low, "changed since the baseline")
            }
            Some(Some(prev)) if prev != cmd => (Severity::High, "changed since the baseline"),
            _ => (
                hook_severity(hook),
                if *hook == "prepare" {
                    "not run by registry installs"
                } else {
                    "runs on install"
                },
            ),
        };
        out.push(
            Finding::new(&RULE, loc.clone(), format!("`{hook}`: `{cmd}` ({how})"))
                .severity(severity)
                .evidence(json!({ "script": hook, "command": cmd, "previous": before.flatten() })),
        );
    }
    let gyp = a.installed().find(|e| e.path == "binding.gyp");
    if let Some(e) = gyp
        && !meta.scripts.contains_key("install")
        && !meta.scripts.contains_key("preinstall")
    {
        let new = old.is_some_and(|_| {
            baseline.is_some_and(|b| !b.installed().any(|x| x.path == "binding.gyp"))
        });
        out.push(
            Finding::new(
                &RULE,
                Location {
                    entry: Some(e.index),
                    path: e.path.clone(),
                    ..Location::default()
                },
                "binding.gyp: npm runs `node-gyp rebuild` on install".to_owned(),
            )
            .severity(if new {
                Severity::Critical
            } else {
                Severity::High
            }),
        );
    }
}

/// Reports install scripts of a dependency bundled inside the package.
pub fn check_bundled(ctx: &FileCtx<'_>, bytes: &[u8], out: &mut Vec<Finding>) {
    let name = ctx.name();
    let Some(pos) = name.rfind("node_modules/") else {
        return;
    };
    let rest = &name[pos + "node_modules/".len()..];
    let depth = if rest.starts_with('@') { 3 } else { 2 };
    if rest.split('/').count() != depth || !rest.ends_with("/package.json") {
        return;
    }
    let Ok(pkg) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    for hook in ["preinstall", "install", "postinstall"] {
        if let Some(cmd) = pkg["scripts"][hook].as_str() {
            out.push(
                Finding::new(
                    &RULE,
                    ctx.location(None, None),
                    format!("bundled dependency runs `{hook}`: `{cmd}`"),
                )
                .evidence(json!({ "script": hook, "command": cmd, "bundled": true })),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::Format;
    use crate::rules::Policy;
    use crate::rules::test_support::artifact_of;

    pub(super) const PKG_INFO: &[u8] = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n";

    /// Runs the per-file collection and the check, as the engine does.
    pub(super) fn findings(a: &Artifact, baseline: Option<&Manifest>) -> Vec<Finding> {
        let policy = Policy::default();
        let mut facts = Facts::default();
        for e in a.installed().filter(|e| e.is_file()) {
            let ctx = FileCtx {
                entry: Some(e.index),
                path: &e.path,
                inner: None,
                policy: &policy,
            };
            collect(&ctx, &a.content(e.index).expect("kept"), &mut facts);
        }
        let mut out = Vec::new();
        check(a, baseline, &facts, &mut out);
        out
    }

    pub(super) fn sdist(files: &[(&str, &[u8])]) -> Artifact {
        let mut all: Vec<(String, &[u8])> = vec![("demo-1.0/PKG-INFO".to_owned(), PKG_INFO)];
        all.extend(files.iter().map(|(p, b)| (format!("demo-1.0/{p}"), *b)));
        let refs: Vec<(&str, &[u8])> = all.iter().map(|(p, b)| (p.as_str(), *b)).collect();
        let a = artifact_of(&refs);
        assert_eq!(a.format, Format::PythonSdist);
        a
    }

    pub(super) const SETUP: &[u8] = b"from setuptools import setup\nsetup()\n";

    fn pkg(scripts: &str) -> Vec<u8> {
        format!(r#"{{"name":"a","version":"1.0.0","files":["x"],"scripts":{{{scripts}}}}}"#)
            .into_bytes()
    }

    #[test]
    fn hooks_and_baseline() {
        let a = artifact_of(&[(
            "package/package.json",
            &pkg(r#""postinstall":"node x.js","prepare":"tsc","test":"jest""#),
        )]);
        let mut out = Vec::new();
        check(&a, None, &Facts::default(), &mut out);
        let sev: Vec<_> = out.iter().map(|f| f.severity).collect();
        assert_eq!(
            sev,
            [Severity::High, Severity::Low],
            "postinstall high, prepare low, test ignored"
        );
        let old = Manifest::of(&artifact_of(&[(
            "package/package.json",
            &pkg(r#""prepare":"tsc""#),
        )]));
        let mut out = Vec::new();
        check(&a, Some(&old), &Facts::default(), &mut out);
        assert_eq!(
            out[0].severity,
            Severity::Critical,
            "new postinstall is critical"
        );
        assert!(out[0].message.contains("new since the baseline"));
        assert_eq!(
            out[1].severity,
            Severity::Low,
            "unchanged prepare stays low"
        );
        let none = Manifest::of(&artifact_of(&[("package/package.json", &pkg(""))]));
        let mut out = Vec::new();
        check(&a, Some(&none), &Facts::default(), &mut out);
        assert_eq!(
            (out[1].severity, out[1].message.contains("new since")),
            (Severity::Medium, true),
            "a new prepare is medium: registry installs do not run it"
        );
        let changed = Manifest::of(&artifact_of(&[(
            "package/package.json",
            &pkg(r#""prepare":"npm run build""#),
        )]));
        let mut out = Vec::new();
        check(&a, Some(&changed), &Facts::default(), &mut out);
        assert_eq!(
            (out[1].severity, out[1].message.contains("changed")),
            (Severity::Low, true),
            "a changed prepare stays low"
        );
    }

    #[test]
    fn binding_gyp_and_bundled() {
        let a = artifact_of(&[
            ("package/package.json", &pkg("")),
            ("package/binding.gyp", b"{}"),
        ]);
        let mut out = Vec::new();
        check(&a, None, &Facts::default(), &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("node-gyp"));
        let policy = Policy::default();
        let ctx = FileCtx {
            entry: None,
            path: "node_modules/dep/package.json",
            inner: None,
            policy: &policy,
        };
        let mut out = Vec::new();
        check_bundled(&ctx, br#"{"scripts":{"install":"sh evil.sh"}}"#, &mut out);
        assert_eq!(out.len(), 1);
        let deep = FileCtx {
            path: "node_modules/dep/lib/package.json",
            ..ctx
        };
        check_bundled(&deep, br#"{"scripts":{"install":"x"}}"#, &mut out);
        assert_eq!(out.len(), 1, "only a dependency's own package.json counts");
    }
}
