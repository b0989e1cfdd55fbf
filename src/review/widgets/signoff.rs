//! The sign-off dialog, drawn last over [`Clear`]: one step at a time, with what it needs.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget as _, Wrap};

use crate::approval::ReviewResult;
use crate::approval::record::finding_path;
use crate::review::app::App;
use crate::review::signoff::{SignOff, Signing, Step};
use crate::review::theme::Theme;

use super::untrusted;

/// The dialog's lines for its current step.
pub fn lines(app: &App, d: &SignOff, signing: &Signing, theme: Theme) -> Vec<Line<'static>> {
    let min = signing.policy.approval.min_waiver_reason as usize;
    let text = |s: String| Line::raw(s);
    let dim = |s: String| Line::styled(s, theme.dim());
    let finding_line = |k: usize| {
        let f = &app.findings[k];
        let (letter, style) = theme.severity(f.severity);
        Line::from(vec![
            Span::styled(format!("  {letter} "), style),
            untrusted(&f.rule, theme.title()),
            Span::raw("  "),
            untrusted(&finding_path(f), Style::default()),
        ])
    };
    let mut out = Vec::new();
    match &d.step {
        Step::Blocking if d.to_waive.is_empty() => {
            out.push(text(format!(
                "No finding blocks at {}. Enter: confirm and sign.",
                signing.threshold
            )));
        }
        Step::Blocking => {
            out.push(text(format!(
                "{} finding(s) at or above {} must each be waived with a reason \
                 (at least {min} characters):",
                d.to_waive.len(),
                signing.threshold
            )));
            out.extend(d.to_waive.iter().map(|k| finding_line(*k)));
            out.push(Line::raw(""));
            out.push(dim(
                "Enter: waive them one by one · x: reject instead".into()
            ));
        }
        Step::Refused(reasons) => {
            out.push(Line::styled(
                "Sign-off refused:",
                theme.title().add_modifier(Modifier::BOLD),
            ));
            out.extend(
                reasons
                    .iter()
                    .map(|r| Line::from(vec![Span::raw("  • "), untrusted(r, Style::default())])),
            );
            out.push(Line::raw(""));
            out.push(dim(
                "Esc closes; open the files (Enter in the tree), then press S again. \
                 x records a rejection instead."
                    .into(),
            ));
        }
        Step::Waive(k) => {
            let i = d.to_waive[*k];
            out.push(text(format!("Waiver {} of {}:", k + 1, d.to_waive.len())));
            out.push(finding_line(i));
            out.push(Line::from(vec![
                Span::raw("    "),
                untrusted(&app.findings[i].message, theme.dim()),
            ]));
            out.push(Line::raw(""));
            out.push(text(format!(
                "Why is this safe to ship? ({} of at least {min} characters)",
                d.input.trim().chars().count()
            )));
            out.push(field(&d.input, theme));
        }
        Step::Reason => {
            out.push(text(format!(
                "Why must this release not ship? ({} of at least {min} characters)",
                d.input.trim().chars().count()
            )));
            out.push(field(&d.input, theme));
        }
        Step::Reviewer => {
            out.push(text(
                "Who is signing? Your allowed_signers principal (no --reviewer was given \
                 and git has no user.email):"
                    .into(),
            ));
            out.push(field(&d.input, theme));
        }
        Step::Confirm => {
            let verb = match d.result {
                ReviewResult::Approved => "approve",
                ReviewResult::Rejected => "reject",
            };
            out.push(dim(format!(
                "Signing as {} · appending to {}",
                d.reviewer.as_deref().unwrap_or_default(),
                signing.out.display()
            )));
            out.push(Line::from(vec![
                Span::raw("Type "),
                untrusted(&signing.confirmation(), theme.title()),
                Span::raw(format!(" to {verb} these exact bytes:")),
            ]));
            out.push(field(&d.input, theme));
        }
        Step::Passphrase => {
            let key = signing
                .config
                .key
                .as_ref()
                .map_or_else(|| "the key".to_owned(), |k| k.display().to_string());
            out.push(text(format!("Passphrase for {key}:")));
            let masked: String = "•".repeat(d.input.chars().count());
            out.push(field(&masked, theme));
        }
        Step::Done { path, command } => {
            let what = match d.result {
                ReviewResult::Approved => "Approval",
                ReviewResult::Rejected => "Rejection",
            };
            out.push(Line::styled(
                format!("{what} signed and written to:"),
                theme.title(),
            ));
            out.push(text(format!("  {}", path.display())));
            out.push(Line::raw(""));
            out.push(text("Check it with:".into()));
            out.push(text(format!("  {command}")));
            out.push(Line::raw(""));
            out.push(dim("Enter or Esc closes.".into()));
        }
        Step::Failed(message) => {
            out.push(Line::styled(
                "Nothing was signed or written:",
                theme.title().add_modifier(Modifier::BOLD),
            ));
            out.push(Line::from(vec![
                Span::raw("  "),
                untrusted(message, Style::default()),
            ]));
            out.push(Line::raw(""));
            out.push(dim("Enter or Esc closes.".into()));
        }
    }
    if let Some(e) = &d.error {
        out.push(Line::styled(
            format!("✗ {e}"),
            theme.title().add_modifier(Modifier::BOLD),
        ));
    }
    out
}

/// A text field: the typed text and a bar for the cursor.
fn field(input: &str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled("> ", theme.title()),
        untrusted(input, Style::default().add_modifier(Modifier::UNDERLINED)),
        Span::styled("▏", theme.title()),
    ])
}

/// Draws the dialog over the screen, when it is open.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let (Some(d), Some(signing)) = (&app.signoff, &app.signing) else {
        return;
    };
    let lines = lines(app, d, signing, theme);
    let width = area.width.saturating_sub(2).min(76);
    // Wrapped lines need more rows than lines; leave room, the screen is clipped anyway.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    // Word wrapping can take a row more than the width says; one row of slack.
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let height = u16::try_from(rows + 3).unwrap_or(u16::MAX).min(area.height);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let title = match d.result {
        ReviewResult::Approved => " sign off ",
        ReviewResult::Rejected => " reject ",
    };
    Clear.render(popup, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::bordered()
                .title(Line::from(vec![
                    Span::raw(title),
                    untrusted(&signing.confirmation(), theme.title()),
                    Span::raw(" · Esc cancels "),
                ]))
                .border_style(theme.border(true)),
        )
        .render(popup, buf);
}
