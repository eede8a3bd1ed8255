//! `cargo xtask fuzz`: the libFuzzer targets of `xtask/fuzz/` against the generated crate's
//! decoders, one after the other.
//!
//! Everything it makes is under `target/fuzz/`: the build (`build/`), the seed corpora it
//! assembles at run time from the recorded payloads (`corpus/<target>/`, kept and grown from
//! run to run), a dictionary of the pinned document's type, member and enumeration names
//! (`vim25.dict`), libFuzzer's output (`logs/<target>.log`) and whatever input crashed, hung or
//! ran out of memory (`artifacts/<target>/`).
//!
//! The build uses no sanitizer: the runtime's only `unsafe` is `ObjectBox`'s (`object.rs`: one
//! `ManuallyDrop::drop`, one `take`, whose unit tests count every drop) and the other crates
//! forbid it, so what AddressSanitizer would add is memory checks of code that cannot break
//! memory, at several times the cost per execution. A panic, a hang over `-timeout` and an allocation over
//! `-malloc_limit_mb` are what the targets look for, and libFuzzer finds those without it.
//! Debug assertions and overflow checks are on: an overflow that would wrap in a release build
//! is a finding too.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

/// The targets in `xtask/fuzz/fuzz_targets/`, in the order they run.
const TARGETS: &[&str] = &["any", "retrieve_result", "update_set", "fault", "round_trip"];

/// Seconds per target of `--smoke`.
const SMOKE_SECONDS: u64 = 60;

/// libFuzzer's dictionary holds at most 2^14 entries and ignores the rest; the names past
/// this many (the least useful ones come last) are left out.
const DICT_LIMIT: usize = 16_000;

/// libFuzzer refuses a dictionary whose entry is longer than this.
const DICT_ENTRY_MAX: usize = 64;

#[derive(clap::Args)]
pub struct Args {
    /// One target (default: all of them, one after the other).
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(TARGETS.iter().copied()))]
    target: Option<String>,
    /// Seconds of fuzzing per target.
    #[arg(long, value_name = "N", default_value_t = 300, conflicts_with = "smoke")]
    seconds: u64,
    /// A short run for CI: 60 seconds per target.
    #[arg(long)]
    smoke: bool,
    /// libFuzzer processes per target (its `-fork=N` mode above 1). Each target still runs
    /// after the other.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    jobs: u32,
}

/// A seed input: a name for its file, and its bytes.
type Seed = (String, Vec<u8>);

/// What one target's run came to.
#[derive(Debug, Default, PartialEq)]
struct Stats {
    execs: u64,
    /// Inputs that crashed, hung or ran out of memory, as libFuzzer wrote them.
    artifacts: Vec<PathBuf>,
    /// What libFuzzer printed about the first of them (see [`crash_report`]).
    report: Option<String>,
}

