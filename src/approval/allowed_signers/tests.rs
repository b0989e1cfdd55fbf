//! Tests of the allowed_signers parser and lookup, against the forms `ssh-keygen(1)` documents.

use super::*;

const KEY_A: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIODlsZUsrVGd0Y3VcXrt2sAB5Wkm8N+Da9Y8ryXcQgfs";
const KEY_B: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbtQB8DJELwg8ySGYBJnEvZGH3uUZGiVr5VUrjDFI1F";
const NS: &str = "release-review@shipcheck.dev";

fn key(text: &str) -> PublicKey {
    PublicKey::from_openssh(text).expect("test key parses")
}

fn parse(text: &str) -> AllowedSigners {
    AllowedSigners::parse(text, Path::new("signers")).expect("test file parses")
}

fn line_error(text: &str) -> (usize, LineError) {
    match AllowedSigners::parse(text, Path::new("signers")) {
        Err(AllowedSignersError::Line { line, reason, .. }) => (line, reason),
        other => panic!("expected a line error for {text:?}, got {other:?}"),
    }
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("test time parses")
}

const NOON: &str = "2025-06-01T12:00:00Z";

#[test]
fn plain_lines_comments_blanks_and_quotes() {
    let file = parse(&format!(
        "# reviewers\n\n   \nalice@example.com {KEY_A} alice laptop\n\"bob smith@example.com\",carol@example.com {KEY_B}\n"
    ));
    assert_eq!(
        file.entries.len(),
        2,
        "comments and blank lines are skipped"
    );
    assert_eq!(file.entries[0].line, 4, "line numbers count every line");
    assert_eq!(file.entries[0].principals, "alice@example.com");
    assert_eq!(
        file.entries[1].principals,
        "bob smith@example.com,carol@example.com"
    );
    let found = file
        .find("bob smith@example.com", &key(KEY_B), NS, t(NOON))
        .expect("quoted principal with a space matches");
    assert_eq!(found.line, 5);
}

#[test]
fn principal_patterns_and_negation() {
    let file = parse(&format!("*@example.com,!mallory@example.com {KEY_A}\n"));
    assert!(
        file.find("alice@example.com", &key(KEY_A), NS, t(NOON))
            .is_ok()
    );
    assert_eq!(
        file.find("mallory@example.com", &key(KEY_A), NS, t(NOON)),
        Err(Refusal::OtherPrincipal {
            principals: "*@example.com,!mallory@example.com".into()
        }),
        "a negated pattern refuses the principal"
    );
    assert_eq!(
        file.find("alice@example.com", &key(KEY_B), NS, t(NOON)),
        Err(Refusal::KeyNotListed)
    );
}

#[test]
fn namespaces_option_is_a_pattern_list() {
    let file = parse(&format!(
        "alice@example.com namespaces=\"git,*@shipcheck.dev\" {KEY_A}\nbob@example.com namespaces=\"git\" {KEY_B}\n"
    ));
    assert!(
        file.find("alice@example.com", &key(KEY_A), NS, t(NOON))
            .is_ok()
    );
    assert_eq!(
        file.find("bob@example.com", &key(KEY_B), NS, t(NOON)),
        Err(Refusal::NamespaceNotAllowed {
            line: 2,
            namespace: NS.into(),
            allowed: "git".into()
        })
    );
}

