//! The document in the preview pane: where its bytes come from, its lines, whether it is
//! binary, the secrets to mask, and the reviewer's scroll position and view mode.
//!
//! A document never copies an entry's bytes: they stay in the artifact (kept in memory by
//! `open`) and are borrowed at draw time. Only the line index is built, once, with memchr.

use std::borrow::Cow;
use std::sync::Arc;

use crate::artifact::Artifact;
use crate::finding::SecretEvidence;
use crate::rules::Finding;

use super::diffview::DiffDoc;

/// Where a document's bytes come from.
#[derive(Debug, Clone)]
pub enum DocSource {
    /// An entry of the artifact.
    Entry(u32),
    /// A file inside an entry: a source map's embedded source, a nested archive's entry.
    Inner(Arc<[u8]>),
    /// The first bytes of a big entry, checked against their own digest, shown while the
    /// whole is read (see `App::load_step`).
    Head {
        /// The entry.
        entry: u32,
        /// Its first bytes.
        head: crate::artifact::Content,
        /// Its size.
        total: u64,
    },
    /// No content: a folder, a removed entry, a link; the text says what it is.
    Note(String),
}

/// A secret to hide: a byte range of the document, on one line or spanning several (the body
/// of a PEM or OpenSSH private key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mask {
    /// 0-based line where the secret starts.
    pub line: usize,
    /// 0-based line where it ends: `line` for a one-line secret.
    pub last_line: usize,
    /// Byte offset of its start in the document.
    pub start: usize,
    /// Byte offset of its end in the document.
    pub end: usize,
    /// True when its extent is known (the rules' matcher found it again, or the finding gave
    /// its length); false when guessed to the end of the token.
    pub exact: bool,
    /// Bytes left visible at its start: what the finding's message already shows.
    pub keep: usize,
}

impl Mask {
    /// The bytes of the document it hides: all but the first `keep`.
    pub fn hidden(&self) -> std::ops::Range<usize> {
        (self.start + self.keep).min(self.end)..self.end
    }

    /// True when the secret has bytes on line `i`.
    pub fn spans_line(&self, i: usize) -> bool {
        (self.line..=self.last_line).contains(&i)
    }
}

/// Most bytes per row of the hex view, the usual 16 when the pane is wide enough.
pub const HEX_ROW_MAX: usize = 16;

/// Bytes per row of the hex view in a pane `width` columns wide: 16 when it fits, else the
/// largest power of two that does (an offset, two spaces, `xx ` per byte, two spaces, one
/// ASCII column per byte), never fewer than one.
pub fn hex_row(width: usize) -> usize {
    let mut n = HEX_ROW_MAX;
    while n > 1 && 11 + 4 * n > width {
        n /= 2;
    }
    n
}

/// Bytes of a secret left visible so the reviewer can recognise it (`AKIA****`).
pub const MASK_KEEP: usize = 4;

/// How the document is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewMode {
    /// Lines with numbers and highlighting.
    Text,
    /// Offsets, hex bytes, ASCII.
    Hex,
    /// Against the baseline version.
    Diff,
}

/// The document in the preview.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The tree node shown.
    pub node: super::tree::NodeId,
    /// Its path for the title (raw; sanitise before drawing).
    pub path: String,
    /// The name syntect chooses the syntax by (the inner path for embedded sources).
    pub syntax_path: String,
    /// Where the bytes are.
    pub source: DocSource,
    /// Byte offset of each line's start.
    pub line_starts: Vec<usize>,
    /// Total bytes.
    pub len: usize,
    /// `Some(type guess)` when the content is binary.
    pub binary: Option<&'static str>,
    /// Secrets on this document.
    pub masks: Vec<Mask>,
    /// The line a finding points at (0-based), highlighted.
    pub focus: Option<usize>,
    /// First line (or hex row, or diff row) on screen.
    pub scroll_y: usize,
    /// Bytes skipped at the left of every line.
    pub scroll_x: usize,
    /// Text, hex or diff.
    pub mode: ViewMode,
    /// The view the diff returns to when closed: the one the file had (hex for a binary).
    pub before_diff: ViewMode,
    /// The line (0-based) whose secrets the reviewer revealed with the reveal key; every
    /// other secret stays masked.
    pub revealed: Option<usize>,
    /// The diff against the baseline, computed on first use.
    pub diff: Option<DiffDoc>,
}

/// A document's bytes: an entry's content shared with the artifact's cache, or borrowed.
pub enum Bytes<'a> {
    /// An entry's content.
    Shared(crate::artifact::Content),
    /// Inner or note bytes.
    Borrowed(&'a [u8]),
}

