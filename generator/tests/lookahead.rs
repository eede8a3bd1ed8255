//! Polymorphic objects whose `_typeName` is not their first member. The decoder looks ahead for
//! it, and notes on the way the tags of the objects nested in the one it looks at, so that it
//! does not scan them again: what it noted must be what a look at each of them gives.

use serde_json::{Map, Value};
use vim25::types::Any;
use vim25::DecodeMode;

/// `depth` nested `OptionValue`s, each the `value` of the one before, the innermost holding a
/// boxed string; `_typeName` last in every object when `tag_last`, first otherwise.
fn chain(depth: usize, tag_last: bool) -> Value {
    let mut v = object("string", vec![("_value", Value::from("leaf"))], tag_last);
    for i in (0..depth).rev() {
        v = object("OptionValue", vec![("key", Value::from(format!("k{i}"))), ("value", v)], tag_last);
    }
    v
}

fn object(type_name: &str, members: Vec<(&str, Value)>, tag_last: bool) -> Value {
    let mut m = Map::new();
    if !tag_last {
        m.insert("_typeName".into(), type_name.into());
    }
    for (k, v) in members {
        m.insert(k.into(), v);
    }
    if tag_last {
        m.insert("_typeName".into(), type_name.into());
    }
    Value::Object(m)
}

/// Parses JSON nested deeper than serde_json's default limit of 128 (a chain of 180 objects is
/// 360 levels with its `value` members).
fn deep_value(bytes: &[u8]) -> Value {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut de).expect("re-encoded JSON parses")
}

fn reencode(v: &Any) -> Vec<u8> {
    vim25::to_vec(v).expect("encodes")
}

/// Decodes the tag-last and the tag-first form of the same content: both must give the
/// same value, which re-encodes to the tag-last input, member order aside.
fn same_as_tag_first(tag_last: &Value, tag_first: &Value) {
    let last: Any = vim25::from_slice_strict(&serde_json::to_vec(tag_last).unwrap()).unwrap_or_else(|e| panic!("tag last: {e}"));
    let first: Any = vim25::from_slice_strict(&serde_json::to_vec(tag_first).unwrap()).unwrap_or_else(|e| panic!("tag first: {e}"));
    assert_eq!(reencode(&last), reencode(&first));
    let back = deep_value(&reencode(&last));
    assert_eq!(&back, tag_last, "lossless");
}

#[test]
fn a_deep_chain_with_the_tag_last_decodes_as_with_the_tag_first() {
    // 180 levels: close to the decoder's depth limit
    same_as_tag_first(&chain(180, true), &chain(180, false));
}

#[test]
fn sibling_chains_in_an_array_with_the_tag_last() {
    let array = |tag_last| object("ArrayOfOptionValue", vec![("_value", (0..5).map(|_| chain(40, tag_last)).collect())], tag_last);
    same_as_tag_first(&array(true), &array(false));
}

/// Well-formed objects with odd tags: duplicates, escaped, not strings, unknown, absent.
const WELL_FORMED: &[&str] = &[
    r#"{"key":"a","value":{"_value":"x","_typeName":"string"},"_typeName":"OptionValue"}"#,
    r#"{"key":"a","value":{"_typeName":"int","_value":1},"_typeName":"OptionValue","_typeName":"Bogus"}"#,
    r#"{"key":"a","_typeName":7}"#,
    r#"{"key":"a","_typeName":null,"value":{"_value":2,"_typeName":"int"}}"#,
    r#"{"key":"a","_type\u004eame":"OptionValue"}"#,
    r#"{"key":"a","_typeName":"Option\u0056alue"}"#,
    r#"{"key":"a","nested":{"x":[{"y":1,"_typeName":"Q"},[[{}]]]},"_typeName":"FutureThing"}"#,
    r#"{"key":"a"}"#,
    r#"{}"#,
    r#"{"key":"a","value":{"_value":[1,2],"_typeName":"ArrayOfInt"},"_typeName":"OptionValue"}"#,
    r#"{"value":{"_value":"x","_typeName":"string"}}"#,
    r#"{"value":{"key":"b","value":{"key":"c"},"_typeName":"OptionValue"},"key":"a","_typeName":"OptionValue"}"#,
];

