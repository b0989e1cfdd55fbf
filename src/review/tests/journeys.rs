//! Journeys: what a reviewer does, key by key, and what the screen must then hold.

use super::super::action::Mode;
use super::super::app::Pane;
use super::super::preview::ViewMode;
use super::super::tree::NodeKind;
use super::{drive, keys, leaky_app};

fn selected_path(app: &super::super::App) -> String {
    app.selected_node()
        .map(|id| app.tree.path(id))
        .unwrap_or_default()
}

#[test]
fn opening_starts_on_the_largest_file_with_nothing_viewed() {
    let mut app = leaky_app();
    drive(&mut app, 80, 24, vec![]);
    assert_eq!(
        selected_path(&app),
        "dist",
        "sorted by size, the dist folder comes first"
    );
    assert_eq!(
        app.coverage.flagged_viewed(),
        (0, 5),
        "five flagged files (.env, the map, package.json, cli.js and the token.ts the map \
         embeds), none viewed yet"
    );
}

#[test]
fn jumping_to_an_embedded_secret_opens_the_map_and_masks_it() {
    let mut app = leaky_app();
    // Tab Tab: findings pane; jjj: the fourth finding (after the two in .env and the map's
    // own), the token in the map; Enter: jump.
    assert_eq!(
        app.findings[3].rule, "secret-github-pat",
        "the rules' order"
    );
    let screen = drive(&mut app, 100, 30, keys("\t\tjjj\n"));
    let id = app.selected_node().expect("a row is selected");
    assert_eq!(
        app.tree.path(id),
        "dist/cli.js.map ▸ src/auth/token.ts",
        "the tree cursor is on the embedded source"
    );
    assert!(matches!(app.tree.node(id).kind, NodeKind::Inner { .. }));
    let doc = app.preview.as_ref().expect("the preview shows it");
    assert_eq!(doc.focus, Some(1), "line 2 is the finding's line");
    assert!(
        screen.contains("const GITHUB_TOKEN = 'ghp_Q7****"),
        "the token is masked:\n{screen}"
    );
    assert!(
        !screen.contains("Q7fZ2kP9"),
        "no part of the secret after the prefix its finding shows is drawn"
    );
    assert!(
        app.coverage
            .embedded_viewed
            .contains("dist/cli.js.map ▸ src/auth/token.ts")
    );
    assert!(app.coverage.findings_viewed.contains(&3));
    assert!(
        app.coverage.files_viewed.is_empty(),
        "reading an embedded source is not reading the map: its own content was not shown"
    );
    assert_eq!(
        app.coverage.flagged_viewed(),
        (1, 5),
        "the embedded token.ts is a flagged file of its own"
    );
    assert_eq!(
        app.focus,
        Pane::Findings,
        "focus stays in the list to walk the next finding"
    );
}

#[test]
fn reveal_shows_the_secret_and_hides_it_again() {
    let mut app = leaky_app();
    let screen = drive(&mut app, 100, 30, keys("\t\tjjj\nr"));
    assert!(
        screen.contains("Q7fZ2kP9"),
        "r reveals the token to the reviewer:\n{screen}"
    );
    let screen = drive(&mut app, 100, 30, keys("r"));
    assert!(!screen.contains("Q7fZ2kP9"), "a second r masks it again");
}

#[test]
fn the_env_secret_is_masked_when_browsing_too() {
    let mut app = leaky_app();
    let screen = drive(&mut app, 100, 30, keys("/env\n\n"));
    assert_eq!(selected_path(&app), ".env");
    assert!(
        screen.contains("STRIPE_SECRET_KEY=sk_live_****"),
        "masked in a plain preview:\n{screen}"
    );
    assert!(
        app.coverage
            .files_viewed
            .iter()
            .any(|i| app.artifact.entries[*i as usize].path == ".env")
    );
    assert_eq!(
        app.coverage.flagged_viewed().0,
        1,
        ".env counts as a viewed flagged file"
    );
}

