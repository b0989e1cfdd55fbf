//! Turning a container's raw entries into the model, the same way for every reader.
//!
//! Readers report each raw header (name bytes, kind, mode, declared size, link target) and then
//! the content they read; the builder decides the install path, whether the installer writes
//! the entry, which anomalies it carries, and who sees the content (the visitor, the kept
//! contents, the metadata parser).

mod place;

use std::borrow::Cow;
use std::hash::BuildHasher as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::sanitize::{bytes_for_terminal, for_terminal};

use super::install::{installed_meta, npm_path_conflicts, npm_renames_gitignore, npm_skips_links};
use super::path::{Layout, decode, normalize};
use super::pipe::Magic;
use super::reread::Loc;
use super::{
    Anomaly, AnomalyKind, Artifact, Digests, Entry, EntryKind, Executable, Format, OpenError,
    Options, Stored, Visitor, meta,
};

/// An npm rule applied once the whole tarball is seen: (entries, anomalies, eligible) → changed.
type Fixup = fn(&mut [Entry], &mut Vec<Anomaly>, &[bool]) -> bool;

/// A header as a reader found it.
pub struct RawEntry<'a> {
    /// The stored name.
    pub name: &'a [u8],
    /// The kind.
    pub kind: EntryKind,
    /// The mode bits.
    pub mode: u32,
    /// The size the header declares.
    pub declared_size: u64,
    /// Compressed size (zip).
    pub compressed_size: Option<u64>,
    /// Link target, for links.
    pub link_target: Option<&'a [u8]>,
}

/// Metadata files past this are not parsed (the artifact says so in `PackageMeta::error`).
/// Whitespace compresses to nothing, so padding must not be a way to hide install scripts:
/// this is well above any real `package.json`.
pub const MAX_META: u64 = 16 << 20;

/// Accumulates the model while a reader streams.
pub struct Builder<'v> {
    file: PathBuf,
    opts: Options,
    visitor: Option<Visitor<'v>>,
    only: Option<u32>,
    layout: Layout,
    /// `None` until the first entry decides; then the stripped root, if any.
    root: Option<Option<String>>,
    /// The root, shared by the entries whose stored name is it plus their path.
    root_shared: Option<Arc<str>>,
    entries: Vec<Entry>,
    anomalies: Vec<Anomaly>,
    contents: Vec<Option<Arc<Vec<u8>>>>,
    /// Where each entry's data lies, by index, when [`Options::index`] asks.
    locs: Option<Vec<Loc>>,
    /// With the locations: the head digests of files longer than [`super::pipe::HEAD`].
    heads: super::reread::Heads,
    seen: Seen,
    /// Entries seen before the root was known whose names have a single component.
    rootless: Vec<u32>,
    /// Per entry: would the installer write it, duplicates aside (see [`npm_skips_links`]).
    eligible: Vec<bool>,
    /// Metadata files read, by entry index; only the installed copy counts in the end.
    meta_files: Vec<(u32, String, Vec<u8>)>,
    read_total: u64,
    name_bytes: u64,
    /// Install paths of the symlinks seen so far (see [`Self::link_traversal`]).
    links: std::collections::HashSet<String>,
    /// Set once the entry named by `only` has been read: the reader may stop.
    pub done: bool,
}

