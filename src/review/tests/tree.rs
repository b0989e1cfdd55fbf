//! The tree pane: the marks a collapsed folder carries, the `f` filter on a folder's own
//! finding, and the rows of a source map's embedded sources (their naming, bars and marker).

use crate::manifest::Manifest;
use crate::review::App;
use crate::review::tree::Status;

use super::{drive, fixtures, keys, open};

/// Twelve native binaries under `vendor/` (two tools × six platforms), some locales and a
/// `cli.js`; in the new release every binary changed, one locale is gone and a new top-level
/// `sdk/` folder appears: a release shaped like claude-code 2.1.88 against 2.1.87.
fn vendored_release(new: bool) -> Vec<u8> {
    let platforms = [
        "x64-linux",
        "arm64-linux",
        "x64-darwin",
        "arm64-darwin",
        "x64-win32",
        "arm64-win32",
    ];
    let version = if new { "2.0.1" } else { "2.0.0" };
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "package.json".into(),
            format!(r#"{{"name":"vend","version":"{version}"}}"#).into_bytes(),
        ),
        ("cli.js".into(), b"console.log('hi');\n".repeat(40)),
    ];
    for p in platforms {
        for (tool, size) in [("ripgrep", 900), ("audio", 300)] {
            let name = if tool == "ripgrep" {
                "rg"
            } else {
                "libaudio.so"
            };
            let mut bytes = vec![if new { 0x5a } else { 0xa5 }; size];
            bytes[..4].copy_from_slice(b"\x7fELF");
            files.push((format!("vendor/{tool}/{p}/{name}"), bytes));
        }
    }
    for i in 0..20 {
        if new && i == 7 {
            continue;
        }
        files.push((
            format!("locales/l{i:02}.json"),
            format!("{{\"hello\":\"{i}\"}}\n").into_bytes(),
        ));
    }
    if new {
        files.push(("sdk/index.js".into(), b"export const sdk = 1;\n".to_vec()));
        files.push((
            "sdk/types.d.ts".into(),
            b"export declare const sdk: 1;\n".to_vec(),
        ));
    }
    let refs: Vec<(&[u8], &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_bytes(), b.as_slice()))
        .collect();
    fixtures::tgz(&refs)
}

/// The new vendored release against the old one, with the rules' findings.
fn vendored_app() -> App {
    let new = open(&vendored_release(true), "vend-2.0.1.tgz");
    let old = open(&vendored_release(false), "vend-2.0.0.tgz");
    let evaluation = crate::rules::evaluate(&new, Some(&Manifest::of(&old)));
    let baseline = crate::review::Baseline::new(Manifest::of(&old), Some(old), &new);
    let mut app = App::new(new, Some(baseline), evaluation);
    app.color = false;
    app
}

fn mark_of(app: &App, path: &str) -> Status {
    let id = app
        .tree
        .node_at(path)
        .unwrap_or_else(|| panic!("{path} is in the tree"));
    app.tree.node(id).mark
}

/// The screen line of the row named `name`.
fn row<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("a row {name}:\n{screen}"))
}

/// The change mark and severity letter drawn before the row named `name`.
fn marks(screen: &str, name: &str) -> (char, char) {
    let line: Vec<char> = row(screen, name).chars().collect();
    let name: Vec<char> = name.chars().collect();
    let at = (0..line.len())
        .find(|i| line[*i..].starts_with(&name))
        .expect("the name is on its row");
    (line[at - 3], line[at - 2])
}