pub fn run(args: Args) -> Result<(), String> {
    let root = PathBuf::from(vim25_spec::REPO_DIR);
    let work = root.join("target").join("fuzz");
    let seconds = if args.smoke { SMOKE_SECONDS } else { args.seconds };
    let targets: Vec<&str> = match &args.target {
        Some(t) => TARGETS.iter().copied().filter(|n| n == t).collect(),
        None => TARGETS.to_vec(),
    };

    install_cargo_fuzz()?;
    println!("== fuzz: build");
    let started = Instant::now();
    build(&root, &work.join("build"))?;
    println!("fuzz: built in {:.0} s", started.elapsed().as_secs_f64());

    let document = vim25_spec::resolve(None, None).map_err(|e| e.to_string())?;
    let text = fs::read_to_string(&document).map_err(|e| format!("{}: {e}", document.display()))?;
    let spec: Value = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", document.display()))?;
    let dict = work.join("vim25.dict");
    let entries = write_dictionary(&spec, &dict)?;
    println!("fuzz: {entries} dictionary entries from {} in {}", document.display(), dict.display());
    let seeds = seeds(&root, &spec)?;

    let binaries = work.join("build").join(host_triple()?).join("release");
    let mut total = Stats::default();
    let started_all = Instant::now();
    for target in &targets {
        let corpus = work.join("corpus").join(target);
        let artifacts = work.join("artifacts").join(target);
        let logs = work.join("logs");
        for dir in [&corpus, &artifacts, &logs] {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let planted = plant(&corpus, seeds.get(*target).map(Vec::as_slice).unwrap_or_default())?;
        let before = count_files(&corpus)?;
        println!("== fuzz: {target}, {seconds} s ({planted} seeds, corpus {before} inputs)");
        let log = logs.join(format!("{target}.log"));
        let stats = fuzz(&binaries.join(target), &corpus, &artifacts, &dict, &log, seconds, args.jobs)?;
        let after = count_files(&corpus)?;
        println!("fuzz: {target}: {} execs, corpus {after} inputs, {} crashes", stats.execs, stats.artifacts.len());
        for path in &stats.artifacts {
            println!("fuzz: {target}: crash input {}", path.display());
        }
        // CI keeps only this output, not the artifacts: the report carries the panic and the
        // input (libFuzzer prints it escaped and in base64), enough to reproduce the crash
        if let Some(report) = &stats.report {
            println!("fuzz: {target}: libFuzzer's report, from {}:\n{report}", log.display());
        }
        total.execs += stats.execs;
        total.artifacts.extend(stats.artifacts);
    }
    println!(
        "fuzz: total: {} execs in {:.0} s, {} targets, {} crashes",
        total.execs,
        started_all.elapsed().as_secs_f64(),
        targets.len(),
        total.artifacts.len()
    );
    if total.artifacts.is_empty() {
        Ok(())
    } else {
        let paths: Vec<String> = total.artifacts.iter().map(|p| p.display().to_string()).collect();
        Err(format!("crashing inputs (see .github/CONTRIBUTING.md, Fuzzing): {}", paths.join(", ")))
    }
}

/// Installs the nightly toolchain (rustup, minimal profile) unless it is there, and
/// cargo-fuzz from crates.io unless `cargo fuzz` runs.
fn install_cargo_fuzz() -> Result<(), String> {
    let has_nightly = nightly().arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    if !has_nightly {
        println!("fuzz: installing the nightly toolchain");
        step(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]), "rustup toolchain install nightly")?;
    }
    let present = nightly().args(["fuzz", "--version"]).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    if !present {
        println!("fuzz: installing cargo-fuzz");
        step(cargo().args(["install", "cargo-fuzz", "--locked"]), "cargo install cargo-fuzz")?;
    }
    Ok(())
}

/// Builds every target with coverage instrumentation and no sanitizer (see the module's
/// documentation), into `target_dir`.
fn build(root: &Path, target_dir: &Path) -> Result<(), String> {
    let mut command = nightly();
    command
        .current_dir(root)
        .args(["fuzz", "build", "--fuzz-dir", "xtask/fuzz", "--sanitizer", "none", "--debug-assertions"])
        // cargo-fuzz's default of one codegen unit builds the generated crates several times
        // slower for no measurable gain in executions per second
        .args(["--codegen-units", "16"])
        .arg("--target-dir")
        .arg(target_dir);
    step(&mut command, "cargo +nightly fuzz build")
}

