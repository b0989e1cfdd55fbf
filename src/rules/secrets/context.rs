//! What a secret's surroundings say about it: documentation, test code, a published test
//! vector. Decided by what the file and the text around the value are, not only by the
//! folder's name, and said in the finding's message.
//!
//! Every look around a hit is bounded ([`LOOK_BACK`] bytes, the hit's own line), and the
//! Rust test ranges are found once per file, so a file full of hits stays linear.

use memchr::memmem;

use crate::detect::text;

/// How far before a hit the text that introduces it is read.
const LOOK_BACK: usize = 320;

/// The files of a package that are documentation, and what kind: a README copy that packaging
/// makes (`PKG-INFO`'s long description, a wheel's `METADATA`) is as much documentation as
/// the README it copies.
pub fn doc_file(path: &str) -> Option<&'static str> {
    let name = text::file_name(path).to_ascii_lowercase();
    let parts: Vec<&str> = path.split('/').collect();
    let folder = |p: &str| {
        matches!(
            p.to_ascii_lowercase().as_str(),
            "doc" | "docs" | "documentation" | "man" | "manual"
        )
    };
    if name == "pkg-info" || (name == "metadata" && path.contains(".dist-info/")) {
        return Some("README copy in the package metadata");
    }
    if [
        "readme",
        "changelog",
        "changes",
        "history",
        "news",
        "contributing",
        "upgrading",
        "migration",
    ]
    .iter()
    .any(|p| name.starts_with(p))
    {
        return Some("documentation file");
    }
    if let Some(ext) = text::extension(&name)
        && matches!(
            ext.as_str(),
            "md" | "markdown" | "mdx" | "rst" | "adoc" | "asciidoc" | "rdoc" | "textile"
        )
    {
        return Some("documentation file");
    }
    let folders = &parts[..parts.len().saturating_sub(1)];
    if folders.iter().any(|p| folder(p)) {
        return Some("documentation folder");
    }
    if folders.iter().any(|p| {
        matches!(
            p.to_ascii_lowercase().as_str(),
            "demo" | "demos" | "example" | "examples" | "samples"
        )
    }) {
        return Some("example or demo folder");
    }
    if name.contains("example") || name.contains("sample") {
        return Some("documentation example file");
    }
    None
}

/// The line that holds byte `at`.
fn line_of(hay: &[u8], at: usize) -> &[u8] {
    let start = memchr::memrchr(b'\n', &hay[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &hay[at..]).map_or(hay.len(), |i| at + i);
    &hay[start..end]
}

/// The text just before a hit, lowercased: what introduces it.
fn before(hay: &[u8], at: usize) -> String {
    String::from_utf8_lossy(&hay[at.saturating_sub(LOOK_BACK)..at]).to_ascii_lowercase()
}

/// True when the hit sits in a doctest (`>>> key = "…"`, a `... ` continuation) or an
/// interactive example.
fn in_doctest(hay: &[u8], at: usize) -> bool {
    let line = line_of(hay, at);
    let trimmed = line.trim_ascii_start();
    trimmed.starts_with(b">>> ") || trimmed.starts_with(b"... ")
}

/// The published test vector a hit is introduced as (`RFC 6979`, "test vector"), if any.
pub fn test_vector(hay: &[u8], at: usize) -> Option<String> {
    let text = before(hay, at);
    let mut rfc = None;
    let mut from = 0;
    while let Some(i) = text[from..].find("rfc").map(|i| i + from) {
        // A word of its own (not `rfC484` inside a base64 body), with a 4-digit number.
        let word = i == 0 || !text.as_bytes()[i - 1].is_ascii_alphanumeric();
        let rest = text[i + 3..].trim_start_matches([' ', '-', '_', '#']);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if word && digits.len() == 4 {
            rfc = Some(format!("published test vector (RFC {digits})"));
        }
        from = i + 3;
    }
    rfc.or_else(|| {
        [
            "test vector",
            "test_vector",
            "testvector",
            "known answer test",
        ]
        .iter()
        .any(|m| text.contains(m))
        .then(|| "introduced as a test vector".to_owned())
    })
}

/// True when the text before a hit introduces it as an example ("an example key", "for
/// example", "e.g.") or the hit is in a doctest.
pub fn introduced_as_example(hay: &[u8], at: usize) -> Option<&'static str> {
    if in_doctest(hay, at) {
        return Some("doctest example");
    }
    let text = before(hay, at);
    [
        "example key",
        "example private key",
        "example token",
        "example secret",
        "an example",
        "for example",
        "e.g.",
        "sample key",
        "demo key",
        ".. testsetup::",
        ".. doctest::",
    ]
    .iter()
    .any(|m| text.contains(m))
    .then_some("introduced as an example")
}