#[test]
fn a_collapsed_folder_carries_the_marks_of_what_it_holds() {
    let mut app = vendored_app();
    let screen = drive(&mut app, 80, 24, vec![]);
    let vendor = app.tree.node_at("vendor").expect("vendor/");
    assert!(
        app.view.rows.contains(&vendor) && !app.view.expanded[vendor as usize],
        "vendor/ is a collapsed row by default:\n{screen}"
    );
    assert_eq!(
        marks(&screen, "vendor/").0,
        '~',
        "the collapsed vendor/ shows that something inside changed:\n{screen}"
    );
    for path in ["vendor", "vendor/ripgrep", "vendor/ripgrep/x64-linux"] {
        assert_eq!(
            mark_of(&app, path),
            Status::Changed,
            "{path} holds changed binaries"
        );
    }
    assert_eq!(
        mark_of(&app, "sdk"),
        Status::Added,
        "a folder whose every file is new is new"
    );
    assert_eq!(
        mark_of(&app, "locales"),
        Status::Changed,
        "a folder that lost one file of twenty changed"
    );
    assert_eq!(
        marks(&screen, "sdk/").0,
        '+',
        "the new folder reads as added:\n{screen}"
    );
    assert_eq!(
        mark_of(&app, "cli.js"),
        Status::Same,
        "a file is only itself"
    );
}

#[test]
fn a_folder_shows_the_worst_severity_inside() {
    let mut app = vendored_app();
    let screen = drive(&mut app, 80, 24, vec![]);
    for (id, n) in app.tree.nodes.iter().enumerate().skip(1) {
        if let Some(p) = n.parent.filter(|p| *p != 0) {
            assert!(
                app.tree.node(p).severity >= n.severity,
                "{} is at least as severe as {} (#{id})",
                app.tree.path(p),
                app.tree.path(id as u32)
            );
        }
    }
    let sdk = app.tree.node(app.tree.node_at("sdk").expect("sdk/"));
    let (letter, _) = crate::review::theme::Theme { color: false }
        .severity(sdk.severity.expect("the new folder is flagged"));
    assert_eq!(
        marks(&screen, "sdk/"),
        ('+', letter.chars().next().expect("a letter")),
        "its letter is beside its mark:\n{screen}"
    );
}

#[test]
fn the_flagged_filter_keeps_a_folder_flagged_itself() {
    let mut app = vendored_app();
    assert!(
        app.findings
            .iter()
            .any(|f| f.rule == "new-top-level-folder" && f.location.path == "sdk/"),
        "the rules flag the new sdk/ folder: {:?}",
        app.findings
    );
    let screen = drive(&mut app, 80, 24, keys("f"));
    let sdk = app.tree.node_at("sdk").expect("sdk/");
    assert!(
        app.tree.node(sdk).own_severity.is_some(),
        "the folder's own finding lands on the folder"
    );
    assert!(
        app.view.rows.contains(&sdk),
        "f keeps the flagged folder:\n{screen}"
    );
    assert_eq!(marks(&screen, "sdk/").0, '+', "with its mark:\n{screen}");
}

#[test]
fn a_folder_finding_jumps_to_its_folder() {
    let mut app = vendored_app();
    let k = app
        .findings
        .iter()
        .position(|f| f.rule == "new-top-level-folder")
        .expect("the new sdk/ folder is flagged");
    drive(&mut app, 80, 24, keys(&format!("\t\t{}\n", "j".repeat(k))));
    assert_eq!(
        app.selected_node().map(|id| app.tree.path(id)),
        Some("sdk".to_owned()),
        "Enter on the folder's finding selects the folder"
    );
}

#[test]
fn snapshot_collapsed_marks() {
    let mut app = vendored_app();
    insta::assert_snapshot!("collapsed_marks_80x24", drive(&mut app, 80, 24, vec![]));
    let mut app = vendored_app();
    insta::assert_snapshot!("collapsed_marks_160x45", drive(&mut app, 160, 45, vec![]));
}

#[test]
fn snapshot_flagged_filter_with_folders() {
    let mut app = vendored_app();
    insta::assert_snapshot!("flagged_folders_80x24", drive(&mut app, 80, 24, keys("f")));
    let mut app = vendored_app();
    insta::assert_snapshot!(
        "flagged_folders_160x45",
        drive(&mut app, 160, 45, keys("f"))
    );
}

