//! `cargo xtask build-profile`: where rustc spends its time compiling `generated/`, by compiler
//! query and by kind of generated function (see `xtask/build-profile`), for each crate of the
//! split in turn.
//!
//! Wall-clock builds on this kind of machine drift too much to weigh a change of a few per cent;
//! a self-profile splits one build into shares, which compare across runs far better. It needs
//! the nightly toolchain (`-Z self-profile` is unstable); the other commands do not.

use crate::bench::{cargo, checked, packages, repo, scratch_workspace};
use crate::codegen;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(clap::Args)]
pub struct Args {
    /// Keep the profile (about 2 GB) in target/bench/self-profile/data instead of deleting it.
    #[arg(long)]
    keep: bool,
    /// Also split each kind of function's time by compiler query.
    #[arg(long)]
    detail: bool,
}

pub fn run(args: Args) -> Result<(), String> {
    let base = repo().join("target/bench/self-profile");
    let ws = scratch_workspace(&base.join("ws"), "selfprofile", &codegen::generated_dir())?;
    let target = base.join("target");
    let data = base.join("data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;

    nightly(&ws, &target, &["--version"]).map_err(|e| format!("the nightly toolchain is needed (rustup toolchain install nightly): {e}"))?;
    nightly(&ws, &target, &["build", "--quiet", "-p", "vim25"])?;
    // each crate of the split in turn, its lines prefixed with its name when there are several
    let packages = packages(&codegen::generated_dir())?;
    let flag = format!("-Zself-profile={}", data.display());
    for package in &packages {
        nightly(&ws, &target, &["clean", "--quiet", "-p", package])?;
        nightly(&ws, &target, &["rustc", "--quiet", "-p", package, "--lib", "--", &flag, "-Zself-profile-events=default,query-keys"])?;
        let profile = newest_profile(&data)?;
        let out = cargo()
            .args(["run", "--quiet", "--release", "--manifest-path"])
            .arg(repo().join("xtask/build-profile/Cargo.toml"))
            .arg("--")
            .arg(profile.with_extension(""))
            .args(args.detail.then_some("--detail"))
            .env("CARGO_TARGET_DIR", repo().join("target/bench"))
            .output()
            .map_err(|e| format!("cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!("reading the profile {} failed ({}):\n{}", profile.display(), out.status, String::from_utf8_lossy(&out.stderr)));
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            match packages.len() {
                1 => println!("{line}"),
                _ => println!("{package}.{line}"),
            }
        }
        if !args.keep {
            std::fs::remove_file(&profile).map_err(|e| format!("{}: {e}", profile.display()))?;
        }
    }
    if !args.keep {
        let _ = std::fs::remove_dir_all(&data);
    }
    Ok(())
}

/// `cargo +nightly ARGS` in the scratch workspace.
fn nightly(ws: &Path, target: &Path, args: &[&str]) -> Result<(), String> {
    // The rustup proxy picks the toolchain from `+nightly`; `CARGO` and `RUSTC` point at the
    // stable ones this process was started with.
    checked(
        Command::new("cargo")
            .arg("+nightly")
            .args(args)
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", target)
            .env_remove("CARGO")
            .env_remove("RUSTC")
            .env_remove("RUSTUP_TOOLCHAIN"),
    )
    .map(drop)
}

fn newest_profile(dir: &Path) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "mm_profdata"))
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p).ok_or_else(|| format!("rustc wrote no profile into {}", dir.display()))
}
