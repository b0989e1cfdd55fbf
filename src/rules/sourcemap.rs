//! Source maps: recognising them (by name or content) and measuring what they embed.
//!
//! A 60 MB map is parsed once with `serde_json::from_slice` into borrowed data: `mappings` and
//! each `sourcesContent` entry stay [`RawValue`]s pointing into the file's bytes, so nothing is
//! copied. Lines and bytes of each embedded source are counted on the escaped JSON text, and
//! the secret scanner reads that same text (see `secrets::report` with `escaped`).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

/// The fields of a source map we read; everything else is skipped without allocating.
#[derive(Deserialize)]
struct RawMap<'a> {
    version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    sources: Option<Vec<Option<Cow<'a, str>>>>,
    #[serde(borrow, default, rename = "sourcesContent")]
    sources_content: Option<Vec<Option<&'a RawValue>>>,
    mappings: Option<&'a RawValue>,
    sections: Option<&'a RawValue>,
}

/// One source a map embeds.
#[derive(Debug)]
pub struct Embedded<'a> {
    /// The source's name, normalised (`webpack://pkg/./src/a.ts` → `src/a.ts`).
    pub name: String,
    /// The JSON string body, still escaped, borrowed from the map.
    pub raw: &'a [u8],
    /// Lines of the decoded source.
    pub lines: u64,
    /// Bytes of the decoded source.
    pub bytes: u64,
    /// Bundled third-party code (`node_modules/`, bundler runtime) rather than the author's.
    pub third_party: bool,
}

/// A parsed map.
#[derive(Debug)]
pub struct Map<'a> {
    /// Entries in `sources`.
    pub sources: usize,
    /// Non-null, non-empty `sourcesContent` entries.
    pub embedded: Vec<Embedded<'a>>,
    /// An index map (`sections`), whose sections are not analysed further.
    pub indexed: bool,
}

/// Parses `bytes` as a map when the name or the content says it is one; `None` otherwise.
pub fn parse_if_map<'a>(name: &str, bytes: &'a [u8]) -> Option<Result<Map<'a>, String>> {
    let by_name = name.ends_with(".map");
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return by_name.then(|| Err("not a JSON object".to_owned()));
    }
    let finder = |needle: &str| memchr::memmem::find(bytes, needle.as_bytes()).is_some();
    let looks_like_map = finder("\"mappings\"") && finder("\"sources\"") && finder("\"version\"");
    if !by_name && !looks_like_map {
        return None;
    }
    Some(parse(bytes))
}

/// Parses a map's JSON.
pub fn parse(bytes: &[u8]) -> Result<Map<'_>, String> {
    let raw: RawMap<'_> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if raw.version.is_none() || (raw.mappings.is_none() && raw.sections.is_none()) {
        return Err("JSON without `version` and `mappings`".to_owned());
    }
    let sources = raw.sources.unwrap_or_default();
    let mut embedded = Vec::new();
    for (i, content) in raw
        .sources_content
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let Some(content) = content else { continue };
        let text = content.get().as_bytes();
        // A JSON string: strip the quotes; `null` was already filtered by `Option`.
        let Some(body) = text.strip_prefix(b"\"").and_then(|t| t.strip_suffix(b"\"")) else {
            continue;
        };
        if body.is_empty() {
            continue;
        }
        let name = sources
            .get(i)
            .and_then(|s| s.as_deref())
            .map_or_else(|| format!("source #{i}"), normalize);
        let (lines, bytes) = measure(body);
        embedded.push(Embedded {
            third_party: is_third_party(&name),
            name,
            raw: body,
            lines,
            bytes,
        });
    }
    Ok(Map {
        sources: sources.len(),
        embedded,
        indexed: raw.sections.is_some(),
    })
}

/// Lines and decoded bytes of an escaped JSON string body, in one pass over its escapes.
pub fn measure(body: &[u8]) -> (u64, u64) {
    let (mut newlines, mut bytes, mut i) = (0u64, 0u64, 0usize);
    while let Some(p) = memchr::memchr(b'\\', &body[i..]) {
        bytes += p as u64;
        let at = i + p;
        match body.get(at + 1) {
            Some(b'n') => {
                newlines += 1;
                bytes += 1;
                i = at + 2;
            }
            Some(b'u') => {
                let cp = std::str::from_utf8(body.get(at + 2..at + 6).unwrap_or_default())
                    .ok()
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .unwrap_or(0);
                // A surrogate half counts 2, so a pair makes the 4 bytes of its UTF-8 form.
                bytes += match cp {
                    0..0x80 => 1,
                    0x80..0x800 | 0xD800..0xE000 => 2,
                    _ => 3,
                };
                i = at + 6;
            }
            _ => {
                bytes += 1;
                i = at + 2;
            }
        }
        if i >= body.len() {
            break;
        }
    }
    bytes += body.len().saturating_sub(i) as u64;
    let ends_with_newline = body.ends_with(b"\\n") && !body.ends_with(b"\\\\n");
    (newlines + u64::from(!ends_with_newline), bytes)
}

