//! Every change kind on small fixture documents: a base document, and the same document with
//! one edit made through a JSON pointer.

use super::*;
use crate::{load, model};
use serde_json::{json, Value};

fn base() -> Value {
    json!({
      "openapi": "3.0.0",
      "info": {"title": "fixture", "version": "1.0.0.0"},
      "paths": {
        "/Folder/{moId}/Rename": {"post": {
          "operationId": "Folder_Rename",
          "description": "Renames.",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RenameRequestType"}}}},
          "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Child"}}}},
            "500": {"description": "***InvalidName***\n", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MethodFault"}}}}
          }}},
        "/Folder/{moId}/Destroy": {"post": {
          "operationId": "Folder_Destroy",
          "responses": {"204": {"description": "No Content"}}}},
        "/Folder/{moId}/name": {"get": {
          "operationId": "Folder_getName",
          "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "string"}}}}}}}
      },
      "components": {"schemas": {
        "Any": {"type": "object", "properties": {"_typeName": {"type": "string"}}, "required": ["_typeName"],
                "discriminator": {"propertyName": "_typeName", "mapping": {"int": "#/components/schemas/PrimitiveInt"}}},
        "PrimitiveInt": {"type": "object", "properties": {"_value": {"type": "integer", "format": "int32"}}, "required": ["_value"],
                         "allOf": [{"$ref": "#/components/schemas/Any"}]},
        "Base": {"type": "object", "description": "A base.", "allOf": [{"$ref": "#/components/schemas/Any"}],
                 "properties": {"id": {"type": "string"}, "note": {"type": "string", "description": "A note."}}, "required": ["id"]},
        "Child": {"type": "object", "allOf": [{"$ref": "#/components/schemas/Base"}],
                  "properties": {"size": {"type": "integer", "format": "int32"}, "state": {"$ref": "#/components/schemas/State_enum"}}},
        "Other": {"type": "object", "allOf": [{"$ref": "#/components/schemas/Any"}],
                  "properties": {"when": {"type": "string", "format": "date-time"}}},
        "MethodFault": {"type": "object", "allOf": [{"$ref": "#/components/schemas/Any"}], "properties": {}},
        "InvalidName": {"type": "object", "allOf": [{"$ref": "#/components/schemas/MethodFault"}], "properties": {"name": {"type": "string"}}},
        "Timeout": {"type": "object", "allOf": [{"$ref": "#/components/schemas/MethodFault"}], "properties": {}},
        "State_enum": {"type": "string", "description": "Possible values:\n- `on`: running\n- `off`\n", "enum": ["on", "off"]},
        "Wrapper": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "string"}}}},
        "RenameRequestType": {"type": "object", "properties": {"newName": {"type": "string"}, "force": {"type": "boolean"}}, "required": ["newName"]}
      }}
    })
}

fn model_of(v: &Value) -> Model {
    let bytes = serde_json::to_vec(v).expect("serializes");
    let doc = load::load(&bytes).expect("fixture loads");
    model::build(&doc).expect("fixture builds")
}

/// The diff from the base document to the base with `edit` applied.
fn after(edit: impl FnOnce(&mut Value)) -> Diff {
    let old = base();
    let mut new = old.clone();
    edit(&mut new);
    diff(&model_of(&old), &model_of(&new))
}

fn at<'a>(v: &'a mut Value, pointer: &str) -> &'a mut Value {
    v.pointer_mut(pointer).unwrap_or_else(|| panic!("fixture has no {pointer}"))
}

fn set(v: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer with a parent");
    at(v, parent).as_object_mut().expect("object").insert(key.replace("~1", "/"), value);
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer with a parent");
    at(v, parent).as_object_mut().expect("object").remove(&key.replace("~1", "/")).expect("key present");
}

const S: &str = "/components/schemas";

/// The one changed schema's changes.
fn schema_changes_of(d: &Diff, name: &str) -> Vec<(ChangeKind, Option<String>, Semver)> {
    let c = d.schemas.changed.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} not changed: {d:#?}"));
    c.changes.iter().map(|c| (c.kind, c.member.clone(), c.impact)).collect()
}

fn op_changes_of(d: &Diff, id: &str) -> Vec<(ChangeKind, Option<String>, Semver)> {
    let c = d.operations.changed.iter().find(|c| c.operation_id == id).unwrap_or_else(|| panic!("{id} not changed: {d:#?}"));
    c.changes.iter().map(|c| (c.kind, c.member.clone(), c.impact)).collect()
}

