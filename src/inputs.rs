//! The one inputs step: command-line arguments in, prepared inputs out.
//!
//! `check`, `review`, `verify` and `publish` judge the same things: the artifact, the policy
//! (found beside the package unless named, with its digest), and the previous release (an
//! artifact or a release manifest, through [`manifest::load`]). [`Inputs::prepare`] finds and
//! reads them once; [`Inputs::scan`] runs the rules on the artifact as it streams (check,
//! verify) and [`Inputs::open`] does the same for the review screen, also recording where each
//! entry lies so that the screen reads a file again on demand instead of holding every
//! content; each computes the comparison with the baseline exactly once.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use anyhow::Context as _;

use crate::artifact::{self, Artifact, Limits, Options};
use crate::diff::Diff;
use crate::manifest::{self, Manifest};
use crate::report::Report;
use crate::rules::stream::{self, Scanned};
use crate::rules::{Evaluation, Policy};

/// The arguments every command that judges an artifact takes (flattened into each).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InputArgs {
    /// Artifact file, package directory, or npm:NAME@VERSION.
    #[arg(default_value = ".")]
    pub artifact: String,
    /// The previous release: an artifact, a release manifest, or npm:NAME@VERSION.
    #[arg(long)]
    pub baseline: Option<String>,
    /// Policy file (default: shipcheck.toml beside the package).
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

impl InputArgs {
    /// Arguments naming only an artifact (no baseline, the policy found beside it).
    pub fn of(spec: &str) -> Self {
        Self {
            artifact: spec.to_owned(),
            ..Self::default()
        }
    }
}

/// The previous release, as read.
#[derive(Debug)]
pub struct Baseline {
    /// What `--baseline` named.
    pub spec: String,
    /// Its manifest.
    pub manifest: Manifest,
    /// The artifact itself with contents, when it is one and the contents were asked for (the
    /// review screen diffs files against it); a manifest has none.
    pub artifact: Option<Artifact>,
}

/// Whether the artifacts' contents are only streamed past the rules (check, verify) or also
/// located for reading again on demand (the review screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// Stream: nothing kept.
    Stream,
    /// Stream, and record each entry's location and a gzip seek index ([`Options::index`]),
    /// so that a preview reads one file again; contents are not held.
    Index,
}

/// Everything a command judges, prepared once.
#[derive(Debug)]
pub struct Inputs {
    /// The artifact as named: a file, a directory (packed by its ecosystem's packer) or a
    /// registry spec.
    pub spec: String,
    /// The policy in force, with its source and sha256 digest.
    pub policy: Policy,
    /// The previous release, when given.
    pub baseline: Option<Baseline>,
    /// How artifacts are opened.
    pub opts: Options,
}

/// The artifact opened for the review screen (contents located, not kept), its comparison
/// with the baseline and the rules' verdict.
#[derive(Debug)]
pub struct Opened {
    /// The artifact, its contents readable again on demand.
    pub artifact: Artifact,
    /// Its manifest.
    pub current: Manifest,
    /// The comparison with the baseline, when there is one.
    pub diff: Option<Diff>,
    /// The rules' verdict, from the same single pass.
    pub evaluation: Evaluation,
}

impl Inputs {
    /// Finds and reads the policy and the baseline. The artifact itself is opened by
    /// [`Inputs::scan`] or [`Inputs::open`], so that it is read once, the way its command
    /// needs it.
    pub fn prepare(args: &InputArgs, limits: Limits, contents: Contents) -> anyhow::Result<Self> {
        let mut policy = find_policy(&args.artifact, args.policy.as_deref())?;
        if let Some(n) = limits.nested_unpacked {
            policy.thresholds.nested_max_unpacked = n;
        }
        let opts = Options {
            limits,
            keep_contents: false,
            digesting: crate::artifact::Digesting::InPass,
            index: contents == Contents::Index,
        };
        let baseline = args
            .baseline
            .as_deref()
            .map(|b| read_baseline(b, &opts))
            .transpose()?;
        Ok(Inputs {
            spec: args.artifact.clone(),
            policy,
            baseline,
            opts,
        })
    }

