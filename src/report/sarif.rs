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

/// GitHub ranks security alerts by this number (0–10).
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