impl<'v> Builder<'v> {
    /// A builder for the artifact at `file`.
    pub fn new(
        file: &Path,
        opts: Options,
        visitor: Option<Visitor<'v>>,
        only: Option<u32>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            opts,
            visitor,
            only,
            layout: Layout::StripRoot,
            root: None,
            root_shared: None,
            entries: Vec::new(),
            anomalies: Vec::new(),
            contents: Vec::new(),
            locs: opts.index.then(Vec::new),
            heads: Vec::new(),
            seen: Seen::default(),
            eligible: Vec::new(),
            rootless: Vec::new(),
            meta_files: Vec::new(),
            read_total: 0,
            name_bytes: 0,
            links: std::collections::HashSet::new(),
            done: false,
        }
    }

    /// Whether each file's sha256 is computed in the pass (see [`super::Digesting`]).
    pub fn entry_digests(&self) -> bool {
        // Later needs the handle and locations to hash again from; without them, now.
        match self.opts.digesting {
            super::Digesting::InPass => true,
            super::Digesting::Skip => false,
            super::Digesting::Later => !self.opts.index,
        }
    }

    /// True when the artifact's sha512 is left for later ([`super::Digesting::Later`]).
    pub fn defers_digests(&self) -> bool {
        self.opts.digesting == super::Digesting::Later && self.opts.index
    }

    /// The unpacked-bytes limit in force.
    pub fn limit(&self) -> u64 {
        self.opts.limits.max_unpacked
    }

    /// Bytes decompressed so far, as counted by [`Self::count_read`] (zip readers).
    pub fn read_total(&self) -> u64 {
        self.read_total
    }

    /// Past this many entries the artifact is refused.
    pub fn hard_max_entries(&self) -> usize {
        self.opts.limits.hard_max_entries
    }

    /// Zip readers keep names as they are.
    pub fn set_layout(&mut self, layout: Layout) {
        self.layout = layout;
        if layout == Layout::AsIs {
            self.root = Some(None);
        }
    }

    /// Records an anomaly of the container as a whole (no entry).
    pub fn note(&mut self, kind: AnomalyKind, detail: String) {
        self.anomaly(kind, None, detail);
    }

    fn anomaly(&mut self, kind: AnomalyKind, entry: Option<u32>, detail: String) {
        self.anomalies.push(Anomaly {
            kind,
            entry,
            detail,
        });
    }

    /// Records a header. Returns the entry's index, or `None` for the package root folder itself
    /// (which installs nothing and is not listed).
    pub fn add(&mut self, raw: &RawEntry<'_>) -> anyhow::Result<Option<u32>> {
        self.name_bytes += (raw.name.len() + raw.link_target.map_or(0, <[u8]>::len)) as u64;
        // The budget for the bytes of all names and link targets (`Limits::max_names`). Each
        // name is kept two or three times (install path, raw name, the duplicate index), and
        // names compress to nothing, so without it 1 GB of pax paths would take several GB of
        // memory. A real package with 100,000 files of 200-byte names uses 20 MB; 32 MB of
        // names cost about 100 MB of memory.
        if self.name_bytes > self.opts.limits.max_names {
            return Err(OpenError::NamesTooLong {
                limit: self.opts.limits.max_names,
            }
            .into());
        }
        let index = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let (path, installed) = match self.plain_path(raw) {
            Some(rest) => {
                let rest = rest.to_owned();
                self.count_entry(index)?;
                (rest, true)
            }
            None => match self.place(raw, index)? {
                Some(placed) => placed,
                None => return Ok(None),
            },
        };
        self.record(raw, index, path, installed);
        Ok(Some(index))
    }

    /// The root folder, shared, when `stored` is exactly it, `/` and `path`.
    fn shared_root(&mut self, stored: &str, path: &str) -> Option<Arc<str>> {
        let Some(Some(root)) = &self.root else {
            return None;
        };
        let rest = stored.strip_prefix(root.as_str())?.strip_prefix('/')?;
        if rest != path {
            return None;
        }
        if self.root_shared.as_deref() != Some(root.as_str()) {
            self.root_shared = Some(Arc::from(root.as_str()));
        }
        self.root_shared.clone()
    }

    /// Adds the entry to the model: the duplicate check and the entry itself.
    fn record(&mut self, raw: &RawEntry<'_>, index: u32, path: String, installed: bool) {
        let link_target = raw.link_target.map(|t| masked(String::from(decode(t))));
        self.link_traversal(raw.kind, index, &path);
        self.eligible.push(installed);
        if installed && let Some(earlier) = self.seen.insert(&self.entries, &path, index) {
            let earlier_kind = self.entries[earlier as usize].kind;
            if earlier_kind != EntryKind::Dir || raw.kind != EntryKind::Dir {
                self.entries[earlier as usize].installed = false;
                self.anomaly(
                    AnomalyKind::DuplicatePath,
                    Some(index),
                    format!(
                        "{} appears again (entry {earlier}); this later entry is the one installed",
                        for_terminal(&path)
                    ),
                );
            }
        }
        // The stored name: as a string when it is UTF-8, else its exact bytes as hex (the
        // lossy `path` may be shared by several distinct names).
        if installed && raw.kind == EntryKind::File && raw.mode & 0o6000 != 0 {
            let which = match raw.mode & 0o6000 {
                0o6000 => "setuid and setgid bits",
                0o4000 => "setuid bit",
                _ => "setgid bit",
            };
            self.anomaly(
                AnomalyKind::SetuidBits,
                Some(index),
                format!(
                    "{} has the {which} (mode {:o}): npm's installer keeps the mode's special bits, so a root install leaves such a file behind; pip, Python's tarfile data filter and cargo clear them",
                    for_terminal(&path),
                    raw.mode & 0o7777
                ),
            );
        }
        let stored = match std::str::from_utf8(raw.name) {
            Ok(text) if text == path => Stored::Same,
            Ok(text) => match self.shared_root(text, &path) {
                Some(root) => Stored::UnderRoot(root),
                None => Stored::Text(text.into()),
            },
            Err(_) => Stored::Hex(crate::units::hex(raw.name).into()),
        };
        self.entries.push(Entry {
            index,
            stored,
            path,
            kind: raw.kind,
            mode: raw.mode,
            size: 0,
            declared_size: Some(raw.declared_size),
            compressed_size: raw.compressed_size,
            sha256: None,
            executable: None,
            link_target: link_target.map(String::into_boxed_str),
            installed,
        });
        if self.opts.keep_contents {
            self.contents.push(None);
        }
        if let Some(locs) = self.locs.as_mut() {
            locs.push(Loc::Unknown);
        }
    }

    /// Records where an entry's data lies (when asked to).
    pub fn locate(&mut self, index: u32, loc: Loc) {
        if let Some(slot) = self.locs.as_mut().and_then(|l| l.get_mut(index as usize)) {
            *slot = loc;
        }
    }

    /// The locations recorded, when asked for, with the head digests of the files longer
    /// than [`super::pipe::HEAD`] (when hashed in the pass).
    pub fn take_locations(&mut self) -> Option<(Vec<Loc>, super::reread::Heads)> {
        Some((self.locs.take()?, std::mem::take(&mut self.heads)))
    }

    /// How much of this file's content the reader must collect besides hashing it: `None`
    /// for none; past the returned size it stops collecting ([`Collect`]). Only the rules'
    /// visitor is capped (at `max_scanned`); a kept or asked-for file is read whole, within
    /// the unpacked limit.
    pub fn content_cap(&self, index: u32) -> Option<u64> {
        if self.only.is_some() {
            return (self.only == Some(index)).then_some(u64::MAX);
        }
        if self.opts.keep_contents || self.is_meta(index) {
            return Some(u64::MAX);
        }
        self.visitor
            .is_some()
            .then_some(self.opts.limits.max_scanned)
    }

    fn is_meta(&self, index: u32) -> bool {
        let e = &self.entries[index as usize];
        e.installed && e.declared_size.unwrap_or(0) <= MAX_META && meta::is_metadata_path(&e.path)
    }

    /// Counts bytes read against the unpacked limit (zip readers; tar is capped upstream).
    pub fn count_read(&mut self, n: u64) -> Result<(), OpenError> {
        self.read_total += n;
        if self.read_total > self.opts.limits.max_unpacked {
            return Err(OpenError::TooLarge {
                limit: self.opts.limits.max_unpacked,
            });
        }
        Ok(())
    }

    /// Records what was read for a file: its size, digest (when hashed in the pass) and (if
    /// collected) content.
    pub fn finish_file(
        &mut self,
        index: u32,
        size: u64,
        hasher: Option<super::pipe::FileHasher>,
        read: Collect,
    ) {
        let i = index as usize;
        let sha256 = hasher.map(|h| {
            let (sha256, head) = h.finish();
            if let (Some(head), Some(_)) = (head, &self.locs) {
                self.heads.push((index, head));
            }
            crate::units::hex(&sha256)
        });
        let (content, executable) = read.finish();
        self.entries[i].executable = executable;
        let declared = self.entries[i].declared_size.unwrap_or(size);
        self.entries[i].size = size;
        self.entries[i].sha256 = sha256.map(String::into_boxed_str);
        if declared == size {
            self.entries[i].declared_size = None;
        } else {
            let shown = for_terminal(&self.entries[i].path).into_owned();
            self.anomaly(
                AnomalyKind::SizeMismatch,
                Some(index),
                format!("{shown} declares {declared} bytes but holds {size}"),
            );
        }
        if let Some(cs) = self.entries[i].compressed_size {
            let limits = self.opts.limits;
            if size >= limits.ratio_min_bytes && size / cs.max(1) > limits.max_ratio {
                let shown = for_terminal(&self.entries[i].path).into_owned();
                self.anomaly(
                    AnomalyKind::CompressionRatio,
                    Some(index),
                    format!(
                        "{shown} inflates {cs} bytes to {size} ({}x)",
                        size / cs.max(1)
                    ),
                );
            }
        }
        let Some(mut content) = content else { return };
        if self.only == Some(index) {
            self.done = true;
        }
        if self.opts.keep_contents && content.capacity() - content.len() > content.len() / 8 {
            // A buffer that grew by doubling gives its slack back before it is kept (a large
            // one by `mremap`, without a copy).
            content.shrink_to_fit();
        }
        // Shared from here on, never copied: the visitor may keep it (`check` hands it to its
        // scanner thread) and so may the artifact.
        let content = Arc::new(content);
        if let Some(visit) = self.visitor.as_mut() {
            visit(&self.entries[i], &content);
        }
        if self.is_meta(index) {
            self.meta_files
                .push((index, self.entries[i].path.clone(), content.to_vec()));
        }
        if self.opts.keep_contents {
            self.contents[i] = Some(content);
        }
    }

    /// Directories and links have no content but are otherwise final once added.
    pub fn finish_other(&mut self, index: u32) {
        self.entries[index as usize].declared_size = None;
    }

    /// Builds the artifact once the container is exhausted.
    pub fn finish(self, digests: (Digests, u64, u64), magic: Magic) -> Artifact {
        let (digests, packed_size, inflated) = digests;
        let mut anomalies = self.anomalies;
        let limits = self.opts.limits;
        if magic == Magic::Gzip
            && inflated >= limits.ratio_min_bytes
            && inflated / packed_size.max(1) > limits.max_ratio
        {
            anomalies.push(Anomaly {
                kind: AnomalyKind::CompressionRatio,
                entry: None,
                detail: format!(
                    "{packed_size} packed bytes inflate to {inflated} ({}x)",
                    inflated / packed_size.max(1)
                ),
            });
        }
        let file_name = self
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut entries = self.entries;
        let mut eligible = self.eligible;
        if let Some(Some(root)) = &self.root {
            // A tarball whose names mostly share a root, with loose names before the first of
            // them: the installer strips the loose names to nothing and writes none of them.
            for &i in &self.rootless {
                let Some(e) = entries.get_mut(i as usize) else {
                    continue;
                };
                e.installed = false;
                eligible[i as usize] = false;
                anomalies.push(Anomaly {
                    kind: AnomalyKind::OutsideRoot,
                    entry: Some(i),
                    detail: format!(
                        "{} is outside the package root '{}/'; nothing is left of it once the root is stripped",
                        for_terminal(&e.raw_path().unwrap_or(Cow::Borrowed(&e.path))),
                        for_terminal(root)
                    ),
                });
            }
        }
        let mut package = installed_meta(&entries, &self.meta_files);
        let mut format = meta::format_of(magic, &file_name, &entries, package.as_ref());
        // npm installs an uncompressed tarball as well; a plain tar holding a package.json
        // is read with npm's rules too.
        // A tarball whose package.json a link shadows is still npm's: npm skips the link.
        let has_package_json = entries
            .iter()
            .zip(&eligible)
            .any(|(e, &ok)| ok && e.kind == EntryKind::File && e.path == "package.json");
        let npm = |f: Format, p: Option<&meta::PackageMeta>| {
            f == Format::NpmTarball
                || (matches!(f, Format::Tar | Format::TarGz)
                    && (has_package_json
                        || p.and_then(|m| m.ecosystem) == Some(meta::Ecosystem::Npm)))
        };
        let fixups: [Fixup; 3] = [
            |e, a, eligible| npm_skips_links(e, eligible, a),
            npm_renames_gitignore,
            npm_path_conflicts,
        ];
        for fixup in fixups {
            if npm(format, package.as_ref()) && fixup(&mut entries, &mut anomalies, &eligible) {
                package = installed_meta(&entries, &self.meta_files);
                format = meta::format_of(magic, &file_name, &entries, package.as_ref());
            }
        }
        if let Some(error) = package.as_ref().and_then(|p| p.error.as_ref()) {
            // The installer reads this file; a model that could not read it has not seen its
            // scripts or dependencies, so that is said, never skipped.
            let source = package.as_ref().map(|p| p.source.as_str());
            let entry = entries
                .iter()
                .rposition(|e| e.installed && Some(e.path.as_str()) == source);
            anomalies.push(Anomaly {
                kind: AnomalyKind::UnreadableMetadata,
                entry: entry.map(|i| i as u32),
                detail: format!(
                    "{}: {}; its install scripts and dependencies were not checked",
                    for_terminal(source.unwrap_or_default()),
                    for_terminal(error)
                ),
            });
        }
        let root = self.root.flatten();
        let unpacked_size = entries
            .iter()
            .filter(|e| e.installed && e.is_file())
            .map(|e| e.size)
            .sum();
        Artifact {
            spec: self.file.display().to_string(),
            file: self.file,
            file_name,
            format,
            packed_size,
            unpacked_size,
            digests,
            root,
            package,
            entries: Arc::new(entries),
            anomalies,
            contents: self.contents,
            limits: self.opts.limits,
            reread: None,
            git: None,
            _temp: None,
        }
    }
}

