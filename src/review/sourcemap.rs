//! The sources a source map embeds (`sourcesContent`): what would leak, file by file.
//!
//! Only the two arrays the review screen needs are parsed; everything else in the map is
//! ignored. The names and contents are untrusted and stay raw here: they are sanitised when
//! they are drawn.

use serde::Deserialize;

/// One embedded source.
#[derive(Debug, Clone)]
pub struct EmbeddedSource {
    /// The name from `sources` (raw, e.g. `webpack://app/./src/auth/token.ts`).
    pub name: String,
    /// The path the virtual folder shows: scheme and `./`/`../` stripped.
    pub path: String,
    /// The embedded text.
    pub content: String,
}

#[derive(Deserialize)]
struct Map {
    #[serde(default)]
    sources: Vec<Option<String>>,
    #[serde(default, rename = "sourcesContent")]
    sources_content: Vec<Option<String>>,
}

/// True when a file looks like a source map with embedded sources (cheap check before parsing).
pub fn may_embed(path: &str, bytes: &[u8]) -> bool {
    path.ends_with(".map") && memchr::memmem::find(bytes, b"\"sourcesContent\"").is_some()
}

/// The sources embedded in a map, in map order; empty when the map is not JSON or embeds none.
pub fn embedded(bytes: &[u8]) -> Vec<EmbeddedSource> {
    let Ok(map) = serde_json::from_slice::<Map>(bytes) else {
        return Vec::new();
    };
    map.sources_content
        .into_iter()
        .enumerate()
        .filter_map(|(i, content)| {
            let content = content?;
            let name = map
                .sources
                .get(i)
                .cloned()
                .flatten()
                .unwrap_or_else(|| format!("source-{i}"));
            Some(EmbeddedSource {
                path: display_path(&name, i),
                name,
                content,
            })
        })
        .collect()
}

/// `webpack://app/./src/a.ts` → `app/src/a.ts`; `../src/a.ts` → `src/a.ts`.
pub fn display_path(name: &str, i: usize) -> String {
    let rest = name.split_once("://").map_or(name, |(_, r)| r);
    let parts: Vec<&str> = rest
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    if parts.is_empty() {
        format!("source-{i}")
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_sources_are_listed_with_clean_paths() {
        let map = br#"{"version":3,"sources":["webpack://app/./src/a.ts","../lib/b.js",null],
            "sourcesContent":["const a = 1;\n",null,"orphan"],"mappings":""}"#;
        assert!(may_embed("dist/x.js.map", map));
        let srcs = embedded(map);
        assert_eq!(srcs.len(), 2, "the null content is skipped");
        assert_eq!(srcs[0].path, "app/src/a.ts");
        assert_eq!(srcs[0].content, "const a = 1;\n");
        assert_eq!(
            srcs[1].path, "source-2",
            "a missing name gets a placeholder"
        );
    }

    #[test]
    fn broken_maps_embed_nothing() {
        assert!(embedded(b"not json").is_empty());
        assert!(embedded(br#"{"sources":["a"]}"#).is_empty());
    }
}
