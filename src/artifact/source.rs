//! From what the user named to one artifact file.
//!
//! A file is read as it is. A directory is packed by its ecosystem's own packer (`npm pack`,
//! `cargo package`) into a private temporary directory, and the packed file is what gets
//! reviewed, because that is what would be published. `npm:NAME@VERSION` is fetched with
//! `npm pack --ignore-scripts` into such a directory, so nothing from the package runs.
//! `npm-stage:STAGE-ID` (a release staged with `npm stage publish`, not yet public) is fetched
//! with `npm stage download STAGE-ID` run inside such a directory, which is where npm writes
//! the staged tarball; the registry is npm's own (`--registry` in an npmrc, or
//! `npm_config_registry`), so the bytes reviewed are the bytes `npm stage approve` publishes.
//!
//! Packing a directory runs that package's own code: `npm pack` runs its `prepack`,
//! `prepare` and `postpack` scripts, exactly as `npm publish` would, and those scripts may
//! write anywhere the user can (`cargo package --no-verify` runs no build script). That is
//! deliberate: the scripts' output is part of the payload, so skipping them would review
//! different bytes than the ones published. To run nothing at all, review the tarball.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{Context as _, bail};

/// What the user named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// An artifact file.
    File(PathBuf),
    /// A package directory to pack.
    Dir(PathBuf),
    /// `npm:NAME[@VERSION]`.
    Npm(String),
    /// `npm-stage:STAGE-ID`: a staged npm release, as yet unchecked (see [`is_stage_id`]).
    NpmStage(String),
}

impl Spec {
    /// Classifies a command-line argument.
    pub fn parse(arg: &str) -> Spec {
        if let Some(name) = arg.strip_prefix("npm:") {
            return Spec::Npm(name.to_owned());
        }
        if let Some(id) = arg.strip_prefix("npm-stage:") {
            return Spec::NpmStage(id.to_owned());
        }
        let path = PathBuf::from(arg);
        if path.is_dir() {
            Spec::Dir(path)
        } else {
            Spec::File(path)
        }
    }
}

/// The artifact file to read, and the temp dir that holds it (if packed or fetched).
pub struct Resolved {
    /// The artifact file.
    pub file: PathBuf,
    /// Keeps a packed artifact alive; removed on drop.
    pub temp: Option<Arc<tempfile::TempDir>>,
}

/// Resolves a command-line argument to an artifact file, packing or fetching as needed.
pub fn resolve(arg: &str) -> anyhow::Result<Resolved> {
    match Spec::parse(arg) {
        Spec::File(path) => {
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    bail!("{}: no such file or directory", path.display())
                }
                Err(e) => return Err(e).with_context(|| path.display().to_string()),
            };
            if let Some(kind) = crate::outfile::kind_of(&meta) {
                // An artifact is read more than once (sniffed, hashed beside the entries,
                // read again for a file's content): a stream cannot be, and opening a FIFO
                // with no writer would block. Refused at once, before anything opens it.
                bail!(
                    "{}: is {kind}, not a regular file; save the stream to a file first (e.g. `cat > package.tgz`) and check that",
                    path.display()
                );
            }
            Ok(Resolved {
                file: path,
                temp: None,
            })
        }
        Spec::Dir(dir) => pack_dir(&dir),
        Spec::Npm(name) => {
            if name.is_empty() || name.starts_with('-') {
                bail!("npm:{name}: expected npm:NAME or npm:NAME@VERSION");
            }
            let temp = private_temp()?;
            let file = npm_pack(&name, None, temp.path())
                .with_context(|| format!("fetching npm:{name}"))?;
            Ok(Resolved {
                file,
                temp: Some(Arc::new(temp)),
            })
        }
        Spec::NpmStage(id) => {
            if !is_stage_id(&id) {
                bail!(
                    "npm-stage:{}: a stage id is a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), as `npm stage list` prints it",
                    crate::sanitize::for_terminal(&id)
                );
            }
            let temp = private_temp()?;
            let file = npm_stage_download(&id, temp.path())
                .with_context(|| format!("fetching npm-stage:{id}"))?;
            Ok(Resolved {
                file,
                temp: Some(Arc::new(temp)),
            })
        }
    }
}

