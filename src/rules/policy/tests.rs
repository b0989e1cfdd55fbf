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
    assert_eq!(p.thresholds.max_file_size, 5_000_000);
}

#[test]
fn dates() {
    assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
    assert_eq!(Date::from_days(20_454).to_string(), "2026-01-01");
    assert!(Date::parse("2026-13-01").is_none());
}

#[test]
fn an_override_moves_the_default_not_the_context() {
    let p = Policy::parse(
        "p.toml",
        "[severity]\n\"secret-*\" = \"critical\"\n\"install-script\" = \"medium\"\n\"sensitive-file\" = \"critical\"\n",
    )
    .expect("valid");
    let out = p.apply(vec![
        finding("secret-aws-access-key-id", "docs/a.md", Severity::Info),
        finding("sensitive-file", ".DS_Store", Severity::Low),
        finding("sensitive-file", ".env", Severity::High),
        finding("install-script", "package.json", Severity::High),
        finding("install-script", "package.json", Severity::Critical),
        finding("install-script", "package.json", Severity::Low),
    ]);
    let sev: Vec<Severity> = out.iter().map(|f| f.severity).collect();
    assert_eq!(
        sev,
        [
            Severity::Info,
            Severity::Low,
            Severity::Critical,
            Severity::Medium,
            Severity::Critical,
            Severity::Low,
        ],
        "a placeholder secret and .DS_Store stay where the rule put them; .env (at the default) \
         takes the override; a high install script drops to medium, a new one stays critical, \
         a low `prepare` stays low"
    );
    let lower =
        Policy::parse("p.toml", "[severity]\n\"install-script\" = \"info\"\n").expect("valid");
    let out = lower.apply(vec![finding(
        "install-script",
        "package.json",
        Severity::Low,
    )]);
    assert_eq!(
        out[0].severity,
        Severity::Info,
        "a context-lowered finding follows an override that goes lower still"
    );
}

#[test]
fn secret_star_critical_leaves_placeholders_and_fixtures_below_high() {
    use crate::rules::test_support::artifact_of;
    let aws = b"const key = \"AKIAIOSFODNN7EXAMPLE\";\n";
    let a = artifact_of(&[
        (
            "package/package.json",
            br#"{"name":"a","version":"1.0.0","files":["lib"],"scripts":{"prepare":"tsc"}}"#,
        ),
        ("package/lib/index.js", aws),
        (
            "package/test/fixtures/id.pem",
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n",
        ),
    ]);
    let p = Policy::parse(
        "p.toml",
        "[severity]\n\"secret-*\" = \"critical\"\n\"install-script\" = \"critical\"\n",
    )
    .expect("the docs' example override");
    let out = crate::rules::evaluate_with(&a, None, &p).findings;
    let secrets: Vec<&Finding> = out
        .iter()
        .filter(|f| f.rule.starts_with("secret-"))
        .collect();
    assert!(
        !secrets.is_empty(),
        "the placeholder is still reported: {out:#?}"
    );
    for f in &secrets {
        assert!(
            f.severity <= Severity::Medium,
            "{} at {} stays at its context severity: {f:?}",
            f.rule,
            f.location
        );
    }
    let prepare = out
        .iter()
        .find(|f| f.rule == "install-script")
        .expect("prepare reported");
    assert_eq!(prepare.severity, Severity::Low, "prepare stays low");
}

#[test]
fn a_misspelled_profile_table_is_an_error_listing_the_profiles() {
    let e = Policy::parse(
        "shipcheck.toml",
        "profile = \"internal\"\n\n[profiles.intenral]\nseverity = { \"dev-artifact\" = \"info\" }\n",
    )
    .expect_err("[profiles.intenral] would never apply");
    assert_eq!((e.file.as_str(), e.line), ("shipcheck.toml", 3), "{e}");
    assert!(e.message.contains("intenral"), "{e}");
    assert!(
        e.hint.contains("public") && e.hint.contains("internal"),
        "{e}"
    );
    let e = Policy::parse("p.toml", "profile = \"intern\"\n").expect_err("unknown profile");
    assert!(e.hint.contains("public, internal"), "{e}");
}

#[test]
fn an_allow_entry_without_reason_points_at_the_entry() {
    let text = "fail_on = \"high\"\n\n[[allow]]\npath = \"a/**\"\nreason = \"fine\"\n\n[[allow]]\npath = \"dist/**\"\nrule = \"sourcemap-file\"\n";
    let e = Policy::parse("p.toml", text).expect_err("reason is mandatory");
    assert_eq!(e.line, 7, "the second entry's header: {e}");
    assert!(
        e.message.contains("without `reason`") && e.message.contains("dist/**"),
        "{e}"
    );
    assert!(e.hint.contains("reason = "), "{e}");
    let e = Policy::parse("p.toml", "[[allow]]\nreason = \"r\"\n").expect_err("path is mandatory");
    assert_eq!(e.line, 1, "{e}");
    assert!(e.message.contains("without `path`"), "{e}");
}

