//! The preview's views keep what they promise: a binary stays in hex whatever the reviewer
//! does, invalid UTF-8 in text is shown as `\xNN`, the hex view fits the pane, and messages
//! say sizes in the units used everywhere else.

use crate::manifest::Manifest;

use super::super::preview::ViewMode;
use super::super::{App, Baseline};
use super::{drive, fixtures, keys, open};

/// A release whose `bin/tool` is a native binary that changed since the baseline.
fn changed_binary_app() -> App {
    let old_elf = fixtures::elf(2, &[".text"], true, true);
    let new_elf = fixtures::elf(2, &[".text", ".data"], true, true);
    let pkg: &[u8] = br#"{"name":"tool","version":"1.0.0"}"#;
    let old = open(
        &fixtures::tgz(&[(b"package.json", pkg), (b"bin/tool", &old_elf)]),
        "tool-0.9.0.tgz",
    );
    let new = open(
        &fixtures::tgz(&[(b"package.json", pkg), (b"bin/tool", &new_elf)]),
        "tool-1.0.0.tgz",
    );
    let findings = crate::rules::evaluate(&new, Some(&Manifest::of(&old)));
    let baseline = Baseline::new(Manifest::of(&old), Some(old), &new);
    let mut app = App::new(new, Some(baseline), findings);
    app.color = false;
    app
}

#[test]
fn a_binary_returns_to_hex_after_the_diff() {
    for (w, h) in [(80, 24), (160, 45)] {
        let mut app = changed_binary_app();
        let screen = drive(&mut app, w, h, keys("/tool\n\n"));
        assert_eq!(
            app.preview.as_ref().map(|d| d.mode),
            Some(ViewMode::Hex),
            "a native binary opens in hex:\n{screen}"
        );
        let screen = drive(&mut app, w, h, keys("d"));
        assert!(
            screen.contains("Binary file changed"),
            "d explains that a binary has no line diff:\n{screen}"
        );
        for (close, how) in [("\x1b", "Esc"), ("d", "d again")] {
            let screen = drive(&mut app, w, h, keys(close));
            assert_eq!(
                app.preview.as_ref().map(|d| d.mode),
                Some(ViewMode::Hex),
                "{how} at {w}×{h} closes the diff back into hex:\n{screen}"
            );
            assert!(
                screen.contains("ELF executable · hex"),
                "{how}: the title still says what the file is:\n{screen}"
            );
            assert!(
                !screen.contains('\u{fffd}') && !screen.contains("^?ELF"),
                "{how}: no binary is drawn as text:\n{screen}"
            );
            if close == "\x1b" {
                let name = if w == 80 {
                    "binary_after_diff_80x24"
                } else {
                    "binary_after_diff_160x45"
                };
                insta::assert_snapshot!(name, screen);
                drive(&mut app, w, h, keys("d"));
            }
        }
    }
}

#[test]
fn a_text_file_in_hex_returns_to_hex_after_the_diff() {
    let mut app = super::leaky_app();
    drive(&mut app, 100, 30, keys("/cli.js\n\nxd\x1b"));
    assert_eq!(
        app.preview.as_ref().map(|d| d.mode),
        Some(ViewMode::Hex),
        "the view a file had is the view it returns to"
    );
}

