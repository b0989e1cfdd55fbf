//! `check --format markdown`: a pull-request comment with the verdict, a size/count delta table
//! and the findings.

use std::fmt::Write as _;

use super::Report;
use crate::rules::{Finding, Severity};
use crate::sanitize::for_terminal;

use crate::units::{size, size_delta};

/// Escapes artifact text for a markdown table cell.
/// Package text made inert in a table cell of a PR comment: no cell break, no HTML, no
/// code span, link, image or @-mention that the package's own text could open. (Line
/// breaks are already visible escapes: `for_terminal` turns them into `^J`.)
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in for_terminal(s).chars() {
        match c {
            '\\' | '|' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // GitHub finds mentions in the rendered text, where an entity is already `@`
            // again; an invisible word joiner after it breaks the mention instead.
            '@' => out.push_str("@\u{2060}"),
            c => out.push(c),
        }
    }
    out
}

fn row(out: &mut String, f: &Finding) {
    let _ = writeln!(
        out,
        "| {} | `{}` | {} | {} |",
        f.severity,
        f.rule,
        cell(&f.location.to_string()),
        cell(&f.message)
    );
}

/// Renders the comment.
pub fn render(r: &Report, fail_on: Severity) -> String {
    let a = &r.artifact;
    let mut out = String::new();
    let verdict = if r.fails(fail_on) {
        format!("❌ fails (findings at or above {fail_on})")
    } else {
        format!("✅ passes (nothing at or above {fail_on})")
    };
    let _ = writeln!(out, "### shipcheck: {} — {verdict}\n", cell(&a.title()));
    match (&r.baseline, &r.diff) {
        (Some(b), Some(d)) => {
            let _ = writeln!(
                out,
                "| | {} | {} | Δ |\n|---|---:|---:|---:|",
                cell(&b.title()),
                cell(&a.title())
            );
            let _ = writeln!(
                out,
                "| packed | {} | {} | {} |",
                size(b.packed_size),
                size(a.packed_size),
                size_delta(d.totals.packed_delta)
            );
            let _ = writeln!(
                out,
                "| unpacked | {} | {} | {} |",
                size(b.unpacked_size),
                size(a.unpacked_size),
                size_delta(d.totals.unpacked_delta)
            );
            let _ = writeln!(
                out,
                "| files | {} | {} | {:+} |",
                b.files, a.files, d.totals.files_delta
            );
            let _ = writeln!(
                out,
                "\n{} added, {} removed, {} changed.\n",
                d.added.len(),
                d.removed.len(),
                d.changed.len()
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "| | size |\n|---|---:|\n| packed | {} |\n| unpacked | {} |\n| files | {} |\n",
                size(a.packed_size),
                size(a.unpacked_size),
                a.files
            );
        }
    }
    let counts: Vec<String> = r
        .counts()
        .iter()
        .map(|(s, n)| format!("**{n}** {s}"))
        .collect();
    let _ = writeln!(out, "{}\n", counts.join(" · "));
    let open: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.allowed.is_none() && f.severity > Severity::Info)
        .collect();
    if !open.is_empty() {
        let _ = writeln!(
            out,
            "| severity | rule | location | message |\n|---|---|---|---|"
        );
        for f in open.iter().take(50) {
            row(&mut out, f);
        }
        if open.len() > 50 {
            let _ = writeln!(
                out,
                "\n…and {} more; see the JSON or SARIF report.",
                open.len() - 50
            );
        }
    }
    let allowed: Vec<&Finding> = r.findings.iter().filter(|f| f.allowed.is_some()).collect();
    if !allowed.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>{} allowed by policy</summary>\n\n| severity | rule | location | reason |\n|---|---|---|---|",
            allowed.len()
        );
        for f in allowed {
            let reason = f.allowed.as_ref().map_or("", |a| a.reason.as_str());
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                f.severity,
                f.rule,
                cell(&f.location.to_string()),
                cell(reason)
            );
        }
        out.push_str("\n</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn package_text_cannot_open_links_mentions_or_markup() {
        let out = cell("[link](http://evil) ![img](x) @octocat `c` <b>|&amp;");
        for live in ["[link]", "[img]", "@octocat", "<b>", "`c`"] {
            assert!(!out.contains(live), "{live:?} stays inert in {out:?}");
        }
        assert!(
            out.contains("&amp;amp;"),
            "an entity shows as written: {out:?}"
        );
        assert_eq!(cell("a|b\nc"), "a\\|b^Jc", "no cell break, no row break");
    }
}
