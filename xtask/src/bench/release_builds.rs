//! The release-build figures of `cargo xtask bench`: a small program that reads a
//! `RetrieveResult` file, decodes it and prints the number of objects, built clean in release
//! (its dependencies included, each build in a target directory of its own), as a user of the
//! crate builds it. Three versions: on `vim25` with its default features, on `vim25` with the
//! `vim25` namespace alone, and on vim_rs 0.7.0 with its default features. A fourth program
//! uses a few operations only (log in, read the `ServiceContent`, log out) and reads no
//! property values, to show what a program pays for the operations and types it does not use.
//!
//! Each build is timed by `/usr/bin/time`: CPU seconds (user and system, of every process),
//! wall seconds and the peak resident size of the largest process (GiB). The binary is
//! measured in MB (10^6 bytes) as built and stripped (`strip`), and run once: on the recorded
//! `RetrieveResult`, to check that it reads it, or (the few operations, which need a server)
//! without arguments, to check that it starts and prints its usage.

use super::{checked, repo};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A program to build: its name in the figures, its dependencies and its `main`.
#[derive(Clone)]
struct Program {
    name: &'static str,
    dependencies: String,
    main: &'static str,
    /// The lock file to start from (the registry's versions as this repository pins them).
    lock: PathBuf,
    /// Whether it counts the objects of a `RetrieveResult` file (or talks to a server).
    counts: bool,
    /// The packages of the API crate, which `--debug-pair` cleans and rebuilds on built
    /// dependencies.
    packages: Vec<String>,
    /// Profile sections for the manifest: for the programs on `vim25`, those that build it as
    /// a dependency from a registry would be built ([`dev_profile`]).
    profile: String,
}

/// What one clean release build measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Build {
    pub timed: Timed,
    pub binary_mb: f64,
    pub stripped_mb: f64,
}

/// What `/usr/bin/time` measured of one `cargo build`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Timed {
    pub cpu_seconds: f64,
    pub wall_seconds: f64,
    pub peak_gb: f64,
}

const OURS_MAIN: &str = r#"fn main() {
    let path = std::env::args().nth(1).expect("usage: count-objects FILE");
    let bytes = std::fs::read(&path).expect("reads the file");
    let result: vim25::types::RetrieveResult = vim25::from_slice(&bytes).expect("decodes");
    println!("{}", result.objects.len());
}
"#;

const FEW_OPS_MAIN: &str = r#"#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), vim25::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, user, password] = args.as_slice() else {
        eprintln!("usage: about HOST USER PASSWORD");
        std::process::exit(2);
    };
    let client = vim25::Client::builder(host).credentials(user, password).connect().await?;
    let content = client.service_content().await?;
    println!("{} ({})", content.about.full_name, content.about.api_version);
    client.logout().await
}
"#;

const VIM_RS_MAIN: &str = r#"fn main() {
    let path = std::env::args().nth(1).expect("usage: count-objects FILE");
    let text = std::fs::read_to_string(&path).expect("reads the file");
    let result: vim_rs::types::structs::RetrieveResult = miniserde::json::from_str(&text).expect("decodes");
    println!("{}", result.objects.len());
}
"#;

fn programs(with_vim_rs: bool) -> Result<Vec<Program>, String> {
    let generated = crate::codegen::generated_dir();
    let path = super::toml_literal_path(&generated)?;
    let packages = super::packages(&generated)?;
    // the programs on `vim25`, from this repository's lock file
    let ours = |name, dependencies: String, main, counts| Program {
        name,
        dependencies,
        main,
        lock: repo().join("Cargo.lock"),
        counts,
        packages: packages.clone(),
        profile: dev_profile(&packages, None),
    };
    let mut out = vec![
        ours("vim25", format!("vim25 = {{ path = '{path}' }}\n"), OURS_MAIN, true),
        ours("vim25_only", format!("vim25 = {{ path = '{path}', default-features = false, features = [\"vim25\"] }}\n"), OURS_MAIN, true),
        ours("few_ops", format!("vim25 = {{ path = '{path}' }}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n"), FEW_OPS_MAIN, false),
    ];
    if with_vim_rs {
        out.push(Program {
            name: "vim_rs",
            dependencies: "vim_rs = \"=0.7.0\"\nminiserde = \"0.1\"\n".to_owned(),
            main: VIM_RS_MAIN,
            lock: repo().join("xtask/bench/Cargo.lock"),
            counts: true,
            packages: vec!["vim_rs".to_owned()],
            profile: String::new(),
        });
    }
    Ok(out)
}

