//! `verify` and `publish` through the real binary: a valid approval passes, every row of the
//! tamper matrix is refused with its reason, and `publish` runs its command only after a
//! passing verify, on a private copy of the approved bytes.

mod common;

use std::path::PathBuf;
use std::process::Output;

use base64::Engine as _;
use common::gate::{
    Key, allowed_signers, approve, have_ssh_keygen, keygen, sign, statement_for, write_bundle,
};
use common::{fixtures, shipcheck_in, stderr, stdout};
use shipcheck::approval::{ReviewResult, Timestamp};

const ANA: &str = "ana@example.com";
const BOB: &str = "bob@example.com";

/// A workspace: an npm tarball with one high finding (a `.env`), two reviewers' keys, and an
/// allowed_signers file listing both.
struct World {
    dir: tempfile::TempDir,
    artifact: PathBuf,
    ana: Key,
    bob: Key,
    signers: PathBuf,
}

fn package(version: &str) -> Vec<u8> {
    let pkg = format!(r#"{{"name":"gated","version":"{version}","files":["index.js",".env"]}}"#);
    fixtures::tgz(&[
        (b"package.json", pkg.as_bytes()),
        (b"index.js", b"module.exports = 1;\n"),
        (b".env", b"MODE=production\n"),
    ])
}

fn world() -> Option<World> {
    if !have_ssh_keygen() {
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let artifact = dir.path().join("gated-1.0.0.tgz");
    std::fs::write(&artifact, package("1.0.0")).expect("write artifact");
    let ana = keygen(dir.path(), "ana");
    let bob = keygen(dir.path(), "bob");
    let signers = allowed_signers(dir.path(), &[(ANA, "", &ana), (BOB, "", &bob)]);
    Some(World {
        dir,
        artifact,
        ana,
        bob,
        signers,
    })
}

impl World {
    fn bundle(&self) -> PathBuf {
        self.dir.path().join("bundle.jsonl")
    }

    fn verify(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "verify".to_owned(),
            self.artifact.display().to_string(),
            "--approval".into(),
            self.bundle().display().to_string(),
            "--allowed-signers".into(),
            self.signers.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        shipcheck_in(self.dir.path())
            .args(&args)
            .output()
            .expect("runs")
    }
}

/// Asserts exit 1 and that the output names `reason`.
fn refused(o: &Output, reason: &str, row: &str) {
    let text = stdout(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{row}: refused (exit 1)\n{text}\n{}",
        stderr(o)
    );
    assert!(
        text.contains(reason),
        "{row}: the refusal says {reason:?}:\n{text}"
    );
    assert!(
        text.contains("refused: these bytes may not be published"),
        "{text}"
    );
}

#[test]
fn a_valid_approval_verifies_and_prints_its_tables() {
    let Some(w) = world() else { return };
    write_bundle(&w.bundle(), &[approve(&w.artifact, &w.ana, ANA)]);
    let o = w.verify(&[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}\n{}", stderr(&o));
    assert!(text.contains("gated@1.0.0"), "{text}");
    assert!(text.contains(&format!("✔ line 1  {ANA}")), "{text}");
    assert!(text.contains("✔ subject"), "{text}");
    assert!(text.contains("✔ findings"), "{text}");
    assert!(
        text.contains("approvers: 1 distinct of 1 required"),
        "{text}"
    );
    assert!(
        text.contains("verified: these bytes were approved"),
        "{text}"
    );

    let o = w.verify(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["verified"], true);
    assert_eq!(v["approvers"], 1);
    assert_eq!(v["lines"][0]["principal"], ANA);
}

#[test]
fn the_default_bundle_is_beside_the_artifact() {
    let Some(w) = world() else { return };
    let beside = w.dir.path().join("gated-1.0.0.tgz.approval.intoto.jsonl");
    write_bundle(&beside, &[approve(&w.artifact, &w.ana, ANA)]);
    let o = shipcheck_in(w.dir.path())
        .args(["verify", "gated-1.0.0.tgz", "--allowed-signers"])
        .arg(&w.signers)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn two_distinct_approvers_meet_min_approvers_and_the_same_one_twice_does_not() {
    let Some(w) = world() else { return };
    let a1 = approve(&w.artifact, &w.ana, ANA);
    let a2 = approve(&w.artifact, &w.ana, ANA);
    write_bundle(&w.bundle(), &[a1.clone(), a2]);
    refused(
        &w.verify(&["--min-approvers", "2"]),
        "1 distinct approver of 2 required",
        "the same approver twice",
    );
    write_bundle(&w.bundle(), &[a1, approve(&w.artifact, &w.bob, BOB)]);
    let o = w.verify(&["--min-approvers", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    refused(
        &w.verify(&["--min-approvers", "2", "--forbid-approver", BOB]),
        "may not approve this release",
        "a forbidden approver",
    );
}

#[test]
fn the_tamper_matrix_is_refused_row_by_row() {
    let Some(w) = world() else { return };
    let good = approve(&w.artifact, &w.ana, ANA);

    // One byte of the artifact changed: the gzip header's timestamp, which every reader
    // ignores, so the contents are the same and only the bytes differ.
    let mut bytes = std::fs::read(&w.artifact).expect("read");
    bytes[4] ^= 1;
    let changed = w.dir.path().join("changed.tgz");
    std::fs::write(&changed, &bytes).expect("write");
    write_bundle(&w.bundle(), std::slice::from_ref(&good));
    let o = shipcheck_in(w.dir.path())
        .args(["verify"])
        .arg(&changed)
        .arg("--approval")
        .arg(w.bundle())
        .arg("--allowed-signers")
        .arg(&w.signers)
        .output()
        .expect("runs");
    refused(&o, "not these bytes", "one byte of the artifact changed");

    // The payload edited (another reviewer written in, signature kept).
    let mut env: serde_json::Value = serde_json::from_str(&good).expect("an envelope");
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64
        .decode(env["payload"].as_str().expect("payload"))
        .expect("base64");
    let edited = String::from_utf8(payload)
        .expect("utf-8")
        .replace("\"approved\"", "\"approved\" ");
    env["payload"] = b64.encode(edited).into();
    write_bundle(&w.bundle(), &[env.to_string()]);
    refused(&w.verify(&[]), "signature", "the payload edited");

    // The signature swapped between two lines.
    let other = approve(&w.artifact, &w.bob, BOB);
    let mut e1: serde_json::Value = serde_json::from_str(&good).expect("envelope");
    let e2: serde_json::Value = serde_json::from_str(&other).expect("envelope");
    e1["signatures"] = e2["signatures"].clone();
    write_bundle(&w.bundle(), &[e1.to_string()]);
    refused(&w.verify(&[]), "signature", "a signature from another line");

    // A key that is not listed.
    let eve = keygen(w.dir.path(), "eve");
    write_bundle(&w.bundle(), &[approve(&w.artifact, &eve, ANA)]);
    refused(&w.verify(&[]), "allowed-signer", "a key not listed");

    // The right key under another principal.
    write_bundle(&w.bundle(), &[approve(&w.artifact, &w.bob, ANA)]);
    refused(
        &w.verify(&[]),
        "allowed-signer",
        "bob's key claiming to be ana",
    );

    // A wrong namespace: ssh-keygen signs the same PAE for git.
    let s = statement_for(&w.artifact, ANA, ReviewResult::Approved, |_| {});
    let payload = serde_json::to_vec(&s).expect("json");
    let pae = shipcheck::approval::pae(shipcheck::approval::PAYLOAD_TYPE, &payload);
    let pae_file = w.dir.path().join("pae");
    std::fs::write(&pae_file, &pae).expect("write");
    let out = std::process::Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "git", "-f"])
        .arg(&w.ana.path)
        .arg(&pae_file)
        .output()
        .expect("ssh-keygen -Y sign");
    assert!(out.status.success(), "{out:?}");
    let armored = std::fs::read_to_string(w.dir.path().join("pae.sig")).expect("sig");
    let blob = shipcheck::approval::sshsig::dearmor(&armored).expect("armor");
    let line = shipcheck::approval::Envelope::new(&payload, &blob).to_line();
    write_bundle(&w.bundle(), &[line]);
    refused(&w.verify(&[]), "namespace", "a signature made for git");

    // Expired.
    let s = statement_for(&w.artifact, ANA, ReviewResult::Approved, |s| {
        s.predicate.reviewed_at = Timestamp(Timestamp::now().0 - 40 * 86_400);
        s.predicate.expires_at = Timestamp(Timestamp::now().0 - 10 * 86_400);
    });
    write_bundle(&w.bundle(), &[sign(&s, &w.ana)]);
    refused(&w.verify(&[]), "expired at", "an expired approval");

    // Outside the key's validity window.
    let window = allowed_signers(
        w.dir.path(),
        &[
            (ANA, "valid-before=\"20200101\"", &w.ana),
            (BOB, "", &w.bob),
        ],
    );
    write_bundle(&w.bundle(), std::slice::from_ref(&good));
    let o = shipcheck_in(w.dir.path())
        .args(["verify"])
        .arg(&w.artifact)
        .arg("--approval")
        .arg(w.bundle())
        .arg("--allowed-signers")
        .arg(&window)
        .output()
        .expect("runs");
    refused(&o, "allowed-signer", "a key past its valid-before");
    allowed_signers(w.dir.path(), &[(ANA, "", &w.ana), (BOB, "", &w.bob)]);

    // An approval for another version of the same package.
    let other_version = w.dir.path().join("gated-1.0.1.tgz");
    std::fs::write(&other_version, package("1.0.1")).expect("write");
    write_bundle(&w.bundle(), &[approve(&other_version, &w.ana, ANA)]);
    refused(
        &w.verify(&[]),
        "gated-1.0.1.tgz",
        "an approval of 1.0.1 for 1.0.0",
    );

    // A blocking finding the approval did not see (a rule added since, another policy).
    let s = statement_for(&w.artifact, ANA, ReviewResult::Approved, |s| {
        s.predicate.findings.clear();
        s.predicate.waivers.clear();
    });
    write_bundle(&w.bundle(), &[sign(&s, &w.ana)]);
    refused(
        &w.verify(&[]),
        "blocking finding the approval did not see: high sensitive-file at .env",
        "a finding nobody waived",
    );

    // A rejection refuses even beside a valid approval.
    let rejection = statement_for(&w.artifact, BOB, ReviewResult::Rejected, |_| {});
    write_bundle(&w.bundle(), &[good.clone(), sign(&rejection, &w.bob)]);
    refused(
        &w.verify(&[]),
        "rejected this release: ships a .env file",
        "a rejection",
    );

    // A truncated or non-JSON line: a clear error, and the other lines still count.
    write_bundle(
        &w.bundle(),
        &[
            good[..good.len() / 2].to_owned(),
            "not json".into(),
            good.clone(),
        ],
    );
    let o = w.verify(&[]);
    let text = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the valid line still verifies:\n{text}"
    );
    assert!(text.contains("✘ line 1"), "{text}");
    assert!(
        text.contains("✘ readable"),
        "the broken lines say why:\n{text}"
    );
    assert!(text.contains("✔ line 3"), "{text}");
    refused(
        &w.verify(&["--min-approvers", "2"]),
        "line 2: readable",
        "broken lines do not count",
    );
}

#[test]
fn a_policy_in_force_must_be_the_one_reviewed_under() {
    let Some(w) = world() else { return };
    write_bundle(&w.bundle(), &[approve(&w.artifact, &w.ana, ANA)]);
    let policy = w.dir.path().join("strict.toml");
    std::fs::write(&policy, "fail_on = \"medium\"\n").expect("write");
    let o = w.verify(&["--policy", policy.to_str().expect("utf-8")]);
    refused(&o, "reviewed without a policy file", "another policy");
}

#[test]
fn verify_of_a_directory_or_without_signers_is_an_error() {
    let Some(w) = world() else { return };
    let o = shipcheck_in(w.dir.path())
        .args(["verify", ".", "--allowed-signers"])
        .arg(&w.signers)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("never a directory"), "{}", stderr(&o));
    let o = shipcheck_in(w.dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["verify", "gated-1.0.0.tgz"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no allowed_signers file"),
        "{}",
        stderr(&o)
    );
}

fn publish(w: &World, extra: &[&str]) -> Output {
    shipcheck_in(w.dir.path())
        .args(["publish", "gated-1.0.0.tgz", "--allowed-signers"])
        .arg(&w.signers)
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn publish_runs_the_command_on_the_verified_copy_only_after_verify_passes() {
    let Some(w) = world() else { return };
    let beside = w.dir.path().join("gated-1.0.0.tgz.approval.intoto.jsonl");
    let out = w.dir.path().join("published.tgz");
    let cmd = [
        "--",
        "sh",
        "-c",
        "cp \"$SHIPCHECK_ARTIFACT\" published.tgz && test \"$1\" = \"$SHIPCHECK_ARTIFACT\"",
        "sh",
        "{}",
    ];
    // No approval yet: refused before anything runs.
    write_bundle(&beside, &[]);
    let o = publish(&w, &cmd);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(!out.exists(), "the command never ran");

    write_bundle(&beside, &[approve(&w.artifact, &w.ana, ANA)]);
    let o = publish(&w, &cmd);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        std::fs::read(&out).expect("the command ran"),
        std::fs::read(&w.artifact).expect("read"),
        "it was handed the approved bytes"
    );
    assert!(
        !stderr(&o).contains(&w.artifact.display().to_string()),
        "the command got the private copy, not the original: {}",
        stderr(&o)
    );

    let o = publish(&w, &["--", "sh", "-c", "exit 7"]);
    assert_eq!(
        o.status.code(),
        Some(7),
        "the command's exit code is passed on"
    );

    let o = publish(&w, &["--dry-run", "--otp", "123456"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(said.contains("would run npm publish "), "{said}");
    assert!(said.contains("gated-1.0.0.tgz --otp"), "{said}");
    assert!(!said.contains("123456"), "the otp is not echoed: {said}");
}

#[test]
fn publish_needs_a_file_not_a_directory() {
    let Some(w) = world() else { return };
    let o = shipcheck_in(w.dir.path())
        .args(["publish", ".", "--allowed-signers"])
        .arg(&w.signers)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("never a directory"), "{}", stderr(&o));
}

#[test]
fn a_crate_is_published_only_when_cargo_package_makes_the_approved_bytes() {
    let Some(w) = world() else { return };
    let krate = w.dir.path().join("tiny");
    std::fs::create_dir_all(krate.join("src")).expect("mkdir");
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"tiny-gated\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"t\"\nlicense = \"MIT\"\n\n[workspace]\n",
    )
    .expect("write");
    std::fs::write(krate.join("src/lib.rs"), "pub fn f() -> u8 { 1 }\n").expect("write");
    let target = w.dir.path().join("target");
    let o = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "--offline",
            "--quiet",
            "--target-dir",
        ])
        .arg(&target)
        .current_dir(&krate)
        .output()
        .expect("cargo runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let packed = target.join("package/tiny-gated-0.1.0.crate");
    let approved = w.dir.path().join("tiny-gated-0.1.0.crate");
    std::fs::copy(&packed, &approved).expect("copy");
    write_bundle(
        &w.dir
            .path()
            .join("tiny-gated-0.1.0.crate.approval.intoto.jsonl"),
        &[approve(&approved, &w.ana, ANA)],
    );
    let publish = || {
        shipcheck_in(&krate)
            .args(["publish", "--dry-run", "--allowed-signers"])
            .arg(&w.signers)
            .arg(&approved)
            .output()
            .expect("runs")
    };
    let o = publish();
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("makes the approved bytes")
            && stderr(&o).contains("would run cargo publish"),
        "{}",
        stderr(&o)
    );
    // The source changed after the review: cargo would publish bytes nobody approved.
    std::fs::write(krate.join("src/lib.rs"), "pub fn f() -> u8 { 2 }\n").expect("write");
    let o = publish();
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("made other bytes than the approved .crate"),
        "{}",
        stderr(&o)
    );
}
