//! Python sdists: what pip runs to build one.
//!
//! pip installs a wheel when one fits the platform and otherwise builds the sdist, which means
//! running its build backend (PEP 517): `[build-system] build-backend` of `pyproject.toml`, or
//! `setuptools.build_meta:__legacy__` without one. With setuptools that runs `setup.py`; an
//! in-tree backend (`backend-path`) is the package's own code; hatchling, pdm-backend and
//! poetry-core run a hook file of the package when configured (`hatch_build.py`,
//! `pdm_build.py`, the `build` script). Those are medium: running the package's code at build
//! is what an sdist is (every setuptools sdist does it), so it alone must not fail a clean
//! release, but a reviewer sees it. What matters is a change: build code new since the
//! baseline is critical and changed build code high, as for npm's install scripts. Other
//! backends run only their own code, fetched from PyPI by `requires` (info), or, for the
//! compiling ones (maturin, scikit-build-core, meson-python…), the package's own native build
//! (low).

use serde_json::json;

use super::{RULE, Since, at_entry, shown};
use crate::artifact::{Artifact, Entry};
use crate::manifest::Manifest;
use crate::rules::{Finding, Location, Severity};

/// pip's backend when `pyproject.toml` names none.
const DEFAULT_BACKEND: &str = "setuptools.build_meta:__legacy__";

/// Backends that compile the package's own native build (Cargo, CMake, meson, SIP, SCons).
const COMPILING_BACKENDS: &[&str] = &[
    "maturin",
    "scikit_build_core",
    "mesonpy",
    "py_build_cmake",
    "sipbuild",
    "enscons",
    "setuptools_rust",
];

/// What `pyproject.toml` says about building.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pyproject {
    /// `[build-system] build-backend`.
    backend: Option<String>,
    /// `[build-system] backend-path`: folders of an in-tree backend.
    backend_path: Vec<String>,
    /// `[build-system] requires`.
    requires: Vec<String>,
    /// Hook files a backend runs when they ship, with the backend that runs them.
    hooks: Vec<(String, &'static str)>,
}

fn strings(v: Option<&toml::Value>) -> Vec<String> {
    v.and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .take(32)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads the build settings of a `pyproject.toml` (nothing when it is not TOML).
pub fn pyproject(bytes: &[u8]) -> Pyproject {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Pyproject::default();
    };
    let get = |path: &[&str]| -> Option<&toml::Value> {
        let (first, rest) = path.split_first()?;
        rest.iter().try_fold(doc.get(*first)?, |v, k| v.get(*k))
    };
    let system = get(&["build-system"]);
    let backend = system
        .and_then(|s| s.get("build-backend"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned);
    let mut hooks = Vec::new();
    let family = backend.as_deref().unwrap_or_default();
    // hatchling: a `custom` build hook, globally or per target; its file defaults to
    // `hatch_build.py`.
    if family.starts_with("hatchling") {
        let targets: Vec<&toml::Value> = get(&["tool", "hatch", "build", "targets"])
            .and_then(toml::Value::as_table)
            .map_or_else(Vec::new, |t| {
                t.values()
                    .filter_map(|v| v.get("hooks")?.get("custom"))
                    .collect()
            });
        for custom in get(&["tool", "hatch", "build", "hooks", "custom"])
            .into_iter()
            .chain(targets)
        {
            let path = custom.get("path").and_then(toml::Value::as_str);
            hooks.push((path.unwrap_or("hatch_build.py").to_owned(), "hatchling"));
        }
    }
    // pdm-backend runs `pdm_build.py` whenever it ships (or the configured file).
    if family.starts_with("pdm") {
        let path = get(&["tool", "pdm", "build", "custom-hook"]).and_then(toml::Value::as_str);
        hooks.push((path.unwrap_or("pdm_build.py").to_owned(), "pdm-backend"));
    }
    // poetry-core: `[tool.poetry.build] script = "build.py"` (or the older `build = "build.py"`).
    if family.starts_with("poetry") {
        let build = get(&["tool", "poetry", "build"]);
        let script = build
            .and_then(|b| b.get("script"))
            .or(build)
            .and_then(toml::Value::as_str);
        if let Some(script) = script {
            hooks.push((script.to_owned(), "poetry-core"));
        }
    }
    hooks.dedup();
    Pyproject {
        backend,
        backend_path: strings(system.and_then(|s| s.get("backend-path"))),
        requires: strings(system.and_then(|s| s.get("requires"))),
        hooks,
    }
}

/// The entry at a path relative to the sdist root (`./` and a trailing `/` ignored).
fn find<'a>(a: &'a Artifact, path: &str) -> Option<&'a Entry> {
    let clean = path.trim_start_matches("./").trim_end_matches('/');
    a.installed().find(|e| e.path == clean)
}

