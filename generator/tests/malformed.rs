//! Malformed input is rejected, never accepted and never a panic: the recorded payloads with
//! one byte changed, inserted or removed, at every kind of place (keys, strings, numbers,
//! structure, whitespace), decoded as the types they hold. The decoder reads plainly written
//! keys and type names itself and leaves the rest to jiter; this checks the seam between the
//! two against serde_json's judgement of the same bytes.

use std::path::PathBuf;

fn read(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/payloads").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A small deterministic generator (xorshift), so that a failure is reproducible.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Bytes that matter to a JSON reader, and a few that must not pass for them.
const BYTES: &[u8] = b"\"\\:,{}[] \t\n\x0c\x01\x7fa0-.eE\xff\xc3";

/// Each mutant with the offset of its change.
fn mutants(doc: &[u8], count: usize, seed: u64) -> Vec<(usize, Vec<u8>)> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|_| {
            let mut m = doc.to_vec();
            let at = rng.below(m.len());
            let byte = BYTES[rng.below(BYTES.len())];
            match rng.below(3) {
                0 => m[at] = byte,
                1 => m.insert(at, byte),
                _ => {
                    m.remove(at);
                }
            }
            (at, m)
        })
        .collect()
}

fn check<T: vim25::Decode>(doc: &[u8], count: usize, seed: u64) {
    let mut rejected = 0;
    for (at, m) in mutants(doc, count, seed) {
        let ours = vim25::from_slice_strict::<T>(&m);
        let valid = serde_json::from_slice::<serde::de::IgnoredAny>(&m).is_ok();
        match ours {
            Ok(_) if !valid => {
                let near = &m[at.saturating_sub(40)..(at + 40).min(m.len())];
                panic!("accepted malformed input, changed at byte {at}: …{}…", String::from_utf8_lossy(near).escape_debug())
            }
            Ok(_) => {}
            Err(e) => {
                rejected += 1;
                // the position named is inside the input (or just past it, at its end)
                assert!(e.line() >= 1 && e.column() >= 1, "{e}");
            }
        }
    }
    // A change inside a string's text is harmless, so many mutants decode; but if few were
    // rejected the mutations would not be reaching the structure this test is about.
    assert!(rejected > count / 4, "only {rejected} of {count} mutants rejected");
}

/// The recorded payload `name`, compacted as vCenter writes it and as recorded (indented).
fn check_recorded<T: vim25::Decode>(name: &str, seed: u64) {
    let doc = read(name);
    let compact = serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&doc).unwrap()).unwrap();
    check::<T>(&compact, 3000, seed);
    check::<T>(&doc, 1000, seed.rotate_left(17));
}

#[test]
fn one_byte_changes_to_a_vm_configuration_are_rejected_or_harmless() {
    check_recorded::<vim25::types::Any>("vminfo.json", 0x9E37_79B9_7F4A_7C15);
}

#[test]
fn one_byte_changes_to_a_retrieve_result_are_rejected_or_harmless() {
    check_recorded::<vim25::types::RetrieveResult>("retrieveResult.json", 0x1234_5678_9ABC_DEF1);
}

/// `levels` copies of `open`, then `leaf`, then as many copies of `close`.
fn nested(open: &str, leaf: &str, close: &str, levels: usize) -> Vec<u8> {
    format!("{}{leaf}{}", open.repeat(levels), close.repeat(levels)).into_bytes()
}

/// Input nested past the decoder's depth limit is refused with an error, on a thread with the
/// 2 MiB stack that test threads and tokio's workers get, in the unoptimized build whose frames
/// are largest: the decoder recurses per level, so the limit must come before the stack's end.
/// One chain per way the types nest: a fault's cause, an `Any` in an option value, arrays of
/// `Any`, a snapshot tree's children (the one deep nesting vCenter itself sends); each decoded
/// as its own type and as `Any`.
#[test]
fn nesting_past_the_limit_is_an_error_not_a_stack_overflow() {
    use vim25::types::{Any, MethodFaultKind, OptionValueKind, VirtualMachineSnapshotTree};
    type Decode = fn(&[u8]) -> Option<String>;
    fn err<T: vim25::de::Decode>(doc: &[u8]) -> Option<String> {
        vim25::from_slice_strict::<T>(doc).err().map(|e| e.to_string())
    }
    const SNAPSHOT: &str = r#"{"_typeName": "VirtualMachineSnapshotTree",
        "snapshot": {"_typeName": "ManagedObjectReference", "type": "VirtualMachineSnapshot", "value": "snapshot-1"},
        "vm": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": "vm-1"},
        "name": "s", "description": "", "id": 1, "createTime": "2026-11-27T00:00:00Z", "state": "poweredOff",
        "quiesced": false, "childSnapshotList": ["#;
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let leaf = SNAPSHOT.replace(r#", "childSnapshotList": ["#, "}");
            let chains: [(&str, &str, &str, Decode); 4] = [
                (SNAPSHOT, &leaf, "]}", err::<VirtualMachineSnapshotTree>),
                (r#"{"_typeName": "InvalidState", "faultCause": "#, r#"{"_typeName": "MethodFault"}"#, "}", err::<MethodFaultKind>),
                (r#"{"_typeName": "OptionValue", "key": "k", "value": "#, r#"{"_typeName": "int", "_value": 1}"#, "}", err::<OptionValueKind>),
                (r#"{"_typeName": "ArrayOfAnyType", "_value": ["#, r#"{"_typeName": "int", "_value": 1}"#, "]}", err::<Any>),
            ];
            for (open, leaf, close, own) in chains {
                let deep = nested(open, leaf, close, 400);
                for e in [own(&deep), err::<Any>(&deep)] {
                    let e = e.unwrap_or_else(|| panic!("{open}: 400 levels decoded"));
                    assert!(e.contains("deeper than"), "{open}: {e}");
                }
                // within the limit (an array of `Any`s is two levels each)
                let shallow = nested(open, leaf, close, 90);
                assert_eq!(own(&shallow), None, "{open}: 90 levels");
            }
        })
        .expect("spawns");
    handle.join().expect("no stack overflow, no panic");
}
