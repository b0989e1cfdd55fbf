//! Snapshots of every main state at 80×24 (and a larger size where the state needs room).

use super::{drive, fixtures, keys, leaky_app, open};
use crate::review::App;

#[test]
fn overview() {
    let mut app = leaky_app();
    insta::assert_snapshot!(drive(&mut app, 80, 24, vec![]));
}

#[test]
fn embedded_source_finding() {
    let mut app = leaky_app();
    // The fourth finding: the GitHub token inside the map's embedded token.ts.
    insta::assert_snapshot!(drive(&mut app, 80, 24, keys("\t\tjjj\n")));
}

#[test]
fn diff_view() {
    let mut app = leaky_app();
    insta::assert_snapshot!(drive(&mut app, 80, 24, keys("/cli.js\n\nd")));
}

#[test]
fn help() {
    let mut app = leaky_app();
    insta::assert_snapshot!(drive(&mut app, 80, 24, keys("?")));
}

#[test]
fn filter_typing() {
    let mut app = leaky_app();
    insta::assert_snapshot!(drive(&mut app, 80, 24, keys("/sc")));
}

#[test]
fn binary_hex_view() {
    let bytes = fixtures::tgz(&[
        (b"package.json", br#"{"name":"img","version":"1.0.0"}"#),
        (
            b"logo.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa",
        ),
    ]);
    let mut app = App::new(
        open(&bytes, "img.tgz"),
        None,
        crate::rules::Evaluation::default(),
    );
    app.color = false;
    insta::assert_snapshot!(drive(&mut app, 80, 24, keys("/png\n")));
}

#[test]
fn hostile_names_are_escaped() {
    let a = open(&fixtures::hostile(), "evil.tgz");
    let findings = crate::rules::evaluate(&a, None);
    let mut app = App::new(a, None, findings);
    app.color = false;
    let screen = drive(&mut app, 80, 24, vec![]);
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{202e}'),
        "no raw escape reaches the buffer"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn small_terminal() {
    let mut app = leaky_app();
    insta::assert_snapshot!(drive(&mut app, 60, 16, vec![]));
}

#[test]
fn any_terminal_size_draws_without_panicking() {
    for (w, h) in [(1, 1), (10, 5), (20, 8), (40, 12), (200, 60)] {
        let mut app = leaky_app();
        let screen = drive(&mut app, w, h, keys("\t\tj\n\tx?"));
        assert_eq!(
            screen.lines().count(),
            usize::from(h),
            "{w}x{h} fills the screen"
        );
    }
}

#[test]
fn a_finding_past_the_end_of_its_file_still_shows_the_file() {
    let mut app = leaky_app();
    let k = app
        .findings
        .iter()
        .position(|f| f.rule == "secret-stripe-secret-key")
        .expect("finding");
    assert_eq!(k, 1, "the Stripe key is the second finding");
    app.findings[k].location.line = Some(9999);
    let screen = drive(&mut app, 80, 24, keys("\t\tj\n"));
    assert!(
        screen.contains("DATABASE_URL"),
        "the last lines are on screen:\n{screen}"
    );
}

#[test]
fn an_empty_package_draws_and_takes_every_key() {
    let mut app = App::new(
        open(&fixtures::tgz(&[]), "empty.tgz"),
        None,
        crate::rules::Evaluation::default(),
    );
    let screen = drive(&mut app, 80, 24, keys("jk\n\thlx\td\tr?\x1b/a\x1bfcsnS"));
    assert!(
        screen.contains("nothing matches"),
        "an empty tree says so:\n{screen}"
    );
    assert!(!app.should_quit);
}

#[test]
fn help_scrolled_to_the_end() {
    let mut app = leaky_app();
    insta::assert_snapshot!(drive(&mut app, 80, 24, keys("?G")));
}

#[test]
fn help_large() {
    let mut app = leaky_app();
    insta::assert_snapshot!(drive(&mut app, 160, 45, keys("?")));
}

#[test]
fn preview_focused_large() {
    let mut app = leaky_app();
    insta::assert_snapshot!(drive(&mut app, 160, 45, keys("/cli.js\n\n")));
}
