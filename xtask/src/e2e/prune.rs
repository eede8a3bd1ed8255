//! The pinned vi-json document cut down to the operations the end-to-end suite calls, in the
//! form prism can load and route.
//!
//! Prism (5.16) loads the whole document into memory and dereferences it: the full vi-json
//! document, and the `discriminator` whose mapping names every data type, exhaust its heap. So
//! the copy keeps only the listed paths and the components they reach through `$ref`, and
//! drops every `discriminator` first (its mapping is not a `$ref`, but reading it as the list
//! of subtypes is exactly what makes the closure the whole document).
//!
//! Prism matches a request's path against the document's paths alone: a server URL's path
//! (`/sdk/vim25/{release}` here) is ignored, unless a request names the server in a `__server`
//! query parameter, which no client sends. So each kept path moves under that prefix, the
//! `release` server variable becomes a path parameter of every operation, and `servers` goes.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The prefix of every vi-json path on a server, as in the document's server URL.
pub const PREFIX: &str = "/sdk/vim25/{release}";

/// Parses a YAML or JSON document.
pub fn parse(text: &str) -> Result<Value, String> {
    serde_yaml::from_str(text).map_err(|e| format!("the document does not parse: {e}"))
}

/// The document with only the paths in `keep` (as the document spells them, for example
/// `/VirtualMachine/{moId}/config`), moved under [`PREFIX`], and the components they reach.
pub fn prune(mut doc: Value, keep: &[String]) -> Result<Value, String> {
    let root = doc.as_object_mut().ok_or("the document is not an object")?;
    let mut all_paths = match root.remove("paths") {
        Some(Value::Object(paths)) => paths,
        _ => return Err("the document has no paths".into()),
    };
    let mut paths = Map::new();
    for path in keep {
        let mut item = all_paths.remove(path).ok_or_else(|| format!("{path}: not a path of the document"))?;
        add_release_parameter(&mut item);
        paths.insert(format!("{PREFIX}{path}"), item);
    }
    root.remove("servers");
    // the tag list describes every managed object type; the kept operations name theirs
    root.remove("tags");

    let mut components = match root.remove("components") {
        Some(Value::Object(c)) => c,
        _ => return Err("the document has no components".into()),
    };
    for kind in components.values_mut() {
        if let Value::Object(entries) = kind {
            entries.values_mut().for_each(remove_discriminators);
        }
    }
    let reached = reachable(&paths, &components)?;
    for (kind, entries) in components.iter_mut() {
        // security schemes are named by the operations' `security`, not by `$ref`
        if kind == "securitySchemes" {
            continue;
        }
        if let Value::Object(entries) = entries {
            entries.retain(|name, _| reached.contains(&(kind.clone(), name.clone())));
        }
    }
    root.insert("paths".into(), Value::Object(paths));
    root.insert("components".into(), Value::Object(components));
    Ok(doc)
}

/// Declares the `release` segment of [`PREFIX`] on each operation of a path item.
fn add_release_parameter(item: &mut Value) {
    let parameter = serde_json::json!({
        "name": "release",
        "in": "path",
        "required": true,
        "description": "The API release (the `release` variable of the document's server URL).",
        "schema": { "type": "string" }
    });
    let Value::Object(item) = item else { return };
    for (method, operation) in item.iter_mut() {
        const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
        if !METHODS.contains(&method.as_str()) {
            continue;
        }
        if let Value::Object(operation) = operation {
            match operation.entry("parameters").or_insert_with(|| Value::Array(Vec::new())) {
                Value::Array(list) => list.push(parameter.clone()),
                other => *other = Value::Array(vec![parameter.clone()]),
            }
        }
    }
}

/// Removes the `discriminator` keyword from a schema and every schema inside it. A property
/// that happens to be named `discriminator` (a key of `properties`) stays.
fn remove_discriminators(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "properties" {
                    if let Value::Object(properties) = value {
                        properties.values_mut().for_each(remove_discriminators);
                    }
                } else {
                    remove_discriminators(value);
                }
            }
            if map.get("discriminator").is_some_and(|d| d.get("propertyName").is_some()) {
                map.remove("discriminator");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(remove_discriminators),
        _ => {}
    }
}

