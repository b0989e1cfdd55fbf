//! `check --format sarif`: SARIF 2.1.0 through the typed `serde-sarif` model, for GitHub code
//! scanning. Validated against the official schema in `tests/check_output.rs`.
//!
//! Locations are artifact paths (the package's install paths), so GitHub shows them as files
//! of the repository when the package is built from it. A finding inside a file of a file (an
//! embedded source of a map, an entry of a nested archive) has no line in the file GitHub can
//! open: its physical location is the outer file without a region, and the inner place
//! (`dist/cli.js.map ▸ src/auth/token.ts:42`) is its logical location and is in the message. Allowed findings carry an external
//! suppression with the policy's reason; secret values appear only masked, as everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};
use sha2::Digest as _;

use super::Report;
use crate::rules::{Finding, Severity, registry};
use crate::sanitize::for_terminal;

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub ranks security alerts by this number (0–10): critical 9.0–10, high 7.0–8.9,
/// medium 4.0–6.9, low 0.1–3.9. On the rule it is the rule's default; on a result, the
/// severity this finding has after its context and the policy (a key under `tests/` is
/// medium although `secret-private-key` is critical), so GitHub ranks each alert as shipcheck
/// did.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

/// Percent-encodes what a URI reference may not hold; `/` stays a separator.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/@+".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    if out.is_empty() { ".".to_owned() } else { out }
}

fn descriptor(id: &str) -> ReportingDescriptor {
    let r = registry::lookup(id);
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_owned(),
        serde_json::json!(security_severity(r.severity)),
    );
    ReportingDescriptor::builder()
        .id(id)
        .name(id)
        .short_description(MultiformatMessageString::builder().text(r.summary).build())
        .full_description(MultiformatMessageString::builder().text(r.why).build())
        .help(MultiformatMessageString::builder().text(r.why).build())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level(r.severity).to_string()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec!["security".to_owned(), "supply-chain".to_owned()])
                .additional_properties(props)
                .build(),
        )
        .build()
}

fn result(f: &Finding, rule_index: i64) -> SarifResult {
    let mut text = for_terminal(&f.message).into_owned();
    let artifact = ArtifactLocation::builder()
        .uri(uri(&f.location.path))
        .build();
    let loc = match &f.location.inner {
        // The line (and column) belong to the inner file, not to the bytes of the outer one
        // that GitHub would open, so no region; the inner place goes in the logical location.
        Some(_) => {
            let inner = for_terminal(&f.location.to_string()).into_owned();
            text = format!("{inner}: {text}");
            Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(artifact)
                        .build(),
                )
                .logical_locations(vec![
                    LogicalLocation::builder()
                        .name(
                            for_terminal(f.location.inner.as_deref().unwrap_or_default())
                                .into_owned(),
                        )
                        .fully_qualified_name(inner)
                        .kind("resource")
                        .build(),
                ])
                .build()
        }
        None => {
            let region = Region::builder()
                .start_line(i64::from(f.location.line.unwrap_or(1)))
                .build();
            let region = Region {
                start_column: f.location.column.map(i64::from),
                ..region
            };
            Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(artifact)
                        .region(region)
                        .build(),
                )
                .build()
        }
    };
    let fingerprint = {
        let mut h = sha2::Sha256::new();
        h.update(f.rule.as_bytes());
        h.update(f.location.to_string().as_bytes());
        h.update(
            f.evidence
                .get("prefix")
                .map(ToString::to_string)
                .unwrap_or_default()
                .as_bytes(),
        );
        crate::units::hex(&h.finalize()[..16])
    };
    let mut props = BTreeMap::new();
    props.insert(
        "shipcheck-severity".to_owned(),
        serde_json::json!(f.severity),
    );
    props.insert(
        "security-severity".to_owned(),
        serde_json::json!(security_severity(f.severity)),
    );
    if !f.evidence.is_null() {
        props.insert("evidence".to_owned(), f.evidence.clone());
    }
    let mut r = SarifResult::builder()
        .rule_id(f.rule.clone())
        .rule_index(rule_index)
        .level(level(f.severity))
        .message(Message::builder().text(text).build())
        .locations(vec![loc])
        .partial_fingerprints(BTreeMap::from([("shipcheck/v1".to_owned(), fingerprint)]))
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    if let Some(a) = &f.allowed {
        r.suppressions = Some(vec![
            Suppression::builder()
                .kind(serde_json::json!("external"))
                .justification(for_terminal(&a.reason).into_owned())
                .build(),
        ]);
    }
    r
}

