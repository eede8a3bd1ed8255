//! `vim25-bench PAYLOADS_DIR [MIN_MB]`: builds a large `RetrieveResult` from the recorded
//! payloads and prints decode / encode throughput as `name=value` lines.
//!
//! Every figure is the median of several runs in this process; ratios compare runs on the same
//! bytes, so machine speed cancels out.

use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: vim25-bench PAYLOADS_DIR [MIN_MB]");
        std::process::exit(2);
    };
    let min_mb: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50);
    let dir = Path::new(dir);
    let big = retrieve_result(dir, min_mb << 20);
    let vminfo = std::fs::read(dir.join("vminfo.json")).expect("vminfo.json");

    // The contenders take turns, round after round: the allocator's state (which drifts as
    // large results are built and dropped) and the machine's load then weigh on all alike.
    let text = std::str::from_utf8(&big).expect("UTF-8");
    let mut contenders: Vec<Box<dyn FnMut() + '_>> = vec![
        Box::new(|| decode_ours(&big)),
        Box::new(|| {
            let v: serde::de::IgnoredAny = serde_json::from_slice(&big).expect("valid JSON");
            std::hint::black_box(v);
        }),
    ];
    contenders.extend(vim_rs_decode(text));

    if let Some(n) = std::env::var("VIM25_BENCH_PROFILE").ok().and_then(|n| n.parse::<usize>().ok()) {
        // N decodes by one contender (VIM25_BENCH_WHO, default ours) and nothing else, for
        // `perf record` or `valgrind --tool=callgrind`.
        let who = std::env::var("VIM25_BENCH_WHO").unwrap_or_else(|_| "ours".into());
        let Some(f) = ["ours", "scan", "vim_rs"].iter().position(|c| *c == who).and_then(|i| contenders.get_mut(i)) else {
            eprintln!("VIM25_BENCH_WHO={who}: not a contender in this build");
            std::process::exit(2);
        };
        for _ in 0..n {
            f();
        }
        return;
    }

    println!("payload_mb={:.1}", mb(big.len()));
    let times = race(RUNS, &mut contenders);
    let (decode, scan) = (times[0], times[1]);
    // The decode figures above include dropping the result, as a program does sooner or later;
    // how the time splits shows what is parsing and what is glibc's freeing.
    let (ours_build, ours_drop) = build_then_drop(RUNS, || vim25::from_slice::<vim25::types::RetrieveResult>(&big).expect("decodes"));
    println!("decode_only_ms={:.1}", ms(ours_build));
    println!("drop_ms={:.1}", ms(ours_drop));
    if let Some((theirs_build, theirs_drop)) = vim_rs_split(text) {
        println!("vim_rs_decode_only_ms={:.1}", ms(theirs_build));
        println!("vim_rs_drop_ms={:.1}", ms(theirs_drop));
    }
    let value: vim25::types::RetrieveResult = vim25::from_slice(&big).expect("decodes");
    let encode = median_n(RUNS, || {
        std::hint::black_box(vim25::to_vec(&value).expect("encodes"));
    });
    drop(value);
    let vm_decode = median_n(200, || {
        let v: vim25::types::Any = vim25::from_slice(&vminfo).expect("vminfo decodes");
        std::hint::black_box(v);
    });
    println!("decode_mb_per_s={:.0}", rate(big.len(), decode));
    println!("encode_mb_per_s={:.0}", rate(big.len(), encode));
    println!("scan_mb_per_s={:.0}", rate(big.len(), scan));
    println!("decode_vs_scan={:.2}", decode.as_secs_f64() / scan.as_secs_f64());
    println!("vminfo_decode_mb_per_s={:.0}", rate(vminfo.len(), vm_decode));
    if let Some(&theirs) = times.get(2) {
        println!("vim_rs_decode_mb_per_s={:.0}", rate(big.len(), theirs));
        println!("decode_vs_vim_rs={:.2}", theirs.as_secs_f64() / decode.as_secs_f64());
    }
}

