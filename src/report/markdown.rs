//! `check --format markdown`: a pull-request comment with the verdict, a size/count delta table
//! and the findings.

use std::fmt::Write as _;

use super::Report;
use crate::rules::{Finding, Severity};
use crate::sanitize::for_terminal;

use crate::units::{size, size_delta};

/// Package text as an inline code span: inside one, nothing is markup — no emphasis (a
/// version `**APPROVED**` stays two asterisks), no HTML, no link, autolink or @-mention — and a
/// copied name is the name itself, with no hidden character. The fence is one backtick longer
/// than the longest run inside, padded with a space where the text starts or ends with a
/// backtick (CommonMark strips one such space). In a table cell a `|` would still end the
/// cell, so there it is written `\|`, which GFM turns back into `|` inside the span. Line
/// breaks are already visible escapes: `for_terminal` turns them into `^J`.
fn code(s: &str, in_table: bool) -> String {
    let text = for_terminal(s);
    if text.is_empty() {
        return String::new();
    }
    let text = if in_table {
        text.replace('|', "\\|")
    } else {
        text.into_owned()
    };
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && text.trim() != "")
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Package text for a table cell (see [`code`]).
fn cell(s: &str) -> String {
    code(s, true)
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
    let _ = writeln!(
        out,
        "### shipcheck: {} — {verdict}\n",
        code(&a.title(), false)
    );
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