fn one(kind: ChangeKind, member: Option<&str>, impact: Semver) -> Vec<(ChangeKind, Option<String>, Semver)> {
    vec![(kind, member.map(str::to_owned), impact)]
}

#[test]
fn identical_documents_have_no_changes_and_are_patch() {
    let d = after(|_| {});
    assert!(d.is_empty());
    assert_eq!(d.semver, Semver::Patch);
    assert!(markdown(&d, "x").contains("No API changes."));
}

#[test]
fn schema_added_is_minor_and_removed_is_major() {
    let d = after(|v| set(v, &format!("{S}/Extra"), json!({"type": "object", "allOf": [{"$ref": "#/components/schemas/Any"}], "properties": {}})));
    assert_eq!(d.schemas.added, ["Extra"]);
    assert!(d.schemas.removed.is_empty() && d.schemas.changed.is_empty());
    assert_eq!(d.semver, Semver::Minor);

    let d = after(|v| remove(v, &format!("{S}/Other")));
    assert_eq!(d.schemas.removed, ["Other"]);
    assert_eq!(d.semver, Semver::Major);
}

#[test]
fn optional_property_added_is_minor_required_is_major() {
    let d = after(|v| set(v, &format!("{S}/Child/properties/label"), json!({"type": "string"})));
    assert_eq!(schema_changes_of(&d, "Child"), one(ChangeKind::PropertyAdded, Some("label"), Semver::Minor));
    assert_eq!(d.semver, Semver::Minor);

    let d = after(|v| {
        set(v, &format!("{S}/Child/properties/label"), json!({"type": "string"}));
        set(v, &format!("{S}/Child/required"), json!(["label"]));
    });
    assert_eq!(schema_changes_of(&d, "Child"), one(ChangeKind::PropertyAdded, Some("label"), Semver::Major));
    assert_eq!(d.schemas.changed[0].changes[0].new.as_deref(), Some("string (required)"));
    assert_eq!(d.semver, Semver::Major);
}

#[test]
fn property_removed_is_major() {
    let d = after(|v| remove(v, &format!("{S}/Other/properties/when")));
    assert_eq!(schema_changes_of(&d, "Other"), one(ChangeKind::PropertyRemoved, Some("when"), Semver::Major));
    assert_eq!(d.schemas.changed[0].changes[0].old.as_deref(), Some("string(date-time)"));
    assert_eq!(d.semver, Semver::Major);
}

#[test]
fn optional_required_flips_are_major_both_ways() {
    let d = after(|v| set(v, &format!("{S}/Base/required"), json!(["id", "note"])));
    assert_eq!(schema_changes_of(&d, "Base"), one(ChangeKind::PropertyRequired, Some("note"), Semver::Major));
    let d = after(|v| set(v, &format!("{S}/Base/required"), json!([])));
    assert_eq!(schema_changes_of(&d, "Base"), one(ChangeKind::PropertyOptional, Some("id"), Semver::Major));
    assert_eq!(d.semver, Semver::Major);
}

#[test]
fn property_type_change_is_major_and_names_both_types() {
    let d = after(|v| set(v, &format!("{S}/Child/properties/size"), json!({"type": "integer", "format": "int64"})));
    assert_eq!(schema_changes_of(&d, "Child"), one(ChangeKind::PropertyType, Some("size"), Semver::Major));
    let c = &d.schemas.changed[0].changes[0];
    assert_eq!((c.old.as_deref(), c.new.as_deref()), (Some("int32"), Some("int64")));

    let d = after(|v| set(v, &format!("{S}/Wrapper/properties/items/items"), json!({"$ref": "#/components/schemas/Other"})));
    let c = &d.schemas.changed[0].changes[0];
    assert_eq!((d.schemas.changed[0].name.as_str(), c.kind), ("Wrapper", ChangeKind::PropertyType));
    assert_eq!((c.old.as_deref(), c.new.as_deref()), (Some("string[]"), Some("Other[]")));
}