impl std::ops::Deref for Bytes<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Shared(c) => c,
            Bytes::Borrowed(b) => b,
        }
    }
}

impl Doc {
    /// A document over `source` not yet indexed: one empty line, nothing masked.
    fn blank(
        node: super::tree::NodeId,
        path: String,
        syntax_path: String,
        source: DocSource,
    ) -> Self {
        Doc {
            node,
            path,
            syntax_path,
            source,
            line_starts: vec![0],
            len: 0,
            binary: None,
            masks: Vec::new(),
            focus: None,
            scroll_y: 0,
            scroll_x: 0,
            mode: ViewMode::Text,
            before_diff: ViewMode::Text,
            revealed: None,
            diff: None,
        }
    }

    /// A document over `source`, indexing lines and masking the secrets `findings` report
    /// on this node.
    pub fn new(
        artifact: &Artifact,
        node: super::tree::NodeId,
        path: String,
        syntax_path: String,
        source: DocSource,
        findings: &[&Finding],
    ) -> Self {
        let mut doc = Doc::blank(node, path, syntax_path, source);
        let bytes = doc.bytes(artifact);
        let (len, binary) = (bytes.len(), super::binary::binary_kind(&bytes));
        let starts = line_starts(&bytes);
        let masks = findings
            .iter()
            .filter(|f| f.rule.starts_with("secret-"))
            .filter_map(|f| mask_for(f, &bytes, &starts))
            .collect();
        drop(bytes);
        (doc.len, doc.binary, doc.line_starts, doc.masks) = (len, binary, starts, masks);
        if binary.is_some() {
            doc.mode = ViewMode::Hex;
        }
        doc
    }

    /// The bytes: shared with the artifact's cache or the map, never copied (an entry that
    /// cannot be read again is empty here; opening it said why, see `navigate`).
    pub fn bytes<'a>(&'a self, artifact: &'a Artifact) -> Bytes<'a> {
        match &self.source {
            DocSource::Entry(i) => artifact
                .content_shared(*i)
                .map_or(Bytes::Borrowed(&[]), Bytes::Shared),
            DocSource::Inner(b) => Bytes::Borrowed(b),
            DocSource::Head { head, .. } => Bytes::Borrowed(head),
            DocSource::Note(n) => Bytes::Borrowed(n.as_bytes()),
        }
    }

    /// The masks in force: all but those of the revealed line.
    pub fn active_masks(&self) -> Vec<Mask> {
        self.masks
            .iter()
            .filter(|m| Some(m.line) != self.revealed)
            .copied()
            .collect()
    }

    /// Scrolls the line in focus to a third of the way down a pane `height` rows high (a line
    /// past the end, a stale or wrong finding's, does not scroll into emptiness).
    pub fn scroll_to_focus(&mut self, height: usize, hex_row: usize) {
        if let Some(f) = self.focus {
            self.scroll_y = f
                .saturating_sub(height / 3)
                .min(self.rows(hex_row).saturating_sub(height));
            self.scroll_x = 0;
        }
    }

    /// True while only the head of the file is in (the rest being read).
    pub fn partial(&self) -> bool {
        matches!(self.source, DocSource::Head { .. })
    }

    /// Shows `diff`, remembering the view to return to.
    pub fn enter_diff(&mut self, diff: DiffDoc) {
        if self.mode != ViewMode::Diff {
            self.before_diff = self.mode;
        }
        self.diff = Some(diff);
        self.mode = ViewMode::Diff;
        (self.scroll_y, self.scroll_x) = (0, 0);
    }

