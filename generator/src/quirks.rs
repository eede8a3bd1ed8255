//! Workarounds for properties of VMware's vi-json documents, one named function each, so that
//! what the generator does only because of how VMware writes its documents is in one place.
//!
//! Each workaround has an entry in [`ALL`] with a test for whether the document needs it. Like
//! k8s-openapi's `fixups`, the generator reports one that no longer applies to the document it
//! reads ([`stale`]); the report is a warning, for a maintainer to delete the workaround once no
//! supported release needs it.

use crate::load::{pointer_segment, Document};
use openapiv3::{ReferenceOr, Schema as OaSchema};
use serde_json::Value;
use std::collections::BTreeMap;

/// A workaround, and how to tell whether a document needs it.
pub struct Quirk {
    /// The name of the function that works around it.
    pub name: &'static str,
    /// What property of the documents it handles.
    pub handles: &'static str,
    applies: fn(&Document) -> bool,
}

/// Every workaround, in the order a document meets them.
pub const ALL: &[Quirk] = &[
    Quirk {
        name: "yaml_enum_values_as_written",
        handles: "YAML reads unquoted enum values such as `True` or `no` as booleans",
        applies: |doc| doc.yaml_enum_values_restored != Some(0),
    },
    Quirk { name: "reference_siblings", handles: "8.0.x style: `description`, `nullable`, `deprecated` beside a bare `$ref`, which OpenAPI 3.0 ignores (the same function reads them off a 9.x `allOf` wrapper)", applies: |doc| scan(doc).reference_siblings },
    Quirk { name: "wrapped_reference", handles: "9.x style: a described reference written as a one-element `allOf`", applies: |doc| scan(doc).wrapped_references },
    Quirk { name: "block_scalar_text", handles: "descriptions written as `|2` block scalars, with edge newlines", applies: |doc| scan(doc).block_scalars },
    Quirk { name: "enum_type_name", handles: "enumerations named with an `_enum` suffix", applies: |doc| scan(doc).enum_suffix },
    Quirk { name: "enum_value_notes", handles: "per-value text of an enumeration in its description's `- `value`: text` list", applies: |doc| scan(doc).enum_value_notes },
    Quirk { name: "fault_names", handles: "the faults of an operation listed as `***Name***` lines of its 500 response's description", applies: |doc| scan(doc).fault_lists },
    Quirk { name: "referred_type", handles: "the managed type of a returned reference given only as `Refers instance of *Type*.`", applies: |doc| scan(doc).refers_instance },
    Quirk { name: "since_release", handles: "the release that introduced an item given only as a `***Since:***` line", applies: |doc| scan(doc).since_lines },
];

/// The workarounds the document does not need: one warning each.
pub fn stale(doc: &Document) -> Vec<String> {
    ALL.iter()
        .filter(|q| !(q.applies)(doc))
        .map(|q| {
            format!(
                "quirk `{}` no longer applies to this document ({}); remove it from `generator/src/quirks.rs` if no supported release needs it",
                q.name, q.handles
            )
        })
        .collect()
}

/// YAML resolves an unquoted `True`, `no` or `1.0` to a boolean or a number, which would turn an
/// enum value into something else. Enum values are read a second time as strings (serde_yaml
/// hands a string-typed field the scalar exactly as written) and put back into the tree;
/// returns how many changed.
pub fn yaml_enum_values_as_written(text: &str, raw: &mut Value) -> Result<usize, serde_yaml::Error> {
    let enums: EnumDoc = serde_yaml::from_str(text)?;
    let schemas = enums.components.and_then(|c| c.schemas).unwrap_or_default();
    let mut changed = 0;
    for (name, schema) in schemas {
        let pointer = format!("/components/schemas/{}", pointer_segment(&name));
        changed += schema.restore(raw, &pointer);
    }
    Ok(changed)
}

#[derive(serde::Deserialize)]
struct EnumDoc {
    components: Option<EnumComponents>,
}

