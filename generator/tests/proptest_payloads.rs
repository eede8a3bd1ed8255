//! Property tests over the recorded payloads: each is changed in the ways a server of another
//! release, or another server, may write it (members reordered, `_typeName` anywhere, members
//! and subtypes and enumeration values this release does not know, members left out), and the
//! decoder must keep its promises on every change:
//!
//! - tolerant decoding succeeds, and what it decoded re-encodes to the same JSON value (members
//!   compared without regard to order, which the encoder does not keep), unknown parts
//!   included (members are not added to a boxed value, `{"_typeName": "int", "_value": 1}`,
//!   which decodes to a plain Rust value and has nowhere to keep them);
//! - strict decoding fails exactly when a required member was left out, naming the member and
//!   the path of its object;
//! - nothing panics (a panic fails the case).
//!
//! The runs are deterministic: a fixed seed, no persistence of failures (a failure found is
//! kept as a test of its own), and `PROPTEST_CASES` sets the cases per property (default
//! [`DEFAULT_CASES`]). The whole file runs in well under a minute in a debug build.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use vim25::types::Any;
use vim25::DecodeMode;

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 256;

/// Every recorded payload that decodes (the negative one left out), from this crate's test data
/// and, where it is present, the shared fixtures; each once, by content.
fn payloads() -> Vec<(String, Value)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dirs = [root.join("tests/data/payloads"), root.join("tests/data/vcsim"), root.join("../../shared/fixtures/payloads")];
    let mut found: Vec<(String, Value)> = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".json") || name.contains("invalid") {
                continue;
            }
            let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            if !found.iter().any(|(_, v)| *v == value && serde_json::to_string(v).unwrap() == serde_json::to_string(&value).unwrap()) {
                found.push((name, value));
            }
        }
    }
    assert!(found.len() >= 5, "only {} payloads found", found.len());
    found
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(DEFAULT_CASES);
    Config { cases, failure_persistence: None, rng_algorithm: RngAlgorithm::ChaCha, ..Config::default() }
}

