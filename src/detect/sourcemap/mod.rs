//! Source maps: recognising them (by name or content), reading regular and index maps, and
//! measuring what they embed. This is the one reader of maps: the rules measure and scan what
//! it returns, and the review screen shows the same sources as a map's virtual folder.
//!
//! A 60 MB map is parsed once with `serde_json::from_slice` into borrowed data: `mappings` and
//! each `sourcesContent` entry stay [`RawValue`]s pointing into the file's bytes, so nothing is
//! copied. Lines and bytes of each embedded source are counted on the escaped JSON text (for a
//! large map, on a second thread while the parse goes on: [`parse_measuring`]); the
//! rules scan each source decoded into one reused buffer (`engine::scan_sources`), so patterns
//! see its real quotes and line starts, and the review screen decodes one when it builds the
//! tree.
//!
//! An index map (`{"version":3,"sections":[{"offset":…,"map":{…}}]}`, ECMA-426 §9) is read
//! section by section as it streams past, each section's `map` parsed from the same bytes.
//! Sections that name a `url` embed nothing here. A section whose map is itself an index map
//! is invalid per the spec; it is counted and not read, so nesting cannot recurse.

mod measure;
mod names;
mod seed;

use serde::de::DeserializeSeed as _;
use serde_json::value::RawValue;

pub use measure::measure;
use measure::measure_all;
pub use names::{group_of, is_third_party, normalize, tree_path};
use seed::{RawMap, RawSection, Sections, parse_measuring, read_raw};

/// Embedded sources past this many bytes in all are worth a second thread.
pub const IN_TWO_MIN: usize = 8 << 20;

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

impl Embedded<'_> {
    /// The decoded source text (what the author wrote), for display.
    pub fn decode(&self) -> String {
        super::text::json_unescape(self.raw)
    }

    /// Where the review screen shows this source inside the map's virtual folder.
    pub fn tree_path(&self) -> String {
        let p = tree_path(&self.name);
        if p.is_empty() { self.name.clone() } else { p }
    }
}

/// What an index map's `sections` held, for the evidence.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    /// Entries in `sections`.
    pub sections: usize,
    /// Sections that point at another file (`url`) and embed nothing.
    pub by_url: usize,
    /// Sections whose map is an index map itself: invalid per the spec, not read.
    pub nested: usize,
    /// Sections with neither a readable `map` nor a `url`.
    pub invalid: usize,
}

impl Index {
    /// The part of a message that says what was not read (empty when everything was).
    pub fn note(&self) -> String {
        let mut parts = vec![format!("index map of {} sections", self.sections)];
        if self.by_url > 0 {
            parts.push(format!("{} by url, not shipped inline", self.by_url));
        }
        if self.nested > 0 {
            parts.push(format!(
                "{} nested index maps (invalid) not read",
                self.nested
            ));
        }
        if self.invalid > 0 {
            parts.push(format!("{} unreadable", self.invalid));
        }
        parts.join(", ")
    }

    /// The evidence object.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "sections": self.sections,
            "url_sections": self.by_url,
            "nested_index_maps": self.nested,
            "invalid_sections": self.invalid,
        })
    }
}

/// A parsed map.
#[derive(Debug, Default)]
pub struct Map<'a> {
    /// Entries in `sources` (of every section, for an index map).
    pub sources: usize,
    /// Non-null, non-empty `sourcesContent` entries, in map order (section by section).
    pub embedded: Vec<Embedded<'a>>,
    /// For an index map, what its sections held.
    pub index: Option<Index>,
    /// Each `mappings` value as it lies in the map's bytes: base64 VLQ, which holds no
    /// credential, so the scan of the map's own fields skips it (it is most of a map after
    /// `sourcesContent`).
    pub mappings: Vec<&'a [u8]>,
}