/// Whether `id` is a stage id as npm accepts it: a UUID, hex digits in groups of 8-4-4-4-12,
/// either case (npm's `validate-uuid.js`). Checked before npm runs, so a typo or an option-like
/// argument never reaches the command line of `npm stage download` or `npm stage approve`.
pub fn is_stage_id(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn private_temp() -> anyhow::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("shipcheck-")
        .tempdir()
        .context("creating a private temporary directory")
}

fn pack_dir(dir: &Path) -> anyhow::Result<Resolved> {
    let temp = private_temp()?;
    let file = if dir.join("package.json").is_file() {
        npm_pack(".", Some(dir), temp.path())
            .with_context(|| format!("{}: npm pack failed", dir.display()))?
    } else if dir.join("Cargo.toml").is_file() {
        cargo_package(dir, temp.path())
            .with_context(|| format!("{}: cargo package failed", dir.display()))?
    } else {
        bail!(
            "{}: a directory needs a package.json or Cargo.toml to be packed; pass the artifact file instead",
            dir.display()
        );
    };
    Ok(Resolved {
        file,
        temp: Some(Arc::new(temp)),
    })
}

fn run(cmd: &mut Command) -> anyhow::Result<Vec<u8>> {
    let out = cmd
        .output()
        .with_context(|| format!("could not run {}", cmd.get_program().display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = telling_line(&err).unwrap_or("no error output");
        bail!(
            "{} exited with {}: {}",
            cmd.get_program().display(),
            out.status,
            crate::sanitize::for_terminal(last.trim())
        );
    }
    Ok(out.stdout)
}

/// The line of a packer's stderr that says what went wrong. npm ends every failure with
/// "A complete log of this run can be found in: …" after `code`/`syscall`/`path`/`errno` lines,
/// so its first line that is none of those is the message (`Could not read package.json`,
/// `404 Not Found - GET …`); anything else, the last non-empty line.
fn telling_line(stderr: &str) -> Option<&str> {
    let npm_message = stderr.lines().map(str::trim).find(|l| {
        let Some(rest) = l
            .strip_prefix("npm error ")
            .or_else(|| l.strip_prefix("npm ERR! "))
        else {
            return false;
        };
        let first = rest.split_whitespace().next().unwrap_or("");
        !rest.contains("complete log of this run")
            && !matches!(first, "code" | "syscall" | "path" | "errno")
            && rest.split_whitespace().count() > 1
    });
    npm_message.or_else(|| stderr.lines().map(str::trim).rev().find(|l| !l.is_empty()))
}

/// `npm pack SPEC --pack-destination DEST --json`, returning the packed file.
fn npm_pack(spec: &str, cwd: Option<&Path>, dest: &Path) -> anyhow::Result<PathBuf> {
    let mut cmd = Command::new("npm");
    cmd.args(["pack", spec, "--json", "--pack-destination"])
        .arg(dest);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    } else {
        // Fetching runs nothing from the package; say so explicitly.
        cmd.arg("--ignore-scripts");
    }
    let stdout = run(&mut cmd)?;
    // npm may print lifecycle script output before the JSON; the JSON is the last array.
    let text = String::from_utf8_lossy(&stdout);
    let start = text
        .rfind("\n[")
        .map_or_else(|| text.find('['), |i| Some(i + 1))
        .context("npm pack printed no JSON")?;
    let json: serde_json::Value =
        serde_json::from_str(&text[start..]).context("npm pack printed unreadable JSON")?;
    let name = json
        .get(0)
        .and_then(|v| v.get("filename"))
        .and_then(|f| f.as_str())
        .context("npm pack named no file")?;
    // npm names scoped packages `scope-name-1.0.0.tgz`; never trust it to be a plain name.
    let name = Path::new(name)
        .file_name()
        .context("npm pack named no file")?;
    let file = dest.join(name);
    if !file.is_file() {
        bail!("npm pack did not write {}", file.display());
    }
    Ok(file)
}

