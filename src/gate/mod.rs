//! The gate: `verify` and `publish`, and npm's staged publishing.
//!
//! `verify` checks every approval line of a bundle against the exact bytes of the artifact and
//! re-runs the rules through the inputs step, so it judges what `check` and `review` judge
//! ([`verify`]); `publish` copies the artifact to a private file, verifies that copy, and hands
//! the same copy to the publish command ([`publish`]); for an npm staged release it verifies the
//! staged bytes and then approves the stage ([`npm_stage`]).

pub mod npm_stage;
pub mod publish;
pub mod verify;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use anyhow::{Context as _, bail};

use crate::approval::{AllowedSigners, Timestamp};
use crate::artifact::Limits;
use crate::inputs::{Contents, InputArgs, Inputs, is_registry_spec};
use crate::rules::stream::Scanned;

/// What `verify` (and `publish`, which verifies first) is given.
#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    /// The approval bundle; default beside the artifact, or `./NAME-VERSION.approval.intoto.jsonl`
    /// for a registry spec.
    pub approval: Option<PathBuf>,
    /// The allowed_signers file; default the policy's, then git's `gpg.ssh.allowedSignersFile`.
    pub allowed_signers: Option<PathBuf>,
    /// Distinct approvers required (default: the policy's).
    pub min_approvers: Option<u32>,
    /// Principals whose approvals do not count.
    pub forbid_approver: Vec<String>,
    /// The policy file (default: `shipcheck.toml` beside the artifact).
    pub policy: Option<PathBuf>,
}

/// The verdict with what it was computed from.
#[derive(Debug)]
pub struct Verified {
    /// The verdict.
    pub verdict: verify::Verdict,
    /// The inputs (policy, options).
    pub inputs: Inputs,
    /// The artifact as scanned.
    pub scanned: Scanned,
}

/// Verifies the artifact named by `spec` (a file, `npm:NAME@VERSION` or `npm-stage:ID`; never a
/// directory). `bundle_default` is the bundle used when `--approval` is not given (`None`: the
/// usual default for `spec`).
pub fn verify_spec(
    spec: &str,
    opts: &GateOptions,
    limits: Limits,
    bundle_default: Option<PathBuf>,
) -> anyhow::Result<Verified> {
    if Path::new(spec).is_dir() {
        bail!(
            "{spec}: verify takes the artifact file, never a directory (packing it again would \
             make bytes nobody reviewed)"
        );
    }
    if !is_registry_spec(spec) && !Path::new(spec).is_file() {
        bail!("{spec}: no such file");
    }
    let args = InputArgs {
        artifact: spec.to_owned(),
        baseline: None,
        policy: opts.policy.clone(),
    };
    let inputs = Inputs::prepare(&args, limits, Contents::Stream)?;
    let signers_path = allowed_signers_path(opts, &inputs)?;
    let signers = AllowedSigners::load(&signers_path)
        .with_context(|| format!("reading allowed signers {}", signers_path.display()))?;
    let scanned = inputs.scan(&AtomicU64::new(0))?;
    let bundle = match (&opts.approval, bundle_default) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => p,
        (None, None) if is_registry_spec(spec) => {
            let a = &scanned.current.artifact;
            PathBuf::from(format!(
                "{}-{}.approval.intoto.jsonl",
                a.name
                    .as_deref()
                    .unwrap_or("package")
                    .replace('/', "-")
                    .trim_start_matches('@'),
                a.version.as_deref().unwrap_or("0")
            ))
        }
        (None, None) => crate::approval::bundle::beside(Path::new(spec)),
    };
    // Something that is there but not a file (a FIFO, a directory) is refused by the read,
    // naming what it is.
    if !bundle.exists() {
        bail!(
            "{}: no approval bundle (sign off in `shipcheck review`, or name one with --approval)",
            bundle.display()
        );
    }
    let req = verify::requirements(&inputs, opts.min_approvers, &opts.forbid_approver);
    let verdict = verify::verify(&scanned, &bundle, &signers, &req, Timestamp::now())?;
    Ok(Verified {
        verdict,
        inputs,
        scanned,
    })
}

/// `--allowed-signers`, else the policy's `[approval] allowed_signers`, else git's
/// `gpg.ssh.allowedSignersFile`.
fn allowed_signers_path(opts: &GateOptions, inputs: &Inputs) -> anyhow::Result<PathBuf> {
    if let Some(p) = &opts.allowed_signers {
        return Ok(p.clone());
    }
    if let Some(p) = inputs.policy.allowed_signers() {
        return Ok(p);
    }
    let git = std::process::Command::new("git")
        .args(["config", "--get", "gpg.ssh.allowedSignersFile"])
        .output();
    if let Ok(out) = git
        && out.status.success()
    {
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !text.is_empty() {
            let home = std::env::var_os("HOME").map(PathBuf::from);
            return Ok(match (text.strip_prefix("~/"), home) {
                (Some(rest), Some(home)) => home.join(rest),
                _ => PathBuf::from(text),
            });
        }
    }
    bail!(
        "no allowed_signers file: pass --allowed-signers FILE, set [approval] allowed_signers in \
         the policy, or git's gpg.ssh.allowedSignersFile"
    )
}

