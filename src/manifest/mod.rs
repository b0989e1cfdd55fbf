//! The release manifest: what a release shipped, kept so the next release can be compared.
//!
//! A team may keep only manifests of past releases; `diff` and `--baseline` accept one
//! wherever they accept an artifact. The format is JSON with a versioned `schema` field
//! (`shipcheck.manifest/v1`, documented in the README); a reader refuses a schema it does not
//! know rather than guessing.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::artifact::{self, Anomaly, Artifact, Entry, Format, PackageMeta};

mod stream;
mod validate;

pub use validate::{InvalidManifest, MAX_SIZE, validate};

/// The schema id written into every manifest.
pub const SCHEMA: &str = "shipcheck.manifest/v1";

/// The facts about an artifact that every output shares (ls, manifest, check JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactSummary {
    /// What was named on the command line (path, directory or `npm:` spec).
    pub path: String,
    /// The artifact file's name.
    pub file_name: String,
    /// Container format.
    pub format: Format,
    /// Package name, if the metadata has one.
    pub name: Option<String>,
    /// Package version, if the metadata has one.
    pub version: Option<String>,
    /// Hex sha256 of the artifact bytes.
    pub sha256: String,
    /// Hex sha512 of the artifact bytes.
    pub sha512: String,
    /// npm's SRI form of the sha512.
    pub integrity: String,
    /// Artifact file size.
    pub packed_size: u64,
    /// Sum of installed file sizes.
    pub unpacked_size: u64,
    /// Installed regular files.
    pub files: usize,
}

impl ArtifactSummary {
    /// Summarises an opened artifact.
    pub fn of(a: &Artifact) -> Self {
        let meta = a.package.as_ref();
        Self {
            path: a.spec.clone(),
            file_name: a.file_name.clone(),
            format: a.format,
            name: meta.and_then(|m| m.name.clone()),
            version: meta.and_then(|m| m.version.clone()),
            sha256: a.digests.sha256.clone(),
            sha512: a.digests.sha512.clone(),
            integrity: a.digests.integrity.clone(),
            packed_size: a.packed_size,
            unpacked_size: a.unpacked_size,
            files: a.file_count(),
        }
    }

    /// `name@version`, or the file name.
    pub fn title(&self) -> String {
        match (&self.name, &self.version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            (Some(n), None) => n.clone(),
            _ => self.file_name.clone(),
        }
    }
}

/// The tool that wrote a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Always `shipcheck`.
    pub name: String,
    /// Its version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Self {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// A release manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`SCHEMA`] for this version.
    pub schema: String,
    /// Who wrote it.
    pub tool: Tool,
    /// The artifact's digests and totals.
    pub artifact: ArtifactSummary,
    /// Its package metadata.
    pub package: Option<PackageMeta>,
    /// Every entry, in container order (including those not installed); the artifact's own
    /// when made by [`Manifest::of`].
    pub entries: artifact::Entries,
    /// The container anomalies.
    pub anomalies: Vec<Anomaly>,
}

impl Manifest {
    /// The manifest of an opened artifact.
    pub fn of(a: &Artifact) -> Self {
        Self {
            schema: SCHEMA.to_owned(),
            tool: Tool::default(),
            artifact: ArtifactSummary::of(a),
            package: a.package.clone(),
            entries: Arc::clone(&a.entries),
            anomalies: a.anomalies.clone(),
        }
    }

    /// Parses a manifest held in memory (see [`Manifest::from_reader`]), with the default
    /// entry limit.
    pub fn from_json(bytes: &[u8]) -> anyhow::Result<Self> {
        Self::from_reader(bytes, &artifact::Limits::default())
    }

    /// Parses a manifest as it streams in, refusing other schemas, values shipcheck would
    /// never write (see [`validate`]) and anything past the archive budgets in `limits`: more
    /// than `hard_max_entries` entries (`--max-entries`), names adding up to more than
    /// `max_names` (`--max-names-size`), and more bytes than a manifest of that many entries
    /// can take ([`stream::max_bytes`]).
    ///
    /// One pass, never the whole file in memory: the schema is checked as soon as it is read
    /// (it comes first in what shipcheck writes), and the budgets before each entry is built,
    /// so a manifest past a limit costs what the limit allows and no more.
    pub fn from_reader<R: std::io::Read>(
        input: R,
        limits: &artifact::Limits,
    ) -> anyhow::Result<Self> {
        use serde::de::DeserializeSeed as _;
        let problem = std::cell::Cell::new(None);
        let seed = stream::ManifestSeed {
            limits,
            problem: &problem,
        };
        let budget = stream::Budgeted::new(input, stream::max_bytes(limits), &problem);
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(budget));
        let parsed = seed.deserialize(&mut de).and_then(|m| de.end().map(|()| m));
        if let Some(p) = problem.take() {
            return Err(p.into_error());
        }
        let m = match parsed {
            Ok(m) => m,
            Err(e) if e.is_syntax() || e.is_eof() => return Err(e).context("not valid JSON"),
            Err(e) if e.is_io() => return Err(e.into()),
            Err(e) => return Err(e).context("not a valid shipcheck manifest"),
        };
        validate(&m).context("not a valid shipcheck manifest")?;
        Ok(m)
    }

    /// Installed entries, the ones a diff compares.
    pub fn installed(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.installed)
    }
}

/// True when `spec` names a file that looks like JSON, so it is read as a manifest rather than
/// an archive (archives never start with `{`).
pub fn is_manifest_file(spec: &str) -> bool {
    let path = Path::new(spec);
    path.is_file() && looks_like_json(path)
}

fn looks_like_json(path: &Path) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head[..n].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Loads one side of a comparison: a manifest file, or any artifact spec (opened and summarised).
pub fn load(spec: &str, opts: &artifact::Options) -> anyhow::Result<Manifest> {
    let path = Path::new(spec);
    if is_manifest_file(spec) {
        let file = std::fs::File::open(path).with_context(|| path.display().to_string())?;
        return Manifest::from_reader(file, &opts.limits)
            .with_context(|| path.display().to_string());
    }
    Ok(Manifest::of(&artifact::open(spec, opts, None)?))
}
