//! `sourcemap-file`: a shipped source map without embedded sources.
//!
//! Maps found by name or content land here first; one that embeds sources is handed to
//! `sourcemap-embedded-sources` instead, so each map yields exactly one of the two.
//!
//! A package ships maps by the hundred or not at all (one SDK shipped 1,814), so after the
//! policy has judged each map by its path, [`merge`] folds them into one finding per package
//! and verdict, with the count, the total size and the list in the evidence. Declaration maps
//! (`.d.ts.map`) are `info`: they map types to sources for editors.

use serde_json::json;

use super::Allowed;
use super::ctx::FileCtx;
use super::{Finding, Rule, Severity, sourcemap_embedded};
use crate::detect::sourcemap::Map;

/// The rule.
pub const RULE: Rule = Rule {
    id: "sourcemap-file",
    severity: Severity::Medium,
    summary: "a shipped source map without embedded sources",
    why: "Even without `sourcesContent`, a map lists every original file path and the names \
          the minifier removed, which maps out the code base and its internal structure. Ship \
          maps only when you mean to (error reporting, debugging for users), and allow them \
          in the policy with that reason.",
};

/// True for a TypeScript declaration map (`.d.ts.map`, `.d.mts.map`, `.d.cts.map`): it maps
/// types to their sources for an editor's "go to definition", and reveals no more than the
/// declarations shipped beside it.
pub fn is_declaration_map(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".d.ts.map", ".d.mts.map", ".d.cts.map"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Reports a parsed map of `size` bytes: embedded sources, or just the map.
pub fn report(ctx: &FileCtx<'_>, map: &Map<'_>, size: u64, out: &mut Vec<Finding>) {
    if !map.embedded.is_empty() {
        out.push(sourcemap_embedded::finding(ctx, map, false));
        return;
    }
    let declaration = is_declaration_map(ctx.name());
    let mut evidence = json!({ "sources": map.sources, "embedded_sources": 0, "bytes": size });
    if declaration {
        evidence["declaration_map"] = true.into();
    }
    if let Some(index) = map.index {
        evidence["index_map"] = index.json();
    }
    out.push(
        Finding::new(
            &RULE,
            ctx.location(None, None),
            format!(
                "source map listing {} sources (no embedded content){}",
                map.sources,
                map.index
                    .map_or_else(String::new, |i| format!(" [{}]", i.note()))
            ),
        )
        .severity(if declaration {
            Severity::Info
        } else {
            RULE.severity
        })
        .evidence(evidence),
    );
}

/// How many map paths the merged finding's evidence lists; the count and size cover all.
const LISTED: usize = 1000;

/// Folds the per-map `sourcemap-file` findings of parsed maps (those with `sources` in their
/// evidence) into one finding per (severity, policy verdict): the first map's location, the
/// count and total size in the message, every path (up to [`LISTED`]) in the evidence. A
/// group of one map is left as it is. Findings keep their order otherwise.
pub fn merge(findings: &mut Vec<Finding>) {
    type Key = (Severity, Option<Allowed>);
    let mut groups: Vec<(Key, Vec<Finding>)> = Vec::new();
    let mut rest = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        if f.rule != RULE.id || f.evidence.get("sources").is_none() {
            rest.push(f);
            continue;
        }
        let key = (f.severity, f.allowed.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(f),
            None => groups.push((key, vec![f])),
        }
    }
    for (_, mut group) in groups {
        if group.len() == 1 {
            rest.append(&mut group);
            continue;
        }
        let count = group.len();
        let num = |f: &Finding, k: &str| f.evidence.get(k).and_then(serde_json::Value::as_u64);
        let bytes: u64 = group.iter().filter_map(|f| num(f, "bytes")).sum();
        let sources: u64 = group.iter().filter_map(|f| num(f, "sources")).sum();
        let declaration = group
            .iter()
            .all(|f| f.evidence.get("declaration_map").is_some());
        let maps: Vec<String> = group
            .iter()
            .take(LISTED)
            .map(|f| f.location.to_string())
            .collect();
        let mut first = group.swap_remove(0);
        first.message = format!(
            "{count} {} without embedded sources ({}, listing {sources} sources), first {}",
            if declaration {
                "declaration maps"
            } else {
                "source maps"
            },
            crate::units::size(bytes),
            first.location
        );
        first.evidence = json!({
            "maps": count, "bytes": bytes, "sources": sources, "embedded_sources": 0,
            "declaration_maps": declaration, "listed": maps,
        });
        rest.push(first);
    }
    *findings = rest;
}

