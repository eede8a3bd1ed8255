//! `cargo xtask layout`: (re)write `spec/layout.json`, the layout record, from a document
//! (default: the pinned newest release), and reading the record for the other commands.
//!
//! The record pins whether each existing type is held inline or boxed (see
//! `vim25_generator::plan::inline_layout_with`). `codegen` and `diff` only read it; `release`
//! and this command write it. By default this command keeps every decision the record already
//! holds and adds the document's new types (decided by size); `--reset` decides every type by
//! size, as if there were no record.

use crate::diff::model_of;
use std::path::{Path, PathBuf};
use vim25_generator::plan::{inline_layout_with, LayoutRecord};

#[derive(clap::Args)]
pub struct Args {
    /// The document to record the layout of (YAML or JSON). Overrides --release.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// A release from spec/releases.toml (default: the newest).
    #[arg(long)]
    release: Option<String>,
    /// Directory holding the pinned documents, searched alone (default: spec/, the fetch cache,
    /// then $VIM25_SPEC_DIR or ../shared/spec).
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// The record to update (default: spec/layout.json).
    #[arg(long, value_name = "FILE")]
    layout: Option<PathBuf>,
    /// Decide every type by the size rule, dropping what the record pinned (a missing record is
    /// then created).
    #[arg(long)]
    reset: bool,
    /// Write nothing; fail when the record is not what this command would write.
    #[arg(long)]
    check: bool,
}

/// The repository's layout record.
pub fn default_path() -> PathBuf {
    Path::new(vim25_spec::LAYOUT_PATH).to_owned()
}

/// Reads and checks a record; every error names the file (and, when malformed, the line).
pub fn read(path: &Path) -> Result<LayoutRecord, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound { "; `cargo xtask layout --reset` creates it" } else { "" };
        format!("{}: {e}{hint}", path.display())
    })?;
    LayoutRecord::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The record of `--layout FILE` (default: the repository's), or none with `--no-layout`.
pub fn chosen(no_layout: bool, path: Option<&Path>) -> Result<Option<LayoutRecord>, String> {
    if no_layout {
        return Ok(None);
    }
    read(&path.map_or_else(default_path, Path::to_owned)).map(Some)
}

/// Writes a record in its canonical text.
pub fn write(path: &Path, record: &LayoutRecord) -> Result<(), String> {
    std::fs::write(path, record.to_json()).map_err(|e| format!("{}: {e}", path.display()))
}

/// The record of `model` laid out with `pins` (the pinned decisions it could keep, the new
/// types' decisions, and nothing of types it no longer has), and the types held inline beyond
/// the size limit only because they are pinned so.
pub fn record_of(model: &vim25_generator::model::Model, pins: Option<&LayoutRecord>) -> (LayoutRecord, Vec<String>) {
    let layout = inline_layout_with(model, pins);
    (LayoutRecord::of(model, &layout), layout.oversized.iter().cloned().collect())
}

/// How `new` differs from `old`, in a few words: names added and dropped, decisions changed,
/// and what is inline beyond the size limit because it is pinned so.
pub fn summary(old: &LayoutRecord, new: &LayoutRecord, oversized: &[String]) -> String {
    let (mut added, mut dropped, mut changed) = (0, 0, Vec::new());
    for ((kind, a), (_, b)) in old.kinds().into_iter().zip(new.kinds()) {
        for name in b.inline.iter().chain(&b.boxed) {
            match (a.get(name), b.get(name)) {
                (None, _) => added += 1,
                (Some(x), Some(y)) if x != y => changed.push(format!("{kind} {name}")),
                _ => {}
            }
        }
        dropped += a.inline.iter().chain(&a.boxed).filter(|n| b.get(n).is_none()).count();
    }
    let mut text = format!("{} decisions; {added} new, {dropped} dropped, {} changed", new.len(), changed.len());
    if !changed.is_empty() {
        text.push_str(&format!(" ({})", changed.join(", ")));
    }
    if !oversized.is_empty() {
        text.push_str(&format!("; {} pinned inline beyond the size limit ({})", oversized.len(), oversized.join(", ")));
    }
    text
}

pub fn run(args: Args) -> Result<(), String> {
    let spec = match &args.spec {
        Some(p) => p.clone(),
        None => vim25_spec::resolve(args.release.as_deref(), args.from.as_deref()).map_err(|e| e.to_string())?,
    };
    let path = args.layout.clone().unwrap_or_else(default_path);
    let current = if args.reset && !path.exists() { LayoutRecord::default() } else { read(&path)? };
    let model = model_of(&spec)?;
    let (record, oversized) = record_of(&model, (!args.reset).then_some(&current));
    let summary = summary(&current, &record, &oversized);
    if args.check {
        if record != current {
            return Err(format!("{} is not the layout of {} ({summary}); run `cargo xtask layout`", path.display(), spec.display()));
        }
        println!("{} is the layout of {} ({} decisions)", path.display(), spec.display(), record.len());
        return Ok(());
    }
    if record != current || !path.exists() {
        write(&path, &record)?;
    }
    println!("{}: {summary}, from {}", path.display(), spec.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(held_inline: &[&str], held_boxed: &[&str]) -> LayoutRecord {
        let mut r = LayoutRecord::default();
        r.held.inline = held_inline.iter().map(|s| s.to_string()).collect();
        r.held.boxed = held_boxed.iter().map(|s| s.to_string()).collect();
        r
    }

    #[test]
    fn the_summary_counts_new_dropped_and_changed_decisions() {
        let old = record(&["A", "B"], &["C"]);
        let new = record(&["A", "D"], &["B"]);
        assert_eq!(summary(&old, &new, &[]), "3 decisions; 1 new, 1 dropped, 1 changed (held B)");
        assert_eq!(summary(&new, &new, &["A".into()]), "3 decisions; 0 new, 0 dropped, 0 changed; 1 pinned inline beyond the size limit (A)");
    }

    #[test]
    fn a_missing_or_malformed_record_names_the_file() {
        let dir = std::env::temp_dir().join(format!("xtask-layout-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("layout.json");
        let _ = std::fs::remove_file(&path);
        let e = read(&path).expect_err("missing");
        assert!(e.starts_with(&format!("{}: ", path.display())) && e.ends_with("`cargo xtask layout --reset` creates it"), "{e}");
        std::fs::write(&path, "{\n  \"held\": {\"inline\": [\"B\",\n \"A\"").expect("write");
        let e = read(&path).expect_err("malformed");
        assert!(e.starts_with(&format!("{}: ", path.display())) && e.contains("line 3"), "{e}");
        let r = record(&["A"], &["B"]);
        write(&path, &r).expect("write");
        assert_eq!(read(&path), Ok(r));
        let _ = std::fs::remove_dir_all(dir);
    }
}