#[test]
fn validity_window_is_inclusive_and_utc() {
    let file = parse(&format!(
        "alice@example.com valid-after=\"20250101\",valid-before=\"202512311200Z\" {KEY_A}\n"
    ));
    let k = key(KEY_A);
    assert!(
        file.find("alice@example.com", &k, NS, t("2025-01-01T00:00:00Z"))
            .is_ok()
    );
    assert!(
        file.find("alice@example.com", &k, NS, t("2025-12-31T12:00:00Z"))
            .is_ok()
    );
    assert_eq!(
        file.find("alice@example.com", &k, NS, t("2024-12-31T23:59:59Z")),
        Err(Refusal::NotYetValid {
            line: 1,
            valid_after: t("2025-01-01T00:00:00Z"),
            at: t("2024-12-31T23:59:59Z")
        })
    );
    assert!(matches!(
        file.find("alice@example.com", &k, NS, t("2025-12-31T12:00:01Z")),
        Err(Refusal::Expired { line: 1, .. })
    ));
    let seconds = parse(&format!("a valid-after=\"20250102030405UTC\" {KEY_A}\n"));
    assert_eq!(
        seconds.entries[0].valid_after,
        Some(t("2025-01-02T03:04:05Z"))
    );
}

#[test]
fn a_later_line_can_authorise_what_an_earlier_one_refuses() {
    let file = parse(&format!(
        "alice@example.com valid-before=\"20200101Z\" {KEY_A}\nalice@example.com {KEY_A}\n"
    ));
    let found = file
        .find("alice@example.com", &key(KEY_A), NS, t(NOON))
        .expect("second line authorises");
    assert_eq!(found.line, 2);
}

#[test]
fn cert_authority_lines_never_authorise() {
    let file = parse(&format!("*@example.com cert-authority {KEY_A}\n"));
    assert!(file.entries[0].cert_authority);
    let refusal = file
        .find("alice@example.com", &key(KEY_A), NS, t(NOON))
        .expect_err("cert-authority is refused");
    assert_eq!(refusal, Refusal::CertAuthorityUnsupported { line: 1 });
    assert!(refusal.to_string().contains("not supported"), "{refusal}");
}

#[test]
fn malformed_lines_name_file_and_line() {
    let cases: Vec<(String, usize, LineError)> = vec![
        (
            "# ok\nalice@example.com\n".to_owned(),
            2,
            LineError::MissingKey,
        ),
        (
            "alice@example.com namespaces=\"git\"\n".to_owned(),
            1,
            LineError::MissingKey,
        ),
        (
            "alice@example.com ssh-ed25519 AAAAnotbase64!\n".to_owned(),
            1,
            LineError::InvalidKey(String::new()),
        ),
        (
            format!("alice@example.com frobnicate {KEY_A}\n"),
            1,
            LineError::UnknownOption("frobnicate".into()),
        ),
        (
            format!("alice@example.com namespaces=git {KEY_A}\n"),
            1,
            LineError::UnquotedValue("namespaces"),
        ),
        (
            format!("\"alice@example.com {KEY_A}\n"),
            1,
            LineError::UnterminatedQuote,
        ),
        (
            format!("a valid-after=\"2025-01-01\" {KEY_A}\n"),
            1,
            LineError::BadTime {
                option: "valid-after",
                value: "2025-01-01".into(),
            },
        ),
        (
            format!("a valid-before=\"20251301\" {KEY_A}\n"),
            1,
            LineError::BadTime {
                option: "valid-before",
                value: "20251301".into(),
            },
        ),
        (
            format!("a valid-after=\"20250101\",valid-before=\"20240101\" {KEY_A}\n"),
            1,
            LineError::EmptyValidity,
        ),
        (
            format!("a namespaces=\"x\",namespaces=\"y\" {KEY_A}\n"),
            1,
            LineError::DuplicateOption("namespaces"),
        ),
    ];
    for (text, want_line, want) in cases {
        let (line, reason) = line_error(&text);
        assert_eq!(line, want_line, "line number for {text:?}");
        match (&reason, &want) {
            (LineError::InvalidKey(_), LineError::InvalidKey(_)) => {}
            _ => assert_eq!(reason, want, "reason for {text:?}"),
        }
    }
    let err = AllowedSigners::parse("\n\nnobody\n", Path::new("team/allowed_signers"))
        .expect_err("missing key");
    assert_eq!(
        err.to_string(),
        "team/allowed_signers:3: missing public key"
    );
}
