//! Names of the sources a map embeds: normalised as a reader thinks of them, placed in the
//! review screen's virtual folder, told first-party from third-party, and grouped by folder.

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

/// The path of a (normalised) source name inside the map's virtual folder in the review
/// screen: `.`, `..` and empty components dropped (`../src/a.ts` → `src/a.ts`), `\\` read
/// as `/`. Empty when nothing is left.
pub fn tree_path(name: &str) -> String {
    name.split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect::<Vec<_>>()
        .join("/")
}

/// True for sources that are bundled dependencies or bundler runtime, not the author's code.
///
/// `name` is normalised ([`normalize`]): webpack 5 names its runtime
/// `webpack://NAMESPACE/webpack/runtime/…` and its externals `webpack://NAMESPACE/external …`,
/// which normalise to `NAMESPACE/webpack/runtime/…`, so bundler names are recognised at the
/// start or after one leading component. Rollup's virtual modules start with NUL, which
/// normalising shows as `^@` (some tools write it out as the text `\u0000`).
pub fn is_third_party(name: &str) -> bool {
    /// Names only bundlers give; safe to match after a namespace too.
    fn bundler(s: &str) -> bool {
        const WEBPACK: &[&str] = &[
            "webpack/runtime/",
            "webpack/bootstrap",
            "webpack/startup",
            "webpack/before-startup",
            "webpack/after-startup",
            "webpack/universalModuleDefinition",
            "webpack/module-cache",
        ];
        WEBPACK.iter().any(|p| s.starts_with(p))
            || s.starts_with("(webpack)")
            || s.starts_with("external ")
            || s.starts_with('\0')
            || s.starts_with("^@")
            || s.starts_with("\\u0000")
            || s.starts_with("\\0")
    }
    if name.contains("node_modules/") {
        return true;
    }
    // At the start any `webpack/` name is webpack's own (webpack 4's `webpack:///webpack/…`);
    // after a namespace only the runtime's names are, since `NAMESPACE/webpack/` could be a
    // first-party folder called `webpack`.
    if name.starts_with("webpack/") || name.starts_with("vite/") || name.starts_with("~/") {
        return true;
    }
    bundler(name) || name.split_once('/').is_some_and(|(_, rest)| bundler(rest))
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
    use crate::detect::sourcemap::{Embedded, parse};

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
    fn bundler_runtime_is_third_party_with_or_without_a_namespace() {
        let third = |source: &str| is_third_party(&normalize(source));
        for source in [
            "webpack:///webpack/bootstrap",
            "webpack://my-lib/webpack/runtime/define property getters",
            "webpack://my-lib/webpack/bootstrap",
            "webpack://my-lib/webpack/universalModuleDefinition",
            "webpack://my-lib/external commonjs \"fs\"",
            "webpack://my-lib/external node-commonjs \"path\"",
            "webpack://my-lib/(webpack)/buildin/module.js",
            "(webpack)/buildin/global.js",
            "webpack://my-lib/./node_modules/lodash/lodash.js",
            "\u{0}commonjsHelpers.js",
            "\u{0}rollupPluginBabelHelpers.js",
            "\\u0000commonjsHelpers.js",
            "\u{0}src/a.js?commonjs-exports",
        ] {
            assert!(
                third(source),
                "{source:?} (normalised {:?}) is bundler code",
                normalize(source)
            );
        }
        for source in [
            "webpack://my-lib/./src/index.ts",
            "webpack://my-lib/src/webpack/config.ts",
            "src/external/api.ts",
            "lib/webpack-plugin.js",
            "../src/runtime/bootstrap.ts",
        ] {
            assert!(
                !third(source),
                "{source:?} (normalised {:?}) is first-party",
                normalize(source)
            );
        }
    }

    #[test]
    fn tree_paths_drop_dots_and_keep_the_rest() {
        assert_eq!(tree_path("../src/a.ts"), "src/a.ts");
        assert_eq!(tree_path("..\\lib\\.\\b.js"), "lib/b.js");
        assert_eq!(tree_path("a//b"), "a/b");
        assert_eq!(tree_path("../.."), "", "nothing left");
        let map = br#"{"version":3,"sources":["../..","webpack://app/./src/a.ts"],"sourcesContent":["x","y"],"mappings":""}"#;
        let m = parse(map).expect("parses");
        let paths: Vec<_> = m.embedded.iter().map(Embedded::tree_path).collect();
        assert_eq!(
            paths,
            ["../..", "src/a.ts"],
            "a name with no path left is shown as it is"
        );
    }
}
