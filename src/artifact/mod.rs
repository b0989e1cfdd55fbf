//! The exact bytes that ship: one artifact, read once, as its installer will see it.
//!
//! [`open`] resolves what the user named (a file, a directory to pack, `npm:NAME@VERSION`),
//! sniffs the container by its magic bytes, and streams it once: decompressing, hashing each
//! entry, normalising names the way the installer does and recording every anomaly of the
//! container itself. Nothing is extracted; contents are handed to an optional visitor while
//! they stream past, kept in memory on request, or read again from the artifact on demand.

mod builder;
pub mod git;
pub mod install;
mod lenient_json;
mod meta;
pub mod path;
mod pipe;
mod reread;
pub mod seek_index;
mod source;
mod tar_reader;
mod tar_walk;
mod zip_central;
mod zip_reader;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use meta::{Ecosystem, PackageMeta};
pub use pipe::HEAD;
pub use reread::{Loading, PROGRESSIVE, Step};
pub use source::{Spec, is_stage_id, resolve};

/// How much an artifact may make us read, so that a bomb is refused instead of eating memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Total decompressed bytes we are willing to read (default 1 GB, as `--max-unpacked-size 1G`). Past it the artifact
    /// is refused with an error: a half-read package must never look reviewed.
    pub max_unpacked: u64,
    /// Entries past this count are an anomaly (default 100,000).
    pub max_entries: usize,
    /// Entries past this count are refused outright, before the entry is built (default
    /// 1,000,000, `--max-entries`).
    pub hard_max_entries: usize,
    /// Entry names and link targets together past this many bytes are refused (default 32 MB,
    /// `--max-names-size`).
    pub max_names: u64,
    /// Path depth past this is an anomaly (default 64 components).
    pub max_depth: usize,
    /// Unpacked/packed ratio past this (with at least `ratio_min_bytes` unpacked) is an anomaly.
    pub max_ratio: u64,
    /// See `max_ratio`.
    pub ratio_min_bytes: u64,
    /// A file past this is hashed as it streams but its content is not held for the rules
    /// (default 256 MB, `--max-scanned-size`): a bomb of one huge entry cannot make `check`
    /// hold it all. The `large-file` rule reports such a file as not scanned, in `check` and
    /// review alike.
    pub max_scanned: u64,
    /// What all nested archives together may unpack to, when given on the command line
    /// (`--max-nested-unpacked`); `None` leaves it to the policy's `nested_max_unpacked`.
    pub nested_unpacked: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_unpacked: 1_000_000_000,
            max_entries: 100_000,
            hard_max_entries: 1_000_000,
            max_names: 32_000_000,
            max_depth: 64,
            max_ratio: 100,
            ratio_min_bytes: 16 << 20,
            max_scanned: 256_000_000,
            nested_unpacked: None,
        }
    }
}

/// What [`open`] should do with contents besides hashing them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The limits above.
    pub limits: Limits,
    /// Keep file contents in memory (up to `limits.max_unpacked` in total) so that
    /// [`Artifact::content`] never reads the artifact again. The review screen wants this;
    /// `ls` and `check` do not.
    pub keep_contents: bool,
    /// When each file's sha256 is computed (see [`Digesting`]).
    pub digesting: Digesting,
    /// Record where each entry's data lies and keep the file handle, so that
    /// [`Artifact::content`] reads one entry again instead of holding every content: the
    /// review screen wants this. A gzip'd tar also gets a seek index, built after the pass on
    /// a thread of its own, with which a read inflates at most one span
    /// ([`seek_index::SPAN`]); until it is in, a read inflates from the stream's start.
    pub index: bool,
}

/// When [`open`] computes each file's sha256.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Digesting {
    /// In the pass, as each file streams past.
    #[default]
    InPass,
    /// Never ([`Entry::sha256`] stays `None`). Only `check` without a baseline asks this: its
    /// report shows the artifact's own digests, and the per-file ones feed diffs, manifests,
    /// `ls` and approvals, none of which it makes. Hashing every file was an eighth of that
    /// `check`'s CPU on next@14.
    Skip,
    /// After the pass, on a thread of its own, with the artifact's sha512 (needs
    /// [`Options::index`]): the review screen without a baseline, whose first frame needs
    /// neither (a fifth of its pass's CPU on the 127k-file tarball). A read waits for the
    /// digest of the file it reads; [`Artifact::complete`] waits for all of them before
    /// anything records them (a sign-off).
    Later,
}

/// The container format, decided by magic bytes and then by what the container holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// An npm package tarball (gzip'd tar with `package.json` under one root).
    NpmTarball,
    /// A Rust `.crate`.
    Crate,
    /// A Python source distribution (`PKG-INFO` under one root).
    PythonSdist,
    /// Any other gzip'd tar.
    TarGz,
    /// An uncompressed tar.
    Tar,
    /// A Python wheel.
    Wheel,
    /// A VS Code extension.
    Vsix,
    /// A Java archive.
    Jar,
    /// Any other zip.
    Zip,
}

impl Format {
    /// The name users see.
    pub fn label(self) -> &'static str {
        match self {
            Format::NpmTarball => "npm tarball",
            Format::Crate => "crate",
            Format::PythonSdist => "python sdist",
            Format::TarGz => "tar.gz",
            Format::Tar => "tar",
            Format::Wheel => "wheel",
            Format::Vsix => "vsix",
            Format::Jar => "jar",
            Format::Zip => "zip",
        }
    }

    /// True for the zip family.
    pub fn is_zip(self) -> bool {
        matches!(
            self,
            Format::Wheel | Format::Vsix | Format::Jar | Format::Zip
        )
    }
}

