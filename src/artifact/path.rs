//! Entry names as the installer will write them.
//!
//! An archive stores raw bytes for each name; the installer turns them into a path under the
//! install folder. npm (node-tar with `strip: 1`), cargo and pip all drop the first component
//! of a tarball's names (`package/`, `name-1.0.0/`); zip installers keep names as they are but
//! Windows tools also split on `\`. This module does that normalisation and notes everything
//! about a name a reviewer should know: `..` components, absolute paths, drive letters,
//! backslashes, control and bidi characters, invalid UTF-8 and extreme depth.

use std::borrow::Cow;

use crate::sanitize::name_issues;

use super::AnomalyKind;

/// How a container's names map to install paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Tar family: the first component is the package root and is stripped.
    StripRoot,
    /// Zip family: names are install paths as they are; `\` also separates.
    AsIs,
}

/// A name after normalisation, borrowing from the decoded name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized<'a> {
    /// The whole name decoded (invalid UTF-8 as U+FFFD, see [`decode`]).
    pub text: Cow<'a, str>,
    /// Byte ranges of the components in `text`: `.` and empty ones dropped, `..` kept (so it
    /// can be reported).
    spans: Vec<(usize, usize)>,
    /// Anomalies found in the name itself.
    pub anomalies: Vec<AnomalyKind>,
}

impl Normalized<'_> {
    /// The number of components.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when nothing is left (`/`, `.`, an empty name).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Component `i`.
    pub fn component(&self, i: usize) -> Option<&str> {
        self.spans.get(i).map(|&(a, b)| &self.text[a..b])
    }

    /// The components from `skip` on, joined with `/`.
    pub fn joined(&self, skip: usize) -> String {
        let parts = self.spans.get(skip..).unwrap_or_default();
        let mut out = String::with_capacity(self.text.len());
        for (i, &(a, b)) in parts.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(&self.text[a..b]);
        }
        out
    }
}

/// Decodes raw name bytes as the installer does: invalid UTF-8 becomes U+FFFD, which is what
/// node-tar's `Buffer.toString('utf8')` writes to disk (and Rust's `from_utf8_lossy`). The
/// exact bytes are kept separately (`Entry::raw_path_hex`), and the name's
/// [`AnomalyKind::InvalidUtf8`] says that it was not UTF-8.
pub fn decode(raw: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(raw)
}

/// Splits and inspects a raw name.
pub fn normalize(raw: &[u8], layout: Layout, max_depth: usize) -> Normalized<'_> {
    let mut anomalies = Vec::new();
    // Printable ASCII, the overwhelmingly common case, cannot hold anything name_issues finds.
    if !raw.iter().all(|b| (0x20..0x7f).contains(b)) {
        let issues = name_issues(raw);
        if issues.control {
            anomalies.push(AnomalyKind::ControlCharacters);
        }
        if issues.bidi {
            anomalies.push(AnomalyKind::BidiCharacters);
        }
        if issues.invalid_utf8 {
            anomalies.push(AnomalyKind::InvalidUtf8);
        }
    }
    let text = decode(raw);
    let is_sep = |c: u8| c == b'/' || (layout == Layout::AsIs && c == b'\\');
    let bytes = text.as_bytes();
    if layout == Layout::AsIs && bytes.contains(&b'\\') {
        anomalies.push(AnomalyKind::Backslash);
    }
    let mut start = 0;
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        anomalies.push(AnomalyKind::DriveLetter);
        start = 2;
    }
    if bytes.get(start).is_some_and(|&c| is_sep(c)) {
        anomalies.push(AnomalyKind::AbsolutePath);
    }
    let mut spans = Vec::with_capacity(8);
    let mut a = start;
    for i in start..=bytes.len() {
        if i == bytes.len() || is_sep(bytes[i]) {
            let part = &bytes[a..i];
            if !part.is_empty() && part != b"." {
                spans.push((a, i));
            }
            a = i + 1;
        }
    }
    if spans.iter().any(|&(a, b)| &bytes[a..b] == b"..") {
        anomalies.push(AnomalyKind::PathTraversal);
    }
    if spans.len() > max_depth {
        anomalies.push(AnomalyKind::TooDeep);
    }
    Normalized {
        text,
        spans,
        anomalies,
    }
}

/// node-tar's `stripAbsolutePath` (Windows rules on every platform): strips roots from the
/// start of a name after `strip: 1` (`/`, `c:`, `C:/`, `\\?\C:\`, `\\srv\share\`) until
/// none is left. Returns (what was stripped, the rest). So `package/c:package.json` installs
/// as `package.json`.
pub fn npm_strip_absolute(mut path: &str) -> (String, &str) {
    let mut root = String::new();
    loop {
        let b = path.as_bytes();
        let sep = |c: u8| c == b'/' || c == b'\\';
        let absolute = b.first().is_some_and(|&c| sep(c))
            || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && sep(b[2]));
        let parsed = win32_root_len(b);
        if !absolute && parsed == 0 {
            return (root, path);
        }
        let cut = if b.first() == Some(&b'/') && !path.starts_with("//?/") {
            1
        } else {
            parsed
        };
        root.push_str(&path[..cut]);
        path = &path[cut..];
    }
}