/// The recorded `RetrieveResult` the counting programs are run on.
fn payload() -> PathBuf {
    repo().join("generator/tests/data/payloads/retrieveResult.json")
}

/// Builds each program and prints its figures, then the ratios to vim_rs's.
pub(crate) fn run(with_vim_rs: bool) -> Result<(), String> {
    let base = repo().join("target/bench/release-builds");
    let mut built = Vec::new();
    for p in programs(with_vim_rs)? {
        let b = build(&base, &p)?;
        let n = p.name;
        println!("release_{n}_cpu_seconds={:.0}", b.timed.cpu_seconds);
        println!("release_{n}_wall_seconds={:.0}", b.timed.wall_seconds);
        println!("release_{n}_peak_gb={:.2}", b.timed.peak_gb);
        println!("release_{n}_binary_mb={:.1}", b.binary_mb);
        println!("release_{n}_stripped_mb={:.1}", b.stripped_mb);
        built.push((n, b));
    }
    let find = |name: &str| built.iter().find(|(n, _)| *n == name).map(|(_, b)| *b);
    if let (Some(ours), Some(theirs)) = (find("vim25"), find("vim_rs")) {
        println!("release_cpu_vs_vim_rs={:.2}", ours.timed.cpu_seconds / theirs.timed.cpu_seconds);
        println!("binary_vs_vim_rs={:.2}", ours.stripped_mb / theirs.stripped_mb);
    }
    Ok(())
}

/// The program on `vim25` (default features) and the one on vim_rs.
fn the_pair() -> Result<(Program, Program), String> {
    let mut all = programs(true)?;
    let mut take = |name: &str| all.iter().position(|p| p.name == name).map(|i| all.swap_remove(i)).ok_or(format!("no program {name}"));
    Ok((take("vim25")?, take("vim_rs")?))
}

/// `--release-pair`: the program on `vim25` (default features) and on vim_rs built clean at the
/// same time, `rounds` times; prints each round's CPU seconds and the median ratio.
pub(crate) fn pair(rounds: usize) -> Result<(), String> {
    let base = repo().join("target/bench/release-pair");
    let (on_vim25, on_vim_rs) = the_pair()?;
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let (ours, theirs) = std::thread::scope(|s| {
            let theirs = s.spawn(|| build(&base, &on_vim_rs));
            let ours = build(&base, &on_vim25);
            (ours, theirs.join().map_err(|_| "vim_rs's build thread panicked".to_owned()))
        });
        let (ours, theirs) = (ours?, theirs??);
        println!("release_pair_round{round}_cpu_seconds={:.0}/{:.0}", ours.timed.cpu_seconds, theirs.timed.cpu_seconds);
        ratios.push(ours.timed.cpu_seconds / theirs.timed.cpu_seconds);
    }
    match super::median(&mut ratios) {
        Some(r) => println!("release_pair_cpu_vs_vim_rs={r:.3}"),
        None => println!("release_pair_cpu_vs_vim_rs=none (0 rounds)"),
    }
    Ok(())
}

