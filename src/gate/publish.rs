//! `shipcheck publish`: the verified bytes, and only those, go to the registry.
//!
//! The artifact is copied into a private folder first; that copy is what `verify` checks and
//! what the publish command is given, so the file cannot change between the check and the
//! upload. Nothing is ever re-packed from a source tree, with one exception that cannot be
//! avoided: `cargo publish` takes no file, so for a `.crate` the package is packed again with
//! `cargo package` and published only when those bytes equal the approved ones.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use anyhow::{Context as _, bail};
use sha2::{Digest as _, Sha512};

use crate::artifact::Format;

/// The environment variable that names the verified copy for a `-- COMMAND`.
pub const ARTIFACT_ENV: &str = "SHIPCHECK_ARTIFACT";

/// A private copy of the artifact: the only file `publish` verifies and uploads.
#[derive(Debug)]
pub struct PrivateCopy {
    /// The folder (0700 on Unix), removed when dropped.
    _dir: tempfile::TempDir,
    /// The copy, under the artifact's own file name.
    pub path: PathBuf,
}

/// Copies `file` into a fresh private folder, keeping its name (registries read it).
pub fn private_copy(file: &Path) -> anyhow::Result<PrivateCopy> {
    if !file.is_file() {
        bail!(
            "{}: publish takes the artifact file itself (never a directory: that would be \
             packed again, and the approved bytes are what ships)",
            file.display()
        );
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix("shipcheck-publish-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let dir = builder
        .tempdir()
        .context("creating a private folder for the verified copy")?;
    let name = file
        .file_name()
        .with_context(|| format!("{}: no file name", file.display()))?;
    let path = dir.path().join(name);
    std::fs::copy(file, &path)
        .with_context(|| format!("copying {} to {}", file.display(), path.display()))?;
    Ok(PrivateCopy { _dir: dir, path })
}

/// The publish command for an artifact of `format` at `file`, when there is a file-based one:
/// `npm publish FILE`, `twine upload FILE`, `npx @vscode/vsce publish --packagePath FILE`.
pub fn default_command(format: Format, file: &Path) -> Option<Vec<String>> {
    let f = file.display().to_string();
    let words: &[&str] = match format {
        Format::NpmTarball => &["npm", "publish"],
        Format::Wheel | Format::PythonSdist => &["twine", "upload"],
        Format::Vsix => &["npx", "@vscode/vsce", "publish", "--packagePath"],
        Format::Crate => &["cargo", "publish"],
        _ => return None,
    };
    let mut cmd: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    if format != Format::Crate {
        cmd.push(f);
    }
    Some(cmd)
}

/// `command` with every `{}` argument replaced by the verified copy's path.
pub fn with_artifact(command: &[String], file: &Path) -> Vec<String> {
    let f = file.display().to_string();
    command
        .iter()
        .map(|a| if a == "{}" { f.clone() } else { a.clone() })
        .collect()
}

/// Runs `command` (already substituted) with the copy's path in [`ARTIFACT_ENV`], standard
/// streams inherited; its exit status is returned for `publish` to pass on.
pub fn run(command: &[String], file: &Path, cwd: Option<&Path>) -> anyhow::Result<ExitStatus> {
    let (program, args) = command.split_first().context("an empty publish command")?;
    let mut cmd = Command::new(program);
    cmd.args(args).env(ARTIFACT_ENV, file);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    cmd.status()
        .with_context(|| format!("running {}", shell_words(command)))
}

/// The command as a shell line, for `--dry-run` and messages.
pub fn shell_words(command: &[String]) -> String {
    command
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:@=+,%".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// For a `.crate`: packs the crate in `dir` again with `cargo package` (into a private target
/// folder) and refuses unless the packed bytes are the approved ones (`sha512`, hex).
pub fn repack_crate(dir: &Path, name: &str, version: &str, sha512: &str) -> anyhow::Result<()> {
    let target = tempfile::Builder::new()
        .prefix("shipcheck-repack-")
        .tempdir()
        .context("creating a private target folder")?;
    let out = Command::new("cargo")
        .args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "--quiet",
            "--target-dir",
        ])
        .arg(target.path())
        .current_dir(dir)
        .output()
        .context("running cargo package")?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        let line = said
            .lines()
            .find(|l| l.contains("error"))
            .unwrap_or("")
            .trim();
        bail!(
            "cargo package failed in {} ({}): {}",
            dir.display(),
            out.status,
            crate::sanitize::for_terminal(line)
        );
    }
    let packed = target
        .path()
        .join("package")
        .join(format!("{name}-{version}.crate"));
    let bytes = std::fs::read(&packed).with_context(|| {
        format!(
            "cargo package in {} did not make {name}-{version}.crate: is this the approved crate's folder?",
            dir.display()
        )
    })?;
    let got = crate::units::hex(&Sha512::digest(&bytes));
    if !got.eq_ignore_ascii_case(sha512) {
        bail!(
            "cargo package in {} made other bytes than the approved .crate (sha512 {}… ≠ {}…): \
             refusing to publish what nobody reviewed",
            dir.display(),
            &got[..16],
            &sha512[..16.min(sha512.len())]
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_commands_publish_the_file_itself() {
        let f = Path::new("/tmp/x/p-1.0.0.tgz");
        assert_eq!(
            default_command(Format::NpmTarball, f),
            Some(vec![
                "npm".into(),
                "publish".into(),
                "/tmp/x/p-1.0.0.tgz".into()
            ])
        );
        assert_eq!(
            default_command(Format::Wheel, Path::new("w.whl")).map(|c| c.join(" ")),
            Some("twine upload w.whl".into())
        );
        assert_eq!(
            default_command(Format::Vsix, Path::new("e.vsix")).map(|c| c.join(" ")),
            Some("npx @vscode/vsce publish --packagePath e.vsix".into())
        );
        assert_eq!(
            default_command(Format::Zip, f),
            None,
            "a zip needs a command"
        );
    }

    #[test]
    fn placeholders_and_quoting() {
        let cmd = vec![
            "gh".to_owned(),
            "release".into(),
            "upload".into(),
            "{}".into(),
        ];
        assert_eq!(
            with_artifact(&cmd, Path::new("/a b/x.tgz")),
            ["gh", "release", "upload", "/a b/x.tgz"]
        );
        assert_eq!(
            shell_words(&with_artifact(&cmd, Path::new("/a b/x.tgz"))),
            "gh release upload '/a b/x.tgz'"
        );
    }

    #[test]
    fn the_copy_is_private_and_byte_identical() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("p-1.0.0.tgz");
        std::fs::write(&src, b"bytes").expect("write");
        let copy = private_copy(&src).expect("copies");
        assert_eq!(std::fs::read(&copy.path).expect("read"), b"bytes");
        assert_ne!(copy.path, src);
        assert!(private_copy(dir.path()).is_err(), "a directory is refused");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let parent = copy.path.parent().expect("a folder");
            let mode = std::fs::metadata(parent)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "nobody else can swap the file");
        }
    }
}
