//! `cargo xtask codegen`: document -> `generated/` (or a standalone crate), or `--check` that
//! `generated/` is exactly what the document produces. The layout record (spec/layout.json)
//! is an input like the document: read, never written.
//!
//! Output is written by [`vim25_generator::write_atomically`]: to a sibling staging directory
//! swapped in only when complete, so a malformed document or a failed write leaves the
//! previous output untouched.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use vim25_generator::plan::LayoutRecord;
use vim25_generator::{generate, write_atomically, Options, Output};

#[derive(clap::Args)]
pub struct Args {
    /// The vi-json document (YAML or JSON). Overrides --release.
    #[arg(long, env = "VIM25_SPEC")]
    spec: Option<PathBuf>,
    /// A release from spec/releases.toml (default: the newest).
    #[arg(long)]
    release: Option<String>,
    /// Directory holding the pinned documents, searched alone (default: spec/, the fetch cache,
    /// then $VIM25_SPEC_DIR or ../shared/spec).
    #[arg(long)]
    from: Option<PathBuf>,
    /// Write a complete standalone crate to DIR instead of generated/.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write nothing; fail naming the first file that differs from what the document produces.
    #[arg(long)]
    check: bool,
    /// The layout record whose inline-or-boxed decisions the output keeps (default:
    /// spec/layout.json; read, never written).
    #[arg(long, value_name = "FILE")]
    layout: Option<PathBuf>,
    /// Decide every type's layout by the size rule, without a record.
    #[arg(long, conflicts_with = "layout")]
    no_layout: bool,
}

/// The repository's `generated/` directory.
pub fn generated_dir() -> PathBuf {
    Path::new(vim25_spec::REPO_DIR).join("generated")
}

pub fn run(args: Args) -> Result<(), String> {
    let spec = match &args.spec {
        Some(p) => p.clone(),
        None => vim25_spec::resolve(args.release.as_deref(), args.from.as_deref()).map_err(|e| e.to_string())?,
    };
    let standalone = args.out.is_some();
    let layout = crate::layout::chosen(args.no_layout, args.layout.as_deref())?;
    let output = produce(&spec, standalone, layout)?;
    let target = args.out.clone().unwrap_or_else(generated_dir);
    if args.check {
        check(&output, &target)?;
        println!("{} is up to date with {}", target.display(), spec.display());
        return Ok(());
    }
    write_atomically(&output, &target)?;
    println!("wrote {} files to {} from {}", output.files.len(), target.display(), spec.display());
    Ok(())
}

/// Regenerates `out_dir` from a document with a layout record (used by `cargo xtask release`).
pub fn generate_into(spec_path: &Path, out_dir: &Path, layout: Option<LayoutRecord>) -> Result<(), String> {
    let output = produce(spec_path, false, layout)?;
    write_atomically(&output, out_dir)
}

/// `codegen --check` of `dir` against a document and a layout record.
pub fn check_against(spec_path: &Path, dir: &Path, layout: Option<LayoutRecord>) -> Result<(), String> {
    let output = produce(spec_path, false, layout)?;
    check(&output, dir)
}

fn produce(spec: &Path, standalone: bool, layout: Option<LayoutRecord>) -> Result<Output, String> {
    let bytes = std::fs::read(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let crate_version = vim25_spec::crate_version().map_err(|e| e.to_string())?;
    let options = Options { crate_version, standalone, layout };
    let output = generate(&bytes, &options).map_err(|e| format!("{}: {e}", spec.display()))?;
    for warning in &output.warnings {
        eprintln!("warning: {}: {warning}", spec.display());
    }
    Ok(output)
}

/// Files under `dir`, relative, `/`-separated; a `target/` directory is not part of the crate.
fn existing_files(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: {e}", d.display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", d.display()))?;
            let path = entry.path();
            let rel = path.strip_prefix(dir).expect("below dir").to_string_lossy().replace('\\', "/");
            if rel == "target" {
                continue;
            }
            if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
                stack.push(path);
            } else {
                out.insert(rel);
            }
        }
    }
    Ok(out)
}

fn check(output: &Output, dir: &Path) -> Result<(), String> {
    for (rel, text) in &output.files {
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) if bytes == text.as_bytes() => {}
            Ok(_) => return Err(format!("{} differs from what the document produces; run `cargo xtask codegen`", path.display())),
            Err(_) => return Err(format!("{} is missing; run `cargo xtask codegen`", path.display())),
        }
    }
    for rel in existing_files(dir)? {
        if !output.files.contains_key(&rel) {
            return Err(format!("{} is not produced by the generator; run `cargo xtask codegen`", dir.join(rel).display()));
        }
    }
    Ok(())
}