/// A package whose map embeds `../src/…` and a bundled `../vendor/…`, beside a real `vendor/`.
fn map_app() -> App {
    let token = fixtures::fake_token("ghp_", 36);
    let big = "export const table = [1, 2, 3];\n".repeat(120);
    let sources = [
        (
            "../src/auth/token.ts",
            format!("// bot\nconst T = '{token}';\n"),
        ),
        ("../src/cli.ts", "import './auth/token';\n".repeat(20)),
        ("../vendor/lib/table.js", big),
    ];
    let (names, contents): (Vec<&str>, Vec<&str>) =
        sources.iter().map(|(n, c)| (*n, c.as_str())).unzip();
    let map = serde_json::json!({ "version": 3, "file": "cli.js", "sources": names,
        "sourcesContent": contents, "names": [], "mappings": "AAAA" })
    .to_string();
    let bytes = fixtures::tgz(&[
        (b"package.json", br#"{"name":"mapped","version":"1.0.0"}"#),
        (
            b"dist/cli.js",
            b"console.log(1);\n//# sourceMappingURL=cli.js.map\n",
        ),
        (b"dist/cli.js.map", map.as_bytes()),
        (b"vendor/rg", &[0x7f; 700]),
    ]);
    let a = open(&bytes, "mapped-1.0.0.tgz");
    let evaluation = crate::rules::evaluate(&a, None);
    let mut app = App::new(a, None, evaluation);
    app.color = false;
    app
}

/// Keys that select the map and expand it into its embedded sources.
const OPEN_MAP: &str = "/cli.js.map\n\x1b\n";

#[test]
fn embedded_sources_are_named_as_findings_name_them() {
    let mut app = map_app();
    let k = app
        .findings
        .iter()
        .position(|f| f.rule == "secret-github-pat")
        .expect("the token in the map is found");
    let loc = app.findings[k].location.clone();
    assert_eq!(
        loc.inner.as_deref(),
        Some("../src/auth/token.ts"),
        "findings keep the map's own name"
    );
    drive(&mut app, 80, 24, keys(&format!("\t\t{}\n", "j".repeat(k))));
    let id = app.selected_node().expect("the finding selects a row");
    assert_eq!(
        app.tree.path(id),
        format!(
            "{} ▸ {}",
            loc.path,
            loc.inner.as_deref().unwrap_or_default()
        ),
        "the row's path is the finding's location, character for character"
    );
    let names: Vec<&str> = {
        let mut p = Some(id);
        let mut v = Vec::new();
        while let Some(n) = p.filter(|n| *n != 0) {
            v.push(app.tree.node(n).name.as_str());
            p = app.tree.node(n).parent;
        }
        v.into_iter().rev().collect()
    };
    assert_eq!(
        names,
        ["dist", "cli.js.map", "../src", "auth", "token.ts"],
        "the rows down to it spell the same name"
    );
}

#[test]
fn embedded_rows_are_marked_and_have_bars() {
    let mut app = map_app();
    let screen = drive(&mut app, 120, 30, keys(OPEN_MAP));
    assert_eq!(
        app.selected_node().map(|id| app.tree.path(id)),
        Some("dist/cli.js.map".to_owned())
    );
    let embedded = row(&screen, "◦ ../vendor/");
    assert!(
        !embedded.contains("······"),
        "an embedded folder's bar shows its bytes:\n{screen}"
    );
    let real = row(&screen, " vendor/");
    assert!(
        !real.contains('◦'),
        "the package's own vendor/ has no virtual marker:\n{screen}"
    );
    assert!(
        row(&screen, "◦ ../src/").contains("◦ ../src/"),
        "every virtual row carries the marker:\n{screen}"
    );
    assert!(
        screen.contains("bars: share of package"),
        "the pane says what the bars measure:\n{screen}"
    );
    let map = app.tree.node_at("dist/cli.js.map").expect("the map");
    let vendor = app
        .tree
        .inner_node(map, "../vendor")
        .expect("the embedded vendor/");
    assert!(
        app.tree.node(vendor).size > 3000,
        "the embedded folder sums its sources"
    );
}

#[test]
fn snapshot_embedded_rows() {
    let mut app = map_app();
    insta::assert_snapshot!(
        "embedded_rows_80x24",
        drive(&mut app, 80, 24, keys(OPEN_MAP))
    );
    let mut app = map_app();
    insta::assert_snapshot!(
        "embedded_rows_160x45",
        drive(&mut app, 160, 45, keys(OPEN_MAP))
    );
}
