//! Build script of the root package `vim25-spec`: staleness gates for `generated/`.
//!
//! It never touches the network and never fails the build; every finding is a `cargo:warning`.
//!
//! 1. Pinned document: `spec/releases.toml` pins a sha256 for each release and the newest is
//!    the default. `generated/api-map.json` (written by the generator) records the
//!    `spec_sha256` of the document `generated/` was made from. If the two differ, `generated/`
//!    is stale: regenerate with `cargo xtask codegen` (or `cargo xtask release R`).
//! 2. Hand edits: `generated/checksums.sha256` (written by the generator, `sha256sum` format,
//!    paths relative to `generated/`) lists every generated file except itself. Each listed
//!    file is hashed again; a changed or missing file, or a file under `generated/` that the
//!    list does not know, was edited by hand and would be lost at the next regeneration.
//!
//! Until the generator has produced those files, a single warning says so.

#![forbid(unsafe_code)]

#[path = "spec/gates.rs"]
mod gates;
#[allow(dead_code)]
#[path = "spec/manifest.rs"]
mod manifest;

fn main() {
    let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| ".".into()));
    println!("cargo:rerun-if-changed=spec/releases.toml");
    // a directory is scanned recursively by cargo, so new, edited and removed files all count
    println!("cargo:rerun-if-changed=generated");
    for w in gates::check(&root) {
        println!("cargo:warning={w}");
    }
}