/// Native code or WebAssembly, told by a file's first bytes whatever its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Executable {
    /// ELF (Linux, BSD).
    Elf,
    /// Mach-O, thin or fat (macOS).
    MachO,
    /// PE (Windows `MZ` executables and DLLs).
    Pe,
    /// WebAssembly.
    Wasm,
}

impl Executable {
    /// Enough of a file's start to tell: [`Executable::sniff`] reads at most this much.
    pub const HEAD: usize = 8;

    /// The kind `head` (a file's first bytes) starts, if any.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        let word = |at: usize| head.get(at..at + 4);
        match word(0)? {
            b"\x7fELF" => Some(Self::Elf),
            b"\0asm" => Some(Self::Wasm),
            [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => Some(Self::MachO),
            // A fat Mach-O and a Java class share `CAFEBABE`; the next word is a count of
            // architectures (a handful) in one and a class-file version (45 or more) in the
            // other, as `file(1)` tells them apart.
            [0xca, 0xfe, 0xba, 0xbe] => {
                let n = u32::from_be_bytes(word(4)?.try_into().ok()?);
                (1..45).contains(&n).then_some(Self::MachO)
            }
            // `MZ`, then a DOS header's byte count of the last page: its high byte is 0.
            [b'M', b'Z', _, 0] => Some(Self::Pe),
            _ => None,
        }
    }

    /// The name users see.
    pub fn label(self) -> &'static str {
        match self {
            Self::Elf => "ELF binary",
            Self::MachO => "Mach-O binary",
            Self::Pe => "Windows executable",
            Self::Wasm => "WebAssembly module",
        }
    }
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (never followed).
    Symlink,
    /// A hard link to another entry (never followed).
    Hardlink,
    /// A character or block device.
    Device,
    /// A named pipe.
    Fifo,
    /// Anything else the container can express.
    Other,
}

impl EntryKind {
    /// One character for listings, as `ls -l` does.
    pub fn symbol(self) -> char {
        match self {
            EntryKind::File => '-',
            EntryKind::Dir => 'd',
            EntryKind::Symlink => 'l',
            EntryKind::Hardlink => 'h',
            EntryKind::Device => 'c',
            EntryKind::Fifo => 'p',
            EntryKind::Other => '?',
        }
    }
}

/// One entry of the container.
///
/// Serialised (manifests, `ls --json`) with the stored name as `raw_path` / `raw_path_hex`,
/// whatever [`Stored`] form it is held in.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "EntryFields<'static>")]
pub struct Entry {
    /// Position in the container, from 0; findings and the review screen refer to entries by it.
    pub index: u32,
    /// The path as the installer writes it (root stripped, `.` dropped). Bytes that are not
    /// UTF-8 become U+FFFD, as node-tar's `Buffer.toString('utf8')` makes them, so two names
    /// that differ only there are the same installed path. Untrusted: sanitise before showing.
    pub path: String,
    /// The name exactly as stored, when it differs from `path` (see [`Entry::raw_path`] and
    /// [`Entry::raw_path_hex`]).
    pub stored: Stored,
    /// What it is.
    pub kind: EntryKind,
    /// Unix permission bits (and type bits where the container stores them).
    pub mode: u32,
    /// Bytes of content actually read.
    pub size: u64,
    /// Bytes the header declared, when it differs from `size`.
    pub declared_size: Option<u64>,
    /// Compressed bytes (zip only).
    pub compressed_size: Option<u64>,
    /// Lowercase hex sha256 of the content (files only).
    pub sha256: Option<Box<str>>,
    /// Native code or WebAssembly by its first bytes (files only), whatever the name says.
    pub executable: Option<Executable>,
    /// Where a link points, as stored (a secret value in it masked). Untrusted.
    pub link_target: Option<Box<str>>,
    /// False when the installer would not write this entry: shadowed by a later duplicate,
    /// a link npm skips, a name with `..`, or no path left once the root is stripped.
    pub installed: bool,
}

/// An entry's name as stored, when it is not its install path. Held without a copy of each
/// name in the common case (a tarball's `package/` + path): on a package of 127,000 files
/// those copies were a tenth of `check`'s memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Stored {
    /// The same as the install path.
    #[default]
    Same,
    /// The tarball's root folder, `/`, then the install path; the root shared by all entries.
    UnderRoot(Arc<str>),
    /// Any other name that is valid UTF-8.
    Text(Box<str>),
    /// A name that is not valid UTF-8: its exact bytes as lowercase hex. Kept apart because no
    /// escaping inside a JSON string could tell the byte 0xff from a name that really is
    /// `\xff`.
    Hex(Box<str>),
}

impl Entry {
    /// True for regular files.
    pub fn is_file(&self) -> bool {
        self.kind == EntryKind::File
    }