/// A `*.map` file that is not a readable map is still a shipped map file.
pub fn report_unparsed(ctx: &FileCtx<'_>, err: &str, out: &mut Vec<Finding>) {
    out.push(Finding::new(
        &RULE,
        ctx.location(None, None),
        format!("`.map` file that does not parse as a source map ({err})"),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::sourcemap::parse;
    use crate::rules::test_support::with_file;

    /// The findings of `report` on each map in turn, as one list.
    fn reports(maps: &[&[u8]]) -> Vec<Finding> {
        let mut out = Vec::new();
        with_file("a.js.map", |ctx| {
            for m in maps {
                report(ctx, &parse(m).expect("parses"), m.len() as u64, &mut out);
            }
        });
        out
    }

    #[test]
    fn plain_map_is_medium_and_embedded_is_critical() {
        let plain = br#"{"version":3,"sources":["a.ts"],"mappings":"AAAA"}"#;
        let full = br#"{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"mappings":"AAAA"}"#;
        let out = reports(&[plain, full]);
        assert_eq!(out[0].rule, "sourcemap-file");
        assert_eq!(out[0].severity, Severity::Medium);
        assert_eq!(out[1].rule, "sourcemap-embedded-sources");
        assert_eq!(out.len(), 2, "one finding per map, never both");
    }

    /// A `sourcemap-file` finding for a plain map at `path`.
    fn plain_at(path: &str) -> Finding {
        let map = br#"{"version":3,"sources":["a.ts","b.ts"],"mappings":"AAAA"}"#;
        let mut out = Vec::new();
        with_file(path, |ctx| {
            report(ctx, &parse(map).expect("parses"), 100, &mut out);
        });
        out.remove(0)
    }

    #[test]
    fn declaration_maps_are_info() {
        for p in ["types/a.d.ts.map", "x.d.mts.map", "x.D.CTS.MAP"] {
            let f = plain_at(p);
            assert_eq!(f.severity, Severity::Info, "{p}");
            assert_eq!(f.evidence["declaration_map"], true);
        }
        assert_eq!(plain_at("dist/a.js.map").severity, Severity::Medium);
        assert!(!is_declaration_map("dist/d.ts.js.map"));
    }

    #[test]
    fn maps_are_one_finding_per_package_and_verdict() {
        let mut findings: Vec<Finding> = (0..1500)
            .map(|i| plain_at(&format!("dist/m{i}.js.map")))
            .collect();
        findings.push(plain_at("types/a.d.ts.map"));
        findings.push(plain_at("types/b.d.ts.map"));
        let mut allowed = plain_at("lib/kept.js.map");
        allowed.allowed = Some(Allowed {
            reason: "published on purpose".to_owned(),
            expires: None,
            path: "lib/**".to_owned(),
        });
        findings.push(allowed);
        findings.push(Finding::new(
            &RULE,
            plain_at("x.map").location,
            "unparsed".to_owned(),
        ));
        merge(&mut findings);
        assert_eq!(findings.len(), 4, "{findings:#?}");
        let by = |p: &str| {
            findings
                .iter()
                .find(|f| f.location.path == p)
                .unwrap_or_else(|| panic!("{p}: {findings:#?}"))
        };
        let maps = by("dist/m0.js.map");
        assert_eq!(maps.evidence["maps"], 1500);
        assert_eq!(maps.evidence["bytes"], 150_000);
        assert_eq!(maps.evidence["sources"], 3000);
        assert_eq!(
            maps.evidence["listed"].as_array().map(Vec::len),
            Some(LISTED)
        );
        assert!(
            maps.message
                .starts_with("1500 source maps without embedded sources (150"),
            "{}",
            maps.message
        );
        let decl = by("types/a.d.ts.map");
        assert_eq!(decl.severity, Severity::Info);
        assert!(
            decl.message.starts_with("2 declaration maps"),
            "{}",
            decl.message
        );
        assert!(
            by("lib/kept.js.map").allowed.is_some(),
            "the allowed map stays on its own"
        );
        assert_eq!(
            by("x.map").message,
            "unparsed",
            "an unparsed map is not folded"
        );
    }

    #[test]
    fn a_package_s_maps_are_one_finding_through_the_engine() {
        let map = br#"{"version":3,"sources":["a.ts"],"mappings":"AAAA"}"#;
        let a = crate::rules::test_support::artifact_of(&[
            ("package/dist/a.js.map", &map[..]),
            ("package/dist/b.js.map", &map[..]),
            ("package/dist/c.js.map", &map[..]),
            ("package/types/a.d.ts.map", &map[..]),
        ]);
        let f: Vec<Finding> = crate::rules::evaluate(&a, None)
            .findings
            .into_iter()
            .filter(|f| f.rule == RULE.id)
            .collect();
        assert_eq!(f.len(), 2, "{f:#?}");
        let plain = f
            .iter()
            .find(|f| f.severity == Severity::Medium)
            .expect("medium");
        assert_eq!(plain.evidence["maps"], 3);
        assert_eq!(
            plain.evidence["listed"],
            json!(["dist/a.js.map", "dist/b.js.map", "dist/c.js.map"])
        );
        let decl = f
            .iter()
            .find(|f| f.severity == Severity::Info)
            .expect("info");
        assert_eq!(
            decl.location.path, "types/a.d.ts.map",
            "a single map stays as it is"
        );
    }

    #[test]
    fn an_index_map_of_urls_only_is_a_plain_map_file() {
        let urls =
            br#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"x.js.map"}]}"#;
        let embedded = br#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"mappings":""}}]}"#;
        let out = reports(&[urls, embedded]);
        assert_eq!(out[0].rule, "sourcemap-file", "nothing embedded");
        assert_eq!(out[0].evidence["index_map"]["url_sections"], 1);
        assert!(
            out[0].message.contains("index map of 1 sections"),
            "{}",
            out[0].message
        );
        assert_eq!(
            out[1].rule, "sourcemap-embedded-sources",
            "a section's sourcesContent counts"
        );
    }
}
