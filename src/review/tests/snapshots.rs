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
    insta::assert_snapshot!(drive(&mut app, 80, 24, keys("\t\tj\n")));
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
    let mut app = App::new(open(&bytes, "img.tgz"), None, vec![]);
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
