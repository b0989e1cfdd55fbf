//! What the reviewer can ask for ([`Action`]) and the one key table that maps keys to it.
//!
//! The footer hints and the `?` help screen are generated from [`KEYS`], so what is
//! documented is exactly what is handled.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the keyboard is talking to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Browsing the panes.
    Browse,
    /// Typing a filter after `/`.
    Filter,
    /// The help screen is open.
    Help,
    /// The sign-off dialog is open on a step without a text field (what blocks, a refusal,
    /// the result).
    SignOff,
    /// The sign-off dialog is open on a text field (a waiver, a reason, the reviewer, the
    /// confirmation, the passphrase): printable keys type.
    SignOffTyping,
}

/// One user intent. Only [`super::app::App::update`] turns it into a state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move up one row (or scroll up).
    Up,
    /// Move down one row (or scroll down).
    Down,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// To the first row.
    Top,
    /// To the last row.
    Bottom,
    /// Open a file, expand a folder, jump to a finding; scroll right in the preview.
    Open,
    /// Collapse a folder or go to its parent; scroll left in the preview.
    Close,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Start typing a name filter.
    StartFilter,
    /// A character typed into the filter.
    FilterChar(char),
    /// Delete the last filter character.
    FilterBackspace,
    /// Keep the filter and go back to browsing.
    FilterDone,
    /// Clear the filter and go back to browsing.
    FilterCancel,
    /// Show only entries with findings.
    ToggleFlagged,
    /// Show only added, changed or removed entries.
    ToggleChanged,
    /// Cycle the sort order (size, name).
    CycleSort,
    /// Diff the previewed file against the baseline.
    ToggleDiff,
    /// Toggle the hex view.
    ToggleHex,
    /// Reveal the masked secret of the finding in view (for the reviewer only).
    Reveal,
    /// Jump to the next finding.
    NextFinding,
    /// Open or close the help screen.
    Help,
    /// Close the help, the diff or the filter; else nothing.
    Back,
    /// Open the sign-off dialog: waive what blocks, confirm, sign an approval.
    SignOff,
    /// Record a rejection instead: a reason, the confirmation, a signed `rejected` result.
    Reject,
    /// The dialog's next step: submit the field, or go on.
    DialogNext,
    /// Close the dialog; nothing is written.
    DialogCancel,
    /// A character typed into the dialog's field.
    DialogChar(char),
    /// Delete the last character of the dialog's field.
    DialogBackspace,
    /// Leave.
    Quit,
    /// The terminal has this many columns and rows.
    Resize(u16, u16),
    /// Mouse wheel at a cell: positive is down.
    Wheel {
        /// Column.
        column: u16,
        /// Row.
        row: u16,
        /// Rows to scroll.
        delta: i8,
    },
    /// Left click at a cell.
    Click {
        /// Column.
        column: u16,
        /// Row.
        row: u16,
    },
}

/// One line of the key table.
pub struct KeyBinding {
    /// Modes the binding works in.
    pub modes: &'static [Mode],
    /// The keys (any of them).
    pub keys: &'static [KeyCode],
    /// What the keys do.
    pub action: Action,
    /// How the keys are written in hints and help.
    pub label: &'static str,
    /// A short word for the footer, or `""` to keep it out of the footer.
    pub hint: &'static str,
    /// A sentence for the help screen.
    pub help: &'static str,
}

const B: &[Mode] = &[Mode::Browse];
const BH: &[Mode] = &[Mode::Browse, Mode::Help];
const H: &[Mode] = &[Mode::Help];
const F: &[Mode] = &[Mode::Filter];
const D: &[Mode] = &[Mode::SignOff];
const DT: &[Mode] = &[Mode::SignOff, Mode::SignOffTyping];
const T: &[Mode] = &[Mode::SignOffTyping];
use KeyCode::{
    BackTab, Backspace, Char, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up,
};

/// A binding; the table below reads one line per binding.
const fn bind(
    modes: &'static [Mode],
    keys: &'static [KeyCode],
    action: Action,
    label: &'static str,
    hint: &'static str,
    help: &'static str,
) -> KeyBinding {
    KeyBinding {
        modes,
        keys,
        action,
        label,
        hint,
        help,
    }
}

