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
    /// Reveal the masked secrets of the previewed file (for the reviewer only).
    Reveal,
    /// Jump to the next finding.
    NextFinding,
    /// Open or close the help screen.
    Help,
    /// Close the help, the diff or the filter; else nothing.
    Back,
    /// Start the sign-off (reserved; arrives with its own issue).
    SignOff,
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
const F: &[Mode] = &[Mode::Filter];
use KeyCode::{
    BackTab, Backspace, Char, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up,
};

/// The key table: the single source of key handling, footer hints and help.
pub const KEYS: &[KeyBinding] = &[
    KeyBinding {
        modes: B,
        keys: &[Up, Char('k')],
        action: Action::Up,
        label: "↑/k",
        hint: "",
        help: "move up (scroll in the preview)",
    },
    KeyBinding {
        modes: B,
        keys: &[Down, Char('j')],
        action: Action::Down,
        label: "↓/j",
        hint: "",
        help: "move down (scroll in the preview)",
    },
    KeyBinding {
        modes: B,
        keys: &[PageUp],
        action: Action::PageUp,
        label: "PgUp",
        hint: "",
        help: "one page up",
    },
    KeyBinding {
        modes: B,
        keys: &[PageDown, Char(' ')],
        action: Action::PageDown,
        label: "PgDn/space",
        hint: "",
        help: "one page down",
    },
    KeyBinding {
        modes: B,
        keys: &[Home, Char('g')],
        action: Action::Top,
        label: "Home/g",
        hint: "",
        help: "to the top",
    },
    KeyBinding {
        modes: B,
        keys: &[End, Char('G')],
        action: Action::Bottom,
        label: "End/G",
        hint: "",
        help: "to the bottom",
    },
    KeyBinding {
        modes: B,
        keys: &[Enter, Char('l'), Right],
        action: Action::Open,
        label: "⏎/l",
        hint: "open",
        help: "open a file (counts as viewed), expand a folder or map, jump to a finding; scroll right in the preview",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('h'), Left],
        action: Action::Close,
        label: "h",
        hint: "",
        help: "collapse a folder or go to its parent; scroll left in the preview",
    },
    KeyBinding {
        modes: B,
        keys: &[Tab],
        action: Action::NextPane,
        label: "Tab",
        hint: "pane",
        help: "next pane: tree, preview, findings",
    },
    KeyBinding {
        modes: B,
        keys: &[BackTab],
        action: Action::PrevPane,
        label: "S-Tab",
        hint: "",
        help: "previous pane",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('/')],
        action: Action::StartFilter,
        label: "/",
        hint: "filter",
        help: "filter the tree by name",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('f')],
        action: Action::ToggleFlagged,
        label: "f",
        hint: "flagged",
        help: "show only entries with findings",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('c')],
        action: Action::ToggleChanged,
        label: "c",
        hint: "changed",
        help: "show only entries added, changed or removed since the baseline",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('s')],
        action: Action::CycleSort,
        label: "s",
        hint: "sort",
        help: "sort by size or by name",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('d')],
        action: Action::ToggleDiff,
        label: "d",
        hint: "diff",
        help: "diff the previewed file against the baseline",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('x')],
        action: Action::ToggleHex,
        label: "x",
        hint: "",
        help: "hex view on or off",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('r')],
        action: Action::Reveal,
        label: "r",
        hint: "",
        help: "reveal the masked secrets of the previewed file (on your screen only)",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('n')],
        action: Action::NextFinding,
        label: "n",
        hint: "",
        help: "jump to the next finding",
    },
    KeyBinding {
        modes: B,
        keys: &[Char('S')],
        action: Action::SignOff,
        label: "S",
        hint: "",
        help: "sign off (reserved: arrives in a later issue)",
    },
    KeyBinding {
        modes: BH,
        keys: &[Char('?')],
        action: Action::Help,
        label: "?",
        hint: "help",
        help: "this help",
    },
    KeyBinding {
        modes: BH,
        keys: &[Esc],
        action: Action::Back,
        label: "Esc",
        hint: "",
        help: "close help or diff, clear the filter",
    },
    KeyBinding {
        modes: BH,
        keys: &[Char('q')],
        action: Action::Quit,
        label: "q",
        hint: "quit",
        help: "quit",
    },
    KeyBinding {
        modes: F,
        keys: &[Enter],
        action: Action::FilterDone,
        label: "⏎",
        hint: "keep",
        help: "keep the filter",
    },
    KeyBinding {
        modes: F,
        keys: &[Esc],
        action: Action::FilterCancel,
        label: "Esc",
        hint: "clear",
        help: "clear the filter",
    },
    KeyBinding {
        modes: F,
        keys: &[Backspace],
        action: Action::FilterBackspace,
        label: "⌫",
        hint: "",
        help: "delete a character",
    },
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
        (Mode::Help, _) => Some(Action::Help),
        _ => None,
    }
}

/// Footer hints for a mode: `label word` pairs from the table.
/// Help and quit come first, so a narrow footer still shows the way out.
pub fn hints(mode: Mode) -> Vec<(&'static str, &'static str)> {
    let first = |b: &&KeyBinding| !matches!(b.action, Action::Help | Action::Quit);
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
    fn no_key_is_bound_twice_in_a_mode() {
        for m in [Mode::Browse, Mode::Filter, Mode::Help] {
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