#[test]
fn enter_expands_a_source_map_into_its_embedded_files() {
    let mut app = leaky_app();
    drive(&mut app, 80, 24, keys("/map\n"));
    assert_eq!(selected_path(&app), "dist/cli.js.map");
    assert_eq!(
        app.mode,
        Mode::Browse,
        "Enter keeps the filter and goes back to browsing"
    );
    drive(&mut app, 80, 24, keys("\x1b\n"));
    assert!(!app.view.filters.active(), "Esc clears the filter");
    let rows: Vec<String> = app
        .view
        .rows
        .iter()
        .map(|r| app.tree.node(*r).name.clone())
        .collect();
    assert!(
        rows.contains(&"src".to_owned()),
        "the virtual folder of the map's sources is a row: {rows:?}"
    );
}

#[test]
fn filters_for_flagged_and_changed_entries() {
    let mut app = leaky_app();
    drive(&mut app, 80, 24, keys("f"));
    let names: Vec<String> = app.view.rows.iter().map(|r| app.tree.path(*r)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert!(
        names.contains(&".env") && names.contains(&"package.json"),
        "flagged files stay: {names:?}"
    );
    assert!(!names.contains(&"LICENSE"), "unflagged files go: {names:?}");
    drive(&mut app, 80, 24, keys("fc"));
    let names: Vec<String> = app.view.rows.iter().map(|r| app.tree.path(*r)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert!(
        names.contains(&"CHANGELOG.md"),
        "the removed changelog is shown in place: {names:?}"
    );
    assert!(
        names.contains(&"dist/cli.js"),
        "the changed file is shown: {names:?}"
    );
    assert!(
        !names.contains(&"dist/lib/util.js"),
        "the unchanged file is hidden: {names:?}"
    );
}

#[test]
fn diff_view_shows_the_changed_lines() {
    let mut app = leaky_app();
    let screen = drive(&mut app, 100, 30, keys("/cli.js\x1b"));
    let _ = screen;
    let mut app = leaky_app();
    let screen = drive(&mut app, 100, 30, keys("/cli.js\n\nd"));
    assert_eq!(selected_path(&app), "dist/cli.js");
    let doc = app.preview.as_ref().expect("preview");
    assert_eq!(doc.mode, ViewMode::Diff, "d switches to the diff view");
    assert!(
        screen.contains("-const { greet } = require('./lib/util')›"),
        "removed line, cut at the pane's edge with the marker the text view uses:\n{screen}"
    );
    assert!(
        screen.contains("+//# sourceMappingURL=cli.js.map"),
        "added line:\n{screen}"
    );
    drive(&mut app, 100, 30, keys("d"));
    assert_eq!(
        app.preview.as_ref().map(|d| d.mode),
        Some(ViewMode::Text),
        "d again goes back"
    );
}

#[test]
fn sort_cycles_and_keeps_the_cursor_on_its_node() {
    let mut app = leaky_app();
    drive(&mut app, 80, 24, keys("/LIC\n\x1b"));
    let before = selected_path(&app);
    drive(&mut app, 80, 24, keys("s"));
    assert_eq!(
        selected_path(&app),
        before,
        "the cursor follows its node through a re-sort"
    );
    let first = app.tree.node(app.view.rows[0]).name.clone();
    assert_eq!(first, "dist", "by name, folders come first");
}

#[test]
fn sign_off_without_signing_settings_says_so() {
    let mut app = leaky_app();
    let screen = drive(&mut app, 80, 24, keys("S"));
    assert!(
        screen.contains("opened without sign-off settings"),
        "{screen}"
    );
    assert!(
        app.signoff.is_none(),
        "no dialog without what signing needs"
    );
    assert!(!app.should_quit);
}

#[test]
fn q_quits_and_help_toggles() {
    let mut app = leaky_app();
    drive(&mut app, 80, 24, keys("?"));
    assert_eq!(app.mode, Mode::Help);
    drive(&mut app, 80, 24, keys("?q"));
    assert_eq!(app.mode, Mode::Browse, "? closes the help");
    assert!(app.should_quit, "q quits");
}

#[test]
fn a_resize_keeps_the_cursor_visible() {
    let mut app = leaky_app();
    drive(&mut app, 80, 40, keys("G"));
    let sel = app.selected;
    let ev = vec![Ok(crossterm::event::Event::Resize(80, 12))];
    drive(&mut app, 80, 12, ev);
    assert!(
        app.tree_offset <= sel && sel < app.tree_offset + app.tree_height(),
        "cursor row {sel} is within the shrunk pane"
    );
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut app = leaky_app();
    let click = |row| {
        Ok(Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 5,
            row,
            modifiers: KeyModifiers::NONE,
        }))
    };
    drive(&mut app, 80, 24, vec![click(5)]);
    assert_eq!(
        app.selected, 1,
        "row 5 of the screen is the second tree row (header 3, border 1)"
    );
    let wheel = Ok(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 6,
        modifiers: KeyModifiers::NONE,
    }));
    drive(&mut app, 80, 24, vec![wheel]);
    assert_eq!(app.selected, 4, "the wheel moves three rows");
}

