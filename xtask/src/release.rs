//! `cargo xtask release R`: move the generated crate to vSphere release R.
//!
//! 1. diff the document `generated/` was made from (per `generated/api-map.json`, or
//!    `--previous`) against R's pinned document, both laid out by the layout record (spec/layout.json), so that every type the
//!    record pins keeps its inline-or-boxed layout;
//! 2. bump `crate_version` in spec/releases.toml by the diff's semver class (the generator
//!    writes that version into generated/Cargo.toml, so it must change first), and write R's
//!    layout to spec/layout.json: the kept decisions and those of R's new types;
//! 3. regenerate `generated/` from R (restoring both files if that fails);
//! 4. prepend the diff as an entry to CHANGELOG.md.
//!
//! Version bumps follow Cargo's reading of semver: below 1.0, a breaking change bumps the
//! minor number and anything else the patch number.

use crate::diff::model_of;
use std::path::{Path, PathBuf};
use vim25_generator::diff::{self, Semver};
use vim25_spec::Manifest;

#[derive(clap::Args)]
pub struct Args {
    /// The release to move to (a version in spec/releases.toml).
    release: String,
    /// Directory holding the releases' documents, searched alone (default: spec/, the fetch
    /// cache, then VIM25_SPEC_DIR or ../shared/spec).
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// The release `generated/` is made from now (default: the `release` of
    /// generated/api-map.json).
    #[arg(long, value_name = "VERSION")]
    previous: Option<String>,
    /// Print the CHANGELOG entry and the new version, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Checkout to work on (spec/releases.toml, generated/, CHANGELOG.md); for tests.
    #[arg(long, value_name = "DIR", hide = true)]
    root: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), String> {
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from(vim25_spec::REPO_DIR));
    let manifest_path = root.join("spec/releases.toml");
    let manifest_text = std::fs::read_to_string(&manifest_path).map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let manifest = Manifest::parse(&manifest_text, &manifest_path.display().to_string()).map_err(|e| e.to_string())?;
    let generated = root.join("generated");

    let target = manifest.release(&args.release).map_err(|e| e.to_string())?;
    let previous = match &args.previous {
        Some(v) => manifest.release(v).map_err(|e| e.to_string())?,
        None => {
            let (version, sha) = made_from(&generated)?;
            let r = manifest.release(&version).map_err(|e| format!("generated/api-map.json: {e}"))?;
            if r.sha256 != sha {
                return Err(format!("generated/ was made from a {version} document with sha256 {sha}, not the pinned {}; pass --previous", r.sha256));
            }
            r
        }
    };
    if target.version != manifest.default_release().version {
        eprintln!(
            "warning: {} is not the newest release of the manifest ({}); build.rs will report generated/ as stale",
            target.version,
            manifest.default_release().version
        );
    }
    if previous.sha256 == target.sha256 {
        println!("generated/ is already made from {} (sha256 {}); nothing to release", target.version, target.sha256);
        return Ok(());
    }
    let dirs = match &args.from {
        Some(d) => vec![d.clone()],
        None => vec![vim25_spec::tracked_dir(), vim25_spec::cache_dir(), vim25_spec::mirror_dir()],
    };
    let old_path = vim25_spec::find_in(previous, &dirs).map_err(|e| e.to_string())?;
    let new_path = vim25_spec::find_in(target, &dirs).map_err(|e| e.to_string())?;
    let layout_path = root.join("spec/layout.json");
    let layout = crate::layout::read(&layout_path)?;
    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| model_of(&old_path));
        (old.join().unwrap_or_else(|_| Err("loading the previous document panicked".into())), model_of(&new_path))
    });
    let new = new?;
    let d = diff::diff_with(&old?, &new, Some(&layout));
    let (new_layout, oversized) = crate::layout::record_of(&new, Some(&layout));
    let layout_summary = crate::layout::summary(&layout, &new_layout, &oversized);

    let version = bump(&manifest.crate_version, d.semver)?;
    let entry = diff::markdown(&d, &format!("{version} - {} - vSphere {}", today(), target.version));
    if args.dry_run {
        print!("{entry}");
        println!("would write {}: {layout_summary}", layout_path.display());
        println!("would set crate_version {} -> {version} ({})", manifest.crate_version, d.semver.as_str());
        return Ok(());
    }

    let bumped =
        set_crate_version(&manifest_text, &version).ok_or_else(|| format!("{}: no `crate_version = \"...\"` line to update", manifest_path.display()))?;
    std::fs::write(&manifest_path, &bumped).map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let restore = || {
        // keep the manifest and the record consistent with what generated/ holds
        let _ = std::fs::write(&manifest_path, &manifest_text);
        let _ = crate::layout::write(&layout_path, &layout);
    };
    if let Err(e) = crate::layout::write(&layout_path, &new_layout) {
        restore();
        return Err(e);
    }
    if let Err(e) = crate::codegen::generate_into(&new_path, &generated, Some(new_layout)) {
        restore();
        return Err(format!("regenerating generated/ from {}: {e}", new_path.display()));
    }
    let changelog = root.join("CHANGELOG.md");
    prepend_entry(&changelog, &entry)?;
    println!(
        "released vim25 {version} for vSphere {} ({} change from {}); updated {}, {} ({layout_summary}), generated/, {}",
        target.version,
        d.semver.as_str(),
        previous.version,
        manifest_path.display(),
        layout_path.display(),
        changelog.display()
    );
    Ok(())
}

