//! `sourcemap-file`: a shipped source map without embedded sources.
//!
//! Maps found by name or content land here first; one that embeds sources is handed to
//! `sourcemap-embedded-sources` instead, so each map yields exactly one of the two.

use serde_json::json;

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

/// Reports a parsed map: embedded sources, or just the map.
pub fn report(ctx: &FileCtx<'_>, map: &Map<'_>, out: &mut Vec<Finding>) {
    if !map.embedded.is_empty() {
        out.push(sourcemap_embedded::finding(ctx, map, false));
        return;
    }
    let mut evidence = json!({ "sources": map.sources, "embedded_sources": 0 });
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
        .evidence(evidence),
    );
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
                report(ctx, &parse(m).expect("parses"), &mut out);
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
