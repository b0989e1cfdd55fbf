//! `sourcemap-reference`: a `//# sourceMappingURL=` comment pointing at a map.
//!
//! References are collected while files stream past and resolved once every path is known:
//! a map that ships is only noted (the map itself is reported), a missing one is low, and an
//! external URL is medium because the sources may be one request away for anyone. The first
//! two come by the thousand and are folded into one finding per policy verdict.

use std::collections::HashSet;

use serde_json::json;

use super::ctx::{FileCtx, Noted};
use super::fold::{Groups, LISTED};
use super::{Finding, Policy, Rule, Severity};
use crate::artifact::Artifact;
use crate::detect::text::LineCounter;

/// The rule.
pub const RULE: Rule = Rule {
    id: "sourcemap-reference",
    severity: Severity::Low,
    summary: "`sourceMappingURL` points at a map that is not shipped (low) or at a URL (medium)",
    why: "A reference to a missing map is harmless but tells you the build emits maps, so the \
          next release may ship them. A reference to an external URL means the maps (often \
          with sources) are published somewhere else; check who can fetch them. References \
          to maps that ship or that are missing come by the thousand: they are one finding \
          per policy verdict, with the count and the list; each external URL is its own.",
};

/// A reference seen in a file, resolved in [`resolve`].
#[derive(Debug, Clone)]
pub struct Pending {
    location: Noted,
    target: Box<str>,
}

/// Records every comment-form `sourceMappingURL` in `bytes` (not `data:` ones).
pub fn collect(ctx: &FileCtx<'_>, bytes: &[u8], refs: &mut Vec<Pending>) {
    let mut lines = LineCounter::default();
    for at in memchr::memmem::find_iter(bytes, b"sourceMappingURL=") {
        // Only the comment forms `//# ` / `//@ ` / `/*# ` count; code that writes such
        // comments (bundlers, loaders) has the text inside string literals.
        if at < 4 || !matches!(&bytes[at - 4..at], b"//# " | b"//@ " | b"/*# " | b"/*@ ") {
            continue;
        }
        let start = at + "sourceMappingURL=".len();
        let end = bytes[start..]
            .iter()
            .position(|b| {
                b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'*' | b'+' | b')')
            })
            .map_or(bytes.len(), |p| start + p);
        let target = &bytes[start..end];
        let next = bytes.get(end).copied();
        if target.is_empty()
            || target.starts_with(b"data:")
            || matches!(next, Some(b'"' | b'\'' | b'`' | b'+'))
            || target.contains(&b'$')
        {
            continue;
        }
        let (line, column) = lines.at(bytes, at);
        refs.push(Pending {
            location: ctx.noted(Some(line), Some(column)),
            target: String::from_utf8_lossy(target).into(),
        });
    }
}

/// Joins a relative reference to the referring file's folder (a `..` past the top is dropped,
/// as a URL join drops it).
fn join(from: &str, target: &str) -> String {
    let target = target.split(['?', '#']).next().unwrap_or(target);
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    crate::artifact::path::resolve_dots(&format!("{dir}/{target}")).0
}

