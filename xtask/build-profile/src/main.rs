//! `vim25-build-profile PROFILE`: where rustc's time went while compiling `vim25`, from a
//! `-Z self-profile` file (`PROFILE` is its path without `.mm_profdata`). Prints `name=value`
//! lines, seconds of self time summed over threads:
//!
//! - `query.LABEL`: per compiler query (`typeck_root`, `mir_borrowck`, `dropck_outlives`, ...);
//! - `fn.KIND.PLACE`: per kind of function (`clone`, `field`, `fmt`, ...; `<item>` for a type or
//!   impl as a whole) in `types`, `requests` (the `*RequestType` structs), `mo` or `runtime`,
//!   counting every query run on behalf of such a function's body (type checking, borrow
//!   checking, MIR building, drop checks, monomorphization), which is what one more function of
//!   that kind per type costs.
//!
//! With `--detail` after `PROFILE`, also `detail.KIND.PLACE.LABEL`: the same split by query.

use analyzeme::{Event, EventPayload, ProfilingData, Timestamp};
use std::collections::HashMap;
use std::time::SystemTime;

/// Queries whose key names the body they work on.
const BODY_QUERIES: &[&str] = &[
    "typeck_root",
    "mir_borrowck",
    "mir_built",
    "thir_body",
    "check_well_formed",
    "optimized_mir",
    "mir_drops_elaborated_and_const_checked",
    "items_of_instance",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (stem, detail) = match args.as_slice() {
        [stem] => (stem, false),
        [stem, flag] if flag == "--detail" => (stem, true),
        _ => {
            eprintln!("usage: vim25-build-profile PROFILE (without .mm_profdata) [--detail]");
            std::process::exit(2);
        }
    };
    let data = match ProfilingData::new(std::path::Path::new(stem)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{stem}: {e}");
            std::process::exit(1);
        }
    };
    // Interval events only (instants and counters have no duration), with their bounds.
    let mut threads: HashMap<u32, Vec<Span>> = HashMap::new();
    for event in data.iter_full() {
        if let EventPayload::Timestamp(Timestamp::Interval { start, end }) = event.payload {
            threads.entry(event.thread_id).or_default().push(Span { event, start, end });
        }
    }
    let mut by_query: HashMap<String, f64> = HashMap::new();
    let mut by_fn: HashMap<String, f64> = HashMap::new();
    let mut by_fn_query: HashMap<String, f64> = HashMap::new();
    for spans in threads.values_mut() {
        let (own, body) = self_times(spans);
        for (i, s) in spans.iter().enumerate() {
            *by_query.entry(s.event.label.to_string()).or_default() += own[i];
            if let Some(b) = body[i] {
                let item = spans[b].event.additional_data.first().map(|s| s.to_string()).unwrap_or_default();
                let kind = classify(&item);
                if detail {
                    *by_fn_query.entry(format!("{kind}.{}", s.event.label)).or_default() += own[i];
                }
                *by_fn.entry(kind).or_default() += own[i];
            }
        }
    }
    print_top("query", by_query, 20);
    print_top("fn", by_fn, 30);
    print_top("detail", by_fn_query, 60);
}

struct Span<'a> {
    event: Event<'a>,
    start: SystemTime,
    end: SystemTime,
}

/// Each span's self time (its duration less its children's), and the outermost enclosing
/// body query, if any. Intervals of one thread nest, so a stack over them sorted by start
/// (outer first on ties) gives the parents.
fn self_times(spans: &mut [Span]) -> (Vec<f64>, Vec<Option<usize>>) {
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let durations: Vec<f64> = spans.iter().map(|s| s.end.duration_since(s.start).map_or(0.0, |d| d.as_secs_f64())).collect();
    let mut own = durations.clone();
    let mut body = vec![None; spans.len()];
    let mut stack: Vec<(usize, SystemTime)> = Vec::new();
    for (i, s) in spans.iter().enumerate() {
        while stack.last().is_some_and(|&(_, parent_end)| parent_end <= s.start) {
            stack.pop();
        }
        if let Some(&(parent, _)) = stack.last() {
            own[parent] -= durations[i];
            body[i] = body[parent];
        }
        if body[i].is_none() && BODY_QUERIES.contains(&&*s.event.label) {
            body[i] = Some(i);
        }
        stack.push((i, s.end));
    }
    (own, body)
}

/// `vim25::types::about_info::{{impl}}[3]::clone` -> `clone.types`. Monomorphization keys
/// name the function as `Instance { def: Item(DefId(0:12 ~ vim25[1f2e]::types::...::clone)), .. }`.
fn classify(key: &str) -> String {
    let owned;
    let item = match key.split_once(" ~ ") {
        Some((_, rest)) => {
            let path = rest.split(')').next().unwrap_or(rest);
            owned = match (path.find('['), path.find(']')) {
                (Some(open), Some(close)) if open < close => format!("{}{}", &path[..open], &path[close + 1..]),
                _ => path.to_owned(),
            };
            owned.as_str()
        }
        None => key,
    };
    let place = if item.contains("_request_type::") {
        "requests"
    } else if item.contains("vim25::types::") {
        "types"
    } else if item.contains("vim25::mo::") {
        "mo"
    } else {
        "runtime"
    };
    let last = item.rsplit("::").next().unwrap_or("");
    let kind = if !last.is_empty() && last.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        last
    } else {
        "<item>"
    };
    format!("{kind}.{place}")
}

fn print_top(prefix: &str, map: HashMap<String, f64>, n: usize) {
    let mut rows: Vec<(String, f64)> = map.into_iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (name, secs) in rows.into_iter().take(n) {
        println!("{prefix}.{name}={secs:.2}");
    }
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn items_are_classified_by_function_and_place() {
        assert_eq!(classify("vim25::types::about_info::{{impl}}[3]::clone"), "clone.types");
        assert_eq!(classify("vim25::types::add_host_request_type::{{impl}}[1]::encode"), "encode.requests");
        assert_eq!(classify("vim25::mo::folder::{{impl}}::create_vm_task"), "create_vm_task.mo");
        assert_eq!(classify("vim25::types::data_object::DataObjectKind"), "<item>.types");
        assert_eq!(classify("vim25::de::{{impl}}[4]"), "<item>.runtime");
        let instance = "(Instance { def: Item(DefId(0:812 ~ vim25[9c1a]::types::about_info::{impl#3}::field)), args: [] }, UsedItems)";
        assert_eq!(classify(instance), "field.types");
    }
}
