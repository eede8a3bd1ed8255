//! An `UpdateSet` (the reply of `WaitForUpdatesEx`: filter updates, property changes, missing
//! objects) from arbitrary bytes, tolerantly and strictly.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use vim25::types::UpdateSet;

fuzz_target!(|data: &[u8]| {
    let _ = std::hint::black_box(vim25::from_slice::<UpdateSet>(data));
    let _ = std::hint::black_box(vim25::from_slice_strict::<UpdateSet>(data));
});