/// Malformed objects, before and after their tag.
const MALFORMED: &[&str] = &[
    r#"{"key":"a","_typeName":"OptionValue","value":{"_typeName":"int","_value":1,}}"#,
    r#"{"key":"a","value":{"_value":1,"_typeName":"int",},"_typeName":"OptionValue"}"#,
    r#"{"key":"a\q","_typeName":"OptionValue"}"#,
    r#"{"key":"a","value":{"_value":"\ud800","_typeName":"string"},"_typeName":"OptionValue"}"#,
    r#"{"key":"a","value":{"_value":[[1],[2]],"_typeName":"ArrayOfInt"},"_typeName":"OptionValue"}"#,
    r#"{"key":"a","value":{"_value":01,"_typeName":"int"},"_typeName":"OptionValue"}"#,
    r#"{"key":"a","value":{"_value":1 "_typeName":"int"},"_typeName":"OptionValue"}"#,
    r#"{"key":"a","value":{"_typeName":"int","_value":tru},"_typeName":"OptionValue"}"#,
    r#"{"key":"a","value":{"key":{"\x":1},"_typeName":"OptionValue"},"_typeName":"OptionValue"}"#,
];

/// The outcome of decoding `text` in `mode`: the value re-encoded and the absent members, or
/// the error with its path and position.
fn outcome(text: &str, mode: DecodeMode) -> String {
    match vim25::from_slice_with::<Any>(text.as_bytes(), mode) {
        Ok((v, absent)) => format!("ok {} {absent:?}", String::from_utf8(reencode(&v)).unwrap()),
        Err(e) => format!("error {e}"),
    }
}

/// `inner` as the `value` of an `OptionValue` whose tag comes last (the inner object's tag is
/// then noted by the outer look-ahead), and of one whose tag comes first (the inner object is
/// looked at on its own); each also under one more such level. The two prefixes have the same
/// length, so that errors name the same columns.
fn placements(inner: &str) -> [String; 4] {
    let last = format!(r#"{{{:26}"key":"o","value":{inner},"_typeName":"OptionValue"}}"#, "");
    let first = format!(r#"{{"_typeName":"OptionValue","key":"o","value":{inner}}}"#);
    let deeper_last = format!(r#"{{{:26}"key":"p","value":{last},"_typeName":"OptionValue"}}"#, "");
    let deeper_first = format!(r#"{{"_typeName":"OptionValue","key":"p","value":{first}}}"#);
    [last, first, deeper_last, deeper_first]
}

/// For well-formed input the place of the outer tag makes no difference.
#[test]
fn noted_tags_are_those_a_fresh_look_finds() {
    for inner in WELL_FORMED {
        let [last, first, deeper_last, deeper_first] = placements(inner);
        for mode in [DecodeMode::Tolerant, DecodeMode::Strict] {
            assert_eq!(outcome(&last, mode), outcome(&first, mode), "{inner} ({mode:?})");
            assert_eq!(outcome(&deeper_last, mode), outcome(&deeper_first, mode), "{inner} ({mode:?}, deeper)");
        }
    }
}

/// Every placement of every case decodes as the decoder did before it noted tags (the
/// outcomes recorded in `data/lookahead_outcomes.txt`), malformed input included: the same
/// values, the same errors at the same paths and positions.
#[test]
fn outcomes_are_unchanged() {
    let actual = all_outcomes();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lookahead_outcomes.txt");
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let got = std::env::temp_dir().join("lookahead_outcomes.actual.txt");
        std::fs::write(&got, &actual).unwrap();
        panic!("outcomes differ from {}: see {}", path.display(), got.display());
    }
}

/// The outcome of every placement of every case in both modes, one a line.
pub(crate) fn all_outcomes() -> String {
    let mut actual = String::new();
    for inner in WELL_FORMED.iter().chain(MALFORMED) {
        actual.push_str(&format!("# {inner}\n"));
        for text in placements(inner) {
            for mode in [DecodeMode::Tolerant, DecodeMode::Strict] {
                actual.push_str(&outcome(&text, mode));
                actual.push('\n');
            }
        }
    }
    actual
}
