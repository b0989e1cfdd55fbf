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
    use pulldown_cmark::{Event, Options, Parser, Tag};

    use super::{cell, code, render};
    use crate::manifest::ArtifactSummary;
    use crate::report::Report;
    use crate::rules::{Finding, Location, Policy, Severity};

    /// Hostile package text: markup, a mention, links, HTML, backticks, a cell break.
    const HOSTILE: [&str; 8] = [
        "**APPROVED**",
        "_x_ ~~y~~ # z",
        "@octocat",
        "[link](http://evil) ![img](x) https://evil.example",
        "<b>bold</b> &amp;",
        "a`b``c",
        "`edge`",
        "a|b \\| c",
    ];

    fn summary(name: &str, version: &str) -> ArtifactSummary {
        ArtifactSummary {
            path: "pkg.tgz".to_owned(),
            file_name: "pkg.tgz".to_owned(),
            format: crate::artifact::Format::NpmTarball,
            name: Some(name.to_owned()),
            version: Some(version.to_owned()),
            sha256: String::new(),
            sha512: String::new(),
            integrity: String::new(),
            packed_size: 1,
            unpacked_size: 1,
            files: 1,
        }
    }

    fn report(text: &str) -> Report {
        let location = Location {
            path: text.to_owned(),
            ..Location::default()
        };
        let finding = Finding::new(
            &crate::rules::large_file::RULE,
            location,
            format!("message from the package: {text}"),
        )
        .severity(Severity::High);
        let m = crate::manifest::Manifest::of(&crate::rules::test_support::artifact_of(&[(
            "package/index.js",
            b"x".as_slice(),
        )]));
        Report {
            artifact: summary(text, text),
            baseline: Some(summary(text, text)),
            diff: Some(crate::diff::diff(&m, &m)),
            findings: vec![finding],
            policy: Policy::default(),
        }
    }

    /// The parsed document (GFM tables and strikethrough): the text outside code spans, every
    /// code span, and the markup (emphasis, link, image, HTML, strikethrough) that opened,
    /// except our own bold counts (`**1** high`).
    fn parse(md: &str) -> (String, Vec<String>, Vec<String>) {
        let mut plain = String::new();
        let mut spans = Vec::new();
        let mut markup = Vec::new();
        let mut strong: Option<String> = None;
        for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
            match event {
                Event::Start(Tag::Strong) => strong = Some(String::new()),
                Event::End(pulldown_cmark::TagEnd::Strong) => {
                    let inside = strong.take().unwrap_or_default();
                    if inside.is_empty() || !inside.chars().all(|c| c.is_ascii_digit()) {
                        markup.push(format!("Strong({inside})"));
                    }
                }
                Event::Text(t) if strong.is_some() => {
                    strong.get_or_insert_default().push_str(&t);
                }
                Event::Code(c) if strong.is_some() => {
                    markup.push(format!("Strong(`{c}`)"));
                }
                Event::Text(t) => plain.push_str(&t),
                Event::Code(c) => spans.push(c.into_string()),
                Event::Html(h) | Event::InlineHtml(h) => markup.push(format!("html {h}")),
                Event::Start(
                    t @ (Tag::Emphasis | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }),
                ) => markup.push(format!("{t:?}")),
                _ => {}
            }
        }
        (plain, spans, markup)
    }

    #[test]
    fn package_text_is_a_code_span_that_renders_as_written() {
        for text in HOSTILE {
            let md = render(&report(text), Severity::High);
            let (plain, spans, markup) = parse(&md);
            assert!(
                markup.is_empty(),
                "{text:?} opened markup {markup:?} in\n{md}"
            );
            assert!(
                !plain.contains(text.trim_matches('`')) || text.len() < 3,
                "{text:?} appears outside a code span in\n{md}"
            );
            // The title in the heading and in both columns of the size table.
            let exact = spans
                .iter()
                .filter(|s| s.as_str() == format!("{text}@{text}"))
                .count();
            assert_eq!(
                exact, 3,
                "title in the heading and the table: {spans:?}\n{md}"
            );
            assert!(
                spans.contains(&text.to_owned()),
                "the location renders as written: {spans:?}\n{md}"
            );
            assert!(
                spans.contains(&format!("message from the package: {text}")),
                "the message renders as written: {spans:?}\n{md}"
            );
            assert!(!md.contains('\u{2060}'), "no hidden character to copy");
        }
    }

    #[test]
    fn a_pipe_in_package_text_does_not_split_the_table_cell() {
        for text in ["a|b", "a\\|b", "||", "`|`"] {
            let md = render(&report(text), Severity::High);
            let row = md
                .lines()
                .find(|l| l.starts_with("| high |"))
                .expect("the finding's row");
            let mut cells = 0;
            for event in Parser::new_ext(
                &format!("| a | b | c | d |\n|---|---|---|---|\n{row}\n"),
                Options::ENABLE_TABLES,
            ) {
                if matches!(event, Event::Start(Tag::TableCell)) {
                    cells += 1;
                }
            }
            assert_eq!(
                cells, 8,
                "header and row keep four cells each for {text:?}: {row}"
            );
        }
    }

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(code("plain", false), "`plain`");
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(
            code("`x`", false),
            "`` `x` ``",
            "padded: the text starts with a backtick"
        );
        assert_eq!(code("a```b``c", false), "````a```b``c````");
        assert_eq!(code("", false), "");
        assert_eq!(cell("a|b\nc"), "`a\\|b^Jc`", "no cell break, no row break");
    }
}
