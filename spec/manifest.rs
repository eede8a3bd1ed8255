//! The release manifest (`spec/releases.toml`): which vi-json documents we track and the exact
//! bytes (sha256) we generate from.
//!
//! This file is compiled twice: as part of the `vim25-spec` library and, through `#[path]`, into
//! the root build script, so it only depends on serde, toml and sha2.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::fmt;
use std::path::{Path, PathBuf};

/// Everything that can go wrong reading the manifest or finding a document. Every message
/// names the file or release it is about.
#[derive(Debug)]
pub enum Error {
    /// The manifest is unreadable or malformed (`origin` is its path).
    Manifest { origin: String, message: String },
    /// A release version the manifest does not list.
    UnknownRelease { version: String, known: Vec<String> },
    /// Reading a file failed.
    Io { path: PathBuf, source: std::io::Error },
    /// A document's bytes are not the pinned ones.
    Checksum { path: PathBuf, release: String, expected: String, actual: String },
    /// No copy of the document was found in any searched directory.
    NotFound { release: String, file: String, searched: Vec<PathBuf> },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Manifest { origin, message } => write!(f, "{origin}: {message}"),
            Error::UnknownRelease { version, known } => {
                write!(f, "release `{version}` is not in the manifest (known: {})", known.join(", "))
            }
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Checksum { path, release, expected, actual } => {
                write!(f, "{}: sha256 {actual} is not the pinned {expected} of release {release}", path.display())
            }
            Error::NotFound { release, file, searched } => {
                let dirs: Vec<String> = searched.iter().map(|d| d.display().to_string()).collect();
                write!(f, "no copy of `{file}` (release {release}) in {}", dirs.join(", "))?;
                write!(f, "; run `cargo xtask fetch-spec --release {release}` or set VIM25_SPEC_DIR")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The parsed `spec/releases.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Version of the generated `vim25` crate (`x.y.z`).
    pub crate_version: String,
    /// Tracked releases, newest first.
    pub releases: Vec<Release>,
}

/// One tracked vi-json document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// vSphere release, as in the document's `info.version` (`9.1.1.0`).
    pub version: String,
    pub source: Source,
    /// Lower-case hex sha256 of the copy we generate from.
    pub sha256: String,
    /// File name of that copy in the mirror or cache directory.
    pub file: String,
}

/// Where VMware publishes the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file in a public git repository; `commit` is `None` when it is not known.
    Repository { repository: String, path: String, commit: Option<String> },
    /// Shipped in the vSphere Management SDK (no public URL).
    Sdk { name: String },
}

impl Source {
    /// A URL serving exactly the pinned file, when one can be named without guessing.
    pub fn download_url(&self) -> Option<String> {
        match self {
            Source::Repository { repository, path, commit: Some(commit) } => {
                Some(format!("https://raw.githubusercontent.com/{repository}/{commit}/{path}"))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Repository { repository, path, commit: Some(c) } => write!(f, "{repository}:{path} at {c}"),
            Source::Repository { repository, path, commit: None } => {
                write!(f, "{repository}:{path} (commit not recorded)")
            }
            Source::Sdk { name } => f.write_str(name),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    crate_version: String,
    #[serde(default)]
    release: Vec<RawRelease>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelease {
    version: String,
    file: String,
    sha256: String,
    source: RawSource,
}

// Both source shapes in one struct: serde's untagged enums would hide which key is wrong.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    repository: Option<String>,
    path: Option<String>,
    commit: Option<String>,
    sdk: Option<String>,
}

impl Manifest {
    /// Parses manifest text; `origin` names the file in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Manifest, Error> {
        let err = |message: String| Error::Manifest { origin: origin.to_owned(), message };
        let raw: RawManifest = toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_owned()))?;
        if parse_semver(&raw.crate_version).is_none() {
            return Err(err(format!("crate_version `{}` is not `major.minor.patch`", raw.crate_version)));
        }
        if raw.release.is_empty() {
            return Err(err("no [[release]] entries".into()));
        }
        let mut releases = Vec::new();
        for r in raw.release {
            let at = format!("release {}", r.version);
            if version_key(&r.version).is_none() {
                return Err(err(format!("{at}: version is not dotted numbers")));
            }
            if r.sha256.len() != 64 || !r.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return Err(err(format!("{at}: sha256 must be 64 lower-case hex digits")));
            }
            // a bare name: it is joined to mirror and cache directories
            if r.file.is_empty() || r.file.contains(['/', '\\']) || r.file == "." || r.file == ".." {
                return Err(err(format!("{at}: file `{}` must be a bare file name", r.file)));
            }
            let source = match r.source {
                RawSource { repository: Some(repository), path: Some(path), commit, sdk: None } => Source::Repository { repository, path, commit },
                RawSource { repository: None, path: None, commit: None, sdk: Some(name) } => Source::Sdk { name },
                _ => return Err(err(format!("{at}: source must be {{ repository, path[, commit] }} or {{ sdk }}"))),
            };
            if releases.iter().any(|o: &Release| o.version == r.version) {
                return Err(err(format!("{at} is listed twice")));
            }
            releases.push(Release { version: r.version, source, sha256: r.sha256, file: r.file });
        }
        releases.sort_by(|a, b| compare_versions(&b.version, &a.version));
        Ok(Manifest { crate_version: raw.crate_version, releases })
    }

    pub fn from_path(path: &Path) -> Result<Manifest, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
        Manifest::parse(&text, &path.display().to_string())
    }

    /// The newest release.
    pub fn default_release(&self) -> &Release {
        // `parse` refuses an empty list and sorts newest first
        &self.releases[0]
    }

    pub fn release(&self, version: &str) -> Result<&Release, Error> {
        self.releases
            .iter()
            .find(|r| r.version == version)
            .ok_or_else(|| Error::UnknownRelease { version: version.to_owned(), known: self.versions() })
    }

    /// `Some(version)` looks it up, `None` is the default release.
    pub fn pick(&self, version: Option<&str>) -> Result<&Release, Error> {
        match version {
            Some(v) => self.release(v),
            None => Ok(self.default_release()),
        }
    }

    /// Versions, newest first.
    pub fn versions(&self) -> Vec<String> {
        self.releases.iter().map(|r| r.version.clone()).collect()
    }
}

/// Numeric components of a dotted version (`9.1.1.0`).
fn version_key(v: &str) -> Option<Vec<u64>> {
    v.split('.').map(|p| p.parse().ok()).collect()
}

pub fn compare_versions(a: &str, b: &str) -> Ordering {
    match (version_key(a), version_key(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// `major.minor.patch` of a crate version.
pub fn parse_semver(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.split('.').map(|p| p.parse::<u64>().ok());
    let out = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(out)
}

/// Lower-case hex sha256 of `bytes`: the form of the manifest's pins, of the document hash the
/// generator records in `generated/api-map.json`, and of `generated/checksums.sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let io = |source| Error::Io { path: path.to_owned(), source };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Checks that `path` holds exactly the pinned bytes of `release`.
pub fn verify(path: &Path, release: &Release) -> Result<(), Error> {
    let actual = sha256_file(path)?;
    if actual != release.sha256 {
        return Err(Error::Checksum { path: path.to_owned(), release: release.version.clone(), expected: release.sha256.clone(), actual });
    }
    Ok(())
}
