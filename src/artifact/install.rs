//! What the installer writes, once the whole container has been seen.
//!
//! Most of it is decided entry by entry while the reader streams (see `builder`); two things
//! can only be settled at the end: which copy of a metadata file is the installed one, and,
//! for npm tarballs, which entries survive pacote dropping every link.

use std::collections::HashMap;

use crate::sanitize::for_terminal;

use super::builder::MAX_META;
use super::{Anomaly, AnomalyKind, Entry, EntryKind, meta};

/// The mode npm gives a regular file it installs from a tarball entry stored with `stored`:
/// pacote forces every file to at least 0666, keeps whatever else the entry says (executable
/// and setuid/setgid bits included), ensures the owner can read and write, and node-tar then
/// creates it through the process umask (npm's default `umask` setting adds nothing). The one
/// rule left out: a registry install also adds 0111 to the files `bin` names, which a `file:`
/// install cannot (pacote reads the manifest only after unpacking).
pub fn npm_file_mode(stored: u32, umask: u32) -> u32 {
    ((stored & 0o7777) | 0o666 | 0o600) & !umask
}

/// The mode pip's wheel installer gives a file whose zip entry stores `stored` (the high 16
/// bits of its external attributes): created 0666 through the umask, then made 0777 less the
/// umask plus 0111 when the stored mode is a regular file's with any execute bit
/// (`zip_item_is_executable`: bare permission bits without the file type do not count).
pub fn pip_file_mode(stored: u32, umask: u32) -> u32 {
    let regular = stored & 0o170_000 == 0o100_000;
    if regular && stored & 0o111 != 0 {
        (0o777 & !umask) | 0o111
    } else {
        0o666 & !umask
    }
}

/// The mode Python's tarfile gives a regular file under the `data` filter (what pip uses to
/// unpack an sdist): setuid, setgid, sticky and group/other write bits cleared, execute bits
/// only if the owner's is set, owner read/write always; set with chmod, so no umask.
pub fn tarfile_data_mode(stored: u32) -> u32 {
    let mut mode = stored & 0o755;
    if mode & 0o100 == 0 {
        mode &= !0o111;
    }
    mode | 0o600
}

/// The package metadata, from the copy of each metadata file the installer writes: with a
/// duplicated `package.json`, the later one (whose scripts run) is the one that counts.
pub fn installed_meta(
    entries: &[Entry],
    files: &[(u32, String, Vec<u8>)],
) -> Option<meta::PackageMeta> {
    let live: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(i, _, _)| entries.get(*i as usize).is_some_and(|e| e.installed))
        .map(|(_, p, c)| (p.clone(), c.clone()))
        .collect();
    meta::parse(&live).or_else(|| too_large(entries))
}

/// A metadata file too large to parse still names the ecosystem, and says why it was not read.
fn too_large(entries: &[Entry]) -> Option<meta::PackageMeta> {
    let e = entries
        .iter()
        .find(|e| e.installed && e.is_file() && meta::is_metadata_path(&e.path))?;
    let ecosystem = match e.path.as_str() {
        "package.json" | "extension/package.json" => meta::Ecosystem::Npm,
        "Cargo.toml" => meta::Ecosystem::Cargo,
        "META-INF/MANIFEST.MF" => meta::Ecosystem::Java,
        _ => meta::Ecosystem::Python,
    };
    let size = e.declared_size.unwrap_or(e.size).max(e.size);
    Some(meta::PackageMeta {
        ecosystem: Some(ecosystem),
        source: e.path.clone(),
        error: Some(format!(
            "{} is {size} bytes, more than the {} read as package metadata; not parsed",
            for_terminal(&e.path),
            MAX_META
        )),
        ..meta::PackageMeta::default()
    })
}

