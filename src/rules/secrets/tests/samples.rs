//! One realistic fake and one near miss for every format in the registry, so a format cannot
//! be added, or its pattern changed, without a sample that shows it still reports what it is
//! for and only that. The fakes are assembled here from random filler; none is a real token.

use super::*;

/// Uppercase letters and digits.
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// The bech32 alphabet (age keys), uppercase.
const BECH32: &str = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
/// Base64 characters without `=`.
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGITS: &str = "0123456789";
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// `prefix` followed by `n` characters of `alphabet`.
fn tok(prefix: &str, n: usize, alphabet: &str) -> String {
    format!("{prefix}{}", rand(n, alphabet))
}

fn jwt(signature: usize) -> String {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(r#"{"sub":"1234567890","iat":1516239022}"#),
        rand(signature, ALNUM)
    )
}

/// (format id, a sample it must report, a near miss it must not).
fn samples() -> Vec<(&'static str, String, String)> {
    let hex = |n| rand(n, HEX);
    let alnum = |n| rand(n, ALNUM);
    vec![
        (
            "secret-private-key",
            format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n", alnum(64)),
            format!("-----BEGIN PUBLIC KEY-----\n{}\n", alnum(64)),
        ),
        (
            "secret-aws-access-key-id",
            format!("id = \"{}\"", tok("AKIA", 16, B32)),
            format!("id = \"{}\"", tok("AKIA", 15, B32)),
        ),
        (
            "secret-aws-secret-access-key",
            format!("aws_secret_access_key = {}", alnum(40)),
            format!("aws_secret_access_key = {}", alnum(39)),
        ),
        (
            "secret-gcp-service-account",
            format!(
                "{{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key_id\": \"{}\"}}",
                hex(40)
            ),
            format!(
                "{{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key_id\": \"{}\"}}",
                hex(39)
            ),
        ),
        (
            "secret-gcp-api-key",
            tok("AIza", 35, ALNUM),
            tok("AIza", 34, ALNUM),
        ),
        (
            "secret-gcp-oauth-client-secret",
            tok("GOCSPX-", 28, ALNUM),
            tok("GOCSPX-", 27, ALNUM),
        ),
        (
            "secret-azure-storage-key",
            format!(
                "AccountName=x;AccountKey={}==;EndpointSuffix=core.windows.net",
                alnum(86)
            ),
            format!(
                "AccountName=x;AccountKey={}==;EndpointSuffix=core.windows.net",
                alnum(85)
            ),
        ),
        (
            "secret-azure-client-secret",
            format!("secret = \"{}7Q~{}\"", rand(3, LETTERS), alnum(32)),
            format!("secret = \"{}xQ~{}\"", rand(3, LETTERS), alnum(32)),
        ),
        (
            "secret-github-pat",
            tok("ghp_", 36, ALNUM),
            tok("ghp_", 35, ALNUM),
        ),
        (
            "secret-github-oauth",
            tok("gho_", 36, ALNUM),
            tok("gho_", 35, ALNUM),
        ),
        (
            "secret-github-app-token",
            tok("ghs_", 36, ALNUM),
            tok("ghs_", 35, ALNUM),
        ),
        (
            "secret-github-refresh-token",
            tok("ghr_", 76, ALNUM),
            tok("ghr_", 35, ALNUM),
        ),
        (
            "secret-github-fine-grained-pat",
            format!("{}_{}", tok("github_pat_", 22, ALNUM), alnum(59)),
            format!("{}_{}", tok("github_pat_", 22, ALNUM), alnum(58)),
        ),
        (
            "secret-gitlab-pat",
            tok("glpat-", 20, ALNUM),
            tok("glpat-", 19, ALNUM),
        ),
        (
            "secret-gitlab-runner-token",
            tok("glrt-", 24, ALNUM),
            tok("glrt-", 19, ALNUM),
        ),
        (
            "secret-gitlab-deploy-token",
            tok("gldt-", 24, ALNUM),
            tok("gldt-", 19, ALNUM),
        ),
        (
            "secret-gitlab-trigger-token",
            tok("glptt-", 40, HEX),
            tok("glptt-", 39, HEX),
        ),
        (
            "secret-npm-token",
            tok("npm_", 36, ALNUM),
            tok("npm_", 35, ALNUM),
        ),
        (
            "secret-npmrc-auth",
            format!("//registry.npmjs.org/:_authToken={}", hex(36)),
            format!("//registry.npmjs.org/:_authToken={}", hex(15)),
        ),
        (
            "secret-pypi-token",
            tok("pypi-AgEIcHlwaS5vcmc", 60, ALNUM),
            tok("pypi-AgEQcHlwaS5vcmc", 60, ALNUM),
        ),
        (
            "secret-cargo-token",
            tok("cio", 32, ALNUM),
            tok("cio", 31, ALNUM),
        ),
        (
            "secret-slack-token",
            format!("{}-{}", tok("xoxb-", 12, DIGITS), alnum(24)),
            tok("xoxb-", 9, ALNUM),
        ),
        (
            "secret-slack-webhook",
            format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                rand(8, UPPER),
                rand(8, UPPER),
                alnum(24)
            ),
            format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                rand(8, UPPER),
                rand(8, UPPER),
                alnum(19)
            ),
        ),
        (
            "secret-slack-app-token",
            format!(
                "xapp-1-A{}-{}-{}",
                rand(10, UPPER),
                rand(13, DIGITS),
                hex(64)
            ),
            format!(
                "xapp-1-A{}-{}-{}",
                rand(10, UPPER),
                rand(13, DIGITS),
                hex(31)
            ),
        ),
        (
            "secret-stripe-secret-key",
            tok("sk_live_", 24, ALNUM),
            tok("sk_live_", 23, ALNUM),
        ),
        (
            "secret-stripe-test-key",
            tok("sk_test_", 24, ALNUM),
            tok("sk_test_", 23, ALNUM),
        ),
        (
            "secret-stripe-webhook-secret",
            tok("whsec_", 32, B64),
            tok("whsec_", 31, B64),
        ),
        (
            "secret-twilio-api-key",
            tok("SK", 32, HEX),
            tok("SK", 31, HEX),
        ),
        (
            "secret-sendgrid-api-key",
            format!("SG.{}.{}", alnum(22), alnum(43)),
            format!("SG.{}.{}", alnum(22), alnum(42)),
        ),
        (
            "secret-anthropic-api-key",
            tok("sk-ant-api03-", 95, ALNUM),
            tok("sk-ant-api03-", 79, ALNUM),
        ),
        (
            "secret-openai-api-key",
            tok("sk-proj-", 120, ALNUM),
            tok("sk-proj-", 39, ALNUM),
        ),
        (
            "secret-openai-legacy-key",
            format!("{}T3BlbkFJ{}", tok("sk-", 20, ALNUM), alnum(20)),
            format!("{}T3BlbkFJ{}", tok("sk-", 20, ALNUM), alnum(19)),
        ),
        (
            "secret-huggingface-token",
            tok("hf_", 34, LETTERS),
            tok("hf_", 33, LETTERS),
        ),
        ("secret-jwt", jwt(43), jwt(31)),
        (
            "secret-database-url",
            format!("postgres://app:{}@db.prod.internal:5432/x", alnum(16)),
            "postgres://app@db.prod.internal:5432/x".to_owned(),
        ),
        (
            "secret-mailgun-api-key",
            tok("key-", 32, HEX),
            tok("key-", 31, HEX),
        ),
        (
            "secret-mailchimp-api-key",
            format!("k: {}-us12", hex(32)),
            format!("k: {}-us12", hex(31)),
        ),
        (
            "secret-shopify-token",
            tok("shpat_", 32, HEX),
            tok("shpat_", 31, HEX),
        ),
        (
            "secret-digitalocean-token",
            tok("dop_v1_", 64, HEX),
            tok("dop_v1_", 63, HEX),
        ),
        (
            "secret-databricks-token",
            tok("dapi", 32, HEX),
            tok("dapi", 31, HEX),
        ),
        (
            "secret-doppler-token",
            tok("dp.pt.", 43, ALNUM),
            tok("dp.pt.", 39, ALNUM),
        ),
        (
            "secret-linear-api-key",
            tok("lin_api_", 40, ALNUM),
            tok("lin_api_", 39, ALNUM),
        ),
        (
            "secret-postman-api-key",
            format!("{}-{}", tok("PMAK-", 24, HEX), hex(34)),
            format!("{}-{}", tok("PMAK-", 24, HEX), hex(33)),
        ),
        (
            "secret-pulumi-token",
            tok("pul-", 40, HEX),
            tok("pul-", 39, HEX),
        ),
        (
            "secret-atlassian-api-token",
            tok("ATATT3", 186, ALNUM),
            tok("ATATT3", 179, ALNUM),
        ),
        (
            "secret-discord-webhook",
            format!(
                "https://discord.com/api/webhooks/{}/{}",
                rand(18, DIGITS),
                alnum(68)
            ),
            format!(
                "https://discord.com/api/webhooks/{}/{}",
                rand(18, DIGITS),
                alnum(59)
            ),
        ),
        (
            "secret-telegram-bot-token",
            format!("bot708129354:AA{}", alnum(33)),
            format!("bot708129354:AA{}", alnum(32)),
        ),
        (
            "secret-sentry-auth-token",
            tok("sntrys_", 80, ALNUM),
            tok("sntrys_", 59, ALNUM),
        ),
        (
            "secret-vault-token",
            tok("hvs.", 100, ALNUM),
            tok("hvs.", 89, ALNUM),
        ),
        (
            "secret-age-secret-key",
            tok("AGE-SECRET-KEY-1", 58, BECH32),
            tok("AGE-SECRET-KEY-1", 57, BECH32),
        ),
        (
            "secret-new-relic-key",
            tok("NRAK-", 27, UPPER),
            tok("NRAK-", 26, UPPER),
        ),
        (
            "secret-grafana-token",
            format!("{}_{}", tok("glsa_", 32, ALNUM), hex(8)),
            format!("{}_{}", tok("glsa_", 32, ALNUM), hex(7)),
        ),
        (
            "secret-alibaba-access-key",
            tok("LTAI", 20, ALNUM),
            tok("LTAI", 19, ALNUM),
        ),
        (
            "secret-square-secret",
            tok("sq0csp-", 43, ALNUM),
            tok("sq0csp-", 42, ALNUM),
        ),
        (
            "secret-planetscale-token",
            tok("pscale_tkn_", 40, ALNUM),
            tok("pscale_tkn_", 31, ALNUM),
        ),
        (
            "secret-supabase-service-key",
            tok("sb_secret_", 40, ALNUM),
            tok("sb_secret_", 29, ALNUM),
        ),
    ]
}

#[test]
fn every_format_reports_its_sample_and_not_its_near_miss() {
    let samples = samples();
    for (id, _, _) in &samples {
        assert!(
            FORMATS.iter().any(|f| f.rule.id == *id),
            "sample for {id}, which is no format"
        );
    }
    let missing: Vec<&str> = FORMATS
        .iter()
        .map(|f| f.rule.id)
        .filter(|id| samples.iter().filter(|s| s.0 == *id).count() != 1)
        .collect();
    assert!(
        missing.is_empty(),
        "every format needs exactly one sample in `samples()`: {missing:?}"
    );
    for f in FORMATS {
        let (id, hit, miss) = samples
            .iter()
            .find(|s| s.0 == f.rule.id)
            .expect("checked above");
        assert_eq!(ids(hit), [*id], "{id} reports its sample {hit}");
        let out = scan("lib/config.js", hit);
        assert_eq!(
            (out[0].severity, out[0].evidence["context"].as_str()),
            (f.rule.severity, None),
            "{id}: the sample is reported as a leak at the format's severity ({})",
            out[0].message
        );
        assert!(
            !ids(miss).contains(id),
            "{id} does not report the near miss {miss}"
        );
    }
}