#[test]
fn invalid_utf8_in_text_is_shown_as_escapes() {
    // Past the 8 KiB that binary detection reads, so the file opens as text.
    let mut text = "let a = 1;\n".repeat(800).into_bytes();
    text.extend_from_slice(b"const s = \"caf\xe9 \xff\";\n");
    let mut app = App::new(
        open(
            &fixtures::tgz(&[
                (b"package.json", br#"{"name":"t","version":"1.0.0"}"#),
                (b"latin1.js", &text),
            ]),
            "t.tgz",
        ),
        None,
        crate::rules::Evaluation::default(),
    );
    app.color = false;
    let screen = drive(&mut app, 80, 24, keys("/latin1\n\nG"));
    assert_eq!(app.preview.as_ref().map(|d| d.mode), Some(ViewMode::Text));
    assert!(
        screen.contains(r#"const s = "caf\xe9 \xff";"#),
        "invalid bytes are shown as \\xNN:\n{screen}"
    );
    assert!(!screen.contains('\u{fffd}'), "never as U+FFFD:\n{screen}");
}

#[test]
fn a_file_too_large_to_diff_says_its_sizes_in_decimal_units() {
    let line = "console.log('a line of a large bundle, repeated');\n";
    let old = line.repeat(170_000);
    let new = format!("{old}{}", line.repeat(2_000));
    let pkg: &[u8] = br#"{"name":"big","version":"1.0.0"}"#;
    let old = open(
        &fixtures::tgz(&[(b"package.json", pkg), (b"bundle.js", old.as_bytes())]),
        "big-0.9.0.tgz",
    );
    let new = open(
        &fixtures::tgz(&[(b"package.json", pkg), (b"bundle.js", new.as_bytes())]),
        "big-1.0.0.tgz",
    );
    let baseline = Baseline::new(Manifest::of(&old), Some(old), &new);
    let mut app = App::new(new, Some(baseline), crate::rules::Evaluation::default());
    app.color = false;
    for (w, h) in [(80, 24), (160, 45)] {
        let screen = drive(
            &mut app,
            w,
            h,
            keys(if w == 80 { "/bundle\n\nd" } else { "" }),
        );
        let flat: String = screen
            .lines()
            .map(|l| l.trim_matches('"').trim_matches('│').trim())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            flat.contains("(8.67 MB → 8.77 MB)"),
            "{w}×{h}: the sizes are in MB, as in the header and the tree:\n{screen}"
        );
        assert!(
            screen.contains("tool"),
            "{w}×{h}: the note is wrapped, not cut at the pane's edge:\n{screen}"
        );
        let name = if w == 80 {
            "too_large_to_diff_80x24"
        } else {
            "too_large_to_diff_160x45"
        };
        insta::assert_snapshot!(name, screen);
    }
}

#[test]
fn the_hex_view_uses_the_width_it_has() {
    for (w, h, per_row) in [(160, 45, 16), (80, 24, 8), (60, 16, 4)] {
        let mut app = changed_binary_app();
        let screen = drive(&mut app, w, h, keys("/tool\n\n"));
        assert_eq!(app.hex_row(), per_row, "{w}×{h}: bytes per row");
        let second = format!("{per_row:08x}  ");
        assert!(
            screen.contains(&second),
            "{w}×{h}: the second row starts at byte {per_row}:\n{screen}"
        );
        let first_ascii: String = ".ELF....________"[..per_row].replace('_', ".");
        // The ASCII column is drawn whole: a row too wide for the pane would be cut in it.
        let tail = [" ", "│"].map(|end| format!("  {first_ascii}{end}"));
        assert!(
            tail.iter().any(|t| screen.contains(t.as_str())),
            "{w}×{h}: the ASCII column is whole, inside the pane:\n{screen}"
        );
    }
}

#[test]
fn long_names_in_the_header_are_cut_with_an_ellipsis() {
    let pkg = |v: &str| {
        format!(r#"{{"name":"@anthropic-ai/claude-code-sdk-typescript","version":"{v}"}}"#)
    };
    let (p1, p2) = (pkg("1.0.0-beta.17"), pkg("1.0.0-beta.16"));
    let new = open(
        &fixtures::tgz(&[(b"package.json", p1.as_bytes()), (b"index.js", b"x\n")]),
        "sdk-1.0.0-beta.17.tgz",
    );
    let old = open(
        &fixtures::tgz(&[(b"package.json", p2.as_bytes()), (b"index.js", b"y\n")]),
        "sdk-1.0.0-beta.16.tgz",
    );
    let baseline = Baseline::new(Manifest::of(&old), Some(old), &new);
    let mut app = App::new(new, Some(baseline), crate::rules::Evaluation::default());
    app.color = false;
    for (w, h) in [(80, 24), (160, 45), (60, 16)] {
        let screen = drive(&mut app, w, h, vec![]);
        let first = screen
            .lines()
            .next()
            .unwrap_or_default()
            .trim_matches('"')
            .trim_end();
        assert!(
            first.contains(" · vs "),
            "{w}×{h}: the baseline is named: {first}"
        );
        assert!(
            first.ends_with("…@1.0.0-beta.16") || first.ends_with("beta.16"),
            "{w}×{h}: the baseline's name is cut with … before its version: {first}"
        );
        assert!(
            first.contains("…@1.0.0-beta.17 · npm tarball") || first.contains("beta.17 · npm"),
            "{w}×{h}: so is the release's: {first}"
        );
        if w == 160 {
            assert!(
                first.contains("@anthropic-ai/claude-code-sdk-typescript@1.0.0-beta.17")
                    && first.ends_with("@anthropic-ai/claude-code-sdk-typescript@1.0.0-beta.16"),
                "{w}×{h}: both names whole where they fit: {first}"
            );
        }
        if w != 60 {
            let name = if w == 80 {
                "header_long_names_80x24"
            } else {
                "header_long_names_160x45"
            };
            insta::assert_snapshot!(name, screen);
        }
    }
}

#[test]
fn a_resize_keeps_the_same_bytes_at_the_top_of_the_hex_view() {
    let mut app = changed_binary_app();
    let screen = drive(&mut app, 80, 24, keys("/tool\n\njjjjjjjjjj"));
    assert!(
        screen.contains("│00000050  "),
        "ten rows of 8 bytes down, the top row is byte 0x50:\n{screen}"
    );
    let screen = drive(&mut app, 160, 45, vec![]);
    assert!(
        screen.contains("│00000050  "),
        "wider, with 16 bytes a row, byte 0x50 is still the top row:\n{screen}"
    );
}
