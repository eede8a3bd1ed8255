//! `cargo xtask`: the developer and release-pipeline commands of this repository.

#![forbid(unsafe_code)]

mod bench;
mod build_profile;
mod codegen;
mod diff;
mod e2e;
mod fetch_spec;
mod fuzz;
mod layout;
mod release;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// Code generation builds and drops millions of small token trees and strings on several
// formatting threads at once; glibc's allocator spends much of that time in contention between
// them, mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Generate, check and maintain the vim25 crate")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate `generated/` (or a standalone crate with --out) from a vi-json document.
    Codegen(codegen::Args),
    /// Copy or download a release's pinned vi-json document into the cache, sha256-checked.
    FetchSpec(fetch_spec::Args),
    /// API changes between two documents (release versions or files), with their semver class.
    Diff(diff::Args),
    /// Performance figures (codegen, decoding, compile time), one `name=value` per line.
    Bench(bench::Args),
    /// Where rustc spends its time on `generated/`, by query and generated function (nightly).
    BuildProfile(build_profile::Args),
    /// Regenerate from release R, bump the crate version by the diff's class, prepend CHANGELOG.md.
    Release(release::Args),
    /// Record the inline-or-boxed layout of the pinned document in spec/layout.json.
    Layout(layout::Args),
    /// The end-to-end suite: scenarios and examples against a live simulator, behind prism.
    E2e(e2e::Args),
    /// The libFuzzer targets of `xtask/fuzz/` against the generated decoders (nightly).
    Fuzz(fuzz::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen(args) => codegen::run(args),
        Command::FetchSpec(args) => fetch_spec::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Release(args) => release::run(args),
        Command::Layout(args) => layout::run(args),
        Command::Bench(args) => bench::run(args),
        Command::BuildProfile(args) => build_profile::run(args),
        Command::E2e(args) => e2e::run(args),
        Command::Fuzz(args) => fuzz::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
