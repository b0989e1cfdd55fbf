//! Findings on screen with the real rules on the committed leaky demo: every secret is masked
//! wherever the reviewer goes, `r` reveals only the one in view, and the policy applies as in
//! `check`.

use crate::artifact::Limits;

use super::{drive, keys};

/// The demo's secrets (see `examples/make_demo.rs`) and the bytes of each left visible: what
/// the finding's own message shows (`ghp_R8…`, `hu…`).
const SECRETS: [(&str, usize); 3] = [
    ("ghp_R8x2Lq9Vt4Wm7Zc1Nb6Jd3Hs5Kf0Gy2Pa8Qe", 6),
    ("sk_live_51Hx7Lq2Vt9Wm4Zc8Nb1Jd6Hs3Kf", 8),
    ("hunter2-prod", 2),
];

fn demo_app() -> super::super::App {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo");
    let mut app = super::load(
        &format!("{dir}/demo-leaky-1.1.0.tgz"),
        Some(&format!("{dir}/demo-clean-1.0.0.tgz")),
    );
    app.color = false;
    app
}

/// The part of a secret that must never be drawn while masked.
fn hidden(secret: &str, keep: usize) -> &str {
    &secret[keep..]
}

#[test]
fn no_secret_is_ever_drawn_unrevealed() {
    let mut app = demo_app();
    let secret_findings = app
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("secret-"))
        .count();
    assert_eq!(
        secret_findings, 3,
        "the rules find the token, the Stripe key and the database password"
    );
    let mut previewed = 0;
    for step in 0..app.findings.len() {
        for (w, h) in [(80, 24), (140, 40)] {
            let screen = drive(&mut app, w, h, keys(if w == 80 { "n" } else { "" }));
            for (secret, keep) in SECRETS {
                assert!(
                    !screen.contains(hidden(secret, keep)),
                    "step {step} at {w}×{h}: {secret} is drawn unmasked:\n{screen}"
                );
            }
        }
        let f = &app.findings[app.finding_selected];
        if f.rule.starts_with("secret-") {
            previewed += 1;
            let doc = app.preview.as_ref().expect("a secret opens its file");
            assert_eq!(
                doc.focus.map(|l| l + 1),
                f.location.line.map(|l| l as usize),
                "{}: the preview marks the finding's line",
                f.rule
            );
            assert_eq!(
                doc.masks.iter().filter(|m| m.exact).count(),
                doc.masks.len(),
                "{}: every mask knows the secret's exact extent",
                f.rule
            );
        }
    }
    assert_eq!(previewed, 3, "n visits every secret finding");
}

#[test]
fn each_secret_is_masked_exactly_after_its_shown_prefix() {
    let mut app = demo_app();
    let screen = drive(&mut app, 160, 30, keys("/.env\n\n"));
    assert!(
        screen.contains("postgres://admin:hu**********@db.internal.example:5432/app"),
        "only the password is masked, after the two bytes the finding shows:\n{screen}"
    );
    assert!(
        screen.contains("STRIPE_SECRET_KEY=sk_live_****************************"),
        "the Stripe key is masked after `sk_live_`, to its end:\n{screen}"
    );
}

#[test]
fn reveal_shows_only_the_secret_in_view() {
    let mut app = demo_app();
    let stripe = app
        .findings
        .iter()
        .position(|f| f.rule == "secret-stripe-secret-key")
        .expect("the demo's Stripe key is found");
    app.focus = super::super::app::Pane::Findings;
    app.finding_selected = stripe;
    let screen = drive(&mut app, 120, 30, keys("\nr"));
    assert!(
        screen.contains(SECRETS[1].0),
        "r reveals the Stripe key the finding points at:\n{screen}"
    );
    assert!(
        !screen.contains(hidden(SECRETS[2].0, SECRETS[2].1)),
        "the password on the line above stays masked:\n{screen}"
    );
    let screen = drive(&mut app, 120, 30, keys("r"));
    assert!(
        !screen.contains(hidden(SECRETS[1].0, SECRETS[1].1)),
        "r again masks it:\n{screen}"
    );
}