#[test]
fn a_finding_inside_a_nested_archive_jumps_into_it() {
    let key = super::fixtures::fake_token("sk_live_", 24);
    let js = format!("// vendored\nexports.key = '{key}';\n");
    let inner = super::fixtures::tgz(&[
        (b"index.js", b"module.exports = require('./lib/key');\n"),
        (b"lib/key.js", js.as_bytes()),
    ]);
    let outer = super::fixtures::tgz(&[
        (b"package.json", br#"{"name":"host","version":"1.0.0"}"#),
        (b"vendor/dep.tgz", &inner),
    ]);
    let a = super::open(&outer, "host.tgz");
    // The real finding on the key inside the archive (the archive's own finding is left out so
    // that `n` goes to the key).
    let mut f = crate::rules::evaluate(&a, None);
    f.findings.retain(|f| f.rule.starts_with("secret-"));
    assert_eq!(
        f.findings.len(),
        1,
        "the key inside the archive is found: {f:?}"
    );
    let mut app = super::super::App::new(a, None, f);
    let screen = drive(&mut app, 80, 24, keys("n"));
    assert_eq!(
        selected_path(&app),
        "vendor/dep.tgz ▸ lib/key.js",
        "n jumps into the nested archive"
    );
    assert_eq!(
        app.preview.as_ref().and_then(|d| d.focus),
        Some(1),
        "at line 2"
    );
    assert!(
        screen.contains("exports.key = 'sk_live_****"),
        "the line is shown, its key masked:\n{screen}"
    );
}

#[test]
fn a_manifest_baseline_explains_why_there_is_no_diff() {
    use crate::manifest::Manifest;
    let new = super::open(&super::fixtures::demo_leaky(), "new.tgz");
    let old = super::open(&super::fixtures::demo_clean(), "old.tgz");
    let baseline = super::super::Baseline::new(Manifest::of(&old), None, &new);
    let mut app = super::super::App::new(new, Some(baseline), crate::rules::Evaluation::default());
    let screen = drive(&mut app, 100, 30, keys("/cli.js\n\nd"));
    assert_eq!(selected_path(&app), "dist/cli.js");
    assert!(
        screen.contains("The baseline is a release manifest"),
        "the diff view says why it cannot diff:\n{screen}"
    );
    assert!(
        screen.contains("~  cli.js"),
        "the change itself is still marked in the tree:\n{screen}"
    );
}

#[test]
fn a_finding_by_path_only_still_flags_its_file() {
    let mut app = leaky_app();
    let f = app.findings.iter().position(|f| f.rule == "install-script");
    let k = f.expect("the install-script finding");
    app.findings[k].location.entry = None;
    let a = std::mem::replace(
        &mut app.artifact,
        super::open(&super::fixtures::demo_clean(), "x.tgz"),
    );
    let evaluation = crate::rules::Evaluation {
        findings: app.findings.clone(),
        facts: app.facts.clone(),
    };
    let app = super::super::App::new(a, None, evaluation);
    let pkg = app
        .artifact
        .installed()
        .find(|e| e.path == "package.json")
        .map(|e| e.index);
    assert!(
        pkg.is_some_and(|i| app.coverage.flagged_files.contains(&i)),
        "package.json is flagged through its path"
    );
}

#[test]
fn secrets_stay_masked_in_the_hex_view() {
    let mut app = leaky_app();
    let screen = drive(&mut app, 100, 30, keys("/env\n\nx"));
    assert_eq!(app.preview.as_ref().map(|d| d.mode), Some(ViewMode::Hex));
    assert!(
        screen.contains("**"),
        "hidden bytes are shown as **:\n{screen}"
    );
    assert!(
        !screen.contains("51 37 66 5a"),
        "the key's bytes are not in the hex:\n{screen}"
    );
    // r reveals the first secret in view: the database password on line 2, and only it.
    let screen = drive(&mut app, 100, 30, keys("r"));
    assert!(
        screen.contains("3a 68 75 6e 74 65 72 32"),
        "revealed, the password's bytes show in hex:\n{screen}"
    );
    assert!(
        !screen.contains("51 37 66 5a"),
        "the Stripe key on the next line stays hidden:\n{screen}"
    );
}

#[test]
fn secrets_stay_masked_in_the_diff_view() {
    use crate::manifest::Manifest;
    let token = super::fixtures::fake_token("ghp_", 36);
    let old = super::open(
        &super::fixtures::tgz(&[(b"config.js", b"token = 'none';\n")]),
        "o.tgz",
    );
    let new_cfg = format!("token = '{token}';\n");
    let new = super::open(
        &super::fixtures::tgz(&[(b"config.js", new_cfg.as_bytes())]),
        "n.tgz",
    );
    let f = crate::rules::evaluate(&new, None);
    assert!(
        f.findings.iter().any(|f| f.rule == "secret-github-pat"),
        "the rules find the token: {f:?}"
    );
    let baseline = super::super::Baseline::new(Manifest::of(&old), Some(old), &new);
    let mut app = super::super::App::new(new, Some(baseline), f);
    let screen = drive(&mut app, 100, 30, keys("/config\n\nd"));
    assert_eq!(app.preview.as_ref().map(|d| d.mode), Some(ViewMode::Diff));
    assert!(
        screen.contains("+token = 'ghp_Q7****"),
        "the added line is masked:\n{screen}"
    );
    assert!(
        !screen.contains("Q7fZ"),
        "no part of the token is drawn:\n{screen}"
    );
}

#[test]
fn a_finding_on_a_source_map_opens_its_embedded_folder() {
    let mut app = leaky_app();
    // The third finding, after the two secrets in .env; Tab back to the tree to see it whole.
    assert_eq!(app.findings[2].rule, "sourcemap-embedded-sources");
    let screen = drive(&mut app, 80, 24, keys("\t\tjj\n\t"));
    assert_eq!(
        selected_path(&app),
        "dist/cli.js.map",
        "Enter on the finding goes to the map"
    );
    assert!(
        screen.contains("▾+C cli.js.map"),
        "the map is expanded:\n{screen}"
    );
    assert!(
        screen.contains("C ◦ src/"),
        "its embedded folder is a row:\n{screen}"
    );
    assert!(
        screen.contains("holds files"),
        "the preview says the map holds files:\n{screen}"
    );
}

#[test]
fn reveal_shows_only_the_secret_of_the_finding_in_view() {
    let (a1, a2) = (
        super::fixtures::fake_token("sk_live_", 24),
        super::fixtures::fake_token("ghp_", 36),
    );
    let cfg = format!("stripe = {a1}\ngh = {a2}\n");
    let a = super::open(
        &super::fixtures::tgz(&[(b"keys.txt", cfg.as_bytes())]),
        "k.tgz",
    );
    let findings = crate::rules::evaluate(&a, None);
    assert_eq!(
        findings
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("secret-"))
            .count(),
        2,
        "the rules find both keys: {findings:?}"
    );
    let mut app = super::super::App::new(a, None, findings);
    let screen = drive(&mut app, 100, 30, keys("\t\tj\nr"));
    assert!(
        screen.contains(&a2[..20]),
        "the GitHub token in view is revealed:\n{screen}"
    );
    assert!(
        !screen.contains(&format!("stripe = {}", &a1[..12])),
        "the Stripe key on another line stays masked:\n{screen}"
    );
    assert!(
        screen.contains("stripe = sk_live_************************"),
        "masked after the prefix its finding shows, to its end:\n{screen}"
    );
    let screen = drive(&mut app, 100, 30, keys("r"));
    assert!(!screen.contains(&a2[..20]), "r masks it again:\n{screen}");
}