/// The key table: the single source of key handling, footer hints and help.
#[rustfmt::skip]
pub const KEYS: &[KeyBinding] = &[
    bind(BH, &[Up, Char('k')], Action::Up, "↑/k", "", "move up (scroll in the preview and in this help)"),
    bind(BH, &[Down, Char('j')], Action::Down, "↓/j", "", "move down (scroll in the preview and in this help)"),
    bind(BH, &[PageUp], Action::PageUp, "PgUp", "", "one page up (findings: scroll the detail)"),
    bind(BH, &[PageDown, Char(' ')], Action::PageDown, "PgDn/space", "", "one page down (findings: scroll the detail and its why)"),
    bind(BH, &[Home, Char('g')], Action::Top, "Home/g", "", "to the top"),
    bind(BH, &[End, Char('G')], Action::Bottom, "End/G", "", "to the bottom"),
    bind(B, &[Enter, Char('l'), Right], Action::Open, "⏎/l/→", "open", "open a file (counts as viewed), expand a folder or map, jump to a finding; scroll right in the preview"),
    bind(B, &[Char('h'), Left], Action::Close, "h/←", "", "collapse a folder or go to its parent; scroll left in the preview"),
    bind(B, &[Tab], Action::NextPane, "Tab", "pane", "next pane: tree, preview, findings"),
    bind(B, &[BackTab], Action::PrevPane, "S-Tab", "", "previous pane"),
    bind(B, &[Char('/')], Action::StartFilter, "/", "filter", "filter the tree by name"),
    bind(B, &[Char('f')], Action::ToggleFlagged, "f", "flagged", "show only entries with findings"),
    bind(B, &[Char('c')], Action::ToggleChanged, "c", "changed", "show only entries added, changed or removed since the baseline"),
    bind(B, &[Char('s')], Action::CycleSort, "s", "", "sort by size or by name"),
    bind(B, &[Char('d')], Action::ToggleDiff, "d", "diff", "diff the previewed file against the baseline"),
    bind(B, &[Char('x')], Action::ToggleHex, "x", "", "hex view on or off"),
    bind(B, &[Char('r')], Action::Reveal, "r", "", "reveal the masked secret of the finding in view, one at a time (on your screen only)"),
    bind(B, &[Char('n')], Action::NextFinding, "n", "finding", "jump to the next finding"),
    bind(B, &[Char('S')], Action::SignOff, "S", "sign", "sign off: waive each blocking finding with a reason, type name@version, sign the approval"),
    bind(B, &[Char('R')], Action::Reject, "R", "", "record a signed rejection with a reason instead"),
    bind(BH, &[Char('?')], Action::Help, "?", "help", "open or close this help"),
    bind(BH, &[Esc], Action::Back, "Esc", "", "close help or diff, clear the filter"),
    bind(B, &[Char('q')], Action::Quit, "q", "quit", "quit"),
    bind(H, &[Char('q')], Action::Back, "q", "close", "close this help (it does not quit)"),
    bind(F, &[Enter], Action::FilterDone, "⏎", "keep", "keep the filter"),
    bind(F, &[Esc], Action::FilterCancel, "Esc", "clear", "clear the filter"),
    bind(F, &[Backspace], Action::FilterBackspace, "⌫", "", "delete a character"),
    bind(DT, &[Enter], Action::DialogNext, "⏎", "next", "go on: submit the field, start the waivers, close the result"),
    bind(DT, &[Esc], Action::DialogCancel, "Esc", "cancel", "cancel the sign-off at any step; nothing is written"),
    bind(D, &[Char('x')], Action::Reject, "x", "reject", "record a signed rejection with a reason instead"),
    bind(T, &[Backspace], Action::DialogBackspace, "⌫", "", "delete a character"),
];

/// The action for a key in a mode, if any. In filter mode, printable characters are typed.
pub fn action_for(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, Char('c')).then_some(Action::Quit);
    }
    let bound = KEYS
        .iter()
        .find(|b| b.modes.contains(&mode) && b.keys.contains(&key.code))
        .map(|b| b.action);
    match (mode, key.code) {
        (_, _) if bound.is_some() => bound,
        (Mode::Filter, Char(c)) if !c.is_control() => Some(Action::FilterChar(c)),
        (Mode::SignOffTyping, Char(c)) if !c.is_control() => Some(Action::DialogChar(c)),
        _ => None,
    }
}

