//! Signing tests against real OpenSSH: every signature we make must pass `ssh-keygen -Y verify`,
//! and every signature `ssh-keygen -Y sign` makes must pass ours.

use super::*;
use crate::approval::allowed_signers::AllowedSigners;
use crate::approval::testkit::{Agent, Kit, pae_of, statement};
use crate::approval::verify::verify_line;

const ALICE: &str = "alice@example.com";

fn now() -> crate::approval::Timestamp {
    crate::approval::Timestamp::parse("2025-06-02T00:00:00Z").expect("fixed time")
}

/// Signs a statement as `ALICE` with `signer`, then checks the line with `ssh-keygen -Y verify`
/// and with our own verifier.
fn sign_and_check_both_ways(kit: &Kit, key: &Path, signer: &Signer) {
    let signers_path = kit.allowed_signers(&format!("{ALICE} {}", Kit::public_text(key)));
    let st = statement(ALICE);
    let line = sign_statement(&st, signer).expect("signs");
    let envelope = Envelope::from_line(line.as_bytes()).expect("line is an envelope");
    let blob = envelope.signature_blob().expect("one signature");
    assert_eq!(
        envelope.pae().expect("pae"),
        pae_of(&st),
        "the envelope carries the statement's JSON bytes"
    );
    kit.ssh_keygen_verify(&signers_path, ALICE, &pae_of(&st), &blob)
        .unwrap_or_else(|e| panic!("ssh-keygen -Y verify accepts our {signer:?} signature: {e}"));
    let signers = AllowedSigners::load(&signers_path).expect("allowed_signers parses");
    let outcome = verify_line(line.as_bytes(), &signers, now()).expect("line reads");
    assert!(
        outcome.passed(),
        "our verifier accepts it: {:?}",
        outcome.failures().collect::<Vec<_>>()
    );
    assert_eq!(outcome.principal, ALICE);
}

fn key_file(path: &Path, passphrase: Option<&str>) -> Signer {
    Signer::KeyFile {
        path: path.to_path_buf(),
        passphrase: passphrase.map(|p| Passphrase::from(p.to_owned())),
    }
}

#[test]
fn key_files_round_trip_with_openssh() {
    let Some(kit) = Kit::new() else { return };
    for kind in ["ed25519", "ecdsa", "ecdsa384"] {
        let key = kit.keygen(&format!("id_{kind}"), kind, "");
        assert!(
            matches!(choose_signer(Some(&key), None), Ok(Signer::KeyFile { .. })),
            "{kind} signs in-process"
        );
        sign_and_check_both_ways(&kit, &key, &key_file(&key, None));
    }
}

#[test]
fn encrypted_key_files_ask_for_the_passphrase_then_sign() {
    let Some(kit) = Kit::new() else { return };
    for kind in ["ed25519", "ecdsa"] {
        let key = kit.keygen(&format!("id_{kind}_enc"), kind, "correct horse");
        let pae = pae_of(&statement(ALICE));
        assert!(
            matches!(
                sign_pae(&pae, &key_file(&key, None)),
                Err(SignError::PassphraseRequired { .. })
            ),
            "{kind}: an encrypted key asks for its passphrase"
        );
        assert!(
            matches!(
                sign_pae(&pae, &key_file(&key, Some("wrong"))),
                Err(SignError::WrongPassphrase { .. })
            ),
            "{kind}: a wrong passphrase is told apart"
        );
        let retry = choose_signer(Some(&key), None)
            .expect("chosen")
            .with_passphrase(Passphrase::from("correct horse".to_owned()));
        sign_and_check_both_ways(&kit, &key, &retry);
    }
}

#[test]
fn ssh_keygen_signatures_verify_with_ours() {
    let Some(kit) = Kit::new() else { return };
    for kind in ["ed25519", "ecdsa"] {
        let key = kit.keygen(&format!("id_{kind}_tool"), kind, "");
        sign_and_check_both_ways(
            &kit,
            &key,
            &Signer::SshKeygen {
                path: key.clone(),
                passphrase: None,
            },
        );
    }
}

#[test]
fn rsa_keys_go_through_ssh_keygen() {
    let Some(kit) = Kit::new() else { return };
    let key = kit.keygen("id_rsa", "rsa", "");
    let pae = pae_of(&statement(ALICE));
    assert!(
        matches!(
            sign_pae(&pae, &key_file(&key, None)),
            Err(SignError::UnsupportedKey { ref algorithm, .. }) if algorithm == "ssh-rsa"
        ),
        "RSA is not signed in-process"
    );
    let signer = choose_signer(Some(&key), None).expect("a signer is chosen");
    assert!(
        matches!(signer, Signer::SshKeygen { .. }),
        "RSA falls back to ssh-keygen: {signer:?}"
    );
    sign_and_check_both_ways(&kit, &key, &signer);
}

