//! Archives shipped inside the package (`.tgz`, `.zip`, `.jar`, `.whl`…): opened one level
//! deep, in memory, so their files appear in the tree and can be previewed like any other.

use std::sync::Arc;

use crate::artifact::{self, Limits, Options};

/// Nested archives larger than this are listed but not opened; it is also what all the nested
/// archives of one tree together may unpack to (their contents are kept for the preview, so a
/// cap per archive alone let a hundred small bombs hold a hundred times it).
pub const MAX_NESTED: usize = 256 << 20;

/// The installed files of a nested archive with their bytes; empty when it cannot be read
/// (the rules report broken archives; the tree just shows the entry) or when `budget`, what
/// the tree's nested archives may still unpack to, runs out. Charges `budget` what it read.
pub fn files(name: &str, bytes: &[u8], budget: &mut u64) -> Vec<(String, Arc<[u8]>)> {
    if bytes.len() > MAX_NESTED || *budget == 0 {
        return Vec::new();
    }
    let opts = Options {
        limits: Limits {
            max_unpacked: *budget,
            ..Limits::default()
        },
        keep_contents: true,
        digesting: crate::artifact::Digesting::InPass,
        index: false,
    };
    let (read, used) = artifact::read_bytes_metered(name, bytes, &opts, None);
    *budget = budget.saturating_sub(used);
    let Ok(inner) = read else {
        return Vec::new();
    };
    inner
        .installed()
        .filter(|e| e.is_file())
        .filter_map(|e| {
            let content = inner.content(e.index).ok()?;
            Some((e.path.clone(), Arc::from(content.as_ref())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_tarball_lists_its_files() {
        let tgz = crate::review::tests::fixtures::tgz(&[(b"index.js", b"module.exports = 1;\n")]);
        let mut budget = MAX_NESTED as u64;
        let listed = files("vendor/dep.tgz", &tgz, &mut budget);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, "index.js", "npm's package/ root is stripped");
        assert_eq!(&*listed[0].1, b"module.exports = 1;\n");
        assert!(
            budget < MAX_NESTED as u64,
            "reading it was charged to the budget"
        );
        assert!(
            files("x.tgz", b"not an archive", &mut budget).is_empty(),
            "garbage lists nothing"
        );
        let mut spent = 0;
        assert!(
            files("vendor/dep.tgz", &tgz, &mut spent).is_empty(),
            "nothing is opened once the budget is spent"
        );
    }

    #[test]
    fn one_budget_bounds_all_the_nested_archives_together() {
        let zeros = vec![0u8; 1 << 20];
        let bomb = crate::review::tests::fixtures::tgz(&[(b"zeros.bin".as_slice(), &zeros)]);
        let mut budget = 3 << 20;
        let opened = (0..10)
            .filter(|_| !files("vendor/bomb.tgz", &bomb, &mut budget).is_empty())
            .count();
        assert_eq!(
            opened, 2,
            "two 1 MiB archives fit a 3 MiB budget with their headers; the third runs past \
             it and the rest are not opened"
        );
        assert_eq!(budget, 0, "the budget is spent");
    }
}
