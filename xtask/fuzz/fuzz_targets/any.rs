//! An `Any` from arbitrary bytes, tolerantly (as the client decodes) and strictly (as a
//! validator does): an error is fine, a panic, hang or unbounded allocation is not. A value
//! that decodes is also formatted and encoded, the other code that walks what was decoded.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use vim25::types::Any;

fuzz_target!(|data: &[u8]| {
    if let Ok(any) = vim25::from_slice::<Any>(data) {
        std::hint::black_box(format!("{any:?}"));
        let _ = std::hint::black_box(vim25::to_vec(&any));
    }
    let _ = std::hint::black_box(vim25::from_slice_strict::<Any>(data));
});