/// The length of the root node's `path.win32.parse` finds.
fn win32_root_len(p: &[u8]) -> usize {
    let sep = |c: u8| c == b'/' || c == b'\\';
    let len = p.len();
    let Some(&c0) = p.first() else { return 0 };
    if len == 1 {
        return usize::from(sep(c0));
    }
    if sep(c0) {
        let mut root_end = 1;
        if sep(p[1]) {
            let mut j = 2;
            let mut last = j;
            while j < len && !sep(p[j]) {
                j += 1;
            }
            if j < len && j != last {
                last = j;
                while j < len && sep(p[j]) {
                    j += 1;
                }
                if j < len && j != last {
                    last = j;
                    while j < len && !sep(p[j]) {
                        j += 1;
                    }
                    if j == len {
                        root_end = j;
                    } else if j != last {
                        root_end = j + 1;
                    }
                }
            }
        }
        root_end
    } else if c0.is_ascii_alphabetic() && p[1] == b':' {
        if len > 2 && sep(p[2]) { 3 } else { 2 }
    } else {
        0
    }
}

/// `path` resolved lexically, as Python's `os.path.normpath` (and so tarfile) or a URL join
/// resolves it: empty and `.` parts dropped, `..` taking away the part before it. Returns the
/// parts left, joined with `/`, and whether a `..` climbed above the start (its part is then
/// dropped).
pub fn resolve_dots(path: &str) -> (String, bool) {
    let mut parts: Vec<&str> = Vec::new();
    let mut climbed = false;
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => climbed |= parts.pop().is_none(),
            p => parts.push(p),
        }
    }
    (parts.join("/"), climbed)
}

/// node-tar refuses a name (after stripping its root) with a `..` component, splitting on
/// `\` as well as `/` on every platform.
pub fn npm_climbs(stripped: &str) -> bool {
    stripped.split(['/', '\\']).any(|c| c == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str, layout: Layout) -> Normalized<'_> {
        normalize(raw.as_bytes(), layout, 64)
    }

    fn parts(n: &Normalized<'_>) -> Vec<String> {
        (0..n.len())
            .filter_map(|i| n.component(i).map(str::to_owned))
            .collect()
    }

    #[test]
    fn plain_names_split_cleanly() {
        let n = norm("package/dist/./index.js", Layout::StripRoot);
        assert_eq!(parts(&n), ["package", "dist", "index.js"]);
        assert_eq!(
            n.joined(1),
            "dist/index.js",
            "the root is stripped as npm does"
        );
        assert!(n.anomalies.is_empty());
    }

    #[test]
    fn traversal_and_absolute_are_noticed() {
        assert_eq!(
            norm("package/../../etc/passwd", Layout::StripRoot).anomalies,
            [AnomalyKind::PathTraversal]
        );
        assert_eq!(
            norm("/etc/passwd", Layout::StripRoot).anomalies,
            [AnomalyKind::AbsolutePath]
        );
    }

    #[test]
    fn zip_names_with_drive_letters_and_backslashes() {
        let n = norm("C:\\Windows\\evil.dll", Layout::AsIs);
        assert_eq!(parts(&n), ["Windows", "evil.dll"]);
        assert_eq!(
            n.anomalies,
            [
                AnomalyKind::Backslash,
                AnomalyKind::DriveLetter,
                AnomalyKind::AbsolutePath
            ]
        );
        let n = norm("a\\..\\..\\b", Layout::AsIs);
        assert!(
            n.anomalies.contains(&AnomalyKind::PathTraversal),
            "backslash traversal in a zip"
        );
        assert_eq!(
            parts(&norm("a\\b", Layout::StripRoot)),
            ["a\\b"],
            "tar names keep backslashes"
        );
    }

    #[test]
    fn hostile_characters_are_noticed_and_kept_visible() {
        let n = normalize(
            b"package/\x1b[2Jx\xe2\x80\xae.js\xff",
            Layout::StripRoot,
            64,
        );
        assert_eq!(
            n.anomalies,
            [
                AnomalyKind::ControlCharacters,
                AnomalyKind::BidiCharacters,
                AnomalyKind::InvalidUtf8
            ]
        );
        assert!(
            n.joined(1).ends_with(".js\u{fffd}"),
            "an invalid byte becomes U+FFFD, as node-tar writes it"
        );
    }

    #[test]
    fn npm_strips_drive_letters_and_unc_prefixes_as_node_tar_does() {
        for (name, root, rest) in [
            ("c:package.json", "c:", "package.json"),
            ("C:/x.js", "C:/", "x.js"),
            ("\\\\?\\C:\\x.js", "\\\\?\\C:\\", "x.js"),
            ("\\\\srv\\share\\x.js", "\\\\srv\\share\\", "x.js"),
            ("//?/C:/x.js", "//?/C:/", "x.js"),
            ("///x.js", "///", "x.js"),
            ("c:c:/x", "c:c:/", "x"),
            ("lib/c:x", "", "lib/c:x"),
        ] {
            assert_eq!(
                npm_strip_absolute(name),
                (root.to_owned(), rest),
                "{name:?} strips {root:?}"
            );
        }
        assert!(
            npm_climbs("a\\..\\b"),
            "node-tar splits on backslashes for '..'"
        );
        assert!(!npm_climbs("a..b/c"));
    }

    #[test]
    fn depth_beyond_the_limit_is_noticed() {
        let deep = "a/".repeat(70) + "f";
        assert!(
            norm(&deep, Layout::StripRoot)
                .anomalies
                .contains(&AnomalyKind::TooDeep)
        );
    }
}
