//! The readers against generated fixtures: every format, nested archives, content access,
//! modes, and broken input.

mod common;

use common::check::{entry, error_of, fixture, paths, read, sha256_hex};
use common::fixtures::{self, Tar, Zip, ZipRecord, gzip, write};
use shipcheck::artifact::{Entry, EntryKind, Format, Limits, Options, read_bytes, read_file};

#[test]
fn npm_tarball_strips_the_root_and_reads_package_json() {
    let bytes = fixtures::npm_tgz_with(
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
        js.raw_path().as_deref(),
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
    let (_dir, a) = fixture("demo-0.1.0.crate", &fixtures::crate_file("demo", "0.1.0"));
    assert_eq!(a.format, Format::Crate);
    assert_eq!(a.root.as_deref(), Some("demo-0.1.0"));
    assert_eq!(paths(&a), ["Cargo.toml", "Cargo.toml.orig", "src/lib.rs"]);
    let meta = a.package.as_ref().expect("Cargo.toml is read");
    assert_eq!(a.title(), "demo@0.1.0");
    assert_eq!(meta.dependencies["dependencies"]["serde"], "1");
}

#[test]
fn crate_is_recognised_by_content_not_name() {
    let (_dir, a) = fixture("renamed.tar.gz", &fixtures::crate_file("demo", "0.1.0"));
    assert_eq!(
        a.format,
        Format::Crate,
        "Cargo.toml.orig marks a .crate whatever its name"
    );
}

#[test]
fn python_sdist() {
    let (_dir, a) = fixture("demo-1.0.tar.gz", &fixtures::sdist("demo", "1.0"));
    assert_eq!(a.format, Format::PythonSdist);
    assert_eq!(paths(&a), ["PKG-INFO", "setup.py", "demo/__init__.py"]);
    assert_eq!(a.title(), "demo@1.0");
    let meta = a.package.as_ref().expect("PKG-INFO read");
    assert_eq!(meta.dependencies["Requires-Dist"]["requests"], "(>=2)");
}

#[test]
fn wheel() {
    let (_dir, a) = fixture("demo-1.0-py3-none-any.whl", &fixtures::wheel("demo", "1.0"));
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
    let (_d1, jar) = fixture("demo.jar", &fixtures::jar());
    assert_eq!(jar.format, Format::Jar);
    assert_eq!(jar.title(), "demo-lib@2.0.1", "from META-INF/MANIFEST.MF");
    let (_d2, vsix) = fixture("demo.vsix", &fixtures::vsix());
    assert_eq!(vsix.format, Format::Vsix);
    assert_eq!(
        vsix.title(),
        "demo-ext@0.0.3",
        "from extension/package.json"
    );
    let (_d3, renamed) = fixture("demo.zip", &fixtures::vsix());
    assert_eq!(
        renamed.format,
        Format::Vsix,
        "recognised by content, not by name"
    );
}

#[test]
fn zip_written_by_the_zip_crate() {
    let (_dir, a) = fixture("plain.zip", &fixtures::plain_zip_by_crate());
    assert_eq!(a.format, Format::Zip);
    assert_eq!(paths(&a), ["docs", "docs/readme.txt", "bin/tool"]);
    assert_eq!(entry(&a, "docs").kind, EntryKind::Dir);
    assert_eq!(entry(&a, "bin/tool").mode & 0o777, 0o755, "unix mode kept");
    assert_eq!(entry(&a, "docs/readme.txt").size, 17);
    assert_eq!(a.file_count(), 2);
}

#[test]
fn magic_bytes_win_over_the_extension() {
    let tgz = fixtures::npm_tgz("x", "1.0.0", &[]);
    let (_d1, a) = fixture("looks-like.zip", &tgz);
    assert_eq!(
        a.format,
        Format::NpmTarball,
        "a .zip name holding a tgz is a tgz"
    );
    let (_d2, b) = fixture("looks-like.tgz", &fixtures::jar());
    assert_eq!(b.format, Format::Jar, "a .tgz name holding a zip is a zip");
}

#[test]
fn nested_archives_read_from_memory() {
    let tgz = fixtures::npm_tgz("inner", "2.0.0", &[("a.js", b"1")]);
    let a = read_bytes("dist/inner.tgz", &tgz, &Options::default(), None).expect("reads");
    assert_eq!(a.title(), "inner@2.0.0");
    assert_eq!(a.digests.sha256, sha256_hex(&tgz));
    let zip = fixtures::wheel("w", "3.0");
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
    let bytes = fixtures::npm_tgz("x", "1.0.0", &[("a.txt", b"alpha"), ("b.txt", b"beta")]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "x.tgz", &bytes);
    let mut seen = Vec::new();
    let visit = &mut |e: &Entry, data: &shipcheck::artifact::Content| {
        seen.push((e.path.clone(), data.to_vec()));
    };
    let a = read_file(&path, &Options::default(), Some(visit), None).expect("reads");
    assert_eq!(
        seen.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["package.json", "a.txt", "b.txt"],
        "the visitor sees every file once, in order"
    );
    let b = entry(&a, "b.txt");
    assert_eq!(&*a.content(b.index).expect("content"), b"beta");
    let zip_path = write(dir.path(), "w.whl", &fixtures::wheel("w", "1.0"));
    let z = read(&zip_path);
    let init = entry(&z, "w/__init__.py");
    assert_eq!(
        &*z.content(init.index).expect("zip content"),
        b"VALUE = 1\n"
    );
}

#[test]
fn broken_inputs_are_clear_errors() {
    let tgz = fixtures::npm_tgz("x", "1.0.0", &[("a.js", &[b'a'; 5000])]);
    let mut corrupt_deflate = tgz.clone();
    for b in &mut corrupt_deflate[12..40] {
        *b ^= 0x5a;
    }
    let zip = fixtures::wheel("w", "1.0");
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
fn a_v7_tar_without_ustar_magic_is_recognised_by_its_checksum() {
    let mut h = fixtures::header(b"proj/a.txt", fixtures::flag::FILE, 1, b"", 0o644);
    h[257..265].fill(0);
    fixtures::fix_checksum(&mut h);
    let mut bytes = h.to_vec();
    bytes.extend_from_slice(b"a");
    bytes.resize(1024, 0);
    bytes.extend_from_slice(&[0u8; 1024]);
    let (_dir, a) = fixture("v7.tar", &bytes);
    assert_eq!(a.format, Format::Tar);
    assert_eq!(paths(&a), ["a.txt"]);
}

#[test]
fn repeated_pkg_info_headers_read_like_pip() {
    let info = "Metadata-Version: 2.1\nName: real\nVersion: 1.0\nName: decoy\nVersion: 9.9\n\n";
    let mut t = Tar::new();
    t.file("real-1.0/PKG-INFO", info.as_bytes());
    let (_dir, a) = fixture("real-1.0.tar.gz", &gzip(&t.finish()));
    assert_eq!(
        a.title(),
        "real@1.0",
        "the first of repeated headers, as email.parser gives"
    );
}

#[test]
fn gzip_members_and_padding_read_as_node_zlib_reads_them() {
    let mut t = Tar::new();
    t.file("package/package.json", br#"{"name":"x","version":"1.0.0"}"#);
    let gz = gzip(&t.finish());
    let mut padded = gz.clone();
    padded.extend_from_slice(&[0u8; 512]);
    let (_d1, a) = fixture("padded.tgz", &padded);
    assert_eq!(
        paths(&a),
        ["package.json"],
        "zero padding after the member is ignored"
    );
    assert_eq!(
        a.digests.sha256,
        sha256_hex(&padded),
        "the digest covers the padding"
    );
    let mut split = Tar::new();
    split.file("package/package.json", br#"{"name":"x","version":"1.0.0"}"#);
    let mut two = gzip(&split.bytes);
    let mut rest = Tar::new();
    rest.file("package/second.js", b"2");
    two.extend_from_slice(&gzip(&rest.finish()));
    let (_d2, b) = fixture("members.tgz", &two);
    assert_eq!(
        paths(&b),
        ["package.json", "second.js"],
        "members are read back to back"
    );
    let mut garbage = gz;
    garbage.extend_from_slice(b"hello");
    let err = error_of("garbage.tgz", &garbage, Limits::default());
    assert!(
        err.contains("garbage.tgz: corrupt gzip: bytes after the compressed data"),
        "{err}"
    );
}

/// Opens `path` as the review screen does: entries located, contents not held.
fn indexed(path: &std::path::Path) -> shipcheck::artifact::Artifact {
    let opts = Options {
        index: true,
        ..Options::default()
    };
    read_file(path, &opts, None, None).expect("reads")
}

#[test]
fn located_entries_read_again_through_the_first_handle_and_a_change_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| {
            (
                format!("f{i}.js"),
                format!("// {i}\n").repeat(3000).into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let tgz = fixtures::npm_tgz("x", "1.0.0", &refs);
    let path = write(dir.path(), "x.tgz", &tgz);
    let a = indexed(&path);
    for (name, bytes) in &files {
        let e = entry(&a, name);
        assert_eq!(
            &*a.content(e.index).expect("reads again"),
            bytes.as_slice(),
            "{name} reads again as it was hashed"
        );
    }
    // Replaced on disk under the review: the handle of the first pass still reads the old file.
    let other = fixtures::npm_tgz("x", "1.0.0", &[("f0.js", b"swapped")]);
    let tmp = write(dir.path(), "other.tgz", &other);
    std::fs::rename(&tmp, &path).expect("replace the artifact");
    let f0 = entry(&a, "f0.js");
    assert_eq!(
        &*a.content(f0.index).expect("the kept handle reads"),
        files[0].1.as_slice(),
        "a replaced file is not what gets shown"
    );

    // A plain tar changed in place: the bytes read again no longer hash as recorded.
    let tgz_y = fixtures::npm_tgz("y", "1.0.0", &[("a.txt", b"alpha alpha")]);
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&tgz_y[..]), &mut tar)
        .expect("gunzips");
    let tar_path = write(dir.path(), "y.tar", &tar);
    let y = indexed(&tar_path);
    let at = tar
        .windows(11)
        .position(|w| w == b"alpha alpha")
        .expect("the data is stored");
    let mut changed = tar.clone();
    changed[at] = b'A';
    std::fs::write(&tar_path, &changed).expect("change in place");
    let e = entry(&y, "a.txt");
    let err = y.content(e.index).expect_err("changed bytes are refused");
    assert!(
        format!("{err:#}").contains("changed on disk"),
        "the error says what happened: {err:#}"
    );

    // A gzip'd tar changed in place: an error that says the file may have changed.
    let gz_path = write(dir.path(), "z.tgz", &tgz);
    let z = indexed(&gz_path);
    let mut broken = tgz.clone();
    let mid = broken.len() / 2;
    for b in &mut broken[mid..mid + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&gz_path, &broken).expect("change in place");
    let last = entry(&z, "f39.js");
    let err = z
        .content(last.index)
        .expect_err("a changed stream is refused");
    assert!(
        format!("{err:#}").contains("change"),
        "the error says the file may have changed: {err:#}"
    );

    // A zip entry reads again from its offset.
    let zip_path = write(dir.path(), "w.whl", &fixtures::wheel("w", "1.0"));
    let z = indexed(&zip_path);
    let init = entry(&z, "w/__init__.py");
    assert_eq!(&*z.content(init.index).expect("zip entry"), b"VALUE = 1\n");
}
