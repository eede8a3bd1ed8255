//! `cargo xtask bench`: the project's performance figures, one `name=value` per line.
//!
//! - `codegen_seconds`, `check_seconds`: generating 9.1.1.0 into a scratch directory, and
//!   `codegen --check` against `generated/` (in this release-built process).
//! - decoding and encoding throughput, from the separate crate `xtask/bench` (release build,
//!   outside the workspace), which also decodes with vim_rs 0.7.0 unless `--no-vim-rs`, on
//!   glibc's allocator unless `--allocator mimalloc`.
//! - `compile_debug_seconds`, `compile_peak_gb`, `compile_vim25_only_seconds`: clean debug
//!   builds of `vim25` and the crates it is split into, their external dependencies already
//!   built; the peak is the largest compiler process's, from `/usr/bin/time`.
//! - `release_*`, `release_cpu_vs_vim_rs`, `binary_vs_vim_rs`: clean release builds of a small
//!   program on `vim25` and on vim_rs ([`release_builds`]); `--release-pair` builds the two at
//!   the same time, round after round, for their CPU ratio under one drift; `--debug-pair`
//!   rebuilds them in the default debug profile, one right after the other.

mod release_builds;

use crate::codegen;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Skip the clean debug builds of `vim25` and the release builds of the small programs
    /// (minutes each).
    #[arg(long)]
    no_compile: bool,
    /// Only the release builds of the small programs (and vim_rs's, unless `--no-vim-rs`).
    #[arg(long, conflicts_with = "no_compile")]
    release_only: bool,
    /// Skip the comparison with vim_rs 0.7.0 (building it takes minutes and gigabytes).
    #[arg(long)]
    no_vim_rs: bool,
    /// The throughput benchmark's global allocator: glibc's (the targets are set against it),
    /// or mimalloc, to see how much of the decode figures is the allocator's.
    #[arg(long, value_enum, default_value_t = Allocator::System)]
    allocator: Allocator,
    /// Size of the generated `RetrieveResult` payload, in MiB.
    #[arg(long, default_value_t = 50)]
    payload_mb: usize,
    /// The recorded payloads (default: generator/tests/data/payloads).
    #[arg(long)]
    payloads: Option<PathBuf>,
    /// Instead of the figures above: compare the debug build of `generated/` with that of
    /// another generation of the crate in DIR (say, from a `git worktree` of an older commit),
    /// both built at the same time, one per core, so that the machine's drift weighs on both
    /// alike. Prints each round's seconds and the median ratio DIR / generated.
    #[arg(long, value_name = "DIR")]
    compile_against: Option<PathBuf>,
    /// Instead of the figures above: the release builds of the small decoding program on `vim25`
    /// (default features) and on vim_rs, both at the same time, `--rounds` times. Builds one
    /// after the other drift with the machine's speed by more than the difference measured;
    /// two at once see the same drift. Prints each round's CPU seconds and the median
    /// `release_pair_cpu_vs_vim_rs`.
    #[arg(long, conflicts_with_all = ["no_compile", "release_only", "no_vim_rs", "compile_against"])]
    release_pair: bool,
    /// Instead of the figures above: the same two programs in the default debug profile (full
    /// debug info, as a new user builds them), and the one on `vim25` with line tables only for
    /// its packages; their dependencies built once, then in each of `--rounds` rounds the API
    /// crate cleaned and the programs rebuilt one right after the other. Prints each round's
    /// wall and CPU seconds and peaks, and the median `debug_pair_wall_vs_vim_rs` and
    /// `debug_pair_lines_wall_vs_vim_rs`.
    #[arg(long, conflicts_with_all = ["no_compile", "release_only", "no_vim_rs", "compile_against", "release_pair"])]
    debug_pair: bool,
    /// Rounds of `--compile-against` (the two builds swap target directories every round), of
    /// `--release-pair` and of `--debug-pair`.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Allocator {
    System,
    Mimalloc,
}

pub(crate) fn repo() -> &'static Path {
    Path::new(vim25_spec::REPO_DIR)
}

