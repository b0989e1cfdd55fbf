//! A big file in the preview: its checked head at once, the whole read between keys.

use std::fmt::Write as _;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::super::App;
use super::super::action::Action;
use super::super::ui;
use super::{drive, fixtures, load};
use crate::artifact::{HEAD, PROGRESSIVE};

/// An npm package with `big.js` (just over [`PROGRESSIVE`] bytes of numbered lines, a GitHub
/// key on a line past the head) and a small file after it, opened as `review` opens it.
/// Returns the key, the 1-based line it is on and the app (the dir holds the file).
fn big_app() -> (tempfile::TempDir, String, usize, App) {
    let key = fixtures::fake_token("ghp_", 36);
    let mut text = String::new();
    let mut line = 0;
    let mut key_line = 0;
    while (text.len() as u64) < PROGRESSIVE + (256 << 10) {
        line += 1;
        if key_line == 0 && text.len() as u64 > PROGRESSIVE - (64 << 10) {
            key_line = line;
            writeln!(text, "const id = \"{key}\";").expect("a String takes it");
        } else {
            writeln!(text, "const a{line} = {line};").expect("a String takes it");
        }
    }
    let tgz = fixtures::npm_tgz(
        "big",
        "1.0.0",
        &[("big.js", text.as_bytes()), ("z.js", b"1;\n")],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fixtures::write(dir.path(), "big-1.0.0.tgz", &tgz);
    let mut app = load(path.to_str().expect("utf-8 temp path"), None);
    app.update(Action::Resize(100, 30));
    (dir, key, key_line, app)
}

fn select_big(app: &mut App) {
    app.update(Action::StartFilter);
    for c in "big.js".chars() {
        app.update(Action::FilterChar(c));
    }
    app.update(Action::FilterDone);
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
    t.draw(|f| ui::render(app, f)).expect("draw");
    t.backend().to_string()
}

#[test]
fn a_big_file_shows_its_head_at_once_and_the_whole_between_keys() {
    let (_dir, key, key_line, mut app) = big_app();
    assert!(
        app.findings
            .iter()
            .any(|f| f.rule.starts_with("secret-")
                && f.location.line == u32::try_from(key_line).ok()),
        "the rules find the key on line {key_line}: {:?}",
        app.findings
    );
    select_big(&mut app);
    let doc = app.preview.as_ref().expect("a preview");
    assert!(doc.partial(), "the head is shown first");
    assert_eq!(doc.len as u64, HEAD, "exactly the head");
    assert!(app.loading());
    let first = screen(&app);
    assert!(
        first.contains("const a1 = 1;") && first.contains("+ · reading 8.65 MB…"),
        "the head's first lines, and the border says the rest is coming:\n{first}"
    );
    // Enter jumps to the key's line: past the head, so it is scrolled to once the whole is in,
    // which the event loop reads while no key waits.
    app.update(Action::Open);
    let last = drive(&mut app, 100, 30, Vec::new());
    assert!(!app.loading(), "the whole is in");
    let doc = app.preview.as_ref().expect("a preview");
    assert!(!doc.partial());
    assert!(doc.line_count() > key_line, "every line is indexed");
    assert!(
        last.contains(&format!("{key_line}")) && last.contains("ghp_"),
        "scrolled to the key's line:\n{last}"
    );
    assert!(
        !last.contains(&key) && !last.contains("reading"),
        "the key is masked once the whole is in:\n{last}"
    );
}

#[test]
fn moving_on_drops_the_load_and_scrolling_reads_the_whole_first() {
    let (_dir, _, _, mut app) = big_app();
    select_big(&mut app);
    assert!(app.loading());
    // The tree cursor moves to another file: its load stops, nothing of it is kept.
    app.update(Action::Back); // clear the filter: the tree shows every file
    app.update(Action::Down);
    assert!(
        app.preview
            .as_ref()
            .is_some_and(|d| !d.path.ends_with("big.js")),
        "another file is shown"
    );
    assert!(!app.loading(), "the big file's load stopped");
    // Back on it, a key that scrolls the document reads the whole first.
    select_big(&mut app);
    assert!(app.loading());
    app.update(Action::NextPane); // focus the preview
    app.update(Action::Bottom);
    let doc = app.preview.as_ref().expect("a preview");
    assert!(
        !app.loading() && !doc.partial(),
        "read whole before scrolling"
    );
    assert!(
        doc.scroll_y + app.preview_height() >= doc.line_count(),
        "at the end of the whole file: {} of {}",
        doc.scroll_y,
        doc.line_count()
    );
}
