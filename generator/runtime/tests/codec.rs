//! The vi-json codec over the mini fixture's generated types: decoding (tolerant and strict,
//! unknown members and subtypes kept, errors naming their path), encoding, round trips, dates,
//! releases and faults.

use serde_json::{json, Value};
use std::cmp::Ordering;
use std::time::{Duration, SystemTime};
use vim25_runtime::types::{
    Any, Color, DataObjectKind, GizmoInfo, ManagedObjectReference, MethodFault, MethodFaultKind, PolygonKind, Shape, ShapeKind, Square, WidgetFault,
};
use vim25_runtime::{from_slice, from_slice_strict, from_slice_with, release, to_vec, AbsentMember, DateTime, DecodeError, DecodeMode, Password};

/// The JSON an encoding writes, for comparing without caring about spacing.
fn encoded<T: vim25_runtime::Encode + ?Sized>(v: &T) -> Value {
    serde_json::from_slice(&to_vec(v).expect("encodes")).expect("the encoding is JSON")
}

fn decode_err<T: vim25_runtime::Decode + std::fmt::Debug>(text: &str) -> DecodeError {
    from_slice::<T>(text.as_bytes()).expect_err("the input is refused")
}

// ---- decoding ----

#[test]
fn decodes_every_member_of_a_subtype() {
    let s: Square = from_slice(br#"{"_typeName":"Square","name":"sq","type":"t","color":"red","corners":4,"side":1.5}"#).unwrap();
    assert_eq!((s.name.as_str(), s.r#type.as_deref(), s.color, s.corners, s.side), ("sq", Some("t"), Some(Color::Red), 4, Some(1.5)));
    assert!(s.inner.is_none() && s.extra.is_empty());
}

#[test]
fn a_family_picks_its_variant_from_the_tag_wherever_it_stands() {
    for text in [
        r#"{"_typeName":"Square","name":"a","corners":4}"#,
        r#"{"name":"a","corners":4,"_typeName":"Square"}"#,
        r#"{"name":"a","_typeName":"Square","corners":4}"#,
    ] {
        let k: ShapeKind = from_slice(text.as_bytes()).unwrap();
        match &k {
            ShapeKind::Polygon(PolygonKind::Square(s)) => assert_eq!((s.name.as_str(), s.corners), ("a", 4), "{text}"),
            other => panic!("{text} decoded as {other:?}"),
        }
        assert_eq!(k.type_name(), "Square");
        assert_eq!(k.name(), "a");
    }
    // no tag: the declared type itself
    let k: ShapeKind = from_slice(br#"{"name":"plain"}"#).unwrap();
    assert!(matches!(&k, ShapeKind::Shape(s) if s.name == "plain"), "{k:?}");
}

#[test]
fn a_tag_of_a_supertype_or_unrelated_type_does_not_make_a_subtype() {
    let k: PolygonKind = from_slice(br#"{"_typeName":"Polygon","name":"p","corners":3}"#).unwrap();
    assert!(matches!(k, PolygonKind::Polygon(_)));
    // a type the registry knows but outside the family: decoded as the base, its name kept
    let k: ShapeKind = from_slice(br#"{"_typeName":"GizmoLabel","name":"x","text":"t"}"#).unwrap();
    assert!(matches!(&k, ShapeKind::Shape(_)), "{k:?}");
    assert_eq!(k.type_name(), "GizmoLabel");
    assert_eq!(k.name(), "x");
}

#[test]
fn an_unknown_subtype_is_kept_as_its_nearest_known_ancestor() {
    let text = r#"{"_typeName":"Triangle","name":"t","corners":3,"angles":[60,60,60]}"#;
    let k: ShapeKind = from_slice(text.as_bytes()).unwrap();
    // `ShapeKind` reads a name it does not know as the base of the family
    let ShapeKind::Shape(shape) = &k else { panic!("{k:?}") };
    assert_eq!(shape.type_name(), "Triangle");
    assert_eq!(shape.extra.field("corners"), Some(&json!(3)));
    assert_eq!(shape.extra.field("angles"), Some(&json!([60, 60, 60])));
    // and writes it back as it came: the same name, the same members
    assert_eq!(encoded(&k), serde_json::from_str::<Value>(text).unwrap());
    let p: PolygonKind = from_slice(text.as_bytes()).unwrap();
    let PolygonKind::Polygon(polygon) = &p else { panic!("{p:?}") };
    assert_eq!((polygon.corners, polygon.type_name()), (3, "Triangle"));
    assert_eq!(encoded(&p), serde_json::from_str::<Value>(text).unwrap());
}

#[test]
fn unknown_members_are_kept_and_written_back() {
    let text = r#"{"_typeName":"Square","name":"sq","corners":4,"later":{"deep":[1,"two",null]},"more":false}"#;
    let s: Square = from_slice(text.as_bytes()).unwrap();
    assert_eq!(s.extra.field("later"), Some(&json!({"deep": [1, "two", null]})));
    assert_eq!(s.extra.fields().map(|(k, _)| k).collect::<Vec<_>>(), ["later", "more"]);
    assert_eq!(encoded(&s), serde_json::from_str::<Value>(text).unwrap());
}

#[test]
fn an_unknown_enum_value_is_kept() {
    let c: Color = from_slice(br#""blue""#).unwrap();
    assert_eq!(c, Color::Unrecognized("blue".into()));
    assert_eq!(to_vec(&c).unwrap(), br#""blue""#);
    assert_eq!(from_slice::<Color>(br#""self""#).unwrap(), Color::SelfValue);
}

#[test]
fn tolerant_decoding_records_absent_required_members() {
    let text = br#"{"_typeName":"Square","inner":{"_typeName":"Square","name":"in"},"side":2}"#;
    let (s, absent): (Square, _) = from_slice_with(text, DecodeMode::Tolerant).unwrap();
    assert_eq!((s.name.as_str(), s.corners), ("", 0));
    assert!(s.extra.is_absent("name") && s.extra.is_absent("corners") && !s.extra.is_absent("side"));
    // once per type and member, in the order met
    assert_eq!(absent, [AbsentMember { type_name: "Square", member: "corners" }, AbsentMember { type_name: "Square", member: "name" }]);
    assert_eq!(absent[0].to_string(), "Square.corners");
    // what was absent stays absent when written again
    let back = encoded(&s);
    assert_eq!(back, json!({"_typeName":"Square","inner":{"_typeName":"Square","name":"in"},"side":2.0}));
    // from_slice is the tolerant mode
    assert_eq!(from_slice::<Square>(text).unwrap().corners, 0);
}

#[test]
fn a_member_given_after_all_is_no_longer_absent() {
    let mut s: Square = from_slice(br#"{"name":"n"}"#).unwrap();
    assert!(s.extra.is_absent("corners"));
    s.extra.clear_absent("corners");
    s.corners = 5;
    assert_eq!(encoded(&s)["corners"], json!(5));
}

#[test]
fn strict_decoding_refuses_an_absent_required_member_naming_its_path() {
    let err = from_slice_strict::<Square>(br#"{"_typeName":"Square","name":"a","corners":4,"inner":{"_typeName":"Square","name":"b"}}"#).unwrap_err();
    assert_eq!(err.path(), "inner");
    assert!(err.message().contains("missing field `corners`"), "{err}");
    let (ok, absent) = from_slice_with::<Square>(br#"{"name":"a","corners":1}"#, DecodeMode::Strict).unwrap();
    assert_eq!((ok.corners, absent.len()), (1, 0));
}

#[test]
fn errors_name_the_path_line_and_column() {
    let err = decode_err::<Square>(r#"{"_typeName":"Square","name":"a","corners":"four"}"#);
    assert_eq!(err.path(), "corners");
    // the column of the value's first byte, 1-based
    assert_eq!((err.line(), err.column()), (1, 44));
    assert!(err.to_string().starts_with("at `corners`: "), "{err}");

    let text = "[\n {\"name\":\"ok\"},\n {\"_typeName\":\"Square\",\"name\":\"x\",\n  \"inner\": {\"name\": \"y\", \"color\": 7}}\n]";
    let err = decode_err::<Vec<ShapeKind>>(text);
    assert_eq!(err.path(), "[1].inner.color");
    assert_eq!(err.line(), 4);

    // the members of `Any`'s array are indexed too
    let err =
        decode_err::<Any>(r#"{"_typeName":"ArrayOfShape","_value":[{"_typeName":"Square","name":"s","corners":4},{"_typeName":"Square","corners":[]}]}"#);
    assert!(err.path().ends_with("[1].corners"), "{err}");
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    for text in [
        "",
        "{",
        r#"{"name":}"#,
        r#"{"name":"a",}"#,
        r#"{"name":"a"} trailing"#,
        r#"{"corners":1e999}"#,
        r#"{"corners":4.5}"#,
        r#"{"corners":99999999999}"#,
        "nul",
        r#"{"name":"\ud800"}"#,
    ] {
        assert!(from_slice::<Square>(text.as_bytes()).is_err(), "{text:?} was accepted");
    }
    // nesting beyond the decoder's limit is refused rather than overflowing the stack
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(from_slice::<Any>(deep.as_bytes()).is_err());
    let deep = format!(r#"{}"name":"x"{}"#, r#"{"name":"x","inner":"#.repeat(5_000), "}".repeat(5_001));
    assert!(from_slice::<ShapeKind>(deep.as_bytes()).is_err());
}

#[test]
fn any_dispatches_on_the_tag_and_keeps_what_it_does_not_know() {
    assert!(matches!(from_slice::<Any>(br#"{"_typeName":"int","_value":3}"#).unwrap(), Any::PrimitiveInt(3)));
    assert!(matches!(from_slice::<Any>(br#"{"_value":"red","_typeName":"Color"}"#).unwrap(), Any::Color(Color::Red)));
    let moref: Any = from_slice(br#"{"_typeName":"ManagedObjectReference","type":"Widget","value":"w-1"}"#).unwrap();
    assert_eq!(moref.downcast_ref::<ManagedObjectReference>().map(ToString::to_string).as_deref(), Some("Widget:w-1"));
    let fault: Any = from_slice(br#"{"_typeName":"WidgetFault","reason":"stuck"}"#).unwrap();
    assert!(matches!(&fault, Any::MethodFault(MethodFaultKind::WidgetFault(w)) if w.reason.as_deref() == Some("stuck")), "{fault:?}");
    let square: Any = from_slice(br#"{"_typeName":"Square","name":"s","corners":4}"#).unwrap();
    assert!(matches!(&square, Any::DataObject(DataObjectKind::Shape(ShapeKind::Polygon(PolygonKind::Square(_))))), "{square:?}");
    assert_eq!(square.type_name(), "Square");

    let unknown = r#"{"_typeName":"Zork","x":[1,{"y":null}],"z":"w"}"#;
    let any: Any = from_slice(unknown.as_bytes()).unwrap();
    assert!(matches!(any, Any::Unknown(_)));
    assert_eq!(any.type_name(), "Zork");
    assert_eq!(to_vec(&any).unwrap(), unknown.as_bytes());

    let array = r#"{"_typeName":"ArrayOfShape","_value":[{"_typeName":"Square","name":"s","corners":4},{"_typeName":"Shape","name":"t"}]}"#;
    let any: Any = from_slice(array.as_bytes()).unwrap();
    assert!(matches!(&any, Any::Array(a) if a.type_name == "ArrayOfShape"), "{any:?}");
    assert_eq!(encoded(&any), serde_json::from_str::<Value>(array).unwrap());
}

// ---- encoding ----

#[test]
fn encoding_writes_the_tag_first_the_members_in_wire_order_and_leaves_none_out() {
    let mut s = Square { name: "sq".into(), corners: 4, side: Some(0.5), ..Square::default() };
    s.r#type = Some("kind".into());
    let text = String::from_utf8(to_vec(&s).unwrap()).unwrap();
    assert_eq!(text, r#"{"_typeName":"Square","name":"sq","type":"kind","corners":4,"side":0.5}"#);
    // an object held by a family is written with its own tag
    let k = ShapeKind::from(s.clone());
    assert!(String::from_utf8(to_vec(&k).unwrap()).unwrap().starts_with(r#"{"_typeName":"Square","#));
    // a list of a family: each element tagged
    let list = vec![ShapeKind::from(Shape { name: "a".into(), ..Shape::default() }), k];
    let v = encoded(&list);
    assert_eq!((v[0]["_typeName"].as_str(), v[1]["_typeName"].as_str()), (Some("Shape"), Some("Square")));
}

#[test]
fn strings_are_escaped_and_numbers_written_exactly() {
    let name = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} é 😀 \u{2028}";
    let s = Square { name: name.into(), corners: i32::MIN, side: Some(1e-7), ..Square::default() };
    let bytes = to_vec(&s).unwrap();
    let back: Square = from_slice(&bytes).unwrap();
    assert_eq!((back.name.as_str(), back.corners, back.side), (name, i32::MIN, Some(1e-7)));
    assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap()["name"], json!(name));
}

#[test]
fn every_character_is_written_as_serde_json_writes_it() {
    let mut all: String = (0u8..0x80).map(char::from).collect();
    all.push_str("é 😀 \u{2028} \u{7f} \u{ffff} end");
    for s in [all.as_str(), "", "\"", "\\", "\u{1f}", "plain"] {
        let name = vim25_runtime::CompactString::from(s);
        assert_eq!(String::from_utf8(to_vec(&name).unwrap()).unwrap(), serde_json::to_string(s).unwrap(), "{s:?}");
    }
}

#[test]
fn a_float_json_cannot_hold_is_written_as_serde_json_writes_it() {
    for side in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let s = Square { name: "x".into(), side: Some(side), ..Square::default() };
        let bytes = to_vec(&s).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap()["side"], serde_json::to_value(side).unwrap());
        assert_eq!(from_slice::<Square>(&bytes).unwrap().side, None);
    }
}

#[test]
fn round_trips_are_lossless() {
    let inputs = [
        r#"{"_typeName":"Square","name":"a","type":"t","color":"True","corners":4,"inner":{"_typeName":"Polygon","name":"p","corners":3,"inner":{"_typeName":"Shape","name":"leaf","color":"purple"}},"side":2.25,"unknown":{"a":[]}}"#,
        r#"{"_typeName":"GizmoInfo","next":{"_typeName":"GizmoInfo","label":{"_typeName":"GizmoLabel","text":"l","size":1}},"secret":"s3cret","manual":{"_typeName":"GizmoManual","numCPUs":8,"title":"T"}}"#,
    ];
    let square: Square = from_slice(inputs[0].as_bytes()).unwrap();
    assert_eq!(encoded(&square), serde_json::from_str::<Value>(inputs[0]).unwrap());
    let again: Square = from_slice(&to_vec(&square).unwrap()).unwrap();
    assert_eq!(to_vec(&again).unwrap(), to_vec(&square).unwrap());
    let gizmo: GizmoInfo = from_slice(inputs[1].as_bytes()).unwrap();
    assert_eq!(gizmo.manual.as_ref().and_then(|m| m.num_cpus), Some(8));
    assert_eq!(encoded(&gizmo), serde_json::from_str::<Value>(inputs[1]).unwrap());
    let any: Any = from_slice(inputs[0].as_bytes()).unwrap();
    assert_eq!(encoded(&any), serde_json::from_str::<Value>(inputs[0]).unwrap());
}

#[test]
fn debug_never_shows_a_password() {
    let gizmo: GizmoInfo = from_slice(br#"{"secret":"hunter2","next":{"secret":"hunter3"}}"#).unwrap();
    let shown = format!("{gizmo:?} {gizmo:#?}");
    assert!(!shown.contains("hunter"), "{shown}");
    assert!(shown.contains("Password(***)"), "{shown}");
    // it is still sent as given
    assert_eq!(encoded(&gizmo)["secret"], json!("hunter2"));
    assert_eq!(format!("{:?}", Password::new("x")), "Password(***)");
}

#[test]
fn blank_values_decode_and_debug_like_defaults() {
    let blank = Square::default();
    assert!(blank.name.is_empty() && blank.corners == 0 && blank.extra.is_empty());
    assert!(format!("{blank:?}").starts_with("Square { name: \"\""), "{blank:?}");
    assert_eq!(ShapeKind::default().type_name(), "Shape");
}

// ---- faults ----

#[test]
fn faults_know_their_ancestry_and_message() {
    let fault: MethodFaultKind = from_slice(br#"{"_typeName":"WidgetFault","reason":"r","faultMessage":["first","","second"]}"#).unwrap();
    assert!(fault.fault_is::<WidgetFault>() && fault.fault_is::<MethodFault>());
    assert_eq!(fault.message().as_deref(), Some("first; second"));
    assert_eq!(fault.to_string(), "WidgetFault: first; second");
    let plain: MethodFaultKind = from_slice(br#"{"_typeName":"MethodFault","faultstring":"went wrong"}"#).unwrap();
    assert!(!plain.fault_is::<WidgetFault>() && plain.fault_is::<MethodFault>());
    assert_eq!(plain.to_string(), "MethodFault: went wrong");
    // a server that repeats the type as the text: shown once
    let bare: MethodFaultKind = from_slice(br#"{"_typeName":"MethodFault","faultstring":"MethodFault"}"#).unwrap();
    assert_eq!(bare.to_string(), "MethodFault");
    // a subtype this release does not know counts as the type it was decoded as
    let newer: MethodFaultKind = from_slice(br#"{"_typeName":"WidgetJammed","reason":"r","localizedMessage":"jammed"}"#).unwrap();
    assert!(newer.fault_is::<MethodFault>() && !newer.fault_is::<WidgetFault>());
    assert_eq!(newer.to_string(), "WidgetJammed: jammed");
    // not a fault at all
    assert!(!vim25_runtime::fault::is_a::<MethodFault>(&Square::default()));
}

#[test]
fn references_compare_by_type_and_id() {
    let a: ManagedObjectReference = from_slice(br#"{"_typeName":"ManagedObjectReference","type":"Widget","value":"w-1","later":true}"#).unwrap();
    assert_eq!(a, ManagedObjectReference::new("Widget", "w-1"));
    assert_ne!(a, ManagedObjectReference::new("Gizmo", "w-1"));
    assert_eq!(a.to_string(), "Widget:w-1");
}

// ---- dates ----

fn at(secs: u64, nanos: u32) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::new(secs, nanos)
}

#[test]
fn dates_read_every_zone_form() {
    let utc = at(1_704_164_645, 0); // 2024-01-02T03:04:05Z
    for text in [
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05",
        "2024-01-02T05:04:05+02:00",
        "2024-01-01T21:34:05-05:30",
        "2024-01-02T03:04:05+00:00",
        "2024-01-02 03:04:05Z",
    ] {
        assert_eq!(DateTime::new(text).to_system_time(), Ok(utc), "{text}");
    }
    assert_eq!(DateTime::new("2024-01-02T03:04:05.123456789Z").to_system_time(), Ok(at(1_704_164_645, 123_456_789)));
    assert_eq!(DateTime::new("2024-01-02T03:04:05.5Z").to_system_time(), Ok(at(1_704_164_645, 500_000_000)));
    assert_eq!(DateTime::new("2024-02-29T00:00:00Z").to_system_time(), Ok(at(1_709_164_800, 0)));
    assert_eq!(DateTime::new("1970-01-01T00:00:00Z").to_system_time(), Ok(SystemTime::UNIX_EPOCH));
    assert_eq!(DateTime::new("2024-01-02T17:04:05+14:00").to_system_time(), Ok(utc));
}

#[test]
fn dates_refuse_what_names_no_instant() {
    for text in [
        "",
        "yesterday",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-02T24:00:01Z",
        "1969-12-31T23:59:59Z",
        "2024-01-02T03:04:05+15:00",
        "2024-01-02T03:04:05+02:60",
        "2024-01-02T03:04:05+0a:00",
    ] {
        let err = DateTime::new(text).to_system_time().expect_err(text);
        assert_eq!(err.text(), text);
        assert!(err.to_string().starts_with(&format!("`{text}` is not a date and time")), "{err}");
    }
}

#[test]
fn dates_are_written_as_vcenter_writes_them_and_kept_verbatim() {
    assert_eq!(&*DateTime::from(at(1_704_164_645, 123_456_789)), "2024-01-02T03:04:05.123456Z");
    assert_eq!(&*DateTime::from(SystemTime::UNIX_EPOCH - Duration::from_secs(1)), "1970-01-01T00:00:00.000000Z");
    // decoded text is kept as written, long or short, valid or not
    for text in ["2024-01-02T05:04:05.000000001+02:00", "not a date", "2024-01-02T03:04:05.123456789012345678901234567890Z"] {
        let d: DateTime = from_slice(&serde_json::to_vec(text).unwrap()).unwrap();
        assert_eq!(d.as_str(), text);
        assert_eq!(to_vec(&d).unwrap(), serde_json::to_vec(text).unwrap());
    }
}

// ---- releases ----

#[test]
fn releases_order_by_number() {
    assert_eq!(release::compare("9.0.0.0", "8.0.10.0"), Ordering::Greater);
    assert_eq!(release::compare("8.0.2", "8.0.2.0"), Ordering::Equal);
    assert_eq!(release::compare("8.0.2.1", "8.0.2"), Ordering::Greater);
    assert_eq!(release::compare("8.0.1.0", "8.0.1.00"), Ordering::Equal);
    assert_eq!(release::compare("7.0.3.0", "7.0.3.1"), Ordering::Less);
    for yes in ["8.0", "9.1.1.0", "10.0.0.0.1"] {
        assert!(release::is_release(yes), "{yes}");
    }
    for no in ["", "8", "8.", ".8", "8.0.x", "v8.0", "8.0 ", "8,0", "test"] {
        assert!(!release::is_release(no), "{no:?}");
    }
}

// ---- serde interop ----

#[cfg(feature = "serde")]
#[test]
fn serde_goes_through_the_vi_json_codec() {
    let text = r#"{"_typeName":"Square","name":"s","corners":4,"when":"later","inner":{"_typeName":"Triangle","name":"t"}}"#;
    let square: Square = from_slice(text.as_bytes()).unwrap();
    assert_eq!(serde_json::to_value(&square).unwrap(), encoded(&square));
    let back: Square = serde_json::from_str(text).unwrap();
    assert_eq!(to_vec(&back).unwrap(), to_vec(&square).unwrap());
    let kind: ShapeKind = serde_json::from_value(json!({"_typeName": "Square", "name": "k", "corners": 1})).unwrap();
    assert_eq!(kind.type_name(), "Square");
    // a decoding error keeps its path through serde
    let err = serde_json::from_str::<Square>(r#"{"name":"s","corners":"x"}"#).unwrap_err();
    assert!(err.to_string().contains("corners"), "{err}");
    assert_eq!(serde_json::to_value(DateTime::new("2024-01-02T03:04:05Z")).unwrap(), json!("2024-01-02T03:04:05Z"));
    assert_eq!(serde_json::to_value(Password::new("p")).unwrap(), json!("p"));
}
