//! `large-file`: one file above the policy's size limit, or holding most of the package.

use serde_json::json;

use super::policy::Policy;
use super::{Finding, Location, Rule, Severity};
use crate::artifact::Artifact;

/// The rule.
pub const RULE: Rule = Rule {
    id: "large-file",
    severity: Severity::Medium,
    summary: "a file above `thresholds.max_file_size`, or one file holding most of the package",
    why: "The 59.8 MB `cli.js.map` was the one file that made the incident visible: an \
          unexpectedly large file is usually a map, a bundle of sources, a dump or a binary \
          that nobody meant to publish. The limit is in the policy (`thresholds`). A file past \
          the scan limit (256 MB, `--max-scanned-size`) is hashed but no rule reads its content, so it is reported \
          high: the automated gate did not look inside it, a person must.",
};

/// Reports files past the limit or past the share of the package, and files too large for
/// the rules to have read.
pub fn check(a: &Artifact, policy: &Policy, out: &mut Vec<Finding>) {
    let limit = a.limits().max_scanned;
    for e in a.entries.iter().filter(|e| e.is_file() && e.size > limit) {
        let loc = Location {
            entry: Some(e.index),
            path: e.path.clone(),
            ..Location::default()
        };
        let message = format!(
            "{}: past the {} scan limit (--max-scanned-size), so no rule read its content; \
             review it by hand",
            crate::units::size(e.size),
            crate::units::size(limit)
        );
        out.push(
            Finding::new(&RULE, loc, message)
                .severity(Severity::High)
                .evidence(json!({ "size": e.size, "not_scanned": true, "scan_limit": limit })),
        );
    }
    let t = &policy.thresholds;
    let total = a.unpacked_size.max(1);
    let files = a.file_count();
    for e in a.installed().filter(|e| e.is_file()) {
        let share = e.size as f64 / total as f64;
        let too_big = e.size > t.max_file_size;
        let dominant = files > 1 && e.size >= t.share_min_bytes && share > t.max_file_share;
        if !(too_big || dominant) {
            continue;
        }
        let size = crate::units::size(e.size);
        let message = if too_big {
            format!(
                "{size}, above the {} limit",
                crate::units::size(t.max_file_size)
            )
        } else {
            format!("{size}: {:.0}% of the package", share * 100.0)
        };
        let loc = Location {
            entry: Some(e.index),
            path: e.path.clone(),
            ..Location::default()
        };
        out.push(
            Finding::new(&RULE, loc, message).evidence(json!({ "size": e.size, "share": share })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::artifact_of;

    #[test]
    fn big_and_dominant_files() {
        let policy = Policy::default();
        let big = vec![b'a'; 2 << 20];
        let a = artifact_of(&[
            ("package/index.js", b"x".as_slice()),
            ("package/dist/cli.js.map", &big),
        ]);
        let mut out = Vec::new();
        check(&a, &policy, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].location.path, "dist/cli.js.map");
        assert!(out[0].message.contains("% of the package"));
        let small = artifact_of(&[("package/a.js", b"aaaa".as_slice()), ("package/b.js", b"b")]);
        let mut out = Vec::new();
        check(&small, &policy, &mut out);
        assert!(
            out.is_empty(),
            "tiny packages are not flagged for shares: {out:?}"
        );
    }
}