#[derive(serde::Deserialize)]
struct EnumComponents {
    schemas: Option<BTreeMap<String, EnumSchema>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct EnumSchema {
    #[serde(rename = "enum")]
    values: Option<Vec<Option<String>>>,
    properties: Option<BTreeMap<String, EnumSchema>>,
    items: Option<Box<EnumSchema>>,
}

impl EnumSchema {
    fn restore(&self, raw: &mut Value, pointer: &str) -> usize {
        let mut changed = 0;
        if let Some(values) = &self.values {
            if let Some(Value::Array(list)) = raw.pointer_mut(&format!("{pointer}/enum")) {
                for (slot, value) in list.iter_mut().zip(values) {
                    if let Some(v) = value {
                        changed += usize::from(slot.as_str() != Some(v.as_str()));
                        *slot = Value::String(v.clone());
                    }
                }
            }
        }
        for (name, p) in self.properties.iter().flatten() {
            changed += p.restore(raw, &format!("{pointer}/properties/{}", pointer_segment(name)));
        }
        if let Some(items) = &self.items {
            changed += items.restore(raw, &format!("{pointer}/items"));
        }
        changed
    }
}

/// Keys VMware writes beside a `$ref` (8.0.x style) or on an `allOf` wrapper (9.x style).
#[derive(Default)]
pub struct Annotations {
    pub description: Option<String>,
    pub nullable: bool,
    pub deprecated: bool,
}

/// The keys beside a bare `$ref` in the 8.0.x style (`description`, `nullable`, `deprecated`):
/// OpenAPI 3.0 ignores them and `openapiv3` drops them, so they are read from the raw node.
/// The same keys on a 9.x `allOf` wrapper are read the same way.
pub fn reference_siblings(node: &Value) -> Annotations {
    Annotations {
        description: node.get("description").and_then(|d| d.as_str()).map(block_scalar_text),
        nullable: node.get("nullable").and_then(|d| d.as_bool()).unwrap_or(false),
        deprecated: node.get("deprecated").and_then(|d| d.as_bool()).unwrap_or(false),
    }
}

/// The 9.x style of a described reference: a member schema of no type but `object`, without
/// properties, whose `allOf` holds one `$ref`, is that reference (and not an inline subtype).
pub fn wrapped_reference<'a>(all_of: &'a [ReferenceOr<OaSchema>], typ: Option<&str>, has_properties: bool) -> Option<&'a str> {
    match all_of {
        [ReferenceOr::Reference { reference }] if typ.is_none_or(|t| t == "object") && !has_properties => Some(reference),
        _ => None,
    }
}

/// Descriptions come as `|2` block scalars with trailing newlines; keep the text, drop the edges.
pub fn block_scalar_text(s: &str) -> String {
    s.trim_end().trim_start_matches('\n').to_owned()
}

/// The name an enumeration's type is given: its schema's name without the `_enum` suffix VMware
/// adds to tell it from the wrapped value of the same name (`Color_enum` and `Color`).
pub fn enum_type_name(schema: &str) -> &str {
    schema.strip_suffix("_enum").unwrap_or(schema)
}

/// The per-value text of an enumeration: its description lists the values as `` - `value`: text ``
/// lines.
pub fn enum_value_notes(description: Option<&str>) -> BTreeMap<&str, String> {
    let mut notes = BTreeMap::new();
    for line in description.into_iter().flat_map(str::lines) {
        if let Some(rest) = line.trim_start().strip_prefix("- `") {
            if let Some((value, text)) = rest.split_once('`') {
                let text = text.trim_start_matches(':').trim();
                if !text.is_empty() {
                    notes.insert(value, text.to_owned());
                }
            }
        }
    }
    notes
}

/// The faults an operation declares: its 500 response's schema is the fault root, and the
/// fault types are only named in the description, one `***Name***` line each.
pub fn fault_names(description: &str) -> impl Iterator<Item = &str> {
    description.lines().filter_map(|l| l.trim().strip_prefix("***")?.strip_suffix("***"))
}

/// The managed type a returned `ManagedObjectReference` refers to, which the document only says
/// in prose: `Refers instance of *Task*.`
pub fn referred_type(description: &str) -> Option<&str> {
    let at = description.find("Refers instance of *")? + "Refers instance of *".len();
    Some(&description[at..at + description[at..].find('*')?])
}

/// The vSphere API release that introduced an item, from its description's
/// `***Since:*** vSphere API Release 8.0.2.0` line (or `***Since:*** 8.0.0.4`). Releases of
/// other APIs (`vEAM API 8.2`) are not vSphere releases a session negotiates, so they give none.
pub fn since_release(description: Option<&str>) -> Option<&str> {
    let text = description?;
    let at = text.find("***Since:***")? + "***Since:***".len();
    let line = text[at..].lines().next()?.trim();
    let release = line.strip_prefix("vSphere API Release ").unwrap_or(line).trim();
    let parts: Vec<&str> = release.split('.').collect();
    let numeric = parts.len() >= 2 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    numeric.then_some(release)
}

