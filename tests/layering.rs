//! The layers of `src/`: a module never imports one above it.
//!
//! From the ground up (style.md habit 15): text safety and units, the finding vocabulary,
//! shared detectors, the artifact model, release manifests and their diff, the rules, the
//! outputs (report, approval), the one inputs step, the commands (check, review, the gate),
//! and the command line. This test reads every `crate::…` path in the code under `src/` (doc
//! comments and comments aside) and fails on an import of a module at the same level or
//! above, so an upward import cannot land.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules and their level; a module may import only lower levels.
const LAYERS: &[(&str, u32)] = &[
    ("sanitize", 0),
    ("json", 1),
    ("units", 0),
    ("par", 0),
    ("outfile", 0),
    ("finding", 2),
    ("detect", 3),
    ("artifact", 4),
    ("manifest", 5),
    ("diff", 6),
    ("rules", 7),
    ("report", 8),
    ("approval", 8),
    ("inputs", 9),
    ("check", 10),
    ("review", 10),
    ("gate", 10),
    ("cli", 11),
];

fn level(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file with comments blanked out (line structure kept).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string literal is rare in this codebase's import lines; good
            // enough to blank doc comments and comments.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every top-level module named after `crate::` in `code`, with its line number; `use
/// crate::{a::b, c}` names `a` and `c`.
fn imports(code: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(p) = code[from..].find("crate::") {
        let at = from + p;
        from = at + 7;
        // `shipcheck::crate::` cannot occur; a preceding identifier char means another path.
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: split on commas at brace depth 0.
            let (mut depth, mut item_start, mut items) = (0i32, 0usize, Vec::new());
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        items.push(&group[item_start..i]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(&group[item_start..i]);
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
            for item in items {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push((name, line));
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push((name, line));
        }
    }
    out
}

#[test]
fn no_module_imports_one_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(&root).expect("under src/");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a UTF-8 name")
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(own) = level(&top) else {
            violations.push(format!(
                "src/{} belongs to `{top}`, which has no level in LAYERS: add it",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable source");
        for (module, line) in imports(&code_of(&text)) {
            if module == top {
                continue;
            }
            *edges.entry((top.clone(), module.clone())).or_default() += 1;
            match level(&module) {
                Some(l) if l < own => {}
                Some(l) => violations.push(format!(
                    "src/{}:{line}: `{top}` (level {own}) imports `crate::{module}` (level {l})",
                    rel.display()
                )),
                None => violations.push(format!(
                    "src/{}:{line}: `crate::{module}` has no level in LAYERS",
                    rel.display()
                )),
            }
        }
    }
    assert!(
        violations.is_empty(),
        "upward or sideways imports:\n{}",
        violations.join("\n")
    );
    assert!(
        edges.contains_key(&("rules".into(), "artifact".into())),
        "the scan reads the code: rules use the artifact model"
    );
}

#[test]
fn the_scanner_sees_grouped_and_nested_imports() {
    let code = "use crate::{a::b, c, d::{e, f}};\nfn x() { crate::g::h(); }\n";
    let names: Vec<String> = imports(code).into_iter().map(|(m, _)| m).collect();
    assert_eq!(names, ["a", "c", "d", "g"]);
    assert!(
        imports(&code_of("//! see [`crate::cli`]\n")).is_empty(),
        "doc links are not imports"
    );
}
