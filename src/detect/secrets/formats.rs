//! The secret formats: one precise pattern per provider, each with its literals.
//!
//! The scanner never runs a pattern over a whole file: the prefilter looks for every format's
//! `prefixes` at once, and a pattern runs only around where one of its literals occurs. So
//! `prefixes` is a contract: every match of the pattern contains one of them. How far a match
//! reaches around its literal is derived from the pattern itself (see `matcher.rs`); `back`
//! and `span` document it for the reader, and `back` also says whether the pattern draws its own
//! left boundary.

use crate::finding::{Rule, Severity};

/// One provider's secret format.
#[derive(Debug)]
pub struct Format {
    /// Id (`secret-…`), severity and documentation.
    pub rule: Rule,
    /// What to call the secret in a message.
    pub label: &'static str,
    /// Literals of which every match contains one: at its start, or with `back`, inside it.
    /// A match without one is never looked for.
    pub prefixes: &'static [&'static str],
    /// How many bytes before the literal the match may start.
    pub back: usize,
    /// How many bytes after the literal the match may extend.
    pub span: usize,
    /// The pattern, run on the window; a capture group named `v` marks the secret value.
    pub pattern: &'static str,
    /// Bytes at the start of the value that are a public, fixed prefix (`ghp_`).
    pub known: usize,
}

const WHY_TOKEN: &str = "A credential published in a package is public the moment the release \
    is: registries are mirrored and scraped for keys within minutes, and unpublishing does not \
    recall the copies. Rotate the credential first, then remove it from the package and find how \
    it got there (a `.env` swept in, a test fixture, a bundled config, a source map's \
    `sourcesContent`). Documented examples and placeholders are reported as info only.";

macro_rules! fmt {
    ($id:literal, $sev:ident, $label:literal, [$($p:literal),+], $back:literal, $span:literal,
     $pat:literal, $known:literal) => {
        Format {
            rule: Rule {
                id: concat!("secret-", $id),
                severity: Severity::$sev,
                summary: concat!("a ", $label, " in a shipped file"),
                why: WHY_TOKEN,
            },
            label: $label,
            prefixes: &[$($p),+],
            back: $back,
            span: $span,
            pattern: $pat,
            known: $known,
        }
    };
}

