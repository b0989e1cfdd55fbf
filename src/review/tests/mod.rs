//! Tests of the review screen without a terminal: journeys (key sequences through
//! [`super::run_loop`]) and insta snapshots of every main state.

pub(crate) use crate::rules::test_support::fixtures;
mod big_files;
mod journeys;
mod preview_views;
mod secrets;
mod signoff;
mod snapshots;
mod tree;

use std::io;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::artifact::{self, Artifact, Options};
use crate::manifest::Manifest;

use super::app::{App, Baseline};

/// Opens fixture bytes as the review screen does (contents kept).
pub(crate) fn open(bytes: &[u8], name: &str) -> Artifact {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fixtures::write(dir.path(), name, bytes);
    let opts = Options {
        keep_contents: true,
        ..Options::default()
    };
    artifact::open(path.to_str().expect("utf-8 temp path"), &opts, None).expect("fixture opens")
}

/// The review screen of `spec` against `baseline`, loaded through the inputs step exactly as
/// `shipcheck review` loads it (the policy beside the artifact, the rules run), colourless.
pub(crate) fn load(spec: &str, baseline: Option<&str>) -> App {
    let args = crate::inputs::InputArgs {
        artifact: spec.to_owned(),
        baseline: baseline.map(str::to_owned),
        policy: None,
    };
    let inputs = crate::inputs::Inputs::prepare(
        &args,
        artifact::Limits::default(),
        crate::inputs::Contents::Index,
    )
    .expect("the inputs are read");
    let mut app = super::terminal::load(inputs).expect("the artifact opens");
    app.color = false;
    app
}

/// The leaky release against the clean one (as an artifact, so diffs have contents).
pub(crate) fn leaky_app() -> App {
    let new = open(&fixtures::demo_leaky(), "demo-cli-1.1.0.tgz");
    let old = open(&fixtures::demo_clean(), "demo-cli-1.0.0.tgz");
    // The real findings, as `review` and `check` compute them (no policy file here).
    let findings = crate::rules::evaluate(&new, Some(&Manifest::of(&old)));
    let baseline = Baseline::new(Manifest::of(&old), Some(old), &new);
    let mut app = App::new(new, Some(baseline), findings);
    app.color = false;
    app
}

/// Key events for a string: each character a key; `\n` Enter, `\t` Tab, `\x1b` Esc.
pub(crate) fn keys(s: &str) -> Vec<io::Result<Event>> {
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

/// Runs `events` through the real event loop on a `w`×`h` test terminal; returns the screen.
pub(crate) fn drive(app: &mut App, w: u16, h: u16, events: Vec<io::Result<Event>>) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    super::run_loop(&mut t, app, events.into_iter()).expect("event loop");
    t.backend().to_string()
}