    /// Closes the diff: back to the view the file had before it, never text for a binary.
    pub fn leave_diff(&mut self) {
        if self.mode == ViewMode::Diff {
            self.mode = match self.before_diff {
                _ if self.binary.is_some() => ViewMode::Hex,
                ViewMode::Diff => ViewMode::Text,
                m => m,
            };
            self.scroll_y = 0;
        }
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// True when line `i` (0-based, of this release's file) is on screen in the current mode,
    /// given the pane's height in rows and the bytes per hex row ([`hex_row`]).
    pub fn shows_line(&self, i: usize, height: usize, hex_row: usize) -> bool {
        let rows = self.scroll_y..self.scroll_y + height;
        match self.mode {
            ViewMode::Text => rows.contains(&i),
            ViewMode::Hex => {
                // The line's bytes overlap the bytes on screen.
                let start = self.line_starts.get(i).copied().unwrap_or(usize::MAX);
                let end = self.line_starts.get(i + 1).copied().unwrap_or(self.len);
                start < rows.end.saturating_mul(hex_row) && end > rows.start * hex_row
            }
            ViewMode::Diff => self.diff.as_ref().is_some_and(|d| {
                d.rows.iter().skip(rows.start).take(height).any(|r| {
                    matches!(*r, super::diffview::DiffRow::Same(_, n) | super::diffview::DiffRow::Added(n) if n == i)
                })
            }),
        }
    }

    /// Number of rows the current mode scrolls over, with `hex_row` bytes per hex row.
    pub fn rows(&self, hex_row: usize) -> usize {
        match self.mode {
            ViewMode::Text => self.line_count(),
            ViewMode::Hex => self.len.div_ceil(hex_row.max(1)).max(1),
            ViewMode::Diff => self.diff.as_ref().map_or(1, |d| d.rows.len().max(1)),
        }
    }
}

/// The bytes of line `i` (0-based) without its `\n` or `\r\n`.
pub fn line<'a>(bytes: &'a [u8], starts: &[usize], i: usize) -> &'a [u8] {
    let Some(&start) = starts.get(i) else {
        return &[];
    };
    let end = starts
        .get(i + 1)
        .map_or(bytes.len(), |e| e.saturating_sub(1));
    let l = bytes.get(start..end.max(start)).unwrap_or(&[]);
    let l = l.strip_suffix(b"\n").unwrap_or(l);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// Start offsets of every line.
pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut v = Vec::with_capacity(bytes.len() / 40 + 1);
    v.push(0);
    v.extend(
        memchr::memchr_iter(b'\n', bytes)
            .map(|i| i + 1)
            .filter(|i| *i < bytes.len()),
    );
    v
}

/// Bytes past the end of a finding's line searched for its value: a format may reach over
/// lines (a private key's body starts on the next line, a service account's key id a few lines
/// below its `"service_account"`).
const VALUE_REACH: usize = 8 << 10;

/// Where a secret finding's value sits in this document. The finding's column counts bytes of
/// the line as shown (for an embedded source, its decoded text) and points at the whole match
/// (`postgres://…`), while its length is the value's (the password); so the value is found
/// again from the finding's line by the rules' own matcher: the hit of the finding's rule
/// nearest its column, which may run onto the following lines. The column and length are only
/// the fallback.
fn mask_for(f: &Finding, bytes: &[u8], starts: &[usize]) -> Option<Mask> {
    let line_no = usize::try_from(f.location.line?).ok()?.checked_sub(1)?;
    let base = *starts.get(line_no)?;
    let text = line(bytes, starts, line_no);
    let column = f
        .location
        .column
        .map_or(0, |c| (c as usize).saturating_sub(1));
    let evidence = SecretEvidence::of(f);
    let keep = evidence.as_ref().map_or(MASK_KEEP, |e| e.prefix.len());
    let reach = (base + text.len())
        .saturating_add(VALUE_REACH)
        .min(bytes.len());
    let hit = crate::detect::secrets::find(&bytes[base..reach])
        .into_iter()
        .filter(|h| h.format.rule.id == f.rule && h.at <= text.len())
        .min_by_key(|h| h.at.abs_diff(column));
    let (start, end, exact) = match hit {
        Some(h) if f.rule == "secret-private-key" => (
            base + h.value.0,
            key_body_end(bytes, base + h.value.1),
            true,
        ),
        Some(h) => (base + h.value.0, base + h.value.1, true),
        None => {
            let start = base + column.min(text.len());
            let token_end = text[start - base..]
                .iter()
                .position(|b| b" \t\"'`,;)}]<>".contains(b))
                .map_or(base + text.len(), |p| start + p);
            match evidence.map(|e| e.length) {
                Some(n) => (start, start.saturating_add(n).min(base + text.len()), true),
                None => (start, token_end, false),
            }
        }
    };
    Some(Mask {
        line: line_no_of(starts, start),
        last_line: line_no_of(starts, end.saturating_sub(1).max(start)),
        start,
        end,
        exact,
        keep,
    })
}

/// The 0-based line holding byte `at`.
fn line_no_of(starts: &[usize], at: usize) -> usize {
    starts.partition_point(|s| *s <= at).saturating_sub(1)
}

/// The end of a private key's body that starts before `from`: the matcher's value is its first
/// run of base64, but the whole body is secret, over every line (or `\n` escape in a JSON
/// string) up to the `-----END` line. Trailing line breaks are not part of it.
fn key_body_end(bytes: &[u8], from: usize) -> usize {
    let (mut i, mut end) = (from, from);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => {
                i += 1;
                end = i;
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'\\' if matches!(bytes.get(i + 1), Some(b'n' | b'r')) => i += 2,
            _ => break,
        }
    }
    end
}

