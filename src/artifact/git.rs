//! What git says about the files a packed directory ships: which it ignores and which it does
//! not track. Asked of git itself (`git ls-files`, `git check-ignore --stdin -z`), so every
//! `.gitignore`, `.git/info/exclude` and `core.excludesFile` counts exactly as git counts it.
//!
//! Only a directory input has a work tree to ask about; [`super::open`] calls [`status`] after
//! packing one and keeps the answer on the artifact, where the rules read it as a fact. Files the
//! packer wrote itself (not on disk in the directory: a `prepack` build's output removed by
//! `postpack`, cargo's `Cargo.toml.orig`, `.cargo_vcs_info.json` and `Cargo.lock`) are left out,
//! and so are git-ignored files that the package's own allowlist names on purpose (npm's
//! `files`, cargo's `include`): a `dist/` that `.gitignore` keeps out of the repository and
//! `files` puts in the package is the normal way to ship a build.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The answer for one packed directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitStatus {
    /// The directory that was packed.
    pub dir: PathBuf,
    /// Shipped files that git ignores, not named by the package's allowlist (install paths).
    pub ignored: Vec<String>,
    /// Shipped files that git neither tracks nor ignores (install paths).
    pub untracked: Vec<String>,
}

/// Files a packer writes into the package itself.
const PACKER_WRITTEN: &[&str] = &["Cargo.toml.orig", ".cargo_vcs_info.json", "Cargo.lock"];

fn git(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Option<Vec<u8>> {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().ok()?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Written from a thread: git answers while it reads, and a full stdout pipe would
        // otherwise block both sides.
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let out = child.wait_with_output().ok()?;
    // check-ignore exits 1 when nothing is ignored: an answer, not a failure.
    matches!(out.status.code(), Some(0 | 1)).then_some(out.stdout)
}

fn nul_split(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
}

/// The package's own allowlist patterns: npm's `files`, else cargo's `package.include`.
fn allowlist(dir: &Path, npm_files: Option<&[String]>) -> Option<globset::GlobSet> {
    let patterns: Vec<String> = match npm_files {
        Some(files) => files.to_vec(),
        None => {
            let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            let v: toml::Value = toml::from_str(&text).ok()?;
            v.get("package")?
                .get("include")?
                .as_array()?
                .iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        }
    };
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        let p = p
            .trim_start_matches("./")
            .trim_start_matches('/')
            .trim_end_matches('/');
        if p.is_empty() || p.starts_with('!') {
            continue;
        }
        // A folder entry names everything under it; a glob names what it matches.
        for g in [p.to_owned(), format!("{p}/**")] {
            if let Ok(glob) = globset::GlobBuilder::new(&g)
                .literal_separator(false)
                .build()
            {
                b.add(glob);
            }
        }
    }
    b.build().ok()
}

/// Asks git about `shipped` (install paths, relative to `dir`). `None` when `dir` is not in a
/// git work tree or git cannot be run.
pub fn status(dir: &Path, shipped: &[&str], npm_files: Option<&[String]>) -> Option<GitStatus> {
    let inside = git(dir, &["rev-parse", "--is-inside-work-tree"], None)?;
    if inside.trim_ascii() != b"true" {
        return None;
    }
    let on_disk: Vec<&str> = shipped
        .iter()
        .copied()
        .filter(|p| !PACKER_WRITTEN.contains(p) && dir.join(p).is_file())
        .collect();
    if on_disk.is_empty() {
        return None;
    }
    let tracked: std::collections::HashSet<String> =
        nul_split(&git(dir, &["ls-files", "-z", "--", "."], None)?).collect();
    let mut input = Vec::new();
    for p in &on_disk {
        input.extend_from_slice(p.as_bytes());
        input.push(0);
    }
    let ignored: std::collections::HashSet<String> =
        nul_split(&git(dir, &["check-ignore", "--stdin", "-z"], Some(&input))?).collect();
    let allowed = allowlist(dir, npm_files);
    let mut out = GitStatus {
        dir: dir.to_owned(),
        ..GitStatus::default()
    };
    for p in on_disk {
        if ignored.contains(p) {
            if !allowed.as_ref().is_some_and(|g| g.is_match(p)) {
                out.ignored.push(p.to_owned());
            }
        } else if !tracked.contains(p) {
            out.untracked.push(p.to_owned());
        }
    }
    Some(out)
}