#[test]
fn description_only_changes_are_patch() {
    let d = after(|v| {
        set(v, &format!("{S}/Base/description"), json!("A better base."));
        set(v, &format!("{S}/Base/properties/note/description"), json!("A better note."));
        set(v, &format!("{S}/State_enum/description"), json!("Possible values:\n- `on`: spinning\n- `off`\n"));
        set(v, "/paths/~1Folder~1{moId}~1Rename/post/description", json!("Renames better."));
    });
    assert_eq!(
        schema_changes_of(&d, "Base"),
        vec![(ChangeKind::Description, None, Semver::Patch), (ChangeKind::PropertyDescription, Some("note".into()), Semver::Patch)]
    );
    // the enum's description text changed too, beside the value's note
    assert!(schema_changes_of(&d, "State_enum").contains(&(ChangeKind::EnumValueDescription, Some("on".into()), Semver::Patch)));
    assert_eq!(op_changes_of(&d, "Folder_Rename"), one(ChangeKind::Description, None, Semver::Patch));
    assert_eq!(d.semver, Semver::Patch);
    let md = markdown(&d, "t");
    assert!(md.contains("### Documentation and other changes") && !md.contains("### Breaking"), "{md}");
}

#[test]
fn enum_value_added_is_minor_removed_is_major() {
    let d = after(|v| set(v, &format!("{S}/State_enum/enum"), json!(["on", "off", "standby"])));
    assert_eq!(d.enum_values.added, [EnumValueRef { schema: "State_enum".into(), value: "standby".into() }]);
    assert!(d.enum_values.removed.is_empty());
    assert_eq!(d.semver, Semver::Minor);

    let d = after(|v| set(v, &format!("{S}/State_enum/enum"), json!(["on"])));
    assert_eq!(d.enum_values.removed, [EnumValueRef { schema: "State_enum".into(), value: "off".into() }]);
    assert_eq!(d.semver, Semver::Major);
}

#[test]
fn operation_added_is_minor_removed_is_major() {
    let d = after(|v| {
        set(v, "/paths/~1Folder~1{moId}~1Reload", json!({"post": {"operationId": "Folder_Reload", "responses": {"204": {"description": "No Content"}}}}))
    });
    assert_eq!(d.operations.added, ["Folder_Reload"]);
    assert_eq!(d.semver, Semver::Minor);

    let d = after(|v| remove(v, "/paths/~1Folder~1{moId}~1name"));
    assert_eq!(d.operations.removed, ["Folder_getName"]);
    assert_eq!(d.semver, Semver::Major);
}

#[test]
fn parameters_are_the_request_type_fields() {
    let rq = format!("{S}/RenameRequestType");
    let d = after(|v| set(v, &format!("{rq}/properties/reason"), json!({"type": "string"})));
    assert_eq!(op_changes_of(&d, "Folder_Rename"), one(ChangeKind::ParameterAdded, Some("reason"), Semver::Minor));
    // a request type is not listed as a changed schema
    assert!(d.schemas.changed.is_empty());
    assert_eq!(d.semver, Semver::Minor);

    let d = after(|v| {
        set(v, &format!("{rq}/properties/reason"), json!({"type": "string"}));
        set(v, &format!("{rq}/required"), json!(["newName", "reason"]));
    });
    assert_eq!(op_changes_of(&d, "Folder_Rename"), one(ChangeKind::ParameterAdded, Some("reason"), Semver::Major));

    let d = after(|v| remove(v, &format!("{rq}/properties/force")));
    assert_eq!(op_changes_of(&d, "Folder_Rename"), one(ChangeKind::ParameterRemoved, Some("force"), Semver::Major));

    let d = after(|v| set(v, &format!("{rq}/properties/force"), json!({"type": "string"})));
    assert_eq!(op_changes_of(&d, "Folder_Rename"), one(ChangeKind::ParameterType, Some("force"), Semver::Major));

    let d = after(|v| set(v, &format!("{rq}/required"), json!(["newName", "force"])));
    assert_eq!(op_changes_of(&d, "Folder_Rename"), one(ChangeKind::ParameterRequired, Some("force"), Semver::Major));
}

#[test]
fn a_method_gaining_its_first_parameter_reports_it() {
    let d = after(|v| {
        set(v, &format!("{S}/DestroyRequestType"), json!({"type": "object", "properties": {"now": {"type": "boolean"}}}));
        set(
            v,
            "/paths/~1Folder~1{moId}~1Destroy/post/requestBody",
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/DestroyRequestType"}}}}),
        );
    });
    assert_eq!(d.schemas.added, ["DestroyRequestType"]);
    assert_eq!(op_changes_of(&d, "Folder_Destroy"), one(ChangeKind::ParameterAdded, Some("now"), Semver::Minor));
}