    /// The name exactly as stored, when it differs from `path` and is valid UTF-8.
    pub fn raw_path(&self) -> Option<Cow<'_, str>> {
        match &self.stored {
            Stored::Same | Stored::Hex(_) => None,
            Stored::UnderRoot(root) => Some(Cow::Owned(format!("{root}/{}", self.path))),
            Stored::Text(t) => Some(Cow::Borrowed(t)),
        }
    }

    /// The name's exact bytes as lowercase hex, when they are not valid UTF-8 (`raw_path` is
    /// then absent).
    pub fn raw_path_hex(&self) -> Option<&str> {
        match &self.stored {
            Stored::Hex(h) => Some(h),
            _ => None,
        }
    }

    /// How many bytes the stored name has.
    pub fn stored_len(&self) -> usize {
        match &self.stored {
            Stored::Same => self.path.len(),
            Stored::UnderRoot(root) => root.len() + 1 + self.path.len(),
            Stored::Text(t) => t.len(),
            Stored::Hex(h) => h.len() / 2,
        }
    }
}

/// An entry as it is written and read: the fields of [`Entry`] with the stored name as the
/// two optional strings the manifest schema has always had.
#[derive(Serialize, Deserialize)]
struct EntryFields<'a> {
    index: u32,
    path: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_path: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_path_hex: Option<Cow<'a, str>>,
    kind: EntryKind,
    mode: u32,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    declared_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compressed_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    executable: Option<Executable>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link_target: Option<Cow<'a, str>>,
    installed: bool,
}

impl Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        EntryFields {
            index: self.index,
            path: Cow::Borrowed(&self.path),
            raw_path: self.raw_path(),
            raw_path_hex: self.raw_path_hex().map(Cow::Borrowed),
            kind: self.kind,
            mode: self.mode,
            size: self.size,
            declared_size: self.declared_size,
            compressed_size: self.compressed_size,
            sha256: self.sha256.as_deref().map(Cow::Borrowed),
            executable: self.executable,
            link_target: self.link_target.as_deref().map(Cow::Borrowed),
            installed: self.installed,
        }
        .serialize(s)
    }
}

impl From<EntryFields<'static>> for Entry {
    fn from(f: EntryFields<'static>) -> Self {
        let stored = match (f.raw_path, f.raw_path_hex) {
            (_, Some(hex)) => Stored::Hex(hex.into()),
            (Some(raw), None) => Stored::Text(raw.into()),
            (None, None) => Stored::Same,
        };
        Entry {
            index: f.index,
            path: f.path.into_owned(),
            stored,
            kind: f.kind,
            mode: f.mode,
            size: f.size,
            declared_size: f.declared_size,
            compressed_size: f.compressed_size,
            sha256: f.sha256.map(Into::into),
            executable: f.executable,
            link_target: f.link_target.map(Into::into),
            installed: f.installed,
        }
    }
}

/// A property of the container itself that a reviewer must see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnomalyKind {
    /// A `..` component.
    PathTraversal,
    /// A name starting at `/`.
    AbsolutePath,
    /// A name starting with a drive letter (`C:`).
    DriveLetter,
    /// A zip name using `\` as a separator.
    Backslash,
    /// A symbolic link.
    Symlink,
    /// A hard link.
    Hardlink,
    /// A device or fifo entry.
    SpecialFile,
    /// A path that appears more than once; the later entry is the one installed.
    DuplicatePath,
    /// A tar entry outside the package's single root folder.
    OutsideRoot,
    /// C0/C1 control characters or DEL in a name.
    ControlCharacters,
    /// Bidi override, embedding, isolate or mark characters in a name.
    BidiCharacters,
    /// A name that is not valid UTF-8.
    InvalidUtf8,
    /// A header that declares more (or fewer) bytes than the data holds.
    SizeMismatch,
    /// An extreme unpacked/packed ratio: a compression bomb.
    CompressionRatio,
    /// More entries than the limit.
    TooManyEntries,
    /// A path deeper than the limit.
    TooDeep,
    /// A zip end record whose entry count differs from its central directory's records.
    EntryCount,
    /// The installed metadata file (`package.json`, `Cargo.toml`, …) could not be parsed.
    UnreadableMetadata,
    /// A file with the setuid or setgid bit.
    SetuidBits,
    /// An entry whose parent path is a symlink earlier in the archive: a write through a linked
    /// directory on installers that follow links.
    LinkTraversal,
}

impl AnomalyKind {
    /// How serious the `archive-<id>` finding is: critical, but for special mode bits, which
    /// only npm keeps (high).
    pub fn severity_is_high(self) -> bool {
        self == AnomalyKind::SetuidBits
    }

    /// Stable id; the rules turn it into `archive-<id>`.
    pub fn id(self) -> &'static str {
        match self {
            AnomalyKind::PathTraversal => "path-traversal",
            AnomalyKind::AbsolutePath => "absolute-path",
            AnomalyKind::DriveLetter => "drive-letter",
            AnomalyKind::Backslash => "backslash",
            AnomalyKind::Symlink => "symlink",
            AnomalyKind::Hardlink => "hardlink",
            AnomalyKind::SpecialFile => "special-file",
            AnomalyKind::DuplicatePath => "duplicate-path",
            AnomalyKind::OutsideRoot => "outside-root",
            AnomalyKind::ControlCharacters => "control-characters",
            AnomalyKind::BidiCharacters => "bidi-characters",
            AnomalyKind::InvalidUtf8 => "invalid-utf8",
            AnomalyKind::SizeMismatch => "size-mismatch",
            AnomalyKind::CompressionRatio => "compression-ratio",
            AnomalyKind::TooManyEntries => "too-many-entries",
            AnomalyKind::TooDeep => "too-deep",
            AnomalyKind::EntryCount => "entry-count",
            AnomalyKind::UnreadableMetadata => "unreadable-metadata",
            AnomalyKind::SetuidBits => "setuid",
            AnomalyKind::LinkTraversal => "link-traversal",
        }
    }
}