/// Byte ranges of a Rust file that are test code: `#[cfg(test)] mod … { … }` and
/// `#[test] fn … { … }`. Found once per file, in one pass per marker.
pub fn rust_test_ranges(hay: &[u8]) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    for (marker, item, what) in [
        (&b"#[cfg(test)]"[..], &b"mod "[..], "`#[cfg(test)]` module"),
        (b"#[test]", b"fn ", "`#[test]` function"),
    ] {
        let mut last_end = 0;
        for at in memmem::find_iter(hay, marker) {
            if at < last_end {
                continue;
            }
            // The item follows within a short distance (other attributes, `pub`, `async`).
            let after = &hay[at + marker.len()..hay.len().min(at + marker.len() + 200)];
            let Some(item_at) = memmem::find(after, item) else {
                continue;
            };
            let Some(open) = memchr::memchr(b'{', &after[item_at..]) else {
                continue;
            };
            let open = at + marker.len() + item_at + open;
            let end = matching_brace(hay, open);
            out.push((at, end, what));
            last_end = end;
        }
    }
    out
}

/// The end of the block opened at `open` (counting braces, skipping string and char
/// literals and comments roughly), or the end of the file.
fn matching_brace(hay: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < hay.len() {
        match hay[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' => {
                i += 1;
                while i < hay.len() && hay[i] != b'"' {
                    i += if hay[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if hay.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &hay[i..]).map_or(hay.len(), |n| i + n);
            }
            _ => {}
        }
        i += 1;
    }
    hay.len()
}

/// What kind of test code a file is by its place and name: test helpers pytest loads
/// (`conftest.py`), benchmarks (`benches/`, which `cargo bench` builds, never a user), and
/// the paths [`text::is_test_path`] knows.
pub fn test_file(path: &str) -> Option<&'static str> {
    let in_folder = |names: &[&str]| {
        path.split('/')
            .rev()
            .skip(1)
            .any(|p| names.iter().any(|n| p.eq_ignore_ascii_case(n)))
    };
    if text::is_test_path(path) || text::file_name(path).eq_ignore_ascii_case("conftest.py") {
        Some("test fixture")
    } else if in_folder(&["benches", "bench", "benchmarks", "benchmark"]) {
        Some("benchmark code")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_files_by_name_place_and_packaging() {
        for (p, want) in [
            ("PKG-INFO", Some("README copy in the package metadata")),
            (
                "jose.egg-info/PKG-INFO",
                Some("README copy in the package metadata"),
            ),
            (
                "pyjwt-2.0.dist-info/METADATA",
                Some("README copy in the package metadata"),
            ),
            ("CHANGELOG.rst", Some("documentation file")),
            ("docs/usage.rst", Some("documentation file")),
            ("docs/conf.py", Some("documentation folder")),
            ("README", Some("documentation file")),
            ("demos/user_rsa_key", Some("example or demo folder")),
            ("src/metadata", None),
            ("lib/index.js", None),
        ] {
            assert_eq!(doc_file(p), want, "{p}");
        }
    }

    #[test]
    fn test_vectors_are_named_by_their_rfc() {
        let hay = b"# RFC 6979, A.2.5: ECDSA, 256 bits (prime field)\nkey = KEYHERE";
        let at = hay.len() - 7;
        assert_eq!(
            test_vector(hay, at).as_deref(),
            Some("published test vector (RFC 6979)")
        );
        let hay = b"// known answer test\nconst K = KEYHERE";
        assert_eq!(
            test_vector(hay, hay.len() - 7).as_deref(),
            Some("introduced as a test vector")
        );
        assert_eq!(test_vector(b"const K = KEYHERE", 10), None);
        let hay = b"-----BEGIN RSA PRIVATE KEY-----\nt73xGjGsKnsmrXoOCxSqV3LtRrfC484BlV6s\n-----END\nKEYHERE";
        assert_eq!(
            test_vector(hay, hay.len() - 7),
            None,
            "rfC484 inside base64 is no RFC"
        );
    }

    #[test]
    fn rust_test_modules_and_functions_are_ranges() {
        let src = b"fn runtime() { let s = \"}\"; }\n#[cfg(test)]\nmod tests {\n  #[test]\n  fn t() { let k = 1; }\n}\nfn after() {}\n";
        let r = rust_test_ranges(src);
        let text = String::from_utf8_lossy(src);
        let k = text.find("let k").expect("k");
        let after = text.find("fn after").expect("after");
        let runtime = text.find("let s").expect("s");
        let inside = |at| r.iter().any(|&(s, e, _)| s <= at && at < e);
        assert!(inside(k), "{r:?}");
        assert!(!inside(after), "the module ends at its brace: {r:?}");
        assert!(!inside(runtime));
        assert_eq!(
            rust_test_ranges(b"#[cfg(test)] mod x"),
            vec![],
            "no block: nothing"
        );
        let open = rust_test_ranges(b"#[cfg(test)] mod x { never closed");
        assert_eq!(
            open.len(),
            1,
            "an unclosed module runs to the end of the file"
        );
    }

    #[test]
    fn doctests_and_introductions() {
        let hay = b"    >>> key = 'KEYHERE'";
        assert_eq!(introduced_as_example(hay, 18), Some("doctest example"));
        let hay = b"Here is an example key:\n\n    KEYHERE";
        assert_eq!(
            introduced_as_example(hay, hay.len() - 7),
            Some("introduced as an example")
        );
        let hay = b"const key = KEYHERE";
        assert_eq!(introduced_as_example(hay, 12), None);
    }
}