/// `--debug-pair`: the two programs in the default debug profile, as a new user builds them,
/// and the one on `vim25` once more with line tables only as the debug info of the `vim25`
/// packages (the README's advice): each program's dependencies built once, then in every round
/// the API crate's packages cleaned and the programs rebuilt one right after the other, alone
/// on the machine (the order reversed every other round). Prints each round's wall and CPU
/// seconds and peaks, and the median ratios of the wall times to vim_rs's.
///
/// Not at the same time, as `--release-pair` builds: with the dependencies built, vim_rs's
/// build is one compiler process on one core, and beside it the `vim25` crates, which build
/// side by side, would be left one core.
pub(crate) fn debug_pair(rounds: usize) -> Result<(), String> {
    let base = repo().join("target/bench/debug-pair");
    let (on_vim25, on_vim_rs) = the_pair()?;
    let lines = Program { name: "vim25_lines", profile: dev_profile(&on_vim25.packages, Some("line-tables-only")), ..on_vim25.clone() };
    let mut ready = Vec::new();
    for p in [&on_vim25, &lines, &on_vim_rs] {
        let (ws, target) = workspace(&base, p)?;
        checked(super::cargo().args(["build", "--quiet"]).current_dir(&ws).env("CARGO_TARGET_DIR", &target))?;
        ready.push((p, ws, target));
    }
    let rebuild = |(p, ws, target): &(&Program, PathBuf, PathBuf)| -> Result<Timed, String> {
        checked(super::cargo().args(super::clean_args(&p.packages)).current_dir(ws).env("CARGO_TARGET_DIR", target))?;
        let timed = timed_build(p, ws, target, false)?;
        check_binary(p, &target.join("debug/count-objects"))?;
        Ok(timed)
    };
    let mut ratios = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        let mut timed = [None; 3];
        for i in 0..timed.len() {
            let i = if round % 2 == 0 { i } else { timed.len() - 1 - i };
            timed[i] = Some(rebuild(&ready[i])?);
        }
        let [Some(ours), Some(lines), Some(theirs)] = timed else {
            unreachable!("every program was rebuilt");
        };
        let show = |what: &str, f: fn(&Timed) -> f64| {
            println!("debug_pair_round{round}_{what}={:.1}/{:.1}/{:.1}", f(&ours), f(&lines), f(&theirs));
        };
        show("wall_seconds", |t| t.wall_seconds);
        show("cpu_seconds", |t| t.cpu_seconds);
        show("peak_gb", |t| t.peak_gb);
        ratios[0].push(ours.wall_seconds / theirs.wall_seconds);
        ratios[1].push(lines.wall_seconds / theirs.wall_seconds);
    }
    for (name, r) in ["debug_pair_wall_vs_vim_rs", "debug_pair_lines_wall_vs_vim_rs"].iter().zip(&mut ratios) {
        match super::median(r) {
            Some(r) => println!("{name}={r:.3}"),
            None => println!("{name}=none (0 rounds)"),
        }
    }
    Ok(())
}

/// Profile sections that build `packages`, path dependencies here, as cargo builds a
/// dependency from a registry: without incremental compilation (which cargo turns on for path
/// dependencies in debug builds), and with `debug` as their debug info when given.
fn dev_profile(packages: &[String], debug: Option<&str>) -> String {
    let debug = debug.map(|d| format!("debug = \"{d}\"\n")).unwrap_or_default();
    packages.iter().map(|p| format!("\n[profile.dev.package.{p}]\nincremental = false\n{debug}")).collect()
}

/// The program's workspace below `base`, written afresh, and its target directory; the sources
/// of its dependencies fetched.
fn workspace(base: &Path, p: &Program) -> Result<(PathBuf, PathBuf), String> {
    let ws = base.join(p.name);
    let target = base.join(format!("{}-target", p.name));
    std::fs::create_dir_all(ws.join("src")).map_err(|e| format!("{}: {e}", ws.display()))?;
    let manifest = format!(
        "[workspace]\n\n[package]\nname = \"count-objects\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{}{}",
        p.dependencies, p.profile
    );
    let write = |file: &Path, text: &[u8]| std::fs::write(file, text).map_err(|e| format!("{}: {e}", file.display()));
    write(&ws.join("Cargo.toml"), manifest.as_bytes())?;
    write(&ws.join("src/main.rs"), p.main.as_bytes())?;
    write(&ws.join("Cargo.lock"), &std::fs::read(&p.lock).map_err(|e| format!("{}: {e}", p.lock.display()))?)?;
    // sources fetched before the clock starts
    checked(super::cargo().arg("fetch").current_dir(&ws))?;
    Ok((ws, target))
}

