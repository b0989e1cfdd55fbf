//! The rule engine: per-file rules run while contents stream past, whole-artifact rules once.
//!
//! [`Scanner::file`] is the one per-file entry point for both paths: `check` calls it from the
//! `artifact::open` visitor (nothing kept in memory), `rules::evaluate` calls it on contents
//! the review screen kept. It dispatches by name and content, descends into source maps'
//! `sourcesContent` and into nested archives one level deep, and remembers what the
//! whole-artifact rules in [`Scanner::finish`] need (source-map references, dev folders, the
//! settings that say what runs at install).

use std::collections::BTreeSet;

use crate::artifact::{self, Artifact, Entry};
use crate::diff::Comparison;

use super::ctx::FileCtx;
use super::policy::Policy;
use super::{
    Finding, archive, bundled_dependencies, custom_pattern, debug_artifact, dev_artifact,
    git_status, install_script, large_file, native_binary, nested_archive, new_dependency,
    new_file_type, new_top_level_folder, no_files_allowlist, phantom_dependency, secrets,
    sensitive_file, size_anomaly, sourcemap_file, sourcemap_inline, sourcemap_reference,
    trojan_source,
};
use crate::detect::{sourcemap, text};

/// Scans what a map embeds, each source as a file of its own (`map ▸ source`). A big map
/// (the incident's was 60 MB) is split across two threads; findings keep source order.
pub fn scan_sources(ctx: &FileCtx<'_>, map: &sourcemap::Map<'_>, out: &mut Vec<Finding>) {
    out.extend(crate::par::in_two(
        &map.embedded,
        sourcemap::IN_TWO_MIN,
        |s| usize::try_from(s.bytes).unwrap_or(usize::MAX),
        |part| {
            let mut v = Vec::new();
            scan_sources_in(ctx, part, &mut v);
            v
        },
    ));
}

fn scan_sources_in(ctx: &FileCtx<'_>, sources: &[sourcemap::Embedded<'_>], out: &mut Vec<Finding>) {
    // Each source is scanned as the text it stands for, not as escaped JSON: a pattern that
    // needs a real `"` or line start (`aws_secret_access_key: "…"`, `_authToken=` in an
    // `.npmrc`, a service-account JSON) cannot match `\"` or `\n`. One buffer per thread,
    // reused, holds the decoded source; line and column are then counted in it exactly.
    let mut decoded = Vec::new();
    let secrets_on = ctx.policy.enabled("secret-*");
    for src in sources {
        let inner = match ctx.inner {
            Some(outer) => format!("{outer} ▸ {}", src.name),
            None => src.name.clone(),
        };
        let sub = FileCtx {
            inner: Some(&inner),
            ..*ctx
        };
        text::json_unescape_into(src.raw, &mut decoded);
        if secrets_on {
            secrets::report(&sub, &decoded, out);
        }
        custom_pattern::check_name(&sub, out);
        custom_pattern::check_content(&sub, &decoded, out);
    }
}

/// Where each embedded source's body and each `mappings` value lies in the map's bytes, in
/// order: the parts the scan of the map's own fields skips. They borrow from those bytes (the
/// parse copies nothing), so their addresses say where.
fn skipped_spans(bytes: &[u8], map: &sourcemap::Map<'_>) -> Vec<(usize, usize)> {
    let base = bytes.as_ptr() as usize;
    let mut spans: Vec<(usize, usize)> = map
        .embedded
        .iter()
        .map(|e| e.raw)
        .chain(map.mappings.iter().copied())
        .filter_map(|raw| {
            let start = (raw.as_ptr() as usize).checked_sub(base)?;
            let end = start.checked_add(raw.len())?;
            (end <= bytes.len()).then_some((start, end))
        })
        .collect();
    spans.sort_unstable();
    spans
}

/// What the engine learned about entries while scanning them, for the screens that show
/// them: the review tree opens exactly these as virtual folders, so the rules and the tree
/// never disagree about what is a map or an archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Entries read as source maps (by name or by content).
    pub source_maps: BTreeSet<u32>,
    /// Entries recognised as nested archives ([`crate::detect::container::is_nested_archive`]).
    pub nested_archives: BTreeSet<u32>,
    /// The sources each map embeds (maps with none are absent), as the single pass read
    /// them: the review tree lists them without holding or reading the maps again.
    pub embedded: std::collections::BTreeMap<u32, Vec<EmbeddedSource>>,
}

/// One source a map embeds: where its escaped text lies in the map's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedSource {
    /// The source's name, normalised as findings name it.
    pub name: String,
    /// Bytes of the decoded source.
    pub bytes: u64,
    /// The JSON string body (between the quotes) in the map's bytes.
    pub span: std::ops::Range<usize>,
}