/// The bytes of line `line_no` (`raw`, starting at byte `at` of the document) with the masks
/// in force applied: every hidden byte becomes `*`.
pub fn mask_line<'a>(raw: &'a [u8], at: usize, masks: &[Mask]) -> Cow<'a, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let line_end = at + raw.len();
    for m in masks {
        let h = m.hidden();
        let (from, to) = (h.start.max(at), h.end.min(line_end));
        if from >= to {
            continue;
        }
        let buf = out.get_or_insert_with(|| raw.to_vec());
        for b in &mut buf[from - at..to - at] {
            *b = b'*';
        }
    }
    out.map_or(Cow::Borrowed(raw), Cow::Owned)
}

/// The hidden byte ranges of the whole document, for views that are not line by line (hex).
pub fn hidden_ranges(masks: &[Mask]) -> Vec<std::ops::Range<usize>> {
    masks.iter().map(Mask::hidden).collect()
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn doc_over(bytes: &[u8]) -> Doc {
        let mut doc = Doc::blank(0, "f.txt".into(), "f.txt".into(), DocSource::Entry(0));
        (doc.line_starts, doc.len) = (line_starts(bytes), bytes.len());
        doc
    }

    #[test]
    fn lines_on_screen_follow_the_view_mode() {
        let old = (0..40).fold(String::new(), |mut s, i| {
            let _ = writeln!(s, "line {i}");
            s
        });
        let new = old.replace("line 30\n", "TOKEN=changed\n");
        let mut doc = doc_over(new.as_bytes());
        assert!(
            doc.shows_line(5, 10, 8) && !doc.shows_line(30, 10, 8),
            "text: rows are lines"
        );
        doc.diff = Some(DiffDoc::compute(Arc::from(old.as_bytes()), new.as_bytes()));
        doc.mode = ViewMode::Diff;
        assert!(
            doc.shows_line(30, 10, 8),
            "diff: the changed line is in the first rows (after a gap and context)"
        );
        assert!(
            !doc.shows_line(5, 10, 8),
            "diff: unchanged far-off lines are not shown"
        );
        doc.mode = ViewMode::Hex;
        // "line 0\n" is 7 bytes: hex rows 0..2 (16 bytes) cover lines 0, 1 and 2.
        assert!(
            doc.shows_line(2, 2, 8) && !doc.shows_line(3, 2, 8),
            "hex: lines by their bytes"
        );
    }

    #[test]
    fn hex_rows_fit_the_pane() {
        assert_eq!(hex_row(75), 16, "16 bytes need 75 columns");
        assert_eq!(hex_row(74), 8);
        assert_eq!(hex_row(43), 8, "an 80-column screen's preview");
        assert_eq!(hex_row(30), 4);
        assert_eq!(hex_row(0), 1, "never zero");
    }

    #[test]
    fn lines_are_indexed_without_their_endings() {
        assert_eq!(
            line(b"last\n", &line_starts(b"last\n"), 0),
            b"last",
            "final newline"
        );
        let b = b"one\r\ntwo\n\nfour";
        let s = line_starts(b);
        assert_eq!(s.len(), 4);
        assert_eq!(line(b, &s, 0), b"one", "CRLF is stripped");
        assert_eq!(line(b, &s, 2), b"");
        assert_eq!(line(b, &s, 3), b"four");
        assert_eq!(line(b, &s, 9), b"", "past the end is empty, not a panic");
    }

    #[test]
    fn masks_hide_document_bytes_on_every_line_they_span() {
        let text = b"key=ABCDEFGH\nIJKLMNOP\nQRST end";
        let starts = line_starts(text);
        let mask = Mask {
            line: 0,
            last_line: 2,
            start: 4,
            end: 26,
            exact: true,
            keep: 2,
        };
        let shown: Vec<Vec<u8>> = (0..3)
            .map(|i| mask_line(line(text, &starts, i), starts[i], &[mask]).into_owned())
            .collect();
        assert_eq!(
            shown[0], b"key=AB******",
            "the first line keeps its shown prefix"
        );
        assert_eq!(shown[1], b"********", "a middle line is hidden whole");
        assert_eq!(
            shown[2], b"**** end",
            "the last line up to the secret's end"
        );
    }

    #[test]
    fn a_private_key_body_runs_to_its_end_line() {
        let pem =
            b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\nBBBB\n=CC\n-----END RSA PRIVATE KEY-----\n";
        let from = 32 + 2;
        assert_eq!(
            &pem[key_body_end(pem, from) - 3..key_body_end(pem, from)],
            b"=CC"
        );
        let json = br#""-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----\n""#;
        let end = key_body_end(json, 31);
        assert_eq!(
            &json[end - 4..end],
            b"BBBB",
            "JSON escapes are crossed, not kept"
        );
    }
}
