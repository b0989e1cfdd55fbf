//! Archives shipped inside the package (`.tgz`, `.zip`, `.jar`, `.whl`…): opened one level
//! deep, in memory, so their files appear in the tree and can be previewed like any other.

use std::sync::Arc;

use crate::artifact::{self, Limits, Options};

/// Nested archives larger than this are listed but not opened.
pub const MAX_NESTED: usize = 256 << 20;

/// The installed files of a nested archive with their bytes; empty when it cannot be read
/// (the rules report broken archives; the tree just shows the entry).
pub fn files(name: &str, bytes: &[u8]) -> Vec<(String, Arc<[u8]>)> {
    if bytes.len() > MAX_NESTED {
        return Vec::new();
    }
    let opts = Options {
        limits: Limits {
            max_unpacked: MAX_NESTED as u64,
            ..Limits::default()
        },
        keep_contents: true,
    };
    let Ok(inner) = artifact::read_bytes(name, bytes, &opts, None) else {
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
        let listed = files("vendor/dep.tgz", &tgz);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, "index.js", "npm's package/ root is stripped");
        assert_eq!(&*listed[0].1, b"module.exports = 1;\n");
        assert!(
            files("x.tgz", b"not an archive").is_empty(),
            "garbage lists nothing"
        );
    }
}