#[test]
fn return_changes_are_major() {
    let rename = "/paths/~1Folder~1{moId}~1Rename/post/responses/200/content/application~1json/schema";
    let d = after(|v| set(v, rename, json!({"$ref": "#/components/schemas/Other"})));
    assert_eq!(op_changes_of(&d, "Folder_Rename"), one(ChangeKind::ReturnType, None, Semver::Major));
    let c = &d.operations.changed[0].changes[0];
    assert_eq!((c.old.as_deref(), c.new.as_deref()), (Some("Child"), Some("Other")));

    let d = after(|v| set(v, rename, json!({"$ref": "#/components/schemas/Child", "nullable": true})));
    assert_eq!(op_changes_of(&d, "Folder_Rename"), one(ChangeKind::ReturnNullable, None, Semver::Major));

    // 204 -> 200: a method that returned nothing now returns a value
    let d = after(|v| {
        set(
            v,
            "/paths/~1Folder~1{moId}~1Destroy/post/responses",
            json!({"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "boolean"}}}}}),
        )
    });
    assert_eq!(op_changes_of(&d, "Folder_Destroy"), one(ChangeKind::ReturnType, None, Semver::Major));
    assert_eq!(d.operations.changed[0].changes[0].old.as_deref(), Some("nothing"));

    // a property read's type
    let d = after(|v| {
        set(v, "/paths/~1Folder~1{moId}~1name/get/responses/200/content/application~1json/schema", json!({"type": "integer", "format": "int32"}))
    });
    assert_eq!(op_changes_of(&d, "Folder_getName"), one(ChangeKind::ReturnType, None, Semver::Major));
}

#[test]
fn fault_list_changes_are_minor() {
    let d = after(|v| set(v, "/paths/~1Folder~1{moId}~1Rename/post/responses/500/description", json!("***Timeout***\n")));
    assert_eq!(
        op_changes_of(&d, "Folder_Rename"),
        vec![(ChangeKind::FaultRemoved, Some("InvalidName".into()), Semver::Minor), (ChangeKind::FaultAdded, Some("Timeout".into()), Semver::Minor)]
    );
    assert_eq!(d.semver, Semver::Minor);
}

#[test]
fn a_property_moved_to_the_parent_is_patch_for_the_child_and_minor_for_the_parent() {
    let d = after(|v| {
        remove(v, &format!("{S}/Child/properties/size"));
        set(v, &format!("{S}/Base/properties/size"), json!({"type": "integer", "format": "int32"}));
    });
    assert_eq!(schema_changes_of(&d, "Child"), one(ChangeKind::PropertyMoved, Some("size"), Semver::Patch));
    assert_eq!(schema_changes_of(&d, "Base"), one(ChangeKind::PropertyAdded, Some("size"), Semver::Minor));
    assert_eq!(d.semver, Semver::Minor);
}

#[test]
fn first_subtype_makes_the_parent_polymorphic_which_is_major() {
    let d = after(|v| set(v, &format!("{S}/Special"), json!({"type": "object", "allOf": [{"$ref": "#/components/schemas/Other"}], "properties": {}})));
    assert_eq!(d.schemas.added, ["Special"]);
    assert_eq!(schema_changes_of(&d, "Other"), one(ChangeKind::Polymorphic, None, Semver::Major));
    // a further subtype of an already polymorphic type is only an addition
    let d = after(|v| set(v, &format!("{S}/Child2"), json!({"type": "object", "allOf": [{"$ref": "#/components/schemas/Base"}], "properties": {}})));
    assert_eq!(d.semver, Semver::Minor);
}

#[test]
fn kind_and_parent_changes_are_major() {
    let d = after(|v| set(v, &format!("{S}/Other"), json!({"type": "string", "enum": ["a"]})));
    assert_eq!(schema_changes_of(&d, "Other"), one(ChangeKind::SchemaKind, None, Semver::Major));
    let c = &d.schemas.changed[0].changes[0];
    assert_eq!((c.old.as_deref(), c.new.as_deref()), (Some("data object"), Some("enum")));

    let d = after(|v| set(v, &format!("{S}/Other/allOf"), json!([{"$ref": "#/components/schemas/Base"}])));
    assert!(schema_changes_of(&d, "Other").contains(&(ChangeKind::Parent, None, Semver::Major)));
}

#[test]
fn deprecation_is_minor() {
    let d = after(|v| {
        set(v, &format!("{S}/Other/deprecated"), json!(true));
        set(v, "/paths/~1Folder~1{moId}~1Destroy/post/deprecated", json!(true));
    });
    assert_eq!(schema_changes_of(&d, "Other"), one(ChangeKind::Deprecated, None, Semver::Minor));
    assert_eq!(op_changes_of(&d, "Folder_Destroy"), one(ChangeKind::Deprecated, None, Semver::Minor));
    assert_eq!(d.semver, Semver::Minor);
}

#[test]
fn boxed_value_type_change_is_major() {
    let d = after(|v| set(v, &format!("{S}/PrimitiveInt/properties/_value"), json!({"type": "integer", "format": "int64"})));
    assert_eq!(schema_changes_of(&d, "PrimitiveInt"), one(ChangeKind::WrapperType, None, Semver::Major));
}

#[test]
fn method_becoming_a_property_read_is_major() {
    let d = after(|v| {
        remove(v, "/paths/~1Folder~1{moId}~1Destroy");
        set(
            v,
            "/paths/~1Folder~1{moId}~1destroyed",
            json!({"get": {"operationId": "Folder_Destroy",
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "boolean"}}}}}}}),
        );
    });
    let changes = op_changes_of(&d, "Folder_Destroy");
    assert_eq!(changes, one(ChangeKind::OperationKind, None, Semver::Major));
}

