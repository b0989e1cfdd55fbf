//! Positive and negative cases for the secret formats. Tokens are assembled at run time so
//! this file never holds one verbatim.

use super::*;
use crate::detect::secrets::formats::FORMATS;
use crate::rules::Policy;

mod context;
mod pairs;
mod samples;
mod scan;

/// A deterministic, high-entropy filler of `n` characters from `alphabet`.
fn rand(n: usize, alphabet: &str) -> String {
    let a: Vec<char> = alphabet.chars().collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            a[(x % a.len() as u64) as usize]
        })
        .collect()
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &str = "0123456789abcdef";
const B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn ids(hay: &str) -> Vec<&'static str> {
    find(hay.as_bytes())
        .iter()
        .map(|h| h.format.rule.id)
        .collect()
}

fn scan(path: &str, hay: &str) -> Vec<Finding> {
    let policy = Policy::default();
    let ctx = FileCtx {
        entry: Some(3),
        path,
        inner: None,
        policy: &policy,
    };
    let mut out = Vec::new();
    report(&ctx, hay.as_bytes(), &mut out);
    out
}

#[test]
fn positives_one_per_format_family() {
    let cases = [
        (
            format!("k = \"{}{}\"", "AKIA", rand(16, B32)),
            "secret-aws-access-key-id",
        ),
        (
            format!("aws_secret_access_key = {}", rand(40, ALNUM)),
            "secret-aws-secret-access-key",
        ),
        (
            format!("{}{}", "ghp_", rand(36, ALNUM)),
            "secret-github-pat",
        ),
        (
            format!("{}{}_{}", "github_pat_", rand(22, ALNUM), rand(59, ALNUM)),
            "secret-github-fine-grained-pat",
        ),
        (
            format!("{}{}", "glpat-", rand(20, ALNUM)),
            "secret-gitlab-pat",
        ),
        (format!("{}{}", "npm_", rand(36, ALNUM)), "secret-npm-token"),
        (
            format!("//registry.npmjs.org/:_authToken={}", rand(36, HEX)),
            "secret-npmrc-auth",
        ),
        (
            format!("{}{}", "pypi-AgEIcHlwaS5vcmc", rand(60, ALNUM)),
            "secret-pypi-token",
        ),
        (
            format!("{}{}", "cio", rand(32, ALNUM)),
            "secret-cargo-token",
        ),
        (
            format!("{}{}-{}", "xoxb-", rand(12, "0123456789"), rand(24, ALNUM)),
            "secret-slack-token",
        ),
        (
            format!("{}{}", "sk_live_", rand(24, ALNUM)),
            "secret-stripe-secret-key",
        ),
        (
            format!("{}.{}.{}", "SG", rand(22, ALNUM), rand(43, ALNUM)),
            "secret-sendgrid-api-key",
        ),
        (
            format!("{}{}", "sk-ant-api03-", rand(95, ALNUM)),
            "secret-anthropic-api-key",
        ),
        (
            format!("{}{}", "sk-proj-", rand(120, ALNUM)),
            "secret-openai-api-key",
        ),
        (
            format!(
                "{}{}",
                "hf_",
                rand(34, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ")
            ),
            "secret-huggingface-token",
        ),
        (
            format!("{}{}", "AIza", rand(35, ALNUM)),
            "secret-gcp-api-key",
        ),
        (
            format!("{}{}", "SK", rand(32, HEX)),
            "secret-twilio-api-key",
        ),
        (
            format!("postgres://app:{}@db.prod.internal:5432/x", rand(16, ALNUM)),
            "secret-database-url",
        ),
        (
            format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n", rand(64, ALNUM)),
            "secret-private-key",
        ),
        (
            format!("\"-----BEGIN PRIVATE KEY-----\\n{}\\n\"", rand(64, ALNUM)),
            "secret-private-key",
        ),
        (
            format!("AccountKey={}==;", rand(86, ALNUM)),
            "secret-azure-storage-key",
        ),
        (
            format!("{}{}", "dop_v1_", rand(64, HEX)),
            "secret-digitalocean-token",
        ),
        (
            format!("bot{}:AA{}", "123456789", rand(33, ALNUM)),
            "secret-telegram-bot-token",
        ),
    ];
    for (hay, id) in &cases {
        assert_eq!(ids(hay), [*id], "in {hay}");
    }
}

#[test]
fn jwt_needs_a_decodable_payload_and_a_signature() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let token = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(r#"{"sub":"1234567890","admin":true}"#),
        rand(43, ALNUM)
    );
    let out = scan("dist/app.js", &format!("const t = '{token}';"));
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].rule.as_str(), out[0].severity),
        ("secret-jwt", Severity::High)
    );
    let unsigned = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64(r#"{"sub":"1"}"#));
    assert!(
        scan("a.js", &unsigned).is_empty(),
        "no signature, no finding"
    );
}

#[test]
fn placeholders_and_examples_stay_info() {
    for hay in [
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
        "postgres://user:password@localhost:5432/db",
        "mongodb://admin:<your-password>@cluster0.example.net/",
        "sk_live_000000000000000000000000",
        "mongodb+srv://root:randompassword@cluster0.ab1cd.mongodb.net/mydb",
    ] {
        let out = scan("README.md", hay);
        assert!(
            out.iter().all(|f| f.severity == Severity::Info),
            "{hay} → {out:?}"
        );
    }
}

