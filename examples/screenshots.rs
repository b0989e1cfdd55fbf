//! Renders the review screen's main states into ratatui's `TestBackend` and writes them as SVG
//! files into `screenshots/`: `cargo run --example screenshots`.
//!
//! Uses the demo artifacts in `assets/demo/` when they exist, else generates equivalent ones.
//! The findings are whatever `shipcheck::rules::evaluate` reports today: rerun this after the
//! rules change and the screenshots follow.

#[path = "../tests/support/fixtures.rs"]
mod fixtures;

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use shipcheck::artifact::Limits;
use shipcheck::review::{self, terminal::load};

const W: u16 = 100;
const H: u16 = 30;
const CELL_W: f64 = 8.4;
const CELL_H: f64 = 18.0;
const FG: &str = "#c0c5ce";
const BG: &str = "#1b2b34";

fn keys(s: &str) -> Vec<io::Result<Event>> {
    s.chars()
        .map(|c| {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\t' => KeyCode::Tab,
                '\x1b' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        })
        .collect()
}

fn hex(c: Color, default: &str) -> String {
    let named = match c {
        Color::Reset => return default.to_owned(),
        Color::Rgb(r, g, b) => return format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Black => "#000000",
        Color::Red => "#d05050",
        Color::Green => "#99c794",
        Color::Yellow => "#fac863",
        Color::Blue => "#6699cc",
        Color::Magenta => "#c594c5",
        Color::Cyan => "#5fb3b3",
        Color::Gray => "#a7adba",
        Color::DarkGray => "#65737e",
        Color::LightRed => "#ff6b6b",
        Color::LightGreen => "#b5e0a8",
        Color::LightYellow => "#ffe08a",
        Color::LightBlue => "#8fb8e6",
        Color::LightMagenta => "#dcb0dc",
        Color::LightCyan => "#8ad4d4",
        Color::White => "#ffffff",
        Color::Indexed(_) => default,
    };
    named.to_owned()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One SVG of a buffer: a background rect per styled run, then the text, cell-aligned.
fn svg(buf: &Buffer) -> String {
    let (w, h) = (buf.area.width, buf.area.height);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\">\n<rect width=\"100%\" height=\"100%\" fill=\"{BG}\"/>\n",
        f64::from(w) * CELL_W + 16.0,
        f64::from(h) * CELL_H + 16.0
    );
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let cell = &buf[(x, y)];
            let style = (cell.fg, cell.bg, cell.modifier);
            let mut text = String::new();
            let start = x;
            while x < w && (buf[(x, y)].fg, buf[(x, y)].bg, buf[(x, y)].modifier) == style {
                text.push_str(buf[(x, y)].symbol());
                x += 1;
            }
            let (mut fg, mut bg) = (hex(style.0, FG), hex(style.1, BG));
            if style.2.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            let (px, py) = (8.0 + f64::from(start) * CELL_W, 8.0 + f64::from(y) * CELL_H);
            let len = f64::from(x - start) * CELL_W;
            if bg != BG {
                let _ = writeln!(
                    out,
                    "<rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"{len:.1}\" height=\"{CELL_H}\" fill=\"{bg}\"/>"
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            let mut attrs = String::new();
            if style.2.contains(Modifier::BOLD) {
                attrs.push_str(" font-weight=\"bold\"");
            }
            if style.2.contains(Modifier::DIM) {
                attrs.push_str(" opacity=\"0.6\"");
            }
            if style.2.contains(Modifier::ITALIC) {
                attrs.push_str(" font-style=\"italic\"");
            }
            if style.2.contains(Modifier::CROSSED_OUT) {
                attrs.push_str(" text-decoration=\"line-through\"");
            }
            if style.2.contains(Modifier::UNDERLINED) {
                attrs.push_str(" text-decoration=\"underline\"");
            }
            let _ = writeln!(
                out,
                "<text x=\"{px:.1}\" y=\"{:.1}\" fill=\"{fg}\" textLength=\"{len:.1}\" lengthAdjust=\"spacingAndGlyphs\" xml:space=\"preserve\"{attrs}>{}</text>",
                py + CELL_H * 0.75,
                escape(&text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn demo_paths(tmp: &Path) -> (PathBuf, PathBuf) {
    let (clean, leaky) = (
        PathBuf::from("assets/demo/demo-clean-1.0.0.tgz"),
        PathBuf::from("assets/demo/demo-leaky-1.1.0.tgz"),
    );
    if clean.is_file() && leaky.is_file() {
        return (clean, leaky);
    }
    eprintln!("assets/demo/ has no demo artifacts; generating equivalent ones");
    (
        fixtures::write(tmp, "demo-clean-1.0.0.tgz", &fixtures::demo_clean()),
        fixtures::write(tmp, "demo-leaky-1.1.0.tgz", &fixtures::demo_leaky()),
    )
}

fn main() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let (clean, leaky) = demo_paths(tmp.path());
    let (clean, leaky) = (
        clean.to_string_lossy().into_owned(),
        leaky.to_string_lossy().into_owned(),
    );
    std::fs::create_dir_all("screenshots")?;
    let shots: [(&str, &str); 5] = [
        ("overview", ""),
        ("sourcemap-leak", "/token.ts\n\n\x1b"),
        ("finding", "n"),
        ("diff", "/cli.js\n\nd"),
        ("help", "?"),
    ];
    for (name, input) in shots {
        let mut app = load(&leaky, Some(&clean), Limits::default())?;
        app.color = true;
        let mut terminal = Terminal::new(TestBackend::new(W, H))?;
        review::run_loop(&mut terminal, &mut app, keys(input))?;
        let path = format!("screenshots/{name}.svg");
        std::fs::write(&path, svg(terminal.backend().buffer()))?;
        println!("wrote {path}");
        if std::env::args().any(|a| a == "--text") {
            println!("{}", terminal.backend());
        }
    }
    Ok(())
}
