//! Sign-off journeys: refusals, waivers, the confirmation, cancelling, signing with a real
//! key (plain and passphrase-protected), rejections; and a snapshot of each dialog step.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::action::Mode;
use super::super::signoff::{SignOffConfig, Step};
use super::{drive, fixtures, keys};
use crate::approval::{
    AllowedSigners, FindingStatus, ReviewResult, Statement, Timestamp, read_bundle, verify_line,
};
use crate::review::App;

const REVIEWER: &str = "ana@example.com";

/// A package with one high finding (a `.env`) in a temporary folder, with `policy` beside it.
struct Package {
    dir: tempfile::TempDir,
    tgz: PathBuf,
}

impl Package {
    fn new(policy: Option<&str>) -> Package {
        let dir = tempfile::tempdir().expect("tempdir");
        let tgz = fixtures::write(
            dir.path(),
            "app-1.0.0.tgz",
            &fixtures::tgz(&[
                (
                    b"package.json",
                    br#"{"name":"app","version":"1.0.0","files":["index.js",".env"]}"#,
                ),
                (b"index.js", b"module.exports = 1;\n"),
                (b".env", b"NODE_ENV=production\n"),
            ]),
        );
        if let Some(p) = policy {
            std::fs::write(dir.path().join("shipcheck.toml"), p).expect("policy written");
        }
        Package { dir, tgz }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("app-1.0.0.tgz.approval.intoto.jsonl")
    }

    /// The screen, ready to sign with `key` (no agent) as [`REVIEWER`].
    fn app(&self, key: Option<&Path>) -> App {
        let spec = self.tgz.to_str().expect("utf-8 temp path");
        let inputs = crate::inputs::Inputs::prepare(
            &crate::inputs::InputArgs::of(spec),
            crate::artifact::Limits::default(),
            crate::inputs::Contents::Index,
        )
        .expect("the inputs are read");
        let config = SignOffConfig {
            key: key.map(Path::to_path_buf),
            agent_socket: None,
            reviewer: Some(REVIEWER.into()),
            out: Some(self.out()),
            artifact: spec.to_owned(),
        };
        let mut app =
            super::super::terminal::load_for_signing(inputs, config).expect("the artifact opens");
        app.color = false;
        app
    }
}

/// An ed25519 key made by `ssh-keygen` in `dir`; `None` (with a note) without OpenSSH.
fn keygen(dir: &Path, name: &str, passphrase: &str) -> Option<PathBuf> {
    let path = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f"])
        .arg(&path)
        .stdin(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => Some(path),
        _ => {
            // Straight to the stream: libtest captures `eprintln!` of a passing test, and a skip
            // must show in plain `cargo test` output.
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!("note: ssh-keygen not found; skipping a test that needs OpenSSH\n"),
            );
            None
        }
    }
}

/// Verifies every line of the bundle at `out` against `key`'s public half for [`REVIEWER`];
/// returns the statements.
fn verified(out: &Path, key: &Path) -> Vec<Statement> {
    let mut pub_path = key.as_os_str().to_owned();
    pub_path.push(".pub");
    let public = std::fs::read_to_string(PathBuf::from(pub_path)).expect(".pub exists");
    let signers = AllowedSigners::parse(&format!("{REVIEWER} {public}"), Path::new("as"))
        .expect("allowed_signers parses");
    read_bundle(out)
        .expect("the bundle reads")
        .iter()
        .map(|line| {
            let outcome =
                verify_line(&line.bytes, &signers, Timestamp::now()).expect("a well-formed line");
            assert!(outcome.passed(), "the line verifies: {outcome:?}");
            let envelope = crate::approval::Envelope::from_line(&line.bytes).expect("an envelope");
            serde_json::from_slice(&envelope.payload_bytes().expect("payload"))
                .expect("a statement")
        })
        .collect()
}

/// Opens `.env` in the preview (a flagged file must be read before signing).
const OPEN_ENV: &str = "/.env\n\n\x1b";

fn step(app: &App) -> Step {
    app.signoff
        .as_ref()
        .expect("the dialog is open")
        .step
        .clone()
}

#[test]
fn sign_off_is_refused_while_a_flagged_file_is_unread() {
    let pkg = Package::new(None);
    let mut app = pkg.app(None);
    let screen = drive(&mut app, 100, 30, keys("S"));
    assert_eq!(
        step(&app),
        Step::Refused(vec!["flagged file not opened yet: .env".into()]),
        "the unread .env is named"
    );
    assert!(screen.contains("Sign-off refused"), "{screen}");
    drive(&mut app, 100, 30, keys("\x1b"));
    assert!(app.signoff.is_none(), "Esc closes the refusal");
    assert_eq!(app.mode, Mode::Browse);
    drive(&mut app, 100, 30, keys(&format!("{OPEN_ENV}S")));
    assert_eq!(step(&app), Step::Blocking, "once read, S goes on");
    assert!(!pkg.out().exists());
}