/// Installed paths so far, by entry index: the path itself lives in the entry, so the table
/// holds only indices (no second copy of every name) and hashes with a fast seeded hasher
/// (SipHash was a twentieth of a listing of many small files).
#[derive(Default)]
struct Seen {
    /// (32 bits of the path's hash, entry index): the stored hash spares growing the table a
    /// re-hash of every path, and most mismatches a string comparison, in 8 bytes a slot.
    table: hashbrown::HashTable<(u32, u32)>,
    hasher: foldhash::quality::RandomState,
}

/// The table's hash of a stored 32-bit hash: spread over 64 bits, as hashbrown takes its
/// bucket from the low bits and its tag from the high ones.
fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Seen {
    /// Records `path` as entry `index`'s (not yet in `entries`) and returns the entry that
    /// held it before, if any.
    fn insert(&mut self, entries: &[Entry], path: &str, index: u32) -> Option<u32> {
        let short = self.hasher.hash_one(path) as u32;
        let same = |&(h, i): &(u32, u32)| {
            h == short && entries.get(i as usize).is_some_and(|e| e.path == path)
        };
        match self.table.entry(spread(short), same, |&(h, _)| spread(h)) {
            hashbrown::hash_table::Entry::Occupied(mut o) => {
                Some(std::mem::replace(&mut o.get_mut().1, index))
            }
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert((short, index));
                None
            }
        }
    }

    /// Drops the given entries.
    fn forget(&mut self, indices: &[u32]) {
        self.table.retain(|(_, i)| !indices.contains(i));
    }
}