/// Every secret format. Ids are stable; order only decides which format reports a value that
/// two formats would both match.
pub static FORMATS: &[Format] = &[
    fmt!(
        "private-key",
        Critical,
        "private key block",
        ["-----BEGIN "],
        0,
        120,
        r"^-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP|SSH2) )?PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|\s)+(?:[A-Za-z][A-Za-z-]*: [^\n]*(?:\\[rn]|\s)+)*(?P<v>[A-Za-z0-9+/=]{40,})",
        0
    ),
    fmt!(
        "aws-access-key-id",
        High,
        "AWS access key id",
        ["AKIA", "ASIA", "ABIA", "ACCA"],
        0,
        20,
        r"^(?P<v>A(?:KIA|SIA|BIA|CCA)[A-Z2-7]{16})",
        4
    ),
    fmt!(
        "aws-secret-access-key",
        Critical,
        "AWS secret access key",
        [
            "aws_secret_access_key",
            "AWS_SECRET_ACCESS_KEY",
            "secretAccessKey",
            "SecretAccessKey",
            "aws_secret_key"
        ],
        0,
        100,
        r#"^(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|secretAccessKey|SecretAccessKey|aws_secret_key)["']?\s*(?::|=|=>)\s*["']?(?P<v>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)"#,
        0
    ),
    fmt!(
        "gcp-service-account",
        Critical,
        "Google Cloud service-account key",
        ["\"service_account\""],
        0,
        4000,
        r#"^"service_account"[\s\S]{0,3000}?"private_key_id"\s*:\s*"(?P<v>[a-f0-9]{40})""#,
        0
    ),
    fmt!(
        "gcp-api-key",
        High,
        "Google API key",
        ["AIza"],
        0,
        39,
        r"^(?P<v>AIza[0-9A-Za-z_-]{35})",
        4
    ),
    fmt!(
        "gcp-oauth-client-secret",
        Critical,
        "Google OAuth client secret",
        ["GOCSPX-"],
        0,
        35,
        r"^(?P<v>GOCSPX-[A-Za-z0-9_-]{28})",
        7
    ),
    fmt!(
        "azure-storage-key",
        Critical,
        "Azure storage account key",
        ["AccountKey="],
        0,
        100,
        r"^AccountKey=(?P<v>[A-Za-z0-9+/]{86}==)",
        0
    ),
    fmt!(
        "azure-client-secret",
        Critical,
        "Azure AD client secret",
        ["Q~"],
        4,
        40,
        r"^(?P<v>[a-zA-Z0-9_~.]{3}[0-9]Q~[a-zA-Z0-9_~.-]{31,34})",
        0
    ),
    fmt!(
        "github-pat",
        Critical,
        "GitHub personal access token",
        ["ghp_"],
        0,
        40,
        r"^(?P<v>ghp_[A-Za-z0-9]{36})",
        4
    ),
    fmt!(
        "github-oauth",
        Critical,
        "GitHub OAuth token",
        ["gho_"],
        0,
        40,
        r"^(?P<v>gho_[A-Za-z0-9]{36})",
        4
    ),
    fmt!(
        "github-app-token",
        Critical,
        "GitHub App token",
        ["ghu_", "ghs_"],
        0,
        40,
        r"^(?P<v>gh[us]_[A-Za-z0-9]{36})",
        4
    ),
    fmt!(
        "github-refresh-token",
        Critical,
        "GitHub refresh token",
        ["ghr_"],
        0,
        80,
        r"^(?P<v>ghr_[A-Za-z0-9]{36,76})",
        4
    ),
    fmt!(
        "github-fine-grained-pat",
        Critical,
        "GitHub fine-grained token",
        ["github_pat_"],
        0,
        95,
        r"^(?P<v>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})",
        11
    ),
    fmt!(
        "gitlab-pat",
        Critical,
        "GitLab personal access token",
        ["glpat-"],
        0,
        60,
        r"^(?P<v>glpat-[A-Za-z0-9_-]{20,50})",
        6
    ),
    fmt!(
        "gitlab-runner-token",
        Critical,
        "GitLab runner token",
        ["glrt-", "GR1348941"],
        0,
        60,
        r"^(?P<v>(?:glrt-|GR1348941)[A-Za-z0-9_-]{20,50})",
        5
    ),
    fmt!(
        "gitlab-deploy-token",
        Critical,
        "GitLab deploy token",
        ["gldt-"],
        0,
        60,
        r"^(?P<v>gldt-[A-Za-z0-9_-]{20,50})",
        5
    ),
    fmt!(
        "gitlab-trigger-token",
        Critical,
        "GitLab pipeline trigger token",
        ["glptt-"],
        0,
        46,
        r"^(?P<v>glptt-[0-9a-f]{40})",
        6
    ),
    fmt!(
        "npm-token",
        Critical,
        "npm access token",
        ["npm_"],
        0,
        40,
        r"^(?P<v>npm_[A-Za-z0-9]{36})",
        4
    ),
    fmt!(
        "npmrc-auth",
        Critical,
        "npm registry credential in npmrc syntax",
        ["_auth", "_password"],
        0,
        200,
        r#"(?:(?m:^)[ \t]*|:)_(?:authToken|auth|password)[ \t]*=[ \t]*["']?(?P<v>[A-Za-z0-9_+/=.-]{16,})"#,
        0
    ),
    fmt!(
        "pypi-token",
        Critical,
        "PyPI upload token",
        ["pypi-AgE"],
        0,
        300,
        r"^(?P<v>pypi-AgE[IN][A-Za-z0-9_-]{50,})",
        8
    ),
    fmt!(
        "cargo-token",
        Critical,
        "crates.io API token",
        ["cio"],
        0,
        35,
        r"^(?P<v>cio[a-zA-Z0-9]{32})",
        3
    ),
    fmt!(
        "slack-token",
        Critical,
        "Slack token",
        ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"],
        0,
        250,
        r"^(?P<v>xox[bparse]-(?:[0-9]+-)?[0-9A-Za-z-]{10,240})",
        5
    ),
    fmt!(
        "slack-webhook",
        High,
        "Slack incoming webhook",
        ["hooks.slack.com/"],
        0,
        120,
        r"^hooks\.slack\.com/(?:services|workflows)/(?P<v>T[A-Z0-9]{6,}/[AB][A-Z0-9]{6,}/[A-Za-z0-9]{20,})",
        0
    ),
    fmt!(
        "slack-app-token",
        Critical,
        "Slack app-level token",
        ["xapp-"],
        0,
        120,
        r"^(?P<v>xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]{32,})",
        5
    ),
    fmt!(
        "stripe-secret-key",
        Critical,
        "Stripe live secret key",
        ["sk_live_", "rk_live_"],
        0,
        110,
        r"^(?P<v>[sr]k_live_[0-9a-zA-Z]{24,99})",
        8
    ),
    fmt!(
        "stripe-test-key",
        Low,
        "Stripe test-mode secret key",
        ["sk_test_", "rk_test_"],
        0,
        110,
        r"^(?P<v>[sr]k_test_[0-9a-zA-Z]{24,99})",
        8
    ),
    fmt!(
        "stripe-webhook-secret",
        Critical,
        "Stripe webhook signing secret",
        ["whsec_"],
        0,
        70,
        r"^(?P<v>whsec_[A-Za-z0-9+/=]{32,64})",
        6
    ),
    fmt!(
        "twilio-api-key",
        Critical,
        "Twilio API key",
        ["SK"],
        0,
        34,
        r"^(?P<v>SK[0-9a-f]{32})",
        2
    ),
    fmt!(
        "sendgrid-api-key",
        Critical,
        "SendGrid API key",
        ["SG."],
        0,
        69,
        r"^(?P<v>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})",
        3
    ),
    fmt!(
        "anthropic-api-key",
        Critical,
        "Anthropic API key",
        ["sk-ant-"],
        0,
        130,
        r"^(?P<v>sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,110})",
        7
    ),
    fmt!(
        "openai-api-key",
        Critical,
        "OpenAI API key",
        ["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-"],
        0,
        200,
        r"^(?P<v>sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,190})",
        3
    ),
    fmt!(
        "openai-legacy-key",
        Critical,
        "OpenAI API key (legacy)",
        ["T3BlbkFJ"],
        20,
        30,
        r"(?P<v>sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})",
        3
    ),
    fmt!(
        "huggingface-token",
        Critical,
        "Hugging Face token",
        ["hf_"],
        0,
        40,
        r"^(?P<v>hf_[A-Za-z]{34})",
        3
    ),
    fmt!(
        "jwt",
        High,
        "JSON Web Token with a signature",
        ["eyJ"],
        0,
        2000,
        r"^(?P<v>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{32,})",
        3
    ),
    fmt!(
        "database-url",
        Critical,
        "database URL with a password",
        [
            "postgres://",
            "postgresql://",
            "mysql://",
            "mariadb://",
            "mongodb://",
            "mongodb+srv://",
            "redis://",
            "rediss://",
            "amqp://",
            "amqps://",
            "mssql://",
            "sqlserver://"
        ],
        0,
        300,
        r"^(?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqps?|mssql|sqlserver)://[^:/\s'`@]{1,64}:(?P<v>[^@/\s'`]{3,128})@[A-Za-z0-9.\-_\[\]]+",
        0
    ),
    fmt!(
        "mailgun-api-key",
        Critical,
        "Mailgun API key",
        ["key-"],
        0,
        36,
        r"^key-(?P<v>[0-9a-f]{32})",
        0
    ),
    fmt!(
        "mailchimp-api-key",
        Critical,
        "Mailchimp API key",
        ["-us"],
        32,
        5,
        r"^(?P<v>[0-9a-f]{32}-us[0-9]{1,2})",
        0
    ),
    fmt!(
        "shopify-token",
        Critical,
        "Shopify access token",
        ["shpat_", "shpca_", "shppa_", "shpss_"],
        0,
        38,
        r"^(?P<v>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})",
        6
    ),
    fmt!(
        "digitalocean-token",
        Critical,
        "DigitalOcean token",
        ["dop_v1_", "doo_v1_", "dor_v1_"],
        0,
        71,
        r"^(?P<v>do[por]_v1_[a-f0-9]{64})",
        7
    ),
    fmt!(
        "databricks-token",
        Critical,
        "Databricks token",
        ["dapi"],
        0,
        40,
        r"^(?P<v>dapi[a-f0-9]{32}(?:-[0-9])?)",
        4
    ),
    fmt!(
        "doppler-token",
        Critical,
        "Doppler token",
        ["dp.pt.", "dp.st.", "dp.sa."],
        0,
        50,
        r"^(?P<v>dp\.(?:pt|st|sa)\.[A-Za-z0-9]{40,44})",
        6
    ),
    fmt!(
        "linear-api-key",
        Critical,
        "Linear API key",
        ["lin_api_"],
        0,
        48,
        r"^(?P<v>lin_api_[A-Za-z0-9]{40})",
        8
    ),
    fmt!(
        "postman-api-key",
        Critical,
        "Postman API key",
        ["PMAK-"],
        0,
        64,
        r"^(?P<v>PMAK-[a-f0-9]{24}-[a-f0-9]{34})",
        5
    ),
    fmt!(
        "pulumi-token",
        Critical,
        "Pulumi access token",
        ["pul-"],
        0,
        44,
        r"^(?P<v>pul-[a-f0-9]{40})",
        4
    ),
    fmt!(
        "atlassian-api-token",
        Critical,
        "Atlassian API token",
        ["ATATT3"],
        0,
        200,
        r"^(?P<v>ATATT3[A-Za-z0-9_=-]{180,192})",
        6
    ),
    fmt!(
        "discord-webhook",
        High,
        "Discord webhook",
        ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"],
        0,
        120,
        r"^discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/(?P<v>[A-Za-z0-9_-]{60,70})",
        0
    ),
    fmt!(
        "telegram-bot-token",
        Critical,
        "Telegram bot token",
        [":AA"],
        10,
        36,
        r"(?:^|[^0-9])(?P<v>[0-9]{8,10}:AA[0-9A-Za-z_-]{33})",
        0
    ),
    fmt!(
        "sentry-auth-token",
        Critical,
        "Sentry auth token",
        ["sntrys_", "sntryu_"],
        0,
        200,
        r"^(?P<v>sntry[su]_[A-Za-z0-9+/=_]{60,190})",
        7
    ),
    fmt!(
        "vault-token",
        Critical,
        "HashiCorp Vault token",
        ["hvs.", "hvb."],
        0,
        200,
        r"^(?P<v>hv[sb]\.[A-Za-z0-9_-]{90,190})",
        4
    ),
    fmt!(
        "age-secret-key",
        Critical,
        "age secret key",
        ["AGE-SECRET-KEY-1"],
        0,
        80,
        r"^(?P<v>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})",
        15
    ),
    fmt!(
        "new-relic-key",
        Critical,
        "New Relic user API key",
        ["NRAK-"],
        0,
        35,
        r"^(?P<v>NRAK-[A-Z0-9]{27})",
        5
    ),
    fmt!(
        "grafana-token",
        Critical,
        "Grafana service-account or cloud token",
        ["glsa_", "glc_eyJ"],
        0,
        200,
        r"^(?P<v>glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_eyJ[A-Za-z0-9+/=_-]{60,180})",
        5
    ),
    fmt!(
        "alibaba-access-key",
        High,
        "Alibaba Cloud access key id",
        ["LTAI"],
        0,
        30,
        r"^(?P<v>LTAI[A-Za-z0-9]{20})",
        4
    ),
    fmt!(
        "square-secret",
        Critical,
        "Square OAuth secret",
        ["sq0csp-"],
        0,
        50,
        r"^(?P<v>sq0csp-[0-9A-Za-z_-]{43})",
        7
    ),
    fmt!(
        "planetscale-token",
        Critical,
        "PlanetScale token",
        ["pscale_tkn_", "pscale_pw_"],
        0,
        60,
        r"^(?P<v>pscale_(?:tkn|pw)_[A-Za-z0-9_.-]{32,43})",
        11
    ),
    fmt!(
        "supabase-service-key",
        Critical,
        "Supabase secret key",
        ["sb_secret_"],
        0,
        60,
        r"^(?P<v>sb_secret_[A-Za-z0-9_-]{30,50})",
        10
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    // What each pattern matches is tested per format in `tests/samples.rs`: a new format
    // fails there until it has a sample and a near miss.
    #[test]
    fn every_pattern_compiles_and_names_its_value() {
        for f in FORMATS {
            let re = regex::bytes::Regex::new(f.pattern)
                .unwrap_or_else(|e| panic!("{}: {e}", f.rule.id));
            assert!(
                re.capture_names().any(|n| n == Some("v")),
                "{} has no `v` group",
                f.rule.id
            );
            assert!(f.rule.id.starts_with("secret-"));
        }
        assert!(
            FORMATS.len() >= 40,
            "at least 40 formats, have {}",
            FORMATS.len()
        );
    }
}
