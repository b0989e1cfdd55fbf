//! The sign-off dialog: what blocks, a waiver per blocking finding, the typed `name@version`,
//! the signature and the appended approval line; or a signed rejection with a reason.
//!
//! [`SignOff`] is the dialog's state, an `Option` on [`App`]; [`App::dialog`] is where
//! [`App::update`] sends the dialog's actions. Nothing is written until a signature exists:
//! [`App::sign`] is the one place that signs and appends, called from the confirmation (and
//! the passphrase) step, like a confirm popup that holds its pending action.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::approval::record::{self, Review};
use crate::approval::{
    Passphrase, ReviewResult, SignError, Signer, Timestamp, append_line, choose_signer,
    sign_statement,
};
use crate::manifest::Manifest;
use crate::rules::{Policy, Severity};

use super::action::{Action, Mode};
use super::app::App;

/// Longest text a dialog field takes: a waiver is a sentence or two, not a file.
const MAX_INPUT: usize = 2_000;

/// How `review` signs, as the command line set it up.
#[derive(Debug, Clone, Default)]
pub struct SignOffConfig {
    /// The SSH key file: `--key`, else `~/.ssh/id_ed25519`, else `~/.ssh/id_ecdsa`; `None`
    /// when there is none (only an agent can sign then).
    pub key: Option<PathBuf>,
    /// The ssh-agent socket (`SSH_AUTH_SOCK`), asked first when it holds the key.
    pub agent_socket: Option<PathBuf>,
    /// The reviewer's allowed_signers principal: `--reviewer`, else `git config user.email`;
    /// `None`: the dialog asks for it.
    pub reviewer: Option<String>,
    /// The bundle to append to: `--out`, else `ARTIFACT.approval.intoto.jsonl` beside an
    /// artifact file; `None` (a registry spec or a packed directory):
    /// `./<name>-<version>.approval.intoto.jsonl`, named once the package is read.
    pub out: Option<PathBuf>,
    /// The artifact as the reviewer named it, for the `verify` command shown after signing.
    pub artifact: String,
}

/// What signing needs beyond the screen's state, set when the screen is loaded for a sign-off
/// (`None` on [`App`] otherwise, and `S` then says so).
#[derive(Debug)]
pub struct Signing {
    /// The command line's settings.
    pub config: SignOffConfig,
    /// The artifact's release manifest as the first pass made it, for the package's name and
    /// the bundle's; the statement records the completed one ([`crate::artifact::Artifact::complete`]).
    pub manifest: Manifest,
    /// The policy in force: waiver rules, coverage requirements, lifetime, its digest.
    pub policy: Policy,
    /// The blocking severity: the policy's `fail_on`, else high.
    pub threshold: Severity,
    /// The bundle file the approval line is appended to (the config's, or the default).
    pub out: PathBuf,
}

impl Signing {
    /// The signing context for `manifest` under `policy`.
    pub fn new(config: SignOffConfig, manifest: Manifest, policy: Policy) -> Self {
        let threshold = policy.fail_on.unwrap_or(Severity::High);
        let out = config.out.clone().unwrap_or_else(|| {
            let a = &manifest.artifact;
            crate::approval::bundle::for_package(a.name.as_deref(), a.version.as_deref())
        });
        Signing {
            config,
            manifest,
            policy,
            threshold,
            out,
        }
    }

    /// What the reviewer types to confirm: `name@version`, or the file name without metadata.
    pub fn confirmation(&self) -> String {
        let a = &self.manifest.artifact;
        match (&a.name, &a.version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            _ => a.file_name.clone(),
        }
    }

    /// The command that checks what was written, paths quoted for a POSIX shell.
    pub fn verify_command(&self) -> String {
        format!(
            "shipcheck verify {} --approval {}",
            shell_quote(&self.config.artifact),
            shell_quote(&self.out.to_string_lossy())
        )
    }
}

/// `s` as one shell word: as it is when it is plainly safe, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Where the dialog is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Step 1: the findings at or above the blocking severity, each to be waived.
    Blocking,
    /// Sign-off refused: each line says what (an unwaivable rule and the policy glob, an
    /// unopened flagged file, short coverage).
    Refused(Vec<String>),
    /// Step 2: the justification for `to_waive[k]`.
    Waive(usize),
    /// A rejection's reason.
    Reason,
    /// The reviewer's principal, when neither `--reviewer` nor git named one.
    Reviewer,
    /// Step 3: type `name@version`.
    Confirm,
    /// Step 4: the key's passphrase (masked).
    Passphrase,
    /// Written: the file and the command that checks it.
    Done {
        /// The bundle the line was appended to.
        path: PathBuf,
        /// `shipcheck verify …`.
        command: String,
    },
    /// Signing or writing failed; nothing was written.
    Failed(String),
}