/// Footer hints for a mode: `label word` pairs from the table.
/// Help and quit come first, so a narrow footer still shows the way out; sign-off next.
pub fn hints(mode: Mode) -> Vec<(&'static str, &'static str)> {
    // Then sign-off, the way forward.
    let first = |b: &&KeyBinding| match b.action {
        Action::Help | Action::Quit => 0,
        Action::SignOff => 1,
        _ => 2,
    };
    let mut v: Vec<&KeyBinding> = KEYS
        .iter()
        .filter(|b| b.modes.contains(&mode) && !b.hint.is_empty())
        .collect();
    v.sort_by_key(first);
    v.into_iter().map(|b| (b.label, b.hint)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn the_issue_keys_are_bound() {
        for (k, a) in [
            (Char('j'), Action::Down),
            (Char('k'), Action::Up),
            (Enter, Action::Open),
            (Char('l'), Action::Open),
            (Char('h'), Action::Close),
            (Tab, Action::NextPane),
            (Char('/'), Action::StartFilter),
            (Char('f'), Action::ToggleFlagged),
            (Char('c'), Action::ToggleChanged),
            (Char('s'), Action::CycleSort),
            (Char('d'), Action::ToggleDiff),
            (Char('?'), Action::Help),
            (Char('q'), Action::Quit),
            (Char('S'), Action::SignOff),
        ] {
            assert_eq!(action_for(Mode::Browse, key(k)), Some(a), "{k:?}");
        }
    }

    #[test]
    fn filter_mode_types_letters_instead_of_acting() {
        assert_eq!(
            action_for(Mode::Filter, key(Char('q'))),
            Some(Action::FilterChar('q'))
        );
        assert_eq!(
            action_for(Mode::Filter, key(Esc)),
            Some(Action::FilterCancel)
        );
        let ctrl_c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            action_for(Mode::Filter, ctrl_c),
            Some(Action::Quit),
            "Ctrl-C always quits"
        );
    }

    #[test]
    fn the_sign_off_field_types_letters_and_its_keys_are_bound() {
        assert_eq!(
            action_for(Mode::SignOffTyping, key(Char('x'))),
            Some(Action::DialogChar('x')),
            "x types into a waiver"
        );
        assert_eq!(
            action_for(Mode::SignOff, key(Char('x'))),
            Some(Action::Reject),
            "x rejects where there is no field"
        );
        for m in [Mode::SignOff, Mode::SignOffTyping] {
            assert_eq!(action_for(m, key(Esc)), Some(Action::DialogCancel));
            assert_eq!(action_for(m, key(Enter)), Some(Action::DialogNext));
            assert_eq!(
                action_for(m, key(Char('q'))),
                (m == Mode::SignOffTyping).then_some(Action::DialogChar('q')),
                "q does not quit from the dialog"
            );
        }
    }

    #[test]
    fn in_help_movement_keys_scroll_and_only_question_esc_q_close() {
        for (k, a) in [
            (Char('j'), Action::Down),
            (Up, Action::Up),
            (PageDown, Action::PageDown),
            (PageUp, Action::PageUp),
            (Home, Action::Top),
            (End, Action::Bottom),
            (Char('?'), Action::Help),
            (Esc, Action::Back),
            (Char('q'), Action::Back),
        ] {
            assert_eq!(action_for(Mode::Help, key(k)), Some(a), "{k:?} in help");
        }
        for k in [Char('d'), Char('S'), Enter, Tab, Char('x')] {
            assert_eq!(
                action_for(Mode::Help, key(k)),
                None,
                "{k:?} does nothing in help (it used to close it)"
            );
        }
    }

    /// How a key is written in a label.
    fn written(k: KeyCode) -> String {
        match k {
            Up => "↑".into(),
            Down => "↓".into(),
            Left => "←".into(),
            Right => "→".into(),
            Enter => "⏎".into(),
            Backspace => "⌫".into(),
            Tab => "Tab".into(),
            BackTab => "S-Tab".into(),
            Home => "Home".into(),
            End => "End".into(),
            PageUp => "PgUp".into(),
            PageDown => "PgDn".into(),
            Esc => "Esc".into(),
            Char(' ') => "space".into(),
            Char(c) => c.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn every_bound_key_is_in_its_label_and_every_label_in_the_help() {
        let theme = crate::review::theme::Theme { color: false };
        let help: Vec<String> = crate::review::widgets::help::lines(theme, 200)
            .iter()
            .map(ToString::to_string)
            .collect();
        for b in KEYS {
            let tokens: Vec<&str> = if b.label == "/" {
                vec!["/"]
            } else {
                b.label.split('/').collect()
            };
            for k in b.keys {
                assert!(
                    tokens.contains(&written(*k).as_str()),
                    "{k:?} is bound to {:?} but its label {:?} does not show it",
                    b.action,
                    b.label
                );
            }
            assert!(
                help.iter()
                    .any(|l| l.starts_with(&format!("  {:<11}{}", b.label, b.help))),
                "the help lists {:?} {:?}:\n{}",
                b.label,
                b.help,
                help.join("\n")
            );
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        for m in [
            Mode::Browse,
            Mode::Filter,
            Mode::Help,
            Mode::SignOff,
            Mode::SignOffTyping,
        ] {
            let mut seen = Vec::new();
            for b in KEYS.iter().filter(|b| b.modes.contains(&m)) {
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} bound twice in {m:?}");
                    seen.push(*k);
                }
            }
        }
    }
}
