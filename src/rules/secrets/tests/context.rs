//! Where a secret sits decides what it means: documentation and its packaged copies, test
//! code found by content, published test vectors. Keys are generated here (a real OpenSSH
//! Ed25519 key from a fixed seed), tokens built at run time.

use super::*;
use crate::rules::test_support::artifact_of;

/// A real-format OpenSSH private key (Ed25519, from `seed`), as `ssh-keygen` writes it.
fn openssh_key(seed: u8) -> String {
    let pair = ssh_key::private::Ed25519Keypair::from_seed(&[seed; 32]);
    ssh_key::PrivateKey::from(pair)
        .to_openssh(ssh_key::LineEnding::LF)
        .expect("encodes")
        .to_string()
}

/// An HS256-shaped JWT with a JSON payload and a random-looking signature.
fn jwt() -> String {
    use base64::Engine as _;
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        b(r#"{"alg":"HS256","typ":"JWT"}"#),
        b(r#"{"sub":"svc-billing","iat":1716239022}"#),
        rand(43, ALNUM)
    )
}

/// (path, severity, context) of every secret finding of an artifact of `files`.
fn verdicts(files: &[(&str, String)]) -> Vec<(String, Severity, Option<String>)> {
    let files: Vec<(String, &[u8])> = files
        .iter()
        .map(|(p, c)| (format!("package/{p}"), c.as_bytes()))
        .collect();
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    let mut out: Vec<_> = crate::rules::evaluate(&artifact_of(&files), None)
        .findings
        .into_iter()
        .filter(|f| f.rule.starts_with("secret-"))
        .map(|f| {
            assert!(
                f.evidence.get("fingerprint").is_none(),
                "fingerprints stay inside"
            );
            let why = SecretEvidence::of(&f).and_then(|e| e.context);
            (f.location.path, f.severity, why)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn one_decision_per_token_whichever_file_it_sits_in() {
    let token = jwt();
    let readme = format!("Usage\n=====\n\n    >>> jwt.encode(payload, key)\n    '{token}'\n");
    let files = [
        ("README.rst", readme.clone()),
        // `setup.py` copies the README into PKG-INFO's long description.
        (
            "PKG-INFO",
            format!("Metadata-Version: 2.1\nName: x\n\n{readme}"),
        ),
        (
            "CHANGELOG.rst",
            format!("v2.0\n----\n- decode {token} again\n"),
        ),
        ("x/cli.py", format!("DEFAULT = '{token}'\n")),
    ];
    let v = verdicts(&files);
    assert_eq!(v.len(), 4, "{v:#?}");
    assert!(v.iter().all(|(_, s, _)| *s == Severity::Info), "{v:#?}");
    let cli = v.iter().find(|(p, ..)| p == "x/cli.py").expect("cli.py");
    assert_eq!(
        cli.2.as_deref(),
        Some("same value as the documentation file at CHANGELOG.rst:3"),
        "the copy that decided is named"
    );
    let pkg = v.iter().find(|(p, ..)| p == "PKG-INFO").expect("PKG-INFO");
    assert_eq!(
        pkg.2.as_deref(),
        Some("README copy in the package metadata")
    );
    // The same token only in runtime code is a leak.
    let alone = verdicts(&[("x/cli.py", format!("DEFAULT = '{token}'\n"))]);
    assert_eq!(alone[0].1, Severity::High, "{alone:?}");
}

#[test]
fn private_keys_in_documentation_are_examples() {
    let key = openssh_key(1);
    for (path, content, why) in [
        (
            "docs/usage.rst",
            format!(".. code-block:: python\n\n    {key}"),
            "documentation file",
        ),
        (
            "docs/conf.py",
            format!("KEY = '''{key}'''"),
            "documentation folder",
        ),
        ("demos/user_key", key.clone(), "example or demo folder"),
        (
            "lib/keys.py",
            format!("# Here is an example key:\n{key}"),
            "introduced as an example",
        ),
        (
            "lib/sign.py",
            format!("def sign():\n    \"\"\"\n    >>> k = '''{key}'''\n    \"\"\""),
            "doctest example",
        ),
    ] {
        let v = verdicts(&[(path, content)]);
        assert_eq!(v.len(), 1, "{path}: {v:?}");
        assert_eq!(
            (v[0].1, v[0].2.as_deref()),
            (Severity::Info, Some(why)),
            "{path}"
        );
    }
}

#[test]
fn test_code_is_found_by_what_it_is() {
    let key = openssh_key(2);
    let lib = format!(
        "pub fn load() -> &'static str {{ \"{}\" }}\n\n#[cfg(test)]\nmod tests {{\n    const K: &str = \"{}\";\n    #[test]\n    fn t() {{}}\n}}\n",
        "x",
        key.replace('\n', "\\n")
    );
    let v = verdicts(&[("src/lib.rs", lib)]);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].1, Severity::Low);
    assert_eq!(v[0].2.as_deref(), Some("test code (`#[cfg(test)]` module)"));

    let after = format!(
        "#[cfg(test)]\nmod tests {{ fn t() {{}} }}\n\npub const KEY: &str = \"{}\";\n",
        key.replace('\n', "\\n")
    );
    let v = verdicts(&[("src/lib.rs", after)]);
    assert_eq!(
        v[0].1,
        Severity::Critical,
        "runtime code after the test module: {v:?}"
    );

    for (path, what) in [
        ("pkg/test_sign.py", "test fixture"),
        ("pkg/sign_test.py", "test fixture"),
        ("pkg/conftest.py", "test fixture"),
        ("lib/sign.spec.ts", "test fixture"),
        ("benches/jwt.rs", "benchmark code"),
    ] {
        let v = verdicts(&[(path, format!("K = '{}'", jwt()))]);
        assert_eq!(
            (v[0].1, v[0].2.as_deref()),
            (Severity::Low, Some(what)),
            "{path}"
        );
    }
}

#[test]
fn test_vectors_are_named_by_their_source() {
    let key = openssh_key(3);
    let v = verdicts(&[(
        "src/ecdsa.rs",
        format!(
            "// RFC 6979 A.2.5 test key\nconst K: &str = \"{}\";",
            key.replace('\n', "\\n")
        ),
    )]);
    assert_eq!(
        (v[0].1, v[0].2.as_deref()),
        (Severity::Info, Some("published test vector (RFC 6979)"))
    );
    let v = verdicts(&[(
        "src/kat.rs",
        format!(
            "// known answer test vector\nconst K: &str = \"{}\";",
            key.replace('\n', "\\n")
        ),
    )]);
    assert_eq!(
        (v[0].1, v[0].2.as_deref()),
        (Severity::Low, Some("introduced as a test vector"))
    );
}

#[test]
fn a_real_key_in_runtime_code_stays_critical() {
    let key = openssh_key(4);
    for (path, content) in [
        ("lib/deploy.js", format!("const key = `{key}`;")),
        (
            "src/main.rs",
            format!(
                "const K: &str = \"{}\";\nfn main() {{}}\n#[test]\nfn t() {{}}",
                key.replace('\n', "\\n")
            ),
        ),
        (
            "app/settings.py",
            format!("# example.com deploy\nKEY = '''{key}'''"),
        ),
    ] {
        let v = verdicts(&[(path, content)]);
        assert_eq!(v.len(), 1, "{path}: {v:?}");
        assert_eq!(v[0].1, Severity::Critical, "{path}: {v:?}");
    }
}
