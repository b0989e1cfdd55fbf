//! `sourcemap-embedded-sources`: a source map whose `sourcesContent` ships the original code.
//!
//! The evidence is what a reviewer needs at a glance: how many files and lines, how much of it
//! is the author's own code versus bundled dependencies, and under which folders it sits.

use std::collections::HashMap;

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Rule, Severity};
use crate::detect::sourcemap::{Map, group_of};

/// The rule.
pub const RULE: Rule = Rule {
    id: "sourcemap-embedded-sources",
    severity: Severity::Critical,
    summary: "a source map (file or inline) embeds original sources in `sourcesContent`",
    why: "`sourcesContent` holds the complete original source of every file the bundle was \
          built from: comments, internal names, unreleased features, sometimes credentials. This \
          is how a 59.8 MB `cli.js.map` published a whole TypeScript code base. Build without \
          `sourcesContent` (or without maps), or keep maps out of the package with `files`. \
          The evidence separates your own sources from bundled third-party ones.",
};

/// Files, lines and bytes of a group of sources.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    files: u64,
    lines: u64,
    bytes: u64,
}

impl Tally {
    fn add(&mut self, lines: u64, bytes: u64) {
        self.files += 1;
        self.lines += lines;
        self.bytes += bytes;
    }
    fn json(self) -> serde_json::Value {
        json!({ "files": self.files, "lines": self.lines, "bytes": self.bytes })
    }
}

