//! The header: what is under review, its size against the baseline, findings by severity and
//! review coverage.

use crate::units::{size, size_delta};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};

use crate::review::app::App;
use crate::review::theme::Theme;
use crate::rules::Severity;

use super::untrusted;

/// Draws the two header lines.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let a = &app.artifact;
    let sha: String = a.digests.sha256.chars().take(12).collect();
    let mut first = vec![
        untrusted(&a.title(), theme.title()),
        Span::styled(
            format!(" · {} · sha256 {sha}…", a.format.label()),
            theme.dim(),
        ),
    ];
    if let Some(b) = &app.baseline {
        first.push(Span::styled(" · vs ", theme.dim()));
        first.push(untrusted(&b.manifest.artifact.title(), theme.dim()));
    }
    let totals = app.baseline.as_ref().map(|b| b.diff.totals);
    let delta = |d: Option<String>| d.map(|d| format!(" ({d})")).unwrap_or_default();
    let sizes = Line::from(format!(
        "{}{} packed · {}{} unpacked · {} files{}",
        size(a.packed_size),
        delta(totals.map(|t| size_delta(t.packed_delta))),
        size(a.unpacked_size),
        delta(totals.map(|t| size_delta(t.unpacked_delta))),
        a.file_count(),
        delta(totals.map(|t| format!("{:+}", t.files_delta))),
    ));
    let mut counts = Vec::new();
    if app.scanning {
        counts.push(Span::styled("scanning… ", theme.dim()));
    } else if app.findings.is_empty() {
        counts.push(Span::styled("no findings ", theme.dim()));
    }
    // Counted as `check` counts them: findings the policy allows are not at any severity.
    // Narrow screens get the tree's letters (`5C 2H`), so the coverage still fits beside them.
    let narrow = area.width < 96;
    for sev in Severity::ALL {
        let n = app
            .findings
            .iter()
            .filter(|f| f.allowed.is_none() && f.severity == sev)
            .count();
        if n > 0 {
            let (letter, style) = theme.severity(sev);
            let text = if narrow {
                format!("{n}{letter} ")
            } else {
                format!("{n} {sev} ")
            };
            counts.push(Span::styled(text, style));
        }
    }
    let allowed = app.findings.iter().filter(|f| f.allowed.is_some()).count();
    if allowed > 0 {
        counts.push(Span::styled(format!("{allowed} allowed "), theme.dim()));
    }
    counts.push(Span::styled("│ ", theme.dim()));
    let lines = if area.height > 2 {
        counts.push(Span::raw(app.coverage.summary()));
        vec![Line::from(first), sizes, Line::from(counts)]
    } else {
        let (fv, ft) = app.coverage.flagged_viewed();
        counts.push(Span::raw(format!("flagged viewed {fv}/{ft}")));
        vec![Line::from(first), Line::from(counts)]
    };
    Paragraph::new(lines).render(area, buf);
}