/// Turns the collected references into findings. A reference to an external URL is a finding
/// of its own (each names a place the sources may be fetched from). References to maps that
/// ship, and to maps that do not, come by the thousand in a package built with maps (42,000
/// in one 127,000-file tarball): each is judged by the policy by its own path, then those
/// judged alike are one finding with the count, its first location and the list (up to
/// [`LISTED`]) in the evidence.
pub fn resolve(a: &Artifact, refs: &[Pending], policy: &Policy, out: &mut Vec<Finding>) {
    let shipped: HashSet<&str> = a.installed().map(|e| e.path.as_str()).collect();
    // [ships, not shipped]
    let mut folded: [Groups<Vec<serde_json::Value>>; 2] = Default::default();
    for r in refs {
        let t = &*r.target;
        let external = t.starts_with("http://") || t.starts_with("https://") || t.starts_with("//");
        if external {
            out.push(
                Finding::new(
                    &RULE,
                    r.location.location(a),
                    format!("references an external source map {t}"),
                )
                .severity(Severity::Medium)
                .evidence(json!({ "target": t })),
            );
            continue;
        }
        if r.location.is_inner() {
            continue;
        }
        let location = r.location.location(a);
        let resolved = join(&location.path, t);
        let ships = shipped.contains(resolved.as_str());
        let (severity, message) = if ships {
            (
                Severity::Info,
                format!("references {resolved}, which ships"),
            )
        } else {
            (
                Severity::Low,
                format!("references {resolved}, which is not shipped"),
            )
        };
        let listed_as = location.to_string();
        let f = Finding::new(&RULE, location, message)
            .severity(severity)
            .evidence(json!({ "target": t }));
        let Some(f) = policy.judge(f) else {
            return; // the rule is disabled
        };
        let listed = folded[usize::from(!ships)].add(f);
        if listed.len() < LISTED {
            listed.push(json!({ "location": listed_as, "target": t }));
        }
    }
    for (groups, what) in folded
        .into_iter()
        .zip(["maps that ship", "maps that are not shipped"])
    {
        for (mut first, count, listed) in groups.into_groups() {
            if count > 1 {
                first.message = format!(
                    "{count} sourceMappingURL comments reference {what}, first {}: {}",
                    first.location, first.message
                );
                first.evidence["references"] = count.into();
                first.evidence["listed"] = listed.into();
            }
            out.push(first);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::with_file;

    fn collect_from(js: &[u8]) -> Vec<Pending> {
        let mut refs = Vec::new();
        with_file("dist/a.js", |ctx| collect(ctx, js, &mut refs));
        refs
    }

    #[test]
    fn comments_count_string_literals_do_not() {
        let refs = collect_from(b"a()\n//# sourceMappingURL=a.js.map\n");
        assert_eq!(refs.len(), 1);
        assert_eq!(&*refs[0].target, "a.js.map");
        assert!(matches!(
            refs[0].location,
            Noted::Entry { line: Some(2), .. }
        ));
        assert!(collect_from(br#"s += "//# sourceMappingURL=" + url;"#).is_empty());
        assert!(collect_from(b"//# sourceMappingURL=data:application/json;base64,e30=").is_empty());
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join("dist/a.js", "a.js.map"), "dist/a.js.map");
        assert_eq!(
            join("dist/esm/a.js", "../maps/a.map?v=1"),
            "dist/maps/a.map"
        );
    }

    #[test]
    fn references_by_the_thousand_are_one_finding_per_kind_and_verdict() {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for i in 0..1200 {
            let js = format!("a();\n//# sourceMappingURL=m{i}.js.map\n");
            files.push((format!("package/dist/m{i}.js"), js.into_bytes()));
            if i % 2 == 0 {
                files.push((format!("package/dist/m{i}.js.map"), b"{}".to_vec()));
            }
        }
        for i in 0..3 {
            let js = format!("//# sourceMappingURL=https://cdn.example/x{i}.map\n");
            files.push((format!("package/cdn/x{i}.js"), js.into_bytes()));
            let js = format!("//# sourceMappingURL=l{i}.js.map\n");
            files.push((format!("package/lib/l{i}.js"), js.into_bytes()));
        }
        let borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect();
        let a = crate::rules::test_support::artifact_of(&borrowed);
        let policy = Policy::parse(
            "p.toml",
            "[[allow]]\npath = \"lib/**\"\nrule = \"sourcemap-reference\"\nreason = \"r\"\n",
        )
        .expect("valid");
        let mut refs = Vec::new();
        for e in a.installed().filter(|e| e.is_file()) {
            let bytes = a.content(e.index).expect("kept");
            let ctx = FileCtx {
                entry: Some(e.index),
                path: &e.path,
                inner: None,
                policy: &policy,
            };
            collect(&ctx, &bytes, &mut refs);
        }
        assert_eq!(refs.len(), 1206);
        let mut out = Vec::new();
        resolve(&a, &refs, &policy, &mut out);
        let by = |sev: Severity, allowed: bool| -> Vec<&Finding> {
            out.iter()
                .filter(|f| f.severity == sev && f.allowed.is_some() == allowed)
                .collect()
        };
        let ships = by(Severity::Info, false);
        assert_eq!(ships.len(), 1, "{out:#?}");
        assert_eq!(ships[0].evidence["references"], 600);
        assert_eq!(
            ships[0].evidence["listed"].as_array().map(Vec::len),
            Some(600)
        );
        assert!(ships[0].message.starts_with("600 sourceMappingURL comments reference maps that ship, first dist/m0.js:2: references dist/m0.js.map, which ships"), "{}", ships[0].message);
        let missing = by(Severity::Low, false);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].evidence["references"], 600);
        assert_eq!(missing[0].location.path, "dist/m1.js");
        let allowed = by(Severity::Low, true);
        assert_eq!(
            allowed.len(),
            1,
            "the allowed ones are a group of their own"
        );
        assert_eq!(allowed[0].evidence["references"], 3);
        assert_eq!(
            by(Severity::Medium, false).len(),
            3,
            "each external URL on its own"
        );
    }

    #[test]
    fn an_external_reference_inside_a_nested_archive_is_reported() {
        let inner = crate::rules::test_support::fixtures::npm_tgz(
            "inner",
            "1.0.0",
            &[(
                "a.js",
                b"a();\n//# sourceMappingURL=https://cdn.example/a.js.map\n",
            )],
        );
        let a = crate::rules::test_support::artifact_of(&[
            ("package/package.json", br#"{"name":"p","version":"1.0.0"}"#),
            ("package/vendor/inner.tgz", &inner),
        ]);
        let refs: Vec<Finding> = crate::rules::evaluate(&a, None)
            .findings
            .into_iter()
            .filter(|f| f.rule == RULE.id)
            .collect();
        assert_eq!(refs.len(), 1, "{refs:#?}");
        assert_eq!(refs[0].severity, Severity::Medium);
        assert_eq!(refs[0].location.path, "vendor/inner.tgz");
        assert_eq!(refs[0].location.inner.as_deref(), Some("a.js"));
    }
}