#[test]
fn an_unwaivable_rule_is_named_with_the_policy_glob() {
    let pkg = Package::new(Some("[approval]\nunwaivable = [\"sensitive-*\"]\n"));
    let mut app = pkg.app(None);
    drive(&mut app, 100, 30, keys(&format!("{OPEN_ENV}S")));
    let Step::Refused(lines) = step(&app) else {
        panic!("refused, not {:?}", step(&app));
    };
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("sensitive-file on .env may not be waived: ")
            && lines[0].ends_with("lists \"sensitive-*\" in [approval] unwaivable"),
        "the rule, the file and the glob: {}",
        lines[0]
    );
    assert!(lines[0].contains("shipcheck.toml"), "the policy file");
}

#[test]
fn a_short_waiver_and_a_wrong_confirmation_are_refused() {
    let pkg = Package::new(None);
    let mut app = pkg.app(None);
    let screen = drive(&mut app, 100, 30, keys(&format!("{OPEN_ENV}S\nshort\n")));
    assert_eq!(step(&app), Step::Waive(0), "five characters are not enough");
    assert!(
        screen.contains("5 of at least 10 characters"),
        "the count is shown:\n{screen}"
    );
    drive(&mut app, 100, 30, keys(" and long enough\napp@1.0.1\n"));
    assert_eq!(step(&app), Step::Confirm, "the wrong version is refused");
    let d = app.signoff.as_ref().expect("open");
    assert_eq!(d.waivers.len(), 1);
    assert_eq!(d.waivers[0].1, "short and long enough");
    assert_eq!(
        d.error.as_deref(),
        Some("type app@1.0.0 exactly to confirm")
    );
    assert!(!pkg.out().exists(), "nothing written before a signature");
}

#[test]
fn esc_at_every_step_leaves_nothing_on_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(key) = keygen(dir.path(), "id_pass", "secret phrase") else {
        return;
    };
    let pkg = Package::new(None);
    for (prefix, at) in [
        ("S", Step::Blocking),
        ("S\n", Step::Waive(0)),
        ("S\nit is a template\n", Step::Confirm),
        ("S\nit is a template\napp@1.0.0\n", Step::Passphrase),
        ("R", Step::Reason),
    ] {
        let mut app = pkg.app(Some(&key));
        drive(&mut app, 100, 30, keys(&format!("{OPEN_ENV}{prefix}")));
        assert_eq!(step(&app), at, "after {prefix:?}");
        drive(&mut app, 100, 30, keys("\x1b"));
        assert!(app.signoff.is_none(), "Esc cancels at {at:?}");
        assert!(
            !pkg.out().exists(),
            "nothing on disk after cancelling at {at:?}"
        );
    }
}

#[test]
fn a_completed_sign_off_writes_a_line_that_verifies() {
    let Some(key) = ({
        let pkg_dir = tempfile::tempdir().expect("tempdir");
        keygen(pkg_dir.path(), "id_ed25519", "").map(|k| (pkg_dir, k))
    }) else {
        return;
    };
    let (_keys_dir, key) = key;
    let pkg = Package::new(None);
    let mut app = pkg.app(Some(&key));
    let screen = drive(
        &mut app,
        120,
        30,
        keys(&format!("{OPEN_ENV}S\na template, no values\napp@1.0.0\n")),
    );
    let Step::Done { path, command } = step(&app) else {
        panic!("signed, not {:?}:\n{screen}", step(&app));
    };
    assert_eq!(path, pkg.out());
    assert!(
        command.starts_with("shipcheck verify ") && command.contains(" --approval "),
        "{command}"
    );
    assert!(
        screen.contains("Approval signed and written to:") && screen.contains("shipcheck verify"),
        "the screen shows the path and the command:\n{screen}"
    );
    assert_eq!(app.signed, [pkg.out()]);
    let statements = verified(&pkg.out(), &key);
    assert_eq!(statements.len(), 1);
    let p = &statements[0].predicate;
    assert_eq!(p.result, ReviewResult::Approved);
    assert_eq!(p.reviewer.id, REVIEWER);
    assert_eq!(p.package.name, "app");
    assert_eq!(p.waivers.len(), 1, "{:?}", p.waivers);
    assert_eq!(p.waivers[0].rule, "sensitive-file");
    assert_eq!(p.waivers[0].path, ".env");
    assert_eq!(p.waivers[0].justification, "a template, no values");
    assert!(
        p.findings
            .iter()
            .any(|f| f.rule == "sensitive-file" && f.status == FindingStatus::Waived)
    );
    assert_eq!(p.coverage.flagged_files_viewed, [".env"]);
    assert_eq!(
        (p.coverage.flagged_viewed, p.coverage.flagged_total),
        (1, 1)
    );
    assert!(p.coverage.files_viewed >= 1 && p.coverage.files_total >= 3);
    drive(&mut app, 120, 30, keys("\n"));
    assert!(app.signoff.is_none(), "Enter closes the result");
}

