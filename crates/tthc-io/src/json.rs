//! The national sync standard's JSON: `{"data": [ {record}, ... ]}` (the first list in the
//! top object) or a bare list of records. Records are read one at a time (never the whole
//! document as a tree); nested objects become dotted names (`agency.name`), lists their JSON
//! text. serde_json refuses nesting deeper than 128 levels.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::cell::Val;
use crate::error::IoError;
use crate::table::Table;

/// serde_json's own nesting limit.
pub(crate) const MAX_DEPTH: u32 = 128;

struct Reader<'t, 'o> {
    table: &'t mut Table<'o>,
    columns: HashMap<String, u32>,
    records: u64,
    found: bool,
    error: Option<IoError>,
}

impl Reader<'_, '_> {
    fn record(&mut self, map: serde_json::Map<String, Value>) -> Result<(), IoError> {
        self.records += 1;
        let mut flat: Vec<(String, Value)> = Vec::with_capacity(map.len());
        flatten(String::new(), map, &mut flat);
        let mut cells: Vec<(u32, Val<'_>)> = Vec::with_capacity(flat.len());
        for (name, v) in &flat {
            let c = if let Some(&c) = self.columns.get(name) {
                c
            } else {
                let c = self.table.named_column(name)?;
                self.columns.insert(name.clone(), c);
                c
            };
            let v = match v {
                Value::Null => Val::Empty,
                Value::Bool(b) => Val::Bool(*b),
                Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _) => Val::Int(i),
                    (None, Some(u), _) => Val::Text(Cow::Owned(u.to_string())),
                    (_, _, Some(f)) => Val::Float(f),
                    _ => Val::Text(Cow::Owned(n.to_string())),
                },
                Value::String(s) => Val::Text(Cow::Borrowed(s.as_str())),
                other => Val::Text(Cow::Owned(other.to_string())),
            };
            cells.push((c, v));
        }
        self.table.row(self.records, &cells)
    }
}

fn flatten(prefix: String, map: serde_json::Map<String, Value>, out: &mut Vec<(String, Value)>) {
    for (k, v) in map {
        let name = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(m) => flatten(name, m, out),
            other => out.push((name, other)),
        }
    }
}

/// The top value: a list of records, or an object holding one.
struct Top<'a, 't, 'o>(&'a mut Reader<'t, 'o>);

impl<'de> Visitor<'de> for Top<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records, or an object with one")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Records(self.0).visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let _ = key;
            if self.0.found {
                map.next_value::<IgnoredAny>()?;
            } else {
                map.next_value_seed(MaybeRecords(&mut *self.0))?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// A value of the top object: a list is the records, anything else is skipped.
struct MaybeRecords<'a, 't, 'o>(&'a mut Reader<'t, 'o>);

impl<'de> Visitor<'de> for MaybeRecords<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Records(self.0).visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for MaybeRecords<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// The list of records, read one record at a time.
struct Records<'a, 't, 'o>(&'a mut Reader<'t, 'o>);

impl<'de> Visitor<'de> for Records<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        use serde::de::Error;
        self.0.found = true;
        while let Some(v) = seq.next_element::<Value>()? {
            let Value::Object(map) = v else {
                self.0.error = Some(IoError::UnsupportedFormat {
                    file: self.0.table.place().file.to_string(),
                    message: format!(
                        "JSON whose list holds {} at item {}, not records (objects)",
                        kind(&v),
                        self.0.records + 1
                    ),
                });
                return Err(A::Error::custom("not a record"));
            };
            if let Err(e) = self.0.record(map) {
                self.0.error = Some(e);
                return Err(A::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Reads the JSON `text` into `table`.
pub(crate) fn read(text: &[u8], table: &mut Table<'_>) -> Result<(), IoError> {
    let mut reader = Reader {
        table,
        columns: HashMap::new(),
        records: 0,
        found: false,
        error: None,
    };
    let mut de = serde_json::Deserializer::from_slice(text);
    let r = Top(&mut reader)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Some(e) = reader.error.take() {
        return Err(e);
    }
    let place = reader.table.place().clone();
    if let Err(e) = r {
        let msg = e.to_string();
        if msg.contains("recursion limit") {
            return Err(IoError::TooDeep {
                place,
                what: "JSON values",
                limit: MAX_DEPTH,
                at: format!("line {}, column {}", e.line(), e.column()),
            });
        }
        return Err(IoError::Corrupt {
            place,
            message: format!("JSON: {msg}"),
        });
    }
    if !reader.found {
        return Err(IoError::UnsupportedFormat {
            file: place.file.into(),
            message: "JSON with no list of records (expected {\"data\": [...]} or [...])".into(),
        });
    }
    Ok(())
}