/// Runs one target's binary over its corpus directory (where libFuzzer adds what it finds)
/// for `seconds`, its output to `log`; returns its executions and the inputs it wrote.
fn fuzz(binary: &Path, corpus: &Path, artifacts: &Path, dict: &Path, log: &Path, seconds: u64, jobs: u32) -> Result<Stats, String> {
    let mut command = Command::new("nice");
    command
        .args(["-n", "10"])
        .arg(binary)
        .args(["-timeout=1", "-rss_limit_mb=1024", "-malloc_limit_mb=1024", "-print_final_stats=1"])
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-dict={}", dict.display()))
        // a trailing slash: libFuzzer prepends the prefix to the file name as it is
        .arg(format!("-artifact_prefix={}/", artifacts.display()));
    if jobs > 1 {
        command.arg(format!("-fork={jobs}"));
    }
    command.arg(corpus);
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().map_err(|e| format!("{}: {e}", binary.display()))?;
    let stderr = child.stderr.take().ok_or("libFuzzer's output is not piped")?;
    let mut text = String::new();
    let mut file = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    for line in BufReader::new(stderr).lines() {
        let line = line.map_err(|e| format!("{}: {e}", log.display()))?;
        writeln!(file, "{line}").map_err(|e| format!("{}: {e}", log.display()))?;
        text.push_str(&line);
        text.push('\n');
    }
    let status = child.wait().map_err(|e| format!("{}: {e}", binary.display()))?;
    let stats = parse_output(&text);
    if !status.success() && stats.artifacts.is_empty() {
        return Err(format!("{} failed ({status}) without writing an input; see {}", binary.display(), log.display()));
    }
    Ok(stats)
}

/// The executions and the written inputs in libFuzzer's output: `stat::number_of_executed_units`
/// of `-print_final_stats`, else the count of the last status line (`#N DONE ...`, or `#N: ...`
/// in fork mode, which prints no final statistics), and every `Test unit written to PATH`.
fn parse_output(text: &str) -> Stats {
    let mut stats = Stats::default();
    let mut final_stat = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            final_stat = n.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix('#') {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse::<u64>() {
                stats.execs = stats.execs.max(n);
            }
        }
        if let Some((_, path)) = line.split_once("Test unit written to ") {
            stats.artifacts.push(PathBuf::from(path.trim()));
        }
    }
    if let Some(n) = final_stat {
        stats.execs = n;
    }
    if !stats.artifacts.is_empty() {
        stats.report = crash_report(text);
    }
    stats
}

/// Lines of libFuzzer's report on the first failing input, from the first line that tells
/// what went wrong (a panic, a libFuzzer error, a timeout's alarm) through the input's base64
/// line: at most [`REPORT_LINES`] lines of at most [`REPORT_LINE_CHARS`] characters each.
fn crash_report(text: &str) -> Option<String> {
    const STARTS: [&str; 4] = ["panicked at", "==ERROR", "ERROR: libFuzzer", "ALARM: working on"];
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| STARTS.iter().any(|s| l.contains(s)))?;
    let end = lines[start..].iter().position(|l| l.starts_with("Base64:")).map_or(lines.len(), |i| start + i + 1);
    let mut out: Vec<String> = lines[start..end]
        .iter()
        .take(REPORT_LINES)
        .map(|l| match l.char_indices().nth(REPORT_LINE_CHARS) {
            Some((cut, _)) => format!("{}... ({} bytes in all)", &l[..cut], l.len()),
            None => (*l).to_owned(),
        })
        .collect();
    if end - start > REPORT_LINES {
        out.push(format!("... ({} more lines)", end - start - REPORT_LINES));
    }
    Some(out.join("\n"))
}

/// Bounds of [`crash_report`]: a panic message and backtrace fit; a pathological input does
/// not flood the log.
const REPORT_LINES: usize = 80;
const REPORT_LINE_CHARS: usize = 4_000;