/// npm (pacote) drops every symbolic and hard link when it unpacks a tarball, so in an npm
/// tarball a link is not installed and shadows nothing: an earlier entry of the same path
/// stays the installed one. Recomputes `installed` that way; returns true if anything changed.
pub fn npm_skips_links(
    entries: &mut [Entry],
    eligible: &[bool],
    anomalies: &mut [Anomaly],
) -> bool {
    let is_link = |k: EntryKind| matches!(k, EntryKind::Symlink | EntryKind::Hardlink);
    if !entries.iter().any(|e| is_link(e.kind)) {
        return false;
    }
    let before: Vec<bool> = entries.iter().map(|e| e.installed).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in 0..entries.len() {
        entries[i].installed = false;
        if !eligible.get(i).copied().unwrap_or(false) || is_link(entries[i].kind) {
            continue;
        }
        if let Some(&earlier) = seen.get(&entries[i].path)
            && (entries[earlier].kind != EntryKind::Dir || entries[i].kind != EntryKind::Dir)
        {
            entries[earlier].installed = false;
        }
        entries[i].installed = true;
        seen.insert(entries[i].path.clone(), i);
    }
    for an in anomalies.iter_mut() {
        let Some(e) = an.entry.and_then(|i| entries.get(i as usize)) else {
            continue;
        };
        if an.kind == AnomalyKind::DuplicatePath && is_link(e.kind) {
            an.detail = format!(
                "{} appears again as a link, which npm does not install; the earlier entry is the one installed",
                for_terminal(&e.path)
            );
        }
    }
    entries.iter().map(|e| e.installed).ne(before)
}

/// True when npm writes entry `i` at some point, whether or not a later entry of its path
/// replaces it (`eligible`: written, duplicates aside).
fn npm_writes(e: &Entry, eligible: &[bool], i: usize) -> bool {
    e.installed || eligible.get(i).copied().unwrap_or(false)
}

/// npm writes entries in order: a file whose path is already a folder (of an earlier file),
/// or that would need an earlier file as its folder, fails to extract and is skipped. Marks
/// those not installed, each with an anomaly; returns true if anything changed.
///
/// Every file npm writes counts while it is on disk, also one a later entry of the same path
/// replaces (`eligible`, not `installed`): `lib` written as a file and later rewritten still
/// blocks `lib/a.js` in between (found by the long differential run, seed 2048047).
pub fn npm_path_conflicts(
    entries: &mut [Entry],
    anomalies: &mut Vec<Anomaly>,
    eligible: &[bool],
) -> bool {
    use std::collections::HashSet;
    // Borrowed from the entries (a copy of every path was a tenth of `check`'s memory on a
    // package of 127,000 files): first find the clashes, then unmark them.
    let mut clashes: Vec<(usize, String)> = Vec::new();
    {
        let mut files: HashSet<&str> = HashSet::new();
        let mut dirs: HashSet<&str> = HashSet::new();
        for (i, e) in entries.iter().enumerate() {
            if !npm_writes(e, eligible, i) || e.kind != EntryKind::File {
                continue;
            }
            let path = e.path.as_str();
            let mut prefixes = path.match_indices('/').map(|(at, _)| &path[..at]);
            let clash = if dirs.contains(path) {
                Some(format!(
                    "{} is a file where an earlier entry made a folder; npm does not write it",
                    for_terminal(path)
                ))
            } else {
                prefixes.clone().find(|p| files.contains(*p)).map(|p| {
                    format!(
                        "{} lies under {}, which an earlier entry wrote as a file; npm does not write it",
                        for_terminal(path),
                        for_terminal(p)
                    )
                })
            };
            if let Some(detail) = clash {
                // An entry a later one replaces anyway needs no word; it only never reached disk.
                if e.installed {
                    clashes.push((i, detail));
                }
                continue;
            }
            dirs.extend(&mut prefixes);
            files.insert(path);
        }
    }
    let changed = !clashes.is_empty();
    for (i, detail) in clashes {
        let e = &mut entries[i];
        e.installed = false;
        anomalies.push(Anomaly {
            kind: AnomalyKind::DuplicatePath,
            entry: Some(e.index),
            detail,
        });
    }
    changed
}

