//! Colours and markers, with a colourless variant for `NO_COLOR` that stays readable: every
//! colour has a character or modifier beside it (severity letters, `+`/`~`/`-`, bar lengths).

use std::fmt;

use ratatui::style::{Color, Modifier, Style};

use crate::rules::Severity;

use super::tree::Status;

/// The palette in use.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// False under `NO_COLOR`.
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    /// A severity marker: its letter and style.
    pub fn severity(self, s: Severity) -> (&'static str, Style) {
        let (letter, color) = match s {
            Severity::Critical => ("C", Color::LightRed),
            Severity::High => ("H", Color::Red),
            Severity::Medium => ("M", Color::Yellow),
            Severity::Low => ("L", Color::Cyan),
            Severity::Info => ("I", Color::Gray),
        };
        let style = self.fg(color);
        let style = if s >= Severity::High {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        };
        (letter, style)
    }

    /// A diff status marker: `+` added, `~` changed, `-` removed.
    pub fn status(self, s: Status) -> (&'static str, Style) {
        match s {
            Status::Same => (" ", Style::default()),
            Status::Added => ("+", self.fg(Color::Green)),
            Status::Changed => ("~", self.fg(Color::Yellow)),
            Status::Removed => ("-", self.fg(Color::Red).add_modifier(Modifier::DIM)),
        }
    }

    /// The heat bar's colour for a share of the package, cool to hot.
    pub fn heat(self, share: f64) -> Style {
        let color = match share {
            s if s >= 0.5 => Color::Red,
            s if s >= 0.2 => Color::LightRed,
            s if s >= 0.05 => Color::Yellow,
            s if s >= 0.01 => Color::Green,
            _ => Color::Blue,
        };
        self.fg(color)
    }

    /// The cursor row: reversed when its pane has focus, else only bold.
    pub fn cursor(self, focused: bool) -> Style {
        if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    /// A pane border.
    pub fn border(self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            (true, false) => Style::default().add_modifier(Modifier::BOLD),
            (false, _) => self.fg(Color::DarkGray),
        }
    }

    /// Secondary text.
    pub fn dim(self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    /// The line a finding points at.
    pub fn focus_line(self) -> Style {
        if self.color {
            Style::default().bg(Color::Rgb(90, 30, 30))
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }

    /// Added and removed lines of a diff.
    pub fn diff(self, added: bool) -> Style {
        self.fg(if added { Color::Green } else { Color::Red })
    }

    /// The name of a row inside a file (an embedded source, a nested archive's entry): italic,
    /// and magenta where there is colour, a hue no severity or change uses.
    pub fn virtual_row(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::ITALIC)
    }

    /// Titles and emphasis.
    pub fn title(self) -> Style {
        self.fg(Color::White).add_modifier(Modifier::BOLD)
    }
}

/// A bar whose length shows a share of the package, in eighths of a cell, padded to `width`
/// with `·` so that it reads without colour too.
#[derive(Debug, Clone, Copy)]
pub struct HeatBar {
    /// Share of the whole, 0.0 to 1.0.
    pub share: f64,
    /// Cells.
    pub width: usize,
}

impl fmt::Display for HeatBar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
        let eighths = (self.share.clamp(0.0, 1.0) * (self.width * 8) as f64).round() as usize;
        let eighths = if self.share > 0.0 { eighths.max(1) } else { 0 };
        let (full, part) = (eighths / 8, eighths % 8);
        let mut used = 0;
        for _ in 0..full.min(self.width) {
            f.write_str("█")?;
            used += 1;
        }
        if part > 0 && used < self.width {
            write!(f, "{}", PARTS[part])?;
            used += 1;
        }
        for _ in used..self.width {
            f.write_str("·")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_bars_have_a_fixed_width_and_grow_with_share() {
        assert_eq!(
            HeatBar {
                share: 0.0,
                width: 4
            }
            .to_string(),
            "····"
        );
        assert_eq!(
            HeatBar {
                share: 1.0,
                width: 4
            }
            .to_string(),
            "████"
        );
        assert_eq!(
            HeatBar {
                share: 0.5,
                width: 4
            }
            .to_string(),
            "██··"
        );
        assert_eq!(
            HeatBar {
                share: 0.0001,
                width: 4
            }
            .to_string(),
            "▏···",
            "tiny but not empty"
        );
    }
}
