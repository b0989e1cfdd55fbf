//! Entry names as the installer will write them.
//!
//! An archive stores raw bytes for each name; the installer turns them into a path under the
//! install folder. npm (node-tar with `strip: 1`), cargo and pip all drop the first component
//! of a tarball's names (`package/`, `name-1.0.0/`); zip installers keep names as they are but
//! Windows tools also split on `\`. This module does that normalisation and notes everything
//! about a name a reviewer should know: `..` components, absolute paths, drive letters,
//! backslashes, control and bidi characters, invalid UTF-8 and extreme depth.

use std::borrow::Cow;
use std::fmt::Write as _;

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

/// A name after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The components, `.` and empty ones dropped, `..` kept (so it can be reported).
    pub components: Vec<String>,
    /// Anomalies found in the name itself.
    pub anomalies: Vec<AnomalyKind>,
}

impl Normalized {
    /// The number of components.
    pub fn len(&self) -> usize {
        self.components.len()
    }

    /// True when nothing is left (`/`, `.`, an empty name).
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// Component `i`.
    pub fn component(&self, i: usize) -> Option<&str> {
        self.components.get(i).map(String::as_str)
    }

    /// Joins the components with `/`.
    pub fn joined(&self, skip: usize) -> String {
        self.components.get(skip..).unwrap_or_default().join("/")
    }
}

/// Decodes raw name bytes, keeping invalid UTF-8 visible as `\xNN`.
pub fn decode(raw: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(raw) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for chunk in raw.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    Cow::Owned(out)
}

/// Splits and inspects a raw name.
pub fn normalize(raw: &[u8], layout: Layout, max_depth: usize) -> Normalized {
    let mut anomalies = Vec::new();
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
    let text = decode(raw);
    let mut rest: &str = &text;
    if layout == Layout::AsIs && rest.contains('\\') {
        anomalies.push(AnomalyKind::Backslash);
    }
    let bytes = rest.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        anomalies.push(AnomalyKind::DriveLetter);
        rest = &rest[2..];
    }
    if rest.starts_with('/') || (layout == Layout::AsIs && rest.starts_with('\\')) {
        anomalies.push(AnomalyKind::AbsolutePath);
    }
    let separators: &[char] = match layout {
        Layout::StripRoot => &['/'],
        Layout::AsIs => &['/', '\\'],
    };
    let components: Vec<String> = rest
        .split(separators)
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_owned)
        .collect();
    if components.iter().any(|c| c == "..") {
        anomalies.push(AnomalyKind::PathTraversal);
    }
    if components.len() > max_depth {
        anomalies.push(AnomalyKind::TooDeep);
    }
    Normalized {
        components,
        anomalies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str, layout: Layout) -> Normalized {
        normalize(raw.as_bytes(), layout, 64)
    }

    #[test]
    fn plain_names_split_cleanly() {
        let n = norm("package/dist/./index.js", Layout::StripRoot);
        assert_eq!(n.components, ["package", "dist", "index.js"]);
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
        assert_eq!(n.components, ["Windows", "evil.dll"]);
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
            norm("a\\b", Layout::StripRoot).components,
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
            n.joined(1).ends_with("\\xff"),
            "invalid byte kept as a visible escape"
        );
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
