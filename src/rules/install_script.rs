//! `install-script`: code that runs when the package is installed.
//!
//! npm runs `preinstall`, `install` and `postinstall` from the registry; `prepare` only for git
//! and local installs (so low); a `binding.gyp` makes npm run `node-gyp rebuild` even without a
//! script. Bundled dependencies (`node_modules/*/package.json` inside the package) are checked
//! too. Against a baseline, a new script is critical and a changed one high.

use serde_json::json;

use super::engine::FileCtx;
use super::{Finding, Location, Rule, Severity};
use crate::artifact::{Artifact, Ecosystem};
use crate::manifest::Manifest;

/// The rule.
pub const RULE: Rule = Rule {
    id: "install-script",
    severity: Severity::High,
    summary: "install-time code: `preinstall`/`install`/`postinstall`, `prepare` (low), `binding.gyp`",
    why: "Install scripts run with the installing user's rights on every machine and CI runner \
          that installs the package; they are the main vector of npm supply-chain attacks. A \
          script that appears or changes between releases is the strongest signal of a \
          compromised publish, so it is critical against a baseline.",
};

const HOOKS: &[&str] = &["preinstall", "install", "postinstall", "prepare"];

fn hook_severity(hook: &str) -> Severity {
    if hook == "prepare" {
        Severity::Low
    } else {
        Severity::High
    }
}

/// Reports the package's own scripts, comparing with the baseline when there is one.
pub fn check(a: &Artifact, baseline: Option<&Manifest>, out: &mut Vec<Finding>) {
    let Some(meta) = &a.package else { return };
    let loc = Location {
        entry: a
            .installed()
            .find(|e| e.path == meta.source)
            .map(|e| e.index),
        path: meta.source.clone(),
        ..Location::default()
    };
    let old = baseline.and_then(|b| b.package.as_ref());
    if meta.ecosystem == Some(Ecosystem::Cargo) {
        if let Some(build) = meta.scripts.get("build") {
            out.push(
                Finding::new(
                    &RULE,
                    loc.clone(),
                    format!("build script `{build}` runs at compile time"),
                )
                .severity(Severity::Low),
            );
        }
        return;
    }
    for hook in HOOKS {
        let Some(cmd) = meta.scripts.get(*hook) else {
            continue;
        };
        let before = old.map(|o| o.scripts.get(*hook));
        let (severity, how) = match before {
            Some(None) => (Severity::Critical, "new since the baseline"),
            Some(Some(prev)) if prev != cmd => (
                Severity::High.max(hook_severity(hook)),
                "changed since the baseline",
            ),
            _ => (
                hook_severity(hook),
                if *hook == "prepare" {
                    "not run by registry installs"
                } else {
                    "runs on install"
                },
            ),
        };
        out.push(
            Finding::new(&RULE, loc.clone(), format!("`{hook}`: `{cmd}` ({how})"))
                .severity(severity)
                .evidence(json!({ "script": hook, "command": cmd, "previous": before.flatten() })),
        );
    }
    let gyp = a.installed().find(|e| e.path == "binding.gyp");
    if let Some(e) = gyp
        && !meta.scripts.contains_key("install")
        && !meta.scripts.contains_key("preinstall")
    {
        let new = old.is_some_and(|_| {
            baseline.is_some_and(|b| !b.installed().any(|x| x.path == "binding.gyp"))
        });
        out.push(
            Finding::new(
                &RULE,
                Location {
                    entry: Some(e.index),
                    path: e.path.clone(),
                    ..Location::default()
                },
                "binding.gyp: npm runs `node-gyp rebuild` on install".to_owned(),
            )
            .severity(if new {
                Severity::Critical
            } else {
                Severity::High
            }),
        );
    }
}

/// Reports install scripts of a dependency bundled inside the package.
pub fn check_bundled(ctx: &FileCtx<'_>, bytes: &[u8], out: &mut Vec<Finding>) {
    let name = ctx.name();
    let Some(pos) = name.rfind("node_modules/") else {
        return;
    };
    let rest = &name[pos + "node_modules/".len()..];
    let depth = if rest.starts_with('@') { 3 } else { 2 };
    if rest.split('/').count() != depth || !rest.ends_with("/package.json") {
        return;
    }
    let Ok(pkg) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    for hook in ["preinstall", "install", "postinstall"] {
        if let Some(cmd) = pkg["scripts"][hook].as_str() {
            out.push(
                Finding::new(
                    &RULE,
                    ctx.location(None, None),
                    format!("bundled dependency runs `{hook}`: `{cmd}`"),
                )
                .evidence(json!({ "script": hook, "command": cmd, "bundled": true })),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Policy;
    use crate::rules::test_support::artifact_of;

    fn pkg(scripts: &str) -> Vec<u8> {
        format!(r#"{{"name":"a","version":"1.0.0","files":["x"],"scripts":{{{scripts}}}}}"#)
            .into_bytes()
    }

    #[test]
    fn hooks_and_baseline() {
        let a = artifact_of(&[(
            "package/package.json",
            &pkg(r#""postinstall":"node x.js","prepare":"tsc","test":"jest""#),
        )]);
        let mut out = Vec::new();
        check(&a, None, &mut out);
        let sev: Vec<_> = out.iter().map(|f| f.severity).collect();
        assert_eq!(
            sev,
            [Severity::High, Severity::Low],
            "postinstall high, prepare low, test ignored"
        );
        let old = Manifest::of(&artifact_of(&[(
            "package/package.json",
            &pkg(r#""prepare":"tsc""#),
        )]));
        let mut out = Vec::new();
        check(&a, Some(&old), &mut out);
        assert_eq!(
            out[0].severity,
            Severity::Critical,
            "new postinstall is critical"
        );
        assert!(out[0].message.contains("new since the baseline"));
        assert_eq!(
            out[1].severity,
            Severity::Low,
            "unchanged prepare stays low"
        );
    }

    #[test]
    fn binding_gyp_and_bundled() {
        let a = artifact_of(&[
            ("package/package.json", &pkg("")),
            ("package/binding.gyp", b"{}"),
        ]);
        let mut out = Vec::new();
        check(&a, None, &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("node-gyp"));
        let policy = Policy::default();
        let ctx = FileCtx {
            entry: None,
            path: "node_modules/dep/package.json",
            inner: None,
            policy: &policy,
        };
        let mut out = Vec::new();
        check_bundled(&ctx, br#"{"scripts":{"install":"sh evil.sh"}}"#, &mut out);
        assert_eq!(out.len(), 1);
        let deep = FileCtx {
            path: "node_modules/dep/lib/package.json",
            ..ctx
        };
        check_bundled(&deep, br#"{"scripts":{"install":"x"}}"#, &mut out);
        assert_eq!(out.len(), 1, "only a dependency's own package.json counts");
    }
}