fn decode_ours(bytes: &[u8]) {
    let r: vim25::types::RetrieveResult = vim25::from_slice(bytes).expect("our decoder reads the payload");
    std::hint::black_box(r);
}

#[cfg(feature = "vim_rs")]
fn vim_rs_decode(text: &str) -> Option<Box<dyn FnMut() + '_>> {
    Some(Box::new(move || {
        let r: vim_rs::types::structs::RetrieveResult = miniserde::json::from_str(text).expect("vim_rs reads the payload");
        std::hint::black_box(r);
    }))
}

#[cfg(not(feature = "vim_rs"))]
fn vim_rs_decode(_: &str) -> Option<Box<dyn FnMut() + '_>> {
    None
}

#[cfg(feature = "vim_rs")]
fn vim_rs_split(text: &str) -> Option<(Duration, Duration)> {
    Some(build_then_drop(RUNS, || -> vim_rs::types::structs::RetrieveResult {
        miniserde::json::from_str(text).expect("vim_rs reads the payload")
    }))
}

#[cfg(not(feature = "vim_rs"))]
fn vim_rs_split(_: &str) -> Option<(Duration, Duration)> {
    None
}

/// Median times of building a value and of dropping it, over `n` runs after one warm-up.
fn build_then_drop<T>(n: usize, mut build: impl FnMut() -> T) -> (Duration, Duration) {
    let (mut built, mut dropped) = (Vec::new(), Vec::new());
    for run in 0..=n {
        let start = Instant::now();
        let value = std::hint::black_box(build());
        let middle = Instant::now();
        drop(value);
        if run > 0 {
            built.push(middle - start);
            dropped.push(middle.elapsed());
        }
    }
    let median = |mut t: Vec<Duration>| {
        t.sort();
        t[t.len() / 2]
    };
    (median(built), median(dropped))
}

/// Median time of each contender over `rounds` rounds, each round running every contender
/// once in turn (after one warm-up round).
fn race(rounds: usize, contenders: &mut [Box<dyn FnMut() + '_>]) -> Vec<Duration> {
    let mut times = vec![Vec::new(); contenders.len()];
    for round in 0..=rounds {
        for (f, t) in contenders.iter_mut().zip(&mut times) {
            let start = Instant::now();
            f();
            if round > 0 {
                t.push(start.elapsed());
            }
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect()
}

/// A `RetrieveResult` of at least `min_bytes`: the recorded objects and a virtual machine
/// holding `vminfo.json` as its `config`, repeated with distinct moIds.
fn retrieve_result(dir: &Path, min_bytes: usize) -> Vec<u8> {
    let read = |name: &str| -> serde_json::Value {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let recorded = read("retrieveResult.json");
    let objects = recorded["objects"].as_array().expect("recorded objects").clone();
    let config = read("vminfo.json");
    let mut out = Vec::new();
    let mut copy = 0usize;
    let mut all = Vec::new();
    let mut size = 0usize;
    while size < min_bytes {
        for o in &objects {
            let mut o = o.clone();
            if let Some(v) = o["obj"]["value"].as_str() {
                o["obj"]["value"] = format!("{v}-{copy}").into();
            }
            size += serde_json::to_vec(&o).map(|b| b.len()).unwrap_or(0);
            all.push(o);
        }
        let vm = serde_json::json!({
            "_typeName": "ObjectContent",
            "obj": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": format!("vm-{copy}")},
            "propSet": [{"_typeName": "DynamicProperty", "name": "config", "val": config}],
        });
        size += serde_json::to_vec(&vm).map(|b| b.len()).unwrap_or(0);
        all.push(vm);
        copy += 1;
    }
    let result = serde_json::json!({"_typeName": "RetrieveResult", "objects": all});
    serde_json::to_writer(&mut out, &result).expect("writes");
    out
}

/// Median time of `f` over `n` runs, after one warm-up run.
fn median_n(n: usize, f: impl FnMut()) -> Duration {
    race(n, &mut [Box::new(f)])[0]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

fn rate(bytes: usize, d: Duration) -> f64 {
    mb(bytes) / d.as_secs_f64()
}
