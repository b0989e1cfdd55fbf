//! The differential test for Python sdists: generated hostile `.tar.gz` sdists, read by
//! shipcheck and unpacked by Python's tarfile with the `data` filter (one Python process per
//! batch, `tests/oracle/sdist_oracle.py`). For every case, shipcheck's installed files (path
//! under the root folder, sha256) equal what tarfile wrote, or shipcheck refuses, or it reports
//! a container anomaly (every `archive-*` finding is high or critical).
//!
//! `SHIPCHECK_DIFF_CASES` (default 2,000), `SHIPCHECK_DIFF_SEED` (default 1) and
//! `SHIPCHECK_PYTHON` (default `python3`) as for the zip differential test.

mod common;

use std::collections::BTreeMap;

use common::adversarial::sdist::case;
use common::differential::{
    anomalies, env_number, explained, oracle_files, python_has, run_oracle, written,
};
use shipcheck::artifact::install::tarfile_data_mode;
use shipcheck::artifact::{Options, read_bytes};

const SDIST: &str = "pkg-1.0.tar.gz";
const ROOT: &str = "pkg-1.0/";

/// True when the interpreter's tarfile has the data filter; otherwise says so on stderr.
fn data_filter_available() -> bool {
    python_has(
        "import tarfile; tarfile.data_filter",
        "SHIPCHECK_REQUIRE_TARFILE_FILTER",
        "sdist_differential",
        "no tarfile data filter (Python 3.11.4+ needed)",
    )
}

#[test]
fn shipcheck_reads_generated_sdists_as_tarfile_data_filter_unpacks_them_or_says_why_not() {
    if !data_filter_available() {
        return;
    }
    let n = env_number("SHIPCHECK_DIFF_CASES", 2000);
    let first = env_number("SHIPCHECK_DIFF_SEED", 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    let mut cases = Vec::new();
    for seed in first..first + n {
        let c = case(seed);
        let path = dir.path().join(format!("{seed}.tar.gz"));
        std::fs::write(&path, &c.bytes).expect("write case");
        paths.push(path.display().to_string());
        cases.push((seed, c));
    }
    let answers = run_oracle(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/sdist_oracle.py"),
        &paths,
    );

    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    for ((seed, c), answer) in cases.iter().zip(&answers) {
        let theirs: Result<BTreeMap<String, String>, String> = match answer["error"].as_str() {
            Some(e) => Err(e.to_owned()),
            None => Ok(oracle_files(&answer["files"], |p| {
                p.strip_prefix(ROOT).map(str::to_owned)
            })),
        };
        let class = match (
            read_bytes(SDIST, &c.bytes, &Options::default(), None),
            theirs,
        ) {
            (Err(_), Err(_)) => "both refuse",
            (Err(_), Ok(_)) => "shipcheck refuses, tarfile unpacks",
            (Ok(a), theirs) => {
                let ours = written(&a, tarfile_data_mode);
                match theirs {
                    Ok(t) if t == ours => "same files",
                    Ok(t) if explained(&ours, &t, &anomalies(&a)) => {
                        "files differ, each difference reported"
                    }
                    // tarfile refused the whole archive: any anomaly reports it (every
                    // `archive-*` finding is high or critical).
                    Err(_) if !a.anomalies.is_empty() => "tarfile refuses, reported",
                    t => {
                        unexplained.push(format!(
                            "seed {seed} {:?}: shipcheck {ours:?} without an anomaly on each difference; tarfile {t:?}",
                            c.applied
                        ));
                        "UNEXPLAINED"
                    }
                }
            }
        };
        *classes.entry(class).or_default() += 1;
    }
    eprintln!(
        "sdist differential, seeds {first}..{}: {classes:?}",
        first + n
    );
    assert!(
        unexplained.is_empty(),
        "{} of {n} cases differ from tarfile's data filter without a refusal or an anomaly:\n{}",
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
        "enough sdists unpack alike: {classes:?}"
    );
}
