//! Reading a vi-json document: bytes -> JSON tree -> `openapiv3::OpenAPI`.
//!
//! The JSON tree is kept next to the typed document because `openapiv3` drops what VMware's
//! documents put beside a `$ref` (`description`, `nullable`, `deprecated` in the 8.0.x style);
//! the model reads those keys from the tree by JSON pointer.

use std::fmt;

/// A document that failed to load or to make sense. `location` is a JSON pointer
/// (`#/components/schemas/Foo/properties/bar`) or a `line L column C` position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub location: String,
    pub message: String,
}

impl SpecError {
    pub fn at(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self { location: location.into(), message: message.into() }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for SpecError {}

/// A loaded document: the typed OpenAPI view, the raw tree, and its identity.
pub struct Document {
    pub api: openapiv3::OpenAPI,
    pub raw: serde_json::Value,
    /// Lower-case hex sha256 of the bytes the document was read from.
    pub sha256: String,
    /// How many enum values YAML would have read as something other than the string written;
    /// `None` for a JSON document.
    pub yaml_enum_values_restored: Option<usize>,
}

impl Document {
    /// The raw node at a JSON pointer (`/components/schemas/Foo`), if present.
    pub fn raw_at(&self, pointer: &str) -> Option<&serde_json::Value> {
        self.raw.pointer(pointer)
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn pointer_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Loads a document from bytes, JSON or YAML, told apart by content (a JSON document starts
/// with `{` after optional white space and BOM).
pub fn load(bytes: &[u8]) -> Result<Document, SpecError> {
    let sha256 = vim25_spec::sha256_hex(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| SpecError::at(format!("byte {}", e.valid_up_to()), "the document is not UTF-8"))?;
    // white space is left for the parsers, so that the lines they name are the document's
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (raw, yaml_enum_values_restored) = if body.trim_start().starts_with('{') {
        let Strict(raw) =
            serde_json::from_str::<Strict>(body).map_err(|e| SpecError::at(format!("line {} column {}", e.line(), e.column()), e.to_string()))?;
        (raw, None)
    } else {
        load_yaml(body)?
    };
    if !raw.is_object() {
        return Err(SpecError::at("#", "the document is not a mapping"));
    }
    let api = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&raw).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        let error = SpecError::at(pointer, format!("not a valid OpenAPI 3.0 document: {}", e.inner()));
        if error.location == "#/paths" {
            path_item_error(&raw).unwrap_or(error)
        } else {
            error
        }
    })?;
    Ok(Document { api, raw, sha256, yaml_enum_values_restored })
}

/// openapiv3 reads a path item through an untagged enum (a `$ref` or an item), which hides
/// where inside it the error is; each item is read again on its own to find that.
fn path_item_error(raw: &serde_json::Value) -> Option<SpecError> {
    raw.get("paths")?
        .as_object()?
        .iter()
        .filter(|(path, item)| path.starts_with('/') && item.get("$ref").is_none())
        .find_map(|(path, item)| {
            let e = serde_path_to_error::deserialize::<_, openapiv3::PathItem>(item).err()?;
            let inner = path_to_pointer(e.path());
            let pointer = format!("#/paths/{}{}", pointer_segment(path), inner.trim_start_matches('#'));
            Some(SpecError::at(pointer, format!("not a valid OpenAPI 3.0 document: {}", e.inner())))
        })
}

fn yaml_error(e: serde_yaml::Error) -> SpecError {
    match e.location() {
        Some(l) => SpecError::at(format!("line {} column {}", l.line(), l.column()), e.to_string()),
        None => SpecError::at("#", e.to_string()),
    }
}

/// Reads a YAML document, its enum values as written (see
/// [`crate::quirks::yaml_enum_values_as_written`]); returns the tree and how many values that
/// changed.
fn load_yaml(text: &str) -> Result<(serde_json::Value, Option<usize>), SpecError> {
    control_characters(text)?;
    let Strict(mut raw) = serde_yaml::from_str(text).map_err(yaml_error)?;
    if !raw.is_object() {
        return Err(SpecError::at("#", "the document is not a mapping"));
    }
    let restored = crate::quirks::yaml_enum_values_as_written(text, &mut raw).map_err(yaml_error)?;
    Ok((raw, Some(restored)))
}

/// A JSON tree read from JSON or YAML that refuses a key written twice in one mapping: both
/// formats leave that undefined, and the parsers' choice (the last one wins) would drop a
/// schema or an operation without a word. The parsers give the error its line and column.
struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        // as serde_json's own tree: a number JSON cannot hold (NaN, infinity) is null
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(serde_json::Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("the key `{key}` is written twice in one mapping")));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(serde_json::Value::Object(out))
    }
}

/// The first character YAML does not allow in a document, by line and column: libyaml
/// refuses these before parsing and reports them at the document's start.
fn control_characters(text: &str) -> Result<(), SpecError> {
    for (i, line) in text.split('\n').enumerate() {
        if let Some((col, c)) = line.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\r' | '\u{85}')) {
            return Err(SpecError::at(
                format!("line {} column {}", i + 1, col + 1),
                format!("control character U+{:04X} is not allowed in a YAML document", u32::from(c)),
            ));
        }
    }
    Ok(())
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("#");
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&pointer_segment(key)),
            Segment::Enum { variant } => out.push_str(&pointer_segment(variant)),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = "openapi: 3.0.0\ninfo:\n  title: t\n  version: 1.0.0\npaths: {}\ncomponents:\n  schemas:\n    Flag_enum:\n      type: string\n      enum:\n        - True\n        - 'no'\n        - no\n";

    #[test]
    fn yaml_enum_values_stay_strings_as_written() {
        let doc = load(MINI.as_bytes()).unwrap();
        let values = doc.raw_at("/components/schemas/Flag_enum/enum").unwrap();
        assert_eq!(values, &serde_json::json!(["True", "no", "no"]));
    }

    #[test]
    fn json_and_yaml_are_told_apart_by_content() {
        let json = r#"  {"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{}}"#;
        assert!(load(json.as_bytes()).is_ok());
        assert!(load(MINI.as_bytes()).is_ok());
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = load(b"openapi: 3.0.0\ninfo: [unclosed\n").err().unwrap();
        assert!(err.location.starts_with("line "), "{err}");
        let err = load(b"{\"openapi\": }").err().unwrap();
        assert_eq!(err.location, "line 1 column 13");
    }

    #[test]
    fn structural_errors_name_the_json_pointer() {
        let bad = r#"{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":7}}}}}}"#;
        let err = load(bad.as_bytes()).err().unwrap();
        // openapiv3 reads operations through untagged enums, which hide anything deeper.
        assert!(err.location.starts_with("#/paths"), "{err}");
    }
}
