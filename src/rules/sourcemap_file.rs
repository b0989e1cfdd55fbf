//! `sourcemap-file`: a shipped source map without embedded sources.
//!
//! Maps found by name or content land here first; one that embeds sources is handed to
//! `sourcemap-embedded-sources` instead, so each map yields exactly one of the two.
//!
//! A package ships maps by the hundred or not at all (one SDK shipped 1,814), so a plain map
//! is noted in a few words as it streams past and, once the policy has judged each by its
//! path, [`findings`] folds them into one finding per package and verdict, with the count,
//! the total size and the list in the evidence. Declaration maps
//! (`.d.ts.map`) are `info`: they map types to sources for editors.

use serde_json::json;

use super::ctx::{FileCtx, Noted};
use super::fold::{Groups, LISTED};
use super::{Finding, Policy, Rule, Severity, sourcemap_embedded};
use crate::artifact::Artifact;
use crate::detect::sourcemap::{Index, Map};

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

/// A parsed map without embedded sources, as [`report`] notes it: a few words, not a
/// finding, because a package may ship tens of thousands; [`findings`] makes the findings.
#[derive(Debug, Clone)]
pub struct Plain {
    location: Noted,
    sources: usize,
    bytes: u64,
    declaration: bool,
    index: Option<Box<Index>>,
}

impl Plain {
    /// The finding for this map alone, in `a`.
    fn finding(&self, a: &Artifact) -> Finding {
        let mut evidence =
            json!({ "sources": self.sources, "embedded_sources": 0, "bytes": self.bytes });
        if self.declaration {
            evidence["declaration_map"] = true.into();
        }
        if let Some(index) = &self.index {
            evidence["index_map"] = index.json();
        }
        Finding::new(
            &RULE,
            self.location.location(a),
            format!(
                "source map listing {} sources (no embedded content){}",
                self.sources,
                self.index
                    .as_ref()
                    .map_or_else(String::new, |i| format!(" [{}]", i.note()))
            ),
        )
        .severity(if self.declaration {
            Severity::Info
        } else {
            RULE.severity
        })
        .evidence(evidence)
    }
}

/// Reports a parsed map of `size` bytes: embedded sources as a finding now, a plain map as a
/// [`Plain`] note for [`findings`].
pub fn report(
    ctx: &FileCtx<'_>,
    map: &Map<'_>,
    size: u64,
    out: &mut Vec<Finding>,
    plain: &mut Vec<Plain>,
) {
    if !map.embedded.is_empty() {
        out.push(sourcemap_embedded::finding(ctx, map, false));
        return;
    }
    plain.push(Plain {
        location: ctx.noted(None, None),
        sources: map.sources,
        bytes: size,
        declaration: is_declaration_map(ctx.name()),
        index: map.index.map(Box::new),
    });
}

/// What a group of plain maps adds up to.
#[derive(Debug, Default)]
struct Tally {
    bytes: u64,
    sources: u64,
    /// Some map in the group is not a declaration map.
    any_plain: bool,
    listed: Vec<String>,
}

/// The findings for the plain maps: each judged by the policy by its own path, then one
/// finding per (severity, policy verdict) with the first map's location, the count and total
/// size in the message and every path (up to [`LISTED`]) in the evidence. A group of one map
/// is that map's own finding.
pub fn findings(a: &Artifact, plain: &[Plain], policy: &Policy, out: &mut Vec<Finding>) {
    let mut groups = Groups::<Tally>::default();
    for p in plain {
        let Some(f) = policy.judge(p.finding(a)) else {
            return; // the rule is disabled
        };
        let listed_as = f.location.to_string();
        let tally = groups.add(f);
        tally.bytes += p.bytes;
        tally.sources += p.sources as u64;
        tally.any_plain |= !p.declaration;
        if tally.listed.len() < LISTED {
            tally.listed.push(listed_as);
        }
    }
    for (mut first, count, tally) in groups.into_groups() {
        if count > 1 {
            first.message = format!(
                "{count} {} without embedded sources ({}, listing {} sources), first {}",
                if tally.any_plain {
                    "source maps"
                } else {
                    "declaration maps"
                },
                crate::units::size(tally.bytes),
                tally.sources,
                first.location
            );
            first.evidence = json!({
                "maps": count, "bytes": tally.bytes, "sources": tally.sources,
                "embedded_sources": 0, "declaration_maps": !tally.any_plain,
                "listed": tally.listed,
            });
        }
        out.push(first);
    }
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
    use crate::rules::test_support::artifact_of;

    /// Runs `f` in the context of a file at `path` that is no entry of an artifact, so that
    /// its notes hold the whole location.
    fn with_file<R>(path: &str, f: impl FnOnce(&FileCtx<'_>) -> R) -> R {
        let policy = Policy::default();
        f(&FileCtx {
            entry: None,
            path,
            inner: None,
            policy: &policy,
        })
    }

    /// The finding of `report` on each map in turn (a plain map's own, unfolded).
    fn reports(maps: &[&[u8]]) -> Vec<Finding> {
        let mut out = Vec::new();
        with_file("a.js.map", |ctx| {
            for m in maps {
                let (mut found, mut plain) = (Vec::new(), Vec::new());
                report(
                    ctx,
                    &parse(m).expect("parses"),
                    m.len() as u64,
                    &mut found,
                    &mut plain,
                );
                out.extend(found);
                out.extend(plain.iter().map(|p| p.finding(&artifact_of(&[]))));
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

    /// The note for a plain map of 100 bytes at `path`.
    fn plain_note(path: &str) -> Plain {
        let map = br#"{"version":3,"sources":["a.ts","b.ts"],"mappings":"AAAA"}"#;
        let mut plain = Vec::new();
        with_file(path, |ctx| {
            report(
                ctx,
                &parse(map).expect("parses"),
                100,
                &mut Vec::new(),
                &mut plain,
            );
        });
        plain.remove(0)
    }

    /// A `sourcemap-file` finding for a plain map at `path`.
    fn plain_at(path: &str) -> Finding {
        plain_note(path).finding(&artifact_of(&[]))
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
        let mut plain: Vec<Plain> = (0..1500)
            .map(|i| plain_note(&format!("dist/m{i}.js.map")))
            .collect();
        plain.push(plain_note("types/a.d.ts.map"));
        plain.push(plain_note("types/b.d.ts.map"));
        plain.push(plain_note("lib/kept.js.map"));
        let policy = Policy::parse(
            "p.toml",
            "[[allow]]\npath = \"lib/**\"\nreason = \"published on purpose\"\n",
        )
        .expect("valid");
        let mut findings = vec![Finding::new(
            &RULE,
            plain_at("x.map").location,
            "unparsed".to_owned(),
        )];
        super::findings(&artifact_of(&[]), &plain, &policy, &mut findings);
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