impl EmbeddedSource {
    /// The sources `map` (parsed from `bytes`) embeds.
    fn of(bytes: &[u8], map: &sourcemap::Map<'_>) -> Vec<Self> {
        map.embedded
            .iter()
            .filter_map(|s| {
                let start = (s.raw.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize)?;
                let end = start.checked_add(s.raw.len())?;
                (end <= bytes.len()).then(|| EmbeddedSource {
                    name: s.name.clone(),
                    bytes: s.bytes,
                    span: start..end,
                })
            })
            .collect()
    }
}

impl Facts {
    fn merge(&mut self, other: Facts) {
        self.source_maps.extend(other.source_maps);
        self.nested_archives.extend(other.nested_archives);
        self.embedded.extend(other.embedded);
    }
}

/// The rules' verdict on one artifact.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Findings after the policy, worst first.
    pub findings: Vec<Finding>,
    /// What the engine learned about entries.
    pub facts: Facts,
}

/// Accumulates findings over one artifact.
#[derive(Debug)]
pub struct Scanner<'p> {
    policy: &'p Policy,
    findings: Vec<Finding>,
    facts: Facts,
    refs: Vec<sourcemap_reference::Pending>,
    maps: Vec<sourcemap_file::Plain>,
    dev: dev_artifact::Groups,
    git: sensitive_file::GitFolders,
    install: install_script::Facts,
    binaries: native_binary::Binaries,
    bundles: bundled_dependencies::Bundles,
    /// What nested archives may still unpack to, shared with the other threads' scanners.
    budget: nested_archive::Budget,
}

impl<'p> Scanner<'p> {
    /// A scanner applying `policy`.
    pub fn new(policy: &'p Policy) -> Self {
        Self {
            policy,
            findings: Vec::new(),
            facts: Facts::default(),
            refs: Vec::new(),
            maps: Vec::new(),
            dev: dev_artifact::Groups::default(),
            git: sensitive_file::GitFolders::default(),
            install: install_script::Facts::default(),
            binaries: native_binary::Binaries::default(),
            bundles: bundled_dependencies::Bundles::default(),
            budget: nested_archive::Budget::new(policy.thresholds.nested_max_unpacked),
        }
    }

    /// Another scanner of the same artifact (for a worker thread): its own findings, the
    /// same budget for nested archives.
    #[must_use]
    pub fn sibling(&self) -> Self {
        Self {
            budget: self.budget.clone(),
            ..Self::new(self.policy)
        }
    }

    /// Runs every per-file rule on one file's full content.
    pub fn file(&mut self, e: &Entry, bytes: &[u8]) {
        let ctx = FileCtx {
            entry: Some(e.index),
            path: &e.path,
            inner: None,
            policy: self.policy,
        };
        self.scan(&ctx, bytes, 0);
    }

    /// Takes over everything another scanner of the same artifact found (a worker thread's).
    pub fn merge(&mut self, other: Scanner<'_>) {
        self.findings.extend(other.findings);
        self.facts.merge(other.facts);
        self.refs.extend(other.refs);
        self.maps.extend(other.maps);
        self.dev.merge(other.dev);
        self.git.merge(other.git);
        self.install.merge(other.install);
        self.binaries.merge(other.binaries);
        self.bundles.merge(other.bundles);
    }

    /// Records that a file's content could not be read back (the review path only).
    pub fn unreadable(&mut self, e: &Entry, err: &anyhow::Error) {
        let ctx = FileCtx {
            entry: Some(e.index),
            path: &e.path,
            inner: None,
            policy: self.policy,
        };
        // A container anomaly (the archive's bytes for this entry are broken), not a nested
        // archive: reported in the `archive-*` family, which is what it is.
        let mut f = Finding::new(
            &archive::RULE,
            ctx.location(None, None),
            format!("content could not be read, so it was not scanned: {err:#}"),
        );
        f.rule = archive::UNREADABLE.to_owned();
        self.findings.push(f);
    }

