//! The generator on a small document of our own: inheritance chains, boxed values, enums with
//! YAML-special values, faults, keywords as names, both reference styles, a second namespace.
//! The generated crate is then compiled and used, so this tests the output, not only the text.

use std::path::{Path, PathBuf};
use std::process::Command;
use vim25_generator::{generate, Options};

const MINI: &str = include_str!("fixtures/mini.yaml");

fn output() -> vim25_generator::Output {
    generate(MINI.as_bytes(), &Options { crate_version: "9.9.9".into(), standalone: true, layout: None }).expect("the fixture generates")
}

/// The file of a type's module, in whichever crate of the split it is.
fn type_file<'a>(out: &'a vim25_generator::Output, module: &str) -> &'a str {
    let name = format!("src/types/{module}.rs");
    let mut found = out.files.iter().filter(|(path, _)| path.strip_suffix(&name).is_some_and(|dir| dir.is_empty() || dir.ends_with('/')));
    match (found.next(), found.next()) {
        (Some((_, text)), None) => text,
        other => panic!("{name}: expected in exactly one crate, found {other:?}"),
    }
}

#[test]
fn every_schema_and_operation_is_mapped() {
    let out = output();
    let map: serde_json::Value = serde_json::from_str(&out.files["api-map.json"]).unwrap();
    assert_eq!(map["release"], "1.2.3.4");
    assert_eq!(map["schemas"]["Shape"], "vim25::types::Shape");
    assert_eq!(map["schemas"]["Color_enum"], "vim25::types::Color");
    assert_eq!(map["schemas"]["Color"], "vim25::types::Any::Color");
    assert_eq!(map["schemas"]["PrimitiveInt"], "vim25::types::Any::PrimitiveInt");
    assert_eq!(map["schemas"]["ArrayOfShape"], "vim25::types::Any::Array");
    assert_eq!(map["schemas"]["FrobRequestType"], "vim25::types::FrobRequestType");
    assert_eq!(map["schemas"].as_object().unwrap().len(), 16);
    assert_eq!(map["operations"]["Widget_Frob_Task"], "vim25::mo::Widget::frob_task");
    assert_eq!(map["operations"]["Widget_getMatch"], "vim25::mo::Widget::r#match");
    assert_eq!(map["operations"]["Gizmo_Spin"], "vim25::mo::Gizmo::spin");
    // members are listed under the schema that declares them, keywords escaped as in the crate
    assert_eq!(map["members"]["Shape"]["type"], "r#type");
    assert_eq!(map["members"]["Square"].as_object().unwrap().len(), 1, "{}", map["members"]["Square"]);
    assert_eq!(map["members"]["Square"]["side"], "side");
    assert_eq!(map["members"]["MethodFault"]["faultMessage"], "fault_message");
    assert_eq!(map["members"]["GizmoManual"]["numCPUs"], "num_cpus");
    assert_eq!(map["members"]["FrobRequestType"]["self"], "self_");
    assert_eq!(map["parameters"]["Widget_Frob_Task"]["self"], "self_");
    assert_eq!(map["parameters"]["Widget_Frob_Task"].as_object().unwrap().len(), 4);
    assert_eq!(map["values"]["Color_enum"]["red"], "Red");
    assert_eq!(map["values"]["Color_enum"]["self"], "SelfValue");
}

#[test]
fn inheritance_flattens_members_and_nests_families() {
    let out = output();
    let square = type_file(&out, "square");
    for member in ["pub name: crate::CompactString", "pub r#type: Option<crate::CompactString>", "pub corners: i32", "pub side: Option<f64>"] {
        assert!(square.contains(member), "Square lacks `{member}`:\n{square}");
    }
    let shape = type_file(&out, "shape");
    assert!(shape.contains("pub enum ShapeKind"));
    assert!(shape.contains("Polygon(crate::types::PolygonKind)"), "{shape}");
    assert!(type_file(&out, "polygon").contains("Square(crate::object::ObjectBox<crate::types::Square>)"));
    // a self-referencing member is boxed; a password is redacted
    let gizmo = type_file(&out, "gizmo_info");
    assert!(gizmo.contains("pub next: Option<Box<crate::types::GizmoInfo>>"), "{gizmo}");
    // a small struct is held inline, one estimated above `INLINE_LIMIT` bytes is boxed
    assert!(gizmo.contains("pub label: Option<crate::types::GizmoLabel>"), "{gizmo}");
    assert!(gizmo.contains("pub manual: Option<Box<crate::types::GizmoManual>>"), "{gizmo}");
    assert!(gizmo.contains("pub secret: Option<crate::Password>"));
    assert!(type_file(&out, "gizmo_manual").contains("pub num_cpus: Option<i32>"));
}

