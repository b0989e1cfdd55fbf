//! Policy parsing and application.

use super::*;
use crate::rules::{Finding, Location};

fn finding(rule: &str, path: &str, sev: Severity) -> Finding {
    let mut f = Finding::new(
        registry::lookup(rule),
        Location {
            path: path.into(),
            ..Location::default()
        },
        "m".into(),
    );
    f.rule = rule.into();
    f.severity = sev;
    f
}

#[test]
fn overrides_disables_and_allows() {
    let text = r#"
disable = ["dev-artifact"]
[severity]
"sourcemap-file" = "high"
[[allow]]
path = "dist/**/*.map"
rule = "sourcemap-*"
reason = "maps are published for error reporting"
expires = 2999-01-01
"#;
    let p = Policy::parse("shipcheck.toml", text).expect("valid policy");
    let out = p.apply(vec![
        finding("dev-artifact", "test/", Severity::Medium),
        finding("sourcemap-file", "dist/a/b.js.map", Severity::Medium),
        finding("sourcemap-file", "lib/x.js.map", Severity::Medium),
    ]);
    assert_eq!(out.len(), 2, "disabled rule dropped: {out:?}");
    assert_eq!(out[0].severity, Severity::High, "override applies");
    let allowed = out[0].allowed.as_ref().expect("dist map allowed");
    assert_eq!(allowed.reason, "maps are published for error reporting");
    assert_eq!(allowed.expires.as_deref(), Some("2999-01-01"));
    assert!(out[1].allowed.is_none(), "lib map not covered by the glob");
    assert!(out[1].blocks_at(Severity::High));
}

#[test]
fn expired_allow_entries_stop_applying_and_say_so() {
    let text = "[[allow]]\npath = \"*\"\nreason = \"legacy\"\nexpires = \"2000-01-01\"\n";
    let p = Policy::parse("p.toml", text).expect("valid");
    let out = p.apply(vec![finding("large-file", "big.bin", Severity::Medium)]);
    assert!(out[0].allowed.is_none());
    assert!(out.iter().any(|f| f.rule == "policy-allow-expired"));
}

#[test]
fn internal_profile_lowers_source_maps() {
    let p = Policy::parse("p.toml", "profile = \"internal\"\n").expect("valid");
    assert_eq!(
        p.severity_for("sourcemap-embedded-sources"),
        Some(Severity::Medium)
    );
    let p = Policy::parse("p.toml", "profile = \"internal\"\n[profiles.internal.severity]\n\"sourcemap-embedded-sources\" = \"high\"\n").expect("valid");
    assert_eq!(
        p.severity_for("sourcemap-embedded-sources"),
        Some(Severity::High),
        "file layer beats the built-in profile"
    );
}

#[test]
fn errors_name_file_line_and_hint() {
    let e = Policy::parse(
        "shipcheck.toml",
        "profile = \"public\"\nfail_onn = \"high\"\n",
    )
    .expect_err("unknown key");
    assert_eq!((e.file.as_str(), e.line), ("shipcheck.toml", 2));
    assert!(e.message.contains("unknown field"), "{e}");
    let e = Policy::parse("p.toml", "\n\n[[allow]]\npath = \"a/[b\"\nreason = \"r\"\n")
        .expect_err("bad glob");
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("bad glob"));
    let e = Policy::parse(
        "p.toml",
        "[[pattern]]\nid = \"codename\"\nseverity = \"high\"\ncontent = \"(unclosed\"\n",
    )
    .expect_err("bad regex");
    assert_eq!(e.line, 4, "{e}");
    let e = Policy::parse("p.toml", "[[allow]]\npath = \"x\"\n").expect_err("reason is mandatory");
    assert!(e.message.contains("reason"), "{e}");
    let e = Policy::parse("p.toml", "disable = [\"no-such-rule\"]\n").expect_err("unknown rule");
    assert!(e.hint.contains("shipcheck rules"), "{e}");
    let e = Policy::parse("p.toml", "[severity]\n\"large-file\" = \"urgent\"\n")
        .expect_err("bad severity");
    assert_eq!(e.line, 2);
}

#[test]
fn approval_and_thresholds() {
    let p = Policy::parse("p.toml", "[approval]\nmin_approvers = 2\nmax_approval_age = \"30d\"\n[thresholds]\nmax_file_size = \"5M\"\n").expect("valid");
    assert_eq!(p.approval.min_approvers, 2);
    assert_eq!(p.approval.max_approval_age, Some(30 * 86_400));
    assert_eq!(p.thresholds.max_file_size, 5 << 20);
}

#[test]
fn dates() {
    assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
    assert_eq!(Date::from_days(20_454).to_string(), "2026-01-01");
    assert!(Date::parse("2026-13-01").is_none());
}
