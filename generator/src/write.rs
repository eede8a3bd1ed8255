//! Writing a generated crate to a directory, all or nothing.
//!
//! The files are written to a sibling staging directory, which then replaces the target by two
//! renames (the target aside, the staging directory in). Any failure before the swap removes
//! the staging directory and leaves the target as it was; a failure between the two renames
//! puts the target back. Only a crash of the process between the two renames can leave the
//! target missing, and then the previous output is whole in `.NAME.old-PID` beside it.
//!
//! A `target/` build directory inside the target is not part of the crate: it is carried over
//! into the new output so that a standalone crate keeps its build cache.

use crate::Output;
use std::path::{Component, Path, PathBuf};

/// Replaces `dir` by the crate `output` holds, or leaves `dir` as it was and returns what
/// failed (a path and the operating system's reason).
pub fn write_atomically(output: &Output, dir: &Path) -> Result<(), String> {
    write_with(output, dir, || Ok(()))
}

/// [`write_atomically`] with `between` run after the target was set aside and before the
/// staging directory is moved in, so that the tests can make that step fail.
fn write_with(output: &Output, dir: &Path, between: impl FnOnce() -> std::io::Result<()>) -> Result<(), String> {
    for rel in output.files.keys() {
        let path = Path::new(rel);
        if rel.is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(format!("{rel:?}: not a relative path inside the crate"));
        }
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = dir.file_name().ok_or_else(|| format!("{}: not a directory name", dir.display()))?.to_string_lossy().into_owned();
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    // left by an earlier run of this process id that was killed
    remove_if_present(&staging)?;
    remove_if_present(&old)?;
    if let Err(e) = write_files(output, &staging) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_target = dir.exists();
    if had_target {
        if let Err(e) = std::fs::rename(dir, &old) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(format!("{}: {e}", dir.display()));
        }
    }
    if let Err(e) = between().and_then(|()| std::fs::rename(&staging, dir)) {
        let restored = !had_target || std::fs::rename(&old, dir).is_ok();
        let _ = std::fs::remove_dir_all(&staging);
        return Err(if restored {
            format!("{}: {e}", dir.display())
        } else {
            format!("{}: {e}; the previous output is in {}", dir.display(), old.display())
        });
    }
    if had_target {
        // the build cache is worth keeping, not worth failing over
        let build = old.join("target");
        if build.is_dir() {
            let _ = std::fs::rename(&build, dir.join("target"));
        }
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

fn write_files(output: &Output, staging: &Path) -> Result<(), String> {
    for (rel, text) in &output.files {
        let path: PathBuf = staging.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn remove_if_present(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{}: {e}", dir.display())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        Output { files: files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect(), warnings: Vec::new() }
    }

    /// Every file under `dir` with its text, and the names beside `dir`.
    fn state(parent: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![parent.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                let rel = path.strip_prefix(parent).unwrap().to_string_lossy().into_owned();
                if path.is_dir() {
                    out.push((rel, "<dir>".into()));
                    stack.push(path);
                } else {
                    out.push((rel, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    fn previous(name: &str) -> (PathBuf, PathBuf) {
        let parent = std::env::temp_dir().join(format!("vim25-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&parent);
        let dir = parent.join("out");
        std::fs::create_dir_all(dir.join("target/debug")).unwrap();
        std::fs::write(dir.join("SENTINEL"), "previous").unwrap();
        std::fs::write(dir.join("target/debug/cache"), "cache").unwrap();
        (parent, dir)
    }

    #[test]
    fn a_failed_swap_puts_the_previous_output_back() {
        let (parent, dir) = previous("swap");
        let before = state(&parent);
        let err = write_with(&output(&[("Cargo.toml", "new")]), &dir, || Err(std::io::Error::other("injected"))).unwrap_err();
        assert!(err.contains("injected"), "{err}");
        assert_eq!(state(&parent), before);
        std::fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn a_complete_write_replaces_the_output_and_keeps_the_build_directory() {
        let (parent, dir) = previous("ok");
        write_atomically(&output(&[("Cargo.toml", "new"), ("src/lib.rs", "lib")]), &dir).unwrap();
        let after: Vec<(String, String)> = state(&parent);
        let expected: Vec<(String, String)> = [
            ("out", "<dir>"),
            ("out/Cargo.toml", "new"),
            ("out/src", "<dir>"),
            ("out/src/lib.rs", "lib"),
            ("out/target", "<dir>"),
            ("out/target/debug", "<dir>"),
            ("out/target/debug/cache", "cache"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(after, expected);
        std::fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn a_failure_while_writing_leaves_nothing_behind() {
        let (parent, dir) = previous("half");
        let before = state(&parent);
        // `a` is written as a file, then `a/b` needs it to be a directory
        let err = write_atomically(&output(&[("a", "file"), ("a/b", "below a file"), ("z", "never")]), &dir).unwrap_err();
        assert!(err.contains("/a"), "{err}");
        assert_eq!(state(&parent), before);
        std::fs::remove_dir_all(&parent).unwrap();
    }
}
