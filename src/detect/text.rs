//! Small helpers the rules share: paths (test context, extension, top folder), line/column of
//! an offset, JSON string decoding, binary sniffing, and masking of secret values.

/// Folder names that mark test or example material.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "fixtures",
    "fixture",
    "__fixtures__",
    "testdata",
    "test-data",
    "test_data",
    "__mocks__",
    "mocks",
    "e2e",
    "example",
    "examples",
    "testing",
];

/// Folder name prefixes that mark stand-ins for tests (`dummyserver/`, `fake-registry/`,
/// `mock_api/`): what is under them exists to be used in tests, keys included.
const TEST_DIR_PREFIXES: &[&str] = &["dummy", "fake", "mock"];

/// True for a path inside a test/fixture/example folder or named like a test file.
pub fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            let lower = part.to_ascii_lowercase();
            return [".test.", ".spec.", "_test.", "test_"]
                .iter()
                .any(|m| lower.contains(m));
        }
        let lower = part.to_ascii_lowercase();
        if TEST_DIRS.contains(&lower.as_str())
            || TEST_DIR_PREFIXES.iter().any(|p| lower.starts_with(p))
        {
            return true;
        }
    }
    false
}

/// The file name: the last path component.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The lowercase extension of the file name, without the dot (`d.ts` → `ts`), if any.
pub fn extension(path: &str) -> Option<String> {
    let name = file_name(path);
    let dot = name.rfind('.')?;
    (dot > 0 && dot + 1 < name.len()).then(|| name[dot + 1..].to_ascii_lowercase())
}

/// The first path component when the path has a folder (`dist/a.js` → `dist`).
pub fn top_folder(path: &str) -> Option<&str> {
    path.split_once('/').map(|(top, _)| top)
}

/// Tracks line and column while offsets only grow, so many hits in one big file cost one pass.
#[derive(Debug, Default)]
pub struct LineCounter {
    pos: usize,
    line: u32,
    line_start: usize,
}

impl LineCounter {
    /// 1-based (line, column) of `offset` in `hay`. Columns count bytes. `offset` must not be
    /// below the previous call's; if it is, counting restarts from the top.
    pub fn at(&mut self, hay: &[u8], offset: usize) -> (u32, u32) {
        if offset < self.pos {
            *self = Self::default();
        }
        let offset = offset.min(hay.len());
        for nl in memchr::memchr_iter(b'\n', &hay[self.pos..offset]) {
            self.line += 1;
            self.line_start = self.pos + nl + 1;
        }
        self.pos = offset;
        (self.line + 1, (offset - self.line_start + 1) as u32)
    }
}

/// The value of four hex digits at `at`, if they are there.
fn hex4(body: &[u8], at: usize) -> Option<u32> {
    let digits = body.get(at..at.checked_add(4)?)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc * 16 + char::from(b).to_digit(16)?))
}

/// The character a JSON escape at `body[at]` (a backslash) stands for, and how many bytes the
/// escape spans. A surrogate pair (`\ud83d\ude00`) is one character; a lone surrogate, an
/// unknown escape or a cut one is U+FFFD, as a lenient decoder shows it.
pub fn json_escape(body: &[u8], at: usize) -> (char, usize) {
    const BAD: char = char::REPLACEMENT_CHARACTER;
    let c = match body.get(at + 1) {
        None => return (BAD, 1),
        Some(b'u') => {
            return match hex4(body, at + 2) {
                None => (BAD, 2),
                Some(hi @ 0xD800..0xDC00) => {
                    let lo = (body.get(at + 6..at + 8) == Some(b"\\u"))
                        .then(|| hex4(body, at + 8))
                        .flatten()
                        .filter(|lo| (0xDC00..0xE000).contains(lo));
                    match lo {
                        Some(lo) => (
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                .unwrap_or(BAD),
                            12,
                        ),
                        None => (BAD, 6),
                    }
                }
                Some(cp) => (char::from_u32(cp).unwrap_or(BAD), 6),
            };
        }
        Some(b'n') => '\n',
        Some(b't') => '\t',
        Some(b'r') => '\r',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        // Not an escape: drop the backslash only, so a multi-byte character after it stays
        // whole.
        Some(b) if !b.is_ascii() => return (BAD, 1),
        Some(_) => BAD,
    };
    (c, 2)
}

/// Decodes a JSON string body (the text between the quotes) into `out`, cleared first, as
/// [`json_unescape`] does but into bytes: how a map's embedded source is scanned, one buffer
/// reused for every source. Text between escapes is copied as it is.
pub fn json_unescape_into(body: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(body.len());
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'\\', &body[i..]) {
        let at = i + p;
        out.extend_from_slice(&body[i..at]);
        // `\n` ends every line of a source and `\"` is common: no detour for them.
        match body.get(at + 1) {
            Some(b'n') => {
                out.push(b'\n');
                i = at + 2;
            }
            Some(&b @ (b'"' | b'\\' | b'/')) => {
                out.push(b);
                i = at + 2;
            }
            _ => {
                let (c, len) = json_escape(body, at);
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                i = at + len;
            }
        }
    }
    out.extend_from_slice(&body[i..]);
}