    /// The baseline's manifest, if any.
    pub fn base(&self) -> Option<&Manifest> {
        self.baseline.as_ref().map(|b| &b.manifest)
    }

    /// Runs every rule on the artifact as it streams, nothing kept; `seen` counts bytes read.
    pub fn scan(&self, seen: &AtomicU64) -> anyhow::Result<Scanned> {
        stream::scan(&self.spec, &self.opts, &self.policy, self.base(), seen)
    }

    /// [`Inputs::scan`] for a report and nothing else (`check`): without a baseline no rule
    /// and no part of the report reads the per-file digests, so they are not computed.
    pub fn scan_for_report(&self, seen: &AtomicU64) -> anyhow::Result<Scanned> {
        let opts = Options {
            digesting: if self.base().is_none() {
                crate::artifact::Digesting::Skip
            } else {
                crate::artifact::Digesting::InPass
            },
            ..self.opts
        };
        stream::scan(&self.spec, &opts, &self.policy, self.base(), seen)
    }

    /// The report of a streaming scan, for any output format.
    pub fn report(&self, scanned: Scanned) -> Report {
        Report {
            artifact: scanned.current.artifact,
            baseline: self.base().map(|b| b.artifact.clone()),
            diff: scanned.diff,
            findings: scanned.evaluation.findings,
            policy: self.policy.clone(),
        }
    }

    /// Opens the artifact for the review screen in one pass: the rules run as it streams (as
    /// in [`Inputs::scan`]) while each entry's location and a gzip seek index are recorded,
    /// so that the screen holds an index, not the bytes.
    pub fn open(&self) -> anyhow::Result<Opened> {
        // Without a baseline nothing on the first frame reads the per-file digests or the
        // sha512: they are left to a thread after the pass (`Artifact::complete`).
        let opts = Options {
            index: true,
            digesting: if self.base().is_none() {
                crate::artifact::Digesting::Later
            } else {
                crate::artifact::Digesting::InPass
            },
            ..self.opts
        };
        let seen = AtomicU64::new(0);
        let scanned = stream::scan(&self.spec, &opts, &self.policy, self.base(), &seen)?;
        Ok(Opened {
            artifact: scanned.artifact,
            current: scanned.current,
            diff: scanned.diff,
            evaluation: scanned.evaluation,
        })
    }
}

/// True for artifacts named by a registry spec (`npm:`, `npm-stage:`): there is no file beside
/// which to look for a policy or write an approval.
pub fn is_registry_spec(spec: &str) -> bool {
    spec.starts_with("npm:") || spec.starts_with("npm-stage:")
}

/// Reads `--baseline`: a release manifest, or an artifact (located for reading again when
/// `opts` asks, so the review screen can diff files against it).
fn read_baseline(spec: &str, opts: &Options) -> anyhow::Result<Baseline> {
    let (manifest, artifact) = if opts.index && !manifest::is_manifest_file(spec) {
        let old = artifact::open(spec, opts, None).context("opening the baseline")?;
        (Manifest::of(&old), Some(old))
    } else {
        let m =
            manifest::load(spec, opts).with_context(|| format!("reading the baseline {spec}"))?;
        (m, None)
    };
    Ok(Baseline {
        spec: spec.to_owned(),
        manifest,
        artifact,
    })
}

/// The policy for `spec`: `--policy`, else `shipcheck.toml` beside the artifact or in the
/// package directory (for `npm:` specs, in the current directory), else the defaults.
pub fn find_policy(spec: &str, explicit: Option<&Path>) -> anyhow::Result<Policy> {
    if let Some(p) = explicit {
        return Policy::load(p);
    }
    let path = Path::new(spec);
    let dir: PathBuf = if path.is_dir() {
        path.to_owned()
    } else if path.is_file() {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_owned)
    } else {
        PathBuf::from(".")
    };
    let candidate = if dir.as_os_str().is_empty() {
        PathBuf::from("shipcheck.toml")
    } else {
        dir.join("shipcheck.toml")
    };
    if candidate.is_file() {
        Policy::load(&candidate)
    } else {
        Ok(Policy::default())
    }
}