pub fn run(args: Args) -> Result<(), String> {
    if let Some(other) = &args.compile_against {
        return compile_pair(other, args.rounds);
    }
    if args.release_pair {
        return release_builds::pair(args.rounds);
    }
    if args.debug_pair {
        return release_builds::debug_pair(args.rounds);
    }
    if args.release_only {
        return release_builds::run(!args.no_vim_rs);
    }
    let spec = vim25_spec::resolve(None, None).map_err(|e| e.to_string())?;
    let layout = crate::layout::read(&crate::layout::default_path())?;

    let scratch = repo().join("target/bench/codegen-out");
    let t = Instant::now();
    codegen::generate_into(&spec, &scratch, Some(layout.clone()))?;
    println!("codegen_seconds={:.2}", t.elapsed().as_secs_f64());
    let _ = std::fs::remove_dir_all(&scratch);

    let t = Instant::now();
    let fresh = codegen::check_against(&spec, &codegen::generated_dir(), Some(layout));
    println!("check_seconds={:.2}", t.elapsed().as_secs_f64());
    if let Err(e) = fresh {
        eprintln!("warning: {e}");
    }

    let payloads = args.payloads.clone().unwrap_or_else(|| repo().join("generator/tests/data/payloads"));
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "--release", "--manifest-path"]).arg(repo().join("xtask/bench/Cargo.toml"));
    let mut features = Vec::new();
    if !args.no_vim_rs {
        features.push("vim_rs");
    }
    if args.allocator == Allocator::Mimalloc {
        features.push("mimalloc");
    }
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    cmd.arg("--").arg(&payloads).arg(args.payload_mb.to_string());
    cmd.env("CARGO_TARGET_DIR", repo().join("target/bench"));
    let status = cmd.status().map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the throughput benchmark failed ({status})"));
    }

    if !args.no_compile {
        let (full, peak) = clean_build(&[])?;
        println!("compile_debug_seconds={full:.1}");
        match peak {
            Some(gb) => println!("compile_peak_gb={gb:.2}"),
            None => println!("compile_peak_gb=unavailable"),
        }
        let (only, _) = clean_build(&["--no-default-features", "--features", "vim25"])?;
        println!("compile_vim25_only_seconds={only:.1}");
        println!("compile_vim25_only_ratio={:.2}", only / full);
        release_builds::run(!args.no_vim_rs)?;
    }
    Ok(())
}