/// What one walk over the document's tree found of each quirk.
#[derive(Default)]
struct Found {
    reference_siblings: bool,
    wrapped_references: bool,
    block_scalars: bool,
    enum_suffix: bool,
    enum_value_notes: bool,
    fault_lists: bool,
    refers_instance: bool,
    since_lines: bool,
}

fn scan(doc: &Document) -> Found {
    let mut found = Found::default();
    if let Some(Value::Object(schemas)) = doc.raw_at("/components/schemas") {
        found.enum_suffix = schemas.keys().any(|n| n.ends_with("_enum"));
    }
    walk(&doc.raw, "", "", &mut found);
    found
}

/// Visits every node; `key` is the one it is held under, `container` the key of the mapping
/// holding it (`properties` for a member's schema).
fn walk(node: &Value, key: &str, container: &str, found: &mut Found) {
    match node {
        Value::Object(map) => {
            if map.contains_key("$ref") && ["description", "nullable", "deprecated"].iter().any(|k| map.contains_key(*k)) {
                found.reference_siblings = true;
            }
            if let Some(Value::Array(all_of)) = map.get("allOf") {
                let bare = all_of.len() == 1 && all_of[0].get("$ref").is_some() && !map.contains_key("properties");
                let member = container == "properties" || key == "items" || key == "schema";
                found.wrapped_references |= bare && member && map.get("type").is_none_or(|t| t == "object");
            }
            if let Some(Value::String(d)) = map.get("description") {
                found.block_scalars |= d.starts_with('\n') || d.ends_with(char::is_whitespace);
                found.refers_instance |= referred_type(d).is_some();
                found.since_lines |= since_release(Some(d)).is_some();
                found.enum_value_notes |= map.contains_key("enum") && !enum_value_notes(Some(d)).is_empty();
                found.fault_lists |= key == "500" && fault_names(d).next().is_some();
            }
            for (k, v) in map {
                walk(v, k, key, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk(v, key, container, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with `schemas` (YAML, indented as under `components: schemas:`) and `paths`.
    fn doc(schemas: &str, paths: &str) -> Document {
        let yaml = format!("openapi: 3.0.0\ninfo:\n  title: t\n  version: 1.0.0\npaths:{paths}\ncomponents:\n  schemas:\n{schemas}");
        crate::load::load(yaml.as_bytes()).expect("the fragment loads")
    }

    fn applies(name: &str, d: &Document) -> bool {
        (ALL.iter().find(|q| q.name == name).expect("a quirk of that name").applies)(d)
    }

    const PLAIN: &str = "    Thing:\n      type: object\n      properties:\n        size:\n          type: integer\n";

    #[test]
    fn yaml_enum_values_stay_as_written() {
        let d = doc("    Flag_enum:\n      type: string\n      enum:\n        - True\n        - 'no'\n        - no\n", " {}");
        assert_eq!(d.raw_at("/components/schemas/Flag_enum/enum"), Some(&serde_json::json!(["True", "no", "no"])));
        // YAML 1.2 reads only `True` as other than a string here
        assert_eq!(d.yaml_enum_values_restored, Some(1));
        assert!(applies("yaml_enum_values_as_written", &d));
        assert!(!applies("yaml_enum_values_as_written", &doc("    Flag_enum:\n      type: string\n      enum:\n        - 'True'\n", " {}")));
    }

    #[test]
    fn keys_beside_a_bare_reference_are_read() {
        let fragment = "    Thing:\n      type: object\n      properties:\n        other:\n          description: |2\n            The other.\n          nullable: true\n          $ref: '#/components/schemas/Thing'\n";
        let d = doc(fragment, " {}");
        let a = reference_siblings(d.raw_at("/components/schemas/Thing/properties/other").expect("the member"));
        assert_eq!((a.description.as_deref(), a.nullable, a.deprecated), (Some("The other."), true, false));
        assert!(applies("reference_siblings", &d));
        assert!(!applies("reference_siblings", &doc(PLAIN, " {}")));
    }

    #[test]
    fn a_one_element_all_of_is_a_reference() {
        let reference = || ReferenceOr::Reference { reference: "#/components/schemas/Thing".to_owned() };
        assert_eq!(wrapped_reference(&[reference()], None, false), Some("#/components/schemas/Thing"));
        assert_eq!(wrapped_reference(&[reference()], Some("object"), true), None);
        assert_eq!(wrapped_reference(&[reference(), reference()], None, false), None);
        let fragment = "    Thing:\n      type: object\n      properties:\n        other:\n          description: The other.\n          allOf:\n            - $ref: '#/components/schemas/Thing'\n";
        assert!(applies("wrapped_reference", &doc(fragment, " {}")));
        // a subtype's own `allOf` (its parent and its members) is not one
        let subtype = "    Sub:\n      allOf:\n        - $ref: '#/components/schemas/Thing'\n      properties:\n        more:\n          type: string\n";
        assert!(!applies("wrapped_reference", &doc(&format!("{PLAIN}{subtype}"), " {}")));
    }

    #[test]
    fn block_scalars_lose_their_edges() {
        assert_eq!(block_scalar_text("\n\nFirst line.\n\n  Second.\n\n"), "First line.\n\n  Second.");
        let d = doc("    Thing:\n      type: object\n      description: |2\n        A thing.\n", " {}");
        assert!(applies("block_scalar_text", &d));
        assert!(!applies("block_scalar_text", &doc("    Thing:\n      type: object\n      description: A thing.\n", " {}")));
    }

    #[test]
    fn the_enum_suffix_is_dropped() {
        assert_eq!(enum_type_name("Color_enum"), "Color");
        assert_eq!(enum_type_name("Color"), "Color");
        assert!(applies("enum_type_name", &doc("    Color_enum:\n      type: string\n      enum: [red]\n", " {}")));
        assert!(!applies("enum_type_name", &doc(PLAIN, " {}")));
    }

    #[test]
    fn enum_values_get_their_lines_of_the_description() {
        let description = "Colors.\n\n- `red`: Like blood.\n- `blue`\n";
        let notes = enum_value_notes(Some(description));
        assert_eq!(notes.get("red").map(String::as_str), Some("Like blood."));
        assert!(!notes.contains_key("blue"));
        let fragment = "    Color_enum:\n      type: string\n      description: |2\n        - `red`: Like blood.\n      enum: [red]\n";
        assert!(applies("enum_value_notes", &doc(fragment, " {}")));
        assert!(!applies("enum_value_notes", &doc(PLAIN, " {}")));
    }

    /// A path whose POST has a 500 response described as `description`.
    fn with_fault(description: &str) -> Document {
        let paths = format!("\n  /Widget/{{moId}}/Frob:\n    post:\n      operationId: Widget_Frob\n      responses:\n        '204':\n          description: No content.\n        '500':\n          description: |2\n            {description}\n");
        doc(PLAIN, &paths)
    }

    #[test]
    fn fault_names_come_from_the_500_description() {
        assert_eq!(fault_names("Failure\n\n***InvalidState***\n ***NotFound*** \n").collect::<Vec<_>>(), ["InvalidState", "NotFound"]);
        assert!(applies("fault_names", &with_fault("***InvalidState***")));
        assert!(!applies("fault_names", &with_fault("Failure")));
    }

    #[test]
    fn a_reference_reply_names_its_type_in_prose() {
        assert_eq!(referred_type("The task.\n\nRefers instance of *Task*."), Some("Task"));
        assert_eq!(referred_type("A reference."), None);
        let d = doc("    Thing:\n      type: object\n      description: Refers instance of *Task*.\n", " {}");
        assert!(applies("referred_type", &d));
        assert!(!applies("referred_type", &doc(PLAIN, " {}")));
    }

    #[test]
    fn since_reads_the_release_line() {
        assert_eq!(
            since_release(Some("Invokes *X*.\n\n***Since:*** vSphere API Release 9.1.0.0\n\n***Required privileges:*** System.View")),
            Some("9.1.0.0")
        );
        assert_eq!(since_release(Some("***Since:*** 8.0.0.4")), Some("8.0.0.4"));
        assert_eq!(since_release(Some("***Since:*** vEAM API 8.2")), None);
        assert_eq!(since_release(Some("no release here")), None);
        assert_eq!(since_release(None), None);
        let d = doc("    Thing:\n      type: object\n      description: '***Since:*** 8.0.0.4'\n", " {}");
        assert!(applies("since_release", &d));
        assert!(!applies("since_release", &doc(PLAIN, " {}")));
    }

    #[test]
    fn every_quirk_applies_to_the_fixture_and_none_to_a_bare_document() {
        let fixture = crate::load::load(include_bytes!("../tests/fixtures/mini.yaml")).expect("the fixture loads");
        assert_eq!(stale(&fixture), Vec::<String>::new());
        assert_eq!(stale(&doc(PLAIN, " {}")).len(), ALL.len());
    }
}
