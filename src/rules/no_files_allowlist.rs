//! `no-files-allowlist`: an npm package without a `files` allowlist.

use super::{Finding, Location, Rule, Severity};
use crate::artifact::{Artifact, Ecosystem, Format};

/// The rule.
pub const RULE: Rule = Rule {
    id: "no-files-allowlist",
    severity: Severity::Medium,
    summary: "`package.json` has no `files` allowlist, so npm ships everything not ignored",
    why: "Without `files`, `npm pack` includes every file not matched by `.npmignore` (or \
          `.gitignore`), so anything new in the working tree (maps, `.env`, build output, \
          dumps) ships by default. An allowlist fails safe: new files stay out until listed.",
};

/// Reports an npm package without `files`.
pub fn check(a: &Artifact, out: &mut Vec<Finding>) {
    let Some(meta) = &a.package else { return };
    // A VS Code extension's `package.json` is npm's format, but vsce packs by
    // `.vscodeignore`: the advice would be wrong there.
    let npm = meta.ecosystem == Some(Ecosystem::Npm) && a.format != Format::Vsix;
    if !npm || meta.files.is_some() || meta.error.is_some() {
        return;
    }
    let entry = a
        .installed()
        .find(|e| e.path == meta.source)
        .map(|e| e.index);
    out.push(Finding::new(
        &RULE,
        Location {
            entry,
            path: meta.source.clone(),
            ..Location::default()
        },
        "no `files` allowlist: everything not ignored is published".to_owned(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::artifact_of;

    #[test]
    fn fires_only_without_files() {
        let without = artifact_of(&[(
            "package/package.json",
            br#"{"name":"a","version":"1.0.0"}"#.as_slice(),
        )]);
        let mut out = Vec::new();
        check(&without, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].location.path, "package.json");
        let with = artifact_of(&[(
            "package/package.json",
            br#"{"name":"a","version":"1.0.0","files":["dist"]}"#.as_slice(),
        )]);
        let mut out = Vec::new();
        check(&with, &mut out);
        assert!(out.is_empty());
    }
}