#[test]
fn out_of_range_thresholds_are_refused() {
    for (text, line, key) in [
        ("[thresholds]\nsize_ratio = -1\n", 2, "size_ratio"),
        ("[thresholds]\n\nfiles_ratio = 0.5\n", 3, "files_ratio"),
        ("[thresholds]\nnew_file_ratio = nan\n", 2, "new_file_ratio"),
        ("[thresholds]\nmax_file_share = 1.5\n", 2, "max_file_share"),
        ("[thresholds]\nmax_file_size = 0\n", 2, "max_file_size"),
        (
            "[approval]\nrequired_coverage = 7\n",
            2,
            "required_coverage",
        ),
        ("[approval]\nmin_approvers = 0\n", 2, "min_approvers"),
    ] {
        let e = Policy::parse("p.toml", text).expect_err(text);
        assert_eq!(e.line, line, "{text}: {e}");
        assert!(e.message.contains(key), "{text}: {e}");
        assert!(!e.hint.is_empty(), "{text}: {e}");
    }
    for (text, hint) in [
        ("[thresholds]\nmax_file_size = -1\n", "size"),
        ("[approval]\nmin_approvers = -2\n", "whole number"),
        ("[thresholds]\nsize_ratio = \"2x\"\n", "number"),
    ] {
        let e = Policy::parse("p.toml", text).expect_err(text);
        assert_eq!(e.line, 2, "{text}: {e}");
        assert!(e.hint.contains(hint), "{text}: {e}");
    }
    let p = Policy::parse(
        "p.toml",
        "[thresholds]\nsize_ratio = 3\nmax_file_share = 1\n[approval]\nrequired_coverage = 1\n",
    )
    .expect("integers are accepted where floats are");
    assert!((p.thresholds.size_ratio - 3.0).abs() < f64::EPSILON);
}

#[test]
fn errors_are_one_line() {
    for text in [
        "[[allow]]\npath = \"x\"\n",
        "profile = \n",
        "[thresholds]\nmax_size = 3\n",
        "[profiles.x]\n",
    ] {
        let e = Policy::parse("p.toml", text).expect_err(text);
        let shown = e.to_string();
        assert!(!shown.contains('\n'), "{text:?} → {shown:?}");
        assert!(shown.starts_with("p.toml:"), "{shown}");
        assert!(shown.contains(" (hint: "), "{shown}");
    }
}

/// The ```toml blocks of a markdown file.
fn toml_blocks(doc: &str) -> Vec<String> {
    doc.split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split_once("```").map(|(t, _)| t.to_owned()))
        .collect()
}

#[test]
fn the_documented_example_policies_parse() {
    for (file, doc) in [
        ("docs/check.md", include_str!("../../../docs/check.md")),
        ("README.md", include_str!("../../../README.md")),
    ] {
        let blocks = toml_blocks(doc);
        assert!(!blocks.is_empty(), "{file} shows an example policy");
        for b in blocks {
            let p = Policy::parse(file, &b).unwrap_or_else(|e| panic!("{file}'s example: {e}"));
            assert_eq!(p.profile, Profile::Public, "{file}");
        }
    }
}

#[test]
fn the_readme_policy_table_names_every_documented_key() {
    let docs = toml_blocks(include_str!("../../../docs/check.md"));
    let readme = include_str!("../../../README.md");
    let table = readme
        .split_once("#### Policy keys")
        .map(|(_, rest)| rest.split("```toml").next().unwrap_or_default())
        .expect("README has a policy keys section");
    let example: toml::Table = docs[0].parse().expect("the docs example is TOML");
    let mut keys = Vec::new();
    for (k, v) in &example {
        keys.push(k.clone());
        // Rule ids and profile names are values, not keys of the format.
        if k == "severity" || k == "profiles" {
            continue;
        }
        let tables: Vec<&toml::Table> = match v {
            toml::Value::Table(t) => vec![t],
            toml::Value::Array(a) => a.iter().filter_map(toml::Value::as_table).collect(),
            _ => Vec::new(),
        };
        keys.extend(tables.iter().flat_map(|t| t.keys().cloned()));
    }
    assert!(keys.len() > 20, "{keys:?}");
    for k in keys {
        assert!(
            [
                format!("`{k}`"),
                format!("`[{k}]`"),
                format!("`[[{k}]]`"),
                format!("`[{k}.")
            ]
            .iter()
            .any(|form| table.contains(form.as_str())),
            "README's policy keys table lacks `{k}`"
        );
    }
}

#[test]
fn judging_twice_is_judging_once() {
    // Rules that fold judged findings pass the folded one through `apply` again.
    let text = "[severity]\n\"sourcemap-reference\" = \"high\"\n\"sourcemap-file\" = \"info\"\n[[allow]]\npath = \"dist/**\"\nrule = \"sourcemap-*\"\nreason = \"r\"\n";
    let p = Policy::parse("p.toml", text).expect("valid");
    for rule in ["sourcemap-reference", "sourcemap-file", "large-file"] {
        for sev in Severity::ALL {
            for path in ["dist/a.js", "lib/a.js"] {
                let once = p.judge(finding(rule, path, sev)).expect("enabled");
                let twice = p.judge(once.clone()).expect("enabled");
                assert_eq!(once, twice, "{rule} {sev} {path}");
            }
        }
    }
}