    fn scan(&mut self, ctx: &FileCtx<'_>, bytes: &[u8], depth: u8) {
        let out = &mut self.findings;
        let on = |id: &str| ctx.policy.enabled(id);
        sensitive_file::check(ctx, bytes, out);
        debug_artifact::check(ctx, bytes, out);
        if ctx.inner.is_none() {
            self.dev.add(ctx, bytes);
            self.git.add(ctx, bytes.len() as u64);
        }
        custom_pattern::check_name(ctx, out);
        install_script::check_bundled(ctx, bytes, out);
        install_script::collect(ctx, bytes, &mut self.install);
        self.binaries.add(ctx, bytes);
        self.bundles.add(ctx, bytes);
        if let Some(format) = crate::detect::container::data_archive(ctx.name(), bytes) {
            nested_archive::report_data(ctx, format, out);
            return;
        }
        if crate::detect::container::is_nested_archive(ctx.name(), bytes) {
            if let (Some(i), None) = (ctx.entry, ctx.inner) {
                self.facts.nested_archives.insert(i);
            }
            if depth == 0 {
                self.nested(ctx, bytes);
            } else {
                nested_archive::report_unopened(ctx, out);
            }
            return;
        }
        match sourcemap::parse_if_map(ctx.name(), bytes) {
            Some(Ok(map)) => {
                if let (Some(i), None) = (ctx.entry, ctx.inner) {
                    self.facts.source_maps.insert(i);
                    if !map.embedded.is_empty() {
                        self.facts
                            .embedded
                            .insert(i, EmbeddedSource::of(bytes, &map));
                    }
                }
                sourcemap_file::report(ctx, &map, bytes.len() as u64, out, &mut self.maps);
                scan_sources(ctx, &map, out);
                if on("secret-*") {
                    // The map's own fields (`file`, `sourceRoot`, `sources`, extensions), read
                    // around the embedded sources, which were scanned decoded above.
                    secrets::report_outside(ctx, bytes, &skipped_spans(bytes, &map), out);
                }
                return;
            }
            // A `*.map` that is no source map (a linker map, any text) is still noted as a
            // map file, and scanned below as the text it is.
            Some(Err(err)) => sourcemap_file::report_unparsed(ctx, &err, out),
            None => {}
        }
        if on("secret-*") {
            secrets::report(ctx, bytes, out);
        }
        custom_pattern::check_content(ctx, bytes, out);
        if !text::is_binary(bytes) {
            sourcemap_inline::check(ctx, bytes, out);
            sourcemap_reference::collect(ctx, bytes, &mut self.refs);
            trojan_source::check(ctx, bytes, out);
        }
    }

    /// Opens a nested archive in memory and scans its files one level down, within what is
    /// left of the budget all nested archives share.
    fn nested(&mut self, ctx: &FileCtx<'_>, bytes: &[u8]) {
        let mut inner_findings = Vec::new();
        let mut inner_maps = Vec::new();
        let mut inner_refs = Vec::new();
        let mut opened = 0usize;
        let policy = self.policy;
        let read = |left: u64| {
            let opts = artifact::Options {
                limits: artifact::Limits {
                    max_unpacked: left,
                    ..artifact::Limits::default()
                },
                keep_contents: false,
                digesting: crate::artifact::Digesting::InPass,
                index: false,
            };
            let visit = &mut |e: &Entry, data: &crate::artifact::Content| {
                opened += 1;
                let sub = FileCtx {
                    inner: Some(&e.path),
                    ..*ctx
                };
                let mut child = Scanner::new(policy);
                child.scan(&sub, data, 1);
                inner_findings.append(&mut child.findings);
                inner_maps.append(&mut child.maps);
                inner_refs.append(&mut child.refs);
            };
            artifact::read_bytes_metered(ctx.name(), bytes, &opts, Some(visit))
        };
        let Some(result) = self.budget.spend(read) else {
            nested_archive::report_budget_spent(ctx, self.budget.limit(), &mut self.findings);
            return;
        };
        nested_archive::report(
            ctx,
            result.as_ref().map(|a| (a, opened)),
            self.budget.limit(),
            &mut self.findings,
        );
        if let Ok(a) = &result {
            for mut f in archive::findings(a) {
                let inner = std::mem::take(&mut f.location.path);
                f.location = ctx.location(None, None);
                f.location.inner = Some(inner);
                self.findings.push(f);
            }
        }
        self.findings.append(&mut inner_findings);
        self.maps.append(&mut inner_maps);
        self.refs.append(&mut inner_refs);
    }

