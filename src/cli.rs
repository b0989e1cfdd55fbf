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
use crate::gate::{self, GateOptions};
use crate::inputs::{Contents, InputArgs, Inputs};
use crate::rules::Severity;
use crate::{diff, manifest, report};

/// A human gate in front of publishing: review the exact bytes that ship.
#[derive(Debug, Parser)]
#[command(name = "shipcheck", version, about, long_about = None)]
pub struct Cli {
    /// Refuse artifacts that unpack to more than this (bytes; K, M, G are 1,000s as printed).
    #[arg(long, global = true, value_name = "SIZE", default_value = "1G", value_parser = crate::units::parse_size)]
    pub max_unpacked_size: u64,
    /// What all archives nested in the package together may unpack to (default: the policy's
    /// `nested_max_unpacked`, 256M); past it they are reported as not scanned.
    #[arg(long, global = true, value_name = "SIZE", value_parser = crate::units::parse_size)]
    pub max_nested_unpacked: Option<u64>,
    /// Refuse artifacts and manifests with more entries than this (checked before each entry
    /// is read, so refusing costs no more than the limit allows).
    #[arg(long, global = true, value_name = "N", default_value_t = artifact::Limits::default().hard_max_entries)]
    pub max_entries: usize,
    /// Refuse artifacts whose entry names and link targets add up to more than this.
    #[arg(long, global = true, value_name = "SIZE", default_value = "32M", value_parser = crate::units::parse_size)]
    pub max_names_size: u64,
    /// Files larger than this are hashed but not read by the rules (`large-file` reports each
    /// as not scanned, high).
    #[arg(long, global = true, value_name = "SIZE", default_value = "256M", value_parser = crate::units::parse_size)]
    pub max_scanned_size: u64,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Review a package interactively and sign off on it.
    Review {
        /// The artifact, the baseline and the policy.
        #[command(flatten)]
        inputs: InputArgs,
        /// SSH key to sign the approval with (default: the key ssh-agent holds, else
        /// ~/.ssh/id_ed25519, else ~/.ssh/id_ecdsa).
        #[arg(long, value_name = "PATH")]
        key: Option<PathBuf>,
        /// Reviewer principal as in allowed_signers (default: `git config user.email`).
        #[arg(long, value_name = "ID")]
        reviewer: Option<String>,
        /// The approval bundle to append to (default: ARTIFACT.approval.intoto.jsonl beside an
        /// artifact file; ./NAME-VERSION.approval.intoto.jsonl for npm: specs and directories).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Run the rules non-interactively (for CI).
    Check {
        /// The artifact, the baseline and the policy.
        #[command(flatten)]
        inputs: InputArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = report::Format::Text)]
        format: report::Format,
        /// Lowest severity that fails the check (default: the policy's `fail_on`, else high).
        #[arg(long, value_name = "SEVERITY")]
        fail_on: Option<Severity>,
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
        /// Output format (markdown is the table in docs/rules.md).
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Check that an approval from an allowed reviewer matches these exact bytes.
    Verify {
        /// The artifact file, `npm:NAME@VERSION` (what the registry serves now) or
        /// `npm-stage:ID`; never a directory: the approved bytes are what ships.
        artifact: String,
        /// The approval checks, shared with `publish`.
        #[command(flatten)]
        approval: ApprovalArgs,
    },
    /// Verify, then publish the approved file itself.
    Publish {
        /// The artifact file (never a directory: the approved bytes are what ships).
        #[arg(required_unless_present = "npm_stage")]
        artifact: Option<String>,
        /// An npm staged release: verify the staged bytes, then `npm stage approve ID`.
        #[arg(long, value_name = "ID", conflicts_with = "artifact")]
        npm_stage: Option<String>,
        /// The approval checks, as for `verify`.
        #[command(flatten)]
        approval: ApprovalArgs,
        /// One-time password passed to npm (`npm publish --otp`, `npm stage approve --otp`).
        #[arg(long)]
        otp: Option<String>,
        /// Verify and print what would run, without running it.
        #[arg(long)]
        dry_run: bool,
        /// The publish command, after `--`; `{}` stands for the verified copy of the artifact,
        /// which is also in $SHIPCHECK_ARTIFACT (default by format: `npm publish FILE`, `twine
        /// upload FILE`, `npx @vscode/vsce publish --packagePath FILE`; a `.crate` is packed
        /// again with `cargo package`, compared, and published with `cargo publish`).
        #[arg(last = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    /// Print a shell completion script: `shipcheck completions bash > /etc/bash_completion.d/shipcheck`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print the man page (roff): `shipcheck man > shipcheck.1`, `shipcheck man check > shipcheck-check.1`.
    Man {
        /// A subcommand whose page to print instead of shipcheck(1).
        command: Option<String>,
    },
}

/// `completions SHELL`: the shells clap_complete writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    /// Bash (`source <(shipcheck completions bash)`).
    Bash,
    /// Zsh (a `_shipcheck` file on `$fpath`).
    Zsh,
    /// Fish (`~/.config/fish/completions/shipcheck.fish`).
    Fish,
    /// PowerShell (`shipcheck completions powershell | Out-String | Invoke-Expression`).
    Powershell,
}