impl<'a> Map<'a> {
    /// Adds a regular map's sources and embedded contents; `measured` holds [`measure`] of
    /// each body when a second thread already took them while the map was parsed.
    fn add(&mut self, raw: RawMap<'a>, measured: Option<Vec<(u64, u64)>>) {
        self.mappings
            .extend(raw.mappings.map(|m| m.get().as_bytes()));
        let sources = raw.sources.unwrap_or_default();
        self.sources += sources.len();
        let mut found: Vec<(usize, &'a [u8])> = Vec::new();
        for (i, content) in raw
            .sources_content
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            if let Some(body) = content.and_then(body_of) {
                found.push((i, body));
            }
        }
        let measured = match measured {
            Some(m) if m.len() == found.len() => m,
            _ => measure_all(&found),
        };
        for ((i, body), (lines, bytes)) in found.into_iter().zip(measured) {
            let name = sources
                .get(i)
                .and_then(|s| s.as_deref())
                .map_or_else(|| format!("source #{i}"), normalize);
            self.embedded.push(Embedded {
                third_party: is_third_party(&name),
                name,
                raw: body,
                lines,
                bytes,
            });
        }
    }

    /// Adds one section of an index map.
    fn add_section(&mut self, section: &RawSection<'a>) {
        let index = self.index.get_or_insert_with(Index::default);
        index.sections += 1;
        let Some(map) = section.map else {
            if section.url.is_some() {
                index.by_url += 1;
            } else {
                index.invalid += 1;
            }
            return;
        };
        match read_raw(map.get().as_bytes(), None) {
            Ok(inner) if inner.sections.is_some() => index.nested += 1,
            Ok(inner) if inner.mappings.is_some() || inner.sources.is_some() => {
                self.add(inner, None);
            }
            _ => index.invalid += 1,
        }
    }
}

/// A JSON string's body (quotes stripped, still escaped), unless it is empty or no string.
fn body_of(content: &RawValue) -> Option<&[u8]> {
    let text = content.get().as_bytes();
    let body = text.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    (!body.is_empty()).then_some(body)
}

/// Parses `bytes` as a map when the name or the content says it is one; `None` otherwise.
///
/// By content (any name), only a JSON object with `version` and `mappings` or `sections` is a
/// map, so a data file that merely mentions those words is left alone. A `*.map` file is read
/// even when it lacks `version` or `mappings`: whatever `sourcesContent` it holds still ships.
pub fn parse_if_map<'a>(name: &str, bytes: &'a [u8]) -> Option<Result<Map<'a>, String>> {
    let by_name = name.ends_with(".map");
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return by_name.then(|| Err("not a JSON object".to_owned()));
    }
    if by_name {
        return Some(read(bytes, false));
    }
    let finder = |needle: &str| memchr::memmem::find(bytes, needle.as_bytes()).is_some();
    let looks_like_map = finder("\"version\"")
        && (finder("\"sections\"") || finder("\"mappings\"") && finder("\"sources\""));
    if !looks_like_map {
        return None;
    }
    read(bytes, true).ok().map(Ok)
}

/// Parses a map's JSON, which must have `version` and `mappings` or `sections`.
pub fn parse(bytes: &[u8]) -> Result<Map<'_>, String> {
    read(bytes, true)
}

fn read(bytes: &[u8], strict: bool) -> Result<Map<'_>, String> {
    read_as(bytes, strict, bytes.len() >= IN_TWO_MIN)
}

/// [`read`], measuring on a second thread during the parse when `pipelined`.
fn read_as(bytes: &[u8], strict: bool, pipelined: bool) -> Result<Map<'_>, String> {
    let (raw, measured) = if pipelined {
        parse_measuring(bytes)
    } else {
        (read_raw(bytes, None), None)
    };
    let raw: RawMap<'_> = raw.map_err(|e| e.to_string())?;
    let body = raw.mappings.is_some() || raw.sections.is_some();
    let shaped = if strict {
        raw.version.is_some() && body
    } else {
        body || raw.sources.is_some() || raw.sources_content.is_some()
    };
    if !shaped {
        return Err("JSON without `version` and `mappings`".to_owned());
    }
    let mut map = Map::default();
    if let Some(sections) = raw.sections {
        let mut de = serde_json::Deserializer::from_str(sections.get());
        Sections(&mut map)
            .deserialize(&mut de)
            .map_err(|e| format!("sections: {e}"))?;
    }
    // Sources beside `sections` are not valid either, but they ship all the same.
    map.add(raw, measured);
    Ok(map)
}
#[cfg(test)]
mod tests {
    use super::*;