    /// Runs the whole-artifact rules and the policy: every finding, worst first, and what was
    /// learned about entries. `baseline` is the comparison the inputs step computed once.
    pub fn finish(mut self, a: &Artifact, baseline: Option<&Comparison<'_>>) -> Evaluation {
        let out = &mut self.findings;
        out.extend(archive::findings(a));
        out.extend(self.dev.findings());
        out.extend(self.git.findings());
        out.extend(self.binaries.findings());
        out.extend(self.bundles.findings());
        git_status::check(a, out);
        sourcemap_reference::resolve(a, &self.refs, self.policy, out);
        sourcemap_file::findings(a, &self.maps, self.policy, out);
        large_file::check(a, self.policy, out);
        no_files_allowlist::check(a, out);
        install_script::check(a, baseline.map(|c| c.base), &self.install, out);
        if let Some(c) = baseline {
            new_dependency::check(c.diff, a.package.as_ref().map(|m| m.source.as_str()), out);
            if self.policy.enabled(phantom_dependency::RULE.id) {
                let phantom = phantom_dependency::check(a, c, out);
                phantom_dependency::dedupe(out, &phantom);
            }
            size_anomaly::check(c.diff, c.base, self.policy, out);
            new_file_type::check(c.diff, c.base, c.current, out);
            new_top_level_folder::check(c.diff, c.base, out);
        }
        secrets::unify(&mut self.findings);
        let mut findings = self.policy.apply(self.findings);
        // The one place every finding passes on its way out, whichever path produced it.
        findings.iter_mut().for_each(crate::detect::redact::finding);
        super::sort(&mut findings);
        Evaluation {
            findings,
            facts: self.facts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_of_a_maps_own_fields_skips_its_sources_and_mappings() {
        let bytes = br#"{"version":3,"file":"cli.js","sources":["a.ts"],"sourcesContent":["let a = 1;"],"mappings":"AAAA,CAAC;AACD"}"#;
        let map = match sourcemap::parse_if_map("cli.js.map", bytes) {
            Some(Ok(map)) => map,
            other => panic!("a source map: {other:?}"),
        };
        let skipped: Vec<&[u8]> = skipped_spans(bytes, &map)
            .into_iter()
            .map(|(start, end)| &bytes[start..end])
            .collect();
        assert_eq!(
            skipped,
            [&b"let a = 1;"[..], &b"\"AAAA,CAAC;AACD\""[..]],
            "the source body and the mappings value, in order"
        );
    }

    #[test]
    fn big_maps_are_scanned_in_two_halves_without_losing_order() {
        let token = |c: char| {
            format!(
                "{}{}",
                "ghp_",
                c.to_string().repeat(2) + "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeU"
            )
        };
        let filler = "x".repeat(5 << 20);
        let map = serde_json::to_vec(&serde_json::json!({
            "version": 3, "mappings": "",
            "sources": ["a.ts", "b.ts", "c.ts"],
            "sourcesContent": [format!("{filler}\n{}", token('a')), "small", format!("{filler}\n{}", token('b'))],
        }))
        .expect("map");
        let policy = Policy::default();
        let ctx = FileCtx {
            entry: Some(0),
            path: "cli.js.map",
            inner: None,
            policy: &policy,
        };
        let parsed = sourcemap::parse(&map).expect("parses");
        let mut out = Vec::new();
        scan_sources(&ctx, &parsed, &mut out);
        let inners: Vec<_> = out
            .iter()
            .map(|f| f.location.inner.as_deref().unwrap_or_default())
            .collect();
        assert_eq!(
            inners,
            ["a.ts", "c.ts"],
            "both halves scanned, in source order"
        );
        assert!(out.iter().all(|f| f.location.line == Some(2)));
    }

    #[test]
    fn sources_in_an_index_map_s_sections_are_scanned() {
        let token = format!("{}{}", "ghp_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
        let map = serde_json::to_vec(&serde_json::json!({
            "version": 3,
            "sections": [
                { "offset": { "line": 0, "column": 0 }, "url": "elsewhere.js.map" },
                { "offset": { "line": 5, "column": 0 }, "map": {
                    "version": 3, "mappings": "", "sources": ["webpack://x/./src/a.ts"],
                    "sourcesContent": [format!("one\ntwo\nlet t = '{token}';")],
                }},
            ],
        }))
        .expect("map");
        let policy = Policy::default();
        let mut scanner = Scanner::new(&policy);
        let ctx = FileCtx {
            entry: Some(0),
            path: "dist/x.js.map",
            inner: None,
            policy: &policy,
        };
        scanner.scan(&ctx, &map, 0);
        let secret = scanner
            .findings
            .iter()
            .find(|f| f.rule == "secret-github-pat")
            .expect("the section's source is scanned");
        assert_eq!(
            secret.location.to_string(),
            "dist/x.js.map \u{25b8} src/a.ts:3",
            "located in the source, by line"
        );
        assert_eq!(secret.location.column, Some(10));
        assert!(
            scanner
                .findings
                .iter()
                .any(|f| f.rule == "sourcemap-embedded-sources"),
            "and the map is reported as embedding sources"
        );
    }

    /// (rule, location, column) of every secret finding in one file.
    fn secrets_in(path: &str, bytes: &[u8]) -> Vec<(String, String, Option<u32>)> {
        let policy = Policy::default();
        let mut scanner = Scanner::new(&policy);
        let ctx = FileCtx {
            entry: Some(0),
            path,
            inner: None,
            policy: &policy,
        };
        scanner.scan(&ctx, bytes, 0);
        scanner
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("secret-"))
            .map(|f| (f.rule.clone(), f.location.to_string(), f.location.column))
            .collect()
    }

    /// A high-entropy run of `n` characters from `alphabet`.
    fn random(n: usize, alphabet: &[u8]) -> String {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(alphabet[(x % alphabet.len() as u64) as usize])
            })
            .collect()
    }

