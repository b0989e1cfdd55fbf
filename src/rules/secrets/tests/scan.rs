//! The scanner's edges: tokens at the ends of the file, before their literal, overlapping one
//! another, and inside long runs of candidates (where the windows merge).

use super::*;

#[test]
fn tokens_at_the_very_start_and_end_of_a_file() {
    let gh = format!("{}{}", "ghp_", rand(36, ALNUM));
    assert_eq!(
        ids(&gh),
        ["secret-github-pat"],
        "the whole file is the token"
    );
    let hits = find(format!("{gh} {gh}").as_bytes());
    assert_eq!(
        hits.iter().map(|h| h.at).collect::<Vec<_>>(),
        [0, 41],
        "one at offset 0, one ending at the last byte"
    );
    let mailchimp = format!("{}-us12", rand(32, HEX));
    assert_eq!(
        ids(&mailchimp),
        ["secret-mailchimp-api-key"],
        "a match that starts before its literal, at offset 0"
    );
}

#[test]
fn matches_that_start_before_their_literal() {
    let cases = [
        (
            format!("x = \"{}7Q~{}\"", rand(3, ALNUM), rand(32, ALNUM)),
            "secret-azure-client-secret",
        ),
        (
            format!("k: {}-us3;", rand(32, HEX)),
            "secret-mailchimp-api-key",
        ),
        (
            format!(
                "{}{}{}{}",
                "sk-",
                rand(20, ALNUM),
                "T3BlbkFJ",
                rand(20, ALNUM)
            ),
            "secret-openai-legacy-key",
        ),
        (
            format!("bot1234567890:AA{}", rand(33, ALNUM)),
            "secret-telegram-bot-token",
        ),
        (
            format!("registry=x\n  _auth = {}\n", rand(24, ALNUM)),
            "secret-npmrc-auth",
        ),
        (
            format!("@scope:registry=x\n_password ={}\n", rand(24, ALNUM)),
            "secret-npmrc-auth",
        ),
    ];
    for (hay, id) in &cases {
        assert_eq!(ids(hay), [*id], "in {hay}");
    }
}

#[test]
fn tokens_of_two_formats_on_overlapping_bytes_report_once() {
    // `SK` + 32 hex is a Twilio key, and its 32 hex + `-us1` a Mailchimp key two bytes later:
    // the match that starts first is reported, the overlapping one is not.
    let hex = rand(32, HEX);
    assert_eq!(
        ids(&format!("k={}{hex}-us1;", "SK")),
        ["secret-twilio-api-key"]
    );
    assert_eq!(ids(&format!("k={hex}-us1;")), ["secret-mailchimp-api-key"]);
    // `glc_eyJ…` is a Grafana token whose tail is a JWT candidate that does not match.
    let grafana = format!("{}{}", "glc_eyJ", rand(80, ALNUM));
    assert_eq!(ids(&format!("t={grafana};")), ["secret-grafana-token"]);
    let two = format!(
        "{}{} {}{}",
        "ghp_",
        rand(36, ALNUM),
        "npm_",
        rand(36, ALNUM)
    );
    assert_eq!(
        ids(&two),
        ["secret-github-pat", "secret-npm-token"],
        "neighbours both found"
    );
}

#[test]
fn tokens_inside_runs_of_their_own_literal_are_found() {
    // All candidates in one run merge into one window; the token inside must still match
    // exactly where a whole-file search would have found it.
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let jwt = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(r#"{"sub":"1234567890","admin":true}"#),
        rand(43, ALNUM)
    );
    let hay = format!("{} {jwt} {}", "eyJ".repeat(5_000), "eyJ".repeat(5_000));
    let hits = find(hay.as_bytes());
    assert_eq!(
        hits.len(),
        1,
        "{:?}",
        hits.iter().map(|h| h.at).collect::<Vec<_>>()
    );
    assert_eq!(hits[0].at, 15_001);
    let gh = format!("{}{}", "ghp_", rand(36, ALNUM));
    let hay = format!("{}-{gh}-{}", "ghp_".repeat(3_000), "ghp_".repeat(3_000));
    let hits = find(hay.as_bytes());
    assert_eq!(hits.iter().map(|h| h.at).collect::<Vec<_>>(), [12_001]);
}

#[test]
fn more_candidates_than_windows_still_find_every_token() {
    // Thousands of `AKIA`s too far apart to merge: past `Windows::MAX` the rest of the file is
    // one window, and the tokens in it are still found.
    let key = |i: usize| format!("{}{}", "AKIA", &rand(16 + i, B32)[i..]);
    let mut hay = key(0);
    for _ in 0..3_000 {
        hay.push_str(" AKIA is not a key here, ");
    }
    hay.push_str(&key(1));
    hay.push('\n');
    let hits = find(hay.as_bytes());
    assert_eq!(
        hits.iter().map(|h| h.at).collect::<Vec<_>>(),
        [0, hay.len() - 21],
        "the first and the last token"
    );
}
