//! `cargo xtask fetch-spec`: put the pinned document of a release into the cache directory.
//!
//! The copy is written to a temporary file beside its final name and renamed only once its
//! sha256 matches the manifest, so an interrupted or wrong download never leaves a file that
//! looks usable.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use vim25_spec::Manifest;

#[derive(clap::Args)]
pub struct Args {
    /// Release version from spec/releases.toml (default: the newest).
    #[arg(long)]
    release: Option<String>,
    /// Copy the document from this mirror directory instead of downloading it.
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// Download from this URL instead of the one the manifest names (still sha256-checked).
    #[arg(long, conflicts_with = "from")]
    url: Option<String>,
    /// Cache directory (default: VIM25_SPEC_CACHE, else target/spec-cache).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Manifest to read (default: spec/releases.toml of this checkout).
    #[arg(long, value_name = "FILE", hide = true)]
    manifest: Option<PathBuf>,
}

/// A body larger than this is not a vi-json document (they are under 10 MB).
const MAX_BYTES: u64 = 256 << 20;

pub fn run(args: Args) -> Result<(), String> {
    let manifest = match &args.manifest {
        Some(p) => Manifest::from_path(p),
        None => vim25_spec::manifest(),
    }
    .map_err(|e| e.to_string())?;
    let release = manifest.pick(args.release.as_deref()).map_err(|e| e.to_string())?;
    let cache = args.cache.clone().unwrap_or_else(vim25_spec::cache_dir);
    let dest = cache.join(&release.file);
    if dest.is_file() && vim25_spec::verify(&dest, release).is_ok() {
        println!("{} (release {}, already present)", dest.display(), release.version);
        return Ok(());
    }
    std::fs::create_dir_all(&cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    let tmp = cache.join(format!(".{}.{}.partial", release.file, std::process::id()));
    // what the bytes come from, for messages: the temporary file is never worth naming
    let (origin, fetched) = match &args.from {
        Some(dir) => {
            let src = dir.join(&release.file);
            (src.display().to_string(), copy_from(&src, &tmp))
        }
        None => {
            let url = match (&args.url, release.source.download_url()) {
                (Some(u), _) => u.clone(),
                (None, Some(u)) => u,
                (None, None) => {
                    return Err(format!("release {} has no download URL (published in {}); pass --url URL or --from DIR", release.version, release.source))
                }
            };
            let fetched = download(&url, &tmp);
            (url, fetched)
        }
    };
    let checked = fetched.and_then(|()| match vim25_spec::verify(&tmp, release) {
        Err(vim25_spec::Error::Checksum { expected, actual, .. }) => {
            Err(format!("{origin}: sha256 {actual} is not the pinned {expected} of release {}; nothing was written", release.version))
        }
        other => other.map_err(|e| e.to_string()),
    });
    let placed = checked.and_then(|()| std::fs::rename(&tmp, &dest).map_err(|e| format!("{}: {e}", dest.display())));
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    println!("{} (release {}, sha256 {})", dest.display(), release.version, release.sha256);
    Ok(())
}

fn copy_from(src: &Path, tmp: &Path) -> Result<(), String> {
    if !src.is_file() {
        return Err(format!("{}: no such file in the mirror", src.display()));
    }
    std::fs::copy(src, tmp).map_err(|e| format!("copying {}: {e}", src.display()))?;
    // mirrors are often read-only; the cached copy must stay replaceable
    set_writable(tmp).map_err(|e| format!("{}: {e}", tmp.display()))
}

#[cfg(unix)]
fn set_writable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_writable(path: &Path) -> std::io::Result<()> {
    let mut perms = std::fs::metadata(path)?.permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms)
}

fn download(url: &str, tmp: &Path) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(std::time::Duration::from_secs(20)))
        .timeout_global(Some(std::time::Duration::from_secs(600)))
        .build()
        .into();
    let response = agent.get(url).call().map_err(|e| format!("downloading {url}: {e}"))?;
    let mut body = response.into_body().into_with_config().limit(MAX_BYTES).reader();
    let mut file = std::fs::File::create(tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = body.read(&mut buf).map_err(|e| format!("downloading {url}: {e}"))?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).map_err(|e| format!("{}: {e}", tmp.display()))?;
    }
    file.sync_all().map_err(|e| format!("{}: {e}", tmp.display()))
}
