//! The bundle file (`<artifact>.approval.intoto.jsonl`): reading its lines, appending one.
//!
//! An append never rewrites the bytes of the lines already there (each is somebody's
//! signature): it writes the old bytes plus the new line to a temporary file in the same
//! directory, fsyncs it and renames it over the bundle, so a crash leaves the old file or the
//! new one, never half of one. Two approvers appending at the same instant can still lose one
//! line (last rename wins); co-signing is a sequential, human-paced act.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// One non-blank line of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleLine {
    /// 1-based line number in the file (blank lines count).
    pub number: usize,
    /// The line's bytes, without the newline (and without a `\r` before it).
    pub bytes: Vec<u8>,
}

/// Why a bundle could not be read or appended to.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The bundle (or its directory).
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The line to append is empty or contains a newline.
    #[error("an approval line must be one non-empty line")]
    NotOneLine,
}

/// The bundle's default name for a package named by a registry spec (`npm:`, `npm-stage:`) or
/// packed from a directory, in the current directory: `NAME-VERSION.approval.intoto.jsonl`,
/// with npm pack's naming (`@scope/name` becomes `scope-name`).
pub fn for_package(name: Option<&str>, version: Option<&str>) -> PathBuf {
    let name = name
        .unwrap_or("package")
        .trim_start_matches('@')
        .replace('/', "-");
    let version = version.unwrap_or("0.0.0");
    PathBuf::from(format!("{name}-{version}.approval.intoto.jsonl"))
}

/// The bundle's default place: beside the artifact file, named `FILE.approval.intoto.jsonl`
/// (design §7), where the review screen writes it and `verify` and `publish` look for it.
pub fn beside(artifact: &Path) -> PathBuf {
    let mut name = artifact.file_name().unwrap_or_default().to_os_string();
    name.push(".approval.intoto.jsonl");
    artifact.with_file_name(name)
}

/// A bundle larger than this is refused: one approval is a few kilobytes, so this is
/// thousands of them.
pub const MAX_BUNDLE: u64 = 64_000_000;

/// Reads a bundle into its non-blank lines, numbered.
pub fn read_bundle(path: &Path) -> Result<Vec<BundleLine>, BundleError> {
    let bytes = crate::outfile::read_input(path, MAX_BUNDLE).map_err(|source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(split_lines(&bytes))
}

/// Splits bundle bytes into non-blank lines, numbered from 1.
pub fn split_lines(bytes: &[u8]) -> Vec<BundleLine> {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            (!line.iter().all(u8::is_ascii_whitespace)).then(|| BundleLine {
                number: i + 1,
                bytes: line.to_vec(),
            })
        })
        .collect()
}

/// Appends `line` (one envelope, no newline) to the bundle at `path`, creating it if needed.
pub fn append_line(path: &Path, line: &str) -> Result<(), BundleError> {
    if line.is_empty() || line.contains(['\n', '\r']) {
        return Err(BundleError::NotOneLine);
    }
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BundleError::Io { path, source }
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Two reviewers signing at once: the second waits, then reads the first one's line, so
    // neither approval is lost. Held until the rename is done.
    let _lock = crate::outfile::lock_dir(dir).map_err(io_err(dir))?;
    // Only a regular file is read and replaced: a FIFO would block the read, and the rename
    // would replace a symlink or a device node with a file.
    let existing = match crate::outfile::existing(path).map_err(io_err(path))? {
        Some(_) => Some(crate::outfile::read_input(path, MAX_BUNDLE).map_err(io_err(path))?),
        None => None,
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
    let file = temp.as_file_mut();
    if let Some(old) = &existing {
        file.write_all(old).map_err(io_err(path))?;
        if !old.is_empty() && !old.ends_with(b"\n") {
            // The last line had no newline: end it, its bytes stay as they were.
            file.write_all(b"\n").map_err(io_err(path))?;
        }
    }
    file.write_all(line.as_bytes()).map_err(io_err(path))?;
    file.write_all(b"\n").map_err(io_err(path))?;
    keep_permissions(path, file, existing.is_some()).map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))?;
    temp.persist(path).map_err(|e| io_err(path)(e.error))?;
    // Make the rename itself durable; not every platform can open a directory for this.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The temporary file is created 0600; give the bundle its old mode, or 0644 when new (an
/// approval is public: it is read by CI and other reviewers).
#[cfg(unix)]
fn keep_permissions(path: &Path, file: &std::fs::File, existed: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = if existed {
        std::fs::metadata(path)?.permissions().mode()
    } else {
        0o644
    };
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn keep_permissions(_: &Path, _: &std::fs::File, _: bool) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_at_the_same_time_all_land() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.tgz.approval.intoto.jsonl");
        let writers = 8;
        let each = 20;
        std::thread::scope(|s| {
            for w in 0..writers {
                let path = &path;
                s.spawn(move || {
                    for i in 0..each {
                        append_line(path, &format!("{{\"w\":{w},\"i\":{i}}}")).expect("append");
                    }
                });
            }
        });
        let lines = read_bundle(&path).expect("read");
        assert_eq!(lines.len(), writers * each, "no append lost another's line");
        let mut seen: Vec<&[u8]> = lines.iter().map(|l| l.bytes.as_slice()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), writers * each, "each line once");
    }

    #[test]
    fn append_creates_then_keeps_old_bytes_exactly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.tgz.approval.intoto.jsonl");
        append_line(&path, "{\"one\":1}").expect("first append");
        assert_eq!(std::fs::read(&path).expect("read"), b"{\"one\":1}\n");
        // An old line without its newline, odd spacing and a CRLF: all kept byte for byte.
        std::fs::write(&path, b"{ \"one\" : 1 }\r\n\n{\"two\":2}").expect("write");
        append_line(&path, "{\"three\":3}").expect("second append");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"{ \"one\" : 1 }\r\n\n{\"two\":2}\n{\"three\":3}\n".to_vec()
        );
        let lines = read_bundle(&path).expect("reads");
        let numbered: Vec<(usize, &[u8])> = lines
            .iter()
            .map(|l| (l.number, l.bytes.as_slice()))
            .collect();
        assert_eq!(
            numbered,
            vec![
                (1, &b"{ \"one\" : 1 }"[..]),
                (3, &b"{\"two\":2}"[..]),
                (4, &b"{\"three\":3}"[..])
            ],
            "blank lines are skipped but counted"
        );
        let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_bundle_is_world_readable() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("b.jsonl");
        append_line(&path, "x").expect("append");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn only_single_lines_are_appended() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.jsonl");
        assert!(matches!(
            append_line(&path, "a\nb"),
            Err(BundleError::NotOneLine)
        ));
        assert!(matches!(
            append_line(&path, ""),
            Err(BundleError::NotOneLine)
        ));
        assert!(!path.exists(), "nothing written on refusal");
    }
}