/// The files an in-tree backend module can be: `dir/pkg/mod.py` or `dir/pkg/mod/__init__.py`.
fn backend_module<'a>(a: &'a Artifact, p: &Pyproject) -> Option<&'a Entry> {
    let module = p
        .backend
        .as_deref()?
        .split(':')
        .next()?
        .trim()
        .replace('.', "/");
    p.backend_path.iter().find_map(|dir| {
        let dir = dir.trim_start_matches("./").trim_end_matches('/');
        let base = if dir.is_empty() || dir == "." {
            module.clone()
        } else {
            format!("{dir}/{module}")
        };
        find(a, &format!("{base}.py")).or_else(|| find(a, &format!("{base}/__init__.py")))
    })
}

/// Reports what building an sdist runs.
pub(super) fn check(
    a: &Artifact,
    baseline: Option<&Manifest>,
    pyproject: Option<&Pyproject>,
    out: &mut Vec<Finding>,
) {
    let empty = Pyproject::default();
    let p = pyproject.unwrap_or(&empty);
    let backend = p.backend.as_deref().unwrap_or(DEFAULT_BACKEND);
    let evidence = |runs: &str, since: Since| {
        json!({
            "ecosystem": "python",
            "runs": shown(runs),
            "backend": shown(backend),
            "backend_path": p.backend_path.iter().map(|d| shown(d)).collect::<Vec<_>>(),
            "requires": p.requires.iter().map(|r| shown(r)).collect::<Vec<_>>(),
            "baseline": since.json(),
        })
    };
    // Package code that runs: high, critical when new since the baseline.
    let mut runs: Vec<(Option<&Entry>, String)> = Vec::new();
    if let Some(setup) = find(a, "setup.py")
        && (p.backend.is_none() || backend.starts_with("setuptools"))
    {
        let message = format!(
            "pip runs `setup.py` to build this sdist (backend `{}`) wherever no wheel fits",
            shown(backend)
        );
        runs.push((Some(setup), message));
    }
    if !p.backend_path.is_empty() {
        let dirs: Vec<String> = p.backend_path.iter().map(|d| shown(d)).collect();
        let message = format!(
            "build backend `{}` is the package's own code (backend-path {}): pip runs it to build this sdist",
            shown(backend),
            dirs.join(", ")
        );
        let module = backend_module(a, p).or_else(|| find(a, "pyproject.toml"));
        runs.push((module, message));
    }
    for (hook, runner) in &p.hooks {
        if let Some(e) = find(a, hook) {
            let message = format!(
                "{runner} runs `{}` to build this sdist wherever no wheel fits",
                shown(&e.path)
            );
            runs.push((Some(e), message));
        }
    }
    for (entry, message) in &runs {
        let since = Since::of(*entry, baseline, str::to_owned);
        let location = entry.map_or_else(Location::default, |e| at_entry(e, None));
        let path = entry.map_or("pyproject.toml", |e| e.path.as_str());
        out.push(
            Finding::new(&RULE, location, format!("{message}{}", since.note()))
                .severity(since.severity(Severity::Medium))
                .evidence(evidence(path, since)),
        );
    }
    if !runs.is_empty() {
        return;
    }
    // Only a third-party backend runs (if the sdist can be built at all).
    let Some(pyproject_entry) = find(a, "pyproject.toml").filter(|_| p.backend.is_some()) else {
        return;
    };
    let module = backend.split([':', '.']).next().unwrap_or_default();
    let (severity, what) = if COMPILING_BACKENDS.contains(&module) {
        (
            Severity::Low,
            "which compiles and runs the package's own native build (build scripts, CMake, meson)",
        )
    } else {
        (
            Severity::Info,
            "which runs only the backend's own code from PyPI",
        )
    };
    out.push(
        Finding::new(
            &RULE,
            at_entry(pyproject_entry, None),
            format!("pip builds this sdist with `{}`, {what}", shown(backend)),
        )
        .severity(severity)
        .evidence(evidence("pyproject.toml", Since::Unknown)),
    );
}

