//! The differential test for the zip family: generated hostile wheels, read by shipcheck and
//! installed by pip (its own wheel installer, in one Python process per batch, see
//! `tests/oracle/pip_oracle.py`). For every case, shipcheck's installed files (path and
//! sha256) equal what pip wrote, or shipcheck refuses the wheel, or it reports a container
//! anomaly (every `archive-*` finding is high or critical). Anything else is a failure that
//! names the seed and the mutations, so it can become a named regression case.
//!
//! `SHIPCHECK_DIFF_CASES` sets the number of cases (default 2,000), `SHIPCHECK_DIFF_SEED` the
//! first seed (default 1); `SHIPCHECK_PYTHON` the interpreter with pip (default `python3`).

mod common;

use std::collections::BTreeMap;

use common::adversarial::zip::case;
use common::differential::{
    anomalies, env_number, explained, oracle_files, python_has, run_oracle, umask, written,
};
use serde_json::Value;
use shipcheck::artifact::install::pip_file_mode;
use shipcheck::artifact::{Options, read_bytes};

const WHEEL: &str = "pkg-1.0-py3-none-any.whl";

/// True when the interpreter has pip's wheel installer; otherwise says so on stderr.
fn pip_available() -> bool {
    python_has(
        "import pip._internal.operations.install.wheel",
        "SHIPCHECK_REQUIRE_ORACLES",
        "zip_differential",
        "no pip",
    )
}

/// What shipcheck says about one wheel.
enum Ours {
    Refused(#[allow(dead_code)] String),
    Read {
        files: BTreeMap<String, String>,
        /// Each anomaly with its entry's names, installed and as stored (none: the whole
        /// archive).
        anomalies: Vec<(Vec<String>, String)>,
    },
}

/// `umask`: the process's, which pip's modes depend on.
fn ours(bytes: &[u8], umask: u32) -> Ours {
    match read_bytes(WHEEL, bytes, &Options::default(), None) {
        Err(e) => Ours::Refused(format!("{e:#}")),
        Ok(a) => Ours::Read {
            // pip writes its own RECORD in place of the wheel's.
            files: written(&a, |m| pip_file_mode(m, umask))
                .into_iter()
                .filter(|(p, _)| !is_record(p))
                .collect(),
            anomalies: anomalies(&a),
        },
    }
}

fn is_record(path: &str) -> bool {
    path.split_once('/')
        .is_some_and(|(dir, file)| dir.ends_with(".dist-info") && file == "RECORD")
}

/// pip's files (path → sha256), or its error.
fn theirs(v: &Value) -> Result<BTreeMap<String, String>, String> {
    if let Some(e) = v["pip"]["error"].as_str() {
        return Err(e.to_owned());
    }
    Ok(oracle_files(&v["pip"]["files"], |p| Some(p.to_owned())))
}

#[test]
fn shipcheck_reads_generated_wheels_as_pip_installs_them_or_says_why_not() {
    if !pip_available() {
        return;
    }
    let n = env_number("SHIPCHECK_DIFF_CASES", 2000);
    let umask = umask();
    let first = env_number("SHIPCHECK_DIFF_SEED", 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    let mut cases = Vec::new();
    for seed in first..first + n {
        let c = case(seed);
        let bytes = c.archive.bytes();
        let sub = dir.path().join(seed.to_string());
        std::fs::create_dir(&sub).expect("case dir");
        let path = sub.join(WHEEL);
        std::fs::write(&path, &bytes).expect("write case");
        paths.push(path.display().to_string());
        cases.push((seed, c.applied, bytes));
    }
    let answers = run_oracle(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/pip_oracle.py"),
        &paths,
    );

    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    // Why each side refused, by the error's first words, to explain the classes.
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut reason = |side: &str, e: &str| {
        let key: String = e.split(':').take(3).collect::<Vec<_>>().join(":");
        *reasons
            .entry(format!(
                "{side}: {}",
                key.chars().take(90).collect::<String>()
            ))
            .or_default() += 1;
    };
    for ((seed, applied, bytes), answer) in cases.iter().zip(&answers) {
        let (o, t) = (ours(bytes, umask), theirs(answer));
        if let Ours::Refused(e) = &o {
            reason(
                "shipcheck",
                e.trim_start_matches(WHEEL).trim_start_matches(": "),
            );
        }
        if let Err(e) = &t {
            reason("pip", e);
        }
        let class = match (o, t) {
            (Ours::Refused(_), Err(_)) => "both refuse",
            (Ours::Refused(_), Ok(_)) => "shipcheck refuses, pip installs",
            (Ours::Read { files, .. }, Ok(pip)) if files == pip => "same files",
            (Ours::Read { files, anomalies }, Ok(pip)) if explained(&files, &pip, &anomalies) => {
                "files differ, each difference reported"
            }
            (Ours::Read { anomalies, .. }, Err(_)) if !anomalies.is_empty() => {
                "pip refuses, reported"
            }
            (Ours::Read { files, .. }, pip) => {
                unexplained.push(format!(
                    "seed {seed} {applied:?}: shipcheck {files:?} without an anomaly on each difference; pip {pip:?}"
                ));
                "UNEXPLAINED"
            }
        };
        *classes.entry(class).or_default() += 1;
    }
    eprintln!(
        "zip differential, seeds {first}..{}: {classes:?}",
        first + n
    );
    if std::env::var_os("SHIPCHECK_DIFF_REASONS").is_some() {
        for (r, k) in &reasons {
            eprintln!("{k:6} {r}");
        }
    }
    assert!(
        unexplained.is_empty(),
        "{} of {n} cases differ from pip without a refusal or an anomaly:\n{}",
        unexplained.len(),
        unexplained
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        classes.get("same files").copied().unwrap_or(0) > n as usize / 10,
        "the generator makes enough wheels that pip installs and shipcheck reads alike: {classes:?}"
    );
}
