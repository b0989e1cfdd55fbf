//! For `bench/gate.sh`: signs an approval of ARTIFACT as a reviewer who waived every blocking
//! finding, with the key file KEY, as PRINCIPAL, appended to OUT, so `verify` can be timed
//! against `check` on any large artifact. Uses the library exactly as the review screen does.
//!
//! `cargo run --release --example bench_approve -- ARTIFACT KEY PRINCIPAL OUT`

use std::sync::atomic::AtomicU64;

use anyhow::Context as _;
use shipcheck::approval::record::{Review, statement};
use shipcheck::approval::{Coverage, ReviewResult, Signer, Timestamp, append_line, sign_statement};
use shipcheck::artifact::Limits;
use shipcheck::finding::Severity;
use shipcheck::inputs::{Contents, InputArgs, Inputs};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [artifact, key, principal, out] = args.as_slice() else {
        anyhow::bail!("usage: bench_approve ARTIFACT KEY PRINCIPAL OUT");
    };
    let inputs = Inputs::prepare(
        &InputArgs::of(artifact),
        Limits::default(),
        Contents::Stream,
    )?;
    let scanned = inputs.scan(&AtomicU64::new(0))?;
    let findings = &scanned.evaluation.findings;
    let threshold = inputs.policy.fail_on.unwrap_or(Severity::High);
    let waivers: Vec<(usize, String)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.blocks_at(threshold))
        .map(|(i, _)| (i, "benchmark: waived to time verify".to_owned()))
        .collect();
    let files = scanned.current.artifact.files as u64;
    let s = statement(&Review {
        manifest: &scanned.current,
        findings,
        threshold,
        policy: &inputs.policy,
        waivers: &waivers,
        coverage: Coverage {
            files_viewed: files,
            files_total: files,
            flagged_viewed: 0,
            flagged_total: 0,
            flagged_files_viewed: vec![],
        },
        reviewer: principal,
        result: ReviewResult::Approved,
        reason: None,
        now: Timestamp::now(),
    });
    let signer = Signer::KeyFile {
        path: key.into(),
        passphrase: None,
    };
    let line = sign_statement(&s, &signer).context("signing")?;
    append_line(std::path::Path::new(out), &line).context("writing the bundle")?;
    Ok(())
}
