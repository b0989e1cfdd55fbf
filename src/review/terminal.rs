//! The terminal side: turning crossterm events into actions, the event loop (generic over the
//! backend and the event source), and [`run`], which owns the real terminal and restores it on
//! every exit path, panics included.

use std::io::{self, IsTerminal as _};

use anyhow::{Context as _, bail};
use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::artifact::{self, Artifact, Limits, Options};
use crate::manifest::Manifest;

use super::action::{Action, Mode, action_for};
use super::app::{App, Baseline};
use super::coverage::Coverage;
use super::{highlight, ui};

/// The action an event asks for in a mode, if any.
pub fn action_for_event(mode: Mode, event: &Event) -> Option<Action> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => action_for(mode, *k),
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        Event::Mouse(m) => {
            let (column, row) = (m.column, m.row);
            match m.kind {
                MouseEventKind::ScrollDown => Some(Action::Wheel {
                    column,
                    row,
                    delta: 3,
                }),
                MouseEventKind::ScrollUp => Some(Action::Wheel {
                    column,
                    row,
                    delta: -3,
                }),
                MouseEventKind::Down(MouseButton::Left) => Some(Action::Click { column, row }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Draws, then applies events until the app quits or the events end.
pub fn run_loop<B, I>(terminal: &mut Terminal<B>, app: &mut App, events: I) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    I: IntoIterator<Item = io::Result<Event>>,
{
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    terminal.draw(|f| ui::render(app, f))?;
    for event in events {
        let event = event.context("reading the terminal")?;
        // Mouse motion and unbound keys change nothing: no redraw for them.
        let Some(action) = action_for_event(app.mode, &event) else {
            continue;
        };
        app.update(action);
        if app.should_quit {
            break;
        }
        if matches!(event, Event::Resize(..)) {
            terminal.autoresize()?;
        }
        terminal.draw(|f| ui::render(app, f))?;
    }
    Ok(())
}

/// True when `NO_COLOR` asks for no colour (set and not empty, as no-color.org says).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Opens what `review` shows: the artifact with contents kept, the baseline (an artifact with
/// contents, or a manifest), and the findings exactly as `check` computes them: the policy
/// found by [`crate::check::find_policy`] (`--policy`, else `shipcheck.toml` beside the
/// artifact) applied by [`crate::rules::evaluate_with`].
pub fn load(
    spec: &str,
    baseline: Option<&str>,
    policy: Option<&std::path::Path>,
    limits: Limits,
) -> anyhow::Result<App> {
    let (app, policy) = load_unscanned(spec, baseline, policy, limits)?;
    Ok(scan(app, &policy))
}

/// [`load`] without the rules: what the first frame shows while they run (`scanning` set).
pub fn load_unscanned(
    spec: &str,
    baseline: Option<&str>,
    policy: Option<&std::path::Path>,
    limits: Limits,
) -> anyhow::Result<(App, crate::rules::Policy)> {
    let policy = crate::check::find_policy(spec, policy)?;
    let opts = Options {
        limits,
        keep_contents: true,
    };
    let artifact = artifact::open(spec, &opts, None)?;
    let baseline = baseline
        .map(|b| -> anyhow::Result<Baseline> {
            if crate::manifest::is_manifest_file(b) {
                Ok(Baseline::new(
                    crate::manifest::load(b, &opts)?,
                    None,
                    &artifact,
                ))
            } else {
                let old: Artifact =
                    artifact::open(b, &opts, None).context("opening the baseline")?;
                Ok(Baseline::new(Manifest::of(&old), Some(old), &artifact))
            }
        })
        .transpose()?;
    let mut app = App::new(artifact, baseline, Vec::new());
    app.scanning = true;
    Ok((app, policy))
}

/// Runs the rules over an unscanned screen's artifact and rebuilds the screen with them.
pub fn scan(app: App, policy: &crate::rules::Policy) -> App {
    let findings = crate::rules::evaluate_with(
        &app.artifact,
        app.baseline.as_ref().map(|b| &b.manifest),
        policy,
    );
    let (color, viewport) = (app.color, app.viewport);
    let mut scanned = App::new(app.artifact, app.baseline, findings);
    scanned.color = color;
    scanned.update(Action::Resize(viewport.0, viewport.1));
    scanned
}

/// Restores the terminal when dropped: on return, on error and while unwinding.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableMouseCapture);
        ratatui::restore();
    }
}

/// Runs the review screen on the real terminal; returns what the reviewer covered.
pub fn run(
    spec: &str,
    baseline: Option<&str>,
    policy: Option<&std::path::Path>,
    limits: Limits,
) -> anyhow::Result<Coverage> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        bail!(
            "review is interactive and needs a terminal; use `shipcheck check` in scripts and CI"
        );
    }
    highlight::warm_up();
    let (mut app, policy) = load_unscanned(spec, baseline, policy, limits)?;
    app.color = !no_color();
    let mut terminal = ratatui::try_init().context("setting up the terminal")?;
    // ratatui's hook restores raw mode and the screen; ours runs first and stops mouse reports.
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableMouseCapture);
        ratatui_hook(info);
    }));
    let _restore = Restore;
    crossterm::execute!(io::stdout(), crossterm::event::EnableMouseCapture)?;
    // The package is on screen before the rules finish; keys typed meanwhile wait in the
    // terminal's input queue and are handled once the findings are in.
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    terminal.draw(|f| ui::render(&app, f))?;
    let mut app = scan(app, &policy);
    // Debug builds can be asked to panic on the first key, so that the end-to-end tests can
    // prove the terminal is restored on a panic too; release builds compile this out.
    let panic_on_key =
        cfg!(debug_assertions) && std::env::var_os("SHIPCHECK_DEBUG_PANIC_ON_KEY").is_some();
    let events = std::iter::from_fn(move || {
        let event = crossterm::event::read();
        assert!(
            !(panic_on_key && matches!(event, Ok(Event::Key(_)))),
            "panic requested by SHIPCHECK_DEBUG_PANIC_ON_KEY"
        );
        Some(event)
    });
    run_loop(&mut terminal, &mut app, events)?;
    Ok(app.coverage.clone())
}