/// Builds the SARIF log.
pub fn document(r: &Report) -> Sarif {
    let ids: BTreeSet<&str> = registry::all()
        .map(|r| r.id)
        .filter(|id| !id.ends_with('*'))
        .chain(r.findings.iter().map(|f| f.rule.as_str()))
        .collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let rules: Vec<ReportingDescriptor> = ids.iter().map(|id| descriptor(id)).collect();
    let results: Vec<SarifResult> = r
        .findings
        .iter()
        .map(|f| {
            result(
                f,
                ids.iter()
                    .position(|id| *id == f.rule)
                    .map_or(-1, |i| i64::try_from(i).unwrap_or(-1)),
            )
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("shipcheck")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/shipcheck/shipcheck")
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// The SARIF text.
pub fn render(r: &Report) -> anyhow::Result<String> {
    Ok(crate::json::to_string_pretty(&document(r))? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::ArtifactSummary;
    use crate::rules::{Location, Policy};

    fn report(findings: Vec<Finding>) -> Report {
        let a = crate::rules::test_support::artifact_of(&[("package/index.js", b"x".as_slice())]);
        Report {
            artifact: ArtifactSummary::of(&a),
            baseline: None,
            diff: None,
            findings,
            policy: Policy::default(),
        }
    }

    #[test]
    fn every_result_has_a_rule_with_help_and_a_security_severity_in_githubs_bands() {
        let at = |path: &str| Location {
            path: path.to_owned(),
            ..Location::default()
        };
        let key = crate::rules::registry::lookup("secret-private-key");
        let findings = vec![
            Finding::new(key, at("tests/server.key"), "a key".to_owned())
                .severity(Severity::Medium),
            Finding::new(key, at("lib/server.key"), "a key".to_owned()),
            Finding::new(
                &crate::rules::large_file::RULE,
                at("big.bin"),
                "big".to_owned(),
            ),
            Finding::new(&crate::rules::large_file::RULE, at("a.bin"), "a".to_owned())
                .severity(Severity::Low),
            Finding::new(&crate::rules::custom_pattern::RULE, at("x"), "x".to_owned())
                .severity(Severity::High),
        ];
        let doc = serde_json::to_value(document(&report(findings))).expect("serialises");
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let band = |v: &serde_json::Value| -> f64 {
            v.as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("security-severity is a number in a string: {v}"))
        };
        for r in rules {
            let help = r["help"]["text"].as_str().unwrap_or_default();
            assert!(help.len() > 40, "rule {} has its why as help: {r}", r["id"]);
            band(&r["properties"]["security-severity"]);
        }
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), 5);
        let expected = [
            ("medium", 4.0..7.0),
            ("critical", 9.0..10.1),
            ("medium", 4.0..7.0),
            ("low", 0.1..4.0),
            ("high", 7.0..9.0),
        ];
        for (r, (severity, range)) in results.iter().zip(expected) {
            let i = usize::try_from(r["ruleIndex"].as_i64().expect("ruleIndex")).expect("index");
            assert_eq!(
                rules[i]["id"], r["ruleId"],
                "ruleIndex points at the result's rule"
            );
            assert_eq!(r["properties"]["shipcheck-severity"], severity);
            let s = band(&r["properties"]["security-severity"]);
            assert!(
                range.contains(&s),
                "{severity} is {s}, outside GitHub's band {range:?}"
            );
        }
        let key_rule = usize::try_from(results[0]["ruleIndex"].as_i64().unwrap_or(0)).unwrap_or(0);
        assert_eq!(
            rules[key_rule]["properties"]["security-severity"], "9.5",
            "the rule keeps its default (critical); the result carries its own (medium)"
        );
    }
}