    /// What a reader made of a map, in a form two reads can be compared by.
    fn summary(r: Result<Map<'_>, String>) -> Result<String, String> {
        r.map(|m| {
            let sources: Vec<_> = m
                .embedded
                .iter()
                .map(|e| (e.name.clone(), e.lines, e.bytes, e.raw.len(), e.third_party))
                .collect();
            format!(
                "{} {:?} {:?} {}",
                m.sources,
                sources,
                m.index,
                m.mappings.len()
            )
        })
        // The wording of an error may differ; that
        // it is one may not.
        .map_err(|_| "error".to_owned())
    }

    #[test]
    fn the_pipelined_reader_of_large_maps_reads_like_the_plain_one() {
        let cases: &[&str] = &[
            r#"{"version":3,"sources":["a.ts","b.ts","c.ts"],"sourcesContent":["x\ny\n",null,"\u00e9\"q\""],"mappings":"AAAA"}"#,
            r#"{"version":3,"sources":["a.ts"],"sourcesContent":null,"mappings":"A"}"#,
            r#"{"version":null,"sources":null,"mappings":"A","names":[1,{"x":[]}]}"#,
            r#"{"version":3,"sources\u0043ontent":["k"],"sources":["a"],"mappings":""}"#,
            r#"{"version":3,"sources":["a"],"sourcesContent":["1"],"sourcesContent":["2"],"mappings":""}"#,
            r#"{"version":3,"mappings":"","mappings":""}"#,
            r#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["s.ts"],"sourcesContent":["a\nb"],"mappings":"A"}}]}"#,
            r#"{"version":3,"sources":["a"],"sourcesContent":["x"],"mappings":""} trailing"#,
            r#"{"version":3,"sources":["a"],"sourcesContent":[7],"mappings":""}"#,
            r#"{"version":3,"sourcesContent":["unterminated"#,
            "[1,2]",
        ];
        for case in cases {
            for strict in [true, false] {
                assert_eq!(
                    summary(read_as(case.as_bytes(), strict, true)),
                    summary(read_as(case.as_bytes(), strict, false)),
                    "same reading of {case} (strict {strict})"
                );
            }
        }
        // Enough sources for several batches to the measuring thread, and one body of 100 KiB.
        let many = serde_json::json!({
            "version": 3, "mappings": "",
            "sources": (0..3000).map(|i| format!("s{i}.ts")).collect::<Vec<_>>(),
            "sourcesContent": (0..3000)
                .map(|i| if i == 7 { "x\n".repeat(50_000) } else { format!("{i}\n") })
                .collect::<Vec<_>>(),
        })
        .to_string();
        let (piped, plain) = (
            summary(read_as(many.as_bytes(), true, true)),
            summary(read_as(many.as_bytes(), true, false)),
        );
        assert!(piped.is_ok() && piped == plain, "3,000 sources read alike");
        let both = read_as(cases[0].as_bytes(), true, true).expect("a map");
        assert_eq!(both.embedded.len(), 2, "two non-null sources");
        assert_eq!((both.embedded[0].lines, both.embedded[0].bytes), (2, 4));
    }

    #[test]
    fn decodes_a_source_for_display() {
        let map = br#"{"version":3,"sources":["a.ts"],"sourcesContent":["const s = \"\u00e9\\\";\n\tx"],"mappings":""}"#;
        let m = parse(map).expect("parses");
        assert_eq!(m.embedded[0].decode(), "const s = \"é\\\";\n\tx");
    }

    #[test]
    fn parses_only_maps() {
        let map = br#"{"version":3,"sources":["a.ts",null],"sourcesContent":["x\ny",null],"mappings":"AAAA"}"#;
        let m = parse_if_map("dist/a.js.map", map)
            .expect("is a map")
            .expect("parses");
        assert_eq!((m.sources, m.embedded.len()), (2, 1));
        assert_eq!(m.embedded[0].lines, 2);
        assert!(m.index.is_none(), "a regular map");
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
        assert!(
            parse_if_map(
                "data.json",
                br#"{"version":1,"sources":"not a list","mappings":1}"#
            )
            .is_none(),
            "by content, only what parses as a map is one"
        );
    }

