//! Criterion benchmarks of the cache-resident cases: one VM's configuration and the recorded
//! `RetrieveResult`, decoded, encoded and scanned by serde_json for scale.
//!
//! `cargo bench --manifest-path xtask/bench/Cargo.toml` (payloads from `VIM25_PAYLOADS`, or
//! `generator/tests/data/payloads`). The 50 MB figures, their drops and vim_rs
//! are `cargo xtask bench`: a run of that size is too long for criterion's sampling, and the
//! contenders there take turns so that the allocator's drift weighs on all of them alike.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use vim25::types::Any;

fn payload(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("VIM25_PAYLOADS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../generator/tests/data/payloads"));
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (set VIM25_PAYLOADS)", path.display()))
}

fn codec(c: &mut Criterion) {
    for name in ["vminfo.json", "retrieveResult.json"] {
        let bytes = payload(name);
        let value: Any = vim25::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("decode", |b| b.iter(|| vim25::from_slice::<Any>(black_box(&bytes)).expect("decodes")));
        group.bench_function("encode", |b| b.iter(|| vim25::to_vec(black_box(&value)).expect("encodes")));
        group.bench_function("scan", |b| {
            b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&bytes)).expect("valid JSON"))
        });
        group.finish();
    }
}

criterion_group!(benches, codec);
criterion_main!(benches);
