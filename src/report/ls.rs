//! `shipcheck ls`: every entry with kind, mode, size and digest; totals; anomalies.

use std::fmt::Write as _;

use serde::Serialize;

use crate::artifact::{Anomaly, Artifact, Entry, PackageMeta};
use crate::manifest::ArtifactSummary;
use crate::sanitize::for_terminal;

use super::push_mode;
use crate::units::size;

/// The JSON document `ls --json` prints.
#[derive(Debug, Serialize)]
pub struct Listing<'a> {
    /// Digests and totals.
    pub artifact: ArtifactSummary,
    /// Package metadata.
    pub package: Option<&'a PackageMeta>,
    /// Every entry.
    pub entries: &'a [Entry],
    /// Container anomalies.
    pub anomalies: &'a [Anomaly],
}

/// The `ls --json` document.
pub fn json(a: &Artifact) -> anyhow::Result<String> {
    let listing = Listing {
        artifact: ArtifactSummary::of(a),
        package: a.package.as_ref(),
        entries: &a.entries,
        anomalies: &a.anomalies,
    };
    Ok(crate::json::to_string_pretty(&listing)? + "\n")
}

/// Listings of more entries than this are formatted on two threads.
const PARALLEL_ENTRIES: usize = 20_000;

/// The aligned text listing.
pub fn text(a: &Artifact) -> String {
    text_pieces(a).concat()
}

/// [`text`] in the pieces it is made of, to be written one after another: joining the
/// halves of a 100,000-line listing would hold it twice.
pub fn text_pieces(a: &Artifact) -> Vec<String> {
    let mut out = String::new();
    let s = ArtifactSummary::of(a);
    let _ = writeln!(
        out,
        "{}  {}  sha256:{}",
        for_terminal(&s.title()),
        a.format.label(),
        for_terminal(&s.sha256)
    );
    // A listing of 100,000 files is formatted on both cores, in plain pushes rather than
    // `write!` with padding: this is most of the work once the archive is read.
    let sizes: Vec<String> = crate::par::in_two(
        &a.entries,
        PARALLEL_ENTRIES,
        |_| 1,
        |part| part.iter().map(|e| size(e.size)).collect(),
    );
    let width = sizes.iter().map(String::len).max().unwrap_or(0);
    let rows: Vec<(&Entry, &String)> = a.entries.iter().zip(&sizes).collect();
    let chunks = crate::par::in_two(
        &rows,
        PARALLEL_ENTRIES,
        |_| 1,
        |part| {
            let mut out = String::with_capacity(part.len() * (width + 64));
            for (e, sz) in part {
                let digest = e.sha256.as_deref().map_or("-", |d| &d[..16.min(d.len())]);
                push_mode(&mut out, e.kind, e.mode);
                out.extend(std::iter::repeat_n(' ', 2 + width - sz.len()));
                out.push_str(sz);
                out.push_str("  ");
                out.push_str(digest);
                out.extend(std::iter::repeat_n(' ', 2 + 16 - digest.len()));
                out.push_str(&for_terminal(&e.path));
                if let Some(t) = &e.link_target {
                    out.push_str(" -> ");
                    out.push_str(&for_terminal(t));
                }
                if !e.installed {
                    out.push_str("  (not installed)");
                }
                out.push('\n');
            }
            vec![out]
        },
    );
    let mut pieces = vec![out];
    pieces.extend(chunks);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} files, {} unpacked, {} packed ({} entries)",
        s.files,
        size(s.unpacked_size),
        size(s.packed_size),
        a.entries.len()
    );
    if !a.anomalies.is_empty() {
        let _ = writeln!(out, "\n{} container anomalies:", a.anomalies.len());
        for an in &a.anomalies {
            let _ = writeln!(
                out,
                "  archive-{:<20} {}",
                an.kind.id(),
                for_terminal(&an.detail)
            );
        }
    }
    pieces.push(out);
    pieces
}
