//! `new-file-type`: an extension the baseline did not ship (the first `.map`, `.env`, binary),
//! or the first executable of a kind, told by its first bytes whatever it is named.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;

use super::{Finding, Location, Rule, Severity};
use crate::artifact::Executable;
use crate::detect::text::extension;
use crate::diff::Diff;
use crate::manifest::Manifest;

/// The rule.
pub const RULE: Rule = Rule {
    id: "new-file-type",
    severity: Severity::Medium,
    summary: "a file extension, or a kind of executable, the baseline did not have",
    why: "The first `.map`, `.env`, `.pem` or native binary in a package's history is exactly \
          the kind of change a build tweak introduces without anyone deciding it. One finding \
          per new extension, with how many files and examples. Native code (ELF, Mach-O, PE) \
          and WebAssembly are also told by their first bytes, so a binary named `helper` or \
          `index.js` counts as the first of its kind too.",
};

/// One finding per extension and per kind of executable that is new in the added files
/// (`current` is the release the diff was taken to, for what the added files are).
pub fn check(d: &Diff, base: &Manifest, current: &Manifest, out: &mut Vec<Finding>) {
    let known: HashSet<String> = base
        .installed()
        .filter_map(|e| extension(&e.path))
        .collect();
    let known_exe: HashSet<Executable> = base.installed().filter_map(|e| e.executable).collect();
    let exe_of: BTreeMap<&str, Executable> = current
        .installed()
        .filter_map(|e| Some((e.path.as_str(), e.executable?)))
        .collect();
    let mut new: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut new_exe: BTreeMap<Executable, Vec<&str>> = BTreeMap::new();
    for c in &d.added {
        if let Some(ext) = extension(&c.path).filter(|x| !known.contains(x)) {
            new.entry(ext).or_default().push(&c.path);
        }
        if let Some(&kind) = exe_of
            .get(c.path.as_str())
            .filter(|k| !known_exe.contains(k))
        {
            new_exe.entry(kind).or_default().push(&c.path);
        }
    }
    let finding = |paths: &[&str], message: String, what: serde_json::Value| {
        let loc = Location {
            path: paths[0].to_owned(),
            ..Location::default()
        };
        let mut evidence =
            json!({ "files": paths.len(), "examples": &paths[..paths.len().min(5)] });
        if let (Some(e), Some(w)) = (evidence.as_object_mut(), what.as_object()) {
            e.extend(w.clone());
        }
        Finding::new(&RULE, loc, message).evidence(evidence)
    };
    for (ext, paths) in new {
        let message = format!("first `.{ext}` file(s): {} new", paths.len());
        out.push(finding(&paths, message, json!({ "extension": ext })));
    }
    for (kind, paths) in new_exe {
        let message = format!("first {}(s): {} new", kind.label(), paths.len());
        out.push(finding(&paths, message, json!({ "executable": kind })));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::artifact_of;

    const ELF: &[u8] = b"\x7fELF\x02\x01\x01\0rest of it";

    fn run(old: &[(&str, &[u8])], new: &[(&str, &[u8])]) -> Vec<Finding> {
        let old = Manifest::of(&artifact_of(old));
        let new = Manifest::of(&artifact_of(new));
        let mut out = Vec::new();
        check(&crate::diff::diff(&old, &new), &old, &new, &mut out);
        out
    }

    #[test]
    fn only_unseen_extensions() {
        let out = run(
            &[("package/a.js", b"1")],
            &[
                ("package/a.js", b"1"),
                ("package/b.js", b"2"),
                ("package/a.js.map", b"{}"),
                ("package/c.js.map", b"{}"),
            ],
        );
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].evidence["extension"], "map");
        assert_eq!(out[0].evidence["files"], 2);
    }

    #[test]
    fn the_first_executable_of_a_kind_counts_whatever_its_name() {
        let out = run(
            &[("package/a.js", b"1")],
            &[
                ("package/a.js", b"1"),
                ("package/bin/helper", ELF),
                ("package/lib/index.js", ELF),
            ],
        );
        assert_eq!(out.len(), 1, "`.js` is not new; the ELF binary is: {out:?}");
        assert_eq!(out[0].evidence["executable"], "elf");
        assert_eq!(out[0].evidence["files"], 2);
        assert!(
            out[0].message.contains("first ELF binary(s): 2 new"),
            "{}",
            out[0].message
        );
        let again = run(
            &[("package/bin/old", ELF)],
            &[("package/bin/old", ELF), ("package/bin/helper", ELF)],
        );
        assert!(
            again.is_empty(),
            "the baseline had an ELF binary: {again:?}"
        );
    }
}