/// Decodes a JSON string body (the text between the quotes) with [`json_escape`]. Invalid
/// UTF-8 (never in a body serde_json accepted) is replaced first.
pub fn json_unescape(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => unescape_str(text),
        Err(_) => unescape_str(&String::from_utf8_lossy(body)),
    }
}

fn unescape_str(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Escapes consume ASCII bytes only, so every `i` is a character boundary.
    while let Some(p) = memchr::memchr(b'\\', &bytes[i..]) {
        out.push_str(text.get(i..i + p).unwrap_or_default());
        let (c, len) = json_escape(bytes, i + p);
        out.push(c);
        i += p + len;
    }
    out.push_str(text.get(i..).unwrap_or_default());
    out
}

/// True when the bytes look binary (a NUL in the first 8 KiB), as git and bat decide.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// What may be shown of a secret: a short prefix and the length, never the value.
pub fn mask(value: &[u8], known_prefix: usize) -> (String, usize) {
    let len = value.len();
    let show = if len < 12 {
        known_prefix.min(len / 2)
    } else {
        known_prefix.max((len / 6).min(6)).min(len / 2)
    };
    let shown = String::from_utf8_lossy(&value[..show]).into_owned();
    (shown, len)
}

/// A secret value as findings show it: `ghp_ab… (40 chars)`.
pub fn masked(value: &[u8], known_prefix: usize) -> String {
    let (shown, len) = mask(value, known_prefix);
    format!("{shown}… ({len} chars)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_paths_are_recognised() {
        assert!(is_test_path("tests/keys/server.pem"));
        assert!(is_test_path("src/__tests__/auth.ts"));
        assert!(is_test_path("lib/auth.test.js"));
        assert!(
            is_test_path("dummyserver/certs/server.key"),
            "urllib3's test server"
        );
        assert!(is_test_path("src/mock_api/token.json"));
        assert!(
            !is_test_path("lib/dummy.js"),
            "a file name alone is not a folder of test stand-ins"
        );
        assert!(
            !is_test_path("lib/contest.js"),
            "substring of a name is not a test dir"
        );
        assert!(!is_test_path("dist/index.js"));
    }

    #[test]
    fn extensions_and_folders() {
        assert_eq!(extension("dist/index.d.ts").as_deref(), Some("ts"));
        assert_eq!(extension(".npmrc"), None, "a dotfile has no extension");
        assert_eq!(top_folder("dist/a.js"), Some("dist"));
        assert_eq!(top_folder("README.md"), None);
    }

    #[test]
    fn line_counter_counts_incrementally() {
        let hay = b"ab\ncd\nef";
        let mut lc = LineCounter::default();
        assert_eq!(lc.at(hay, 0), (1, 1));
        assert_eq!(lc.at(hay, 4), (2, 2));
        assert_eq!(lc.at(hay, 7), (3, 2));
        assert_eq!(lc.at(hay, 1), (1, 2), "going back restarts");
    }

    #[test]
    fn decoding_into_bytes_matches_decoding_to_text() {
        let mut buf = b"stale".to_vec();
        for raw in [
            &br#"const s = \"q\"; X"#[..],
            br"\t\tX",
            br"path = 'C:\\dir\\X'",
            br"caf\u00e9 X",
            br"emoji \ud83d\ude00 X",
            br#"first\nsecond \\ \/ \t\u4e2d\u00e9\"X"#,
            br"cr\r\nX",
            br"lone \ud83dx, cut \u12, odd \q, end\",
            "stray \\é!".as_bytes(),
            b"",
        ] {
            json_unescape_into(raw, &mut buf);
            assert_eq!(
                String::from_utf8_lossy(&buf),
                json_unescape(raw),
                "{}: the same text either way, the buffer cleared first",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn json_strings_decode_like_json() {
        assert_eq!(json_unescape(br#"a\"b\\c\/d\n\t"#), "a\"b\\c/d\n\t");
        assert_eq!(json_unescape(br"\u00e9\u4e2d"), "é中");
        assert_eq!(json_unescape(br"\ud83d\ude00!"), "😀!", "a surrogate pair");
        assert_eq!(json_unescape(br"\ud83dx"), "\u{fffd}x", "a lone surrogate");
        assert_eq!(json_unescape(br"\u12"), "\u{fffd}12", "a cut escape");
        assert_eq!(json_unescape(br"\u+123"), "\u{fffd}+123", "not hex");
        assert_eq!(
            json_unescape(br"end\"),
            "end\u{fffd}",
            "a trailing backslash"
        );
        assert_eq!(json_unescape(br"\q"), "\u{fffd}");
        assert_eq!(
            json_unescape("\\é!".as_bytes()),
            "\u{fffd}é!",
            "a character after a stray backslash stays whole"
        );
    }

    #[test]
    fn masks_show_only_a_prefix() {
        let (shown, len) = mask(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789", 4);
        assert_eq!((shown.as_str(), len), ("ghp_ab", 40));
        let (shown, _) = mask(b"hunter2", 0);
        assert_eq!(shown, "", "short values show nothing");
    }
}