/// The sign-off dialog's state.
#[derive(Debug)]
pub struct SignOff {
    /// Approving, or rejecting.
    pub result: ReviewResult,
    /// The current step.
    pub step: Step,
    /// The field being typed (wiped when dropped: it may hold the passphrase).
    pub input: Zeroizing<String>,
    /// A one-line complaint about the last submission (too short, not the name, wrong
    /// passphrase).
    pub error: Option<String>,
    /// The blocking findings to waive, by position in the findings list, in order.
    pub to_waive: Vec<usize>,
    /// The waivers typed so far: (position in the findings list, justification).
    pub waivers: Vec<(usize, String)>,
    /// A rejection's reason, once typed.
    pub reason: Option<String>,
    /// The principal signing: the config's, or typed in [`Step::Reviewer`].
    pub reviewer: Option<String>,
    /// The signer, once chosen (kept across passphrase retries).
    pub signer: Option<Signer>,
}

impl SignOff {
    /// The key mode for the step: text fields type, the rest take single keys.
    pub fn mode(&self) -> Mode {
        match self.step {
            Step::Waive(_) | Step::Reason | Step::Reviewer | Step::Confirm | Step::Passphrase => {
                Mode::SignOffTyping
            }
            _ => Mode::SignOff,
        }
    }

    /// Moves to `step` with an empty field.
    fn go(&mut self, step: Step) {
        self.step = step;
        self.input = Zeroizing::new(String::new());
        self.error = None;
    }

    /// After the waivers (or the reason): the reviewer if unknown, else the confirmation.
    fn after_reasons(&mut self) {
        let next = if self.reviewer.is_some() {
            Step::Confirm
        } else {
            Step::Reviewer
        };
        self.go(next);
    }
}

impl App {
    /// `S` or `R`: opens the dialog, for an approval (with what blocks it) or a rejection.
    pub(super) fn open_signoff(&mut self, result: ReviewResult) {
        let Some(signing) = &self.signing else {
            self.status = Some("this screen was opened without sign-off settings".into());
            return;
        };
        let mut d = SignOff {
            result,
            step: Step::Blocking,
            input: Zeroizing::new(String::new()),
            error: None,
            to_waive: Vec::new(),
            waivers: Vec::new(),
            reason: None,
            reviewer: signing.config.reviewer.clone(),
            signer: None,
        };
        if result == ReviewResult::Rejected {
            d.go(Step::Reason);
        } else {
            let unviewed = self.coverage.unviewed_flagged(&self.artifact);
            let coverage = self.coverage.record(&self.artifact);
            let needs = record::needs(
                &self.findings,
                signing.threshold,
                &signing.policy,
                &coverage,
                &unviewed,
            );
            d.to_waive = needs.to_waive.iter().map(|(i, _)| *i).collect();
            if !needs.can_sign() {
                d.step = Step::Refused(refusal(&needs, &signing.policy));
            }
        }
        self.signoff = Some(d);
    }

    /// An action while the dialog is open.
    pub(super) fn dialog(&mut self, a: Action) {
        let (Some(d), Some(signing)) = (self.signoff.as_mut(), self.signing.as_ref()) else {
            return;
        };
        let min = signing.policy.approval.min_waiver_reason as usize;
        match a {
            Action::DialogCancel => self.signoff = None,
            Action::DialogChar(c) if d.input.chars().count() < MAX_INPUT => d.input.push(c),
            Action::DialogBackspace => {
                d.input.pop();
            }
            Action::Reject if d.mode() == Mode::SignOff => {
                if matches!(d.step, Step::Blocking | Step::Refused(_)) {
                    d.result = ReviewResult::Rejected;
                    d.waivers.clear();
                    d.go(Step::Reason);
                }
            }
            Action::DialogNext => match d.step.clone() {
                Step::Blocking if d.to_waive.is_empty() => d.after_reasons(),
                Step::Blocking => d.go(Step::Waive(0)),
                step @ (Step::Waive(_) | Step::Reason) => {
                    let text = d.input.trim().to_owned();
                    let n = text.chars().count();
                    if n < min {
                        let why = if step == Step::Reason {
                            "say why it must not ship"
                        } else {
                            "say why this is safe to ship"
                        };
                        d.error = Some(format!("{n} of at least {min} characters: {why}"));
                    } else if let Step::Waive(k) = step {
                        d.waivers.push((d.to_waive[k], text));
                        if k + 1 < d.to_waive.len() {
                            d.go(Step::Waive(k + 1));
                        } else {
                            d.after_reasons();
                        }
                    } else {
                        d.reason = Some(text);
                        d.after_reasons();
                    }
                }
                Step::Reviewer => {
                    let id = d.input.trim().to_owned();
                    if id.is_empty() || id.contains(char::is_whitespace) {
                        d.error = Some(
                            "type your allowed_signers principal (e.g. your email), no spaces"
                                .into(),
                        );
                    } else {
                        d.reviewer = Some(id);
                        d.go(Step::Confirm);
                    }
                }
                Step::Confirm => {
                    let want = signing.confirmation();
                    if d.input.as_str() == want {
                        self.sign(None);
                    } else {
                        d.error = Some(format!("type {want} exactly to confirm"));
                        d.input = Zeroizing::new(String::new());
                    }
                }
                Step::Passphrase => {
                    let typed = Passphrase::from(std::mem::take(&mut *d.input));
                    self.sign(Some(typed));
                }
                Step::Refused(_) | Step::Done { .. } | Step::Failed(_) => self.signoff = None,
            },
            _ => {}
        }
    }