/// `release` and `spec_sha256` of generated/api-map.json.
fn made_from(generated: &Path) -> Result<(String, String), String> {
    let path = generated.join("api-map.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e}; cannot tell which release generated/ was made from, pass --previous", path.display()))?;
    let map: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let field = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_owned).ok_or_else(|| format!("{}: no string `{k}`", path.display()));
    Ok((field("release")?, field("spec_sha256")?))
}

/// The next crate version for a change of class `semver` (Cargo's rules below 1.0).
pub fn bump(version: &str, semver: Semver) -> Result<String, String> {
    let (major, minor, patch) = vim25_spec::parse_semver(version).ok_or_else(|| format!("crate_version `{version}` is not `major.minor.patch`"))?;
    let next = match (major, semver) {
        (0, Semver::Major) => (0, minor + 1, 0),
        (0, _) => (0, minor, patch + 1),
        (_, Semver::Major) => (major + 1, 0, 0),
        (_, Semver::Minor) => (major, minor + 1, 0),
        (_, Semver::Patch) => (major, minor, patch + 1),
    };
    Ok(format!("{}.{}.{}", next.0, next.1, next.2))
}

/// The manifest text with its `crate_version` line replaced; comments and layout are kept.
fn set_crate_version(text: &str, version: &str) -> Option<String> {
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let is_it = l.split('=').next().is_some_and(|k| k.trim() == "crate_version");
            if is_it && !found {
                found = true;
                format!("crate_version = \"{version}\"")
            } else {
                l.to_owned()
            }
        })
        .collect();
    found.then(|| lines.join("\n") + if text.ends_with('\n') { "\n" } else { "" })
}

const CHANGELOG_HEAD: &str = "# Changelog\n\nChanges of the generated `vim25` crate, newest first. \
Entries are written by `cargo xtask release`.\n\n";

/// Puts `entry` above the newest entry (the first `## ` line), creating the file if needed.
fn prepend_entry(path: &Path, entry: &str) -> Result<(), String> {
    let old = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => CHANGELOG_HEAD.to_owned(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let at = if old.starts_with("## ") { Some(0) } else { old.find("\n## ").map(|i| i + 1) };
    let text = match at {
        Some(i) => format!("{}{entry}{}", &old[..i], &old[i..]),
        None if old.is_empty() || old.ends_with("\n\n") => format!("{old}{entry}"),
        None => format!("{}\n\n{entry}", old.trim_end()),
    };
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_cargo_semver() {
        assert_eq!(bump("0.1.0", Semver::Major).as_deref(), Ok("0.2.0"));
        assert_eq!(bump("0.1.3", Semver::Minor).as_deref(), Ok("0.1.4"));
        assert_eq!(bump("0.1.3", Semver::Patch).as_deref(), Ok("0.1.4"));
        assert_eq!(bump("1.4.2", Semver::Major).as_deref(), Ok("2.0.0"));
        assert_eq!(bump("1.4.2", Semver::Minor).as_deref(), Ok("1.5.0"));
        assert_eq!(bump("1.4.2", Semver::Patch).as_deref(), Ok("1.4.3"));
        assert!(bump("1.4", Semver::Patch).is_err());
    }

    #[test]
    fn crate_version_is_replaced_in_place() {
        let text = "# c\ncrate_version = \"0.1.0\" # v\n[[release]]\nversion = \"1\"\n";
        assert_eq!(set_crate_version(text, "0.2.0").as_deref(), Some("# c\ncrate_version = \"0.2.0\"\n[[release]]\nversion = \"1\"\n"));
        assert_eq!(set_crate_version("version = \"1\"\n", "0.2.0"), None);
    }

    #[test]
    fn entries_go_above_the_newest_one() {
        let dir = std::env::temp_dir().join(format!("xtask-changelog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("CHANGELOG.md");
        let _ = std::fs::remove_file(&path);
        prepend_entry(&path, "## 0.1.1\n\nfirst\n\n").expect("creates");
        prepend_entry(&path, "## 0.2.0\n\nsecond\n\n").expect("prepends");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, format!("{CHANGELOG_HEAD}## 0.2.0\n\nsecond\n\n## 0.1.1\n\nfirst\n\n"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn dates_are_gregorian() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
        assert_eq!(civil_from_days(20_783), (2026, 11, 26));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
