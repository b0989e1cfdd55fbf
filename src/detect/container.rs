//! Recognising archives: by their first bytes (what the reader opens) and, for an archive
//! shipped inside a package, by bytes and name together. The one place both are decided, so
//! the reader, the `nested-archive` rule and the review screen's tree agree.

/// Container signatures we recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    /// `1f 8b`.
    Gzip,
    /// `ustar` at offset 257, or a v7 header with a valid checksum.
    Tar,
    /// `PK\x03\x04` (or an empty zip's `PK\x05\x06`).
    Zip,
}

/// Recognises a container from its first bytes.
pub fn sniff_bytes(head: &[u8]) -> Option<Magic> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some(Magic::Gzip)
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Magic::Zip)
    } else if is_tar_header(head) {
        Some(Magic::Tar)
    } else {
        None
    }
}

/// True when `head` starts with a tar header: `ustar` magic, or a v7 header whose checksum adds up.
pub fn is_tar_header(head: &[u8]) -> bool {
    if head.len() < 512 {
        return false;
    }
    if &head[257..262] == b"ustar" {
        return true;
    }
    let stored = std::str::from_utf8(&head[148..156])
        .ok()
        .and_then(|s| u32::from_str_radix(s.trim_matches(|c: char| c == '\0' || c == ' '), 8).ok());
    let sum: u32 = head[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    head[0] != 0 && stored == Some(sum)
}

/// True when a file shipped inside a package is an archive of files that shipcheck opens one
/// level deep: a zip (not an office document or browser extension), a tar, or a gzip named as
/// a tarball (`.tgz`, `.tar.gz`, `.crate`). Plain `.gz` of a single file is compressed data,
/// not an archive of files, and is left to the other rules.
pub fn is_nested_archive(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    let ends = |exts: &[&str]| exts.iter().any(|e| lower.ends_with(e));
    match sniff_bytes(bytes) {
        Some(Magic::Zip) => {
            !ends(&[".docx", ".xlsx", ".pptx", ".odt", ".epub", ".xpi"])
                && data_archive(name, bytes).is_none()
        }
        Some(Magic::Tar) => true,
        Some(Magic::Gzip) => ends(&[".tgz", ".tar.gz", ".crate"]),
        None => false,
    }
}

/// The data format of a zip that holds data, not files of a package: a NumPy `.npz` is a zip
/// of `.npy` arrays (`numpy.savez`), read by `numpy.load`, never installed or executed.
/// Named by extension and confirmed by bytes, so a package renamed `.npz` is still opened.
pub fn data_archive(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let npz = name.to_ascii_lowercase().ends_with(".npz")
        && sniff_bytes(bytes) == Some(Magic::Zip)
        // The first member of `numpy.savez`'s output is an `.npy` array: its local header's
        // name (at 30, length at 26) ends in `.npy`.
        && bytes.len() >= 30
        && {
            let len = usize::from(u16::from_le_bytes([bytes[26], bytes[27]]));
            bytes
                .get(30..30 + len)
                .is_some_and(|n| n.to_ascii_lowercase().ends_with(b".npy"))
        };
    npz.then_some("NumPy array archive (.npz)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_archives_are_recognised_by_their_bytes() {
        assert!(is_nested_archive("vendor/x.tgz", &[0x1f, 0x8b, 8, 0]));
        assert!(is_nested_archive("lib/renamed.bin", b"PK\x03\x04rest"));
        assert!(
            !is_nested_archive("data/words.txt.gz", &[0x1f, 0x8b, 8, 0]),
            "a compressed file is not an archive of files"
        );
        assert!(
            !is_nested_archive("a.tgz", b"not gzip"),
            "the name alone is not enough"
        );
        assert!(!is_nested_archive("doc.docx", b"PK\x03\x04"));
        let mut tar = vec![0u8; 1024];
        tar[257..262].copy_from_slice(b"ustar");
        assert!(is_nested_archive("x.data", &tar));
    }

    /// A zip's local file header for a stored member named `name` holding `data`.
    fn zip_member(name: &str, data: &[u8]) -> Vec<u8> {
        let mut v = b"PK\x03\x04".to_vec();
        v.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        v.extend([0; 4]); // crc, unchecked here
        v.extend(u32::try_from(data.len()).expect("small").to_le_bytes());
        v.extend(u32::try_from(data.len()).expect("small").to_le_bytes());
        v.extend(u16::try_from(name.len()).expect("small").to_le_bytes());
        v.extend([0, 0]);
        v.extend(name.as_bytes());
        v.extend(data);
        v
    }

    #[test]
    fn a_numpy_npz_is_an_array_archive_not_a_package() {
        // What `numpy.savez(f, weights=a)` writes first: `weights.npy`, magic `\x93NUMPY`.
        let npz = zip_member("weights.npy", b"\x93NUMPY\x01\x00");
        assert_eq!(
            data_archive("model/weights.npz", &npz),
            Some("NumPy array archive (.npz)")
        );
        assert!(!is_nested_archive("model/weights.npz", &npz));
        let renamed = zip_member("package/package.json", b"{}");
        assert_eq!(
            data_archive("evil.npz", &renamed),
            None,
            "a zip of package files named .npz is still a nested archive"
        );
        assert!(is_nested_archive("evil.npz", &renamed));
        assert_eq!(
            data_archive("a.npz", b"PK\x03\x04"),
            None,
            "truncated: no panic"
        );
    }
}
