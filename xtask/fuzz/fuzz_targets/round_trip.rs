//! The lossless promise (.github/ARCHITECTURE.md, "Lossless, tolerant decoding"): whatever
//! decodes as an `Any` encodes, its encoding decodes again, and that second value is the
//! first one: the same `Debug` form and the same encoding, byte for byte.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use vim25::types::Any;

fuzz_target!(|data: &[u8]| {
    let Ok(first) = vim25::from_slice::<Any>(data) else { return };
    let encoded = match vim25::to_vec(&first) {
        Ok(bytes) => bytes,
        Err(e) => panic!("a decoded value does not encode: {e}\n{first:?}"),
    };
    let second = match vim25::from_slice::<Any>(&encoded) {
        Ok(value) => value,
        Err(e) => panic!("the encoding does not decode: {e}\n{}", String::from_utf8_lossy(&encoded)),
    };
    let again = match vim25::to_vec(&second) {
        Ok(bytes) => bytes,
        Err(e) => panic!("the decoded encoding does not encode: {e}\n{second:?}"),
    };
    assert_eq!(String::from_utf8_lossy(&encoded), String::from_utf8_lossy(&again), "the encoding changed on a second round");
    assert_eq!(format!("{first:?}"), format!("{second:?}"), "the value changed on a round trip");
});