#[test]
fn the_policy_beside_the_artifact_applies_as_in_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/demo-leaky-1.1.0.tgz"
    );
    let artifact = dir.path().join("demo-leaky-1.1.0.tgz");
    std::fs::copy(demo, &artifact).expect("copy the demo");
    std::fs::write(
        dir.path().join("shipcheck.toml"),
        "[[allow]]\npath = \".env\"\nrule = \"sensitive-file\"\nreason = \"a template, checked by hand\"\n",
    )
    .expect("write the policy");
    let spec = artifact.to_str().expect("utf-8 temp path");
    let mut app = super::load(spec, None);
    let args = crate::inputs::InputArgs {
        artifact: spec.to_owned(),
        ..Default::default()
    };
    let inputs =
        crate::inputs::Inputs::prepare(&args, Limits::default(), crate::inputs::Contents::Stream)
            .expect("the inputs are read");
    let report = inputs.report(
        inputs
            .scan(&std::sync::atomic::AtomicU64::new(0))
            .expect("check runs"),
    );
    let ids = |v: &[crate::rules::Finding]| {
        let mut v: Vec<_> = v
            .iter()
            .map(|f| (f.rule.clone(), f.location.to_string(), f.allowed.is_some()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        ids(&app.findings),
        ids(&report.findings),
        "review and check report the same findings under the same policy"
    );
    let k = app
        .findings
        .iter()
        .position(|f| f.allowed.is_some())
        .expect("the policy allows one finding");
    app.focus = super::super::app::Pane::Findings;
    app.finding_selected = k;
    let screen = drive(&mut app, 120, 30, vec![]);
    assert!(
        screen.contains("allowed by policy: a template, checked by hand"),
        "the allowed finding says so, with its reason:\n{screen}"
    );
    assert!(
        screen.contains("1 allowed"),
        "the header counts it apart:\n{screen}"
    );
}

/// Lines of a key body: 64 base64 characters each, every line different.
fn key_body(lines: usize) -> Vec<String> {
    (0..lines)
        .map(|i| {
            let seed = "Q7fZ2kP9wX4mL8rT1vB6nJ3cH5yD0sGaMuEoIi+R/tWqNxVbYcZe";
            seed.chars().cycle().skip(i * 7).take(64).collect()
        })
        .collect()
}

/// The review screen of a package holding `files`, with the real rules' findings.
fn package_app(files: &[(&[u8], &[u8])]) -> super::super::App {
    let a = super::open(&super::fixtures::tgz(files), "keys-1.0.0.tgz");
    let findings = crate::rules::evaluate(&a, None);
    let mut app = super::super::App::new(a, None, findings);
    app.color = false;
    app
}

/// No line of the body may show more than the few bytes a mask keeps.
fn assert_body_hidden(screen: &str, body: &[String], what: &str) {
    for (i, l) in body.iter().enumerate() {
        assert!(
            !screen.contains(&l[8..24]),
            "{what}: body line {} is drawn in clear:\n{screen}",
            i + 1
        );
    }
}

#[test]
fn a_private_key_is_masked_on_every_line_it_spans() {
    let body = key_body(8);
    for (name, kind) in [
        ("ca-private.key", "RSA PRIVATE KEY"),
        ("id_ed25519", "OPENSSH PRIVATE KEY"),
        ("signing.asc", "PGP PRIVATE KEY BLOCK"),
    ] {
        let pem = format!(
            "-----BEGIN {kind}-----\n{}\n-----END {kind}-----\n",
            body.join("\n")
        );
        let mut app = package_app(&[
            (b"package.json", br#"{"name":"keys","version":"1.0.0"}"#),
            (name.as_bytes(), pem.as_bytes()),
        ]);
        assert!(
            app.findings.iter().any(|f| f.rule == "secret-private-key"),
            "{name}: the rules find the key"
        );
        let open = format!("/{name}\n\n");
        for (w, h) in [(80, 24), (160, 45)] {
            let screen = drive(&mut app, w, h, keys(if w == 80 { &open } else { "" }));
            assert!(
                screen.contains("secrets masked"),
                "{name} at {w}×{h}: the title says the secret is masked:\n{screen}"
            );
            assert_body_hidden(&screen, &body, &format!("{name} at {w}×{h}"));
            assert!(
                screen.contains(&format!("-----END {kind}-----")),
                "{name}: the END line is not part of the secret:\n{screen}"
            );
            if name == "ca-private.key" {
                let key = if w == 80 {
                    "pem_masked_80x24"
                } else {
                    "pem_masked_160x45"
                };
                insta::assert_snapshot!(key, screen);
            }
        }
        let screen = drive(&mut app, 160, 45, keys("r"));
        assert!(
            body.iter().all(|l| screen.contains(l.as_str())),
            "{name}: r reveals every line of the key:\n{screen}"
        );
        let screen = drive(&mut app, 160, 45, keys("r"));
        assert_body_hidden(&screen, &body, &format!("{name}, masked again"));
        let screen = drive(&mut app, 160, 45, keys("x"));
        let starred = screen
            .lines()
            .filter(|l| l.contains(&"** ".repeat(15)) && l.contains(&"*".repeat(16)))
            .count();
        // The pane shows 30 rows of 16 bytes: every one after the first three is body, hidden.
        assert!(
            starred >= 27,
            "{name}: the hex view hides the body on every row ({starred} hidden rows):\n{screen}"
        );
        assert_body_hidden(&screen, &body, &format!("{name} in hex"));
    }
}

#[test]
fn a_service_account_s_escaped_key_is_masked_on_its_one_line() {
    let body = key_body(6);
    let json = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"p\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"a@p.iam.gserviceaccount.com\"\n}}\n",
        "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012a3b",
        body.join("\\n")
    );
    let mut app = package_app(&[
        (b"package.json", br#"{"name":"keys","version":"1.0.0"}"#),
        (b"svc.json", json.as_bytes()),
    ]);
    let rules: Vec<&str> = app.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains(&"secret-private-key") && rules.contains(&"secret-gcp-service-account"),
        "the key and the key id are found: {rules:?}"
    );
    let screen = drive(&mut app, 160, 45, keys("/svc\n\n"));
    assert_body_hidden(&screen, &body, "service account");
    assert!(
        !screen.contains("7d4e5f60718293a4b5c6"),
        "the key id, lines below `service_account`, is masked:\n{screen}"
    );
}

#[test]
fn a_secret_whose_value_is_on_the_next_line_is_masked_there() {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7fZ2kP9w";
    let cfg = format!("module.exports = {{\n  aws_secret_access_key:\n    '{secret}',\n}};\n");
    let mut app = package_app(&[
        (b"package.json", br#"{"name":"keys","version":"1.0.0"}"#),
        (b"config.js", cfg.as_bytes()),
    ]);
    let rules: Vec<&str> = app.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains(&"secret-aws-secret-access-key"),
        "the rules find the key across the line break: {rules:?}"
    );
    let screen = drive(&mut app, 80, 24, keys("/config\n\n"));
    assert!(
        !screen.contains(&secret[4..]),
        "the value on the line below the finding's is masked:\n{screen}"
    );
    let screen = drive(&mut app, 160, 45, keys("r"));
    assert!(screen.contains(secret), "r reveals it:\n{screen}");
}
