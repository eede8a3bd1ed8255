//! `vim25-bench PAYLOADS_DIR [MIN_MB]`: builds a large `RetrieveResult` from the recorded
//! payloads and prints decode / encode throughput as `name=value` lines.
//!
//! Every figure is the median of several runs in this process; ratios compare runs on the same
//! bytes, so machine speed cancels out.

#![forbid(unsafe_code)]

use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ALLOCATOR: &str = if cfg!(feature = "mimalloc") { "mimalloc" } else { "system" };

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
    let mut contenders: Vec<Contender<'_>> = vec![
        timed(|| vim25::from_slice::<vim25::types::RetrieveResult>(&big).expect("our decoder reads the payload")),
        timed(|| serde_json::from_slice::<serde::de::IgnoredAny>(&big).expect("valid JSON")),
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
    println!("allocator={ALLOCATOR}");
    let times = race(RUNS, &mut contenders);
    let (decode, scan) = (times[0].total, times[1].total);
    let value: vim25::types::RetrieveResult = vim25::from_slice(&big).expect("decodes");
    let encode = median_n(RUNS, || vim25::to_vec(&value).expect("encodes"));
    let clone = median_n(RUNS, || value.clone());
    drop(value);
    let vm_decode = median_n(200, || vim25::from_slice::<vim25::types::Any>(&vminfo).expect("vminfo decodes"));
    println!("decode_mb_per_s={:.0}", rate(big.len(), decode));
    println!("encode_mb_per_s={:.0}", rate(big.len(), encode));
    // cloning the decoded value (and dropping the clone), in bytes of the payload it came from
    println!("clone_mb_per_s={:.0}", rate(big.len(), clone));
    println!("scan_mb_per_s={:.0}", rate(big.len(), scan));
    println!("decode_vs_scan={:.2}", decode.as_secs_f64() / scan.as_secs_f64());
    println!("vminfo_decode_mb_per_s={:.0}", rate(vminfo.len(), vm_decode));
    if let Some(theirs) = times.get(2) {
        println!("vim_rs_decode_mb_per_s={:.0}", rate(big.len(), theirs.total));
        println!("decode_vs_vim_rs={:.2}", theirs.total.as_secs_f64() / decode.as_secs_f64());
    }
    // The figures above include dropping the result, as every program does sooner or later; how
    // the time splits shows what is decoding and what is freeing (mostly glibc's coalescing).
    let (ours, scan_only) = (&times[0], times[1].built);
    println!("decode_only_ms={:.1}", ms(ours.built));
    println!("drop_ms={:.1}", ms(ours.dropped));
    println!("decode_only_vs_scan={:.2}", ours.built.as_secs_f64() / scan_only.as_secs_f64());
    if let Some(theirs) = times.get(2) {
        println!("vim_rs_decode_only_ms={:.1}", ms(theirs.built));
        println!("vim_rs_drop_ms={:.1}", ms(theirs.dropped));
        println!("decode_only_vs_vim_rs={:.2}", theirs.built.as_secs_f64() / ours.built.as_secs_f64());
    }
    lookahead();
}

/// Polymorphic objects whose `_typeName` comes last, so that the decoder has to look ahead for
/// it: 2,000 chains of 180 `OptionValue`s, each the `value` of the one before, decoded with the
/// tag last and first at every level. The ratio shows whether the look-ahead stays linear.
fn lookahead() {
    let (first, last) = (option_chains(180, 2000, false), option_chains(180, 2000, true));
    let mut contenders = vec![
        timed(|| vim25::from_slice::<vim25::types::Any>(&first).expect("the tag-first chains decode")),
        timed(|| vim25::from_slice::<vim25::types::Any>(&last).expect("the tag-last chains decode")),
    ];
    let times = race(RUNS, &mut contenders);
    println!("lookahead_payload_mb={:.1}", mb(last.len()));
    println!("lookahead_tag_first_ms={:.1}", ms(times[0].built));
    println!("lookahead_tag_last_ms={:.1}", ms(times[1].built));
    println!("lookahead_last_vs_first={:.2}", times[1].built.as_secs_f64() / times[0].built.as_secs_f64());
}

/// An `ArrayOfOptionValue` of `copies` chains of `depth` nested `OptionValue`s (the innermost
/// holding a boxed string), with `_typeName` as every object's last member when `tag_last`,
/// as its first otherwise.
fn option_chains(depth: usize, copies: usize, tag_last: bool) -> Vec<u8> {
    let object = |out: &mut String, type_name: &str, body: &dyn Fn(&mut String)| {
        let tag = format!("\"_typeName\":\"{type_name}\"");
        out.push('{');
        if !tag_last {
            out.push_str(&tag);
            out.push(',');
        }
        body(out);
        if tag_last {
            out.push(',');
            out.push_str(&tag);
        }
        out.push('}');
    };
    fn level(out: &mut String, i: usize, depth: usize, object: &dyn Fn(&mut String, &str, &dyn Fn(&mut String))) {
        if i == depth {
            object(out, "string", &|out| out.push_str("\"_value\":\"leaf\""));
            return;
        }
        object(out, "OptionValue", &|out| {
            out.push_str(&format!("\"key\":\"k{i}\",\"value\":"));
            level(out, i + 1, depth, object);
        });
    }
    let mut out = String::new();
    object(&mut out, "ArrayOfOptionValue", &|out| {
        out.push_str("\"_value\":[");
        for c in 0..copies {
            if c > 0 {
                out.push(',');
            }
            level(out, 0, depth, &object);
        }
        out.push(']');
    });
    out.into_bytes()
}

/// Builds a value and drops it, timing both.
type Contender<'a> = Box<dyn FnMut() -> Timing + 'a>;

#[derive(Clone, Copy, Default)]
struct Timing {
    built: Duration,
    dropped: Duration,
    total: Duration,
}

fn timed<'a, T>(mut build: impl FnMut() -> T + 'a) -> Contender<'a> {
    Box::new(move || {
        let start = Instant::now();
        let value = std::hint::black_box(build());
        let middle = Instant::now();
        drop(value);
        let end = Instant::now();
        Timing { built: middle - start, dropped: end - middle, total: end - start }
    })
}

#[cfg(feature = "vim_rs")]
fn vim_rs_decode(text: &str) -> Option<Contender<'_>> {
    Some(timed(move || -> vim_rs::types::structs::RetrieveResult { miniserde::json::from_str(text).expect("vim_rs reads the payload") }))
}

#[cfg(not(feature = "vim_rs"))]
fn vim_rs_decode(_: &str) -> Option<Contender<'_>> {
    None
}

/// The median timings of each contender over `rounds` rounds, each round running every
/// contender once in turn (after one warm-up round). Each figure is its own median.
fn race(rounds: usize, contenders: &mut [Contender<'_>]) -> Vec<Timing> {
    let mut runs = vec![Vec::new(); contenders.len()];
    for round in 0..=rounds {
        for (f, t) in contenders.iter_mut().zip(&mut runs) {
            let timing = f();
            if round > 0 {
                t.push(timing);
            }
        }
    }
    let median = |t: &[Timing], of: fn(&Timing) -> Duration| {
        let mut d: Vec<Duration> = t.iter().map(of).collect();
        d.sort();
        d[d.len() / 2]
    };
    runs.iter()
        .map(|t| Timing { built: median(t, |t| t.built), dropped: median(t, |t| t.dropped), total: median(t, |t| t.total) })
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
fn median_n<'a, T>(n: usize, f: impl FnMut() -> T + 'a) -> Duration {
    race(n, &mut [timed(f)])[0].total
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
