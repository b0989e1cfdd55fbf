//! `sourcemap-reference`: a `//# sourceMappingURL=` comment pointing at a map.
//!
//! References are collected while files stream past and resolved once every path is known:
//! a map that ships is only noted (the map itself is reported), a missing one is low, and an
//! external URL is medium because the sources may be one request away for anyone.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Location, Rule, Severity};
use crate::artifact::Artifact;
use crate::detect::text::LineCounter;

/// The rule.
pub const RULE: Rule = Rule {
    id: "sourcemap-reference",
    severity: Severity::Low,
    summary: "`sourceMappingURL` points at a map that is not shipped (low) or at a URL (medium)",
    why: "A reference to a missing map is harmless but tells you the build emits maps, so the \
          next release may ship them. A reference to an external URL means the maps (often \
          with sources) are published somewhere else; check who can fetch them.",
};

/// A reference seen in a file, resolved in [`resolve`].
#[derive(Debug, Clone, Serialize)]
pub struct Pending {
    location: Location,
    target: String,
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
            location: ctx.location(Some(line), Some(column)),
            target: String::from_utf8_lossy(target).into_owned(),
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

/// Turns the collected references into findings.
pub fn resolve(a: &Artifact, refs: &[Pending], out: &mut Vec<Finding>) {
    let shipped: HashSet<&str> = a.installed().map(|e| e.path.as_str()).collect();
    for r in refs {
        let t = &r.target;
        let (severity, message) =
            if t.starts_with("http://") || t.starts_with("https://") || t.starts_with("//") {
                (
                    Severity::Medium,
                    format!("references an external source map {t}"),
                )
            } else if r.location.inner.is_some() {
                continue;
            } else {
                let resolved = join(&r.location.path, t);
                if shipped.contains(resolved.as_str()) {
                    (
                        Severity::Info,
                        format!("references {resolved}, which ships"),
                    )
                } else {
                    (
                        Severity::Low,
                        format!("references {resolved}, which is not shipped"),
                    )
                }
            };
        out.push(
            Finding::new(&RULE, r.location.clone(), message)
                .severity(severity)
                .evidence(json!({ "target": t })),
        );
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
        assert_eq!(refs[0].target, "a.js.map");
        assert_eq!(refs[0].location.line, Some(2));
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
}