/// `s` with secret values masked as findings mask them: a link target is printed by `ls`
/// and kept in manifests, and a target may be anything, a token included.
fn masked(mut s: String) -> String {
    crate::detect::redact::in_place(&mut s);
    s
}

/// A file's content as it is read: collected up to a cap, then given up (the hash goes on);
/// its first bytes are kept either way, to tell an executable by them.
pub struct Collect {
    data: Option<Vec<u8>>,
    cap: u64,
    head: [u8; Executable::HEAD],
    head_len: usize,
}

impl Collect {
    /// Collects up to `cap` bytes (`None`: nothing); `declared` sizes the first allocation,
    /// never more than 1 MiB of it, as a header may lie.
    pub fn new(cap: Option<u64>, declared: u64) -> Self {
        Self::reserving(cap, declared.min(1 << 20))
    }

    /// [`Collect::new`] for a tar entry, whose data is exactly its declared size or the read
    /// fails as truncated: the first allocation is the whole of it, up to the cap and 256 MiB.
    /// Growing by doubling copied a 60 MB map five times over and faulted in twice its pages
    /// (a twelfth of `check`'s CPU on claude-code). A lying header costs address space, not
    /// memory: pages are only touched as data arrives, and the allocation is dropped with the
    /// truncation error.
    pub fn for_tar(cap: Option<u64>, declared: u64) -> Self {
        let whole = declared.min(cap.unwrap_or(0)).min(256 << 20);
        Self::reserving(cap, whole)
    }

