//! The fixture crate's whole generated output, checked in under `tests/snapshots/mini/`, so
//! that a change to the emitter shows up as a diff in review (in the manner of rust-analyzer's
//! `ensure_file_contents`). `fixture_crate.rs` compiles and runs the same output, so the
//! snapshot is a crate that builds.
//!
//! After an intended change to the output: `UPDATE_SNAPSHOTS=1 cargo test -p vim25-generator --test snapshot`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use vim25_generator::{generate, Options};

const MINI: &str = include_str!("fixtures/mini.yaml");

/// How many differing lines of each file the failure message shows.
const SHOWN_LINES: usize = 8;

#[test]
fn fixture_output_matches_the_snapshot() {
    let out = generate(MINI.as_bytes(), &Options { crate_version: "9.9.9".into(), standalone: true, layout: None }).expect("the fixture generates");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/mini");
    ensure_dir_contents(&dir, &out.files);
}

/// Checks that `dir` holds exactly `files` (relative path -> contents). On a difference it fails
/// with a summary of it, or, with `UPDATE_SNAPSHOTS` set, rewrites `dir` to match.
fn ensure_dir_contents(dir: &Path, files: &BTreeMap<String, String>) {
    let on_disk = existing_files(dir);
    let changed: Vec<&String> = files
        .iter()
        .filter(|(rel, text)| std::fs::read_to_string(dir.join(rel)).ok().as_deref() != Some(text.as_str()))
        .map(|(rel, _)| rel)
        .collect();
    let stale: Vec<&String> = on_disk.iter().filter(|rel| !files.contains_key(*rel)).collect();
    if changed.is_empty() && stale.is_empty() {
        return;
    }
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        for rel in &changed {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("creates the snapshot directory");
            std::fs::write(&path, &files[*rel]).expect("writes the snapshot");
        }
        for rel in &stale {
            std::fs::remove_file(dir.join(rel)).expect("removes a file no longer generated");
        }
        eprintln!("updated {}: {} file(s) written, {} removed", dir.display(), changed.len(), stale.len());
        return;
    }
    let mut report = format!("the generated output differs from the snapshot in {}:\n", dir.display());
    for rel in &changed {
        match std::fs::read_to_string(dir.join(rel)) {
            Ok(old) => report.push_str(&diff_summary(rel, &old, &files[*rel])),
            Err(_) => report.push_str(&format!("+ {rel} (new file, {} lines)\n", files[*rel].lines().count())),
        }
    }
    for rel in &stale {
        report.push_str(&format!("- {rel} (no longer generated)\n"));
    }
    report.push_str("if the change is intended, rerun with UPDATE_SNAPSHOTS=1 and commit the snapshot\n");
    panic!("{report}");
}

/// The lines between the common start and the common end of `old` and `new`, a few of each.
fn diff_summary(rel: &str, old: &str, new: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (removed, added) = (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]);
    let mut out = format!("~ {rel}: from line {}, {} line(s) out, {} in\n", prefix + 1, removed.len(), added.len());
    for line in removed.iter().take(SHOWN_LINES) {
        out.push_str(&format!("    -{line}\n"));
    }
    for line in added.iter().take(SHOWN_LINES) {
        out.push_str(&format!("    +{line}\n"));
    }
    if removed.len().max(added.len()) > SHOWN_LINES {
        out.push_str("    ...\n");
    }
    if removed.is_empty() && added.is_empty() {
        out.push_str("    (line endings or a final newline differ)\n");
    }
    out
}

/// Every file under `dir`, relative and `/`-separated; none if `dir` does not exist.
fn existing_files(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.map(|e| e.expect("reads the snapshot directory")) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("below the snapshot directory");
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

#[test]
fn a_difference_is_summarised_by_its_lines() {
    let summary = diff_summary("src/a.rs", "one\ntwo\nthree\n", "one\n2\nthree\n");
    assert_eq!(summary, "~ src/a.rs: from line 2, 1 line(s) out, 1 in\n    -two\n    +2\n");
}