/// Writes the dictionary: JSON's own tokens, then the document's member names, type names,
/// enumeration values and array type names, each a JSON string, at most [`DICT_LIMIT`].
/// Returns the number of entries.
fn write_dictionary(spec: &Value, path: &Path) -> Result<usize, String> {
    let schemas = spec["components"]["schemas"].as_object().ok_or("the document has no components.schemas")?;
    let mut members = BTreeSet::new();
    let mut types = BTreeSet::new();
    let mut arrays = BTreeSet::new();
    let mut values = BTreeSet::new();
    for (name, schema) in schemas {
        if name.ends_with("_enum") {
            values.extend(schema["enum"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
        } else if name.starts_with("ArrayOf") {
            arrays.insert(name.clone());
        } else {
            types.insert(name.clone());
        }
        if let Some(properties) = schema["properties"].as_object() {
            members.extend(properties.keys().cloned());
        }
    }
    let mut out = String::from("# vim25 names from the pinned document, written by cargo xtask fuzz\n");
    let syntax = ["_typeName", "_value"].map(|s| format!("\"{s}\""));
    let literals = ["true", "false", "null", "{}", "[]", "\":", "\":{", "\":[", "\",\"", "-0", "1e400", "\\u0000", "\\ud800"].map(str::to_owned);
    let mut written = BTreeSet::new();
    let names = members.iter().chain(&types).chain(&values).chain(&arrays).map(|n| format!("\"{n}\""));
    for entry in syntax.into_iter().chain(literals).chain(names) {
        if written.len() == DICT_LIMIT {
            break;
        }
        if entry.len() <= DICT_ENTRY_MAX && written.insert(entry.clone()) {
            out.push_str(&format!("\"{}\"\n", escape(&entry)));
        }
    }
    fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(written.len())
}

/// A dictionary entry's bytes in libFuzzer's quoting: `\\`, `\"` and `\xNN` for the rest.
fn escape(entry: &str) -> String {
    let mut out = String::new();
    for b in entry.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out
}

/// The seed inputs of each target, by name: the recorded payloads (the mirror's, the
/// generator's tests', the simulator's captures), every object in them that names its type
/// (for the targets that decode an `Any`), update sets made of the recorded property
/// results, and a fault of every fault type in the document.
fn seeds(root: &Path, spec: &Value) -> Result<BTreeMap<&'static str, Vec<Seed>>, String> {
    let mut dirs = vec![root.join("generator/tests/data/payloads"), root.join("generator/tests/data/vcsim")];
    if let Some(parent) = root.parent() {
        dirs.push(parent.join("shared/fixtures/payloads"));
    }
    let mut files: Vec<Seed> = Vec::new();
    for dir in &dirs {
        json_files(dir, &mut files)?;
    }
    json_files(&root.join("xtask/e2e"), &mut files)?;
    let parsed: Vec<Value> = files.iter().filter_map(|(_, bytes)| serde_json::from_slice(bytes).ok()).collect();

    let mut objects = Vec::new();
    for value in &parsed {
        typed_objects(value, &mut objects);
    }
    let objects: Vec<Seed> = objects.into_iter().map(|v| ("object".to_owned(), v.to_string().into_bytes())).collect();

    let update_sets: Vec<Seed> = parsed
        .iter()
        .filter(|v| v["_typeName"] == "RetrieveResult")
        .flat_map(|v| ["enter", "modify"].map(|kind| ("update-set".to_owned(), update_set(v, kind).to_string().into_bytes())))
        .collect();

    let faults: Vec<Seed> = fault_types(spec).into_iter().map(|name| (format!("fault-{name}"), fault(&name).to_string().into_bytes())).collect();

    let mut out = BTreeMap::new();
    out.insert("any", [files.clone(), objects.clone()].concat());
    out.insert("round_trip", [files.clone(), objects].concat());
    out.insert("retrieve_result", files.clone());
    out.insert("update_set", [files.clone(), update_sets].concat());
    out.insert("fault", faults);
    Ok(out)
}

/// Every `.json` file under `dir` (none if it does not exist), by path, skipping `target`.
fn json_files(dir: &Path, out: &mut Vec<Seed>) -> Result<(), String> {
    let Ok(entries) = fs::read_dir(dir) else { return Ok(()) };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() && !path.ends_with("target") && !path.ends_with("node_modules") {
            json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            out.push((name, bytes));
        }
    }
    Ok(())
}

/// Every object in `value` with a `_typeName`, outermost first.
fn typed_objects<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("_typeName") {
                out.push(value);
            }
            map.values().for_each(|v| typed_objects(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| typed_objects(v, out)),
        _ => {}
    }
}

