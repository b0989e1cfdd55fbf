//! AWS key pairs: an access key id with an unlabeled secret a few lines away.
//!
//! `secret-aws-secret-access-key` matches a secret only behind a label it knows
//! (`aws_secret_access_key = …`), because 40 base64 characters alone are everywhere. Next to
//! an `AKIA…`/`ASIA…` key id they are not: `{ accessKeyId: "AKIA…", key: "wJalr…" }` or an
//! id and a secret on two lines of a config are the pair a leak consists of. So for each such
//! key id, the nearest unlabeled 40-character secret within [`LINES`] lines (and [`BYTES`]
//! bytes, for minified code) becomes one finding with both values, under the secret's rule.
//!
//! Linear whatever the input: the windows around the key ids are merged and each byte of them
//! is looked at once for candidates; every key id then looks only at the candidates in its
//! own window, of which there are at most `2 * BYTES / 41`.

use std::sync::LazyLock;

use super::Hit;
use super::formats::{FORMATS, Format};

/// Lines before and after the key id's that may hold its secret.
pub const LINES: usize = 3;
/// Bytes before and after the key id past which a secret is not its pair, whatever the lines.
pub const BYTES: usize = 300;

fn format(id: &str) -> &'static Format {
    FORMATS
        .iter()
        .find(|f| f.rule.id == id)
        .expect("the AWS formats are in the registry")
}

/// The key id's format, for masking it and judging whether it is an example.
pub static KEY_ID: LazyLock<&'static Format> = LazyLock::new(|| format("secret-aws-access-key-id"));
/// The secret's format: the pair reports under it.
static SECRET: LazyLock<&'static Format> = LazyLock::new(|| format("secret-aws-secret-access-key"));

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
}

/// The bytes around a key id at `start..end` in which its secret may be.
fn window(hay: &[u8], start: usize, end: usize) -> (usize, usize) {
    let from = start.saturating_sub(BYTES);
    let back = memchr::memrchr_iter(b'\n', &hay[from..start])
        .nth(LINES)
        .map_or(from, |nl| from + nl + 1);
    let to = end.saturating_add(BYTES).min(hay.len());
    let ahead = memchr::memchr_iter(b'\n', &hay[end..to])
        .nth(LINES)
        .map_or(to, |nl| end + nl);
    (back, ahead)
}

/// True for 40 characters that look like a generated secret rather than a word, a path or a
/// hex digest: upper and lower case and a digit, and many distinct characters.
fn looks_random(v: &[u8]) -> bool {
    let mut seen = [false; 256];
    for &b in v {
        seen[b as usize] = true;
    }
    v.iter().any(u8::is_ascii_uppercase)
        && v.iter().any(u8::is_ascii_lowercase)
        && v.iter().any(u8::is_ascii_digit)
        && seen.iter().filter(|&&s| s).count() >= 20
}

/// Runs of exactly 40 base64 characters (not followed by `=` padding) inside `[start, end)`.
fn candidates(hay: &[u8], (start, end): (usize, usize), out: &mut Vec<(usize, usize)>) {
    let mut i = start;
    while i < end {
        if !is_b64(hay[i]) {
            i += 1;
            continue;
        }
        let run = i;
        // Not past `end`: a run that goes on is no candidate here, and stopping keeps a long
        // base64 blob under many windows from being walked once per window.
        while i < end && is_b64(hay[i]) {
            i += 1;
        }
        let whole = run.checked_sub(1).is_none_or(|p| !is_b64(hay[p]))
            && hay.get(i).is_none_or(|&b| !is_b64(b) && b != b'=');
        if whole && i - run == 40 && looks_random(&hay[run..i]) {
            out.push((run, i));
        }
    }
}

/// Turns each AKIA/ASIA key id hit in `hits` (ordered, not overlapping) that has an unlabeled
/// secret near it into a pair hit: the secret's format and value, the key id in `pair`.
pub fn join(hay: &[u8], hits: &mut [Hit]) {
    let ids: Vec<usize> = (0..hits.len())
        .filter(|&i| {
            let h = &hits[i];
            std::ptr::eq(h.format, *KEY_ID)
                && matches!(hay.get(h.value.0..h.value.0 + 4), Some(b"AKIA" | b"ASIA"))
        })
        .collect();
    if ids.is_empty() {
        return;
    }
    let windows: Vec<(usize, usize)> = ids
        .iter()
        .map(|&i| window(hay, hits[i].value.0, hits[i].value.1))
        .collect();
    let mut merged = windows.clone();
    merged.sort_unstable();
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(merged.len());
    for (s, e) in merged {
        match spans.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => spans.push((s, e)),
        }
    }
    let mut found = Vec::new();
    for span in spans {
        candidates(hay, span, &mut found);
    }
    // Values other hits claim (a labeled secret, a key id) are not a pair's secret.
    let claimed: Vec<(usize, usize)> = hits.iter().map(|h| h.value).collect();
    let taken = |(s, e): (usize, usize)| {
        let k = claimed.partition_point(|v| v.1 <= s);
        claimed.get(k).is_some_and(|v| v.0 < e)
    };
    let mut used = vec![false; found.len()];
    for (&i, &(ws, we)) in ids.iter().zip(&windows) {
        let key = hits[i].value;
        let first = found.partition_point(|c| c.0 < ws);
        let best = (first..found.len())
            .take_while(|&c| found[c].0 < we)
            .filter(|&c| found[c].1 <= we && !used[c] && !taken(found[c]))
            .min_by_key(|&c| found[c].0.abs_diff(key.0));
        if let Some(c) = best {
            used[c] = true;
            hits[i] = Hit {
                format: *SECRET,
                at: hits[i].at,
                value: found[c],
                pair: Some(key),
            };
        }
    }
}