/// `npm stage download ID` run in DEST (a fresh private directory, where npm writes
/// `<name>-<version>-<id>.tgz`), returning that file.
///
/// The file is found by listing DEST rather than by trusting npm's output: npm builds the name
/// from the staged (untrusted) `package.json`, so anything but exactly one regular `.tgz` in
/// the directory, say a name that sent the file elsewhere, is refused.
fn npm_stage_download(id: &str, dest: &Path) -> anyhow::Result<PathBuf> {
    let mut cmd = Command::new("npm");
    cmd.args(["stage", "download", id]).current_dir(dest);
    run(&mut cmd)?;
    let listed = std::fs::read_dir(dest)
        .with_context(|| format!("listing {}", dest.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("listing {}", dest.display()))?;
    let tarballs: Vec<PathBuf> = listed
        .iter()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(std::fs::DirEntry::path)
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect();
    match tarballs.as_slice() {
        [one] if listed.len() == 1 => Ok(one.clone()),
        _ => bail!(
            "npm stage download wrote {} .tgz file(s) among {} entries, expected exactly one tarball",
            tarballs.len(),
            listed.len()
        ),
    }
}

/// `cargo package --no-verify` with its target dir in DEST, returning the `.crate`.
fn cargo_package(dir: &Path, dest: &Path) -> anyhow::Result<PathBuf> {
    let target = dest.join("target");
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args([
        "package",
        "--no-verify",
        "--allow-dirty",
        "--quiet",
        "--target-dir",
    ])
    .arg(&target)
    .current_dir(dir);
    run(&mut cmd)?;
    let pkg = target.join("package");
    let found = std::fs::read_dir(&pkg)
        .with_context(|| format!("cargo package wrote nothing to {}", pkg.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "crate"));
    found.context("cargo package wrote no .crate file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_classified() {
        assert_eq!(
            Spec::parse("npm:left-pad@1.3.0"),
            Spec::Npm("left-pad@1.3.0".into())
        );
        assert_eq!(
            Spec::parse("npm-stage:0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6c"),
            Spec::NpmStage("0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6c".into())
        );
        assert_eq!(Spec::parse("."), Spec::Dir(".".into()));
        assert_eq!(Spec::parse("x.tgz"), Spec::File("x.tgz".into()));
    }

    #[test]
    fn stage_ids_are_uuids_as_npm_accepts_them() {
        for ok in [
            "0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6c",
            "0B5A2C1E-9F3D-4E7A-8C6B-1D2E3F4A5B6C",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert!(is_stage_id(ok), "{ok} is a UUID");
        }
        for bad in [
            "",
            "nope",
            "--registry=http://evil",
            "0b5a2c1e9f3d4e7a8c6b1d2e3f4a5b6c",
            "0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6",
            "0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6c0",
            "0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6g",
            "0b5a2c1e-9f3d-4e7a-8c6b-1d2e-3f4a5b6c",
            " 0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6c",
            "0b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6c\n",
            "０b5a2c1e-9f3d-4e7a-8c6b-1d2e3f4a5b6c",
        ] {
            assert!(!is_stage_id(bad), "{bad:?} is not a UUID");
        }
    }

    #[test]
    fn a_stage_id_that_is_not_a_uuid_is_refused_before_npm_runs() {
        // No npm is needed: the id is refused before any command is built.
        let err = resolve("npm-stage:latest").err().expect("not a UUID");
        assert!(err.to_string().contains("a stage id is a UUID"), "{err}");
        let err = resolve("npm-stage:").err().expect("empty id");
        assert!(err.to_string().contains("a stage id is a UUID"), "{err}");
    }

    #[test]
    fn npm_failures_are_told_by_their_message_line() {
        let enoent = "npm error code ENOENT\nnpm error syscall open\nnpm error path /x/package.json\n\
            npm error errno -2\nnpm error enoent Could not read package.json: Error: ENOENT\n\
            npm error enoent\nnpm error A complete log of this run can be found in: /r/x.log\n";
        assert_eq!(
            telling_line(enoent),
            Some("npm error enoent Could not read package.json: Error: ENOENT")
        );
        let e404 = "npm error code E404\nnpm error 404 Not Found - GET https://r/x - Not found\n\
            npm error A complete log of this run can be found in: /r/x.log\n";
        assert_eq!(
            telling_line(e404),
            Some("npm error 404 Not Found - GET https://r/x - Not found")
        );
        assert_eq!(telling_line("error: oops\n\n"), Some("error: oops"));
        assert_eq!(telling_line(""), None);
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let err = resolve("/nonexistent/x.tgz")
            .err()
            .expect("missing file fails");
        assert!(err.to_string().contains("no such file"), "{err}");
    }

    #[test]
    fn a_directory_without_a_manifest_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = resolve(dir.path().to_str().expect("utf-8 temp path"))
            .err()
            .expect("no packer");
        assert!(
            err.to_string()
                .contains("needs a package.json or Cargo.toml"),
            "{err}"
        );
    }
}
