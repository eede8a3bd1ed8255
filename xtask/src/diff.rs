//! `cargo xtask diff OLD NEW`: the API changes between two vi-json documents, as a CHANGELOG
//! entry (Markdown) or as JSON for tools.

use std::path::{Path, PathBuf};
use vim25_generator::diff::{self, Diff};
use vim25_generator::plan::LayoutRecord;
use vim25_generator::{load, model};

#[derive(clap::Args)]
pub struct Args {
    /// The older document: a release version from spec/releases.toml, or a file.
    old: String,
    /// The newer document: a release version from spec/releases.toml, or a file.
    new: String,
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Directory holding the releases' documents, searched alone (default: spec/, the fetch
    /// cache, then VIM25_SPEC_DIR or ../shared/spec).
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// The layout record both documents are laid out with (default: spec/layout.json), so that
    /// a type it pins is reported as moving between inline and boxed only where it must.
    #[arg(long, value_name = "FILE")]
    layout: Option<PathBuf>,
    /// Lay out both documents by the size rule alone, without a record.
    #[arg(long, conflicts_with = "layout")]
    no_layout: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Markdown,
    Json,
}

pub fn run(args: Args) -> Result<(), String> {
    let layout = crate::layout::chosen(args.no_layout, args.layout.as_deref())?;
    let d = compare(&args.old, &args.new, args.from.as_deref(), layout.as_ref())?;
    match args.format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&d).map_err(|e| e.to_string())?;
            println!("{text}");
        }
        Format::Markdown => {
            let heading = format!("vSphere {} → {}", d.old.release, d.new.release);
            print!("{}", diff::markdown(&d, &heading));
        }
    }
    Ok(())
}

/// Diffs two documents named by release or path, both laid out with `layout`; both are
/// loaded at once (seconds each).
pub fn compare(old: &str, new: &str, mirror: Option<&Path>, layout: Option<&LayoutRecord>) -> Result<Diff, String> {
    let (a, b) = (document(old, mirror)?, document(new, mirror)?);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| model_of(&a));
        let b = model_of(&b);
        (a.join().unwrap_or_else(|_| Err(format!("{old}: loading panicked"))), b)
    });
    Ok(diff::diff_with(&a?, &b?, layout))
}

/// An existing file is taken as is; anything else must be a release of the manifest.
fn document(arg: &str, mirror: Option<&Path>) -> Result<PathBuf, String> {
    let path = Path::new(arg);
    if path.is_file() {
        return Ok(path.to_owned());
    }
    match vim25_spec::resolve(Some(arg), mirror) {
        Err(vim25_spec::Error::UnknownRelease { known, .. }) => {
            Err(format!("`{arg}` is neither a file nor a release of spec/releases.toml ({})", known.join(", ")))
        }
        other => other.map_err(|e| e.to_string()),
    }
}

pub fn model_of(path: &Path) -> Result<model::Model, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc = load::load(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    model::build(&doc).map_err(|e| format!("{}: {e}", path.display()))
}
