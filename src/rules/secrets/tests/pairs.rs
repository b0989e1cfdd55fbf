//! AWS key pairs: an unlabeled secret near an access key id is reported with it, once.

use super::*;

const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn key_id() -> String {
    format!("{}{}", "AKIA", rand(16, B32))
}

fn secret() -> String {
    rand(40, B64)
}

#[test]
fn an_unlabeled_secret_beside_a_key_id_is_one_pair_finding() {
    let (id, key) = (key_id(), secret());
    let js =
        format!("const s3 = new S3({{\n  accessKeyId: \"{id}\",\n  secret: \"{key}\",\n}});\n");
    let out = scan("lib/upload.js", &js);
    assert_eq!(
        out.len(),
        1,
        "one finding for the pair, not one per value: {out:?}"
    );
    let f = &out[0];
    assert_eq!(
        (f.rule.as_str(), f.severity),
        ("secret-aws-secret-access-key", Severity::Critical)
    );
    assert_eq!(
        (f.location.line, f.location.column),
        (Some(2), Some(17)),
        "at the key id"
    );
    assert_eq!(f.evidence["pair"], true);
    assert_eq!(f.evidence["key_id"]["prefix"], "AKIA");
    assert_eq!(f.evidence["length"], 40);
    let json = serde_json::to_string(f).expect("serialises");
    assert!(
        !json.contains(&id[..8]) && !json.contains(&key[..8]),
        "both values masked: {json}"
    );
    let before = format!("key = '{key}'\nid = '{id}'\n");
    assert_eq!(
        ids(&before),
        ["secret-aws-secret-access-key"],
        "the secret may come first"
    );
    let minified = format!("var a={{k:\"{id}\",x:1,s:\"{key}\"}};");
    assert_eq!(
        ids(&minified),
        ["secret-aws-secret-access-key"],
        "on one line"
    );
}

#[test]
fn the_documented_example_pair_stays_info() {
    let js = "accessKeyId: 'AKIAIOSFODNN7EXAMPLE',\nsecretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'\n";
    let out = scan("lib/config.js", js);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].severity, Severity::Info, "{}", out[0].message);
    assert_eq!(out[0].evidence["pair"], true);
    assert_eq!(out[0].evidence["context"], "documented example value");
    let id_only_example = format!("id: 'AKIAIOSFODNN7EXAMPLE',\nkey: '{}'\n", secret());
    assert_eq!(
        scan("lib/config.js", &id_only_example)[0].severity,
        Severity::Info,
        "the example key id makes the pair an example"
    );
}

#[test]
fn what_is_not_a_pair() {
    let (id, key) = (key_id(), secret());
    let far = format!("id = '{id}'\n{}key = '{key}'\n", "//\n".repeat(6));
    assert_eq!(
        ids(&far),
        ["secret-aws-access-key-id"],
        "six lines away is not the key id's secret"
    );
    let far_minified = format!("id='{id}';{};key='{key}'", "x".repeat(400));
    assert_eq!(
        ids(&far_minified),
        ["secret-aws-access-key-id"],
        "nor 400 bytes away"
    );
    let digest = format!("id = '{id}'\nsha = '{}'\n", rand(40, HEX));
    assert_eq!(
        ids(&digest),
        ["secret-aws-access-key-id"],
        "a hex digest is no secret"
    );
    let path = format!("id = '{id}'\nfile = 'src/components/Button/ButtonGroup2/index'\n");
    assert_eq!(ids(&path), ["secret-aws-access-key-id"], "nor a path");
    let longer = format!("id = '{id}'\nblob = '{}'\n", rand(44, B64));
    assert_eq!(
        ids(&longer),
        ["secret-aws-access-key-id"],
        "nor a longer base64 run"
    );
    let labeled = format!("aws_access_key_id = {id}\naws_secret_access_key = {key}\n");
    assert_eq!(
        ids(&labeled),
        ["secret-aws-access-key-id", "secret-aws-secret-access-key"],
        "a labeled secret is reported by its own format, as before"
    );
}

#[test]
fn pairing_stays_linear() {
    // Key ids everywhere, each with a window full of base64: every window is walked once.
    let unit = format!("{}/{}/", key_id(), secret());
    let hay = unit.repeat(2_000_000 / unit.len()) + &"AKIAABCDEFGHIJKLMNOP/".repeat(50_000);
    // (`cargo bench --bench check` times the scan; here: it ends, with the right answer.)
    let hits = find(hay.as_bytes());
    assert_eq!(
        hits.len(),
        2_000_000 / unit.len() + 50_000,
        "every key id once"
    );
    assert!(
        hits.iter().all(|h| h.pair.is_none()),
        "a `/`-joined base64 run is longer than a secret: no pair"
    );
}