#[test]
fn blanks_write_literal_members_out() {
    let out = output();
    let square = type_file(&out, "square");
    // literals where a member has one (no call, no temporary to drop on unwind), the member's
    // own blank otherwise; `Default` forwards to the blank
    for member in ["side: None,", "corners: 0,", "name: crate::object::Blank::blank(),", "extra: crate::Extra::EMPTY,"] {
        assert!(square.contains(member), "Square's blank lacks `{member}`:\n{square}");
    }
    assert!(square.contains("impl Default for Square"), "{square}");
    assert!(!square.contains("derive(Clone, Default)"), "{square}");
}

#[test]
fn enum_values_keep_their_yaml_text() {
    let out = output();
    let color = type_file(&out, "color");
    assert!(color.contains("\"True\" => Self::True"), "{color}");
    assert!(color.contains("\"self\" => Self::SelfValue"), "{color}");
    assert!(color.contains("/// Warm."));
}

#[test]
fn output_is_deterministic() {
    assert_eq!(output(), output());
}

#[test]
fn malformed_documents_name_the_location() {
    let needle = "(8.0.x style).\n          $ref: '#/components/schemas/Color_enum'";
    assert!(MINI.contains(needle));
    let broken = MINI.replace(needle, "(8.0.x style).\n          $ref: '#/components/schemas/Nope'");
    let err = generate(broken.as_bytes(), &Options::default()).unwrap_err();
    assert_eq!(err.location, "#/components/schemas/Shape/properties/color", "{err}");
    let inline = MINI.replace("        side:\n          type: number\n          format: double", "        side:\n          type: object");
    let err = generate(inline.as_bytes(), &Options::default()).unwrap_err();
    assert_eq!(err.location, "#/components/schemas/Square/properties/side", "{err}");
    let err = generate(b"openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {}}\n", &Options::default()).unwrap_err();
    assert!(err.message.contains("discriminator"), "{err}");
}

