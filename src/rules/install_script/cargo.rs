//! A crate's build script: cargo compiles and runs it before compiling the crate, on every
//! machine that builds the crate, as a dependency too.
//!
//! The script is `package.build` in `Cargo.toml` (a path, or a list of paths), else `build.rs`
//! at the crate root unless `build = false`. `cargo package` writes the setting out explicitly
//! in the normalised `Cargo.toml`, older crates rely on the default; both are read.

use serde_json::json;

use super::{RULE, Since, at_entry};
use crate::artifact::Artifact;
use crate::manifest::Manifest;
use crate::rules::{Finding, Location, Severity};
use crate::sanitize::for_terminal;

/// Build scripts reported per crate at most (a hostile `build = [...]` could list thousands).
const MAX_SCRIPTS: usize = 8;

/// `package.build` in `Cargo.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildSetting {
    /// Not set (or `true`): `build.rs` at the root, if there is one.
    Auto,
    /// `build = false`: no build script.
    Off,
    /// `build = "path"` or a list of paths.
    Paths(Vec<String>),
}

/// Reads `package.build`; `None` when the file is not TOML.
pub fn build_setting(bytes: &[u8]) -> Option<BuildSetting> {
    let text = std::str::from_utf8(bytes).ok()?;
    let doc: toml::Table = text.parse().ok()?;
    Some(match doc.get("package").and_then(|p| p.get("build")) {
        Some(toml::Value::Boolean(false)) => BuildSetting::Off,
        Some(toml::Value::String(p)) => BuildSetting::Paths(vec![p.clone()]),
        Some(toml::Value::Array(list)) => BuildSetting::Paths(
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => BuildSetting::Auto,
    })
}

/// True when `Cargo.toml` makes the crate a procedural macro (`[lib] proc-macro = true`).
pub fn is_proc_macro(bytes: &[u8]) -> bool {
    let Some(doc) = std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
    else {
        return false;
    };
    let lib = doc.get("lib");
    ["proc-macro", "proc_macro"]
        .iter()
        .any(|k| lib.and_then(|l| l.get(*k)).and_then(toml::Value::as_bool) == Some(true))
}

/// Reports a procedural macro crate: rustc loads it and runs its code while compiling every
/// crate that uses it, as it does a build script.
fn proc_macro(a: &Artifact, out: &mut Vec<Finding>) {
    let manifest = a.installed().find(|e| e.path == "Cargo.toml");
    out.push(
        Finding::new(
            &RULE,
            manifest.map_or_else(Location::default, |m| at_entry(m, None)),
            "a procedural macro crate: rustc runs its code while compiling every crate that uses it"
                .to_owned(),
        )
        .severity(Severity::Medium)
        .evidence(json!({ "ecosystem": "cargo", "proc_macro": true })),
    );
}

/// Reports the crate's build scripts and whether it is a procedural macro.
pub(super) fn check(
    a: &Artifact,
    baseline: Option<&Manifest>,
    setting: Option<&BuildSetting>,
    is_proc_macro: bool,
    out: &mut Vec<Finding>,
) {
    if is_proc_macro {
        proc_macro(a, out);
    }
    let meta = a.package.as_ref();
    let declared_in_meta = meta.and_then(|m| m.scripts.get("build"));
    let (mut paths, declared) = match (setting, declared_in_meta) {
        (Some(BuildSetting::Off), _) => return,
        (Some(BuildSetting::Paths(p)), _) => (p.clone(), true),
        // Cargo.toml was not read here: what the metadata reader found.
        (None, Some(p)) => (vec![p.clone()], true),
        _ => (vec!["build.rs".to_owned()], false),
    };
    paths.dedup();
    let build_deps: Vec<&String> = meta
        .and_then(|m| m.dependencies.get("build-dependencies"))
        .map(|d| d.keys().take(20).collect())
        .unwrap_or_default();
    let manifest = a.installed().find(|e| e.path == "Cargo.toml");
    for path in paths.iter().take(MAX_SCRIPTS) {
        let clean = path.trim_start_matches("./");
        let entry = a.installed().find(|e| e.path == clean);
        if entry.is_none() && !declared {
            continue;
        }
        let shown = for_terminal(clean);
        let since = Since::of(entry, baseline, str::to_owned);
        let (location, message, severity) = match entry {
            Some(e) => (
                at_entry(e, None),
                format!(
                    "build script `{shown}` is compiled and run by cargo on every machine that builds this crate{}",
                    since.note()
                ),
                since.severity(Severity::Medium),
            ),
            None => (
                manifest.map_or_else(Location::default, |m| at_entry(m, None)),
                format!(
                    "Cargo.toml names build script `{shown}`, which the crate does not ship: building it fails"
                ),
                Severity::Low,
            ),
        };
        out.push(
            Finding::new(&RULE, location, message)
                .severity(severity)
                .evidence(json!({
                    "ecosystem": "cargo",
                    "script": shown,
                    "declared_by": if declared { "package.build" } else { "build.rs (cargo's default)" },
                    "build_dependencies": build_deps,
                    "baseline": since.json(),
                })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Facts, check as check_all};
    use super::*;
    use crate::rules::test_support::artifact_of;

    const TOML: &str = "[package]\nname = \"c\"\nversion = \"0.1.0\"\n";

    fn crate_of(toml: &str, extra: &[(&str, &[u8])]) -> (Artifact, Facts) {
        let mut files: Vec<(String, &[u8])> = vec![
            ("c-0.1.0/Cargo.toml".to_owned(), toml.as_bytes()),
            ("c-0.1.0/Cargo.toml.orig".to_owned(), toml.as_bytes()),
            ("c-0.1.0/src/lib.rs".to_owned(), b"pub fn f() {}\n"),
        ];
        files.extend(extra.iter().map(|(p, b)| (format!("c-0.1.0/{p}"), *b)));
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
        let a = artifact_of(&refs);
        let facts = Facts {
            cargo: build_setting(toml.as_bytes()),
            proc_macro: is_proc_macro(toml.as_bytes()),
            ..Facts::default()
        };
        (a, facts)
    }

    fn findings(a: &Artifact, facts: &Facts, baseline: Option<&Manifest>) -> Vec<Finding> {
        let mut out = Vec::new();
        check_all(a, baseline, facts, &mut out);
        out
    }

    #[test]
    fn build_settings() {
        assert_eq!(build_setting(TOML.as_bytes()), Some(BuildSetting::Auto));
        let off = format!("{TOML}build = false\n");
        assert_eq!(build_setting(off.as_bytes()), Some(BuildSetting::Off));
        let list = format!("{TOML}build = [\"a.rs\", \"b.rs\"]\n");
        assert_eq!(
            build_setting(list.as_bytes()),
            Some(BuildSetting::Paths(vec!["a.rs".into(), "b.rs".into()]))
        );
        assert_eq!(build_setting(b"not = [toml"), None);
    }

    #[test]
    fn a_build_rs_is_medium_and_points_at_the_script() {
        let (a, facts) = crate_of(TOML, &[("build.rs", b"fn main() {}\n")]);
        assert_eq!(a.format, crate::artifact::Format::Crate);
        let out = findings(&a, &facts, None);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Medium);
        assert_eq!(out[0].location.path, "build.rs");
        assert_eq!(out[0].evidence["declared_by"], "build.rs (cargo's default)");
        let toml = format!("{TOML}build = \"tools/gen.rs\"\n");
        let (a, facts) = crate_of(&toml, &[("tools/gen.rs", b"fn main() {}\n")]);
        let out = findings(&a, &facts, None);
        assert_eq!(out[0].location.path, "tools/gen.rs");
        assert!(
            out[0].message.contains("`tools/gen.rs`"),
            "{}",
            out[0].message
        );
    }

    #[test]
    fn a_proc_macro_crate_is_medium_at_its_manifest() {
        let toml = format!("{TOML}[lib]\nproc-macro = true\n");
        let (a, facts) = crate_of(&toml, &[]);
        let out = findings(&a, &facts, None);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Medium);
        assert_eq!(out[0].location.path, "Cargo.toml");
        assert!(out[0].message.contains("procedural macro"));
        assert!(!is_proc_macro(TOML.as_bytes()));
        assert!(!is_proc_macro(b"[lib]\nproc-macro = false\n"));
        assert!(is_proc_macro(b"[lib]\nproc_macro = true\n"));
        assert!(!is_proc_macro(b"[lib\n"), "not TOML: nothing to say");
    }

    #[test]
    fn no_build_script_no_finding() {
        let (a, facts) = crate_of(TOML, &[]);
        assert!(findings(&a, &facts, None).is_empty());
        let off = format!("{TOML}build = false\n");
        let (a, facts) = crate_of(&off, &[("build.rs", b"fn main() {}\n")]);
        assert!(
            findings(&a, &facts, None).is_empty(),
            "build = false: build.rs is just a file"
        );
    }

    #[test]
    fn against_a_baseline_new_is_critical_and_changed_high() {
        let (old, _) = crate_of(TOML, &[]);
        let (new, facts) = crate_of(TOML, &[("build.rs", b"fn main() {}\n")]);
        let out = findings(&new, &facts, Some(&Manifest::of(&old)));
        assert_eq!(out[0].severity, Severity::Critical);
        assert!(out[0].message.contains("new since the baseline"));
        assert_eq!(out[0].evidence["baseline"], "new");
        let (changed, facts) = crate_of(TOML, &[("build.rs", b"fn main() { evil() }\n")]);
        let out = findings(&changed, &facts, Some(&Manifest::of(&new)));
        assert_eq!(out[0].severity, Severity::High);
        assert!(out[0].message.contains("changed since the baseline"));
        let out = findings(&new, &facts, Some(&Manifest::of(&new)));
        assert_eq!(out[0].severity, Severity::Medium, "unchanged stays medium");
    }
}
