//! `sensitive-file`: files that hold credentials or private state by their nature.
//!
//! Judged by name, then refined by content where content changes the meaning: a `.pem` that
//! holds only certificates is a public CA bundle, an `.npmrc` without auth lines is config,
//! and anything under a test folder is reported as a fixture. A shipped `.git/` folder is one
//! finding per folder ([`GitFolders`]), not one per object file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::ctx::FileCtx;
use super::{Finding, Location, Rule, Severity};
use crate::detect::text::{file_name, is_test_path};

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

/// The `.git/` folder `path` lies in (`vendor/x/.git/`), if any.
fn git_folder(path: &str) -> Option<&str> {
    let mut at = 0;
    for part in path.split('/') {
        at += part.len() + 1;
        if part == ".git" && at <= path.len() {
            return Some(&path[..at]);
        }
    }
    None
}

/// How many sample paths a `.git/` finding lists.
const GIT_SAMPLES: usize = 5;

/// The `.git/` folders of the package's own files, counted while they stream past: a
/// repository is thousands of object files, and one high finding per file buried everything
/// else. The scanner carries this through the scan (`engine::Scanner`), merges it across
/// worker threads and reports it once at the end.
#[derive(Debug, Default)]
pub struct GitFolders {
    folders: BTreeMap<String, GitFolder>,
}

#[derive(Debug)]
struct GitFolder {
    files: u64,
    bytes: u64,
    /// The first few paths in path order (kept sorted so the order files arrive in does not
    /// matter).
    samples: BTreeSet<String>,
}

impl GitFolders {
    /// Counts `ctx`'s file if it lies in a `.git/` folder; true when it did.
    pub fn add(&mut self, ctx: &FileCtx<'_>, size: u64) -> bool {
        let Some(folder) = git_folder(ctx.path) else {
            return false;
        };
        let g = self
            .folders
            .entry(folder.to_owned())
            .or_insert_with(|| GitFolder {
                files: 0,
                bytes: 0,
                samples: BTreeSet::new(),
            });
        g.files += 1;
        g.bytes += size;
        g.sample(ctx.path.to_owned());
        true
    }

    /// Adds another scanner's folders (a worker thread's) to these.
    pub fn merge(&mut self, other: GitFolders) {
        for (key, g) in other.folders {
            match self.folders.get_mut(&key) {
                Some(mine) => {
                    mine.files += g.files;
                    mine.bytes += g.bytes;
                    for p in g.samples {
                        mine.sample(p);
                    }
                }
                None => {
                    self.folders.insert(key, g);
                }
            }
        }
    }

    /// One finding per folder.
    pub fn findings(&self) -> Vec<Finding> {
        self.folders
            .iter()
            .map(|(folder, g)| {
                let (severity, note) = if is_test_path(folder) {
                    (Severity::Low, Some("test fixture"))
                } else {
                    (Severity::High, None)
                };
                let size = crate::units::size(g.bytes);
                let message = format!(
                    "git repository data: {} file(s), {size}{}",
                    g.files,
                    note.map_or_else(|| " ship in the package".to_owned(), |n| format!(" ({n})"))
                );
                let loc = Location {
                    path: folder.clone(),
                    ..Location::default()
                };
                Finding::new(&RULE, loc, message)
                    .severity(severity)
                    .evidence(json!({
                        "kind": "git repository data",
                        "context": note,
                        "files": g.files,
                        "bytes": g.bytes,
                        "samples": g.samples,
                    }))
            })
            .collect()
    }
}

impl GitFolder {
    fn sample(&mut self, path: String) {
        self.samples.insert(path);
        if self.samples.len() > GIT_SAMPLES {
            self.samples.pop_last();
        }
    }
}

/// Reports `ctx`'s file if its name marks it as sensitive. Files of a top-level `.git/`
/// folder are left to [`GitFolders`]; inside a nested archive each is reported.
pub fn check(ctx: &FileCtx<'_>, bytes: &[u8], out: &mut Vec<Finding>) {
    if ctx.inner.is_none() && git_folder(ctx.path).is_some() {
        return;
    }
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
    } else if what == "key or certificate file"
        && [
            "CERTIFICATE REQUEST-----",
            "PUBLIC KEY-----",
            "X509 CRL-----",
        ]
        .iter()
        .any(|b| find(&format!("-----BEGIN {b}")) || find(&format!("-----BEGIN NEW {b}")))
        && !find("PRIVATE KEY")
    {
        severity = Severity::Info;
        note =
            Some("public material only (a certificate request, public key or CRL), no private key");
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
        assert!(
            run(".git/config", b"").is_none(),
            "a .git/ file is counted by its folder"
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
    fn a_git_folder_is_one_finding_with_count_and_samples() {
        let policy = crate::rules::Policy::default();
        let ctx = |path| FileCtx {
            entry: Some(0),
            path,
            inner: None,
            policy: &policy,
        };
        let mut a = GitFolders::default();
        let mut b = GitFolders::default();
        let objects: Vec<String> = (0..40)
            .map(|i| format!(".git/objects/{i:02}/abc"))
            .collect();
        for (i, p) in objects.iter().enumerate() {
            let half = if i % 2 == 0 { &mut a } else { &mut b };
            assert!(half.add(&ctx(p), 10));
        }
        assert!(a.add(&ctx(".git/config"), 5));
        assert!(a.add(&ctx("test/fixtures/repo/.git/HEAD"), 1));
        assert!(!a.add(&ctx("lib/.gitignore"), 1), "not a .git/ folder");
        assert!(!a.add(&ctx("docs/git/x.md"), 1));
        a.merge(b);
        let out = a.findings();
        assert_eq!(out.len(), 2, "one finding per .git/ folder: {out:#?}");
        let top = out
            .iter()
            .find(|f| f.location.path == ".git/")
            .expect(".git/");
        assert_eq!(top.severity, Severity::High);
        assert_eq!(top.evidence["files"], 41);
        assert_eq!(top.evidence["bytes"], 405);
        assert_eq!(
            top.evidence["samples"],
            json!([
                ".git/config",
                ".git/objects/00/abc",
                ".git/objects/01/abc",
                ".git/objects/02/abc",
                ".git/objects/03/abc"
            ]),
            "the first few paths, whatever order they arrived in"
        );
        assert!(top.message.contains("41 file(s)"), "{}", top.message);
        let fixture = out
            .iter()
            .find(|f| f.location.path == "test/fixtures/repo/.git/")
            .expect("nested .git/");
        assert_eq!(fixture.severity, Severity::Low, "a test fixture repository");
        let mut out = Vec::new();
        let nested = FileCtx {
            inner: Some(".git/config"),
            ..ctx("vendor/x.tgz")
        };
        check(&nested, b"", &mut out);
        assert_eq!(
            out.len(),
            1,
            "inside a nested archive each file is reported"
        );
    }

    #[test]
    fn public_pem_material_is_info() {
        for block in [
            "CERTIFICATE REQUEST",
            "NEW CERTIFICATE REQUEST",
            "PUBLIC KEY",
            "X509 CRL",
        ] {
            let pem = format!("-----BEGIN {block}-----\nMIIB\n-----END {block}-----\n");
            let f = run("assets/csr.pem", pem.as_bytes()).expect("reported");
            assert_eq!(f.severity, Severity::Info, "{block}");
            assert!(f.message.contains("no private key"), "{}", f.message);
        }
        let both = "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n-----BEGIN PRIVATE KEY-----\n";
        assert_eq!(
            run("k.pem", both.as_bytes()).map(|f| f.severity),
            Some(Severity::High)
        );
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
