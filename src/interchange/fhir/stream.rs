//! The resources of a file, one at a time, without reading the file whole.
//!
//! A Bundle (`.json`) is read with serde_json's streaming `Deserializer` over
//! a buffered reader: the top-level object's keys are visited in order, and
//! the `entry` array is walked with `SeqAccess`, one entry at a time; each
//! entry's `resource` is kept only as its raw JSON text (`RawValue`) while
//! the callback looks at it, then dropped. An NDJSON bulk-export file
//! (`.ndjson`, `.jsonl`) is read line by line. Memory stays that of one
//! resource, whatever the size of the file.

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// One resource of a file.
pub struct Item {
    /// Its number in the file, from 0 (the same on every read of the file).
    pub index: usize,
    /// Where it is: `entry[12]` or `line 13`.
    pub position: String,
    /// `Bundle.entry.fullUrl`.
    pub full_url: Option<String>,
    pub resource: Box<RawValue>,
}

/// The Bundle types taken.
pub const BUNDLE_TYPES: &[&str] = &["collection", "transaction", "batch", "searchset"];

/// Why a file could not be read through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// Where: `entry[12]`, `line 13`, or `line 4 column 17` of the JSON.
    pub position: String,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

/// Whether a file is NDJSON (by its name).
pub fn is_ndjson(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"))
}

/// Calls `each` for every resource of the file, in order. `each` returning
/// an error stops the reading with it.
pub fn for_each(
    path: &Path,
    each: &mut dyn FnMut(Item) -> Result<(), FileError>,
) -> Result<Option<String>, FileError> {
    let file = std::fs::File::open(path).map_err(|e| FileError {
        position: "the file".into(),
        message: format!("cannot be read: {e}"),
    })?;
    let reader = BufReader::with_capacity(1 << 16, file);
    if is_ndjson(path) {
        ndjson(reader, each).map(|()| None)
    } else {
        bundle(reader, each).map(Some)
    }
}

fn ndjson(
    mut reader: impl BufRead,
    each: &mut dyn FnMut(Item) -> Result<(), FileError>,
) -> Result<(), FileError> {
    let mut line = String::new();
    let mut number = 0usize;
    let mut index = 0usize;
    loop {
        line.clear();
        number += 1;
        let n = reader.read_line(&mut line).map_err(|e| FileError {
            position: format!("line {number}"),
            message: format!("cannot be read as UTF-8 text: {e}"),
        })?;
        if n == 0 {
            return Ok(());
        }
        let text = line.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}');
        if text.is_empty() {
            continue;
        }
        let resource: Box<RawValue> = serde_json::from_str(text).map_err(|e| FileError {
            position: format!("line {number}"),
            message: format!("is not one JSON resource: {e}"),
        })?;
        each(Item {
            index,
            position: format!("line {number}"),
            full_url: None,
            resource,
        })?;
        index += 1;
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    full_url: Option<String>,
    resource: Option<Box<RawValue>>,
}

struct Walk<'a> {
    each: &'a mut dyn FnMut(Item) -> Result<(), FileError>,
    stopped: Option<FileError>,
    resource_type: Option<String>,
    bundle_type: Option<String>,
    entries: usize,
    /// Whether the reading is inside the `entry` array.
    in_entries: bool,
}

fn bundle(
    reader: impl std::io::Read,
    each: &mut dyn FnMut(Item) -> Result<(), FileError>,
) -> Result<String, FileError> {
    let mut walk = Walk {
        each,
        stopped: None,
        resource_type: None,
        bundle_type: None,
        entries: 0,
        in_entries: false,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let read = de::Deserializer::deserialize_map(&mut de, &mut walk).and_then(|()| de.end());
    if let Some(e) = walk.stopped.take() {
        return Err(e);
    }
    if let Some(other) = walk.resource_type.as_deref().filter(|t| *t != "Bundle") {
        return Err(FileError {
            position: "resourceType".into(),
            message: format!(
                "is {other:?}: a .json file is a Bundle (one resource per line is an .ndjson file)"
            ),
        });
    }
    if let Err(e) = read {
        let position = match walk.in_entries {
            false => format!("line {} column {}", e.line(), e.column()),
            true => format!(
                "entry[{}] (line {} column {})",
                walk.entries,
                e.line(),
                e.column()
            ),
        };
        return Err(FileError {
            position,
            message: format!("the JSON does not read: {e}"),
        });
    }
    match walk.resource_type.as_deref() {
        Some(_) => {}
        None => {
            return Err(FileError {
                position: "resourceType".into(),
                message: "is missing (a .json file is a Bundle)".into(),
            });
        }
    }
    match walk.bundle_type {
        Some(t) if BUNDLE_TYPES.contains(&t.as_str()) => Ok(t),
        Some(t) => Err(FileError {
            position: "type".into(),
            message: format!(
                "the Bundle is a {t:?}: chartcoder takes {}",
                BUNDLE_TYPES.join(", ")
            ),
        }),
        None => Err(FileError {
            position: "type".into(),
            message: "is missing (the Bundle type is required)".into(),
        }),
    }
}

impl<'de> Visitor<'de> for &mut Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR Bundle (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resourceType" => {
                    let t: String = map.next_value()?;
                    if t != "Bundle" {
                        // Said after the walk, with its place.
                        self.resource_type = Some(t);
                        return Err(de::Error::custom("not a Bundle"));
                    }
                    self.resource_type = Some(t);
                }
                "type" => self.bundle_type = Some(map.next_value()?),
                "entry" => map.next_value_seed(&mut *self)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        self.in_entries = true;
        while let Some(entry) = seq.next_element::<Entry>()? {
            let index = self.entries;
            self.entries += 1;
            let Some(resource) = entry.resource else {
                // A DELETE of a transaction, or an entry with only a search
                // or response: no resource to read.
                continue;
            };
            let item = Item {
                index,
                position: format!("entry[{index}]"),
                full_url: entry.full_url,
                resource,
            };
            if let Err(e) = (self.each)(item) {
                self.stopped = Some(e);
                return Err(de::Error::custom("stopped"));
            }
        }
        self.in_entries = false;
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for &mut Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Result<Vec<(usize, String)>, FileError> {
        let mut out = Vec::new();
        bundle(text.as_bytes(), &mut |i| {
            out.push((i.index, i.resource.get().to_string()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn entries_stream_in_order_whatever_the_key_order() {
        let got = items(
            r#"{"entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient"}},
              {"request":{"method":"DELETE"}},{"resource":{"resourceType":"Encounter"}}],
              "type":"collection","resourceType":"Bundle"}"#,
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 0);
        assert_eq!(got[1].0, 2, "the entry without a resource keeps its number");
    }

    #[test]
    fn a_bundle_of_another_type_or_a_lone_resource_is_refused() {
        let e = items(r#"{"resourceType":"Bundle","type":"history","entry":[]}"#).unwrap_err();
        assert_eq!(e.position, "type");
        let e = items(r#"{"resourceType":"Patient","id":"x"}"#).unwrap_err();
        assert_eq!(e.position, "resourceType");
        let e = items(r#"{"resourceType":"Bundle","type":"batch","entry":[{"resource":{]}"#)
            .unwrap_err();
        assert!(e.position.starts_with("entry[0]"), "{e}");
    }
}
