//! npm's staged publishing (`npm stage approve`): approving a staged release after `verify`.

/// Placeholder until the staged-publishing branch lands.
pub fn approve(_id: &str, _otp: Option<&str>) -> anyhow::Result<std::process::ExitStatus> {
    anyhow::bail!("npm stage approve: not wired yet")
}