    /// Signs the statement the dialog gathered and appends it to the bundle; the one place
    /// that writes. On [`SignError::PassphraseRequired`] it asks for the passphrase, on
    /// [`SignError::WrongPassphrase`] it asks again; any other error is shown and nothing is
    /// written.
    fn sign(&mut self, passphrase: Option<Passphrase>) {
        let (Some(d), Some(signing)) = (self.signoff.as_mut(), self.signing.as_ref()) else {
            return;
        };
        let signer = match d.signer.take() {
            Some(s) => Ok(s),
            None => choose_signer(
                signing.config.key.as_deref(),
                signing.config.agent_socket.as_deref(),
            ),
        };
        let signer = match (signer, passphrase) {
            (Ok(s), Some(p)) => s.with_passphrase(p),
            (Ok(s), None) => s,
            (Err(e), _) => return d.go(Step::Failed(e.to_string())),
        };
        // The digests the first frame did not wait for: every file's and the sha512.
        if let Err(e) = self.artifact.complete() {
            return d.go(Step::Failed(format!("{e:#}")));
        }
        let manifest = Manifest::of(&self.artifact);
        let statement = record::statement(&Review {
            manifest: &manifest,
            findings: &self.findings,
            threshold: signing.threshold,
            policy: &signing.policy,
            waivers: &d.waivers,
            coverage: self.coverage.record(&self.artifact),
            reviewer: d.reviewer.as_deref().unwrap_or_default(),
            result: d.result,
            reason: d.reason.clone(),
            now: Timestamp::now(),
        });
        match sign_statement(&statement, &signer) {
            Ok(line) => match append_line(&signing.out, &line) {
                Ok(()) => {
                    self.signed.push(signing.out.clone());
                    d.go(Step::Done {
                        path: absolute(&signing.out),
                        command: signing.verify_command(),
                    });
                }
                Err(e) => d.go(Step::Failed(format!("writing the approval: {e}"))),
            },
            Err(SignError::PassphraseRequired { .. }) => {
                d.signer = Some(signer);
                d.go(Step::Passphrase);
            }
            Err(SignError::WrongPassphrase { .. }) => {
                d.signer = Some(signer);
                d.go(Step::Passphrase);
                d.error = Some("wrong passphrase; try again".into());
            }
            Err(e) => d.go(Step::Failed(format!("signing: {e}"))),
        }
    }
}

/// `path` made absolute against the current directory, for the screen (a relative path
/// would not say where).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Why a sign-off is refused, one line per reason.
fn refusal(needs: &record::Needs<'_>, policy: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    let source = policy
        .source
        .as_ref()
        .map_or_else(|| "the policy".to_owned(), |p| p.display().to_string());
    for (_, f, glob) in &needs.unwaivable {
        out.push(format!(
            "{} on {} may not be waived: {source} lists \"{glob}\" in [approval] unwaivable",
            f.rule,
            record::finding_path(f)
        ));
    }
    for path in &needs.unviewed_flagged {
        out.push(format!("flagged file not opened yet: {path}"));
    }
    if let Some((have, need)) = needs.coverage_short {
        out.push(format!(
            "files viewed {:.0}%, the policy requires {:.0}%",
            have * 100.0,
            need * 100.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{SignOffConfig, Signing, shell_quote};

    #[test]
    fn without_out_the_bundle_is_named_after_the_package_in_the_current_folder() {
        let a = crate::rules::test_support::artifact_of(&[(
            "package/package.json",
            br#"{"name":"@scope/app","version":"2.0.0"}"#,
        )]);
        let s = Signing::new(
            SignOffConfig {
                artifact: "npm:@scope/app@2.0.0".into(),
                ..SignOffConfig::default()
            },
            crate::manifest::Manifest::of(&a),
            crate::rules::Policy::default(),
        );
        assert_eq!(
            s.out,
            std::path::Path::new("scope-app-2.0.0.approval.intoto.jsonl")
        );
        assert_eq!(s.confirmation(), "@scope/app@2.0.0");
        assert_eq!(
            s.verify_command(),
            "shipcheck verify npm:@scope/app@2.0.0 --approval scope-app-2.0.0.approval.intoto.jsonl"
        );
        assert_eq!(
            s.threshold,
            crate::rules::Severity::High,
            "the default fail_on"
        );
    }

    #[test]
    fn paths_with_spaces_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("a-1.0.0.tgz"), "a-1.0.0.tgz");
        assert_eq!(shell_quote("my dir/a.tgz"), "'my dir/a.tgz'");
        assert_eq!(shell_quote("it's.tgz"), r"'it'\''s.tgz'");
        assert_eq!(shell_quote("npm:@s/p@1.0.0"), "npm:@s/p@1.0.0");
    }
}