pub(crate) fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cmd` to completion; its standard error is the message when it fails.
pub(crate) fn checked(cmd: &mut Command) -> Result<std::process::Output, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    match out.status.success() {
        true => Ok(out),
        false => Err(format!("{cmd:?} failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr))),
    }
}

/// The packages of a generated crate: `vim25` and the crates it is split into (its subfolders
/// with a manifest; see the generator's `plan::split`), so that an older, unsplit generation
/// can be measured too.
pub(crate) fn packages(krate: &Path) -> Result<Vec<String>, String> {
    let mut out = vec!["vim25".to_owned()];
    let entries = std::fs::read_dir(krate).map_err(|e| format!("{}: {e}", krate.display()))?;
    let mut inner = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let manifest = entry.path().join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            let table: toml::Table = toml::from_str(&text).map_err(|e| format!("{}: {e}", manifest.display()))?;
            let name = table.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str());
            inner.push(name.ok_or_else(|| format!("{}: no package name", manifest.display()))?.to_owned());
        }
    }
    inner.sort();
    out.extend(inner);
    Ok(out)
}

/// `cargo clean` of every package of a generated crate.
pub(crate) fn clean_args(packages: &[String]) -> Vec<String> {
    let mut args = vec!["clean".to_owned(), "--quiet".to_owned()];
    for p in packages {
        args.extend(["-p".to_owned(), p.clone()]);
    }
    args
}

/// Wall seconds and peak resident GiB of a debug build of `vim25` alone: its dependencies are
/// built first, then only `vim25` and the crates it is split into are cleaned and rebuilt. The
/// peak is that of the largest compiler process (`/usr/bin/time` reports the largest child).
fn clean_build(features: &[&str]) -> Result<(f64, Option<f64>), String> {
    let run = |cmd: &mut Command| checked(cmd.current_dir(repo()));
    run(cargo().args(["build", "--quiet", "-p", "vim25"]).args(features))?;
    run(cargo().args(clean_args(&packages(&codegen::generated_dir())?)))?;
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        c
    } else {
        cargo()
    };
    cmd.args(["build", "--quiet", "-p", "vim25"]).args(features);
    let t = Instant::now();
    let out = run(&mut cmd)?;
    let seconds = t.elapsed().as_secs_f64();
    let peak = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):").and_then(|v| v.trim().parse::<f64>().ok()))
        .map(|kb| kb / (1024.0 * 1024.0));
    Ok((seconds, peak))
}

/// `--compile-against`: clean debug builds of two generations of `vim25`, run concurrently.
///
/// Sequential builds on this kind of machine drift by a third within an hour, which hides any
/// change of less than about 15 %; two builds that run at the same time see the same drift, so
/// their ratio moves by a few per cent only. Each crate gets a scratch workspace with this
/// repository's lock file and the `vim25` profile settings of `Cargo.toml`.
fn compile_pair(other: &Path, rounds: usize) -> Result<(), String> {
    let other = other.canonicalize().map_err(|e| format!("{}: {e}", other.display()))?;
    if !other.join("Cargo.toml").is_file() {
        return Err(format!("{}: not a generated crate (no Cargo.toml)", other.display()));
    }
    let base = repo().join("target/bench/pair");
    let crates = [codegen::generated_dir(), other];
    let mut workspaces = Vec::new();
    for (i, krate) in crates.iter().enumerate() {
        workspaces.push(scratch_workspace(&base.join(format!("ws{i}")), &format!("pair{i}"), krate)?);
    }
    let targets = [base.join("target0"), base.join("target1")];
    let cleans = [clean_args(&packages(&crates[0])?), clean_args(&packages(&crates[1])?)];
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let mut builds = Vec::new();
        for (i, ws) in workspaces.iter().enumerate() {
            let target = &targets[(i + round) % 2];
            let in_ws = |args: &[&str]| checked(cargo().args(args).current_dir(ws).env("CARGO_TARGET_DIR", target));
            if round < 2 {
                // each workspace's first use of each target directory builds the dependencies
                in_ws(&["build", "--quiet", "-p", "vim25"])?;
            }
            checked(cargo().args(&cleans[i]).current_dir(ws).env("CARGO_TARGET_DIR", target))?;
            builds.push((ws.clone(), target.clone()));
        }
        let timed: Vec<_> = builds
            .into_iter()
            .map(|(ws, target)| {
                std::thread::spawn(move || -> Result<f64, String> {
                    let t = Instant::now();
                    checked(cargo().args(["build", "--quiet", "-p", "vim25"]).current_dir(&ws).env("CARGO_TARGET_DIR", &target))?;
                    Ok(t.elapsed().as_secs_f64())
                })
            })
            .collect();
        let mut seconds = Vec::new();
        for t in timed {
            seconds.push(t.join().map_err(|_| "a build thread panicked".to_string())??);
        }
        println!("compile_pair_round{round}_seconds={:.1}/{:.1}", seconds[0], seconds[1]);
        ratios.push(seconds[1] / seconds[0]);
    }
    match median(&mut ratios) {
        Some(r) => println!("compile_pair_ratio={r:.3}"),
        None => println!("compile_pair_ratio=none (0 rounds)"),
    }
    Ok(())
}

/// A workspace of its own at `ws` depending on the generated crate at `krate`, with this
/// repository's lock file and the `vim25` profile settings of `Cargo.toml`, so that `krate` is
/// built as `cargo xtask bench` builds `generated/`.
pub(crate) fn scratch_workspace(ws: &Path, name: &str, krate: &Path) -> Result<PathBuf, String> {
    let path = toml_literal_path(krate)?;
    std::fs::create_dir_all(ws.join("src")).map_err(|e| format!("{}: {e}", ws.display()))?;
    let mut manifest = format!(
        "[workspace]\n\n[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nvim25 = {{ path = '{path}' }}\n\n\
         [profile.dev.package.\"*\"]\ndebug = false\n",
    );
    for p in packages(krate)? {
        manifest.push_str(&format!("\n[profile.dev.package.{p}]\nincremental = false\ndebug = \"line-tables-only\"\n"));
    }
    let write = |file: &str, text: &[u8]| std::fs::write(ws.join(file), text).map_err(|e| format!("{}: {e}", ws.join(file).display()));
    write("Cargo.toml", manifest.as_bytes())?;
    write("src/lib.rs", b"")?;
    write("Cargo.lock", &std::fs::read(repo().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?)?;
    Ok(ws.to_path_buf())
}

/// `path` as the text of a TOML literal string (`'...'`), which cannot hold a quote or a line
/// break.
pub(crate) fn toml_literal_path(path: &Path) -> Result<String, String> {
    let path = path.display().to_string();
    match path.contains(['\'', '\n']) {
        true => Err(format!("{path}: a quote or line break in the path (it goes into a TOML literal string)")),
        false => Ok(path),
    }
}

/// The median; the mean of the middle two for an even count.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::{median, packages};

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [1.057, 0.997]), Some(1.027));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn packages_are_vim25_and_the_manifests_in_its_folders() {
        let dir = std::env::temp_dir().join(format!("vim25-packages-{}", std::process::id()));
        for (sub, name) in [("part1", "vim25-part1"), ("base", "vim25-base")] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            std::fs::write(dir.join(sub).join("Cargo.toml"), format!("# generated\n[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n")).unwrap();
        }
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let found = packages(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.unwrap(), ["vim25", "vim25-base", "vim25-part1"]);
    }
}