#[test]
fn a_real_file_cannot_pose_as_an_embedded_source() {
    let map = br#"{"version":3,"sources":["a.ts"],"sourcesContent":["real embedded\n"]}"#;
    let bytes = super::fixtures::tgz(&[
        (b"x.js.map", map),
        ("x.js.map \u{25b8} a.ts".as_bytes(), b"an impostor\n"),
    ]);
    let a = super::open(&bytes, "i.tgz");
    let evaluation = crate::rules::evaluate(&a, None);
    let app = super::super::App::new(a, None, evaluation);
    let map_node = app.tree.node_at("x.js.map").expect("the map");
    let inner = app
        .tree
        .inner_node(map_node, "a.ts")
        .expect("its embedded source");
    assert!(
        matches!(app.tree.node(inner).kind, NodeKind::Inner { .. }),
        "the embedded one is virtual"
    );
    let impostor = app
        .tree
        .node_at("x.js.map \u{25b8} a.ts")
        .expect("the real file");
    assert_ne!(impostor, inner, "the real file is its own node");
    assert!(
        matches!(app.tree.node(impostor).kind, NodeKind::Entry(_)),
        "and it is a real entry"
    );
    assert_eq!(
        app.tree.node(impostor).parent,
        Some(0),
        "at the top level, not inside the map"
    );
}

