//! `shipcheck diff` as text: totals with deltas, then added, removed, changed, metadata.

use std::fmt::Write as _;

use crate::diff::{Diff, EntryChange};
use crate::sanitize::for_terminal;

use super::digest_prefix;
use crate::units::{size, size_delta};

fn ratio(old: u64, new: u64) -> String {
    if old == 0 {
        String::new()
    } else {
        format!(", {:.2}×", new as f64 / old as f64)
    }
}

fn section(out: &mut String, title: &str, mark: char, list: &[EntryChange]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title} ({}):", list.len());
    for c in list {
        let sizes = match (c.old_size, c.new_size) {
            (Some(o), Some(n)) => {
                format!("{} → {} ({})", size(o), size(n), size_delta(c.size_delta))
            }
            (None, Some(n)) => size(n),
            (Some(o), None) => size(o),
            (None, None) => String::new(),
        };
        let mode = c
            .old_mode
            .map_or(String::new(), |m| format!("  mode {m:o} changed"));
        let _ = writeln!(out, "  {mark} {}  {sizes}{mode}", for_terminal(&c.path));
    }
}

/// The text report.
pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    for (label, s) in [("old", &d.old), ("new", &d.new)] {
        let _ = writeln!(
            out,
            "{label}: {}  ({}, {} packed, {} unpacked, {} files, sha256:{})",
            for_terminal(&s.title()),
            s.format.label(),
            size(s.packed_size),
            size(s.unpacked_size),
            s.files,
            digest_prefix(&s.sha256, 12)
        );
    }
    let _ = writeln!(
        out,
        "unpacked {} ({}{}), packed {}, files {:+}",
        size(d.new.unpacked_size),
        size_delta(d.totals.unpacked_delta),
        ratio(d.old.unpacked_size, d.new.unpacked_size),
        size_delta(d.totals.packed_delta),
        d.totals.files_delta
    );
    section(&mut out, "added", '+', &d.added);
    section(&mut out, "removed", '-', &d.removed);
    section(&mut out, "changed", '~', &d.changed);
    let _ = writeln!(out, "\nunchanged: {}", d.unchanged.len());
    if !d.metadata.is_empty() {
        let _ = writeln!(out, "\npackage metadata ({}):", d.metadata.len());
        for m in &d.metadata {
            let show = |v: &Option<String>| {
                v.as_deref()
                    .map_or("(none)".to_owned(), |s| format!("\"{}\"", for_terminal(s)))
            };
            let _ = writeln!(
                out,
                "  {}: {} → {}",
                for_terminal(&m.field),
                show(&m.old),
                show(&m.new)
            );
        }
    }
    out
}
