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

use super::fit;

/// Columns a name keeps before the digest makes room for it: enough for a scoped name's
/// start and its version.
const NAME_MIN: usize = 24;

/// `name@version` in `width` columns: the name is cut with `…` before the version is, since
/// the version is what tells the release from its baseline.
fn fit_name(s: &str, width: usize) -> String {
    let count = s.chars().count();
    match s.rfind('@').filter(|at| *at > 0) {
        Some(at) if count > width && s[at..].chars().count() + 2 <= width => {
            let version = &s[at..];
            format!(
                "{}{version}",
                fit(&s[..at], width - version.chars().count())
            )
        }
        _ => fit(s, width),
    }
}

/// The release's and the baseline's names cut with `…` to share `width` with the first
/// `metas` (the format and digest, then the format alone) that leaves each name [`NAME_MIN`]
/// columns, or room for all of it; never cut mid-word without a mark.
fn fit_names<'m>(
    title: &str,
    base: Option<&str>,
    metas: [&'m str; 2],
    width: usize,
) -> (String, Option<String>, &'m str) {
    let count = |s: &str| s.chars().count();
    let names = count(title) + base.map_or(0, count);
    let vs = if base.is_some() { count(" · vs ") } else { 0 };
    let room = |meta: &str| width.saturating_sub(count(meta) + vs);
    let need = NAME_MIN * if base.is_some() { 2 } else { 1 };
    let meta = metas
        .into_iter()
        .find(|m| room(m) >= need.min(names))
        .unwrap_or(metas[1]);
    let avail = room(meta);
    let Some(base) = base else {
        return (fit_name(title, avail), None, meta);
    };
    let (tn, bn) = (count(title), count(base));
    if tn + bn <= avail {
        return (title.to_owned(), Some(base.to_owned()), meta);
    }
    // The shorter name whole when it takes at most half; the longer one gets the rest.
    let bw = bn.min((avail / 2).max(avail.saturating_sub(tn)));
    (fit_name(title, avail - bw), Some(fit_name(base, bw)), meta)
}

/// Draws the two header lines.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let a = &app.artifact;
    let sha: String = a.digests.sha256.chars().take(12).collect();
    let title = crate::sanitize::for_terminal(&a.title()).into_owned();
    let base = app
        .baseline
        .as_ref()
        .map(|b| crate::sanitize::for_terminal(&b.manifest.artifact.title()).into_owned());
    let long = format!(" · {} · sha256 {sha}…", a.format.label());
    let short = format!(" · {}", a.format.label());
    let (title, base, meta) =
        fit_names(&title, base.as_deref(), [&long, &short], area.width.into());
    let mut first = vec![
        Span::styled(title, theme.title()),
        Span::styled(meta.to_owned(), theme.dim()),
    ];
    if let Some(base) = base {
        first.push(Span::styled(" · vs ", theme.dim()));
        first.push(Span::styled(base, theme.dim()));
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