#[test]
fn findings_name_embedded_sources_with_or_without_the_bundler_prefix() {
    let mut app = leaky_app();
    let map = app.tree.node_at("dist/cli.js.map").expect("map");
    let token = app
        .tree
        .inner_node(map, "src/auth/token.ts")
        .expect("token.ts, shown under the name the rules give it");
    for inner in [
        "webpack://demo-cli/./src/auth/token.ts",
        "src/auth/token.ts",
        "./src/auth/token.ts",
        "auth/token.ts",
    ] {
        let k = app
            .findings
            .iter()
            .position(|f| f.rule == "secret-github-pat");
        let mut f = app.findings[k.expect("the token in the map is found")].clone();
        f.location.inner = Some(inner.into());
        assert_eq!(app.tree.locate(&f), Some(token), "{inner} locates token.ts");
    }
    app.findings.clear();
}

#[test]
fn a_removed_folder_is_shown_in_place_as_removed() {
    use crate::manifest::Manifest;
    use crate::review::tree::Status;
    let old = super::open(
        &super::fixtures::tgz(&[
            (b"index.js", b"1\n"),
            (b"old/a.js", b"2\n"),
            (b"old/deep/b.js", b"3\n"),
        ]),
        "o.tgz",
    );
    let new = super::open(&super::fixtures::tgz(&[(b"index.js", b"1\n")]), "n.tgz");
    let baseline = super::super::Baseline::new(Manifest::of(&old), Some(old), &new);
    let mut app = super::super::App::new(new, Some(baseline), crate::rules::Evaluation::default());
    let screen = drive(&mut app, 80, 24, keys("c"));
    for path in ["old", "old/deep", "old/deep/b.js", "old/a.js"] {
        let id = app
            .tree
            .node_at(path)
            .expect("removed paths are in the tree");
        assert_eq!(
            app.tree.node(id).status,
            Status::Removed,
            "{path} is marked removed"
        );
        assert!(
            app.view.rows.contains(&id),
            "{path} is listed under only-changed:\n{screen}"
        );
    }
    assert!(
        !screen.contains("index.js"),
        "the unchanged file is hidden:\n{screen}"
    );
}