#[cfg(test)]
mod tests {
    use super::super::tests::{SETUP, findings, sdist};
    use super::*;

    #[test]
    fn an_sdist_with_setup_py_runs_it_at_install() {
        let a = sdist(&[("setup.py", SETUP)]);
        let out = findings(&a, None);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Medium);
        assert_eq!(out[0].location.path, "setup.py");
        assert!(
            out[0].message.contains("setuptools.build_meta:__legacy__"),
            "names pip's default backend: {}",
            out[0].message
        );
        let with_backend = sdist(&[
            ("setup.py", SETUP),
            (
                "pyproject.toml",
                b"[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n",
            ),
        ]);
        let out = findings(&with_backend, None);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].evidence["backend"], "setuptools.build_meta");
        assert_eq!(out[0].evidence["requires"][0], "setuptools>=61");
    }

    #[test]
    fn in_tree_backends_and_hook_files_are_the_package_s_code() {
        let a = sdist(&[
            (
                "pyproject.toml",
                b"[build-system]\nrequires = []\nbuild-backend = \"backend:api\"\nbackend-path = [\"_build\"]\n",
            ),
            ("_build/backend.py", b"def build_wheel(*a): ...\n"),
        ]);
        let out = findings(&a, None);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Medium);
        assert_eq!(out[0].location.path, "_build/backend.py");
        assert!(
            out[0].message.contains("backend-path _build"),
            "{}",
            out[0].message
        );
        let pdm = sdist(&[
            (
                "pyproject.toml",
                b"[build-system]\nrequires = [\"pdm-backend\"]\nbuild-backend = \"pdm.backend\"\n",
            ),
            ("pdm_build.py", b"def pdm_build_initialize(ctx): ...\n"),
        ]);
        let out = findings(&pdm, None);
        assert_eq!(out[0].location.path, "pdm_build.py");
        assert_eq!(out[0].severity, Severity::Medium);
        let hatch = sdist(&[
            (
                "pyproject.toml",
                b"[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n[tool.hatch.build.targets.wheel.hooks.custom]\n",
            ),
            ("hatch_build.py", b"class Hook: ...\n"),
        ]);
        assert_eq!(findings(&hatch, None)[0].location.path, "hatch_build.py");
    }

    #[test]
    fn third_party_backends_are_info_or_low_when_they_compile() {
        let flit = sdist(&[(
            "pyproject.toml",
            b"[build-system]\nrequires = [\"flit_core\"]\nbuild-backend = \"flit_core.buildapi\"\n",
        )]);
        let out = findings(&flit, None);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Info);
        let hatch = sdist(&[
            (
                "pyproject.toml",
                b"[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
            ),
            ("hatch_build.py", b"unused without a custom hook\n"),
        ]);
        assert_eq!(findings(&hatch, None)[0].severity, Severity::Info);
        let maturin = sdist(&[(
            "pyproject.toml",
            b"[build-system]\nrequires = [\"maturin\"]\nbuild-backend = \"maturin\"\n",
        )]);
        assert_eq!(findings(&maturin, None)[0].severity, Severity::Low);
        let flit_with_setup = sdist(&[
            (
                "pyproject.toml",
                b"[build-system]\nrequires = [\"flit_core\"]\nbuild-backend = \"flit_core.buildapi\"\n",
            ),
            ("setup.py", SETUP),
        ]);
        assert_eq!(
            findings(&flit_with_setup, None)[0].severity,
            Severity::Info,
            "flit never runs setup.py"
        );
        assert!(
            findings(&sdist(&[("demo/__init__.py", b"")]), None).is_empty(),
            "nothing to build with"
        );
    }

    #[test]
    fn a_new_setup_py_is_critical_against_the_baseline() {
        let old = sdist(&[(
            "pyproject.toml",
            b"[build-system]\nrequires = [\"flit_core\"]\nbuild-backend = \"flit_core.buildapi\"\n",
        )]);
        let new = sdist(&[("setup.py", SETUP)]);
        let out = findings(&new, Some(&Manifest::of(&old)));
        assert_eq!(out[0].severity, Severity::Critical);
        assert!(out[0].message.contains("new since the baseline"));
        let same = findings(&new, Some(&Manifest::of(&new)));
        assert_eq!(
            same[0].severity,
            Severity::Medium,
            "unchanged: as without a baseline"
        );
    }
}
