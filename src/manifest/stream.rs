//! Reading a manifest in one streaming pass with its budgets checked as it goes.
//!
//! serde's derived `Deserialize` would read the whole `entries` array before anything could
//! count it, and a probe for the schema would parse the file twice. This seed reads the top
//! object field by field: a wrong `schema` stops the read where it is met, and the entry
//! limit is checked before each entry is built.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{ArtifactSummary, Manifest, SCHEMA, Tool};
use crate::artifact::{Anomaly, Entry, Limits, PackageMeta};

/// Why a file is not a manifest this shipcheck reads, told apart from a malformed one so the
/// error says which.
#[derive(Debug)]
pub(super) enum Problem {
    /// A `schema` naming another version of the manifest format.
    OtherVersion(String),
    /// A `schema` that is not a shipcheck manifest's, or none at all.
    NotAManifest,
    /// More entries than the limit.
    TooManyEntries(usize),
    /// Names adding up to more than the limit.
    NamesTooLong(u64),
    /// More bytes than a manifest within the limits can take.
    TooLarge(u64),
}

impl Problem {
    pub(super) fn into_error(self) -> anyhow::Error {
        match self {
            Self::OtherVersion(s) => anyhow::anyhow!(
                "manifest schema {} is not one this shipcheck ({SCHEMA}) reads",
                crate::sanitize::for_terminal(&s)
            ),
            Self::NotAManifest => {
                anyhow::anyhow!("JSON without \"schema\": \"{SCHEMA}\" is not a shipcheck manifest")
            }
            Self::TooManyEntries(limit) => anyhow::anyhow!(
                "holds more than {limit} entries (--max-entries); refusing to read further"
            ),
            Self::NamesTooLong(limit) => anyhow::anyhow!(
                "entry names and link targets add up to more than {limit} bytes \
                 (--max-names-size); refusing to read further"
            ),
            Self::TooLarge(limit) => anyhow::anyhow!(
                "larger than {limit} bytes, more than any manifest within --max-entries and \
                 --max-names-size takes; refusing to read further"
            ),
        }
    }
}

/// What a manifest within `limits` can take: shipcheck writes well under 512 bytes per entry
/// besides its names (a 1,000,000-entry manifest of short names is about 280 MB), and each
/// name appears at most twice (path and raw name), escaped at most six bytes per byte.
pub(super) fn max_bytes(limits: &Limits) -> u64 {
    (limits.hard_max_entries as u64)
        .saturating_mul(512)
        .saturating_add(limits.max_names.saturating_mul(12))
        .saturating_add(1 << 20)
}

/// A reader that fails past `limit` bytes, noting why, so that no single value (a name of a
/// gigabyte) can make the parser buffer more than the budget.
pub(super) struct Budgeted<'a, R> {
    input: R,
    left: u64,
    limit: u64,
    problem: &'a Cell<Option<Problem>>,
}

impl<'a, R> Budgeted<'a, R> {
    pub(super) fn new(input: R, limit: u64, problem: &'a Cell<Option<Problem>>) -> Self {
        Self {
            input,
            left: limit,
            limit,
            problem,
        }
    }
}

impl<R: std::io::Read> std::io::Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a file of exactly the limit from a longer one.
            let mut probe = [0u8; 1];
            if self.input.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.problem.set(Some(Problem::TooLarge(self.limit)));
            return Err(std::io::Error::other("manifest past its byte budget"));
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.input.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Refuses a second value for a field.
fn once<T, E: de::Error>(slot: Option<&T>, name: &'static str) -> Result<(), E> {
    match slot {
        Some(_) => Err(E::duplicate_field(name)),
        None => Ok(()),
    }
}

/// Reads a whole [`Manifest`].
pub(super) struct ManifestSeed<'a> {
    pub limits: &'a Limits,
    pub problem: &'a Cell<Option<Problem>>,
}

