//! `custom-pattern`: the policy's own name and content patterns, each with its id and severity.

use std::borrow::Cow;

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Rule, Severity};
use crate::detect::redact;
use crate::detect::text::LineCounter;

/// The family entry; each policy pattern reports under its own id.
pub const RULE: Rule = Rule {
    id: "custom-pattern",
    severity: Severity::Medium,
    summary: "a name or content pattern from the policy (codenames, internal hosts, markers)",
    why: "Every organisation has strings that must never leave it: internal host names, \
          project codenames, `INTERNAL ONLY` markers, customer names. Declare them once in \
          `shipcheck.toml` as `[[pattern]]` entries with an id and severity; they are checked \
          in every file, in embedded sources and in nested archives.",
};

/// Reports policy name patterns matching the file's path.
pub fn check_name(ctx: &FileCtx<'_>, out: &mut Vec<Finding>) {
    for p in &ctx.policy.patterns {
        if p.name.as_ref().is_some_and(|g| g.is_match(ctx.name())) {
            let mut f = Finding::new(&RULE, ctx.location(None, None), p.message.clone())
                .severity(p.severity);
            f.rule.clone_from(&p.id);
            out.push(f);
        }
    }
}

/// Reports policy content patterns (one finding per pattern per file, at the first match,
/// with the count), so a marker on every line does not flood the report.
pub fn check_content(ctx: &FileCtx<'_>, bytes: &[u8], out: &mut Vec<Finding>) {
    for p in &ctx.policy.patterns {
        let Some(re) = &p.content else { continue };
        let mut it = re.find_iter(bytes);
        let Some(first) = it.next() else { continue };
        let count = 1 + it.count();
        let (line, column) = LineCounter::default().at(bytes, first.start());
        // Masked before it is cut to 60 characters: a cut token no longer matches its format,
        // and its first part would show (the engine masks what is left whole).
        let matched = &first.as_bytes()[..first.len().min(4096)];
        let matched = String::from_utf8_lossy(matched);
        let matched = redact::redact(&matched).map_or(matched, Cow::Owned);
        let shown: String = matched.chars().take(60).collect();
        let mut f = Finding::new(
            &RULE,
            ctx.location(Some(line), Some(column)),
            format!("{} ({count} match(es))", p.message),
        )
        .severity(p.severity)
        .evidence(json!({ "match": shown, "count": count }));
        f.rule.clone_from(&p.id);
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Policy;

    #[test]
    fn name_and_content_patterns_report_under_their_ids() {
        let policy = Policy::parse(
            "p.toml",
            "[[pattern]]\nid = \"codename\"\nseverity = \"high\"\ncontent = 'Project\\s+Nightjar'\n\
             [[pattern]]\nid = \"internal-doc\"\nseverity = \"low\"\nname = \"**/*.internal.md\"\n",
        )
        .expect("valid");
        let ctx = FileCtx {
            entry: Some(0),
            path: "docs/plan.internal.md",
            inner: None,
            policy: &policy,
        };
        let mut out = Vec::new();
        check_name(&ctx, &mut out);
        check_content(
            &ctx,
            b"intro\nsee Project  Nightjar and Project Nightjar",
            &mut out,
        );
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(
            (out[0].rule.as_str(), out[0].severity),
            ("internal-doc", Severity::Low)
        );
        assert_eq!(
            (out[1].rule.as_str(), out[1].severity),
            ("codename", Severity::High)
        );
        assert_eq!(out[1].location.line, Some(2));
        assert_eq!(out[1].evidence["count"], 2);
        let clean = FileCtx {
            path: "README.md",
            ..ctx
        };
        let mut out = Vec::new();
        check_name(&clean, &mut out);
        check_content(&clean, b"nothing here", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn name_patterns_reach_the_sources_a_map_embeds() {
        let policy = Policy::parse(
            "p.toml",
            "[[pattern]]\nid = \"acme-ts\"\nseverity = \"low\"\nname = \"**/auth/*.ts\"\n",
        )
        .expect("valid");
        let map = br#"{"version":3,"sources":["../src/auth/token.ts","../src/ui.ts"],"sourcesContent":["a","b"],"mappings":""}"#;
        let ctx = FileCtx {
            entry: Some(0),
            path: "dist/cli.js.map",
            inner: None,
            policy: &policy,
        };
        let mut out = Vec::new();
        let parsed = crate::detect::sourcemap::parse(map).expect("a map");
        crate::rules::engine::scan_sources(&ctx, &parsed, &mut out);
        let hits: Vec<_> = out.iter().filter(|f| f.rule == "acme-ts").collect();
        assert_eq!(hits.len(), 1, "{out:?}");
        assert_eq!(
            hits[0].location.inner.as_deref(),
            Some("../src/auth/token.ts")
        );
    }

    #[test]
    fn a_match_cut_to_60_characters_does_not_show_part_of_a_token() {
        let policy = Policy::parse(
            "p.toml",
            "[[pattern]]\nid = \"codename\"\nseverity = \"high\"\ncontent = 'Nightjar .*'\n",
        )
        .expect("valid");
        let token = format!("{}{}", "npm_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
        let mut out = Vec::new();
        crate::rules::test_support::with_file("docs/plan.md", |ctx| {
            let ctx = FileCtx {
                policy: &policy,
                ..*ctx
            };
            let text = format!("Nightjar {} {token}", "x".repeat(30));
            check_content(&ctx, text.as_bytes(), &mut out);
        });
        let shown = out[0].evidence["match"].as_str().unwrap_or_default();
        assert!(
            !shown.contains(&token[..8]),
            "masked before the cut, so not even the token's first part shows: {shown}"
        );
        assert!(shown.contains("npm_Zq…"), "{shown}");
    }
}
