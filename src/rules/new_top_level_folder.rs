//! `new-top-level-folder`: a folder at the package root that the baseline did not have.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;

use super::{Finding, Location, Rule, Severity};
use crate::detect::text::top_folder;
use crate::diff::Diff;
use crate::manifest::Manifest;

/// The rule.
pub const RULE: Rule = Rule {
    id: "new-top-level-folder",
    severity: Severity::Low,
    summary: "a top-level folder the baseline did not ship",
    why: "A new root folder (`src/`, `coverage/`, `.turbo/`, `private/`) usually means the \
          packer's input changed, not the library. Worth a look even when each file in it \
          looks harmless.",
};

/// One finding per new top-level folder, with its file count and size.
pub fn check(d: &Diff, base: &Manifest, out: &mut Vec<Finding>) {
    let known: HashSet<&str> = base
        .installed()
        .filter_map(|e| top_folder(&e.path))
        .collect();
    let mut new: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for c in &d.added {
        if let Some(top) = top_folder(&c.path).filter(|t| !known.contains(t)) {
            let g = new.entry(top).or_default();
            g.0 += 1;
            g.1 += c.new_size.unwrap_or(0);
        }
    }
    for (top, (files, bytes)) in new {
        let loc = Location {
            path: format!("{top}/"),
            ..Location::default()
        };
        let size = crate::units::size(bytes);
        out.push(
            Finding::new(
                &RULE,
                loc,
                format!("new folder {top}/: {files} file(s), {size}"),
            )
            .evidence(json!({ "folder": top, "files": files, "bytes": bytes })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::artifact_of;

    #[test]
    fn new_root_folders_only() {
        let old = Manifest::of(&artifact_of(&[("package/dist/a.js", b"1".as_slice())]));
        let new = Manifest::of(&artifact_of(&[
            ("package/dist/b.js", b"1".as_slice()),
            ("package/src/a.ts", b"22"),
            ("package/src/b.ts", b"3"),
        ]));
        let mut out = Vec::new();
        check(&crate::diff::diff(&old, &new), &old, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].location.path, "src/");
        assert_eq!(out[0].evidence["files"], 2);
    }
}
