//! A `RetrieveResult` (the reply of `RetrievePropertiesEx`: object contents, `Any` values) from
//! arbitrary bytes, tolerantly and strictly.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use vim25::types::RetrieveResult;

fuzz_target!(|data: &[u8]| {
    let _ = std::hint::black_box(vim25::from_slice::<RetrieveResult>(data));
    let _ = std::hint::black_box(vim25::from_slice_strict::<RetrieveResult>(data));
});