    #[test]
    fn a_map_file_without_mappings_still_shows_what_it_embeds() {
        let bare = br#"{"sources":["a.ts"],"sourcesContent":["leak"]}"#;
        let m = parse_if_map("x.js.map", bare)
            .expect("by name")
            .expect("read leniently");
        assert_eq!(m.embedded.len(), 1);
        assert!(parse(bare).is_err(), "but it is no map by content");
        assert!(
            parse_if_map("x.json", bare).is_none(),
            "and not recognised without the name"
        );
    }

    const INDEX: &[u8] = br#"{"version":3,"file":"app.js","sections":[
        {"offset":{"line":0,"column":0},"map":{"version":3,"sources":["webpack://app/./src/a.ts","../node_modules/dep/i.js"],
            "sourcesContent":["a\nb\n","dep"],"mappings":"AAAA"}},
        {"offset":{"line":100,"column":0},"url":"b.js.map"},
        {"offset":{"line":200,"column":0},"map":{"version":3,"sources":["src/b.ts"],"sourcesContent":["one\ntwo\nthree"],"mappings":"AAAA"}},
        {"offset":{"line":300,"column":0},"map":{"version":3,"sections":[{"offset":{"line":0,"column":0},
            "map":{"version":3,"sources":["hidden.ts"],"sourcesContent":["nested"],"mappings":""}}]}},
        {"offset":{"line":400,"column":0},"map":"not a map"}
    ]}"#;

    #[test]
    fn index_maps_are_read_section_by_section() {
        let m = parse(INDEX).expect("an index map parses");
        let names: Vec<_> = m.embedded.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["src/a.ts", "../node_modules/dep/i.js", "src/b.ts"],
            "sources of every regular section, in order"
        );
        assert_eq!(m.sources, 3);
        assert_eq!(
            (m.embedded[0].lines, m.embedded[2].lines),
            (2, 3),
            "each source measured"
        );
        assert!(m.embedded[1].third_party);
        assert_eq!(
            m.index,
            Some(Index {
                sections: 5,
                by_url: 1,
                nested: 1,
                invalid: 1
            }),
            "url, nested and broken sections are counted, not read"
        );
        let note = m.index.map(|i| i.note()).unwrap_or_default();
        assert!(
            note.contains("1 nested index maps (invalid) not read"),
            "{note}"
        );
        assert!(
            parse_if_map("app.js.json", INDEX).is_some_and(|r| r.is_ok()),
            "an index map is recognised by content"
        );
    }

    #[test]
    fn data_with_sections_is_not_an_index_map() {
        let doc = br#"{"version":"2.0","sections":[{"title":"Intro"}]}"#;
        assert!(
            parse_if_map("docs.json", doc).is_none(),
            "sections without offsets are not a map's"
        );
        assert!(
            parse_if_map("x.map", br#"{"version":3,"sections":{"offset":0}}"#)
                .expect("by name")
                .is_err(),
            "sections must be a list"
        );
    }

    #[test]
    fn deep_nesting_is_neither_entered_nor_a_crash() {
        let depth = 100_000;
        let mut deep = String::from(r#"{"version":3,"sections":[{"offset":{},"map":"#);
        for _ in 0..depth {
            deep.push_str(r#"{"sections":[{"offset":{},"map":"#);
        }
        deep.push_str("{}");
        for _ in 0..depth {
            deep.push_str("}]}");
        }
        deep.push_str("}]}");
        // Skipped over as raw JSON (no recursion), then only the first section is read.
        let m = parse_if_map("deep.js.map", deep.as_bytes())
            .expect("by name")
            .expect("the outer index map reads");
        assert_eq!(
            m.index.map(|i| (i.sections, i.nested)),
            Some((1, 1)),
            "the nested index map is counted, not entered"
        );
        assert!(m.embedded.is_empty());
        let arrays = format!(
            r#"{{"version":3,"mappings":"","x":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let _ = parse(arrays.as_bytes()).map(|m| m.sources);
    }
}