/// Normalises a source name the way a reader of the tree thinks of it.
pub fn normalize(source: &str) -> String {
    let mut s = source;
    if let Some((scheme, rest)) = s.split_once("://")
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        s = rest;
        // `webpack://package-name/./src/a.ts`: the part before `/./` names the bundle.
        if let Some((_, after)) = s.split_once("/./") {
            s = after;
        }
    }
    let s = s.trim_start_matches('/');
    let s = s.strip_prefix("./").unwrap_or(s);
    crate::sanitize::for_terminal(s).into_owned()
}

/// True for sources that are bundled dependencies or bundler runtime, not the author's code.
pub fn is_third_party(name: &str) -> bool {
    name.contains("node_modules/")
        || name.starts_with("webpack/")
        || name.starts_with("(webpack)")
        || name.starts_with("external ")
        || name.starts_with('\0')
        || name.starts_with("\\u{0}")
        || name.starts_with("vite/")
        || name.starts_with("~/")
}

/// The folder a source is counted under: leading `..`s plus one more component
/// (`../src/auth/token.ts` → `../src`); for third-party code, the package
/// (`../node_modules/@scope/pkg/x.js` → `node_modules/@scope/pkg`).
pub fn group_of(name: &str) -> String {
    if let Some(pos) = name.rfind("node_modules/") {
        let rest = &name[pos + "node_modules/".len()..];
        let mut parts = rest.split('/');
        let first = parts.next().unwrap_or_default();
        return if first.starts_with('@') {
            format!("node_modules/{first}/{}", parts.next().unwrap_or_default())
        } else {
            format!("node_modules/{first}")
        };
    }
    let parts: Vec<&str> = name.split('/').collect();
    let ups = parts.iter().take_while(|p| **p == "..").count();
    if parts.len() <= ups + 1 {
        return if ups == 0 {
            ".".to_owned()
        } else {
            parts[..ups].join("/")
        };
    }
    parts[..=ups].join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_escaped_text() {
        assert_eq!(measure(br"a\nb"), (2, 3));
        assert_eq!(
            measure(br"a\nb\n"),
            (2, 4),
            "a trailing newline ends the last line"
        );
        assert_eq!(measure(br"\u00e9"), (1, 2), "é is two UTF-8 bytes");
        assert_eq!(
            measure(br"x\\ny"),
            (1, 4),
            "an escaped backslash is not a newline"
        );
    }

    #[test]
    fn names_and_groups() {
        assert_eq!(normalize("webpack://my-lib/./src/a.ts"), "src/a.ts");
        assert_eq!(
            normalize("webpack:///webpack/bootstrap"),
            "webpack/bootstrap"
        );
        assert_eq!(group_of("../src/auth/token.ts"), "../src");
        assert_eq!(
            group_of("../../node_modules/@s/p/x.js"),
            "node_modules/@s/p"
        );
        assert_eq!(group_of("index.ts"), ".");
        assert!(is_third_party("webpack/runtime/define"));
        assert!(!is_third_party("src/index.ts"));
    }

    #[test]
    fn parses_only_maps() {
        let map = br#"{"version":3,"sources":["a.ts",null],"sourcesContent":["x\ny",null],"mappings":"AAAA"}"#;
        let m = parse_if_map("dist/a.js.map", map)
            .expect("is a map")
            .expect("parses");
        assert_eq!((m.sources, m.embedded.len()), (2, 1));
        assert_eq!(m.embedded[0].lines, 2);
        assert!(parse_if_map("package.json", br#"{"name":"x"}"#).is_none());
        assert!(
            parse_if_map("data.json", map).is_some(),
            "a map is recognised by content whatever its name"
        );
        assert!(
            parse_if_map("x.js.map", b"garbage")
                .expect("by name")
                .is_err()
        );
    }
}