#[test]
fn the_rules_why_is_read_to_its_end_at_80x24() {
    let mut app = leaky_app();
    let k = app
        .findings
        .iter()
        .position(|f| f.rule == "secret-github-pat")
        .expect("the token in the map is found");
    let walk = "j".repeat(k);
    let screen = drive(&mut app, 80, 24, keys(&format!("\t\t{walk}\n")));
    assert!(
        screen.contains("why: A credential published"),
        "the detail starts with the rule's why:\n{screen}"
    );
    assert!(
        screen.contains("PgDn more"),
        "it says there is more:\n{screen}"
    );
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("term");
    let pgdn = || {
        Ok(crossterm::event::Event::Key(
            crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::PageDown,
                crossterm::event::KeyModifiers::NONE,
            ),
        ))
    };
    super::super::run_loop(&mut t, &mut app, vec![pgdn(), pgdn()].into_iter()).expect("event loop");
    let screen = t.backend().to_string();
    assert!(
        screen.contains("placeholders are reported as info"),
        "PgDn twice scrolls the detail to the why's last sentence:\n{screen}"
    );
    assert!(screen.contains("PgUp back"), "and says so:\n{screen}");
}

#[test]
fn the_first_frame_says_scanning_until_the_rules_are_in() {
    let a = super::open(&super::fixtures::demo_leaky(), "demo-cli-1.1.0.tgz");
    let mut app = super::super::App::new(a, None, crate::rules::Evaluation::default());
    app.scanning = true;
    let screen = drive(&mut app, 80, 24, vec![]);
    assert!(
        screen.contains("scanning"),
        "the header says the rules are still running"
    );
    assert!(
        !screen.contains("no findings") && !screen.contains("No findings"),
        "an unscanned package never claims to have no findings"
    );
}

