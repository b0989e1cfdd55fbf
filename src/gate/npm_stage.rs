//! npm's staged publishing (`npm stage approve`): approving a staged release after `verify`.
//!
//! A staged release (`npm stage publish`) sits on the registry under a stage id until someone
//! approves it. shipcheck reviews and verifies the staged bytes themselves (the artifact spec
//! `npm-stage:ID`, fetched with `npm stage download`), and only then runs
//! `npm stage approve ID`, so what goes public is exactly what was approved. The registry, the
//! credentials and the 2FA prompt stay npm's: its npmrc files and `npm_config_*` environment
//! decide where the request goes, and npm talks to the user on the inherited terminal.

use std::ffi::OsStr;
use std::process::{Command, ExitStatus};

use anyhow::{Context as _, bail};

pub use crate::artifact::is_stage_id;

/// Runs `npm stage approve STAGE_ID [--otp OTP]`, with npm's stdin, stdout and stderr inherited
/// so that it can ask for a one-time password and report in its own words.
///
/// The id is checked to be a UUID first, so nothing else reaches npm's command line. The
/// registry is npm's configured one; to point it elsewhere, see [`approve_with_env`].
pub fn approve(stage_id: &str, otp: Option<&str>) -> anyhow::Result<ExitStatus> {
    approve_with_env(stage_id, otp, std::iter::empty::<(&str, &str)>())
}

/// [`approve`], with extra environment for the npm child only, such as
/// `npm_config_registry=URL` (npm's `--registry`), `npm_config_userconfig` or `HOME`.
///
/// Why an argument rather than the caller's environment: the caller (a test, or a `publish`
/// that names a registry) then changes nothing process-wide, which would be racy with other
/// threads and is `unsafe` in Rust 2024.
pub fn approve_with_env<I, K, V>(
    stage_id: &str,
    otp: Option<&str>,
    env: I,
) -> anyhow::Result<ExitStatus>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    if !is_stage_id(stage_id) {
        bail!(
            "{}: a stage id is a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), as `npm stage list` prints it",
            crate::sanitize::for_terminal(stage_id)
        );
    }
    let mut cmd = Command::new("npm");
    cmd.args(["stage", "approve", stage_id]);
    if let Some(otp) = otp {
        // `--otp=X` keeps an otp that starts with `-` from being read as another option.
        cmd.arg(format!("--otp={otp}"));
    }
    cmd.envs(env);
    cmd.status()
        .with_context(|| format!("could not run npm stage approve {stage_id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_id_that_is_not_a_uuid_is_refused_before_npm_runs() {
        // PATH is emptied for the child: had npm been started, the error would say so.
        let err =
            approve_with_env("--registry=http://x", None, [("PATH", "")]).expect_err("not a UUID");
        assert!(err.to_string().contains("a stage id is a UUID"), "{err}");
    }
}
