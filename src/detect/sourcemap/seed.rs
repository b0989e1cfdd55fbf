//! The serde side of the map reader: the fields we read, deserialised into borrowed data
//! (nothing copied), with each embedded source's body sent to a measuring thread as soon as
//! it is read, and index-map sections read one at a time.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::measure::measure;
use super::{Map, body_of};

/// The fields of a source map we read ([`MapSeed`]); everything else is skipped without
/// allocating.
pub(super) struct RawMap<'a> {
    pub(super) version: Option<&'a RawValue>,
    pub(super) sources: Option<Vec<Option<Cow<'a, str>>>>,
    pub(super) sources_content: Option<Vec<Option<&'a RawValue>>>,
    pub(super) mappings: Option<&'a RawValue>,
    pub(super) sections: Option<&'a RawValue>,
}

/// One entry of an index map's `sections`.
#[derive(Deserialize)]
pub(super) struct RawSection<'a> {
    /// Required by the spec; also what tells an index map from a data file with `sections`.
    #[allow(dead_code)]
    offset: IgnoredAny,
    #[serde(borrow, default)]
    pub(super) url: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) map: Option<&'a RawValue>,
}

/// Parses a large map on this thread while a second one measures each embedded source as the
/// parse passes it: parsing and measuring are each about half of analysing a 60 MB map, and
/// this way they overlap instead of following each other. The measurements come back in
/// `sourcesContent` order (`None` if the helper died, and [`Map::add`] measures again).
pub(super) fn parse_measuring(
    bytes: &[u8],
) -> (serde_json::Result<RawMap<'_>>, Option<Vec<(u64, u64)>>) {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<&[u8]>>(64);
        let helper = scope.spawn(move || {
            rx.into_iter()
                .flat_map(|batch| batch.into_iter().map(measure))
                .collect::<Vec<_>>()
        });
        let raw = read_raw(bytes, Some(&tx));
        drop(tx);
        (raw, helper.join().ok())
    })
}

/// [`RawMap`] of a whole JSON document (trailing data is an error), each embedded source's
/// body sent to `measurer` as soon as it is read when there is one.
pub(super) fn read_raw<'a>(
    bytes: &'a [u8],
    measurer: Option<&Measurer<'a>>,
) -> serde_json::Result<RawMap<'a>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let raw = MapSeed(measurer).deserialize(&mut de)?;
    de.end()?;
    Ok(raw)
}

/// Where bodies go to be measured while the parse goes on.
pub(super) type Measurer<'a> = std::sync::mpsc::SyncSender<Vec<&'a [u8]>>;

/// Deserialises a [`RawMap`] (a duplicate field is an error), sending each embedded source's
/// body to the measuring thread, if any, as soon as it is read.
pub(super) struct MapSeed<'s, 'a>(Option<&'s Measurer<'a>>);

impl<'de> DeserializeSeed<'de> for MapSeed<'_, 'de> {
    type Value = RawMap<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawMap<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MapSeed<'_, 'de> {
    type Value = RawMap<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a source map object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<RawMap<'de>, A::Error> {
        use serde::de::Error;
        fn once<T, E: Error>(slot: &mut Option<T>, v: T, name: &'static str) -> Result<(), E> {
            if slot.replace(v).is_some() {
                return Err(E::duplicate_field(name));
            }
            Ok(())
        }
        // Each field as seen: `Some(None)` is a `null`, which still counts for duplicates.
        let (mut version, mut mappings, mut sections) = (None, None, None);
        let (mut sources, mut contents) = (None, None);
        while let Some(key) = m.next_key::<Cow<'de, str>>()? {
            match &*key {
                "version" => once(&mut version, m.next_value()?, "version")?,
                "mappings" => once(&mut mappings, m.next_value()?, "mappings")?,
                "sections" => once(&mut sections, m.next_value()?, "sections")?,
                "sources" => once(&mut sources, m.next_value()?, "sources")?,
                "sourcesContent" => {
                    once(
                        &mut contents,
                        m.next_value_seed(Contents(self.0))?,
                        "sourcesContent",
                    )?;
                }
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        let raw = RawMap {
            version: version.flatten(),
            sources: sources.flatten(),
            sources_content: contents.flatten(),
            mappings: mappings.flatten(),
            sections: sections.flatten(),
        };
        Ok(raw)
    }
}

/// `sourcesContent` (or `null`), each body sent for measuring as it is read.
pub(super) struct Contents<'s, 'a>(Option<&'s Measurer<'a>>);

impl<'de> DeserializeSeed<'de> for Contents<'_, 'de> {
    type Value = Option<Vec<Option<&'de RawValue>>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Contents<'_, 'de> {
    type Value = Option<Vec<Option<&'de RawValue>>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of sources or null")
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Bodies go over in batches of about 64 KiB (or 1,024 tiny ones), so a hostile map of
        // millions of one-letter sources does not pay a channel send per source. A helper
        // that died is noticed at the join; the parse goes on regardless.
        let (mut all, mut batch, mut batch_bytes) = (Vec::new(), Vec::new(), 0usize);
        while let Some(content) = seq.next_element::<Option<&'de RawValue>>()? {
            if let (Some(to), Some(body)) = (self.0, content.and_then(body_of)) {
                batch.push(body);
                batch_bytes += body.len();
                if batch_bytes >= 64 << 10 || batch.len() >= 1024 {
                    let _ = to.send(std::mem::take(&mut batch));
                    batch_bytes = 0;
                }
            }
            all.push(content);
        }
        if let Some(to) = self.0
            && !batch.is_empty()
        {
            let _ = to.send(batch);
        }
        Ok(Some(all))
    }
}

/// Reads `sections` one at a time into the map, so a map of many sections never holds them
/// all as a list.
pub(super) struct Sections<'m, 'a>(pub(super) &'m mut Map<'a>);

impl<'de> DeserializeSeed<'de> for Sections<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Sections<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of sections")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(section) = seq.next_element::<RawSection<'de>>()? {
            self.0.add_section(&section);
        }
        Ok(())
    }
}