/// One anomaly, tied to the entry it concerns (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// What kind.
    pub kind: AnomalyKind,
    /// The entry's index, when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u32>,
    /// A human sentence with the specifics. Untrusted parts are already sanitised.
    pub detail: String,
}

/// Errors a caller may want to tell apart; everything else is `anyhow` with context.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OpenError {
    /// The bytes are not any container we read.
    #[error("not a package archive (no tar, gzip or zip signature)")]
    NotAnArchive,
    /// Decompressing would pass the limit.
    #[error("unpacks to more than {limit} bytes (--max-unpacked-size); refusing to read further")]
    TooLarge {
        /// The limit in force.
        limit: u64,
    },
    /// More entries than the hard limit.
    #[error("holds more than {limit} entries (--max-entries); refusing to read further")]
    TooManyEntries {
        /// The limit in force.
        limit: usize,
    },
    /// Entry names (and link targets) add up to more than we keep in memory.
    #[error(
        "entry names and link targets add up to more than {limit} bytes (--max-names-size); refusing to read further"
    )]
    NamesTooLong {
        /// The budget in force.
        limit: u64,
    },
    /// The data ends inside an entry.
    #[error("truncated: entry {path} declares {declared} bytes but the archive ends after {read}")]
    Truncated {
        /// The entry's name (sanitised).
        path: String,
        /// Its declared size.
        declared: u64,
        /// What could be read.
        read: u64,
    },
    /// The container structure is broken.
    #[error("corrupt {container}: {reason}")]
    Corrupt {
        /// gzip, tar or zip.
        container: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// Readable, but read differently (or refused) by the installer, so not reviewed.
    #[error("{container} refused: {reason}")]
    Refused {
        /// The container.
        container: &'static str,
        /// What differs and what the installer does with it.
        reason: String,
    },
}

/// Digests of the artifact file itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    /// Lowercase hex sha256.
    pub sha256: String,
    /// Lowercase hex sha512 (empty until [`Artifact::complete`] when it was deferred).
    pub sha512: String,
    /// npm's Subresource Integrity form: `sha512-` + base64.
    pub integrity: String,
}

/// A fully read artifact.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// What the user named (path, directory or `npm:` spec), for display.
    pub spec: String,
    /// The artifact file that was read (inside a private temp dir for packed inputs).
    pub file: PathBuf,
    /// The artifact's file name.
    pub file_name: String,
    /// The container format.
    pub format: Format,
    /// Size of the artifact file.
    pub packed_size: u64,
    /// Sum of file sizes.
    pub unpacked_size: u64,
    /// Digests of the artifact file.
    pub digests: Digests,
    /// The stripped root folder of a tarball (`package`), if any.
    pub root: Option<String>,
    /// Package metadata, when the artifact has any we understand.
    pub package: Option<PackageMeta>,
    /// Every entry in container order, duplicates included; shared, not copied, with the
    /// artifact's [`crate::manifest::Manifest`] (on a package of 127,000 files the copy was a
    /// sixth of `check`'s memory).
    pub entries: Entries,
    /// Every anomaly of the container.
    pub anomalies: Vec<Anomaly>,
    /// Contents kept in memory, by entry index (see [`Options::keep_contents`]).
    contents: Vec<Option<Content>>,
    /// The limits it was read with, so that a re-read for [`Artifact::content`] accepts it too.
    limits: Limits,
    /// The handle read, entry locations and seek index (see [`Options::index`]).
    reread: Option<Arc<reread::Reread>>,
    /// For a directory packed inside a git work tree: the shipped files git ignores or does
    /// not track ([`git::status`]).
    pub git: Option<git::GitStatus>,
    /// The private temp dir holding a packed or fetched artifact; dropped with the artifact.
    _temp: Option<Arc<tempfile::TempDir>>,
}

