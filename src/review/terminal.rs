//! The terminal side: turning crossterm events into actions, the event loop (generic over the
//! backend and the event source), and [`run`], which owns the real terminal and restores it on
//! every exit path, panics included.

use std::io::{self, IsTerminal as _};
use std::time::Duration;

use anyhow::{Context as _, bail};
use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::backend::Backend;

use crate::inputs::Inputs;
use crate::manifest::Manifest;

use super::action::{Action, Mode, action_for};
use super::app::{App, Baseline};
use super::coverage::Coverage;
use super::loading::Loaded;
use super::signoff::{SignOffConfig, Signing};
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

/// Where the event loop's events come from: the terminal, or a script in tests.
pub trait Events {
    /// The next event, waiting for it; `None` when there are no more.
    fn next_event(&mut self) -> Option<io::Result<Event>>;

    /// True when an event is waiting, after waiting at most `wait` for one.
    fn ready(&mut self, wait: Duration) -> io::Result<bool>;
}

/// A script of events: each is taken when the screen has nothing else to do (a big file's
/// load runs to its end between two of them), so a journey plays the same on every machine.
impl<I: Iterator<Item = io::Result<Event>>> Events for I {
    fn next_event(&mut self) -> Option<io::Result<Event>> {
        self.next()
    }

    fn ready(&mut self, wait: Duration) -> io::Result<bool> {
        std::thread::sleep(wait);
        Ok(false)
    }
}

/// The real terminal's events (crossterm).
struct Terminal {
    /// Panic on the first key (debug builds, for the tests that the terminal is restored).
    panic_on_key: bool,
}

impl Events for Terminal {
    fn next_event(&mut self) -> Option<io::Result<Event>> {
        let event = crossterm::event::read();
        assert!(
            !(self.panic_on_key && matches!(event, Ok(Event::Key(_)))),
            "panic requested by SHIPCHECK_DEBUG_PANIC_ON_KEY"
        );
        Some(event)
    }

    fn ready(&mut self, wait: Duration) -> io::Result<bool> {
        crossterm::event::poll(wait)
    }
}

/// How long the loop waits for a key while the preview's file waits for its digest (the
/// thread after the pass has not hashed it yet) before asking again.
const DIGEST_POLL: Duration = Duration::from_millis(10);

/// Draws, then applies events until the app quits or the events end. While the preview
/// shows a big file's head, the rest is read a step at a time whenever no event is waiting.
pub fn run_loop<B>(
    terminal: &mut ratatui::Terminal<B>,
    app: &mut App,
    mut events: impl Events,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    terminal.draw(|f| ui::render(app, f))?;
    loop {
        while app.loading() && !events.ready(Duration::ZERO)? {
            match app.load_step() {
                Loaded::Reading => {}
                Loaded::Waiting => {
                    if events.ready(DIGEST_POLL)? {
                        break;
                    }
                }
                Loaded::Done => {
                    terminal.draw(|f| ui::render(app, f))?;
                }
            }
        }
        let Some(event) = events.next_event() else {
            break;
        };
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

/// Opens what `review` shows from the prepared inputs (one pass: the rules run as the artifact
/// streams, entries located for reading again) and returns the screen with its findings.
pub fn load(inputs: Inputs) -> anyhow::Result<App> {
    Ok(open(inputs)?.0)
}

/// [`load`], also returning the inputs (their policy) and the artifact's manifest. The tree is
/// built once, with the findings: it is the screen's largest structure (about 400 bytes an
/// entry), and two of them alive at once was a fifth of the peak on 127k entries.
fn open(inputs: Inputs) -> anyhow::Result<(App, Inputs, Manifest)> {
    let (mut app, inputs, current) = open_without_preview(inputs)?;
    app.show_selected();
    Ok((app, inputs, current))
}

/// [`open`] with the preview still empty (see [`App::without_preview`]).
fn open_without_preview(mut inputs: Inputs) -> anyhow::Result<(App, Inputs, Manifest)> {
    let opened = inputs.open()?;
    let baseline = take_baseline(&mut inputs, opened.diff);
    let app = App::without_preview(opened.artifact, baseline, opened.evaluation);
    Ok((app, inputs, opened.current))
}

/// The baseline with its comparison: the screen owns it from here on; the inputs keep the
/// policy.
fn take_baseline(inputs: &mut Inputs, diff: Option<crate::diff::Diff>) -> Option<Baseline> {
    inputs.baseline.take().zip(diff).map(|(b, diff)| Baseline {
        manifest: b.manifest,
        artifact: b.artifact,
        diff,
    })
}

/// The screen as `review` draws its first frame: the tree and the findings of the one pass,
/// nothing in the preview yet (see [`App::without_preview`]); for measuring that frame.
pub fn load_first_frame(inputs: Inputs) -> anyhow::Result<App> {
    Ok(open_without_preview(inputs)?.0)
}

/// Restores the terminal when dropped: on return, on error and while unwinding.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableMouseCapture);
        ratatui::restore();
    }
}

/// What a review session leaves behind.
#[derive(Debug)]
pub struct Outcome {
    /// What the reviewer read.
    pub coverage: Coverage,
    /// The bundles an approval or a rejection was appended to.
    pub signed: Vec<std::path::PathBuf>,
}

/// [`load`] ready to sign with `config`: the screen holds the manifest computed when the
/// artifact was opened, the policy and the bundle path.
pub fn load_for_signing(inputs: Inputs, config: SignOffConfig) -> anyhow::Result<App> {
    let (mut app, inputs, current) = open(inputs)?;
    app.signing = Some(Signing::new(config, current, inputs.policy));
    Ok(app)
}

/// Runs the review screen on the real terminal, signing with `config` if the reviewer
/// completes a sign-off; returns what the reviewer covered and what was written.
pub fn run(inputs: Inputs, config: SignOffConfig) -> anyhow::Result<Outcome> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        bail!(
            "review is interactive and needs a terminal; use `shipcheck check` in scripts and CI"
        );
    }
    highlight::warm_up();
    let (mut app, inputs, current) = open_without_preview(inputs)?;
    app.color = !crate::sanitize::no_color();
    let mut terminal = ratatui::try_init().context("setting up the terminal")?;
    // ratatui's hook restores raw mode and the screen; ours runs first and stops mouse reports.
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableMouseCapture);
        ratatui_hook(info);
    }));
    let _restore = Restore;
    crossterm::execute!(io::stdout(), crossterm::event::EnableMouseCapture)?;
    // crossterm starts listening for SIGWINCH when its event source is first polled; poll now,
    // before the first frame, so a resize during the scan arrives as an event instead of
    // being lost between the frame and the first read.
    let _ = crossterm::event::poll(std::time::Duration::ZERO);
    // The rules ran in the pass that read the package: the first frame has the findings.
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    terminal.draw(|f| ui::render(&app, f))?;
    // The tree and the findings are up; now the selected file is read again for its preview.
    app.show_selected();
    terminal.draw(|f| ui::render(&app, f))?;
    app.signing = Some(Signing::new(config, current, inputs.policy));
    // Debug builds can be asked to panic on the first key, so that the end-to-end tests can
    // prove the terminal is restored on a panic too; release builds compile this out.
    let panic_on_key =
        cfg!(debug_assertions) && std::env::var_os("SHIPCHECK_DEBUG_PANIC_ON_KEY").is_some();
    run_loop(&mut terminal, &mut app, Terminal { panic_on_key })?;
    Ok(Outcome {
        coverage: app.coverage.clone(),
        signed: app.signed.clone(),
    })
}
