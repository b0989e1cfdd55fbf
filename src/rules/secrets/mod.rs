//! `secret-*`: credentials in shipped bytes, found precisely and never printed in full.
//!
//! The scanner is [`crate::detect::secrets::find`]; this file is the rule side.
//! [`report`] turns hits into findings with line, column, a masked value and the
//! context that decides severity: a placeholder or documented example is `info`, a key in a
//! test fixture is `low`.

use crate::detect::secrets::{Hit, MIN_MATCH, find, pair, placeholder, public};
use crate::detect::text::{self, LineCounter};

use super::ctx::FileCtx;
use super::{Finding, Severity};
use crate::finding::SecretEvidence;

/// What a hit's surroundings say about it: the severity, and the context that decided it.
/// `rust_tests` are the file's Rust test ranges ([`context::rust_test_ranges`]).
fn decide(
    ctx: &FileCtx<'_>,
    value: &[u8],
    hay: &[u8],
    hit: &Hit,
    rust_tests: &[(usize, usize, &'static str)],
) -> (Severity, Option<String>) {
    let key_id = hit
        .pair
        .and_then(|(s, e)| placeholder::reason(*pair::KEY_ID, &hay[s..e], hay, hit));
    if let Some(why) = placeholder::reason(hit.format, value, hay, hit).or(key_id) {
        return (Severity::Info, Some(why.to_owned()));
    }
    if let Some(source) = public::known(value) {
        return (
            Severity::Info,
            Some(format!("well-known public value ({source})")),
        );
    }
    let vector = context::test_vector(hay, hit.at);
    if let Some(rfc) = vector.as_ref().filter(|v| v.contains("RFC")) {
        return (Severity::Info, Some(rfc.clone()));
    }
    if let Some(doc) = context::doc_file(ctx.name()) {
        return (Severity::Info, Some(doc.to_owned()));
    }
    if let Some(why) = context::introduced_as_example(hay, hit.at) {
        return (Severity::Info, Some(why.to_owned()));
    }
    let low = Severity::Low.min(hit.format.rule.severity);
    if let Some(what) = context::test_file(ctx.path).or(ctx.inner.and_then(context::test_file)) {
        // A private key under a test folder may be a fixture, or the key a test signs with
        // that the author also deploys: the folder cannot tell, so say what is known and ask.
        if hit.format.rule.id == "secret-private-key"
            && let Some(folder) = test_folder(ctx.inner.unwrap_or(ctx.path))
        {
            let severity = Severity::Medium.min(hit.format.rule.severity);
            return (severity, Some(format!("under {folder}/: a fixture?")));
        }
        return (low, Some(what.to_owned()));
    }
    if let Some(&(_, _, what)) = rust_tests
        .iter()
        .find(|&&(s, e, _)| s <= hit.at && hit.at < e)
    {
        return (low, Some(format!("test code ({what})")));
    }
    if let Some(v) = vector {
        return (low, Some(v));
    }
    (hit.format.rule.severity, None)
}

/// The file's Rust test code, when it is a Rust file.
fn rust_tests(ctx: &FileCtx<'_>, hay: &[u8]) -> Vec<(usize, usize, &'static str)> {
    if text::extension(ctx.name()).as_deref() == Some("rs") {
        context::rust_test_ranges(hay)
    } else {
        Vec::new()
    }
}

/// Findings for every secret in `hay` (a file, or a map's embedded source decoded).
pub fn report(ctx: &FileCtx<'_>, hay: &[u8], out: &mut Vec<Finding>) {
    // Hits come in position order, so the counter goes through `hay` once in all.
    let mut lines = LineCounter::default();
    let hits = find(hay);
    if hits.is_empty() {
        return;
    }
    let tests = rust_tests(ctx, hay);
    for hit in hits {
        push(ctx, hay, &hit, &tests, &mut lines, out);
    }
}

/// Findings for the secrets in `hay` outside `skip` (ordered byte ranges): a source map's own
/// fields, around the embedded sources that [`report`] scans decoded on their own.
pub fn report_outside(
    ctx: &FileCtx<'_>,
    hay: &[u8],
    skip: &[(usize, usize)],
    out: &mut Vec<Finding>,
) {
    let mut lines = LineCounter::default();
    let mut at = 0;
    let ends = skip.iter().copied().chain([(hay.len(), hay.len())]);
    for (start, end) in ends {
        // Between two sources there is only `","`: nothing a format could match.
        if start >= at + MIN_MATCH {
            for mut hit in find(&hay[at..start]) {
                hit.at += at;
                hit.value = (hit.value.0 + at, hit.value.1 + at);
                hit.pair = hit.pair.map(|(s, e)| (s + at, e + at));
                push(ctx, hay, &hit, &[], &mut lines, out);
            }
        }
        at = at.max(end);
    }
}

/// The first folder of `path` that makes it a test path (`tests`, `__tests__`, `spec`…).
fn test_folder(path: &str) -> Option<&str> {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts
        .into_iter()
        .find(|dir| text::is_test_path(&format!("{dir}/f")))
}

/// The finding for one hit.
fn push(
    ctx: &FileCtx<'_>,
    hay: &[u8],
    hit: &Hit,
    rust_tests: &[(usize, usize, &'static str)],
    lines: &mut LineCounter,
    out: &mut Vec<Finding>,
) {
    let value = &hay[hit.value.0..hit.value.1];
    let (severity, why) = decide(ctx, value, hay, hit, rust_tests);
    let (line, column) = lines.at(hay, hit.at);
    let (shown, len) = text::mask(value, hit.format.known);
    let f = hit.format;
    let mut message = format!("{} {}", f.label, text::masked(value, f.known));
    let typed = SecretEvidence {
        kind: f.label.to_owned(),
        prefix: shown,
        length: len,
        context: why.clone(),
    };
    let mut evidence = serde_json::to_value(typed).unwrap_or_default();
    // For [`unify`] only; removed there before the finding leaves the engine.
    evidence[FINGERPRINT] = public::fingerprint(value).into();
    if let Some((s, e)) = hit.pair {
        let id = &hay[s..e];
        let known = pair::KEY_ID.known;
        message = format!(
            "AWS access key pair: key id {} with secret access key {}",
            text::masked(id, known),
            text::masked(value, f.known)
        );
        let (id_shown, id_len) = text::mask(id, known);
        evidence["pair"] = true.into();
        evidence["key_id"] = serde_json::json!({ "prefix": id_shown, "length": id_len });
    }
    match &why {
        // A question ("a fixture?") is not a verdict.
        Some(why) if why.ends_with('?') => message = format!("{message} — {why}"),
        Some(why) => message = format!("{message} — {why}, not a leaked credential"),
        None => {}
    }
    out.push(
        Finding::new(&f.rule, ctx.location(Some(line), Some(column)), message)
            .severity(severity)
            .evidence(evidence),
    );
}

/// The evidence key that carries a hit's fingerprint from [`push`] to [`unify`].
const FINGERPRINT: &str = "fingerprint";

/// One decision per token, whichever file it sits in: a value that one of its copies shows is
/// published as documentation, an example or a placeholder (`info`) is that everywhere, with
/// the copy that decided it named (a README's example key copied into `PKG-INFO` and
/// `CHANGELOG.rst`). A test-fixture decision is not carried over: a test key that also sits
/// in runtime code is still reported there. Then the fingerprints are dropped.
pub fn unify(findings: &mut [Finding]) {
    // Per fingerprint, the deciding copy: the first by location, so the answer does not
    // depend on the order worker threads finished in.
    let mut decided: std::collections::HashMap<String, (String, &str)> =
        std::collections::HashMap::new();
    for f in findings.iter() {
        let (Some(fp), Some(why)) = (
            f.evidence.get(FINGERPRINT).and_then(|v| v.as_str()),
            f.evidence.get("context").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        if f.severity == Severity::Info {
            let at = f.location.to_string();
            let slot = decided
                .entry(fp.to_owned())
                .or_insert_with(|| (at.clone(), why));
            if at < slot.0 {
                *slot = (at, why);
            }
        }
    }
    let decided: std::collections::HashMap<String, String> = decided
        .into_iter()
        .map(|(fp, (at, why))| (fp, format!("same value as the {why} at {at}")))
        .collect();
    for f in findings.iter_mut() {
        let Some(fp) = f.evidence.get(FINGERPRINT).and_then(|v| v.as_str()) else {
            continue;
        };
        if let Some(why) = decided.get(fp).filter(|_| f.severity > Severity::Info) {
            let base = f
                .message
                .split_once(" — ")
                .map_or(f.message.as_str(), |(b, _)| b);
            f.message = format!("{base} — {why}, not a leaked credential");
            f.severity = Severity::Info;
            f.evidence["context"] = why.clone().into();
        }
        if let Some(o) = f.evidence.as_object_mut() {
            o.remove(FINGERPRINT);
        }
    }
}

mod context;

#[cfg(test)]
mod tests;
