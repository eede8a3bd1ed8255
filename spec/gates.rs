//! The staleness gates of `generated/`, run by the root build script (see build.rs for what
//! they check) and unit-tested here. Findings are returned as warning texts, never as errors:
//! a stale or hand-edited `generated/` must not stop a build.
//!
//! Compiled into the library and, through `#[path]`, into build.rs beside `manifest.rs`.

use crate::manifest;
use std::collections::BTreeSet;
use std::path::Path;

/// Beyond this many findings of one kind, the rest are summed up in one line.
const MAX_LISTED: usize = 20;

/// All findings for the checkout at `root` (its `spec/releases.toml` and `generated/`).
pub fn check(root: &Path) -> Vec<String> {
    let generated = root.join("generated");
    let mut out = pinned_document(root, &generated);
    out.extend(hand_edits(&generated));
    out
}

/// Gate 1: the default release's pinned sha256 against the one `generated/` was made from.
pub fn pinned_document(root: &Path, generated: &Path) -> Vec<String> {
    let manifest = match manifest::Manifest::from_path(&root.join("spec/releases.toml")) {
        Ok(m) => m,
        Err(e) => return vec![format!("cannot check generated/ against the pinned document: {e}")],
    };
    let pinned = manifest.default_release();
    let map_path = generated.join("api-map.json");
    let text = match std::fs::read_to_string(&map_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return vec!["generated/ has not been produced yet (no generated/api-map.json): run `cargo xtask codegen`".into()]
        }
        Err(e) => return vec![format!("{}: {e}", map_path.display())],
    };
    let map: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return vec![format!("generated/api-map.json: {e}")],
    };
    let made_from = map.get("spec_sha256").and_then(|v| v.as_str());
    let release = map.get("release").and_then(|v| v.as_str()).unwrap_or("?");
    match made_from {
        None => vec!["generated/api-map.json has no `spec_sha256`; cannot tell which document generated/ was made from".into()],
        Some(sha) if sha == pinned.sha256 => Vec::new(),
        Some(sha) => vec![format!(
            "generated/ is stale: made from release {release} (sha256 {sha}) but spec/releases.toml pins {} (sha256 {}); run `cargo xtask release {}`",
            pinned.version, pinned.sha256, pinned.version
        )],
    }
}

/// Gate 2: every generated file against `generated/checksums.sha256`.
pub fn hand_edits(generated: &Path) -> Vec<String> {
    let list_path = generated.join("checksums.sha256");
    let text = match std::fs::read_to_string(&list_path) {
        Ok(t) => t,
        // absent until the generator writes it; gate 1 already says generated/ is not produced
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => return vec![format!("{}: {e}", list_path.display())],
    };
    let mut findings = Vec::new();
    let mut listed = BTreeSet::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        // `sha256sum` writes `<hex>  <path>`, or `<hex> *<path>` in binary mode
        let Some((sha, rel)) = line.split_once(' ') else {
            findings.push(format!("generated/checksums.sha256 line {}: not `<sha256>  <path>`", n + 1));
            continue;
        };
        let rel = rel.trim_start_matches([' ', '*']);
        if rel.is_empty() || Path::new(rel).is_absolute() || rel.split('/').any(|s| s == "..") {
            findings.push(format!("generated/checksums.sha256 line {}: path `{rel}` leaves generated/", n + 1));
            continue;
        }
        listed.insert(rel.to_owned());
        match std::fs::read(generated.join(rel)) {
            Ok(bytes) if manifest::sha256_hex(&bytes) == sha.to_ascii_lowercase() => {}
            Ok(_) => findings.push(format!("generated/{rel} was edited by hand (checksum differs); regenerate or move the change into the generator")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                findings.push(format!("generated/{rel} is missing (deleted by hand?); regenerate with `cargo xtask codegen`"))
            }
            Err(e) => findings.push(format!("generated/{rel}: {e}")),
        }
    }
    let mut present = Vec::new();
    walk(generated, "", &mut present);
    present.sort();
    for rel in present {
        if rel != "checksums.sha256" && !listed.contains(&rel) {
            findings.push(format!("generated/{rel} was added by hand (not in generated/checksums.sha256)"));
        }
    }
    if findings.len() > MAX_LISTED {
        let rest = findings.len() - MAX_LISTED;
        findings.truncate(MAX_LISTED);
        findings.push(format!("... and {rest} more differences from generated/checksums.sha256"));
    }
    findings
}

/// Files under `dir` as `/`-separated relative paths, skipping build output and dotfiles.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || (prefix.is_empty() && name == "target") {
            continue;
        }
        let rel = format!("{prefix}{name}");
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&entry.path(), &format!("{rel}/"), out),
            Ok(_) => out.push(rel),
            Err(_) => {}
        }
    }
}