#[test]
fn json_has_the_documented_shape() {
    let d = after(|v| {
        set(v, &format!("{S}/State_enum/enum"), json!(["on", "standby"]));
        remove(v, &format!("{S}/Other"));
        set(v, &format!("{S}/Extra"), json!({"type": "object", "allOf": [{"$ref": "#/components/schemas/Any"}], "properties": {}}));
    });
    let j = serde_json::to_value(&d).expect("serializes");
    assert_eq!(j["semver"], "major");
    assert_eq!(j["schemas"]["added"], json!(["Extra"]));
    assert_eq!(j["schemas"]["removed"], json!(["Other"]));
    assert_eq!(j["schemas"]["changed"][0]["name"], "State_enum");
    assert_eq!(j["schemas"]["changed"][0]["changes"][0], json!({"kind": "enum_value_removed", "member": "off", "impact": "major"}));
    assert_eq!(j["operations"], json!({"added": [], "removed": [], "changed": []}));
    assert_eq!(j["enum_values"]["added"], json!([{"schema": "State_enum", "value": "standby"}]));
    assert_eq!(j["enum_values"]["removed"], json!([{"schema": "State_enum", "value": "off"}]));
    assert_eq!(j["old"]["release"], "1.0.0.0");
    assert_eq!(j["new"]["sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn markdown_is_a_changelog_entry_with_breaking_changes_first() {
    let d = after(|v| {
        set(v, &format!("{S}/State_enum/enum"), json!(["on", "standby"]));
        set(v, &format!("{S}/Child/properties/label"), json!({"type": "string"}));
        set(v, "/paths/~1Folder~1{moId}~1Rename/post/description", json!("Renames better."));
        remove(v, "/paths/~1Folder~1{moId}~1name");
    });
    let md = markdown(&d, "0.2.0 - vSphere 1.0.0.0");
    let expected = "## 0.2.0 - vSphere 1.0.0.0

vSphere API 1.0.0.0 → 1.0.0.0: a **major** change for the generated crate (schemas +0 −0 ~2; operations +0 −1 ~1; enum values +1 −1).
";
    assert!(md.starts_with(expected), "{md}");
    let breaking = md.find("### Breaking changes").expect("breaking section");
    let added = md.find("### Additions").expect("additions section");
    let patch = md.find("### Documentation").expect("patch section");
    assert!(breaking < added && added < patch, "{md}");
    for line in [
        "- Operations removed (1): `Folder_getName`",
        "- Enum values removed (1):\n  - `State_enum`: `off`",
        "- New enum values (1):\n  - `State_enum`: `standby`",
        "- `Child`: new optional property `label` (`string`)",
        "- Descriptions changed (1): `Folder_Rename`",
    ] {
        assert!(md.contains(line), "missing {line:?} in\n{md}");
    }
}

/// Five more optional strings: enough to push a small struct over `plan::INLINE_LIMIT`.
fn grow(v: &mut Value, schema: &str) {
    for p in ["a", "b", "c", "d", "e"] {
        set(v, &format!("{S}/{schema}/properties/{p}"), json!({"type": "string"}));
    }
}

#[test]
fn a_struct_growing_out_of_its_members_is_major() {
    let mut old = base();
    set(&mut old, &format!("{S}/Wrapper/properties/other"), json!({"$ref": "#/components/schemas/Other"}));
    let mut new = old.clone();
    grow(&mut new, "Other");
    let d = diff(&model_of(&old), &model_of(&new));
    let held = d
        .schemas
        .changed
        .iter()
        .find(|c| c.name == "Other")
        .and_then(|c| c.changes.iter().find(|c| c.kind == ChangeKind::HeldInline));
    let held = held.unwrap_or_else(|| panic!("no layout change: {d:#?}"));
    assert_eq!((held.old.as_deref(), held.new.as_deref(), held.impact), (Some("inline"), Some("boxed"), Semver::Major));
    assert_eq!(d.semver, Semver::Major);
    assert!(markdown(&d, "x").contains("held by its members boxed (was inline)"), "{}", markdown(&d, "x"));

    // no member holds `Other` in the base document: its members' types cannot change
    let d = after(|v| grow(v, "Other"));
    assert_eq!(d.semver, Semver::Minor);
}

#[test]
fn with_a_layout_record_a_growing_struct_or_family_keeps_its_layout() {
    let mut old = base();
    set(&mut old, &format!("{S}/Wrapper/properties/other"), json!({"$ref": "#/components/schemas/Other"}));
    let mut new = old.clone();
    grow(&mut new, "Other");
    grow(&mut new, "Base");
    let (old, new) = (model_of(&old), model_of(&new));
    let record = crate::plan::LayoutRecord::of(&old, &crate::plan::inline_layout(&old));
    let d = diff_with(&old, &new, Some(&record));
    let layout: Vec<_> = d
        .schemas
        .changed
        .iter()
        .flat_map(|c| c.changes.iter().map(move |x| (c.name.as_str(), x.kind)))
        .filter(|(_, k)| matches!(k, ChangeKind::HeldInline | ChangeKind::OwnInline | ChangeKind::NestedInline))
        .collect();
    assert_eq!(layout, [], "{d:#?}");
    // optional properties added, nothing else
    assert_eq!(d.semver, Semver::Minor);
    // without the record the same documents move both
    assert_eq!(diff(&old, &new).semver, Semver::Major);
}

#[test]
fn a_family_growing_out_of_its_enum_is_major() {
    let d = after(|v| grow(v, "Base"));
    let layout: Vec<_> = schema_changes_of(&d, "Base").into_iter().filter(|(k, ..)| *k != ChangeKind::PropertyAdded).collect();
    // its own struct is boxed now, and `Any` nests its enum, no longer grown, unboxed
    let both = vec![(ChangeKind::OwnInline, None, Semver::Major), (ChangeKind::NestedInline, None, Semver::Major)];
    assert_eq!(layout, both);
    assert_eq!(d.semver, Semver::Major);
}

#[test]
fn a_field_renamed_by_a_clash_is_major() {
    // `Size` on the parent takes `size` first, so the child's own `size` becomes `size_2`
    let d = after(|v| set(v, &format!("{S}/Base/properties/Size"), json!({"type": "integer", "format": "int32"})));
    assert_eq!(schema_changes_of(&d, "Base"), one(ChangeKind::PropertyAdded, Some("Size"), Semver::Minor));
    let child = d.schemas.changed.iter().find(|c| c.name == "Child").expect("Child changed");
    let sides: Vec<_> = child.changes.iter().map(|c| (c.kind, c.member.as_deref(), c.old.as_deref(), c.new.as_deref())).collect();
    assert_eq!(sides, [(ChangeKind::RustName, Some("size"), Some("size"), Some("size_2"))]);
    assert_eq!(d.semver, Semver::Major);
    let md = markdown(&d, "x");
    assert!(md.contains("- `Child`: `size` is `size_2` in Rust (was `size`)"), "{md}");
}

#[test]
fn a_method_or_parameter_renamed_by_a_clash_is_major() {
    // a parameter declared before `newName` with the same snake_case name takes it first
    let d = after(|v| {
        let props = at(v, &format!("{S}/RenameRequestType/properties")).as_object_mut().expect("object");
        let rest = std::mem::take(props);
        props.insert("NewName".into(), json!({"type": "string"}));
        props.extend(rest);
    });
    let ops = op_changes_of(&d, "Folder_Rename");
    assert!(ops.contains(&(ChangeKind::RustName, Some("newName".into()), Semver::Major)), "{ops:?}");
    assert_eq!(d.semver, Semver::Major);
}