    #[test]
    fn embedded_sources_are_scanned_as_the_text_they_stand_for() {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const HEX: &[u8] = b"0123456789abcdef";
        // Patterns that need a real `"` or a real line start, which escaped JSON hides.
        let cases = [
            (
                "src/aws.ts",
                format!(
                    "import x from 'y';\nconst c = {{aws_secret_access_key: \"{}\"}};\n",
                    random(40, ALNUM)
                ),
                "secret-aws-secret-access-key",
                (2, 12),
            ),
            (
                ".npmrc",
                format!(
                    "registry=https://registry.npmjs.org/\n_authToken={}\n",
                    random(36, HEX)
                ),
                "secret-npmrc-auth",
                (2, 1),
            ),
            (
                "config/sa.json",
                format!(
                    "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"p-1\",\n  \"private_key_id\": \"{}\"\n}}\n",
                    random(40, HEX)
                ),
                "secret-gcp-service-account",
                (2, 11),
            ),
        ];
        for (name, text, rule, (line, column)) in &cases {
            let plain = secrets_in(name, text.as_bytes());
            assert_eq!(
                plain,
                [(rule.to_string(), format!("{name}:{line}"), Some(*column))],
                "shipped plain, {name} is found"
            );
            let map = serde_json::to_vec(&serde_json::json!({
                "version": 3, "mappings": "", "sources": [format!("webpack://app/./{name}")],
                "sourcesContent": [text],
            }))
            .expect("map");
            assert_eq!(
                secrets_in("dist/app.js.map", &map),
                [(
                    rule.to_string(),
                    format!("dist/app.js.map \u{25b8} {name}:{line}"),
                    Some(*column)
                )],
                "embedded in a map, {name} is found at the same line and column"
            );
        }
    }

    #[test]
    fn a_map_file_that_is_no_source_map_is_scanned_as_text() {
        let token = format!("{}{}", "ghp_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
        let linker_map = format!(
            "Archive member included to satisfy reference by file (symbol)\n\n\
             .text           0x0000000000401000     0x1a2b\n \
             *(.rodata)\n                0x0000000000403000  token = \"{token}\"\n"
        );
        let policy = Policy::default();
        let mut scanner = Scanner::new(&policy);
        let ctx = FileCtx {
            entry: Some(0),
            path: "lib/app.map",
            inner: None,
            policy: &policy,
        };
        scanner.scan(&ctx, linker_map.as_bytes(), 0);
        let rules: Vec<&str> = scanner.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["sourcemap-file", "secret-github-pat"],
            "still noted as a map file, and its content scanned"
        );
        assert_eq!(scanner.findings[1].location.to_string(), "lib/app.map:5");
    }

    #[test]
    fn a_map_s_own_fields_are_scanned_and_its_sources_once() {
        let own = format!("{}{}", "ghp_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
        let embedded = format!("{}{}", "npm_", "Zq8vT2mK9pL4xR7cW1nB6yH3jF5dS0aQeUiO");
        let map = format!(
            "{{\"version\":3,\"file\":\"app.js\",\n\"sources\":[\"a.ts\",\"b.ts\"],\n\
             \"sourcesContent\":[\"x\\nconst t = '{embedded}';\",\"y\"],\n\
             \"x_deploy\":\"https://ci.example/?t={own}\",\"mappings\":\"AAAA\"}}"
        );
        let got = secrets_in("dist/app.js.map", map.as_bytes());
        assert_eq!(
            got,
            [
                (
                    "secret-npm-token".to_owned(),
                    "dist/app.js.map \u{25b8} a.ts:2".to_owned(),
                    Some(12)
                ),
                (
                    "secret-github-pat".to_owned(),
                    "dist/app.js.map:4".to_owned(),
                    Some(35)
                ),
            ],
            "the embedded token once, in its source; the field's token in the map itself"
        );
    }
}
