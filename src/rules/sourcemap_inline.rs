//! `sourcemap-inline`: a `sourceMappingURL=data:` map inside a shipped file.
//!
//! Both spellings bundlers write are read: `data:application/json;base64,…` (with or without
//! `charset=utf-8`) and the percent-encoded `data:application/json;charset=utf-8,…`. The
//! decoded map is measured like a map file, and its embedded sources are scanned for secrets.

use base64::Engine as _;
use serde_json::json;

use super::ctx::FileCtx;
use super::engine::scan_sources;
use super::{Finding, Rule, Severity, sourcemap_embedded};
use crate::detect::sourcemap;
use crate::detect::text::LineCounter;

/// The rule.
pub const RULE: Rule = Rule {
    id: "sourcemap-inline",
    severity: Severity::High,
    summary: "`sourceMappingURL=data:` inlines a source map into a shipped file",
    why: "An inline map travels inside the code itself, so excluding `*.map` files does not \
          remove it, and it usually carries `sourcesContent`. It also bloats every install. \
          Switch the bundler's devtool/sourcemap setting to external maps (or none) for \
          release builds.",
};

const NEEDLE: &[u8] = b"sourceMappingURL=data:";

/// A decoded payload this long that is no map is a broken map, not a bundler's template.
const BROKEN_MIN: usize = 64;

/// Decodes the map following a `data:` URL starting at `url` (just after `data:`).
fn decode(url: &[u8]) -> Option<Vec<u8>> {
    let comma = memchr::memchr(b',', &url[..url.len().min(200)])?;
    let media = &url[..comma];
    if !media.starts_with(b"application/json") {
        return None;
    }
    let body = &url[comma + 1..];
    if media.ends_with(b";base64") {
        let end = body
            .iter()
            .position(|b| {
                !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
            })
            .unwrap_or(body.len());
        let run: Vec<u8> = body[..end].iter().copied().filter(|&b| b != b'=').collect();
        let engine = if run.iter().any(|&b| b == b'-' || b == b'_') {
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
        } else {
            &base64::engine::general_purpose::STANDARD_NO_PAD
        };
        return engine.decode(run).ok();
    }
    let end = body
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`'))
        .unwrap_or(body.len());
    Some(percent_decode(&body[..end]))
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if s[i] == b'%'
            && let (Some(h), Some(l)) = (
                s.get(i + 1).and_then(|&b| hex(b)),
                s.get(i + 2).and_then(|&b| hex(b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// Reports every inline map in `bytes`.
pub fn check(ctx: &FileCtx<'_>, bytes: &[u8], out: &mut Vec<Finding>) {
    let mut lines = LineCounter::default();
    for at in memchr::memmem::find_iter(bytes, NEEDLE) {
        let (line, column) = lines.at(bytes, at);
        let loc = ctx.location(Some(line), Some(column));
        let decoded = decode(&bytes[at + NEEDLE.len()..]);
        let map = decoded.as_deref().map(sourcemap::parse);
        // Code that writes inline maps (bundlers, loaders) has the prefix followed by a string
        // concatenation, which decodes to nothing (or a few bytes): that is not a shipped map.
        // A real payload that does not read as a map (truncated, corrupt) still ships, and
        // what it holds cannot be checked, so it is noted low.
        let m = match &map {
            Some(Ok(m)) => m,
            Some(Err(err)) if decoded.as_ref().is_some_and(|d| d.len() >= BROKEN_MIN) => {
                let n = decoded.as_ref().map_or(0, Vec::len);
                out.push(
                    Finding::new(
                        &RULE,
                        loc,
                        format!("inline `data:` map of {n} bytes that does not read as a source map ({err}); what it embeds was not checked"),
                    )
                    .severity(Severity::Low)
                    .evidence(json!({ "decoded_bytes": n, "error": err })),
                );
                continue;
            }
            _ => continue,
        };
        let fixture = crate::detect::text::is_test_path(ctx.name());
        let message = format!(
            "inline source map ({} sources, {} embedded){}",
            m.sources,
            m.embedded.len(),
            if fixture { " in a test fixture" } else { "" }
        );
        let evidence = json!({ "sources": m.sources, "embedded_sources": m.embedded.len(),
                               "decoded_bytes": decoded.as_ref().map_or(0, Vec::len) });
        let severity = if fixture {
            Severity::Low
        } else {
            RULE.severity
        };
        out.push(
            Finding::new(&RULE, loc.clone(), message)
                .severity(severity)
                .evidence(evidence),
        );
        if !m.embedded.is_empty() {
            let mut e = sourcemap_embedded::finding(ctx, m, true);
            e.location = loc;
            out.push(e);
            scan_sources(ctx, m, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::with_file;

    fn run(js: &[u8]) -> Vec<Finding> {
        let mut out = Vec::new();
        with_file("dist/a.js", |ctx| check(ctx, js, &mut out));
        out
    }

    #[test]
    fn base64_and_charset_variants_decode() {
        let map = br#"{"version":3,"sources":["src/a.ts"],"sourcesContent":["const a = 1;"],"mappings":"AAAA"}"#;
        let b64 = base64::engine::general_purpose::STANDARD.encode(map);
        for prefix in [
            "application/json;base64,",
            "application/json;charset=utf-8;base64,",
        ] {
            let js = format!("x()\n//# sourceMappingURL=data:{prefix}{b64}\n");
            let out = run(js.as_bytes());
            assert_eq!(out.len(), 2, "inline + embedded for {prefix}: {out:?}");
            assert_eq!(out[0].rule, "sourcemap-inline");
            assert_eq!(out[0].location.line, Some(2));
            assert_eq!(out[1].rule, "sourcemap-embedded-sources");
            assert_eq!(out[1].evidence["inline"], true);
        }
        let pct = "//# sourceMappingURL=data:application/json;charset=utf-8,%7B%22version%22%3A3%2C%22sources%22%3A%5B%5D%2C%22mappings%22%3A%22%22%7D";
        let out = run(pct.as_bytes());
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("0 sources"), "{}", out[0].message);
    }

    #[test]
    fn external_references_and_map_writing_code_are_not_inline_maps() {
        assert!(run(b"//# sourceMappingURL=a.js.map\n").is_empty());
        let loader =
            br#"var s = "/*# sourceMappingURL=data:application/json;base64,".concat(b64, " */");"#;
        assert!(
            run(loader).is_empty(),
            "css-loader style code writes maps, it does not ship one"
        );
    }

    #[test]
    fn a_broken_inline_map_with_a_real_payload_is_noted_low() {
        let map = br#"{"version":3,"sources":["src/a.ts"],"sourcesContent":["const token = 1;\n"#;
        let b64 = base64::engine::general_purpose::STANDARD.encode(map);
        let out =
            run(format!("//# sourceMappingURL=data:application/json;base64,{b64}\n").as_bytes());
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Low);
        assert!(
            out[0].message.contains("does not read as a source map"),
            "{}",
            out[0].message
        );
        for short in ["e30=", "!!!notbase64", ""] {
            let js = format!("//# sourceMappingURL=data:application/json;base64,{short}\n");
            assert!(
                run(js.as_bytes()).is_empty(),
                "{short:?} is too little to be a map"
            );
        }
    }
}
