//! Python sdists (`pkg-1.0/` root, `PKG-INFO`, `setup.py`) with hostile members: names from
//! the same pool as the zips, links in and out of the tree, hard links, devices, FIFOs,
//! setuid modes, pax and GNU long names, duplicates. The oracle is Python's tarfile with the
//! `data` filter (what pip uses to unpack an sdist where the filter exists).

use super::Rng;
use crate::common::fixtures::{Tar, gzip};

/// Member names under the root (UTF-8 text; the zip pool's byte names are for zips).
pub const NAMES: &[&str] = &[
    "pkg/__init__.py",
    "pkg/util.py",
    "evil.pth",
    "../escape.py",
    "pkg/../../up.py",
    "/abs/root.py",
    "C:/win/drive.py",
    "pkg\\back\\slash.py",
    "pkg/ctl\x1b[31m.py",
    "pkg/bidi\u{202e}yp.exe",
    "pkg/café.py",
    "pkg/cafe\u{301}.py",
    "pkg/Case.py",
    "pkg/case.py",
    "pkg/./dot.py",
    "pkg//double.py",
];

/// Member kinds.
pub const KINDS: &[&str] = &[
    "file",
    "file",
    "file",
    "setuid",
    "mode",
    "dir",
    "symlink-in",
    "symlink-out",
    "hardlink",
    "fifo",
    "chardev",
    "pax-path",
    "gnu-long",
    "duplicate",
];

/// A generated sdist and what was put in it.
pub struct Case {
    /// The `.tar.gz` bytes.
    pub bytes: Vec<u8>,
    /// (kind, name) of each hostile member.
    pub applied: Vec<(&'static str, &'static str)>,
}

/// An sdist from `seed`.
pub fn case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let root = "pkg-1.0";
    let mut t = Tar::new();
    t.dir(&format!("{root}/")).file(
        &format!("{root}/PKG-INFO"),
        b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n\n",
    );
    t.file(
        &format!("{root}/setup.py"),
        b"from setuptools import setup\nsetup()\n",
    );
    let mut applied = Vec::new();
    for _ in 0..=rng.below(3) {
        let name = *rng.pick(NAMES);
        let kind = *rng.pick(KINDS);
        let full = if name.starts_with('/') {
            name.to_owned()
        } else {
            format!("{root}/{name}")
        };
        let data: Vec<u8> = (0..rng.below(200))
            .map(|_| rng.next() as u8 % 64 + 32)
            .collect();
        match kind {
            "setuid" => {
                t.file_mode(&full, &data, 0o4755);
            }
            // What the data filter keeps of ordinary permission bits.
            "mode" => {
                let mode = *rng.pick(&[0o600, 0o640, 0o700, 0o755, 0o777, 0o666, 0, 0o751, 0o711]);
                t.file_mode(&full, &data, mode);
            }
            "dir" => {
                t.dir(&format!("{full}/"));
            }
            "symlink-in" => {
                t.link(&full, b'2', "setup.py");
            }
            "symlink-out" => {
                t.link(&full, b'2', "../../../etc/passwd");
            }
            "hardlink" => {
                t.link(&full, b'1', &format!("{root}/setup.py"));
            }
            "fifo" => t.raw(full.as_bytes(), b'6', 0, &[], &[]),
            "chardev" => t.raw(full.as_bytes(), b'3', 0, &[], &[]),
            "pax-path" => {
                t.pax(
                    &[("path", full.as_bytes())],
                    &format!("{root}/decoy.py"),
                    &data,
                );
            }
            "gnu-long" => {
                let long = format!("{root}/{}/{name}", "d".repeat(120));
                t.gnu_long_name(long.as_bytes(), &data);
            }
            "duplicate" => {
                t.file(&full, &data);
                t.file(&full, b"import os; os.system('id')\n");
            }
            _ => {
                t.file(&full, &data);
            }
        }
        applied.push((kind, name));
    }
    Case {
        bytes: gzip(&t.finish()),
        applied,
    }
}
