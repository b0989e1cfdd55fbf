//! Package metadata, read from the artifact's own metadata file.
//!
//! npm's `package.json`, cargo's `Cargo.toml`, Python's `PKG-INFO` (sdist) or `*.dist-info/METADATA`
//! (wheel), a VS Code extension's `extension/package.json`, a jar's `META-INF/MANIFEST.MF`. The
//! diff and the rules need name, version, scripts and dependencies; everything here is untrusted
//! and is only ever parsed, never run or resolved.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pipe::Magic;
use super::{Entry, Format};

/// Which packaging world the metadata comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ecosystem {
    /// npm / VS Code.
    Npm,
    /// crates.io.
    Cargo,
    /// PyPI.
    Python,
    /// Maven / jar.
    Java,
}

/// What the package says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageMeta {
    /// Where it came from.
    pub ecosystem: Option<Ecosystem>,
    /// The metadata file's path inside the artifact.
    pub source: String,
    /// Package name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Package version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Lifecycle scripts (npm `scripts`; cargo's `build` script as `build`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scripts: BTreeMap<String, String>,
    /// Dependencies by section (`dependencies`, `optionalDependencies`, …): name → spec.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, BTreeMap<String, String>>,
    /// npm's `files` allowlist, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
    /// Why the metadata file could not be fully read, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// True for the paths whose content is read as metadata.
pub fn is_metadata_path(path: &str) -> bool {
    matches!(
        path,
        "package.json"
            | "Cargo.toml"
            | "PKG-INFO"
            | "extension/package.json"
            | "META-INF/MANIFEST.MF"
    ) || path
        .split_once('/')
        .is_some_and(|(dir, file)| dir.ends_with(".dist-info") && file == "METADATA")
}

fn rank(path: &str) -> u8 {
    match path {
        p if p.ends_with("/METADATA") => 0,
        "extension/package.json" => 1,
        "PKG-INFO" => 2,
        "Cargo.toml" => 3,
        "package.json" => 4,
        _ => 5,
    }
}

/// Parses the best metadata file among those read.
pub fn parse(files: &[(String, Vec<u8>)]) -> Option<PackageMeta> {
    let (path, bytes) = files.iter().min_by_key(|(p, _)| rank(p))?;
    let text = String::from_utf8_lossy(bytes);
    let mut meta = match path.as_str() {
        "package.json" | "extension/package.json" => npm(bytes),
        "Cargo.toml" => cargo(&text),
        "META-INF/MANIFEST.MF" => java(&text),
        _ => python(&text),
    };
    meta.source.clone_from(path);
    meta.mask_secrets();
    Some(meta)
}

impl PackageMeta {
    /// Masks secret values in scripts and dependency specs (`curl -H 'Authorization: token
    /// ghp_…'`, `git+https://x:ghp_…@github.com/…`) the way findings mask them. Done once,
    /// here, so that no output of the metadata — `ls --json`, a manifest a team keeps, `diff`,
    /// the review header — can say the value in full; the secret itself is still reported by
    /// the scan of the metadata file's content. Both sides of a comparison are masked alike.
    fn mask_secrets(&mut self) {
        let specs = self
            .dependencies
            .values_mut()
            .flat_map(BTreeMap::values_mut);
        for v in self.scripts.values_mut().chain(specs) {
            crate::detect::redact::in_place(v);
        }
    }
}

fn npm(bytes: &[u8]) -> PackageMeta {
    let mut meta = PackageMeta {
        ecosystem: Some(Ecosystem::Npm),
        ..PackageMeta::default()
    };
    // npm (json-parse-even-better-errors) strips a byte-order mark before parsing.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // serde_json first (the common case); what it refuses is read again as npm's
    // `JSON.parse` reads it (numbers past f64, lone surrogates, deep nesting, bad UTF-8).
    let json: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(_) => match super::lenient_json::parse(&String::from_utf8_lossy(bytes)) {
            Ok(v) => v,
            Err(e) => {
                meta.error = Some(format!(
                    "package.json is not valid JSON ({e}); npm refuses to install it"
                ));
                return meta;
            }
        },
    };
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    meta.name = json.get("name").and_then(text);
    meta.version = json.get("version").and_then(text);
    if let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) {
        meta.scripts = scripts
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect();
    }
    for section in [
        "dependencies",
        "optionalDependencies",
        "peerDependencies",
        "devDependencies",
    ] {
        if let Some(deps) = json.get(section).and_then(|d| d.as_object()) {
            let map = deps
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect();
            meta.dependencies.insert(section.to_owned(), map);
        }
    }
    let bundled = json
        .get("bundleDependencies")
        .or_else(|| json.get("bundledDependencies"));
    if let Some(list) = bundled.and_then(|b| b.as_array()) {
        let map = list
            .iter()
            .filter_map(|n| Some((n.as_str()?.to_owned(), "bundled".to_owned())))
            .collect();
        meta.dependencies
            .insert("bundleDependencies".to_owned(), map);
    }
    meta.files = json
        .get("files")
        .and_then(|f| f.as_array())
        .map(|a| a.iter().filter_map(text).collect());
    meta
}

fn cargo(text: &str) -> PackageMeta {
    let mut meta = PackageMeta {
        ecosystem: Some(Ecosystem::Cargo),
        ..PackageMeta::default()
    };
    let doc: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            meta.error = Some(format!("Cargo.toml is not valid TOML: {}", e.message()));
            return meta;
        }
    };
    let package = doc.get("package").and_then(|p| p.as_table());
    let field = |k: &str| {
        package
            .and_then(|p| p.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    meta.name = field("name");
    meta.version = field("version");
    if let Some(build) = field("build") {
        meta.scripts.insert("build".to_owned(), build);
    }
    for section in ["dependencies", "build-dependencies", "dev-dependencies"] {
        if let Some(deps) = doc.get(section).and_then(|d| d.as_table()) {
            let map = deps
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect();
            meta.dependencies.insert(section.to_owned(), map);
        }
    }
    meta
}

/// RFC 822-style headers up to the first blank line.
fn headers(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim(), v.trim()))
        })
}