#[test]
fn near_misses_are_not_secrets() {
    let long = format!("{}{}", "ghp_", rand(40, ALNUM));
    assert!(
        ids(&long).is_empty(),
        "a token glued to more characters is not the token"
    );
    assert!(ids(&format!("var task{}", rand(40, ALNUM))).is_empty());
    assert!(ids("function desk-top(){} // sk- in prose").is_empty());
    assert!(
        ids(&format!("x{}{}", "AKIA", rand(16, B32))).is_empty(),
        "glued on the left"
    );
    assert!(ids("https://user@github.com/a/b").is_empty());
    assert!(
        ids("    this._authToken = _authTokenProviderInstance;").is_empty(),
        "code assigning a field named _authToken is not npmrc syntax (firebase)"
    );
}

#[test]
fn findings_mask_the_value_and_locate_it() {
    let token = format!("{}{}", "ghp_", rand(36, ALNUM));
    let out = scan(
        "lib/config.js",
        &format!("a\nb\n  const t = \"{token}\";\n"),
    );
    assert_eq!(out.len(), 1);
    let f = &out[0];
    assert_eq!((f.location.line, f.location.column), (Some(3), Some(14)));
    assert_eq!(f.severity, Severity::Critical);
    let json = serde_json::to_string(f).expect("serialises");
    assert!(
        !json.contains(&token),
        "the full value never appears: {json}"
    );
    assert!(
        !json.contains(&token[..12]),
        "not even a long prefix: {json}"
    );
    assert_eq!(f.evidence["length"], 40);
}

#[test]
fn documentation_examples_are_info() {
    let token = format!("{}{}", "ghp_", rand(36, ALNUM));
    let out = scan("apis/sso-oidc-2019-06-10.examples.json", &token);
    assert_eq!(
        out[0].severity,
        Severity::Info,
        "aws-sdk ships API examples with sample tokens"
    );
    assert_eq!(scan("lib/auth.js", &token)[0].severity, Severity::Critical);
}

#[test]
fn a_private_key_under_tests_is_a_question_not_a_verdict() {
    let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n", rand(64, ALNUM));
    let out = scan("tests/fixtures/server.key", &key);
    assert_eq!(out[0].severity, Severity::Medium, "{out:?}");
    assert!(
        out[0].message.ends_with(" — under tests/: a fixture?"),
        "{}",
        out[0].message
    );
    assert!(
        !out[0].message.contains("not a leaked credential"),
        "the folder cannot tell: {}",
        out[0].message
    );
    let nested = scan("lib/__tests__/keys/server.pem", &key);
    assert!(
        nested[0].message.ends_with("under __tests__/: a fixture?"),
        "names the folder that made it a test path: {}",
        nested[0].message
    );
    let token = format!("ghp_{}", rand(36, ALNUM));
    let out = scan("tests/fixtures/config.js", &token);
    assert_eq!(
        out[0].severity,
        Severity::Low,
        "other tokens in tests are unchanged"
    );
}

#[test]
fn adversarial_input_stays_linear() {
    // Every byte starts a literal hit and a long regex attempt: a quadratic scanner would
    // take minutes on this (the windowed one takes milliseconds; `cargo bench --bench check`
    // times such input at two sizes). Here: it finishes, with the right answer.
    let hay =
        "sk-ant-api03-".repeat(200_000) + &"-----BEGIN ".repeat(100_000) + &"eyJ".repeat(300_000);
    let ids: std::collections::BTreeSet<_> = find(hay.as_bytes())
        .iter()
        .map(|h| h.format.rule.id)
        .collect();
    assert_eq!(
        ids.into_iter().collect::<Vec<_>>(),
        ["secret-anthropic-api-key"],
        "only the `sk-ant-api03-` run is key-shaped; the `BEGIN` and `eyJ` runs are no secrets"
    );
}

#[test]
fn hits_in_an_escaped_body_each_get_their_decoded_line_and_column() {
    let policy = Policy::default();
    let ctx = FileCtx {
        entry: Some(3),
        path: "dist/x.js.map",
        inner: None,
        policy: &policy,
    };
    let a = format!("{}{}", "ghp_", rand(36, ALNUM));
    let b = format!("{}{}", "ghp_", rand(36, ALNUM));
    // As it sits in `sourcesContent`: escapes before each hit on its line.
    let hay = format!("x\\n\\t\\\"{a}\\\"\\nline\\n  \\u00e9 = '{b}'\\n");
    let map = format!(
        r#"{{"version":3,"mappings":"","sources":["src/a.ts"],"sourcesContent":["{hay}"]}}"#
    );
    let parsed = crate::detect::sourcemap::parse(map.as_bytes()).expect("parses");
    let mut out = Vec::new();
    crate::rules::engine::scan_sources(&ctx, &parsed, &mut out);
    let at: Vec<(Option<u32>, Option<u32>)> = out
        .iter()
        .map(|f| (f.location.line, f.location.column))
        .collect();
    assert_eq!(
        at,
        [(Some(2), Some(3)), (Some(4), Some(9))],
        "decoded bytes: `\\t\"` (2) before the first, `  é = '` (8: é is two) before the second"
    );
}
