//! `shipped-but-git-ignored` and `shipped-but-untracked`: for a directory packed inside a git
//! work tree, files that ship although git ignores them, or although nobody committed them.
//!
//! Adding an `.npmignore` makes npm stop reading `.gitignore`: that is how `.env` files, local
//! configs and build leftovers ship. Git's answer is computed where the directory is known (the
//! artifact's opening, [`crate::artifact::git`]); this rule reads it. One finding per rule and
//! package, listing the files (all of them in the evidence), at the first one.

use serde_json::json;

use super::{Finding, Location, Rule, Severity};
use crate::artifact::Artifact;

/// Git ignores it, the package ships it.
pub const IGNORED: Rule = Rule {
    id: "shipped-but-git-ignored",
    severity: Severity::High,
    summary: "(directory input in a git work tree) a file that ships but git ignores; `shipped-but-untracked` medium",
    why: "A file the repository ignores was never meant to be shared: `.env` files, local \
          configs, credentials, build leftovers. It ships when the packer stops reading \
          `.gitignore` (npm does as soon as an `.npmignore` exists) or when a glob in the \
          manifest catches it. A git-ignored file that the package's own allowlist names on \
          purpose (npm's `files`, cargo's `include`, typically a `dist/` build) is not \
          reported.",
};

/// The package ships it, nobody committed it.
pub const UNTRACKED: Rule = Rule {
    id: "shipped-but-untracked",
    severity: Severity::Medium,
    summary: "(directory input in a git work tree) a file that ships but git does not track",
    why: "A file that ships but was never committed is not in the reviewed history: a scratch \
          file, a local experiment, or something dropped into the folder. The release would \
          publish bytes that no commit, pull request or code review ever showed. Commit it, \
          ignore it, or keep it out of the package.",
};

fn listing(rule: &'static Rule, a: &Artifact, paths: &[String], what: &str) -> Option<Finding> {
    let first = paths.first()?;
    let entry = a
        .entries
        .iter()
        .find(|e| e.installed && &e.path == first)
        .map(|e| e.index);
    let shown: Vec<&str> = paths.iter().take(10).map(String::as_str).collect();
    let more = paths.len() - shown.len();
    let message = format!(
        "{} file{} {what}: {}{}",
        paths.len(),
        if paths.len() == 1 { "" } else { "s" },
        shown.join(", "),
        if more > 0 {
            format!(", and {more} more (in the evidence)")
        } else {
            String::new()
        }
    );
    let location = Location {
        entry,
        path: first.clone(),
        ..Location::default()
    };
    Some(Finding::new(rule, location, message).evidence(json!({ "files": paths })))
}

/// Reports what git said about the packed directory, when it was asked.
pub fn check(a: &Artifact, out: &mut Vec<Finding>) {
    let Some(git) = &a.git else { return };
    out.extend(listing(
        &IGNORED,
        a,
        &git.ignored,
        "ship although git ignores them (.gitignore, .git/info/exclude)",
    ));
    out.extend(listing(
        &UNTRACKED,
        a,
        &git.untracked,
        "ship although git does not track them (never committed)",
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::git::GitStatus;
    use crate::rules::test_support::artifact_of;

    #[test]
    fn what_git_said_becomes_two_listings() {
        let mut a = artifact_of(&[
            ("package/package.json", br#"{"name":"a","version":"1.0.0"}"#),
            ("package/.env", b"TOKEN=1\n"),
            ("package/notes.txt", b"x\n"),
        ]);
        let mut out = Vec::new();
        check(&a, &mut out);
        assert!(out.is_empty(), "no git answer, no finding");
        a.git = Some(GitStatus {
            dir: ".".into(),
            ignored: vec![".env".into()],
            untracked: vec!["notes.txt".into()],
        });
        check(&a, &mut out);
        let got: Vec<_> = out
            .iter()
            .map(|f| {
                (
                    f.rule.as_str(),
                    f.severity,
                    f.location.path.as_str(),
                    f.location.entry,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("shipped-but-git-ignored", Severity::High, ".env", Some(1)),
                (
                    "shipped-but-untracked",
                    Severity::Medium,
                    "notes.txt",
                    Some(2)
                ),
            ]
        );
    }
}
