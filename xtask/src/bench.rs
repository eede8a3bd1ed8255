//! `cargo xtask bench`: the project's performance figures, one `name=value` per line.
//!
//! - `codegen_seconds`, `check_seconds`: generating 9.1.1.0 into a scratch directory, and
//!   `codegen --check` against `generated/` (in this release-built process).
//! - decoding and encoding throughput, from the separate crate `xtask/bench` (release build,
//!   outside the workspace), which also decodes with vim_rs 0.7.0 unless `--no-vim-rs`.
//! - `compile_debug_seconds`, `compile_peak_gb`, `compile_vim25_only_seconds`: clean debug
//!   builds of `vim25` alone, dependencies already built, peak memory from `/usr/bin/time`.

use crate::codegen;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Skip the clean debug builds of `vim25` (minutes each).
    #[arg(long)]
    no_compile: bool,
    /// Skip the comparison with vim_rs 0.7.0 (building it takes minutes and gigabytes).
    #[arg(long)]
    no_vim_rs: bool,
    /// Size of the generated `RetrieveResult` payload, in MiB.
    #[arg(long, default_value_t = 50)]
    payload_mb: usize,
    /// The recorded payloads (default: ../shared/fixtures/payloads).
    #[arg(long)]
    payloads: Option<PathBuf>,
}

fn repo() -> &'static Path {
    Path::new(vim25_spec::REPO_DIR)
}

pub fn run(args: Args) -> Result<(), String> {
    let spec = vim25_spec::resolve(None, None).map_err(|e| e.to_string())?;

    let scratch = repo().join("target/bench/codegen-out");
    let t = Instant::now();
    codegen::generate_into(&spec, &scratch)?;
    println!("codegen_seconds={:.2}", t.elapsed().as_secs_f64());
    let _ = std::fs::remove_dir_all(&scratch);

    let t = Instant::now();
    let fresh = codegen::check_against(&spec, &codegen::generated_dir());
    println!("check_seconds={:.2}", t.elapsed().as_secs_f64());
    if let Err(e) = fresh {
        eprintln!("warning: {e}");
    }

    let payloads = args.payloads.clone().unwrap_or_else(|| repo().join("../shared/fixtures/payloads"));
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "--release", "--manifest-path"]).arg(repo().join("xtask/bench/Cargo.toml"));
    if !args.no_vim_rs {
        cmd.args(["--features", "vim_rs"]);
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
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Wall seconds and peak resident GiB of a debug build of `vim25` alone: its dependencies are
/// built first, then only `vim25` is cleaned and rebuilt.
fn clean_build(features: &[&str]) -> Result<(f64, Option<f64>), String> {
    let run = |cmd: &mut Command| -> Result<std::process::Output, String> {
        let out = cmd.current_dir(repo()).output().map_err(|e| format!("cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(out)
    };
    run(cargo().args(["build", "--quiet", "-p", "vim25"]).args(features))?;
    run(cargo().args(["clean", "--quiet", "-p", "vim25"]))?;
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