#[test]
fn an_index_map_opens_as_the_folder_of_every_section_s_sources() {
    let token = super::fixtures::fake_token("ghp_", 36);
    let secret = format!("const a = 1;\nconst t = \"{token}\";\n");
    let map = super::fixtures::index_map(&[
        &[("webpack://app/./src/a.ts", secret.as_str())],
        &[("../src/lib/b.ts", "export const b = 2;\n")],
    ]);
    let bytes = super::fixtures::tgz(&[
        (b"package.json", br#"{"name":"idx","version":"1.0.0"}"#),
        (b"dist/app.js.map", &map),
    ]);
    let a = super::open(&bytes, "idx-1.0.0.tgz");
    let findings = crate::rules::evaluate(&a, None);
    let app = super::super::App::new(a, None, findings);
    let map_node = app.tree.node_at("dist/app.js.map").expect("the map");
    for inner in ["src/a.ts", "../src/lib/b.ts"] {
        let id = app
            .tree
            .inner_node(map_node, inner)
            .unwrap_or_else(|| panic!("{inner} from its section is in the map's folder"));
        assert!(matches!(app.tree.node(id).kind, NodeKind::Inner { .. }));
    }
    let secret_finding = app
        .findings
        .iter()
        .find(|f| f.rule == "secret-github-pat")
        .expect("the token in the first section is found");
    let a_ts = app.tree.inner_node(map_node, "src/a.ts");
    assert_eq!(
        app.tree.locate(secret_finding),
        a_ts,
        "the finding points at the embedded source"
    );
    let NodeKind::Inner { content, .. } = &app.tree.node(a_ts.expect("a.ts")).kind else {
        panic!("a.ts is an embedded source");
    };
    assert_eq!(
        &content.bytes(&app.artifact).expect("the map reads again")[..],
        secret.as_bytes(),
        "the source is shown decoded, as written"
    );
    assert_eq!(
        app.tree.node(a_ts.expect("a.ts")).size,
        secret.len() as u64,
        "its size is the decoded size"
    );
}

#[test]
fn help_scrolls_to_its_end_and_only_question_esc_or_q_close_it() {
    let mut app = leaky_app();
    let screen = drive(&mut app, 80, 24, keys("?dS"));
    assert_eq!(app.mode, Mode::Help, "d and S do not close the help");
    assert!(
        !screen.contains("Mouse:"),
        "at 80×24 the end is below:\n{screen}"
    );
    let screen = drive(&mut app, 80, 24, key(crossterm::event::KeyCode::End));
    assert!(
        screen.contains("Mouse: the wheel") && screen.contains("delete a character"),
        "End shows the last lines:\n{screen}"
    );
    let bottom = app.help_scroll;
    drive(&mut app, 80, 24, keys("jjj"));
    assert_eq!(app.help_scroll, bottom, "it stops at the end");
    drive(&mut app, 80, 24, keys("g"));
    assert_eq!(app.help_scroll, 0, "g goes back to the top");
    drive(&mut app, 80, 24, key(crossterm::event::KeyCode::PageDown));
    assert!(app.help_scroll > 10, "PgDn moves a page");
    drive(&mut app, 80, 24, keys("q"));
    assert_eq!(app.mode, Mode::Browse, "q closes the help");
    assert!(!app.should_quit, "q in the help does not quit");
    for close in ["?", "\u{1b}"] {
        drive(&mut app, 80, 24, keys("?"));
        assert_eq!(app.mode, Mode::Help);
        drive(&mut app, 80, 24, keys(close));
        assert_eq!(app.mode, Mode::Browse, "{close:?} closes the help");
    }
}

#[test]
fn the_focused_pane_is_marked_without_colour() {
    let mut app = leaky_app();
    let screen = drive(&mut app, 80, 24, keys("/cli.js\n\n"));
    assert_eq!(
        app.focus,
        Pane::Preview,
        "Enter on a file focuses the preview"
    );
    let marked: Vec<&str> = screen.lines().filter(|l| l.contains("┌●")).collect();
    assert_eq!(marked.len(), 1, "one pane is marked:\n{screen}");
    assert!(
        marked[0].contains("┐┌● "),
        "the preview's title is (the right-hand pane):\n{screen}"
    );
    let screen = drive(&mut app, 80, 24, keys("\t"));
    assert_eq!(app.focus, Pane::Findings);
    assert!(
        screen.lines().any(|l| l.starts_with("\"┌● findings")),
        "the findings pane is marked:\n{screen}"
    );
}

#[test]
fn a_jump_from_the_findings_says_where_the_tree_cursor_went() {
    let mut app = leaky_app();
    drive(&mut app, 80, 24, keys("/cli.js\n\n\tg"));
    assert_eq!(selected_path(&app), "dist/cli.js", "reading cli.js");
    let screen = drive(&mut app, 80, 24, key(crossterm::event::KeyCode::Right));
    assert_ne!(
        selected_path(&app),
        "dist/cli.js",
        "→ jumps to the finding's file"
    );
    assert!(
        screen.contains("tree cursor moved to"),
        "and the footer says so:\n{screen}"
    );
}

/// One key that `keys` cannot spell.
fn key(code: crossterm::event::KeyCode) -> Vec<std::io::Result<crossterm::event::Event>> {
    vec![Ok(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE),
    ))]
}