/// Formats a count with thousands separators (`515432` → `515,432`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The finding for a map with embedded sources; `inline` names the file holding a `data:` map.
pub fn finding(ctx: &FileCtx<'_>, map: &Map<'_>, inline: bool) -> Finding {
    let (mut first, mut third, mut all) = (Tally::default(), Tally::default(), Tally::default());
    let mut groups: HashMap<String, (bool, Tally)> = HashMap::new();
    for src in &map.embedded {
        all.add(src.lines, src.bytes);
        if src.third_party {
            &mut third
        } else {
            &mut first
        }
        .add(src.lines, src.bytes);
        groups
            .entry(group_of(&src.name))
            .or_insert((src.third_party, Tally::default()))
            .1
            .add(src.lines, src.bytes);
    }
    let mut ranked: Vec<(String, (bool, Tally))> = groups.into_iter().collect();
    ranked.sort_by(|a, b| b.1.1.lines.cmp(&a.1.1.lines).then_with(|| a.0.cmp(&b.0)));
    let top = |third_party: bool| -> Vec<serde_json::Value> {
        ranked
            .iter()
            .filter(|(_, (t, _))| *t == third_party)
            .take(5)
            .map(|(dir, (_, t))| json!({ "dir": dir, "files": t.files, "lines": t.lines }))
            .collect()
    };
    let largest = map.embedded.iter().max_by_key(|s| s.lines);
    let main_dir = ranked
        .iter()
        .find(|(_, (t, _))| !t)
        .map_or_else(String::new, |(d, (_, t))| {
            if t.files == first.files {
                format!(" under {d}")
            } else {
                format!(" (most lines under {d})")
            }
        });
    let files = |n: u64| format!("{} file{}", thousands(n), if n == 1 { "" } else { "s" });
    let third_note = if third.files == 0 {
        String::new()
    } else {
        format!(
            ", third-party {} / {} lines",
            files(third.files),
            thousands(third.lines)
        )
    };
    let message = format!(
        "{}embeds {} of {} sources / {} lines ({}){}: first-party {} / {} lines{}{}",
        if inline { "inline map " } else { "" },
        thousands(all.files),
        thousands(map.sources as u64),
        thousands(all.lines),
        crate::units::size(all.bytes),
        map.index
            .map_or_else(String::new, |i| format!(" [{}]", i.note())),
        files(first.files),
        thousands(first.lines),
        main_dir,
        third_note,
    );
    let mut evidence = json!({
        "sources": map.sources,
        "embedded_sources": all.files,
        "embedded_lines": all.lines,
        "embedded_bytes": all.bytes,
        "first_party": first.json(),
        "third_party": third.json(),
        "top_directories": top(false),
        "top_third_party": top(true),
        "largest": largest.map(|s| json!({ "source": s.name, "lines": s.lines, "bytes": s.bytes })),
        "inline": inline,
    });
    if let Some(index) = map.index {
        evidence["index_map"] = index.json();
    }
    Finding::new(&RULE, ctx.location(None, None), message).evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::sourcemap::parse;
    use crate::rules::Policy;

    fn ctx(policy: &Policy) -> FileCtx<'_> {
        FileCtx {
            entry: Some(0),
            path: "dist/cli.js.map",
            inner: None,
            policy,
        }
    }

    #[test]
    fn counts_files_lines_and_splits_third_party() {
        let map = br#"{"version":3,"sources":["../src/a.ts","../src/auth/b.ts","../node_modules/lodash/x.js","webpack/runtime/r"],
            "sourcesContent":["l1\nl2\nl3","one","dep\ndep",null],"mappings":""}"#;
        let policy = Policy::default();
        let f = finding(&ctx(&policy), &parse(map).expect("parses"), false);
        assert_eq!(f.severity, Severity::Critical);
        let e = &f.evidence;
        assert_eq!(e["sources"], 4);
        assert_eq!(e["embedded_sources"], 3);
        assert_eq!(e["embedded_lines"], 6);
        assert_eq!(e["first_party"]["files"], 2);
        assert_eq!(e["first_party"]["lines"], 4);
        assert_eq!(e["third_party"]["files"], 1);
        assert_eq!(e["top_directories"][0]["dir"], "../src");
        assert_eq!(e["top_third_party"][0]["dir"], "node_modules/lodash");
        assert!(f.message.contains("under ../src"), "{}", f.message);
    }

    #[test]
    fn the_message_says_most_when_sources_span_folders() {
        let map = br#"{"version":3,"sources":["../lib/a.js","../lib/b.js","../src/c.ts"],
            "sourcesContent":["1\n2\n3","4","5"],"mappings":""}"#;
        let policy = Policy::default();
        let f = finding(&ctx(&policy), &parse(map).expect("parses"), false);
        assert!(
            f.message
                .contains("first-party 3 files / 5 lines (most lines under ../lib)"),
            "{}",
            f.message
        );
        assert!(
            !f.message.contains("third-party"),
            "none bundled: {}",
            f.message
        );
    }

    #[test]
    fn index_maps_are_measured_through_their_sections() {
        let map = br#"{"version":3,"sections":[
            {"offset":{"line":0,"column":0},"map":{"version":3,"sources":["../src/a.ts"],"sourcesContent":["l1\nl2"],"mappings":""}},
            {"offset":{"line":9,"column":0},"map":{"version":3,"sources":["../node_modules/x/i.js","../src/b.ts"],"sourcesContent":["dep",null],"mappings":""}},
            {"offset":{"line":20,"column":0},"url":"other.js.map"}]}"#;
        let policy = Policy::default();
        let f = finding(&ctx(&policy), &parse(map).expect("parses"), false);
        let e = &f.evidence;
        assert_eq!(e["sources"], 3, "sources of every section");
        assert_eq!(e["embedded_sources"], 2);
        assert_eq!(e["embedded_lines"], 3);
        assert_eq!(e["first_party"]["files"], 1);
        assert_eq!(e["third_party"]["files"], 1);
        assert_eq!(e["top_directories"][0]["dir"], "../src");
        assert_eq!(e["index_map"]["sections"], 3);
        assert_eq!(e["index_map"]["url_sections"], 1);
        assert!(
            f.message.contains("[index map of 3 sections, 1 by url"),
            "{}",
            f.message
        );
    }

    #[test]
    fn a_regular_map_has_no_index_evidence() {
        let map = br#"{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"mappings":""}"#;
        let policy = Policy::default();
        let f = finding(&ctx(&policy), &parse(map).expect("parses"), false);
        assert!(f.evidence["index_map"].is_null());
        assert!(!f.message.contains("index map"), "{}", f.message);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(515_432), "515,432");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
