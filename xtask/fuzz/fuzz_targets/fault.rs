//! A fault body as the client decodes an HTTP 500: tolerantly, as the polymorphic
//! `MethodFault` (`vim25::Fault`), then formatted as the client's error formats it.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(fault) = vim25::from_slice::<vim25::Fault>(data) {
        std::hint::black_box(format!("{fault} {fault:?}"));
    }
});