/// Runs `test` on `strategy` from a fixed seed (one per property); the cases run.
fn run<S: Strategy>(name: &str, seed: u8, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) -> usize {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(config(), rng);
    let cases = AtomicUsize::new(0);
    let result = runner.run(&strategy, |v| {
        cases.fetch_add(1, Ordering::Relaxed);
        test(v)
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let cases = cases.into_inner();
    eprintln!("{name}: {cases} cases (shrinking included)");
    cases
}

/// One step of a JSON path: a member or an array element.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path as the decoder writes it (`hardware.device[3].backing`).
fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The paths of every object in `v`, in document order.
fn objects(v: &Value) -> Vec<Vec<Step>> {
    fn walk(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match v {
            Value::Object(m) => {
                out.push(path.clone());
                for (k, v) in m {
                    path.push(Step::Key(k.clone()));
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn at<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn at_ref<'v>(v: &'v Value, path: &[Step]) -> &'v Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &v[k.as_str()],
        Step::Index(i) => &v[*i],
    })
}

fn object_at<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Map<String, Value> {
    at(v, path).as_object_mut().expect("a path of `objects` leads to an object")
}

/// The members of `m` in the order `order` gives (a permutation of their positions).
fn reordered(m: &Map<String, Value>, order: &[usize]) -> Map<String, Value> {
    let entries: Vec<(&String, &Value)> = m.iter().collect();
    order.iter().map(|&i| (entries[i].0.clone(), entries[i].1.clone())).collect()
}

/// A change to a payload. Each picks its place by [`Index`] among those the payload has.
#[derive(Debug, Clone)]
enum Mutation {
    /// Shuffles the members of an object.
    Reorder { object: Index, seed: u64 },
    /// Moves an object's `_typeName` to another position among its members.
    MoveTag { object: Index, to: Index },
    /// Adds a member no type declares.
    AddUnknown { object: Index, name: String, value: Value, to: Index },
    /// Replaces an object's `_typeName` by a name no release has.
    UnknownTypeName { object: Index, name: String },
    /// Replaces a string value (an enumeration value, a name, a time) by one no release has.
    UnknownString { leaf: Index, text: String },
    /// Leaves a member out (other than `_typeName`).
    Drop { object: Index, member: Index },
}

/// What applying the mutations did that the checks need to know.
#[derive(Debug, Default)]
struct Applied {
    /// Each member left out: the path of its object and its name.
    dropped: Vec<(String, String)>,
}

/// A JSON value of a few levels, as a newer release's member might hold: numbers are integers
/// and quarters, which every reader parses to the same value.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-4000i32..4000).prop_map(|q| Value::from(f64::from(q) / 4.0)),
        "[a-zA-Z0-9 _é\"\\\\\n\u{1f600}-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn reorder() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u64>()).prop_map(|(object, seed)| Mutation::Reorder { object, seed }),
        (any::<Index>(), any::<Index>()).prop_map(|(object, to)| Mutation::MoveTag { object, to }),
    ]
}

fn add_unknown() -> impl Strategy<Value = Mutation> {
    (any::<Index>(), "zzNewer[A-Za-z0-9]{0,6}", json_value(), any::<Index>()).prop_map(|(object, name, value, to)| Mutation::AddUnknown {
        object,
        name,
        value,
        to,
    })
}

fn unknown_type_name() -> impl Strategy<Value = Mutation> {
    (any::<Index>(), "Future[A-Z][A-Za-z]{0,10}").prop_map(|(object, name)| Mutation::UnknownTypeName { object, name })
}

fn unknown_string() -> impl Strategy<Value = Mutation> {
    (any::<Index>(), "future[A-Z][A-Za-z0-9]{0,8}").prop_map(|(leaf, text)| Mutation::UnknownString { leaf, text })
}

fn drop_member() -> impl Strategy<Value = Mutation> {
    (any::<Index>(), any::<Index>()).prop_map(|(object, member)| Mutation::Drop { object, member })
}

/// The paths of every string value in `v` other than a `_typeName`.
fn string_leaves(v: &Value) -> Vec<Vec<Step>> {
    fn walk(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match v {
            Value::String(_) if path.last() != Some(&Step::Key(vim25::DISCRIMINATOR.into())) => out.push(path.clone()),
            Value::Object(m) => {
                for (k, v) in m {
                    path.push(Step::Key(k.clone()));
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn apply(doc: &mut Value, mutations: &[Mutation]) -> Applied {
    let mut applied = Applied::default();
    for m in mutations {
        let paths = objects(doc);
        match m {
            Mutation::Reorder { object, seed } => {
                let map = object_at(doc, object.get::<Vec<Step>>(&paths));
                let mut order: Vec<usize> = (0..map.len()).collect();
                // a Fisher-Yates shuffle from the seed (splitmix64)
                let mut state = *seed;
                for i in (1..order.len()).rev() {
                    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let mut z = state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                    order.swap(i, ((z ^ (z >> 31)) % (i as u64 + 1)) as usize);
                }
                *map = reordered(map, &order);
            }
            Mutation::MoveTag { object, to } => {
                let map = object_at(doc, object.get::<Vec<Step>>(&paths));
                if let Some(from) = map.keys().position(|k| k == vim25::DISCRIMINATOR) {
                    let mut order: Vec<usize> = (0..map.len()).filter(|&i| i != from).collect();
                    order.insert(to.index(map.len()), from);
                    *map = reordered(map, &order);
                }
            }
            Mutation::AddUnknown { object, name, value, to } => {
                let open: Vec<&Vec<Step>> = paths.iter().filter(|p| !is_known_boxed(at_ref(doc, p))).collect();
                if open.is_empty() {
                    continue;
                }
                let path = object.get::<&Vec<Step>>(&open).to_vec();
                let map = object_at(doc, &path);
                if !map.contains_key(name) {
                    let position = to.index(map.len() + 1);
                    map.insert(name.clone(), value.clone());
                    let mut order: Vec<usize> = (0..map.len() - 1).collect();
                    order.insert(position, map.len() - 1);
                    *map = reordered(map, &order);
                }
            }
            Mutation::UnknownTypeName { object, name } => {
                let map = object_at(doc, object.get::<Vec<Step>>(&paths));
                if let Some(tag) = map.get_mut(vim25::DISCRIMINATOR) {
                    *tag = Value::from(name.as_str());
                }
            }
            Mutation::UnknownString { leaf, text } => {
                let leaves = string_leaves(doc);
                if !leaves.is_empty() {
                    *at(doc, leaf.get::<Vec<Step>>(&leaves)) = Value::from(text.as_str());
                }
            }
            Mutation::Drop { object, member } => {
                let path = object.get::<Vec<Step>>(&paths);
                let map = object_at(doc, path);
                let names: Vec<String> = map.keys().filter(|k| *k != vim25::DISCRIMINATOR).cloned().collect();
                if !names.is_empty() {
                    let name = member.get(&names).clone();
                    map.shift_remove(&name);
                    applied.dropped.push((path_text(path), name));
                }
            }
        }
    }
    applied
}

/// Whether `v` is a boxed value of a known type (`{"_typeName": "int", "_value": 1}`).
fn is_known_boxed(v: &Value) -> bool {
    v.get("_value").is_some() && v.get(vim25::DISCRIMINATOR).and_then(Value::as_str).is_some_and(|t| vim25::registry::lookup(t).is_some())
}

fn decode(doc: &Value, mode: DecodeMode) -> Result<(Any, Vec<vim25::AbsentMember>), vim25::DecodeError> {
    vim25::from_slice_with::<Any>(&serde_json::to_vec(doc).unwrap(), mode)
}

fn reencoded(v: &Any) -> Result<Value, TestCaseError> {
    let bytes = vim25::to_vec(v).map_err(|e| TestCaseError::fail(format!("encoding: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| TestCaseError::fail(format!("re-encoded JSON: {e}")))
}

/// Tolerant decoding succeeds and keeps everything promised; strict decoding agrees with the
/// original's outcome unless members were dropped (checked by the caller).
fn round_trips(doc: &Value) -> Result<Vec<vim25::AbsentMember>, TestCaseError> {
    let (value, absent) = decode(doc, DecodeMode::Tolerant).map_err(|e| TestCaseError::fail(format!("tolerant decoding: {e}")))?;
    let back = reencoded(&value)?;
    prop_assert_eq!(back, doc.clone(), "re-encoding differs");
    Ok(absent)
}

struct Fixture {
    payloads: Vec<(String, Value)>,
    /// What each original decodes to, strictly (the vcsim body lacks required members).
    strict_ok: Vec<bool>,
}

impl Fixture {
    fn new() -> Self {
        let payloads = payloads();
        let strict_ok = payloads.iter().map(|(_, v)| decode(v, DecodeMode::Strict).is_ok()).collect();
        Fixture { payloads, strict_ok }
    }

    fn mutations(&self, one: impl Strategy<Value = Mutation>, max: usize) -> impl Strategy<Value = (usize, Vec<Mutation>)> {
        (0..self.payloads.len(), prop::collection::vec(one, 1..=max))
    }

    /// The payload `i` changed by `mutations`.
    fn mutated(&self, i: usize, mutations: &[Mutation]) -> (Value, Applied) {
        let mut doc = self.payloads[i].1.clone();
        let applied = apply(&mut doc, mutations);
        (doc, applied)
    }
}

/// Reordering members and moving `_typeName` changes nothing: the value decoded encodes to the
/// same bytes as the original's (the encoder writes in declaration order).
fn order_is_irrelevant(f: &Fixture) -> usize {
    run("members reordered, _typeName moved", 1, f.mutations(reorder(), 8), |(i, mutations)| {
        let (doc, _) = f.mutated(i, &mutations);
        let original = decode(&f.payloads[i].1, DecodeMode::Tolerant).unwrap().0;
        let (value, _) = decode(&doc, DecodeMode::Tolerant).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(String::from_utf8(vim25::to_vec(&value).unwrap()).unwrap(), String::from_utf8(vim25::to_vec(&original).unwrap()).unwrap());
        prop_assert_eq!(decode(&doc, DecodeMode::Strict).is_ok(), f.strict_ok[i]);
        Ok(())
    })
}

/// Unknown members are kept and written back, wherever they stand.
fn unknown_members_are_kept(f: &Fixture) -> usize {
    let one = prop_oneof![3 => add_unknown(), 1 => reorder()];
    run("unknown members added", 2, f.mutations(one, 6), |(i, mutations)| {
        let (doc, _) = f.mutated(i, &mutations);
        round_trips(&doc)?;
        prop_assert_eq!(decode(&doc, DecodeMode::Strict).is_ok(), f.strict_ok[i]);
        Ok(())
    })
}

/// An unknown `_typeName` decodes as the type the position declares (or, where any type may
/// stand, as an unknown value kept whole), and is written back with all the members.
fn unknown_type_names_are_kept(f: &Fixture) -> usize {
    let one = prop_oneof![3 => unknown_type_name(), 1 => reorder()];
    run("unknown _typeName", 3, f.mutations(one, 4), |(i, mutations)| {
        let (doc, _) = f.mutated(i, &mutations);
        round_trips(&doc)?;
        Ok(())
    })
}

/// A string no release has, in place of an enumeration value (or any other string), is kept.
fn unknown_strings_are_kept(f: &Fixture) -> usize {
    run("unknown enumeration values and strings", 4, f.mutations(unknown_string(), 6), |(i, mutations)| {
        let (doc, _) = f.mutated(i, &mutations);
        round_trips(&doc)?;
        prop_assert_eq!(decode(&doc, DecodeMode::Strict).is_ok(), f.strict_ok[i]);
        Ok(())
    })
}

/// A member left out: tolerant decoding keeps the rest and leaves it out again; strict decoding
/// fails exactly when it was required, naming it and its object's path. A boxed value without
/// its `_value` is an error in either mode. Counts (optional, required) drops.
fn dropped_members(f: &Fixture, counts: &std::sync::Mutex<(usize, usize)>) -> usize {
    run("members dropped", 5, (0..f.payloads.len(), drop_member()), |(i, mutation)| {
        let (doc, applied) = f.mutated(i, std::slice::from_ref(&mutation));
        let Some((object, member)) = applied.dropped.first() else { return Ok(()) };
        if member == "_value" {
            for mode in [DecodeMode::Tolerant, DecodeMode::Strict] {
                let e = decode(&doc, mode).map(|_| ()).expect_err("a boxed value without `_value`");
                prop_assert!(e.message().contains("missing field `_value`"), "{}", e);
                prop_assert_eq!(e.path(), object.as_str());
            }
            return Ok(());
        }
        let absent = round_trips(&doc)?;
        let newly_absent = absent.iter().any(|a| a.member == member);
        let strict = decode(&doc, DecodeMode::Strict);
        match (&strict, f.strict_ok[i]) {
            (Ok(_), _) => prop_assert!(!newly_absent, "strict decoding accepted {object}: missing {member}, which tolerant decoding reported absent"),
            (Err(e), true) => {
                prop_assert!(newly_absent, "strict failed ({}) but tolerant decoding did not report {} absent", e, member);
                prop_assert_eq!(e.message(), format!("missing field `{member}`"));
                prop_assert_eq!(e.path(), object.as_str());
            }
            // the original lacks required members already: strict fails either way
            (Err(_), false) => {}
        }
        let mut c = counts.lock().unwrap();
        if strict.is_err() && f.strict_ok[i] {
            c.1 += 1;
        } else {
            c.0 += 1;
        }
        Ok(())
    })
}

/// Everything at once: no panic; where tolerant decoding succeeds, it keeps what it promises.
fn all_mutations_together(f: &Fixture) -> usize {
    let one = prop_oneof![reorder(), add_unknown(), unknown_type_name(), unknown_string(), drop_member()];
    run("all mutations together", 6, f.mutations(one, 8), |(i, mutations)| {
        let (doc, applied) = f.mutated(i, &mutations);
        let strict = decode(&doc, DecodeMode::Strict);
        match decode(&doc, DecodeMode::Tolerant) {
            Ok((value, _)) => prop_assert_eq!(reencoded(&value)?, doc.clone()),
            // only a boxed value without its `_value` is beyond tolerance
            Err(e) => prop_assert!(
                e.message().contains("missing field `_value`") && applied.dropped.iter().any(|(_, m)| m == "_value"),
                "tolerant decoding failed: {}",
                e
            ),
        }
        if strict.is_ok() {
            prop_assert!(decode(&doc, DecodeMode::Tolerant).is_ok_and(|(_, absent)| absent.is_empty()));
        }
        Ok(())
    })
}

/// One test for all properties, so that the total is reported once.
#[test]
fn recorded_payloads_survive_every_mutation() {
    let f = Fixture::new();
    let counts = std::sync::Mutex::new((0, 0));
    let total = order_is_irrelevant(&f)
        + unknown_members_are_kept(&f)
        + unknown_type_names_are_kept(&f)
        + unknown_strings_are_kept(&f)
        + dropped_members(&f, &counts)
        + all_mutations_together(&f);
    let (optional, required) = *counts.lock().unwrap();
    eprintln!("{} payloads; {total} cases in all; dropped members: {optional} optional, {required} required", f.payloads.len());
    // the drops must reach both kinds of member, or the strict property is not being tested
    assert!(optional > 0 && required > 0, "{optional} optional and {required} required members dropped");
}