/// The components (`(kind, name)`, as in `#/components/schemas/Name`) reached from `paths`
/// through `$ref`, transitively.
fn reachable(paths: &Map<String, Value>, components: &Map<String, Value>) -> Result<BTreeSet<(String, String)>, String> {
    let mut reached = BTreeSet::new();
    let mut pending = Vec::new();
    for item in paths.values() {
        collect_refs(item, &mut pending);
    }
    while let Some(reference) = pending.pop() {
        let Some(rest) = reference.strip_prefix("#/components/") else {
            return Err(format!("{reference}: only references into #/components are followed"));
        };
        let (kind, name) = rest.split_once('/').ok_or_else(|| format!("{reference}: not a component reference"))?;
        let name = name.replace("~1", "/").replace("~0", "~");
        if !reached.insert((kind.to_owned(), name.clone())) {
            continue;
        }
        let target = components.get(kind).and_then(|entries| entries.get(&name)).ok_or_else(|| format!("{reference}: no such component"))?;
        collect_refs(target, &mut pending);
    }
    Ok(reached)
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Value {
        json!({
            "openapi": "3.0.0",
            "servers": [{ "url": "https://{vcenter-host}/sdk/vim25/{release}" }],
            "tags": [{ "name": "Folder" }],
            "paths": {
                "/Folder/{moId}/name": { "get": {
                    "parameters": [{ "$ref": "#/components/parameters/moId" }],
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Name" } } } } }
                } },
                "/Folder/{moId}/childEntity": { "get": {
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Unused" } } } } }
                } }
            },
            "components": {
                "securitySchemes": { "Session": { "type": "apiKey" } },
                "parameters": { "moId": { "name": "moId", "in": "path" }, "other": { "name": "x" } },
                "schemas": {
                    "Any": { "discriminator": { "propertyName": "_typeName", "mapping": { "x": "#/components/schemas/Unused" } } },
                    "Name": { "allOf": [{ "$ref": "#/components/schemas/Any" }],
                              "properties": { "discriminator": { "type": "string" } } },
                    "Unused": { "type": "string" }
                }
            }
        })
    }

    #[test]
    fn keeps_what_the_kept_paths_reach() {
        let pruned = prune(document(), &["/Folder/{moId}/name".to_owned()]).expect("prunes");
        let paths = pruned["paths"].as_object().expect("paths");
        assert_eq!(paths.keys().collect::<Vec<_>>(), ["/sdk/vim25/{release}/Folder/{moId}/name"]);
        let schemas = pruned["components"]["schemas"].as_object().expect("schemas");
        assert_eq!(schemas.keys().collect::<BTreeSet<_>>(), BTreeSet::from([&"Any".to_owned(), &"Name".to_owned()]));
        assert!(pruned["components"]["schemas"]["Any"].get("discriminator").is_none());
        // a property named like the keyword is not the keyword
        assert!(pruned["components"]["schemas"]["Name"]["properties"].get("discriminator").is_some());
        assert!(pruned["components"]["parameters"].get("other").is_none());
        assert!(pruned["components"]["securitySchemes"].get("Session").is_some());
        assert!(pruned.get("servers").is_none());
        let parameters = paths["/sdk/vim25/{release}/Folder/{moId}/name"]["get"]["parameters"].as_array().expect("list");
        assert_eq!(parameters.len(), 2);
        assert_eq!(parameters[1]["name"], "release");
    }

    #[test]
    fn refuses_a_path_the_document_lacks() {
        let err = prune(document(), &["/Folder/{moId}/Nope".to_owned()]).expect_err("unknown path");
        assert!(err.contains("/Folder/{moId}/Nope"), "{err}");
    }
}