fn timed_build(p: &Program, ws: &Path, target: &Path, release: bool) -> Result<Timed, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%U %S %e %M"]).arg(cargo).args(["build", "--quiet"]);
    if release {
        cmd.arg("--release");
    }
    let out = checked(cmd.current_dir(ws).env("CARGO_TARGET_DIR", target))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let (cpu_seconds, wall_seconds, peak_gb) = parse_time(&stderr).ok_or_else(|| format!("{}: no figures from /usr/bin/time in:\n{stderr}", p.name))?;
    Ok(Timed { cpu_seconds, wall_seconds, peak_gb })
}

/// Runs the built program once: on the recorded `RetrieveResult`, which it must count, or (the
/// few operations, which need a server) without arguments, when it must print its usage.
fn check_binary(p: &Program, binary: &Path) -> Result<(), String> {
    if p.counts {
        let run = checked(Command::new(binary).arg(payload()))?;
        let count = String::from_utf8_lossy(&run.stdout).trim().to_owned();
        if count.parse::<usize>().is_err() {
            return Err(format!("{}: the program printed {count:?}, not a count of objects", p.name));
        }
    } else {
        let run = Command::new(binary).output().map_err(|e| format!("{}: {e}", binary.display()))?;
        if run.status.code() != Some(2) || !String::from_utf8_lossy(&run.stderr).starts_with("usage:") {
            return Err(format!("{}: without arguments the program did not print its usage ({})", p.name, run.status));
        }
    }
    Ok(())
}

/// A clean release build of `p`, dependencies included, measured and run once.
fn build(base: &Path, p: &Program) -> Result<Build, String> {
    let (ws, target) = workspace(base, p)?;
    let _ = std::fs::remove_dir_all(&target);
    let timed = timed_build(p, &ws, &target, true)?;
    let binary = target.join("release/count-objects");
    let stripped = target.join("count-objects.stripped");
    checked(Command::new("strip").arg("-o").arg(&stripped).arg(&binary))?;
    let size = |f: &Path| std::fs::metadata(f).map(|m| m.len() as f64 / 1e6).map_err(|e| format!("{}: {e}", f.display()));
    check_binary(p, &binary)?;
    Ok(Build { timed, binary_mb: size(&binary)?, stripped_mb: size(&stripped)? })
}

/// CPU seconds, wall seconds and the peak in GiB (as `compile_peak_gb`) from the last line `/usr/bin/time -f "%U %S %e %M"` wrote.
fn parse_time(stderr: &str) -> Option<(f64, f64, f64)> {
    let line = stderr.lines().rev().find(|l| !l.trim().is_empty())?;
    let v: Vec<f64> = line.split_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
    match v[..] {
        [user, system, wall, kb] => Some((user + system, wall, kb / (1024.0 * 1024.0))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{dev_profile, parse_time};

    #[test]
    fn profiles_for_each_package() {
        let packages = ["vim25".to_owned(), "vim25-cycle".to_owned()];
        for (text, debug) in [(dev_profile(&packages, None), None), (dev_profile(&packages, Some("line-tables-only")), Some("line-tables-only"))] {
            let table: toml::Table = toml::from_str(&text).unwrap();
            for p in &packages {
                let section = &table["profile"]["dev"]["package"][p.as_str()];
                assert_eq!(section["incremental"].as_bool(), Some(false), "{text}");
                assert_eq!(section.get("debug").and_then(|d| d.as_str()), debug, "{text}");
            }
        }
    }

    #[test]
    fn time_figures_from_the_last_line() {
        let (cpu, wall, peak) = parse_time("warning: x\n1000.5 43.5 690.25 2842176\n").unwrap();
        assert_eq!((cpu, wall), (1044.0, 690.25));
        assert!((peak - 2.710510).abs() < 1e-6, "{peak}");
        assert_eq!(parse_time("Command exited with non-zero status 1\n"), None);
        assert_eq!(parse_time(""), None);
    }
}