/// An `UpdateSet` reporting the objects of a `RetrieveResult` as entering (`enter`) or changed
/// (`modify`), their properties as assigned, and their missing properties as missing.
fn update_set(result: &Value, kind: &str) -> Value {
    let updates: Vec<Value> = result["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|content| {
            let changes: Vec<Value> = content["propSet"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| json!({"_typeName": "PropertyChange", "name": p["name"], "op": "assign", "val": p["val"]}))
                .collect();
            let mut update = json!({"_typeName": "ObjectUpdate", "kind": kind, "obj": content["obj"], "changeSet": changes});
            if let Some(missing) = content.get("missingSet") {
                update["missingSet"] = missing.clone();
            }
            update
        })
        .collect();
    let filter = json!({"_typeName": "ManagedObjectReference", "type": "PropertyFilter", "value": "session[1]1"});
    json!({"_typeName": "UpdateSet", "version": "1", "filterSet": [{"_typeName": "PropertyFilterUpdate", "filter": filter, "objectSet": updates, "missingSet": []}], "truncated": false})
}

/// The document's fault types: `MethodFault` and every schema that extends it.
fn fault_types(spec: &Value) -> Vec<String> {
    let Some(schemas) = spec["components"]["schemas"].as_object() else { return Vec::new() };
    let parent = |schema: &Value| -> Option<String> {
        let reference = schema["allOf"].as_array()?.iter().find_map(|p| p["$ref"].as_str())?;
        reference.rsplit('/').next().map(str::to_owned)
    };
    schemas
        .iter()
        .filter(|(name, schema)| {
            let mut current = Some((*name).clone());
            let mut next = parent(schema);
            // bounded: a malformed document could make the chain a cycle
            for _ in 0..64 {
                if current.as_deref() == Some("MethodFault") {
                    return true;
                }
                let Some(up) = next.take() else { return false };
                next = schemas.get(&up).and_then(parent);
                current = Some(up);
            }
            false
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// A fault body of type `name` with a cause and a localized message, as vCenter sends them.
fn fault(name: &str) -> Value {
    json!({
        "_typeName": name,
        "faultCause": {"_typeName": "SystemError", "reason": "cause"},
        "faultMessage": [{"_typeName": "LocalizableMessage", "key": "msg.key", "arg": [{"_typeName": "KeyAnyValue", "key": "a", "value": {"_typeName": "string", "_value": "v"}}], "message": "the message"}]
    })
}

/// Writes the seeds into `corpus` unless an input of the same bytes is there (libFuzzer
/// names what it adds by content, so seeds are named by content too); returns how many.
fn plant(corpus: &Path, seeds: &[Seed]) -> Result<usize, String> {
    let mut planted = BTreeSet::new();
    for (name, bytes) in seeds {
        let path = corpus.join(format!("seed-{name}-{:016x}", fnv1a(bytes)));
        if planted.insert(path.clone()) && !path.exists() {
            fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(planted.len())
}

/// FNV-1a, 64 bits: a stable name for a seed's bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn count_files(dir: &Path) -> Result<usize, String> {
    Ok(fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_file()))
        .count())
}

/// The host's target triple, the directory cargo-fuzz builds into.
fn host_triple() -> Result<String, String> {
    let out = Command::new("rustup").args(["run", "nightly", "rustc", "-vV"]).output().map_err(|e| format!("rustc -vV: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().find_map(|l| l.strip_prefix("host: ")).map(str::to_owned).ok_or_else(|| "rustc -vV: no host".to_owned())
}

/// `cargo` of the nightly toolchain (`rustup run nightly cargo`): `cargo +nightly` needs the
/// rustup proxy first on the PATH, which `cargo run` does not promise.
fn nightly() -> Command {
    let mut command = Command::new("rustup");
    command.args(["run", "nightly", "cargo"]);
    clear_cargo_run_env(&mut command);
    command
}

/// The machine's `cargo`.
fn cargo() -> Command {
    let mut command = Command::new("cargo");
    clear_cargo_run_env(&mut command);
    command
}

/// Drops the variables `cargo run` set for this process, which would otherwise describe the
/// xtask package to the builds started from here.
fn clear_cargo_run_env(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || ["CARGO_MANIFEST_DIR", "CARGO_MANIFEST_PATH", "CARGO_CRATE_NAME", "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE", "RUSTUP_TOOLCHAIN"]
                .contains(&name.as_ref())
        {
            command.env_remove(name.as_ref());
        }
    }
}

/// Runs a command to completion, its output shown; fails unless it exits 0.
fn step(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("{what}: {e}"))?;
    if !status.success() {
        return Err(format!("{what}: {status}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statistics_and_artifacts_are_read_from_the_output() {
        let text = "#2\tINITED cov: 10 ft: 11 corp: 3/1Kb exec/s: 0 rss: 40Mb\n\
                    #1234567\tDONE   cov: 900 ft: 3000 corp: 321/45Kb lim: 4096 exec/s: 20576 rss: 300Mb\n\
                    ==1== ERROR: libFuzzer: deadly signal\n\
                    artifact_prefix='target/fuzz/artifacts/any/'; Test unit written to target/fuzz/artifacts/any/crash-abc\n\
                    stat::number_of_executed_units: 1234568\n";
        let stats = parse_output(text);
        assert_eq!(stats.execs, 1_234_568);
        assert_eq!(stats.artifacts, vec![PathBuf::from("target/fuzz/artifacts/any/crash-abc")]);
        assert_eq!(stats.report.as_deref(), Some("==1== ERROR: libFuzzer: deadly signal\nartifact_prefix='target/fuzz/artifacts/any/'; Test unit written to target/fuzz/artifacts/any/crash-abc\nstat::number_of_executed_units: 1234568"));
    }

    #[test]
    fn the_crash_report_runs_from_the_panic_to_the_input() {
        let long = "x".repeat(REPORT_LINE_CHARS + 10);
        let text = format!(
            "#100\tNEW cov: 1\n\nthread '<unnamed>' panicked at fuzz_targets/round_trip.rs:25:5:\nthe value changed\n{long}\n\
             ==7== ERROR: libFuzzer: deadly signal\nMS: 1 ChangeByte-; base unit: 00\n\"{{}}\"\n\
             artifact_prefix='a/'; Test unit written to a/crash-1\nBase64: e30=\nstat::number_of_executed_units: 101\n"
        );
        let report = parse_output(&text).report.expect("a report");
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "thread '<unnamed>' panicked at fuzz_targets/round_trip.rs:25:5:");
        assert_eq!(lines[2], format!("{}... ({} bytes in all)", "x".repeat(REPORT_LINE_CHARS), REPORT_LINE_CHARS + 10));
        assert_eq!(lines.last(), Some(&"Base64: e30="));
    }

    #[test]
    fn fork_mode_status_lines_count_when_no_final_statistics_follow() {
        let text = "#1000: cov: 5 ft: 6 corp: 7 exec/s: 100 oom/timeout/crash: 0/0/0 time: 10s job: 1 dft_time: 0\n\
                    #52000: cov: 5 ft: 6 corp: 7 exec/s: 100 oom/timeout/crash: 0/0/0 time: 20s job: 2 dft_time: 0\n\
                    INFO: exiting: 0 time: 21s\n";
        assert_eq!(parse_output(text), Stats { execs: 52_000, artifacts: Vec::new(), report: None });
    }

    #[test]
    fn dictionary_entries_are_quoted_for_libfuzzer() {
        assert_eq!(escape("\"VirtualMachine\""), "\\\"VirtualMachine\\\"");
        assert_eq!(escape("a\\b\u{e9}"), "a\\\\b\\xC3\\xA9");
    }

    #[test]
    fn fault_types_follow_the_parent_chain() {
        let spec = json!({"components": {"schemas": {
            "MethodFault": {"allOf": [{"$ref": "#/components/schemas/Any"}]},
            "VimFault": {"allOf": [{"$ref": "#/components/schemas/MethodFault"}]},
            "InvalidState": {"allOf": [{"$ref": "#/components/schemas/VimFault"}]},
            "VirtualMachine": {},
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}]},
        }}});
        let mut found = fault_types(&spec);
        found.sort();
        assert_eq!(found, vec!["InvalidState", "MethodFault", "VimFault"]);
    }
}