impl Artifact {
    /// The limits it was read with.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The number of regular files the installer writes.
    pub fn file_count(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.installed && e.is_file())
            .count()
    }

    /// The entries the installer writes, in container order.
    pub fn installed(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.installed)
    }

    /// `name@version` when known, else the file name.
    pub fn title(&self) -> String {
        match &self.package {
            Some(PackageMeta {
                name: Some(n),
                version: Some(v),
                ..
            }) => format!("{n}@{v}"),
            Some(PackageMeta { name: Some(n), .. }) => n.clone(),
            _ => self.file_name.clone(),
        }
    }

    /// The kept content of a file entry, shared (no copy); `None` when contents were not kept.
    pub fn shared_content(&self, index: u32) -> Option<Content> {
        self.contents.get(index as usize)?.clone()
    }

    /// The content of a file entry: from memory when kept, else read again from the artifact.
    pub fn content(&self, index: u32) -> anyhow::Result<Cow<'_, [u8]>> {
        if let Some(Some(bytes)) = self.contents.get(index as usize) {
            return Ok(Cow::Borrowed(bytes));
        }
        self.content_shared(index)
            .map(|c| Cow::Owned(Arc::unwrap_or_clone(c)))
    }

    /// Waits for what the pass left to a thread of its own ([`Digesting::Later`]) and
    /// fills it in: each file's sha256 and the artifact's sha512. Anything that records the
    /// artifact (a sign-off's manifest) calls this first; it fails if the file changed on
    /// disk since the pass or a file could not be hashed again.
    pub fn complete(&mut self) -> anyhow::Result<()> {
        let Some(reread) = self.reread.as_ref().filter(|r| r.defers()) else {
            return Ok(());
        };
        if !self.digests.sha512.is_empty() {
            return Ok(());
        }
        let done = reread
            .completed()
            .map_err(|e| e.context(self.file.display().to_string()))?;
        if let Some(e) = self.entries.iter().find(|e| {
            e.is_file()
                && done
                    .digests
                    .get(e.index as usize)
                    .is_none_or(Option::is_none)
        }) {
            anyhow::bail!(
                "{}: {} was not hashed again after the pass",
                self.file.display(),
                crate::sanitize::for_terminal(&e.path)
            );
        }
        let entries = Arc::make_mut(&mut self.entries);
        for e in entries.iter_mut().filter(|e| e.is_file()) {
            if let Some(Some(d)) = done.digests.get(e.index as usize) {
                e.sha256 = Some(crate::units::hex(d).into());
            }
        }
        self.digests = done.packed;
        Ok(())
    }

    /// Bytes of the gzip seek index, once the artifact has one (see [`Options::index`]: it
    /// is built on a thread of its own after the first pass).
    pub fn seek_index_memory(&self) -> Option<usize> {
        let index = self.reread.as_ref()?.index()?;
        Some(index.memory())
    }

    /// The content of a file entry, shared: kept, else read again at its recorded location
    /// through the handle of the first pass (checked against its sha256; a small cache keeps
    /// the last few), else streamed from the artifact's start.
    pub fn content_shared(&self, index: u32) -> anyhow::Result<Content> {
        if let Some(Some(bytes)) = self.contents.get(index as usize) {
            return Ok(Arc::clone(bytes));
        }
        let entry = self
            .entries
            .get(index as usize)
            .ok_or_else(|| anyhow::anyhow!("no entry {index} in {}", self.file_name))?;
        if !entry.is_file() {
            return Ok(Arc::default());
        }
        if let Some(reread) = self.reread.as_ref().filter(|r| r.locates(entry)) {
            use anyhow::Context as _;
            return reread
                .read(entry)
                .with_context(|| self.file.display().to_string());
        }
        self.stream_content(index).map(Arc::new)
    }

    /// The content of a file entry for a preview: as [`Artifact::content_shared`], except
    /// that a big one read again from the artifact comes as its head (checked against its own
    /// digest) and a [`Loading`] of the whole, which [`Artifact::load_step`] continues.
    pub fn content_progressive(&self, index: u32) -> anyhow::Result<Progressive> {
        use anyhow::Context as _;
        if let Some(entry) = self.entries.get(index as usize).filter(|e| e.is_file())
            && self
                .contents
                .get(index as usize)
                .is_none_or(Option::is_none)
            && let Some(reread) = self.reread.as_ref().filter(|r| r.locates(entry))
            && let Some((head, loading)) = reread
                .start(entry)
                .with_context(|| self.file.display().to_string())?
        {
            return Ok(Progressive::Head(head, loading));
        }
        self.content_shared(index).map(Progressive::Whole)
    }

    /// One step of a [`Loading`] (see [`Reread::step`]; `wait`: wait for the entry's digest
    /// if the thread after the pass has not published it yet).
    pub fn load_step(&self, loading: &mut Loading, wait: bool) -> anyhow::Result<Step> {
        use anyhow::Context as _;
        let (Some(entry), Some(reread)) =
            (self.entries.get(loading.index() as usize), &self.reread)
        else {
            anyhow::bail!("{}: no entry {} to read", self.file_name, loading.index());
        };
        reread
            .step(entry, loading, wait)
            .with_context(|| self.file.display().to_string())
    }

    /// Reads one entry by streaming the artifact from its start up to it.
    fn stream_content(&self, index: u32) -> anyhow::Result<Vec<u8>> {
        let entry = self
            .entries
            .get(index as usize)
            .ok_or_else(|| anyhow::anyhow!("no entry {index} in {}", self.file_name))?;
        if !entry.is_file() {
            return Ok(Vec::new());
        }
        let mut found = None;
        let visit = &mut |e: &Entry, data: &Content| {
            if e.index == index {
                found = Some(Arc::clone(data));
            }
        };
        let opts = Options {
            limits: self.limits,
            keep_contents: false,
            digesting: Digesting::InPass,
            index: false,
        };
        read_file(&self.file, &opts, Some(visit), Some(index))?;
        found
            .map(Arc::unwrap_or_clone)
            .ok_or_else(|| anyhow::anyhow!("entry {index} vanished from {}", self.file.display()))
    }
}

/// A file's content for a preview ([`Artifact::content_progressive`]).
#[derive(Debug)]
pub enum Progressive {
    /// All of it.
    Whole(Content),
    /// Its first [`pipe::HEAD`] bytes, checked, and the reading of the whole.
    Head(Content, Loading),
}

/// An artifact's entries, shared between it and its manifest.
pub type Entries = Arc<Vec<Entry>>;

/// A visitor handed each file's full content as it streams past.
pub type Visitor<'a> = &'a mut dyn FnMut(&Entry, &Content);

/// A file's bytes as read, shared rather than copied between the reader, a visitor and the
/// artifact.
pub type Content = Arc<Vec<u8>>;