impl CompletionShell {
    fn shell(self) -> clap_complete::Shell {
        match self {
            Self::Bash => clap_complete::Shell::Bash,
            Self::Zsh => clap_complete::Shell::Zsh,
            Self::Fish => clap_complete::Shell::Fish,
            Self::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

/// The completion script for `shell`, generated from the clap definitions above.
pub fn completions(shell: CompletionShell) -> String {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell.shell(), &mut cmd, "shipcheck", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A man page (roff), generated from the clap definitions above: `shipcheck(1)`, whose
/// SUBCOMMANDS section lists every command, or with `command` the page of one subcommand,
/// `shipcheck-check(1)` and so on, as git splits its pages.
pub fn man_page(command: Option<&str>) -> anyhow::Result<String> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let page = match command {
        None => cmd,
        Some(name) => {
            let sub = cmd
                .find_subcommand(name)
                .with_context(|| format!("no subcommand {name:?} (see shipcheck --help)"))?;
            sub.clone()
                .name(format!("shipcheck-{name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .context("rendering the man page")?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `verify --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyFormat {
    /// Tables of approvers and checks, each ✔ or ✘ with the reason.
    Text,
    /// The verdict as JSON.
    Json,
}

/// `rules --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    /// One block per rule.
    Text,
    /// The catalogue as JSON.
    Json,
    /// The markdown table committed in docs/rules.md.
    Markdown,
}

/// What `verify` (and `publish`, which verifies first) require of an approval.
#[derive(Debug, Clone, clap::Args)]
pub struct ApprovalArgs {
    /// The approval bundle (default: `ARTIFACT.approval.intoto.jsonl` beside the artifact;
    /// `./NAME-VERSION.approval.intoto.jsonl` for `npm:` and `npm-stage:`).
    #[arg(long, value_name = "F")]
    pub approval: Option<PathBuf>,
    /// git-style allowed_signers file: whose signatures count (default: the policy's
    /// `[approval] allowed_signers`, then git's `gpg.ssh.allowedSignersFile`).
    #[arg(long, value_name = "F")]
    pub allowed_signers: Option<PathBuf>,
    /// How many distinct allowed reviewers must have signed (default: the policy's, else 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_approvers: Option<u32>,
    /// A principal whose approval does not count (e.g. the release author); repeatable.
    #[arg(long, value_name = "ID")]
    pub forbid_approver: Vec<String>,
    /// Policy file (default: shipcheck.toml beside the artifact).
    #[arg(long, value_name = "P")]
    pub policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
}

impl ApprovalArgs {
    fn gate_options(&self) -> GateOptions {
        GateOptions {
            approval: self.approval.clone(),
            allowed_signers: self.allowed_signers.clone(),
            min_approvers: self.min_approvers,
            forbid_approver: self.forbid_approver.clone(),
            policy: self.policy.clone(),
        }
    }
}

/// Prints a verdict in the asked format.
fn print_verdict(v: &gate::verify::Verdict, format: VerifyFormat) -> anyhow::Result<()> {
    print(&match format {
        VerifyFormat::Text => gate::verify::text(v),
        VerifyFormat::Json => crate::json::to_string_pretty(v)? + "\n",
    })
}

/// An exit code for a publish command's status: its own code, else 2 (killed by a signal).
fn pass_on(status: std::process::ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(2)),
        None => ExitCode::from(2),
    }
}

/// Runs a parsed command; errors are printed by the caller and exit 2.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let opts = Options {
        limits: Limits {
            max_unpacked: cli.max_unpacked_size,
            nested_unpacked: cli.max_nested_unpacked,
            hard_max_entries: cli.max_entries,
            max_names: cli.max_names_size,
            max_scanned: cli.max_scanned_size,
            ..Limits::default()
        },
        keep_contents: false,
        digesting: crate::artifact::Digesting::InPass,
        index: false,
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
            inputs,
            key,
            reviewer,
            out,
        } => {
            // Checked before the screen opens, not found missing at the end of a review.
            if let Some(k) = &key
                && !k.is_file()
            {
                anyhow::bail!("--key {}: no such key file", k.display());
            }
            let config = signoff_config(&inputs.artifact, key.as_deref(), reviewer, out);
            let inputs = Inputs::prepare(&inputs, opts.limits, Contents::Index)?;
            let outcome = crate::review::run(inputs, config)?;
            eprintln!("shipcheck review: {}", outcome.coverage.summary());
            for path in &outcome.signed {
                eprintln!(
                    "shipcheck review: signed and appended to {}",
                    path.display()
                );
            }
        }
        Command::Check {
            inputs,
            format,
            fail_on,
            color,
        } => {
            let inputs = Inputs::prepare(&inputs, opts.limits, Contents::Stream)?;
            let threshold = fail_on.or(inputs.policy.fail_on).unwrap_or(Severity::High);
            let report = crate::check::run(&inputs)?;
            let colour = color.enabled(std::io::IsTerminal::is_terminal(&std::io::stdout()));
            print(&report::render(&report, format, threshold, colour)?)?;
            if report.fails(threshold) {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Rules { format } => {
            print(&match format {
                RulesFormat::Text => crate::rules::registry::text(),
                RulesFormat::Markdown => crate::rules::registry::markdown(),
                RulesFormat::Json => {
                    let all: Vec<_> = crate::rules::registry::all().collect();
                    crate::json::to_string_pretty(&all)? + "\n"
                }
            })?;
        }
        // The interface is complete so pipelines can be written against it; until the sign-off
        // issue lands both fail closed rather than pretending to verify.
        Command::Completions { shell } => print(&completions(shell))?,
        Command::Man { command } => print(&man_page(command.as_deref())?)?,
        Command::Verify { artifact, approval } => {
            let verified =
                gate::verify_spec(&artifact, &approval.gate_options(), opts.limits, None)?;
            print_verdict(&verified.verdict, approval.format)?;
            if !verified.verdict.verified {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Publish {
            artifact,
            npm_stage,
            approval,
            otp,
            dry_run,
            command,
        } => {
            let request = gate::PublishRequest {
                artifact: artifact.map(PathBuf::from),
                npm_stage,
                gate: approval.gate_options(),
                otp,
                dry_run,
                command,
            };
            let outcome = gate::publish(&request, opts.limits, &mut |v| {
                print_verdict(v, approval.format)
            })?;
            return Ok(match outcome {
                gate::Published::Refused => ExitCode::from(1),
                gate::Published::DryRun => ExitCode::SUCCESS,
                gate::Published::Ran(status) => pass_on(status),
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The sign-off settings from `review`'s flags, with their defaults filled in: the key file
/// (`--key`, else `~/.ssh/id_ed25519`, else `~/.ssh/id_ecdsa`), the agent (`SSH_AUTH_SOCK`),
/// the reviewer (`--reviewer`, else `git config user.email`) and the bundle (`--out`, else
/// beside an artifact file; for an `npm:`/`npm-stage:` spec or a directory the review screen
/// names it `./NAME-VERSION.approval.intoto.jsonl` once the package is read).
fn signoff_config(
    artifact: &str,
    key: Option<&std::path::Path>,
    reviewer: Option<String>,
    out: Option<PathBuf>,
) -> crate::review::SignOffConfig {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let packed =
        crate::inputs::is_registry_spec(artifact) || std::path::Path::new(artifact).is_dir();
    crate::review::SignOffConfig {
        key: crate::approval::default_key_path(key, home.as_deref()),
        agent_socket: crate::approval::agent_socket_from_env(),
        reviewer: reviewer.or_else(git_user_email),
        out: out.or_else(|| (!packed).then(|| crate::approval::bundle::beside(artifact.as_ref()))),
        artifact: artifact.to_owned(),
    }
}

/// `git config user.email`, when git is installed and it is set.
fn git_user_email() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["config", "user.email"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let email = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !email.is_empty()).then_some(email)
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
            ColorChoice::Auto if crate::sanitize::no_color() => false,
            ColorChoice::Auto => terminal || set("CLICOLOR_FORCE"),
        }
    }
}

/// Writes stdout, treating a closed pipe (`| head`) as success.
fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}

/// Writes a file via a temporary sibling and a rename, so a reader never sees half a file;
/// only a regular file is ever replaced (see `outfile`).
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::outfile::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approval_goes_beside_an_artifact_file_and_is_named_later_for_specs_and_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = |spec: &str| signoff_config(spec, None, Some("r".into()), None).out;
        assert_eq!(
            out("dist/app-1.0.0.tgz"),
            Some(PathBuf::from("dist/app-1.0.0.tgz.approval.intoto.jsonl"))
        );
        assert_eq!(
            out("npm:left-pad@1.3.0"),
            None,
            "named NAME-VERSION once read"
        );
        assert_eq!(out("npm-stage:app@1.0.0"), None);
        assert_eq!(
            out(dir.path().to_str().expect("utf-8")),
            None,
            "a packed folder"
        );
        let given = signoff_config("a.tgz", None, None, Some("x.jsonl".into()));
        assert_eq!(given.out, Some(PathBuf::from("x.jsonl")), "--out wins");
        assert_eq!(given.artifact, "a.tgz");
    }

    /// Every subcommand's name, from the clap definitions.
    fn subcommands() -> Vec<String> {
        use clap::CommandFactory as _;
        Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect()
    }

    #[test]
    fn completions_know_every_subcommand_in_every_shell() {
        let names = subcommands();
        assert!(names.len() >= 10, "{names:?}");
        for (shell, marker) in [
            (CompletionShell::Bash, "complete -F"),
            (CompletionShell::Zsh, "#compdef shipcheck"),
            (CompletionShell::Fish, "complete -c shipcheck"),
            (CompletionShell::Powershell, "Register-ArgumentCompleter"),
        ] {
            let script = completions(shell);
            assert!(script.contains(marker), "{shell:?} script: {script}");
            for name in &names {
                assert!(
                    script.contains(name.as_str()),
                    "{shell:?} completes `shipcheck {name}`"
                );
            }
            assert!(
                script.contains("fail-on") && script.contains("baseline"),
                "{shell:?} completes options too"
            );
        }
    }

    #[test]
    fn the_man_pages_cover_every_subcommand() {
        let page = man_page(None).expect("renders");
        assert!(page.contains(".TH shipcheck 1"), "{page}");
        assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
        for name in subcommands() {
            assert!(
                page.contains(&format!("shipcheck\\-{}", name.replace('-', "\\-"))),
                "shipcheck(1) lists {name}"
            );
            let sub = man_page(Some(&name)).expect("a page per subcommand");
            assert!(
                sub.contains(&format!(".TH shipcheck-{name} 1")),
                "{name}'s own page: {sub}"
            );
        }
        let check = man_page(Some("check")).expect("renders");
        assert!(
            check.contains("\\-\\-fail\\-on"),
            "check's options: {check}"
        );
        assert!(
            man_page(Some("nope")).is_err(),
            "an unknown subcommand is an error"
        );
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
