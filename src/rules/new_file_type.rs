//! `new-file-type`: an extension the baseline did not ship (the first `.map`, `.env`, binary).

use std::collections::{BTreeMap, HashSet};

use serde_json::json;

use super::text::extension;
use super::{Finding, Location, Rule, Severity};
use crate::diff::Diff;
use crate::manifest::Manifest;

/// The rule.
pub const RULE: Rule = Rule {
    id: "new-file-type",
    severity: Severity::Medium,
    summary: "a file extension the baseline did not have",
    why: "The first `.map`, `.env`, `.pem` or native binary in a package's history is exactly \
          the kind of change a build tweak introduces without anyone deciding it. One finding \
          per new extension, with how many files and examples.",
};

/// One finding per extension that is new in the added files.
pub fn check(d: &Diff, base: &Manifest, out: &mut Vec<Finding>) {
    let known: HashSet<String> = base
        .installed()
        .filter_map(|e| extension(&e.path))
        .collect();
    let mut new: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for c in &d.added {
        if let Some(ext) = extension(&c.path).filter(|x| !known.contains(x)) {
            new.entry(ext).or_default().push(&c.path);
        }
    }
    for (ext, paths) in new {
        let loc = Location {
            path: paths[0].to_owned(),
            ..Location::default()
        };
        out.push(
            Finding::new(&RULE, loc, format!("first `.{ext}` file(s): {} new", paths.len()))
                .evidence(json!({ "extension": ext, "files": paths.len(), "examples": &paths[..paths.len().min(5)] })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::artifact_of;

    #[test]
    fn only_unseen_extensions() {
        let old = Manifest::of(&artifact_of(&[("package/a.js", b"1".as_slice())]));
        let new = Manifest::of(&artifact_of(&[
            ("package/a.js", b"1".as_slice()),
            ("package/b.js", b"2"),
            ("package/a.js.map", b"{}"),
            ("package/c.js.map", b"{}"),
        ]));
        let mut out = Vec::new();
        check(&crate::diff::diff(&old, &new), &old, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].evidence["extension"], "map");
        assert_eq!(out[0].evidence["files"], 2);
    }
}