/// Opens what the user named: resolves it to an artifact file, then reads that.
pub fn open(spec: &str, opts: &Options, visitor: Option<Visitor<'_>>) -> anyhow::Result<Artifact> {
    let resolved = resolve(spec)?;
    let mut artifact = read_file(&resolved.file, opts, visitor, None)?;
    if let source::Spec::Dir(dir) = source::Spec::parse(spec) {
        let shipped: Vec<&str> = artifact
            .installed()
            .filter(|e| e.is_file())
            .map(|e| e.path.as_str())
            .collect();
        let files = artifact.package.as_ref().and_then(|p| p.files.as_deref());
        artifact.git = git::status(&dir, &shipped, files);
    }
    artifact.spec = spec.to_owned();
    artifact._temp = resolved.temp;
    Ok(artifact)
}

/// Reads an artifact file. `only` stops after that entry (used to re-read one content).
pub fn read_file(
    file: &Path,
    opts: &Options,
    visitor: Option<Visitor<'_>>,
    only: Option<u32>,
) -> anyhow::Result<Artifact> {
    use anyhow::Context as _;
    let read = || -> anyhow::Result<Artifact> {
        // One handle for the whole life of the artifact: every later read (an entry again for
        // the review screen) reads what this pass hashed, even if the path is replaced.
        let handle = Arc::new(std::fs::File::open(file)?);
        let kind = pipe::sniff(reread::At::new(Arc::clone(&handle), 0))?;
        let mut b = builder::Builder::new(file, *opts, visitor, only);
        let digests = match kind {
            pipe::Magic::Gzip | pipe::Magic::Tar => {
                tar_reader::read(Arc::clone(&handle), kind, &mut b)?
            }
            pipe::Magic::Zip => zip_reader::read(Arc::clone(&handle), &mut b)?,
        };
        let located = b.take_locations();
        let mut artifact = b.finish(digests, kind);
        if let Some((locs, heads)) = located {
            let gzip = kind == pipe::Magic::Gzip;
            let reread = Arc::new(reread::Reread::new(
                handle,
                gzip,
                locs,
                opts.digesting == Digesting::Later,
                heads,
            ));
            reread::Reread::complete(
                &reread,
                Arc::clone(&artifact.entries),
                artifact.digests.sha256.clone(),
            );
            artifact.reread = Some(reread);
        }
        Ok(artifact)
    };
    read().with_context(|| file.display().to_string())
}

/// Reads an artifact held in memory (a nested archive), naming it `name` in messages.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    opts: &Options,
    visitor: Option<Visitor<'_>>,
) -> anyhow::Result<Artifact> {
    read_bytes_metered(name, bytes, opts, visitor).0
}

/// [`read_bytes`], also saying how many bytes it decompressed, whether it succeeded or not:
/// what a budget shared by several nested archives is charged.
pub fn read_bytes_metered(
    name: &str,
    bytes: &[u8],
    opts: &Options,
    visitor: Option<Visitor<'_>>,
) -> (anyhow::Result<Artifact>, u64) {
    use anyhow::Context as _;
    let mut inflated = 0;
    let read = || -> anyhow::Result<Artifact> {
        let kind = pipe::sniff_bytes(bytes).ok_or(OpenError::NotAnArchive)?;
        let mut b = builder::Builder::new(Path::new(name), *opts, visitor, None);
        let digests = match kind {
            pipe::Magic::Gzip | pipe::Magic::Tar => tar_reader::read_from(
                std::io::Cursor::new(bytes.to_vec()),
                kind,
                &mut b,
                &mut inflated,
            )?,
            pipe::Magic::Zip => {
                let mut hasher = pipe::Hasher::new();
                hasher.update(bytes);
                let (digests, packed) = hasher.finish();
                let unpacked = zip_reader::read_from(std::io::Cursor::new(bytes), &mut b);
                inflated = b.read_total();
                (digests, packed, unpacked?)
            }
        };
        Ok(b.finish(digests, kind))
    };
    let result = read().with_context(|| crate::sanitize::for_terminal(name).into_owned());
    (result, inflated)
}

#[cfg(test)]
mod tests {
    use super::reread::Reread;
    use super::*;

    #[test]
    fn every_stored_form_writes_the_same_fields_and_reads_back() {
        let entry = |stored: Stored| Entry {
            index: 3,
            path: "lib/a.js".to_owned(),
            stored,
            kind: EntryKind::File,
            mode: 0o644,
            size: 1,
            declared_size: None,
            compressed_size: None,
            sha256: None,
            executable: None,
            link_target: None,
            installed: true,
        };
        let cases = [
            (
                Stored::Same,
                serde_json::json!(null),
                serde_json::json!(null),
            ),
            (
                Stored::UnderRoot(Arc::from("package")),
                serde_json::json!("package/lib/a.js"),
                serde_json::json!(null),
            ),
            (
                Stored::Text("./lib/a.js".into()),
                serde_json::json!("./lib/a.js"),
                serde_json::json!(null),
            ),
            (
                Stored::Hex("ff2e6a73".into()),
                serde_json::json!(null),
                serde_json::json!("ff2e6a73"),
            ),
        ];
        for (stored, raw, hex) in cases {
            let e = entry(stored);
            let v = serde_json::to_value(&e).expect("serialises");
            assert_eq!(v.get("raw_path").cloned().unwrap_or_default(), raw);
            assert_eq!(v.get("raw_path_hex").cloned().unwrap_or_default(), hex);
            assert_eq!(
                v.as_object().map(serde_json::Map::len),
                Some(6 + usize::from(!raw.is_null() || !hex.is_null()))
            );
            let back: Entry = serde_json::from_value(v.clone()).expect("reads back");
            assert_eq!(serde_json::to_value(&back).expect("serialises"), v);
            assert_eq!(back.stored_len(), e.stored_len(), "{v}");
        }
    }

