//! The layout record (`spec/layout.json` in this repository): pinned inline-or-boxed decisions,
//! so that a release which only adds members keeps the representation of every existing type.
//!
//! [`super::inline_layout`] takes a pinned decision over the size rule; the size rule decides
//! only what the record does not list (new types). What must be boxed for the Rust types to be
//! finite (a containment cycle) or for `Any` to keep its size (the room of the root's enums)
//! still is, pinned or not: those are the only changes a record lets through, and the diff
//! reports them.
//!
//! The record lists only decisions that are part of the API: the structs some member is
//! declared with, every family's own variant, and the family enums nested in an enum that must
//! not grow. Names are sorted and unique, so that the file is deterministic and a change of it
//! reads as a line diff.

use super::Layout;
use crate::model::Model;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The three kinds of decision, each a set of names held inline and a set of names boxed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutRecord {
    /// Structs: whether the members declared with them hold them inline (`T`) or boxed.
    pub held: Decisions,
    /// Families: whether the family enum's own variant holds the struct inline or boxed.
    pub own: Decisions,
    /// Families in an enum that must not grow (the root's and those of its direct subtypes):
    /// whether that enum nests the family's enum inline or boxed.
    pub nested: Decisions,
}

/// Names decided inline and names decided boxed; no name is in both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    #[serde(deserialize_with = "sorted_names")]
    pub inline: BTreeSet<String>,
    #[serde(deserialize_with = "sorted_names")]
    pub boxed: BTreeSet<String>,
}

impl Decisions {
    /// The pinned decision for `name`: `Some(true)` inline, `Some(false)` boxed.
    pub fn get(&self, name: &str) -> Option<bool> {
        if self.inline.contains(name) {
            Some(true)
        } else if self.boxed.contains(name) {
            Some(false)
        } else {
            None
        }
    }

    fn insert(&mut self, name: &str, inline: bool) {
        let set = if inline { &mut self.inline } else { &mut self.boxed };
        set.insert(name.to_owned());
    }

    pub fn len(&self) -> usize {
        self.inline.len() + self.boxed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A malformed record: the message, with the line and column where the JSON parser stood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError(String);

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RecordError {}

impl LayoutRecord {
    /// Parses a record. Unknown keys, unsorted or repeated names and a name both inline and
    /// boxed are errors, not ignored: a hand edit or a merge gone wrong must not change the
    /// layout silently.
    pub fn parse(text: &str) -> Result<LayoutRecord, RecordError> {
        let mut de = serde_json::Deserializer::from_str(text);
        // the path of what is wrong (`held.inline`) besides serde_json's line and column
        let record: LayoutRecord = serde_path_to_error::deserialize(&mut de).map_err(|e| match e.path().to_string().as_str() {
            "." => RecordError(e.inner().to_string()),
            path => RecordError(format!("{path}: {}", e.inner())),
        })?;
        de.end().map_err(|e| RecordError(e.to_string()))?;
        for (kind, d) in record.kinds() {
            if let Some(name) = d.inline.intersection(&d.boxed).next() {
                return Err(RecordError(format!("`{kind}`: `{name}` is listed both inline and boxed")));
            }
        }
        Ok(record)
    }

    /// The canonical text: pretty JSON, names sorted, a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a record of strings serializes");
        text.push('\n');
        text
    }

    /// The record of a layout planned for `model`: every decision of the API, which is every
    /// type the record then pins.
    pub fn of(model: &Model, layout: &Layout) -> LayoutRecord {
        let mut out = LayoutRecord::default();
        for name in super::held_structs(model) {
            out.held.insert(&name, layout.structs.contains(&name));
        }
        for name in model.schemas.keys().filter(|n| model.is_polymorphic(n)) {
            out.own.insert(name, layout.own_inline.contains(name));
            if super::nested_in_fixed_enum(model, name) {
                out.nested.insert(name, !layout.nested_boxed.contains(name));
            }
        }
        out
    }

    /// The three kinds with their names in the file.
    pub fn kinds(&self) -> [(&'static str, &Decisions); 3] {
        [("held", &self.held), ("own", &self.own), ("nested", &self.nested)]
    }

    /// How many names the record pins, over the three kinds.
    pub fn len(&self) -> usize {
        self.kinds().iter().map(|(_, d)| d.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A list of names in strictly increasing byte order.
fn sorted_names<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<String>, D::Error> {
    struct Names;
    impl<'de> Visitor<'de> for Names {
        type Value = BTreeSet<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sorted list of type names")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeSet::new();
            let mut last: Option<String> = None;
            while let Some(name) = seq.next_element::<String>()? {
                if name.is_empty() {
                    return Err(de::Error::custom("an empty type name"));
                }
                if let Some(prev) = &last {
                    if prev.as_bytes() >= name.as_bytes() {
                        return Err(de::Error::custom(format!("`{name}` is listed twice or out of order (after `{prev}`)")));
                    }
                }
                out.insert(name.clone());
                last = Some(name);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_canonical_text_reads_back() {
        let mut r = LayoutRecord::default();
        r.held.inline = names(&["A", "B"]);
        r.held.boxed = names(&["C"]);
        r.own.boxed = names(&["F"]);
        let text = r.to_json();
        assert!(text.ends_with("}\n"));
        assert_eq!(LayoutRecord::parse(&text), Ok(r.clone()));
        assert_eq!(r.len(), 4);
        assert_eq!((r.held.get("A"), r.held.get("C"), r.held.get("F")), (Some(true), Some(false), None));
    }

    #[test]
    fn a_malformed_record_is_refused_with_its_location() {
        let ok = r#"{"held": {"inline": [], "boxed": []}, "own": {"inline": [], "boxed": []}, "nested": {"inline": [], "boxed": []}}"#;
        assert!(LayoutRecord::parse(ok).is_ok());
        let unsorted = ok.replacen(r#""inline": []"#, "\"inline\": [\n\"B\",\n\"A\"]", 1);
        let e = LayoutRecord::parse(&unsorted).expect_err("unsorted").to_string();
        assert!(e.starts_with("held.inline: `A` is listed twice or out of order") && e.contains("line 3"), "{e}");
        let twice = ok.replacen(r#""inline": []"#, r#""inline": ["A", "A"]"#, 1);
        assert!(LayoutRecord::parse(&twice).expect_err("repeated").to_string().contains("listed twice"));
        let both = ok.replacen(r#""inline": [], "boxed": []"#, r#""inline": ["A"], "boxed": ["A"]"#, 1);
        assert_eq!(LayoutRecord::parse(&both).expect_err("both").to_string(), "`held`: `A` is listed both inline and boxed");
        let unknown = ok.replacen(r#""own""#, r#""owned""#, 1);
        assert!(LayoutRecord::parse(&unknown).expect_err("unknown key").to_string().contains("unknown field `owned`"));
        let missing = r#"{"held": {"inline": [], "boxed": []}}"#;
        assert!(LayoutRecord::parse(missing).expect_err("missing kind").to_string().contains("missing field"));
        assert!(LayoutRecord::parse("{").expect_err("truncated").to_string().contains("line 1"));
        assert!(LayoutRecord::parse(&format!("{ok} {{}}")).expect_err("trailing").to_string().contains("trailing characters"));
    }
}
