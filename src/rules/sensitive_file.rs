//! `sensitive-file`: files that hold credentials or private state by their nature.
//!
//! Judged by name, then refined by content where content changes the meaning: a `.pem` that
//! holds only certificates is a public CA bundle, an `.npmrc` without auth lines is config,
//! and anything under a test folder is reported as a fixture.

use serde_json::json;

use super::engine::FileCtx;
use super::text::{file_name, is_test_path};
use super::{Finding, Rule, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "sensitive-file",
    severity: Severity::High,
    summary: "a file that holds credentials or private state (`.env`, `.npmrc`, keys, `.git/`)",
    why: "These files exist on every developer machine and CI runner, and packers sweep them \
          in when `files` is missing or an ignore file is incomplete. A `.env` or `.npmrc` \
          often holds live tokens; `.git/` ships history; `*.tfstate` holds infrastructure \
          secrets. Remove them and add a `files` allowlist.",
};

/// What a name says about a file: a short description, or `None` for ordinary files.
fn classify(path: &str) -> Option<(&'static str, Severity)> {
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    let in_dir = |d: &str| path.split('/').rev().skip(1).any(|p| p == d);
    if lower == ".env"
        || (lower.starts_with(".env.")
            && !lower.ends_with(".example")
            && !lower.ends_with(".sample")
            && !lower.ends_with(".template")
            && !lower.ends_with(".dist"))
    {
        return Some(("environment file", Severity::High));
    }
    if lower.starts_with(".env.") {
        return Some(("environment template", Severity::Info));
    }
    let exact: &[(&str, &str)] = &[
        (".npmrc", "npm config"),
        (".yarnrc.yml", "yarn config"),
        (".pypirc", "PyPI credentials"),
        (".netrc", "netrc credentials"),
        ("_netrc", "netrc credentials"),
        (".git-credentials", "git credentials"),
        (".htpasswd", "password file"),
        ("credentials.json", "credentials file"),
        ("secrets.json", "secrets file"),
        (".dockercfg", "docker credentials"),
    ];
    if let Some((_, what)) = exact.iter().find(|(n, _)| lower == *n) {
        return Some((what, Severity::High));
    }
    if ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"]
        .iter()
        .any(|k| lower.starts_with(k))
    {
        let public = lower.ends_with(".pub");
        return Some(if public {
            ("SSH public key", Severity::Low)
        } else {
            ("SSH private key", Severity::High)
        });
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some(
            "pem" | "key" | "p12" | "pfx" | "jks" | "keystore" | "p8" | "ppk" | "kdbx" | "asc"
            | "gpg",
        ) => {
            return Some(("key or certificate file", Severity::High));
        }
        Some("tfstate") => return Some(("Terraform state", Severity::High)),
        _ => {}
    }
    if lower.ends_with(".tfstate.backup") {
        return Some(("Terraform state", Severity::High));
    }
    if in_dir(".git") {
        return Some(("git repository data", Severity::High));
    }
    if in_dir(".ssh") || in_dir(".aws") || in_dir(".gnupg") || in_dir(".docker") {
        return Some(("credentials folder", Severity::High));
    }
    if lower == ".ds_store" {
        return Some(("macOS folder metadata (lists file names)", Severity::Low));
    }
    None
}

/// Reports `ctx`'s file if its name marks it as sensitive.
pub fn check(ctx: &FileCtx<'_>, bytes: &[u8], out: &mut Vec<Finding>) {
    let path = ctx.name();
    let Some((what, mut severity)) = classify(path) else {
        return;
    };
    let mut note = None;
    let find = |n: &str| memchr::memmem::find(bytes, n.as_bytes()).is_some();
    if what == "key or certificate file"
        && find("-----BEGIN CERTIFICATE-----")
        && !find("PRIVATE KEY")
    {
        severity = Severity::Info;
        note = Some("public certificates only (a CA bundle or certificate chain), no private key");
    } else if what == "npm config" && !find("_auth") && !find("_password") {
        severity = Severity::Low;
        note = Some("no auth lines");
    }
    if severity > Severity::Low && is_test_path(path) {
        severity = Severity::Low;
        note = Some("test fixture");
    }
    let message = match note {
        Some(n) => format!("{what}: {n}"),
        None => format!("{what} ships in the package"),
    };
    out.push(
        Finding::new(&RULE, ctx.location(None, None), message)
            .severity(severity)
            .evidence(json!({ "kind": what, "context": note })),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::with_file;

    fn run(path: &str, bytes: &[u8]) -> Option<Finding> {
        let mut out = Vec::new();
        with_file(path, |ctx| check(ctx, bytes, &mut out));
        out.pop()
    }

    #[test]
    fn names_that_hold_secrets() {
        assert_eq!(
            run(".env", b"A=1").map(|f| f.severity),
            Some(Severity::High)
        );
        assert_eq!(
            run(".env.production", b"").map(|f| f.severity),
            Some(Severity::High)
        );
        assert_eq!(
            run(".env.example", b"").map(|f| f.severity),
            Some(Severity::Info)
        );
        assert_eq!(
            run(".git/config", b"").map(|f| f.severity),
            Some(Severity::High)
        );
        assert_eq!(
            run("deploy/prod.tfstate", b"").map(|f| f.severity),
            Some(Severity::High)
        );
        assert_eq!(
            run(".DS_Store", b"").map(|f| f.severity),
            Some(Severity::Low)
        );
        assert!(run("lib/index.js", b"").is_none());
        assert!(run("lib/environment.js", b"").is_none());
    }

    #[test]
    fn content_and_test_context_refine() {
        let ca = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let f = run("lib/cacert.pem", ca).expect("reported");
        assert_eq!(f.severity, Severity::Info);
        assert!(f.message.contains("CA bundle"), "{}", f.message);
        let key = b"-----BEGIN PRIVATE KEY-----\nMIIE\n";
        assert_eq!(
            run("server.key", key).map(|f| f.severity),
            Some(Severity::High)
        );
        let f = run("tests/keys/server.key", key).expect("reported");
        assert_eq!(f.severity, Severity::Low);
        assert!(f.message.contains("test fixture"));
        assert_eq!(
            run(".npmrc", b"registry=https://r.example\n").map(|f| f.severity),
            Some(Severity::Low)
        );
        assert_eq!(
            run(".npmrc", b"//r/:_authToken=abc\n").map(|f| f.severity),
            Some(Severity::High)
        );
    }
}
