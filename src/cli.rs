//! The command line: clap definitions, and [`run`], which maps a parsed command to its work.
//!
//! Exit codes, everywhere: 0 ok; 1 findings at or above `--fail-on`, or verification refused;
//! 2 error (unreadable input, bad usage). The binary prints errors as one line with their
//! context chain.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::artifact::{self, Limits, Options};
use crate::{diff, manifest, report};

/// A human gate in front of publishing: review the exact bytes that ship.
#[derive(Debug, Parser)]
#[command(name = "shipcheck", version, about, long_about = None)]
pub struct Cli {
    /// Refuse artifacts that unpack to more than this (bytes; K, M, G suffixes allowed).
    #[arg(long, global = true, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_unpacked_size: u64,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Review a package interactively and sign off on it.
    Review {
        /// Artifact file, package directory, or npm:NAME@VERSION.
        #[arg(default_value = ".")]
        artifact: String,
        /// The previous release: an artifact, a manifest, or npm:NAME@VERSION.
        #[arg(long)]
        baseline: Option<String>,
        /// Policy file (default: shipcheck.toml beside the package).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// SSH key to sign the approval with.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Reviewer principal as in allowed_signers.
        #[arg(long)]
        reviewer: Option<String>,
    },
    /// Run the rules non-interactively (for CI).
    Check {
        /// Artifact file, package directory, or npm:NAME@VERSION.
        #[arg(default_value = ".")]
        artifact: String,
        /// The previous release.
        #[arg(long)]
        baseline: Option<String>,
        /// Policy file.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Output format: text, json, sarif, markdown.
        #[arg(long, default_value = "text")]
        format: String,
        /// Lowest severity that fails the check (default: the policy's `fail_on`, else high).
        #[arg(long)]
        fail_on: Option<String>,
        /// Colour in text output: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
        /// forces it), always, never.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// List every entry: path, kind, mode, size, sha256.
    Ls {
        /// Artifact file, package directory, or npm:NAME@VERSION.
        #[arg(default_value = ".")]
        artifact: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Compare two releases (artifacts or manifests).
    Diff {
        /// The older release.
        old: String,
        /// The newer release.
        new: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write the release manifest (the baseline for the next release).
    Manifest {
        /// Artifact file, package directory, or npm:NAME@VERSION.
        #[arg(default_value = ".")]
        artifact: String,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print every rule: id, severity, summary, why.
    Rules {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Output format: text, json, markdown (the table in docs/rules.md).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Check that an approval from an allowed reviewer matches these exact bytes.
    Verify {
        /// The artifact file (never a directory: the approved bytes are what ships).
        artifact: String,
        /// The approval checks, shared with `publish`.
        #[command(flatten)]
        approval: ApprovalArgs,
    },
    /// Verify, then publish the approved file itself.
    Publish {
        /// The artifact file (never a directory: the approved bytes are what ships).
        artifact: String,
        /// The approval checks, as for `verify`.
        #[command(flatten)]
        approval: ApprovalArgs,
        /// The publish command, after `--` (default by format: `npm publish ARTIFACT`,
        /// `twine upload ARTIFACT`; a `.crate` needs one given).
        #[arg(last = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
}

/// What `verify` (and `publish`, which verifies first) require of an approval.
#[derive(Debug, Clone, clap::Args)]
pub struct ApprovalArgs {
    /// The approval bundle (default: `ARTIFACT.approval.intoto.jsonl` beside the artifact).
    #[arg(long, value_name = "F")]
    pub approval: Option<PathBuf>,
    /// git-style allowed_signers file: whose signatures count.
    #[arg(long, value_name = "F", required = true)]
    pub allowed_signers: PathBuf,
    /// How many distinct allowed reviewers must have signed (default: the policy's, else 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_approvers: Option<u32>,
    /// A principal whose approval does not count (e.g. the release author); repeatable.
    #[arg(long, value_name = "ID")]
    pub forbid_approver: Vec<String>,
    /// Policy file (approval settings; default: shipcheck.toml beside the artifact).
    #[arg(long, value_name = "P")]
    pub policy: Option<PathBuf>,
}

/// Parses `1024`, `64K`, `512M`, `2G` (binary units; `KiB`-style suffixes accepted too).
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..digits]
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 512M or 2G"))?;
    let mult: u64 = match t[digits..].trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        "T" | "TB" | "TIB" => 1 << 40,
        other => return Err(format!("unknown size unit {other:?} (use K, M, G)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))
}

fn not_yet(what: &str, issue: u32) -> anyhow::Result<ExitCode> {
    eprintln!("shipcheck {what}: not yet available (tracked in issue #{issue})");
    Ok(ExitCode::from(2))
}

/// Runs a parsed command; errors are printed by the caller and exit 2.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let opts = Options {
        limits: Limits {
            max_unpacked: cli.max_unpacked_size,
            ..Limits::default()
        },
        keep_contents: false,
    };
    match cli.command {
        Command::Ls { artifact, json } => {
            let mut a = artifact::open(&artifact, &opts, None)?;
            if json {
                print(&report::ls::json(&a)?)?;
            } else {
                for piece in report::ls::text_pieces(&a) {
                    print(&piece)?;
                }
            }
            // The process ends right after: freeing 100,000 entries one by one was a twentieth
            // of the listing. (Only the entries: the artifact's temp dir is still removed.)
            std::mem::forget(std::mem::take(&mut a.entries));
        }
        Command::Diff { old, new, json } => {
            let (old, new) = (manifest::load(&old, &opts)?, manifest::load(&new, &opts)?);
            let d = diff::diff(&old, &new);
            print(&if json {
                crate::json::to_string_pretty(&d)? + "\n"
            } else {
                report::diff_text::text(&d)
            })?;
        }
        Command::Manifest { artifact, output } => {
            let a = artifact::open(&artifact, &opts, None)?;
            let text = crate::json::to_string_pretty(&manifest::Manifest::of(&a))? + "\n";
            match output {
                Some(path) => write_atomically(&path, text.as_bytes())?,
                None => print(&text)?,
            }
        }
        Command::Review {
            artifact,
            baseline,
            policy,
            key,
            reviewer,
        } => {
            let coverage = crate::review::run(
                &artifact,
                baseline.as_deref(),
                policy.as_deref(),
                opts.limits,
            )?;
            eprintln!("shipcheck review: {}", coverage.summary());
            if key.is_some() || reviewer.is_some() {
                eprintln!(
                    "shipcheck review: --key and --reviewer are for sign-off, which arrives in a later issue; nothing was signed"
                );
            }
        }
        Command::Check {
            artifact,
            baseline,
            policy,
            format,
            fail_on,
            color,
        } => {
            return check(
                &artifact,
                baseline.as_deref(),
                policy.as_deref(),
                &format,
                fail_on.as_deref(),
                color.enabled(std::io::IsTerminal::is_terminal(&std::io::stdout())),
                &opts,
            );
        }
        Command::Rules { json, format } => {
            let format = if json { "json" } else { format.as_str() };
            print(&match format {
                "text" => crate::rules::registry::text(),
                "markdown" => crate::rules::registry::markdown(),
                "json" => {
                    let all: Vec<_> = crate::rules::registry::all().collect();
                    crate::json::to_string_pretty(&all)? + "\n"
                }
                other => anyhow::bail!("unknown format {other:?} (text, json, markdown)"),
            })?;
        }
        // The interface is complete so pipelines can be written against it; until the sign-off
        // issue lands both fail closed rather than pretending to verify.
        Command::Verify { .. } => return not_yet("verify", 5),
        Command::Publish { .. } => return not_yet("publish", 5),
    }
    Ok(ExitCode::SUCCESS)
}

/// `--color`: whether text output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set; `CLICOLOR_FORCE` turns it on anyway.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Decides, given whether stdout is a terminal. `NO_COLOR` (<https://no-color.org>) beats
    /// `CLICOLOR_FORCE`; both are ignored when the flag says always or never.
    pub fn enabled(self, terminal: bool) -> bool {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
                false
            }
            ColorChoice::Auto => terminal || set("CLICOLOR_FORCE"),
        }
    }
}

/// `shipcheck check`: exit 0 when nothing blocks, 1 when a finding at or above the threshold is
/// not allowed by the policy.
fn check(
    spec: &str,
    baseline: Option<&str>,
    policy: Option<&std::path::Path>,
    format: &str,
    fail_on: Option<&str>,
    colour: bool,
    opts: &Options,
) -> anyhow::Result<ExitCode> {
    if !["text", "json", "sarif", "markdown"].contains(&format) {
        anyhow::bail!("unknown format {format:?} (text, json, sarif, markdown)");
    }
    let policy = crate::check::find_policy(spec, policy)?;
    let threshold = match fail_on {
        Some(s) => s
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--fail-on: {e}"))?,
        None => policy.fail_on.unwrap_or(crate::rules::Severity::High),
    };
    let report = crate::check::run(spec, baseline, policy, opts)?;
    print(&match format {
        "json" => report::check_json::render(&report, threshold)?,
        "sarif" => report::sarif::render(&report)?,
        "markdown" => report::markdown::render(&report, threshold),
        _ => report::check_text::render(&report, threshold, colour),
    })?;
    Ok(if report.fails(threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes stdout, treating a closed pipe (`| head`) as success.
fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}

/// Writes a file via a temporary sibling and a rename, so a reader never sees half a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("64kib"), Ok(64 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("12X").is_err());
        assert!(
            parse_size("99999999999T").is_err(),
            "overflow is an error, not a wrap"
        );
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
