//! Speed targets of the review screen (issue #4), measured in one run with std::time:
//! `cargo bench --bench review`.
//!
//! - first full frame on a generated 100,000-file package, against `shipcheck ls` of it;
//! - first preview of 5 MB and 60 MB minified files (a big one shows its checked head first, then
//!   the whole, read between keys: both times are reported);
//! - one keystroke (update + draw) on the 100,000-entry tree;
//! - with `SHIPCHECK_BENCH_ARTIFACT=PATH`, the first frame on that real artifact against `ls`.

#[path = "../tests/common/fixtures.rs"]
mod fixtures;

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipcheck::artifact::{self, Limits, Options};
use shipcheck::inputs::{Contents, InputArgs, Inputs};
use shipcheck::review::action::Action;
use shipcheck::review::terminal::{load, load_first_frame};
use shipcheck::review::{App, highlight, ui};

/// The review screen's inputs for `spec`, read as `shipcheck review SPEC` reads them.
fn inputs(spec: &str) -> Inputs {
    Inputs::prepare(&InputArgs::of(spec), Limits::default(), Contents::Index).expect("inputs")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.expect("at least one run"))
}

fn draw(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| ui::render(app, f)).expect("draw");
}

fn main() {
    // Cold start of highlighting: loading the curated syntax set, then compiling the
    // JavaScript/TypeScript/JSON/Markdown regexes. The screen does both on a background thread
    // while the artifact opens (`highlight::warm_up`), so the first preview finds them ready.
    let t = Instant::now();
    let _ = highlight::syntaxes();
    let cold = t.elapsed();
    let t = Instant::now();
    highlight::prime();
    let primed = t.elapsed();
    println!(
        "highlighting cold start:      {:8.1} ms set + {:.1} ms regexes (off the UI thread)",
        ms(cold),
        ms(primed)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let many = fixtures::write(dir.path(), "many.tgz", &fixtures::many_files(100_000));
    let many = many.to_str().expect("utf-8 path").to_owned();

    // `shipcheck ls`: open without contents, format every entry.
    let (ls, _) = best_of(3, || {
        let a = artifact::open(&many, &Options::default(), None).expect("open");
        shipcheck::report::ls::text(&a).len()
    });
    // The review screen's first frame: one pass that reads the package and runs the rules
    // (the findings come with the frame), the tree, one draw at 80×24, before the selected
    // file is read again for the preview, as `review` draws it; "findings in" is `load`, which
    // also fills the preview (waiting for that file's digest) before its draw.
    let (first_frame, ()) = best_of(3, || {
        let mut app = load_first_frame(inputs(&many)).expect("load");
        let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        app.update(Action::Resize(80, 24));
        draw(&mut term, &app);
    });
    let (with_findings, mut app) = best_of(3, || {
        let mut app = load(inputs(&many)).expect("load");
        let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        app.update(Action::Resize(80, 24));
        draw(&mut term, &app);
        app
    });
    println!(
        "first frame, 100,000 files: {:8.1} ms   (ls {:.1} ms; ratio {:.2}, target ≤ 1.50); findings in at {:.1} ms ({:.2}×)",
        ms(first_frame),
        ms(ls),
        first_frame.as_secs_f64() / ls.as_secs_f64(),
        ms(with_findings),
        with_findings.as_secs_f64() / ls.as_secs_f64()
    );

    // A real artifact, when given: `SHIPCHECK_BENCH_ARTIFACT=path cargo bench --bench review`.
    if let Some(real) = std::env::var_os("SHIPCHECK_BENCH_ARTIFACT") {
        let real = real.to_string_lossy().into_owned();
        let (ls, _) = best_of(3, || {
            let a = artifact::open(&real, &Options::default(), None).expect("open");
            shipcheck::report::ls::text(&a).len()
        });
        let (frame, files) = best_of(3, || {
            let mut app = load_first_frame(inputs(&real)).expect("load");
            let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
            app.update(Action::Resize(80, 24));
            draw(&mut term, &app);
            app.artifact.file_count()
        });
        let (scanned, ()) = best_of(3, || {
            let mut app = load(inputs(&real)).expect("load");
            let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
            app.update(Action::Resize(80, 24));
            draw(&mut term, &app);
        });
        println!(
            "  findings in at {:.1} ms ({:.2}× ls)",
            ms(scanned),
            scanned.as_secs_f64() / ls.as_secs_f64()
        );
        println!(
            "first frame, {real} ({files} files): {:8.1} ms   (ls {:.1} ms; ratio {:.2}, target ≤ 1.50)",
            ms(frame),
            ms(ls),
            frame.as_secs_f64() / ls.as_secs_f64()
        );
        walk(&real);
    }

    // Keystrokes on the fully expanded tree (100,000+ rows).
    app.view.expanded.iter_mut().for_each(|e| *e = true);
    app.view.rebuild(&app.tree);
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    draw(&mut term, &app);
    let mut worst = Duration::ZERO;
    let mut total = Duration::ZERO;
    let n = 200;
    for _ in 0..n {
        let t = Instant::now();
        app.update(Action::Down);
        draw(&mut term, &app);
        let d = t.elapsed();
        worst = worst.max(d);
        total += d;
    }
    println!(
        "keystroke (j + draw), {} rows: {:8.2} ms mean, {:.2} ms worst (target ≤ 16)",
        app.view.rows.len(),
        ms(total / n),
        ms(worst)
    );
    for (label, action) in [
        ("s (re-sort)", Action::CycleSort),
        ("f (only flagged)", Action::ToggleFlagged),
        ("f (all again)", Action::ToggleFlagged),
        ("G (to the end)", Action::Bottom),
    ] {
        let t = Instant::now();
        app.update(action);
        draw(&mut term, &app);
        println!(
            "keystroke {label:<18}         {:8.2} ms (target ≤ 16)",
            ms(t.elapsed())
        );
    }

    // First previews of big minified files, syntax set already loaded (it loads on a
    // background thread while the artifact opens; its cold start is reported above).
    for (label, bytes) in [
        ("5 MB, one line", fixtures::one_long_line(5 << 20)),
        ("5 MB, 1 KiB lines", fixtures::minified(5 << 20, 1024)),
        ("60 MB, one line", fixtures::one_long_line(60 << 20)),
    ] {
        let path = fixtures::write(dir.path(), "long.tgz", &bytes);
        first_preview(label, path.to_str().expect("utf-8 path"));
    }
}

/// Opens `path`, puts the cursor above its bundle, then times moving onto it (which indexes
/// its lines), opening it and drawing, then a horizontal scroll.
fn first_preview(label: &str, path: &str) {
    let mut app = load(inputs(path)).expect("load");
    app.color = true;
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    app.update(Action::Resize(80, 24));
    draw(&mut term, &app);
    let id = app
        .tree
        .node_at("dist/bundle.min.js")
        .expect("the bundle is in the tree");
    let row = app
        .view
        .reveal(&app.tree, id)
        .expect("the bundle has a row");
    app.selected = row - 1; // the dist folder above it
    draw(&mut term, &app);
    let t = Instant::now();
    app.update(Action::Down);
    app.update(Action::Open);
    draw(&mut term, &app);
    let preview = t.elapsed();
    // A big file shows its head first; the rest is read a step at a time between keys.
    let partial = app
        .preview
        .as_ref()
        .is_some_and(shipcheck::review::preview::Doc::partial);
    let t = Instant::now();
    while app.loading() {
        app.load_step();
    }
    draw(&mut term, &app);
    let whole = t.elapsed();
    let lines = app
        .preview
        .as_ref()
        .map_or(0, shipcheck::review::preview::Doc::line_count);
    let t = Instant::now();
    for _ in 0..20 {
        app.update(Action::Open); // scroll right along the lines
        draw(&mut term, &app);
    }
    let shown = if partial {
        format!(
            "its head; whole file in {:.2} ms later, read between keys",
            ms(whole)
        )
    } else {
        "the whole file".to_owned()
    };
    println!(
        "first preview, {label:<17} ({lines} lines): {:6.2} ms (target ≤ 50), {shown}; scroll right {:.2} ms",
        ms(preview),
        ms(t.elapsed() / 20)
    );
}

/// Walks every row of a real artifact's fully expanded tree (each step previews a new file):
/// the keystroke cost on real content, mean and worst.
fn walk(path: &str) {
    let mut app = load(inputs(path)).expect("load");
    app.color = true;
    app.view.expanded.iter_mut().for_each(|e| *e = true);
    app.view.rebuild(&app.tree);
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    app.update(Action::Resize(80, 24));
    draw(&mut term, &app);
    let (mut total, mut worst, mut worst_at) = (Duration::ZERO, Duration::ZERO, String::new());
    let rows = app.view.rows.len();
    for _ in 1..rows {
        let t = Instant::now();
        app.update(Action::Down);
        draw(&mut term, &app);
        let d = t.elapsed();
        total += d;
        if d > worst {
            worst = d;
            worst_at = app
                .preview
                .as_ref()
                .map(|p| p.path.clone())
                .unwrap_or_default();
        }
    }
    println!(
        "walking all {rows} rows (preview each): {:.2} ms mean, {:.2} ms worst ({worst_at})",
        ms(total / u32::try_from(rows.max(2) - 1).unwrap_or(u32::MAX)),
        ms(worst)
    );
}