fn write(out: &vim25_generator::Output, dir: &Path) {
    for (rel, text) in &out.files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Builds the fixture crate and runs a program against it that decodes, re-encodes and builds a
/// request, so the emitted code is checked by the compiler and by behaviour.
#[test]
fn generated_fixture_crate_compiles_and_round_trips() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mini-crate");
    let _ = std::fs::remove_dir_all(&dir);
    let out = output();
    write(&out, &dir);
    std::fs::write(
        dir.join("examples/probe.rs"),
        r##"
use vim25::types::*;
fn main() {
    let json = r#"{"corners":4,"_typeName":"Square","name":"sq","type":"t","color":"True","side":2.5,"later":1}"#;
    let shape: ShapeKind = vim25::from_str(json).unwrap();
    let square = shape.downcast_ref::<Square>().expect("a Square");
    assert_eq!(square.corners, 4);
    assert_eq!(square.color, Some(Color::True));
    assert_eq!(square.extra.field("later"), Some(&serde_json::json!(1)));
    let back: serde_json::Value = serde_json::from_slice(&vim25::to_vec(&shape).unwrap()).unwrap();
    let orig: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(back, orig);
    let unknown: ShapeKind = vim25::from_str(r#"{"_typeName":"Circle","name":"c","radius":1}"#).unwrap();
    assert_eq!(unknown.type_name(), "Circle");
    assert!(matches!(unknown, ShapeKind::Shape(_)));
    let any: Any = vim25::from_str(r#"{"_typeName":"int","_value":3}"#).unwrap();
    assert!(matches!(any, Any::PrimitiveInt(3)));
    let arr: Any = vim25::from_str(r#"{"_typeName":"ArrayOfShape","_value":[{"_typeName":"Polygon","name":"p","corners":3}]}"#).unwrap();
    let Any::Array(a) = &arr else { panic!("{arr:?}") };
    assert_eq!(a.downcast::<Polygon>().count(), 1);
    let err = vim25::from_str::<ShapeKind>(r#"{"_typeName":"Polygon","name":"p","corners":"x"}"#).unwrap_err();
    assert_eq!(err.path(), "corners");
    let body = FrobRequestType { shape: &shape, times: 2, tags: None, self_: Some(true) };
    let text = String::from_utf8(vim25::to_vec(&body).unwrap()).unwrap();
    assert!(text.starts_with(r#"{"shape":{"_typeName":"Square""#), "{text}");
    assert!(text.ends_with(r#""times":2,"self":true}"#), "{text}");
    let blank = Square::default();
    assert!(blank.name.is_empty() && blank.corners == 0 && blank.side.is_none() && blank.extra.is_empty());
    let again: Square = vim25::from_slice(&vim25::to_vec(&blank).unwrap()).unwrap();
    assert_eq!(format!("{again:?}"), format!("{blank:?}"));
    // a family value formats as the object it holds, without the variant wrappers
    let shown = format!("{shape:?}");
    assert!(shown.starts_with("Square { name: \"sq\""), "{shown}");
    assert_eq!(shown, format!("{square:?}"));
    // variants built, cloned and blanked through the generic helpers
    let rebuilt = ShapeKind::from(PolygonKind::from(square.clone()));
    assert!(matches!(&rebuilt, ShapeKind::Polygon(PolygonKind::Square(s)) if s.corners == 4));
    assert_eq!(format!("{:?}", rebuilt.clone()), shown);
    // any depth into any ancestor in one step; the base members read from any variant
    let any: Any = square.clone().into();
    assert_eq!(any.downcast_ref::<Square>().map(|s| s.corners), Some(4));
    assert_eq!(vim25::to_vec(&Any::from(PolygonKind::from(square.clone()))).unwrap(), vim25::to_vec(&any).unwrap());
    assert!(matches!(DataObjectKind::from(square.clone()), DataObjectKind::Shape(_)));
    let mut deep = ShapeKind::from(square.clone());
    assert_eq!((deep.name().as_str(), deep.r#type().as_deref()), ("sq", Some("t")));
    *deep.name_mut() = "renamed".into();
    assert_eq!(deep.downcast_ref::<Square>().map(|s| s.name.as_str()), Some("renamed"));
    let polygon = PolygonKind::from(square.clone());
    assert_eq!((*polygon.corners(), polygon.inner().is_none()), (4, true));
    assert!(matches!(Any::from(WidgetFault::default()), Any::MethodFault(MethodFaultKind::WidgetFault(_))));
    assert!(matches!(ShapeKind::default(), ShapeKind::Shape(s) if s.name.is_empty()));
    let base: ShapeKind = vim25::from_str(r#"{"_typeName":"Shape","name":"s"}"#).unwrap();
    assert!(matches!(base.clone(), ShapeKind::Shape(s) if s.name == "s"));
    // a small struct member decodes in place, a large one into its box; both re-encode as read
    let json = r#"{"_typeName":"GizmoInfo","label":{"_typeName":"GizmoLabel","text":"front","size":3},"manual":{"_typeName":"GizmoManual","title":"t","url":"u"},"next":{"_typeName":"GizmoInfo","label":{"_typeName":"GizmoLabel","text":"back"}}}"#;
    let gizmo: GizmoInfo = vim25::from_str(json).unwrap();
    let label: &GizmoLabel = gizmo.label.as_ref().unwrap();
    assert_eq!((label.text.as_str(), label.size), ("front", Some(3)));
    let manual: &GizmoManual = gizmo.manual.as_deref().unwrap();
    assert_eq!(manual.url.as_deref(), Some("u"));
    assert_eq!(gizmo.next.as_ref().unwrap().label.as_ref().unwrap().text, "back");
    let back: serde_json::Value = serde_json::from_slice(&vim25::to_vec(&gizmo).unwrap()).unwrap();
    assert_eq!(back, serde_json::from_str::<serde_json::Value>(json).unwrap());
    let err = vim25::from_slice_strict::<GizmoInfo>(br#"{"next":{"label":{"size":1}}}"#).unwrap_err();
    assert_eq!(err.path(), "next.label", "{err}");
    // tolerant by default: the label without its required text keeps the rest
    let tolerant: GizmoInfo = vim25::from_str(r#"{"next":{"label":{"size":1}}}"#).unwrap();
    let label = tolerant.next.as_ref().unwrap().label.as_ref().unwrap();
    assert_eq!((label.size, label.extra.absent()), (Some(1), &["text"][..]));
    println!("probe ok");
}
"##,
    )
    .unwrap();
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mini-target");
    let status = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--example", "probe", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .args(["--no-default-features", "--features", "vim25,gadget"])
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    assert!(status.status.success(), "{}\n{}", String::from_utf8_lossy(&status.stdout), String::from_utf8_lossy(&status.stderr));
    assert!(String::from_utf8_lossy(&status.stdout).contains("probe ok"));
}

#[test]
fn vim25_is_split_into_crates_that_it_re_exports() {
    let out = output();
    let top = &out.files["Cargo.toml"];
    for (package, dir) in [("vim25-base", "base"), ("vim25-part1", "part1"), ("vim25-part2", "part2"), ("vim25-cycle", "cycle")] {
        assert!(top.contains(&format!("{package} = {{ path = \"{dir}\", version = \"=9.9.9\" }}")), "{top}");
        assert!(out.files[&format!("{dir}/Cargo.toml")].contains(&format!("name = \"{package}\"")));
        // a namespace feature reaches every crate
        assert!(top.contains(&format!("\"{package}/gadget\"")), "{top}");
    }
    assert!(out.files["part1/Cargo.toml"].contains("vim25-base = { path = \"../base\", version = \"=9.9.9\" }"));
    assert!(out.files["base/src/lib.rs"].contains("pub mod de;"));
    assert!(out.files["src/types/mod.rs"].contains("pub use vim25_part2::types::*;"));
    assert!(out.files["cycle/Cargo.toml"].contains("vim25-part2 = { path = \"../part2\", version = \"=9.9.9\" }"));
    // the root is on the cycle, the request bodies over it
    assert!(out.files.contains_key("cycle/src/types/any.rs"));
    assert!(out.files.contains_key("src/types/frob_request_type.rs"));
    // only the top crate has the client and the handles
    assert!(out.files.keys().filter(|p| p.contains("/src/mo/") || p.contains("client.rs")).all(|p| p.starts_with("src/")));
}
