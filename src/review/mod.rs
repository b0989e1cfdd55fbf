//! `shipcheck review`: the interactive payload review screen, and the only module that talks
//! to a terminal.
//!
//! [`App`] holds the state and changes only in [`App::update`]; [`ui::render`] draws `&App`;
//! [`run_loop`] is generic over the backend and the event source, so journeys run without a
//! terminal. [`run`] sets up the real terminal and restores it on every exit path.

pub mod action;
pub mod app;
pub mod binary;
pub mod coverage;
pub mod diffview;
pub mod highlight;
pub mod loading;
mod navigate;
pub mod nested;
pub mod preview;
pub mod signoff;
pub mod terminal;
pub mod theme;
pub mod tree;
pub mod tree_view;
pub mod ui;
mod view_modes;
pub mod widgets;

#[cfg(test)]
mod tests;

pub use app::{App, Baseline};
pub use coverage::Coverage;
pub use signoff::{SignOffConfig, Signing};
pub use terminal::{run, run_loop};