/// What `publish` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct PublishRequest {
    /// The artifact file (unless `npm_stage`).
    pub artifact: Option<PathBuf>,
    /// An npm stage id: verify the staged bytes, then `npm stage approve`.
    pub npm_stage: Option<String>,
    /// The approval checks.
    pub gate: GateOptions,
    /// One-time password for npm.
    pub otp: Option<String>,
    /// Verify and say what would run, without running it.
    pub dry_run: bool,
    /// The publish command (`{}` is the verified copy); empty for the default by format.
    pub command: Vec<String>,
}

/// How a publish ended.
#[derive(Debug)]
pub enum Published {
    /// `verify` refused: nothing ran.
    Refused,
    /// `--dry-run`: verified, and what would run was printed.
    DryRun,
    /// The command ran, with this status.
    Ran(std::process::ExitStatus),
}

/// `shipcheck publish`: verifies a private copy (or the staged bytes), shows the verdict with
/// `show`, then publishes that copy (or approves the stage).
pub fn publish(
    req: &PublishRequest,
    limits: Limits,
    show: &mut dyn FnMut(&verify::Verdict) -> anyhow::Result<()>,
) -> anyhow::Result<Published> {
    let mut opts = req.gate.clone();
    if let Some(id) = &req.npm_stage {
        if !req.command.is_empty() {
            bail!("--npm-stage approves the stage with npm; it takes no -- COMMAND");
        }
        let verified = verify_spec(&format!("npm-stage:{id}"), &opts, limits, None)?;
        show(&verified.verdict)?;
        if !verified.verdict.verified {
            return Ok(Published::Refused);
        }
        let mut words = vec![
            "npm".to_owned(),
            "stage".into(),
            "approve".into(),
            id.clone(),
        ];
        if req.otp.is_some() {
            words.extend(["--otp".to_owned(), "***".into()]);
        }
        let shown = publish::shell_words(&words);
        if req.dry_run {
            eprintln!("shipcheck publish: would run {shown}");
            return Ok(Published::DryRun);
        }
        eprintln!("shipcheck publish: running {shown}");
        return Ok(Published::Ran(npm_stage::approve(id, req.otp.as_deref())?));
    }
    let original = req
        .artifact
        .clone()
        .context("publish needs an artifact file or --npm-stage ID")?;
    // The policy and the bundle belong to the artifact where it lies, not to the private copy.
    if opts.policy.is_none() {
        opts.policy = crate::inputs::find_policy(&original.to_string_lossy(), None)?.source;
    }
    let bundle = opts
        .approval
        .clone()
        .unwrap_or_else(|| crate::approval::bundle::beside(&original));
    let copy = publish::private_copy(&original)?;
    let verified = verify_spec(&copy.path.to_string_lossy(), &opts, limits, Some(bundle))?;
    show(&verified.verdict)?;
    if !verified.verdict.verified {
        return Ok(Published::Refused);
    }
    let a = &verified.scanned.current.artifact;
    let mut words = if req.command.is_empty() {
        publish::default_command(a.format, &copy.path).with_context(|| {
            format!(
                "no default publish command for a {}: give one after --, with {{}} for the file",
                a.format.label()
            )
        })?
    } else {
        publish::with_artifact(&req.command, &copy.path)
    };
    let npm_default = req.command.is_empty() && a.format == crate::artifact::Format::NpmTarball;
    if let (Some(code), true) = (&req.otp, npm_default) {
        words.extend(["--otp".to_owned(), code.clone()]);
    }
    let mut shown_words = words.clone();
    if let Some(code) = &req.otp {
        shown_words
            .iter_mut()
            .filter(|w| *w == code)
            .for_each(|w| *w = "***".into());
    }
    let shown = publish::shell_words(&shown_words);
    if req.command.is_empty() && a.format == crate::artifact::Format::Crate {
        // `cargo publish` packs again: only when that packing makes the approved bytes.
        let dir = std::env::current_dir().context("the current directory")?;
        let name = a.name.clone().unwrap_or_default();
        let version = a.version.clone().unwrap_or_default();
        publish::repack_crate(&dir, &name, &version, &a.sha512)?;
        eprintln!(
            "shipcheck publish: cargo package in {} makes the approved bytes",
            dir.display()
        );
        if req.dry_run {
            eprintln!("shipcheck publish: would run {shown}");
            return Ok(Published::DryRun);
        }
    } else if req.dry_run {
        eprintln!("shipcheck publish: would run {shown}");
        return Ok(Published::DryRun);
    }
    eprintln!("shipcheck publish: running {shown}");
    Ok(Published::Ran(publish::run(&words, &copy.path, None)?))
}