impl<'de> DeserializeSeed<'de> for ManifestSeed<'_> {
    type Value = Manifest;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Manifest, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ManifestSeed<'_> {
    type Value = Manifest;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a shipcheck manifest object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Manifest, A::Error> {
        let mut schema: Option<String> = None;
        let mut tool: Option<Tool> = None;
        let mut artifact: Option<ArtifactSummary> = None;
        let mut package: Option<Option<PackageMeta>> = None;
        let mut entries: Option<Vec<Entry>> = None;
        let mut anomalies: Option<Vec<Anomaly>> = None;
        let stop = |p: Problem| {
            self.problem.set(Some(p));
            de::Error::custom("not a manifest this shipcheck reads")
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "schema" => {
                    once(schema.as_ref(), "schema")?;
                    // Anything but a string is not our schema either.
                    let serde_json::Value::String(s) = map.next_value()? else {
                        return Err(stop(Problem::NotAManifest));
                    };
                    if s != SCHEMA {
                        return Err(stop(if s.starts_with("shipcheck.manifest/") {
                            Problem::OtherVersion(s)
                        } else {
                            Problem::NotAManifest
                        }));
                    }
                    schema = Some(s);
                }
                "tool" => {
                    once(tool.as_ref(), "tool")?;
                    tool = Some(map.next_value()?);
                }
                "artifact" => {
                    once(artifact.as_ref(), "artifact")?;
                    artifact = Some(map.next_value()?);
                }
                "package" => {
                    once(package.as_ref(), "package")?;
                    package = Some(map.next_value()?);
                }
                "entries" => {
                    once(entries.as_ref(), "entries")?;
                    entries = Some(map.next_value_seed(EntriesSeed {
                        max: self.limits.hard_max_entries,
                        max_names: self.limits.max_names,
                        problem: self.problem,
                    })?);
                }
                "anomalies" => {
                    once(anomalies.as_ref(), "anomalies")?;
                    anomalies = Some(map.next_value()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(schema) = schema else {
            return Err(stop(Problem::NotAManifest));
        };
        Ok(Manifest {
            schema,
            tool: tool.ok_or_else(|| de::Error::missing_field("tool"))?,
            artifact: artifact.ok_or_else(|| de::Error::missing_field("artifact"))?,
            package: package.unwrap_or_default(),
            entries: Arc::new(entries.ok_or_else(|| de::Error::missing_field("entries"))?),
            anomalies: anomalies.ok_or_else(|| de::Error::missing_field("anomalies"))?,
        })
    }
}

/// Reads the `entries` array, stopping before entry `max + 1` is built, or once names add
/// up to more than `max_names` (the error stops the whole read; `problem` says why).
struct EntriesSeed<'a> {
    max: usize,
    max_names: u64,
    problem: &'a Cell<Option<Problem>>,
}

impl EntriesSeed<'_> {
    fn stop<E: de::Error>(&self, p: Problem) -> E {
        self.problem.set(Some(p));
        E::custom("past a budget")
    }
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = Vec<Entry>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = Vec<Entry>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The size hint of a hostile file is not a promise: grow as entries arrive.
        let mut out = Vec::new();
        let mut names = 0u64;
        loop {
            if out.len() == self.max {
                // One more element past the limit is refused without being built.
                return match seq.next_element::<IgnoredAny>()? {
                    Some(_) => Err(self.stop(Problem::TooManyEntries(self.max))),
                    None => Ok(out),
                };
            }
            let Some(e) = seq.next_element::<Entry>()? else {
                return Ok(out);
            };
            // What an archive's builder counts: the name as stored and the link target.
            names += (e.stored_len() + e.link_target.as_ref().map_or(0, |t| t.len())) as u64;
            if names > self.max_names {
                return Err(self.stop(Problem::NamesTooLong(self.max_names)));
            }
            out.push(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Manifest;
    use crate::artifact::Limits;

    fn limits(entries: usize) -> Limits {
        Limits {
            hard_max_entries: entries,
            ..Limits::default()
        }
    }

    fn manifest(entries: usize) -> String {
        let entry = |i: usize| {
            format!(
                r#"{{"index":{i},"path":"f{i}","kind":"file","mode":420,"size":0,"installed":true}}"#
            )
        };
        let list: Vec<String> = (0..entries).map(entry).collect();
        let sha512 = "0".repeat(128);
        let integrity = format!(
            "sha512-{}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [0u8; 64])
        );
        format!(
            r#"{{"schema":"shipcheck.manifest/v1","tool":{{"name":"shipcheck","version":"0"}},
            "artifact":{{"path":"x","file_name":"x","format":"npm-tarball","name":null,
            "version":null,"sha256":"{}","sha512":"{sha512}","integrity":"{integrity}",
            "packed_size":1,"unpacked_size":0,"files":{entries}}},"package":null,
            "entries":[{}],"anomalies":[]}}"#,
            "0".repeat(64),
            list.join(",")
        )
    }

    #[test]
    fn the_entry_limit_is_checked_before_the_entry_past_it_is_built() {
        let m = Manifest::from_reader(manifest(3).as_bytes(), &limits(3)).expect("at the limit");
        assert_eq!(m.entries.len(), 3);
        for past in [4, 50] {
            let err = Manifest::from_reader(manifest(past).as_bytes(), &limits(3))
                .expect_err("past the limit");
            assert_eq!(
                format!("{err:#}"),
                "holds more than 3 entries (--max-entries); refusing to read further"
            );
        }
    }

    #[test]
    fn a_wrong_schema_stops_the_read_where_it_is_met() {
        let text = manifest(2);
        let other = text.replace("manifest/v1", "manifest/v9");
        let err = Manifest::from_reader(other.as_bytes(), &limits(10)).expect_err("v9");
        assert!(format!("{err:#}").contains("schema shipcheck.manifest/v9 is not one"));
        // Past the schema, the rest need not even be JSON: nothing more is read.
        let cut = format!(
            "{}\u{1}garbage",
            &other[..other.find("\"tool\"").expect("a tool field")]
        );
        let err = Manifest::from_reader(cut.as_bytes(), &limits(10)).expect_err("v9, then garbage");
        assert!(format!("{err:#}").contains("schema shipcheck.manifest/v9 is not one"));
        for not in [r#"{"name":"x"}"#, r#"{"schema":3}"#, r#"{"schema":"npm"}"#] {
            let err = Manifest::from_reader(not.as_bytes(), &limits(10)).expect_err(not);
            assert!(
                format!("{err:#}").contains("is not a shipcheck manifest"),
                "{not}: {err:#}"
            );
        }
        for bad in ["{", "[1]", "{\"schema\":\"shipcheck.manifest/v1\"} x", ""] {
            let err = Manifest::from_reader(bad.as_bytes(), &limits(10)).expect_err(bad);
            let text = format!("{err:#}");
            assert!(
                text.contains("not valid JSON") || text.contains("not a valid shipcheck manifest"),
                "{bad:?}: {text}"
            );
        }
    }

    #[test]
    fn names_and_bytes_have_budgets_named_with_their_flags() {
        let names = Limits {
            max_names: 5,
            ..Limits::default()
        };
        // f0, f1, f2: 6 bytes of names.
        let err = Manifest::from_reader(manifest(3).as_bytes(), &names).expect_err("names");
        assert!(
            format!("{err:#}").contains("more than 5 bytes (--max-names-size)"),
            "{err:#}"
        );
        let tiny = Limits {
            hard_max_entries: 1,
            max_names: 1,
            ..Limits::default()
        };
        let limit = super::max_bytes(&tiny);
        let huge = format!(
            r#"{{"schema":"shipcheck.manifest/v1","x":"{}"}}"#,
            "a".repeat(limit as usize)
        );
        let err = Manifest::from_reader(huge.as_bytes(), &tiny).expect_err("bytes");
        assert!(
            format!("{err:#}").contains(&format!("larger than {limit} bytes")),
            "{err:#}"
        );
        // Exactly at the budget is read (and then judged on its content).
        let at = format!(r#"{{"x":"{}"}}"#, "a".repeat(limit as usize - 8));
        assert_eq!(at.len() as u64, limit);
        let err = Manifest::from_reader(at.as_bytes(), &tiny).expect_err("no schema");
        assert!(
            format!("{err:#}").contains("is not a shipcheck manifest"),
            "{err:#}"
        );
    }

    #[test]
    fn duplicate_fields_are_refused() {
        let text = manifest(1).replace(r#""package":null"#, r#""package":null,"package":null"#);
        let err = Manifest::from_reader(text.as_bytes(), &limits(10)).expect_err("duplicate");
        assert!(
            format!("{err:#}").contains("duplicate field `package`"),
            "{err:#}"
        );
    }
}