fn python(text: &str) -> PackageMeta {
    let mut meta = PackageMeta {
        ecosystem: Some(Ecosystem::Python),
        ..PackageMeta::default()
    };
    let mut requires = BTreeMap::new();
    for (k, v) in headers(text) {
        match k {
            // Python's email parser (what pip reads this with) returns the first of repeats.
            "Name" if meta.name.is_none() => meta.name = Some(v.to_owned()),
            "Version" if meta.version.is_none() => meta.version = Some(v.to_owned()),
            "Requires-Dist" => {
                let end = v
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.[]".contains(c)))
                    .unwrap_or(v.len());
                requires.insert(v[..end].to_owned(), v[end..].trim().to_owned());
            }
            _ => {}
        }
    }
    if !requires.is_empty() {
        meta.dependencies
            .insert("Requires-Dist".to_owned(), requires);
    }
    meta
}

fn java(text: &str) -> PackageMeta {
    let mut meta = PackageMeta {
        ecosystem: Some(Ecosystem::Java),
        ..PackageMeta::default()
    };
    for (k, v) in headers(text) {
        match k {
            "Implementation-Title" | "Bundle-SymbolicName" if meta.name.is_none() => {
                meta.name = Some(v.to_owned());
            }
            "Implementation-Version" | "Bundle-Version" if meta.version.is_none() => {
                meta.version = Some(v.to_owned());
            }
            _ => {}
        }
    }
    meta
}

/// Names the format from the container and what it holds.
pub fn format_of(
    magic: Magic,
    file_name: &str,
    entries: &[Entry],
    meta: Option<&PackageMeta>,
) -> Format {
    let has = |p: &str| entries.iter().any(|e| e.installed && e.path == p);
    let lower = file_name.to_ascii_lowercase();
    match magic {
        Magic::Zip => {
            let dist_info = entries.iter().any(|e| {
                e.path.split_once('/').is_some_and(|(d, f)| {
                    d.ends_with(".dist-info") && (f == "WHEEL" || f == "METADATA")
                })
            });
            if dist_info || lower.ends_with(".whl") {
                Format::Wheel
            } else if has("extension.vsixmanifest")
                || has("extension/package.json")
                || lower.ends_with(".vsix")
            {
                Format::Vsix
            } else if has("META-INF/MANIFEST.MF") || lower.ends_with(".jar") {
                Format::Jar
            } else {
                Format::Zip
            }
        }
        Magic::Gzip | Magic::Tar => {
            let gz = magic == Magic::Gzip;
            let eco = meta.and_then(|m| m.ecosystem);
            if has("Cargo.toml.orig") || lower.ends_with(".crate") {
                Format::Crate
            } else if eco == Some(Ecosystem::Python) {
                Format::PythonSdist
            } else if gz && eco == Some(Ecosystem::Npm) {
                Format::NpmTarball
            } else if gz {
                Format::TarGz
            } else {
                Format::Tar
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(path: &str, text: &str) -> PackageMeta {
        parse(&[(path.to_owned(), text.as_bytes().to_vec())]).expect("one file parses")
    }

    #[test]
    fn npm_metadata() {
        let m = one(
            "package.json",
            r#"{"name":"demo","version":"1.2.3","scripts":{"postinstall":"node x.js"},
                "dependencies":{"a":"^1"},"files":["dist"],"bundleDependencies":["b"]}"#,
        );
        assert_eq!(
            (m.name.as_deref(), m.version.as_deref()),
            (Some("demo"), Some("1.2.3"))
        );
        assert_eq!(m.scripts["postinstall"], "node x.js");
        assert_eq!(m.dependencies["dependencies"]["a"], "^1");
        assert_eq!(m.dependencies["bundleDependencies"]["b"], "bundled");
        assert_eq!(m.files, Some(vec!["dist".to_owned()]));
    }

    #[test]
    fn broken_package_json_is_reported_not_fatal() {
        let m = one("package.json", "{nope");
        assert!(
            m.error
                .as_deref()
                .is_some_and(|e| e.contains("not valid JSON")),
            "{m:?}"
        );
    }

    #[test]
    fn cargo_python_java_metadata() {
        let c = one(
            "Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\nbuild = \"build.rs\"\n[dependencies.serde]\nversion = \"1\"\n",
        );
        assert_eq!(
            (c.name.as_deref(), c.version.as_deref()),
            (Some("x"), Some("0.1.0"))
        );
        assert_eq!(c.scripts["build"], "build.rs");
        assert!(c.dependencies["dependencies"]["serde"].contains("version"));
        let p = one(
            "demo-1.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: requests (>=2)\n\nbody: no\n",
        );
        assert_eq!(
            (p.name.as_deref(), p.version.as_deref()),
            (Some("demo"), Some("1.0"))
        );
        assert_eq!(p.dependencies["Requires-Dist"]["requests"], "(>=2)");
        let j = one(
            "META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\nImplementation-Title: lib\nImplementation-Version: 2\n",
        );
        assert_eq!(
            (j.name.as_deref(), j.version.as_deref()),
            (Some("lib"), Some("2"))
        );
    }

    #[test]
    fn metadata_paths() {
        assert!(is_metadata_path("package.json"));
        assert!(is_metadata_path("demo-1.0.dist-info/METADATA"));
        assert!(
            !is_metadata_path("lib/package.json"),
            "nested package.json is not the package's"
        );
    }
}
