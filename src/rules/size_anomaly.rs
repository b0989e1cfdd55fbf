//! `size-anomaly`: the package grew past the policy's ratios against the baseline.

use serde_json::json;

use super::policy::Policy;
use super::{Finding, Location, Rule, Severity};
use crate::diff::Diff;
use crate::manifest::Manifest;

/// The rule.
pub const RULE: Rule = Rule {
    id: "size-anomaly",
    severity: Severity::High,
    summary: "unpacked size or file count grew past the policy's ratio against the baseline",
    why: "Releases of a package change gradually; a doubling of size or a new file ten times \
          bigger than anything before is what an accidentally shipped source map, build cache \
          or dump looks like from the outside. The finding lists the added files, biggest first.",
};

/// Reports size, count and new-file outliers, listing the added files.
pub fn check(d: &Diff, base: &Manifest, policy: &Policy, out: &mut Vec<Finding>) {
    let t = &policy.thresholds;
    let (old, new) = (&d.old, &d.new);
    let mut added: Vec<_> = d.added.iter().collect();
    added.sort_by_key(|c| std::cmp::Reverse(c.new_size));
    let listed: Vec<_> = added
        .iter()
        .take(20)
        .map(|c| json!({ "path": c.path, "size": c.new_size }))
        .collect();
    let mut reasons = Vec::new();
    let ratio = |n: u64, o: u64| n as f64 / o.max(1) as f64;
    if new.unpacked_size >= t.size_min_bytes
        && ratio(new.unpacked_size, old.unpacked_size) > t.size_ratio
    {
        reasons.push(format!(
            "unpacked size {} → {} ({:.1}×)",
            crate::units::size(old.unpacked_size),
            crate::units::size(new.unpacked_size),
            ratio(new.unpacked_size, old.unpacked_size)
        ));
    }
    // A small package gaining a handful of files (7 → 12 when chalk went ESM) is not news.
    let small = new.unpacked_size < t.size_min_bytes;
    if !small
        && new.files >= old.files + 20
        && ratio(new.files as u64, old.files as u64) > t.files_ratio
    {
        reasons.push(format!("files {} → {}", old.files, new.files));
    }
    let old_largest = base.installed().map(|e| e.size).max().unwrap_or(0);
    if let Some(big) = added.first().filter(|c| {
        let s = c.new_size.unwrap_or(0);
        s >= t.size_min_bytes && ratio(s, old_largest) > t.new_file_ratio
    }) {
        reasons.push(format!(
            "new file {} is {} ({:.0}× the largest before)",
            big.path,
            crate::units::size(big.new_size.unwrap_or(0)),
            ratio(big.new_size.unwrap_or(0), old_largest)
        ));
    }
    if reasons.is_empty() {
        return;
    }
    out.push(
        Finding::new(
            &RULE,
            Location::default(),
            format!("grew against {}: {}", old.title(), reasons.join("; ")),
        )
        .evidence(json!({
            "old": { "unpacked_size": old.unpacked_size, "files": old.files },
            "new": { "unpacked_size": new.unpacked_size, "files": new.files },
            "added": listed,
            "added_count": added.len(),
        })),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::artifact_of;

    #[test]
    fn growth_past_ratios_is_flagged_with_added_files() {
        let small = vec![b'a'; 100 << 10];
        let big = vec![b'b'; 3 << 20];
        let old = Manifest::of(&artifact_of(&[("package/index.js", small.as_slice())]));
        let new = Manifest::of(&artifact_of(&[
            ("package/index.js", small.as_slice()),
            ("package/cli.js.map", &big),
        ]));
        let mut out = Vec::new();
        check(
            &crate::diff::diff(&old, &new),
            &old,
            &Policy::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert!(
            out[0].message.contains("unpacked size"),
            "{}",
            out[0].message
        );
        assert!(
            out[0].message.contains("new file cli.js.map"),
            "{}",
            out[0].message
        );
        assert_eq!(out[0].evidence["added"][0]["path"], "cli.js.map");
        let mut out = Vec::new();
        check(
            &crate::diff::diff(&old, &old),
            &old,
            &Policy::default(),
            &mut out,
        );
        assert!(out.is_empty(), "no growth, no finding");
    }
}
