//! `sourcemap-file`: a shipped source map without embedded sources.
//!
//! Maps found by name or content land here first; one that embeds sources is handed to
//! `sourcemap-embedded-sources` instead, so each map yields exactly one of the two.

use serde_json::json;

use super::engine::FileCtx;
use super::sourcemap::Map;
use super::{Finding, Rule, Severity, sourcemap_embedded};

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
    use crate::rules::Policy;
    use crate::rules::sourcemap::parse;

    #[test]
    fn plain_map_is_medium_and_embedded_is_critical() {
        let policy = Policy::default();
        let ctx = FileCtx {
            entry: Some(1),
            path: "a.js.map",
            inner: None,
            policy: &policy,
        };
        let mut out = Vec::new();
        let plain = br#"{"version":3,"sources":["a.ts"],"mappings":"AAAA"}"#;
        report(&ctx, &parse(plain).expect("parses"), &mut out);
        assert_eq!(out[0].rule, "sourcemap-file");
        assert_eq!(out[0].severity, Severity::Medium);
        let full = br#"{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"mappings":"AAAA"}"#;
        report(&ctx, &parse(full).expect("parses"), &mut out);
        assert_eq!(out[1].rule, "sourcemap-embedded-sources");
        assert_eq!(out.len(), 2, "one finding per map, never both");
    }

    #[test]
    fn an_index_map_of_urls_only_is_a_plain_map_file() {
        let policy = Policy::default();
        let ctx = FileCtx {
            entry: Some(1),
            path: "a.js.map",
            inner: None,
            policy: &policy,
        };
        let mut out = Vec::new();
        let urls =
            br#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"x.js.map"}]}"#;
        report(&ctx, &parse(urls).expect("parses"), &mut out);
        assert_eq!(out[0].rule, "sourcemap-file", "nothing embedded");
        assert_eq!(out[0].evidence["index_map"]["url_sections"], 1);
        assert!(
            out[0].message.contains("index map of 1 sections"),
            "{}",
            out[0].message
        );
        let embedded = br#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"mappings":""}}]}"#;
        report(&ctx, &parse(embedded).expect("parses"), &mut out);
        assert_eq!(
            out[1].rule, "sourcemap-embedded-sources",
            "a section's sourcesContent counts"
        );
    }
}