/// pacote installs a package's `.gitignore` as `.npmignore` (as `npm pack` treats them), and
/// skips it when a `.npmignore` of that path came earlier. Renames and unmarks those entries;
/// a renamed file that a later entry of the new path replaces is not installed. Returns true
/// if anything changed.
pub fn npm_renames_gitignore(
    entries: &mut [Entry],
    anomalies: &mut Vec<Anomaly>,
    eligible: &[bool],
) -> bool {
    use std::collections::{HashMap, HashSet};
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_owned();
    if !entries
        .iter()
        .any(|e| e.kind == EntryKind::File && base(&e.path) == ".gitignore")
    {
        return false;
    }
    let mut saw: HashSet<String> = HashSet::new();
    let mut changed = false;
    for (i, e) in entries.iter_mut().enumerate() {
        if e.kind != EntryKind::File {
            continue;
        }
        // pacote renames as each entry passes, so a later entry of the old path (a folder
        // `.gitignore`, say) does not replace the renamed file (long differential run, seed
        // 2088631): what npm writes counts, duplicates aside.
        let written = npm_writes(e, eligible, i);
        match base(&e.path).as_str() {
            ".npmignore" => {
                saw.insert(e.path.clone());
            }
            ".gitignore" => {
                let renamed = format!("{}.npmignore", &e.path[..e.path.len() - ".gitignore".len()]);
                if saw.contains(&renamed) {
                    if e.installed {
                        e.installed = false;
                        changed = true;
                    }
                } else if written {
                    e.installed = true;
                    anomalies.push(Anomaly {
                        kind: AnomalyKind::DuplicatePath,
                        entry: Some(e.index),
                        detail: format!(
                            "{} installs as {}: npm renames .gitignore files",
                            for_terminal(&e.path),
                            for_terminal(&renamed)
                        ),
                    });
                    e.path = renamed;
                    changed = true;
                }
            }
            _ => {}
        }
    }
    if changed {
        // The last installed entry of each path wins.
        let mut last: HashMap<String, usize> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if e.installed && e.kind == EntryKind::File {
                last.insert(e.path.clone(), i);
            }
        }
        for (i, e) in entries.iter_mut().enumerate() {
            if e.installed && e.kind == EntryKind::File && last.get(&e.path) != Some(&i) {
                e.installed = false;
            }
        }
    }
    changed
}

#[cfg(test)]
mod mode_tests {
    use super::{npm_file_mode, pip_file_mode, tarfile_data_mode};

    #[test]
    fn each_installer_writes_its_own_mode() {
        // npm: at least 0666 and owner rw, the rest kept, through the umask.
        assert_eq!(npm_file_mode(0o600, 0o022), 0o644);
        assert_eq!(npm_file_mode(0, 0o022), 0o644);
        assert_eq!(npm_file_mode(0o4755, 0o022), 0o4755);
        assert_eq!(npm_file_mode(0o7777, 0o022), 0o7755);
        assert_eq!(npm_file_mode(0o100_755, 0o077), 0o700);
        // pip: executable only for a regular file's mode with an execute bit.
        assert_eq!(pip_file_mode(0o100_755, 0o022), 0o755);
        assert_eq!(pip_file_mode(0o104_755, 0o022), 0o755);
        assert_eq!(
            pip_file_mode(0o755, 0o022),
            0o644,
            "no file type: not executable"
        );
        assert_eq!(pip_file_mode(0o100_600, 0o022), 0o644);
        assert_eq!(pip_file_mode(0o120_777, 0o022), 0o644, "a symlink's mode");
        // tarfile's data filter: no high or group/other write bits, owner rw, no umask.
        assert_eq!(tarfile_data_mode(0o4755), 0o755);
        assert_eq!(tarfile_data_mode(0o777), 0o755);
        assert_eq!(
            tarfile_data_mode(0o651),
            0o640,
            "execute only with the owner's"
        );
        assert_eq!(tarfile_data_mode(0), 0o600);
    }
}