    fn reserving(cap: Option<u64>, reserve: u64) -> Self {
        Self {
            data: cap.map(|_| Vec::with_capacity(usize::try_from(reserve).unwrap_or(0))),
            cap: cap.unwrap_or(0),
            head: [0; Executable::HEAD],
            head_len: 0,
        }
    }

    /// Adds the next bytes of the file.
    pub fn extend(&mut self, bytes: &[u8]) {
        if self.head_len < self.head.len() {
            let n = bytes.len().min(self.head.len() - self.head_len);
            self.head[self.head_len..self.head_len + n].copy_from_slice(&bytes[..n]);
            self.head_len += n;
        }
        if let Some(d) = &mut self.data {
            if d.len() as u64 + bytes.len() as u64 > self.cap {
                self.data = None;
            } else {
                d.extend_from_slice(bytes);
            }
        }
    }

    /// The whole content, if it stayed within the cap, and what kind of executable it is.
    pub fn finish(self) -> (Option<Vec<u8>>, Option<Executable>) {
        (self.data, Executable::sniff(&self.head[..self.head_len]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_are_told_by_their_first_bytes() {
        let cases: &[(&[u8], Option<Executable>)] = &[
            (b"\x7fELF\x02\x01\x01\0", Some(Executable::Elf)),
            (b"\0asm\x01\0\0\0", Some(Executable::Wasm)),
            (b"\xcf\xfa\xed\xfe\x07\0\0\x01", Some(Executable::MachO)),
            (b"\xfe\xed\xfa\xce\0\0\0\x07", Some(Executable::MachO)),
            (b"\xca\xfe\xba\xbe\0\0\0\x02", Some(Executable::MachO)),
            (b"\xca\xfe\xba\xbe\0\0\0\x34", None), // a Java class (version 52)
            (b"MZ\x90\0\x03\0\0\0", Some(Executable::Pe)),
            (b"MZone and two", None),
            (b"\x7fEL", None),
            (b"", None),
        ];
        for (head, want) in cases {
            assert_eq!(Executable::sniff(head), *want, "{head:?}");
        }
    }

    #[test]
    fn the_head_is_kept_across_small_reads_and_past_the_cap() {
        let mut c = Collect::new(Some(4), 100);
        for b in b"\x7fELF\x02\x01" {
            c.extend(std::slice::from_ref(b));
        }
        assert_eq!(
            c.finish(),
            (None, Some(Executable::Elf)),
            "past the 4-byte cap: no content, the kind still known"
        );
        let mut c = Collect::new(None, 0);
        c.extend(b"plain text");
        assert_eq!(
            c.finish(),
            (None, None),
            "nothing collected, nothing sniffed"
        );
    }
}