#[test]
fn a_protected_key_asks_for_its_passphrase_and_refuses_a_wrong_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(key) = keygen(dir.path(), "id_pass", "secret phrase") else {
        return;
    };
    let pkg = Package::new(None);
    let mut app = pkg.app(Some(&key));
    let screen = drive(
        &mut app,
        100,
        30,
        keys(&format!(
            "{OPEN_ENV}S\na template, no values\napp@1.0.0\nwrong\n"
        )),
    );
    assert_eq!(step(&app), Step::Passphrase, "asked again");
    assert!(screen.contains("wrong passphrase; try again"), "{screen}");
    assert!(!pkg.out().exists());
    let screen = drive(&mut app, 100, 30, keys("secret phrase"));
    assert!(
        screen.contains("•••••••••••••") && !screen.contains("secret phrase"),
        "the passphrase is masked:\n{screen}"
    );
    drive(&mut app, 100, 30, keys("\n"));
    assert!(matches!(step(&app), Step::Done { .. }), "{:?}", step(&app));
    assert_eq!(verified(&pkg.out(), &key).len(), 1);
}

#[test]
fn a_rejection_is_signed_with_its_reason_and_needs_no_waiver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(key) = keygen(dir.path(), "id_ed25519", "") else {
        return;
    };
    let pkg = Package::new(None);
    let mut app = pkg.app(Some(&key));
    // Unread .env: an approval is refused, a rejection is not; x switches.
    drive(&mut app, 100, 30, keys("S"));
    assert!(matches!(step(&app), Step::Refused(_)));
    drive(&mut app, 100, 30, keys("xno\n"));
    assert_eq!(step(&app), Step::Reason, "too short a reason");
    drive(&mut app, 100, 30, keys(" .env must not ship\napp@1.0.0\n"));
    assert!(matches!(step(&app), Step::Done { .. }), "{:?}", step(&app));
    let s = verified(&pkg.out(), &key);
    assert_eq!(s[0].predicate.result, ReviewResult::Rejected);
    assert_eq!(
        s[0].predicate.reason.as_deref(),
        Some("no .env must not ship")
    );
    assert!(s[0].predicate.waivers.is_empty());
}

#[test]
fn without_a_key_signing_fails_and_writes_nothing() {
    let pkg = Package::new(None);
    let mut app = pkg.app(None);
    let screen = drive(
        &mut app,
        100,
        30,
        keys(&format!("{OPEN_ENV}S\na template, no values\napp@1.0.0\n")),
    );
    assert!(matches!(step(&app), Step::Failed(_)), "{:?}", step(&app));
    assert!(screen.contains("no SSH key"), "{screen}");
    assert!(!pkg.out().exists());
}

#[test]
fn without_a_reviewer_the_dialog_asks() {
    let pkg = Package::new(None);
    let mut app = pkg.app(None);
    app.signing.as_mut().expect("signing").config.reviewer = None;
    drive(
        &mut app,
        100,
        30,
        keys(&format!("{OPEN_ENV}S\na template, no values\n")),
    );
    assert_eq!(step(&app), Step::Reviewer);
    drive(&mut app, 100, 30, keys("\nbo@example.com\n"));
    assert_eq!(
        step(&app),
        Step::Confirm,
        "an empty principal is refused first"
    );
    assert_eq!(
        app.signoff.as_ref().expect("open").reviewer.as_deref(),
        Some("bo@example.com")
    );
}

/// Each dialog step at 80×24.
#[test]
fn snapshots_of_each_step() {
    let pkg = Package::new(None);
    // Nothing is signed here: a relative bundle path keeps the temporary folder off screen.
    let fresh = || {
        let mut app = pkg.app(None);
        app.signing.as_mut().expect("signing").out = "app-1.0.0.tgz.approval.intoto.jsonl".into();
        app
    };
    let shot = |app: &mut App, input: &str| drive(app, 80, 24, keys(input));
    let mut app = fresh();
    insta::assert_snapshot!("signoff_refused", shot(&mut app, "S"));
    let mut app = fresh();
    insta::assert_snapshot!("signoff_blocking", shot(&mut app, &format!("{OPEN_ENV}S")));
    insta::assert_snapshot!("signoff_waiver", shot(&mut app, "\nshort\n"));
    insta::assert_snapshot!("signoff_confirm", shot(&mut app, " but fine\napp@1"));
    app.signoff.as_mut().expect("open").step = Step::Passphrase;
    app.signoff.as_mut().expect("open").input = zeroize::Zeroizing::new("abc".into());
    insta::assert_snapshot!("signoff_passphrase", shot(&mut app, ""));
    let mut app = fresh();
    insta::assert_snapshot!("signoff_reason", shot(&mut app, "Rnot this one"));
}