    /// A gzip'd npm tarball of `files` (under `package/`), written to `dir`.
    fn gzip_tarball(dir: &Path, files: &[(String, Vec<u8>)]) -> PathBuf {
        let path = dir.join("p-1.0.0.tgz");
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).expect("create"),
            flate2::Compression::default(),
        );
        let mut tar = tar::Builder::new(gz);
        for (name, bytes) in files {
            let mut h = tar::Header::new_ustar();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, format!("package/{name}"), &bytes[..])
                .expect("append");
        }
        tar.into_inner()
            .expect("tar")
            .finish()
            .expect("gzip")
            .sync_all()
            .expect("sync");
        path
    }

    /// `files` as a gzip'd npm tarball in a temp dir, opened as the review screen opens it
    /// (entries located, digests in the pass).
    fn indexed_tarball(files: &[(String, Vec<u8>)]) -> (tempfile::TempDir, PathBuf, Artifact) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = gzip_tarball(dir.path(), files);
        let opts = Options {
            index: true,
            ..Options::default()
        };
        let a = read_file(&path, &opts, None, None).expect("reads");
        (dir, path, a)
    }

    #[test]
    fn a_gzip_entry_reads_the_same_before_its_seek_index_is_in_and_after() {
        // Text that compresses a little, over several spans of the index (4 MiB each).
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut text = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    b"abcdefghij klmnop\n"[(x % 18) as usize]
                })
                .collect()
        };
        let mut files = vec![(
            "package.json".to_owned(),
            br#"{"name":"p","version":"1.0.0"}"#.to_vec(),
        )];
        files.extend((0..7).map(|i| (format!("f{i}.js"), text(2_300_000))));
        let (_dir, _, a) = indexed_tarball(&files);
        let located = a.reread.as_ref().expect("located");
        // The same locations without an index: every read inflates from the start.
        let bare = Reread::new(
            Arc::clone(&located.file),
            true,
            located.locs.clone(),
            false,
            Vec::new(),
        );
        let by_name = |name: &str| {
            a.entries
                .iter()
                .find(|e| e.path == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        for (name, bytes) in &files {
            let got = bare.read(by_name(name)).expect("streams");
            assert!(
                got.as_slice() == bytes.as_slice(),
                "{name} without the index"
            );
        }
        // The background index lands (a generous bound: CI machines are loaded).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while a.seek_index_memory().is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "no seek index after 120 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let index = located.index().expect("built");
        assert!(index.len() >= 3, "several checkpoints: {index:?}");
        for (name, bytes) in files.iter().rev() {
            let got = a.content(by_name(name).index).expect("through the index");
            assert!(&*got == bytes.as_slice(), "{name} through the index");
        }
    }

    /// `files` as a tarball (gzip'd or not) or a zip, in `dir`.
    fn package(dir: &Path, kind: &str, files: &[(String, Vec<u8>)]) -> PathBuf {
        match kind {
            "tgz" => gzip_tarball(dir, files),
            "tar" => {
                let tgz = std::fs::read(gzip_tarball(dir, files)).expect("read");
                let mut tar = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&tgz[..]), &mut tar)
                    .expect("gunzip");
                let path = dir.join("p-1.0.0.tar");
                std::fs::write(&path, tar).expect("write");
                path
            }
            _ => {
                let path = dir.join("p-1.0.0-py3-none-any.whl");
                let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
                for (name, bytes) in files {
                    zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                        .expect("start");
                    std::io::Write::write_all(&mut zip, bytes).expect("write");
                }
                zip.finish().expect("finish");
                path
            }
        }
    }

    #[test]
    fn deferred_digests_are_the_ones_the_pass_computes() {
        let files: Vec<(String, Vec<u8>)> = (0..30)
            .map(|i| {
                (
                    format!("p/f{i}.py"),
                    format!("x = {i}\n").repeat(i * 700).into_bytes(),
                )
            })
            .chain([("p/empty.py".to_owned(), Vec::new())])
            .collect();
        for kind in ["tgz", "tar", "zip"] {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = package(dir.path(), kind, &files);
            let whole = read_file(&path, &Options::default(), None, None).expect("reads");
            let opts = Options {
                index: true,
                digesting: Digesting::Later,
                ..Options::default()
            };
            let mut deferred = read_file(&path, &opts, None, None).expect("reads");
            assert!(deferred.digests.sha512.is_empty(), "{kind}: left for later");
            assert!(deferred.entries.iter().all(|e| e.sha256.is_none()));
            // A read before the completion waits for its file's digest, then checks it.
            let last = deferred
                .entries
                .iter()
                .rfind(|e| e.is_file())
                .expect("a file");
            let bytes = deferred
                .content(last.index)
                .expect("reads again")
                .into_owned();
            assert!(!bytes.is_empty() || last.size == 0);
            deferred.complete().expect("completes");
            assert_eq!(deferred.digests, whole.digests, "{kind}");
            let digests = |a: &Artifact| -> Vec<Option<Box<str>>> {
                a.entries.iter().map(|e| e.sha256.clone()).collect()
            };
            assert_eq!(digests(&deferred), digests(&whole), "{kind}");
            assert!(digests(&whole).iter().filter(|d| d.is_some()).count() >= 31);
        }
    }

    #[test]
    fn a_file_changed_on_disk_after_the_pass_fails_the_completion() {
        let files: Vec<(String, Vec<u8>)> = vec![
            (
                "package.json".to_owned(),
                br#"{"name":"p","version":"1.0.0"}"#.to_vec(),
            ),
            ("a.js".to_owned(), b"let a = 1;\n".repeat(5000)),
        ];
        let (_dir, path, a) = indexed_tarball(&files);
        let located = a.reread.as_ref().expect("located");
        // Changed in place after the pass: the last byte (gzip's length field) flipped.
        let mut bytes = std::fs::read(&path).expect("read");
        *bytes.last_mut().expect("bytes") ^= 0x01;
        std::fs::write(&path, &bytes).expect("write in place");
        let file = Arc::new(std::fs::File::open(&path).expect("open"));
        let later = Arc::new(Reread::new(
            file,
            true,
            located.locs.clone(),
            true,
            Vec::new(),
        ));
        Reread::complete(&later, Arc::clone(&a.entries), a.digests.sha256.clone());
        let err = later.completed().err().expect("refused").to_string();
        assert!(
            err.contains("changed on disk") || err.contains("reading the artifact again"),
            "{err}"
        );
    }

    /// Text that compresses a little: `n` bytes of a xorshift over a small alphabet.
    fn noise(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b"abcdefghij klmnop;\n"[(x % 19) as usize]
            })
            .collect()
    }

    /// Steps `loading` to its end (a generous bound while a digest is not in yet).
    fn load_whole(a: &Artifact, mut loading: Loading) -> anyhow::Result<Content> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let mut steps = 0;
        loop {
            match a.load_step(&mut loading, false)? {
                Step::Done(c) => {
                    assert!(steps >= 2, "a big file is read in several steps");
                    return Ok(c);
                }
                Step::Reading => steps += 1,
                Step::Waiting => {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "no digest after 120 s"
                    );
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
        }
    }

    #[test]
    fn a_big_file_shows_its_checked_head_first_then_reads_whole_a_step_at_a_time() {
        let big_len = usize::try_from(PROGRESSIVE).expect("fits") + 123_457;
        let files: Vec<(String, Vec<u8>)> = vec![
            ("small.js".to_owned(), noise(5000, 7)),
            ("big.js".to_owned(), noise(big_len, 11)),
            ("after.js".to_owned(), noise(3000, 13)),
        ];
        let head = usize::try_from(HEAD).expect("fits");
        for kind in ["tgz", "tar", "zip"] {
            for digesting in [Digesting::InPass, Digesting::Later] {
                let dir = tempfile::tempdir().expect("tempdir");
                let path = package(dir.path(), kind, &files);
                let opts = Options {
                    index: true,
                    digesting,
                    ..Options::default()
                };
                let a = read_file(&path, &opts, None, None).expect("reads");
                let index_of = |name: &str| {
                    a.entries
                        .iter()
                        .find(|e| e.path.ends_with(name))
                        .unwrap_or_else(|| panic!("{name}"))
                        .index
                };
                let what = format!("{kind}, {digesting:?}");
                let Progressive::Whole(small) =
                    a.content_progressive(index_of("small.js")).expect("reads")
                else {
                    panic!("{what}: a small file comes whole");
                };
                assert!(small.as_slice() == files[0].1.as_slice(), "{what}");
                let Progressive::Head(first, loading) =
                    a.content_progressive(index_of("big.js")).expect("reads")
                else {
                    panic!("{what}: a big file comes by its head");
                };
                assert!(first.as_slice() == &files[1].1[..head], "{what}: the head");
                let whole = load_whole(&a, loading).expect("reads whole");
                assert!(
                    whole.as_slice() == files[1].1.as_slice(),
                    "{what}: the whole"
                );
                // Read once: the cache has it now.
                assert!(
                    matches!(
                        a.content_progressive(index_of("big.js")),
                        Ok(Progressive::Whole(_))
                    ),
                    "{what}: cached"
                );
            }
        }
    }

    #[test]
    fn a_big_file_changed_in_place_is_refused_in_its_head_or_at_its_end() {
        let big_len = usize::try_from(PROGRESSIVE).expect("fits") + 4096;
        let files: Vec<(String, Vec<u8>)> = vec![("big.js".to_owned(), noise(big_len, 5))];
        let head = HEAD;
        // A byte in the head, then a byte past it: the head is refused, then the whole.
        for (flip, in_head) in [(10, true), (head + 10, false)] {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = package(dir.path(), "tar", &files);
            let opts = Options {
                index: true,
                ..Options::default()
            };
            let a = read_file(&path, &opts, None, None).expect("reads");
            let big = a.entries.iter().find(|e| e.is_file()).expect("the file");
            let Some(reread::Loc::Tar(at)) = a.reread.as_ref().map(|r| r.locs[big.index as usize])
            else {
                panic!("located");
            };
            let mut bytes = std::fs::read(&path).expect("read");
            let at = usize::try_from(at + flip).expect("fits");
            bytes[at] ^= 0x20;
            std::fs::write(&path, &bytes).expect("write in place");
            let err = match a.content_progressive(big.index) {
                Err(e) => e,
                Ok(Progressive::Head(first, loading)) => {
                    assert!(!in_head, "the head read differently but was shown");
                    assert_eq!(first.len() as u64, head);
                    load_whole(&a, loading).expect_err("the whole is refused")
                }
                Ok(Progressive::Whole(_)) => panic!("read whole"),
            };
            let err = format!("{err:#}");
            assert!(err.contains("reads differently now"), "{err}");
        }
    }
}
