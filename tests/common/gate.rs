//! Keys, allowed_signers files and approvals for the gate's tests, made with the real
//! `ssh-keygen` and shipcheck's own signing code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicU64;

use shipcheck::approval::record::{Review, statement};
use shipcheck::approval::{Coverage, ReviewResult, Signer, Statement, Timestamp, sign_statement};
use shipcheck::artifact::Limits;
use shipcheck::finding::Severity;
use shipcheck::inputs::{Contents, InputArgs, Inputs};

/// False (with a note) when `ssh-keygen` is missing; CI installs it.
pub fn have_ssh_keygen() -> bool {
    let ok = Command::new("ssh-keygen").arg("-?").output().is_ok();
    if !ok {
        // Straight to the stream: libtest captures `eprintln!` of a passing test, and a skip
        // must show in plain `cargo test` output.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "note: ssh-keygen is not installed; skipping (CI installs openssh-client)\n"
            ),
        );
    }
    ok
}

/// An ed25519 key pair in `dir`.
pub struct Key {
    /// The private key file.
    pub path: PathBuf,
    /// `ssh-ed25519 AAAA…` (no comment).
    pub public: String,
}

/// Generates an ed25519 key named `name` in `dir`.
pub fn keygen(dir: &Path, name: &str) -> Key {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen runs");
    assert!(out.status.success(), "ssh-keygen: {out:?}");
    let public = std::fs::read_to_string(path.with_extension("pub"))
        .expect("the public key")
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    Key { path, public }
}

/// Writes an allowed_signers file of `(principal, options, key)` lines.
pub fn allowed_signers(dir: &Path, lines: &[(&str, &str, &Key)]) -> PathBuf {
    let mut text = String::new();
    for (who, opts, key) in lines {
        let opts = if opts.is_empty() {
            String::new()
        } else {
            format!("{opts} ")
        };
        let _ = writeln!(text, "{who} {opts}{}", key.public);
    }
    let path = dir.join("allowed_signers");
    std::fs::write(&path, text).expect("write allowed_signers");
    path
}

/// The statement a reviewer who waived every blocking finding of `artifact` would sign, as
/// the review screen builds it (policy found beside the artifact), changed by `edit`.
pub fn statement_for(
    artifact: &Path,
    reviewer: &str,
    result: ReviewResult,
    edit: impl FnOnce(&mut Statement),
) -> Statement {
    let spec = artifact.to_str().expect("UTF-8 path");
    let inputs =
        Inputs::prepare(&InputArgs::of(spec), Limits::default(), Contents::Stream).expect("inputs");
    let scanned = inputs.scan(&AtomicU64::new(0)).expect("scans");
    let findings = &scanned.evaluation.findings;
    let threshold = inputs.policy.fail_on.unwrap_or(Severity::High);
    let waivers: Vec<(usize, String)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.blocks_at(threshold))
        .map(|(i, _)| (i, "looked at it: expected in this release".to_owned()))
        .collect();
    let files = scanned.current.artifact.files as u64;
    let mut s = statement(&Review {
        manifest: &scanned.current,
        findings,
        threshold,
        policy: &inputs.policy,
        waivers: &waivers,
        coverage: Coverage {
            files_viewed: files,
            files_total: files,
            flagged_viewed: 0,
            flagged_total: 0,
            flagged_files_viewed: vec![],
        },
        reviewer,
        result,
        reason: (result == ReviewResult::Rejected).then(|| "ships a .env file".to_owned()),
        now: Timestamp::now(),
    });
    edit(&mut s);
    s
}

/// One signed approval line for `artifact` by `key` as `reviewer`.
pub fn approve(artifact: &Path, key: &Key, reviewer: &str) -> String {
    sign(
        &statement_for(artifact, reviewer, ReviewResult::Approved, |_| {}),
        key,
    )
}

/// Signs `s` with `key` (in-process), returning the bundle line.
pub fn sign(s: &Statement, key: &Key) -> String {
    sign_statement(
        s,
        &Signer::KeyFile {
            path: key.path.clone(),
            passphrase: None,
        },
    )
    .expect("signs")
}

/// Writes `lines` as a bundle.
pub fn write_bundle(path: &Path, lines: &[String]) {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(path, text).expect("write bundle");
}
