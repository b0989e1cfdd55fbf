//! `archive-*`: the container anomalies the reader recorded, as critical findings.
//!
//! The reader (`crate::artifact`) notices every anomaly of the container itself while it
//! streams; this rule only turns each into a finding that points at its entry.

use crate::artifact::{AnomalyKind, Artifact};

use super::{Finding, Location, Rule, Severity};

/// The family entry for every `archive-*` id in the catalogue.
pub const RULE: Rule = Rule {
    id: "archive-*",
    severity: Severity::Critical,
    summary: "the container itself is malformed or hostile (traversal, links, duplicates, bombs)",
    why: "A package archive is input to an installer that writes files. Entries with `..` or \
          absolute paths, links, device files, duplicate paths (the later one silently wins), \
          names with control or bidi characters, or a compression bomb are either an attack or \
          a broken packer; either way the bytes a reviewer sees are not the bytes that land on \
          disk. The reader records each such anomaly; this rule reports each as critical.",
};

/// The id for an entry whose content the review path could not read back (so it was not
/// scanned).
pub const UNREADABLE: &str = "archive-unreadable-entry";

/// The rule id for an anomaly kind.
pub fn rule_id(kind: AnomalyKind) -> String {
    format!("archive-{}", kind.id())
}

/// One critical finding per anomaly.
pub fn findings(a: &Artifact) -> Vec<Finding> {
    a.anomalies
        .iter()
        .map(|an| {
            let entry = an.entry.and_then(|i| a.entries.get(i as usize));
            Finding {
                rule: rule_id(an.kind),
                severity: if an.kind.severity_is_high() {
                    Severity::High
                } else {
                    Severity::Critical
                },
                location: Location {
                    entry: an.entry,
                    // An entry the installer strips to nothing still has the name it came
                    // with: the finding points at that, never at an empty path.
                    path: entry
                        .map(|e| match (e.raw_path(), e.path.is_empty()) {
                            (Some(raw), true) => raw.into_owned(),
                            _ => e.path.clone(),
                        })
                        .unwrap_or_default(),
                    ..Location::default()
                },
                message: an.detail.clone(),
                evidence: serde_json::Value::Null,
                allowed: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::{self, Anomaly};
    use crate::rules::test_support::artifact_of;

    /// Name, type, link target, data.
    type RawEntry<'a> = (&'a [u8], tar::EntryType, &'a [u8], &'a [u8]);

    /// A gzip'd tar whose names (and link targets) are written raw, as an attacker would.
    fn hostile_tgz(entries: &[RawEntry<'_>]) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        for (name, kind, link, data) in entries {
            let mut h = tar::Header::new_ustar();
            let old = h.as_old_mut();
            old.name[..name.len()].copy_from_slice(name);
            old.linkname[..link.len()].copy_from_slice(link);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(*kind);
            h.set_cksum();
            b.append(&h, *data).expect("in-memory tar");
        }
        b.into_inner().expect("tar").finish().expect("gzip")
    }

    fn ids(a: &Artifact) -> Vec<(String, Severity, String)> {
        findings(a)
            .into_iter()
            .map(|f| (f.rule, f.severity, f.location.path))
            .collect()
    }

    #[test]
    fn each_anomaly_is_a_critical_finding_at_its_entry() {
        use tar::EntryType::{Regular, Symlink};
        let bytes = hostile_tgz(&[
            (
                b"package/package.json",
                Regular,
                b"",
                br#"{"name":"h","version":"1.0.0"}"#,
            ),
            (
                b"package/../../etc/cron.d/x",
                Regular,
                b"",
                b"* * * * * root sh",
            ),
            (b"package/key", Symlink, b"/home/u/.ssh/id_rsa", b""),
            (b"package/index.js", Regular, b"", b"good"),
            (b"package/index.js", Regular, b"", b"evil"),
            ("package/gnp\u{202e}sj.js".as_bytes(), Regular, b"", b"x"),
        ]);
        let a = artifact::read_bytes("h.tgz", &bytes, &artifact::Options::default(), None)
            .expect("a hostile archive is findings, not an error");
        let found = ids(&a);
        for rule in [
            "archive-path-traversal",
            "archive-symlink",
            "archive-duplicate-path",
            "archive-bidi-characters",
        ] {
            assert!(
                found.iter().any(|(r, _, _)| r == rule),
                "{rule} reported: {found:?}"
            );
        }
        assert!(
            found.iter().all(|(_, sev, _)| *sev == Severity::Critical),
            "every archive-* finding is critical: {found:?}"
        );
        let sym = found
            .iter()
            .find(|(r, _, _)| r == "archive-symlink")
            .expect("symlink");
        assert_eq!(sym.2, "key", "points at the link's install path");
        assert!(
            found
                .iter()
                .all(|(r, _, _)| r.starts_with("archive-") && lookup_is_family(r)),
            "ids resolve to the archive-* family in the catalogue"
        );
    }

    fn lookup_is_family(id: &str) -> bool {
        crate::rules::registry::lookup(id).id == RULE.id
    }

    #[test]
    fn a_clean_archive_has_none_and_an_artifact_wide_anomaly_has_no_path() {
        let mut a = artifact_of(&[("package/package.json", br#"{"name":"c","version":"1.0.0"}"#)]);
        assert!(findings(&a).is_empty(), "{:?}", a.anomalies);
        a.anomalies.push(Anomaly {
            kind: AnomalyKind::CompressionRatio,
            entry: None,
            detail: "unpacks to 2000x its packed size".into(),
        });
        a.anomalies.push(Anomaly {
            kind: AnomalyKind::DuplicatePath,
            entry: Some(0),
            detail: "package.json appears twice".into(),
        });
        let out = findings(&a);
        assert_eq!(out.len(), 2);
        assert_eq!(
            (
                out[0].rule.as_str(),
                out[0].location.path.as_str(),
                out[0].location.entry
            ),
            ("archive-compression-ratio", "", None),
            "artifact-wide: no entry, empty path"
        );
        assert_eq!(out[0].message, "unpacks to 2000x its packed size");
        assert_eq!(
            (out[1].location.path.as_str(), out[1].location.entry),
            ("package.json", Some(0))
        );
        assert_eq!(rule_id(AnomalyKind::TooDeep), "archive-too-deep");
    }

    #[test]
    fn a_write_through_an_earlier_symlink_is_link_traversal() {
        use tar::EntryType::{Directory, Regular, Symlink};
        let bytes = hostile_tgz(&[
            (
                b"package/package.json",
                Regular,
                b"",
                br#"{"name":"h","version":"1.0.0"}"#,
            ),
            (b"package/lib", Symlink, b"../../../home/u/.ssh", b""),
            (
                b"package/lib/authorized_keys",
                Regular,
                b"",
                b"ssh-ed25519 AAAA evil",
            ),
            (b"package/lib/deeper/x", Regular, b"", b"x"),
            (b"package/libx/y.js", Regular, b"", b"not under lib/"),
            (b"package/dir/", Directory, b"", b""),
            (b"package/dir/z.js", Regular, b"", b"a real folder"),
        ]);
        let a = artifact::read_bytes("h.tgz", &bytes, &artifact::Options::default(), None)
            .expect("findings, not an error");
        let through: Vec<_> = ids(&a)
            .into_iter()
            .filter(|(r, _, _)| r == "archive-link-traversal")
            .map(|(_, sev, path)| (sev, path))
            .collect();
        assert_eq!(
            through,
            [
                (Severity::Critical, "lib/authorized_keys".to_owned()),
                (Severity::Critical, "lib/deeper/x".to_owned())
            ]
        );
        let detail = &a
            .anomalies
            .iter()
            .find(|x| x.kind == AnomalyKind::LinkTraversal)
            .expect("one")
            .detail;
        assert!(
            detail.contains("through the symlink lib")
                && detail.contains("npm (pacote) drops links"),
            "{detail}"
        );
        // A link after the entry is no traversal: the entry was written first.
        let later = hostile_tgz(&[
            (
                b"package/package.json",
                Regular,
                b"",
                br#"{"name":"h","version":"1.0.0"}"#,
            ),
            (b"package/lib/a.js", Regular, b"", b"x"),
            (b"package/lib2", Symlink, b"lib", b""),
        ]);
        let a = artifact::read_bytes("h.tgz", &later, &artifact::Options::default(), None)
            .expect("opens");
        assert!(
            a.anomalies
                .iter()
                .all(|x| x.kind != AnomalyKind::LinkTraversal)
        );
    }

    #[test]
    fn a_zip_link_states_what_zip_installers_do() {
        let bytes = crate::rules::test_support::fixtures::Zip::new()
            .symlink("pkg/data", "/etc")
            .file("pkg/data/passwd", b"x")
            .finish();
        let a = artifact::read_bytes("p.zip", &bytes, &artifact::Options::default(), None)
            .expect("opens");
        let x = a
            .anomalies
            .iter()
            .find(|x| x.kind == AnomalyKind::LinkTraversal)
            .expect("found");
        assert!(
            x.detail
                .contains("zipfile write a zip's link as a plain file"),
            "{}",
            x.detail
        );
    }
}
