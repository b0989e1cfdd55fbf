//! `size-anomaly`: the package grew past the policy's ratios against the baseline.

use std::fmt::Write as _;

use serde_json::json;

use super::policy::Policy;
use super::{Finding, Location, Rule, Severity};
use crate::diff::{Diff, EntryChange};
use crate::manifest::Manifest;

/// The rule.
pub const RULE: Rule = Rule {
    id: "size-anomaly",
    severity: Severity::High,
    summary: "unpacked size or file count grew past the policy's ratio against the baseline",
    why: "Releases of a package change gradually; a doubling of size or a new file ten times \
          bigger than anything before is what an accidentally shipped source map, build cache \
          or dump looks like from the outside. The finding names the added or grown files, biggest first (the evidence lists 20), and \
          points at the biggest.",
};

/// How many of the added or grown files the message names; the evidence lists up to 20.
const NAMED: usize = 3;

/// Reports size, count and new-file outliers, naming the added or grown files biggest first
/// and pointing at the biggest.
pub fn check(d: &Diff, base: &Manifest, policy: &Policy, out: &mut Vec<Finding>) {
    let t = &policy.thresholds;
    let (old, new) = (&d.old, &d.new);
    let mut added: Vec<_> = d.added.iter().collect();
    added.sort_by_key(|c| std::cmp::Reverse(c.new_size));
    // What made the package bigger: every added file and every file that grew, by how much
    // each added (an added file adds its whole size), biggest first, then by path.
    let mut growth: Vec<_> = d
        .added
        .iter()
        .chain(d.changed.iter().filter(|c| c.size_delta > 0))
        .collect();
    growth.sort_by(|a, b| b.size_delta.cmp(&a.size_delta).then(a.path.cmp(&b.path)));
    let listed: Vec<_> = added
        .iter()
        .take(20)
        .map(|c| json!({ "path": c.path, "size": c.new_size }))
        .collect();
    let grew: Vec<_> = growth
        .iter()
        .take(20)
        .map(|c| json!({ "path": c.path, "size": c.new_size, "old_size": c.old_size }))
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
    let outlier = added.first().filter(|c| {
        let s = c.new_size.unwrap_or(0);
        s >= t.size_min_bytes && ratio(s, old_largest) > t.new_file_ratio
    });
    if let Some(big) = outlier {
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
    let mut message = format!("grew against {}: {}", old.title(), reasons.join("; "));
    if !growth.is_empty() {
        let named: Vec<String> = growth.iter().take(NAMED).map(|c| grown(c)).collect();
        let _ = write!(message, "; biggest additions: {}", named.join(", "));
        if growth.len() > NAMED {
            let _ = write!(message, " and {} more", growth.len() - NAMED);
        }
    }
    // The file a reviewer opens first: the new outlier, else the biggest addition. A package
    // that only lost files or grew in metadata has no file to point at.
    let loc = Location {
        path: outlier
            .or(growth.first())
            .map(|c| c.path.clone())
            .unwrap_or_default(),
        ..Location::default()
    };
    out.push(Finding::new(&RULE, loc, message).evidence(json!({
        "old": { "unpacked_size": old.unpacked_size, "files": old.files },
        "new": { "unpacked_size": new.unpacked_size, "files": new.files },
        "added": listed,
        "added_count": added.len(),
        "growth": grew,
        "growth_count": growth.len(),
    })));
}

/// `cli.js.map 59.8 MB (new)` or `cli.js 1.2 MB → 4.4 MB`.
fn grown(c: &EntryChange) -> String {
    let new = crate::units::size(c.new_size.unwrap_or(0));
    match c.old_size {
        None => format!("{} {new} (new)", c.path),
        Some(old) => format!("{} {} → {new}", c.path, crate::units::size(old)),
    }
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
        assert_eq!(
            out[0].location.path, "cli.js.map",
            "the finding points at the file that made the difference"
        );
        let mut out = Vec::new();
        check(
            &crate::diff::diff(&old, &old),
            &old,
            &Policy::default(),
            &mut out,
        );
        assert!(out.is_empty(), "no growth, no finding");
    }

    #[test]
    fn the_message_names_added_and_grown_files_biggest_first() {
        let kb = |n: usize| vec![b'a'; n << 10];
        let old = Manifest::of(&artifact_of(&[
            ("package/index.js", kb(100).as_slice()),
            ("package/lib.js", kb(10).as_slice()),
        ]));
        let new = Manifest::of(&artifact_of(&[
            ("package/index.js", kb(100).as_slice()),
            ("package/lib.js", kb(300).as_slice()),
            ("package/a.js", kb(50).as_slice()),
            ("package/b.js", kb(20).as_slice()),
            ("package/c.js", kb(5).as_slice()),
            ("package/d.js", kb(1).as_slice()),
        ]));
        let mut out = Vec::new();
        check(
            &crate::diff::diff(&old, &new),
            &old,
            &Policy::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1, "{out:?}");
        let m = &out[0].message;
        let at = |s: &str| m.find(s).unwrap_or_else(|| panic!("{s:?} in {m}"));
        assert!(
            at("lib.js 10.24 kB → 307.20 kB") < at("a.js 51.20 kB (new)"),
            "{m}"
        );
        assert!(at("a.js 51.20 kB (new)") < at("b.js 20.48 kB (new)"), "{m}");
        assert!(m.ends_with(" and 2 more"), "the rest are counted: {m}");
        assert!(!m.contains("c.js"), "only the biggest three are named: {m}");
        assert_eq!(out[0].location.path, "lib.js", "the biggest growth");
        assert_eq!(out[0].evidence["growth_count"], 5);
        assert_eq!(out[0].evidence["growth"][4]["path"], "d.js");
    }
}
