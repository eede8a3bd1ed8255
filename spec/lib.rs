//! `vim25-spec`: the tracked vSphere vi-json releases (`spec/releases.toml`) and where their
//! documents are found on this machine.
//!
//! The manifest is read at run time from the checkout ([`MANIFEST_PATH`]), not embedded, so
//! that a tool which rewrites it (`cargo xtask release`) and then regenerates sees the new
//! crate version without being rebuilt.
//!
//! Documents are looked up, in order, in: an explicit directory (`--from`, when given: only
//! there), the repository's own `spec/` ([`tracked_dir`], where every tracked release is
//! committed, so that a clone works alone), the fetch cache ([`cache_dir`]), then the mirror
//! ([`mirror_dir`]: `VIM25_SPEC_DIR`, default `../shared/spec` beside the checkout), where a
//! release not yet committed can wait for review. Every copy is checked against the pinned
//! sha256 before it is handed out.

#![forbid(unsafe_code)]

pub mod gates;
mod manifest;

pub use manifest::{compare_versions, parse_semver, sha256_file, sha256_hex, verify, Error, Manifest, Release, Source};
use std::path::{Path, PathBuf};

/// The repository root (this package's directory).
pub const REPO_DIR: &str = env!("CARGO_MANIFEST_DIR");
/// The manifest of tracked releases.
pub const MANIFEST_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/releases.toml");
/// The layout record: which existing types are held inline and which boxed, kept from one
/// release to the next (written by `cargo xtask release` and `cargo xtask layout`, read by the
/// generator through `cargo xtask codegen` and `diff`).
pub const LAYOUT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/layout.json");
/// Environment variable naming the mirror directory of documents.
pub const MIRROR_ENV: &str = "VIM25_SPEC_DIR";
/// Environment variable naming the fetch cache directory.
pub const CACHE_ENV: &str = "VIM25_SPEC_CACHE";

/// Reads `spec/releases.toml` from the checkout.
pub fn manifest() -> Result<Manifest, Error> {
    Manifest::from_path(Path::new(MANIFEST_PATH))
}

/// The newest tracked release.
pub fn default_release() -> Result<Release, Error> {
    Ok(manifest()?.default_release().clone())
}

/// The version of the generated `vim25` crate recorded in the manifest.
pub fn crate_version() -> Result<String, Error> {
    Ok(manifest()?.crate_version)
}

/// The repository's `spec/`, which holds the document of every tracked release.
pub fn tracked_dir() -> PathBuf {
    Path::new(REPO_DIR).join("spec")
}

/// The mirror directory: `VIM25_SPEC_DIR`, else `../shared/spec` beside the checkout.
pub fn mirror_dir() -> PathBuf {
    match std::env::var_os(MIRROR_ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(REPO_DIR).join("..").join("shared").join("spec"),
    }
}

/// Where `cargo xtask fetch-spec` stores downloaded documents: `VIM25_SPEC_CACHE`, else
/// `target/spec-cache` (ignored by git, removed by `cargo clean`).
pub fn cache_dir() -> PathBuf {
    match std::env::var_os(CACHE_ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(REPO_DIR).join("target").join("spec-cache"),
    }
}

/// Path of the verified document of `release` (default: the newest). With `mirror`, only that
/// directory is searched; otherwise `spec/`, the cache and then the mirror directory.
pub fn resolve(release: Option<&str>, mirror: Option<&Path>) -> Result<PathBuf, Error> {
    let manifest = manifest()?;
    let release = manifest.pick(release)?;
    let dirs = match mirror {
        Some(d) => vec![d.to_owned()],
        None => vec![tracked_dir(), cache_dir(), mirror_dir()],
    };
    find_in(release, &dirs)
}

/// The first copy of `release` in `dirs`; a copy with the wrong bytes is an error, not skipped,
/// because it means a mirror is corrupt or a file was swapped.
pub fn find_in(release: &Release, dirs: &[PathBuf]) -> Result<PathBuf, Error> {
    for dir in dirs {
        let path = dir.join(&release.file);
        if path.is_file() {
            verify(&path, release)?;
            return Ok(path);
        }
    }
    Err(Error::NotFound { release: release.version.clone(), file: release.file.clone(), searched: dirs.to_vec() })
}

#[cfg(test)]
mod tests;
