//! Files shipcheck writes (`manifest -o`, the approval bundle) and the small files it reads
//! (a policy, allowed_signers, an approval bundle, a key): only ever a regular file.
//!
//! A file read is opened without blocking and checked on the open handle, so a FIFO with no
//! writer (or a name swapped for one after a check) is refused at once instead of hanging,
//! and its size is capped so `/dev/zero` or a runaway file cannot fill memory.
//!
//! A file is written beside its target and renamed over it, so a reader never sees half of
//! it. A rename replaces whatever the name points at, so the target is checked first: a
//! symbolic link, a device (as root, `-o /dev/null` would otherwise replace the system's
//! `/dev/null`), a FIFO, a socket or a directory is refused, naming what it is. An existing
//! file keeps its mode; a new one gets 0644 less the umask, as `touch` would.

use std::io::{self, Write as _};
use std::path::Path;

/// What a file is, when it is not a regular file ("a FIFO or pipe", "a character device"…):
/// for the messages that refuse it, here and for inputs.
pub fn kind_of(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return Some("a FIFO or pipe");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Reads the regular file at `path` (a symbolic link to one is followed), refusing anything
/// else (FIFO, device, directory, socket) without blocking, and any file of more than `limit`
/// bytes. Errors name what the file is or how large it may be; the caller adds the path.
pub fn read_input(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Opening a FIFO for reading blocks until a writer comes, unless non-blocking; on a
        // regular file the flag changes nothing.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    if let Some(kind) = kind_of(&file.metadata()?) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("is {kind}, not a regular file"),
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes, more than such a file ever needs"),
        ));
    }
    Ok(bytes)
}

/// An exclusive lock on a folder, held until dropped: read-modify-replace updates of a file in
/// it (the approval bundle) take it so that two writers never lose each other's update. An
/// advisory lock (`flock`) on the folder itself, so no lock file is left behind; where folders
/// cannot be locked, nothing is held.
pub struct DirLock(#[allow(dead_code)] Option<std::fs::File>);

/// Waits for and takes the [`DirLock`] of `dir`.
pub fn lock_dir(dir: &Path) -> io::Result<DirLock> {
    // A folder opens for reading on Unix; elsewhere there is nothing to lock.
    let Ok(handle) = std::fs::File::open(dir) else {
        return Ok(DirLock(None));
    };
    match std::fs::File::lock(&handle) {
        Ok(()) => Ok(DirLock(Some(handle))),
        Err(e) if e.kind() == io::ErrorKind::Unsupported => Ok(DirLock(None)),
        Err(e) => Err(e),
    }
}

/// Small files read whole (a policy, allowed_signers, a key): 16 MB is far above any real one.
pub const MAX_SMALL_INPUT: u64 = 16_000_000;

/// A small text input ([`read_input`] within [`MAX_SMALL_INPUT`]), which must be UTF-8.
pub fn read_text_input(path: &Path) -> io::Result<String> {
    String::from_utf8(read_input(path, MAX_SMALL_INPUT)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))
}

/// The existing regular file at `path` (its metadata), none, or an error naming what it is.
pub fn existing(path: &Path) -> io::Result<Option<std::fs::Metadata>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
        Ok(meta) => match kind_of(&meta) {
            None => Ok(Some(meta)),
            Some(kind) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} is {kind}; shipcheck only replaces a regular file",
                    path.display()
                ),
            )),
        },
    }
}

/// Writes `bytes` to `path` through a sibling temporary file and a rename, refusing any
/// target but a regular file and keeping the target's mode (0644 less the umask if new).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let old = existing(path)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // Passed to open(2), so the umask applies, as for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    if let Some(meta) = old {
        // chmod, not open: the exact mode the target had.
        temp.as_file().set_permissions(meta.permissions())?;
    }
    temp.as_file().sync_all()?;
    // Checked again just before the rename: what was a file a moment ago may not be now.
    existing(path)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn inputs_that_are_not_regular_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        // No writer: a blocking open would never return.
        let err = read_input(&fifo, 100).expect_err("a FIFO");
        assert_eq!(err.to_string(), "is a FIFO or pipe, not a regular file");
        let err = read_input(dir.path(), 100).expect_err("a directory");
        assert!(err.to_string().contains("a directory"), "{err}");
        let err = read_input(Path::new("/dev/zero"), 100).expect_err("a device");
        assert!(err.to_string().contains("a character device"), "{err}");
        let file = dir.path().join("f");
        std::fs::write(&file, b"12345").expect("write");
        assert_eq!(read_input(&file, 5).expect("at the cap"), b"12345");
        let err = read_input(&file, 4).expect_err("past the cap");
        assert!(err.to_string().contains("larger than 4 bytes"), "{err}");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).expect("symlink");
        assert_eq!(read_input(&link, 5).expect("followed"), b"12345");
    }

    #[test]
    fn a_symlink_or_directory_target_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real");
        std::fs::write(&real, b"keep").expect("write");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let err = write(&link, b"new").expect_err("a symlink target is refused");
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("still there")
                .file_type()
                .is_symlink(),
            "the link is not replaced"
        );
        assert_eq!(std::fs::read(&real).expect("read"), b"keep");
        let err = write(dir.path(), b"new").expect_err("a directory is refused");
        assert!(err.to_string().contains("is a directory"), "{err}");
    }

    #[test]
    fn an_existing_file_keeps_its_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.json");
        std::fs::write(&path, b"old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write(&path, b"new").expect("writes");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o7777, 0o640, "mode {mode:o}");
    }
}