#[test]
fn an_encrypted_rsa_key_gets_its_passphrase_through_askpass_never_the_terminal() {
    let Some(kit) = Kit::new() else { return };
    let key = kit.keygen("id_rsa_pw", "rsa", "open sesame");
    let pae = pae_of(&statement(ALICE));
    let signer = choose_signer(Some(&key), None).expect("a signer is chosen");
    assert!(matches!(signer, Signer::SshKeygen { .. }), "{signer:?}");
    assert!(
        matches!(
            sign_pae(&pae, &signer),
            Err(SignError::PassphraseRequired { .. })
        ),
        "asked for before ssh-keygen runs, so it never prompts on the terminal"
    );
    let wrong = signer
        .clone()
        .with_passphrase(Passphrase::from("nope".to_owned()));
    assert!(
        matches!(
            sign_pae(&pae, &wrong),
            Err(SignError::WrongPassphrase { .. })
        ),
        "a wrong passphrase is told apart, so the dialog can ask again"
    );
    let right = signer.with_passphrase(Passphrase::from("open sesame".to_owned()));
    sign_and_check_both_ways(&kit, &key, &right);
}

#[test]
fn the_agent_signs_when_it_holds_the_key() {
    let Some(kit) = Kit::new() else { return };
    let key = kit.keygen("id_agent", "ed25519", "");
    let other = kit.keygen("id_other", "ecdsa", "");
    let agent = Agent::start(&kit);
    agent.add(&key);

    let signer = choose_signer(Some(&key), Some(&agent.socket)).expect("chosen");
    assert!(
        matches!(signer, Signer::Agent { key: Some(_), .. }),
        "a key the agent holds is signed by the agent: {signer:?}"
    );
    sign_and_check_both_ways(&kit, &key, &signer);
    sign_and_check_both_ways(
        &kit,
        &key,
        &Signer::Agent {
            socket: agent.socket.clone(),
            key: None,
        },
    );

    let ecdsa = kit.keygen("id_agent_ecdsa", "ecdsa", "");
    agent.add(&ecdsa);
    let signer = choose_signer(Some(&ecdsa), Some(&agent.socket)).expect("chosen");
    assert!(matches!(signer, Signer::Agent { .. }), "{signer:?}");
    sign_and_check_both_ways(&kit, &ecdsa, &signer);

    let not_held = choose_signer(Some(&other), Some(&agent.socket)).expect("chosen");
    assert!(
        matches!(not_held, Signer::KeyFile { .. }),
        "a key the agent lacks is read from its file: {not_held:?}"
    );
    let wanted = read_public_key(&other).expect("public key");
    let missing = sign_pae(
        b"x",
        &Signer::Agent {
            socket: agent.socket.clone(),
            key: Some(wanted),
        },
    );
    assert!(
        matches!(missing, Err(SignError::AgentKeyMissing { .. })),
        "asking the agent for a key it lacks is an error: {missing:?}"
    );
}

#[test]
fn a_dead_agent_is_passed_over() {
    let Some(kit) = Kit::new() else { return };
    let key = kit.keygen("id_ed", "ed25519", "");
    let signer = choose_signer(Some(&key), Some(&kit.path("no-agent.sock"))).expect("chosen");
    assert!(matches!(signer, Signer::KeyFile { .. }), "{signer:?}");
    assert!(matches!(choose_signer(None, None), Err(SignError::NoKey)));
}

#[test]
fn default_key_prefers_the_flag_then_ed25519_then_ecdsa() {
    let home = tempfile::tempdir().expect("tempdir");
    let ssh = home.path().join(".ssh");
    std::fs::create_dir(&ssh).expect("mkdir");
    assert_eq!(default_key_path(None, Some(home.path())), None);
    std::fs::write(ssh.join("id_ecdsa"), "").expect("write");
    assert_eq!(
        default_key_path(None, Some(home.path())),
        Some(ssh.join("id_ecdsa"))
    );
    std::fs::write(ssh.join("id_ed25519"), "").expect("write");
    assert_eq!(
        default_key_path(None, Some(home.path())),
        Some(ssh.join("id_ed25519"))
    );
    assert_eq!(
        default_key_path(Some(Path::new("k")), Some(home.path())),
        Some(PathBuf::from("k"))
    );
}

#[test]
fn passphrases_never_print() {
    let signer = key_file(Path::new("k"), Some("hunter2"));
    assert!(!format!("{signer:?}").contains("hunter2"));
}

#[test]
fn only_ed25519_and_ecdsa_p256_p384_sign_in_process() {
    use ssh_key::{Algorithm, EcdsaCurve};
    for (alg, want) in [
        (Algorithm::Ed25519, true),
        (
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256,
            },
            true,
        ),
        (
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP384,
            },
            true,
        ),
        (
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP521,
            },
            false,
        ),
        (Algorithm::SkEd25519, false),
        (Algorithm::SkEcdsaSha2NistP256, false),
        (Algorithm::Rsa { hash: None }, false),
    ] {
        assert_eq!(signs_in_process(&alg), want, "{alg}");
    }
}
