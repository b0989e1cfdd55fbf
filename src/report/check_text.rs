//! `check --format text`: findings grouped by severity and a one-screen summary.
//!
//! Colour only when asked for by the caller (`--color`, see `cli::ColorChoice`);
//! every artifact string is sanitised here, at the last moment.

use std::fmt::Write as _;

use super::Report;
use crate::rules::{Finding, Severity};
use crate::sanitize::for_terminal;

use crate::units::{size, size_delta};

fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn colour_of(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

fn line(f: &Finding) -> String {
    format!(
        "  {:<28} {}\n      {}\n",
        f.rule,
        for_terminal(&f.location.to_string()),
        for_terminal(&f.message)
    )
}

/// Renders the report.
pub fn render(r: &Report, fail_on: Severity, colour: bool) -> String {
    let a = &r.artifact;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}, {} packed, {} unpacked, {} files)",
        paint(colour, "1", &for_terminal(&a.title())),
        a.format.label(),
        size(a.packed_size),
        size(a.unpacked_size),
        a.files
    );
    if let (Some(b), Some(d)) = (&r.baseline, &r.diff) {
        let _ = writeln!(
            out,
            "against {}: unpacked {}, packed {}, files {:+} ({} added, {} removed, {} changed)",
            for_terminal(&b.title()),
            size_delta(d.totals.unpacked_delta),
            size_delta(d.totals.packed_delta),
            d.totals.files_delta,
            d.added.len(),
            d.removed.len(),
            d.changed.len()
        );
    }
    for sev in Severity::ALL {
        let group: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.allowed.is_none() && f.severity == sev)
            .collect();
        if group.is_empty() {
            continue;
        }
        let header = format!("{} ({})", sev.as_str().to_uppercase(), group.len());
        let _ = writeln!(out, "\n{}", paint(colour, colour_of(sev), &header));
        // A rule can fire thousands of times (one `sourcemap-file` per map in next@14): below
        // high, show a few of each rule and count the rest. Blocking findings are all listed.
        let per_rule = match sev {
            Severity::Critical | Severity::High => usize::MAX,
            Severity::Medium | Severity::Low => 10,
            Severity::Info => 3,
        };
        let mut rules: Vec<&str> = Vec::new();
        for f in &group {
            if !rules.contains(&f.rule.as_str()) {
                rules.push(&f.rule);
            }
        }
        for rule in rules {
            let of_rule: Vec<&&Finding> = group.iter().filter(|f| f.rule == rule).collect();
            for f in of_rule.iter().take(per_rule) {
                out.push_str(&line(f));
            }
            if of_rule.len() > per_rule {
                let _ = writeln!(
                    out,
                    "  … and {} more {rule} (--format json lists all)",
                    of_rule.len() - per_rule
                );
            }
        }
    }
    let allowed: Vec<&Finding> = r.findings.iter().filter(|f| f.allowed.is_some()).collect();
    if !allowed.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                colour,
                "32",
                &format!("ALLOWED BY POLICY ({})", allowed.len())
            )
        );
        for f in allowed {
            let reason = f.allowed.as_ref().map_or("", |a| a.reason.as_str());
            let _ = writeln!(
                out,
                "  {:<28} {} [{}]\n      {}\n      allowed: {}",
                f.rule,
                for_terminal(&f.location.to_string()),
                f.severity,
                for_terminal(&f.message),
                for_terminal(reason)
            );
        }
    }
    let counts: Vec<String> = r.counts().iter().map(|(s, n)| format!("{n} {s}")).collect();
    let verdict = if r.fails(fail_on) {
        paint(
            colour,
            "1;31",
            &format!("FAIL (findings at or above {fail_on})"),
        )
    } else {
        paint(
            colour,
            "1;32",
            &format!("ok (nothing at or above {fail_on})"),
        )
    };
    let _ = writeln!(out, "\n{} — {verdict}", counts.join(", "));
    out
}
