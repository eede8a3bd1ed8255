//! End-to-end tests of `fetch-spec`, `diff`, `release` and `layout` through the xtask binary.
//!
//! Downloads are served by a one-shot HTTP server on 127.0.0.1 (the network is closed in CI);
//! the diff, release and layout tests use the tracked vi-json documents, committed in spec/.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xtask-sync-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The tracked releases' documents, committed in spec/.
fn tracked_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// A manifest with one release `1.0.0.0` whose pinned content is the five bytes `hello`.
fn hello_manifest(dir: &Path) -> PathBuf {
    let path = dir.join("releases.toml");
    let text = r#"crate_version = "0.1.0"
[[release]]
version = "1.0.0.0"
file = "hello.json"
sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
source = { sdk = "test" }
"#;
    std::fs::write(&path, text).expect("manifest");
    path
}

/// Serves one HTTP response on a free local port; returns the URL.
fn serve_once(status: &'static str, body: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(body);
        }
    });
    format!("http://127.0.0.1:{port}/vi-json.yaml")
}

#[test]
fn fetch_spec_downloads_verifies_and_renames() {
    let dir = temp_dir("dl-ok");
    let manifest = hello_manifest(&dir);
    let cache = dir.join("cache");
    let url = serve_once("200 OK", b"hello");
    let args = ["fetch-spec", "--manifest", manifest.to_str().expect("utf-8"), "--cache", cache.to_str().expect("utf-8")];
    let out = xtask(&[&args[..], &["--url", &url]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(cache.join("hello.json")).expect("cached"), b"hello");
    assert_eq!(files_in(&cache), ["hello.json"]);
    // a verified copy is not fetched again (no server is listening any more)
    let out = xtask(&[&args[..], &["--url", &url]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("already present"), "{}", text(&out.stdout));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fetch_spec_download_errors_leave_no_file() {
    let dir = temp_dir("dl-bad");
    let manifest = hello_manifest(&dir);
    let cache = dir.join("cache");
    let base = ["fetch-spec", "--manifest", manifest.to_str().expect("utf-8"), "--cache", cache.to_str().expect("utf-8")];
    let cases: [(String, &str); 4] = [
        (serve_once("200 OK", b"hellO"), "is not the pinned 2cf24dba"),
        (serve_once("404 Not Found", b"missing"), "404"),
        // a port nobody listens on: bind, note the port, close
        (format!("http://{}/x", TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port")), "downloading"),
        ("not a url".to_owned(), "downloading not a url"),
    ];
    for (url, want) in cases {
        let out = xtask(&[&base[..], &["--url", &url]].concat());
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{url} succeeded");
        assert!(err.starts_with("error: ") && err.contains(want), "{url}: {err}");
        assert_eq!(files_in(&cache), Vec::<String>::new(), "{url} left files");
    }
    // no URL in the manifest and none given
    let out = xtask(&base);
    assert!(text(&out.stderr).contains("release 1.0.0.0 has no download URL (published in test); pass --url URL or --from DIR"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fetch_spec_from_a_mirror_checks_the_copy() {
    let dir = temp_dir("mirror");
    let manifest = hello_manifest(&dir);
    let (good, bad, cache) = (dir.join("good"), dir.join("bad"), dir.join("cache"));
    for (d, content) in [(&good, "hello"), (&bad, "hello\n")] {
        std::fs::create_dir_all(d).expect("mirror");
        std::fs::write(d.join("hello.json"), content).expect("copy");
    }
    let base = ["fetch-spec", "--manifest", manifest.to_str().expect("utf-8"), "--cache", cache.to_str().expect("utf-8")];
    let out = xtask(&[&base[..], &["--from", bad.to_str().expect("utf-8")]].concat());
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains(&format!("{}: sha256 ", bad.join("hello.json").display())) && err.contains("nothing was written"), "{err}");
    assert_eq!(files_in(&cache), Vec::<String>::new());

    let out = xtask(&[&base[..], &["--from", dir.join("absent").to_str().expect("utf-8")]].concat());
    assert!(text(&out.stderr).contains("no such file in the mirror"), "{}", text(&out.stderr));

    let out = xtask(&[&base[..], &["--from", good.to_str().expect("utf-8")]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(files_in(&cache), ["hello.json"]);

    let out = xtask(&[&base[..], &["--release", "2.0"]].concat());
    assert!(text(&out.stderr).contains("release `2.0` is not in the manifest (known: 1.0.0.0)"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fetch_spec_takes_the_shared_release_documents() {
    let shared = tracked_dir();
    let cache = temp_dir("shared-cache");
    let out = xtask(&["fetch-spec", "--release", "9.0.0.0", "--from", shared.to_str().expect("utf-8"), "--cache", cache.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(files_in(&cache), ["vi-json-9.0.0.0.yaml"]);
    let _ = std::fs::remove_dir_all(cache);
}

fn diff_json(old: &str, new: &str, shared: &Path) -> serde_json::Value {
    let out = xtask(&["diff", old, new, "--format", "json", "--from", shared.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn len(v: &serde_json::Value, pointer: &str) -> usize {
    v.pointer(pointer).and_then(|a| a.as_array()).map_or(usize::MAX, Vec::len)
}

#[test]
fn diff_across_the_shared_releases() {
    let shared = tracked_dir();
    let d = diff_json("9.0.0.0", "9.1.1.0", &shared);
    assert_eq!((len(&d, "/schemas/added"), len(&d, "/schemas/removed")), (185, 0));
    assert_eq!((len(&d, "/operations/added"), len(&d, "/operations/removed")), (43, 0));
    // 9.1.1.0 drops two enum values of 9.0.0.0 and gives a type its first subtype
    assert_eq!(d["semver"], "major");
    assert_eq!(d["enum_values"]["removed"][0], serde_json::json!({"schema": "VsanCapabilityType90_enum", "value": "vcgnotification"}));
    assert!(d["schemas"]["added"].as_array().expect("list").iter().any(|s| s == "SearchIndexQuerySpec"));

    let back = diff_json("9.1.1.0", "9.0.0.0", &shared);
    assert_eq!((len(&back, "/schemas/removed"), len(&back, "/operations/removed")), (185, 43));
    assert_eq!(back["semver"], "major");

    // a path is taken as a document, and Markdown is the default format
    let file = shared.join("vi-json-8.0.2.0.json");
    let out = xtask(&["diff", file.to_str().expect("utf-8"), "9.1.1.0", "--from", shared.to_str().expect("utf-8")]);
    let md = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(md.starts_with("## vSphere 8.0.2.0 → 9.1.1.0\n"), "{}", &md[..200.min(md.len())]);
    assert!(md.contains("(schemas +454 −0 ") && md.contains("operations +78 −0 "), "{}", &md[..400.min(md.len())]);
}

#[test]
fn release_needs_to_know_what_generated_was_made_from() {
    let root = temp_dir("release-unknown");
    std::fs::create_dir_all(root.join("spec")).expect("spec/");
    std::fs::copy(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/releases.toml"), root.join("spec/releases.toml")).expect("manifest");
    let out = xtask(&["release", "9.1.1.0", "--root", root.to_str().expect("utf-8")]);
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("generated/api-map.json") && err.contains("pass --previous"), "{err}");
    let out = xtask(&["release", "9.9.9.9", "--root", root.to_str().expect("utf-8")]);
    assert!(text(&out.stderr).contains("release `9.9.9.9` is not in the manifest"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn release_dry_run_prints_the_entry_and_the_bump() {
    let shared = tracked_dir();
    let root = temp_dir("release-dry");
    std::fs::create_dir_all(root.join("spec")).expect("spec/");
    let manifest = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/releases.toml")).expect("manifest");
    let manifest =
        manifest.replace(&manifest.lines().find(|l| l.starts_with("crate_version")).expect("crate_version line").to_owned(), "crate_version = \"0.4.2\"");
    std::fs::write(root.join("spec/releases.toml"), &manifest).expect("manifest");
    let args =
        ["release", "9.1.1.0", "--previous", "9.0.0.0", "--dry-run", "--root", root.to_str().expect("utf-8"), "--from", shared.to_str().expect("utf-8")];
    // the layout record is needed
    let out = xtask(&args);
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains(&format!("{}: ", root.join("spec/layout.json").display())) && err.contains("`cargo xtask layout --reset` creates it"), "{err}");
    let layout = std::fs::read_to_string(repo_layout()).expect("spec/layout.json");
    std::fs::write(root.join("spec/layout.json"), &layout).expect("layout");
    let out = xtask(&args);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.starts_with("## 0.5.0 - 20"), "{}", &stdout[..200.min(stdout.len())]);
    assert!(stdout.contains(" - vSphere 9.1.1.0\n"));
    // the record keeps every type's layout: no type moves between inline and boxed
    assert!(!stdout.contains("inline") && !stdout.contains("boxed ("), "{stdout}");
    assert!(stdout.contains(" decisions; 0 new, 0 dropped, 0 changed\n"), "{stdout}");
    assert!(stdout.ends_with("would set crate_version 0.4.2 -> 0.5.0 (major)\n"), "{}", &stdout[stdout.len().saturating_sub(200)..]);
    // nothing written
    assert_eq!(std::fs::read_to_string(root.join("spec/releases.toml")).expect("manifest"), manifest);
    assert_eq!(std::fs::read_to_string(root.join("spec/layout.json")).expect("layout"), layout);
    assert_eq!(files_in(&root), ["spec"]);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn release_regenerates_bumps_and_writes_the_changelog() {
    let shared = tracked_dir();
    let root = temp_dir("release-real");
    for d in ["spec", "generated"] {
        std::fs::create_dir_all(root.join(d)).expect("dirs");
    }
    let manifest = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/releases.toml")).expect("manifest");
    let manifest =
        manifest.replace(&manifest.lines().find(|l| l.starts_with("crate_version")).expect("crate_version line").to_owned(), "crate_version = \"1.3.0\"");
    std::fs::write(root.join("spec/releases.toml"), &manifest).expect("manifest");
    // generated/ as if made from 9.0.0.0
    let map =
        r#"{"release": "9.0.0.0", "spec_sha256": "8c778c7861cdee6dc94c0c83d613a115af95bdadd4a3dd86a73bc59bbf74dc02", "schemas": {}, "operations": {}}"#;
    std::fs::write(root.join("generated/api-map.json"), map).expect("api-map");
    // the layout record of 9.0.0.0, as the previous release would have left it
    let layout = root.join("spec/layout.json");
    let out =
        xtask(&["layout", "--reset", "--release", "9.0.0.0", "--from", shared.to_str().expect("utf-8"), "--layout", layout.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(root.join("CHANGELOG.md"), "# Changelog\n\nIntro.\n\n## 1.3.0 - older\n\nOld entry.\n").expect("changelog");

    let args = ["release", "9.1.1.0", "--root", root.to_str().expect("utf-8"), "--from", shared.to_str().expect("utf-8")];
    let out = xtask(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("released vim25 2.0.0 for vSphere 9.1.1.0 (major change from 9.0.0.0)"), "{}", text(&out.stdout));

    let bumped = std::fs::read_to_string(root.join("spec/releases.toml")).expect("manifest");
    assert_eq!(bumped, manifest.replace("crate_version = \"1.3.0\"", "crate_version = \"2.0.0\""));
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).expect("changelog");
    let (new_at, old_at) = (log.find("## 2.0.0 - ").expect("new entry"), log.find("## 1.3.0 - older").expect("old entry"));
    assert!(log.starts_with("# Changelog\n\nIntro.\n\n## 2.0.0 - ") && new_at < old_at, "{}", &log[..300.min(log.len())]);
    assert!(log.contains("vSphere API 9.0.0.0 → 9.1.1.0: a **major** change"));
    // of the five moves of the size rule, the record keeps four types' 9.0.0.0 layout; one
    // is the room rule's: a subtype of `PbmPlacementRequirement` gains its first subtype
    // (itself breaking) and holds its own struct inline, so that `PbmPlacementRequirement`'s
    // enum outgrows its room in `DataObjectKind`
    let moves: Vec<&str> = log.lines().filter(|l| l.contains("inline")).collect();
    assert_eq!(moves, ["- `PbmPlacementRequirement`: kind enum nested boxed in its parent's (was inline)"]);
    let record = |path: &Path| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(path).expect("layout")).expect("JSON") };
    let (kept, by_size) = (record(&layout), record(&repo_layout()));
    let mut moved = Vec::new();
    for kind in ["held", "own", "nested"] {
        for (side, other) in [("inline", "boxed"), ("boxed", "inline")] {
            for name in kept[kind][side].as_array().expect("list") {
                if by_size[kind][other].as_array().expect("list").contains(name) {
                    moved.push(format!("{kind} {side} {}", name.as_str().expect("name")));
                }
            }
        }
    }
    moved.sort();
    let expected =
        ["held inline VsanEsaConfig", "held inline VsanObjectOverallHealth", "nested boxed HostPciPassthruInfo", "own inline HostPciPassthruInfo"];
    assert_eq!(moved, expected);
    let kept_text = std::fs::read_to_string(&layout).expect("layout");
    // the release names what it keeps inline beyond the size limit
    let stdout = text(&out.stdout);
    assert!(stdout.contains("; 3 pinned inline beyond the size limit (HostPciPassthruInfo, VsanEsaConfig, VsanObjectOverallHealth)"), "{stdout}");

    let map: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join("generated/api-map.json")).expect("api-map")).expect("JSON");
    assert_eq!(map["release"], "9.1.1.0");
    assert_eq!(map["spec_sha256"], "842dd998f8e4231ce5edfaf745ffd483650d441abbda0c6be4a24928fc817075");
    // what build.rs checks: the fresh generated/ matches the pinned default and its checksums
    assert_eq!(vim25_spec::gates::check(&root), Vec::<String>::new());
    // a hand edit is then reported
    let lib = root.join("generated/src/lib.rs");
    let mut src = std::fs::read_to_string(&lib).expect("lib.rs");
    src.push_str("\n// edited\n");
    std::fs::write(&lib, src).expect("edit");
    assert_eq!(
        vim25_spec::gates::check(&root),
        ["generated/src/lib.rs was edited by hand (checksum differs); regenerate or move the change into the generator"]
    );

    // the same release again: nothing to do, nothing written
    let out = xtask(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("nothing to release"), "{}", text(&out.stdout));
    assert_eq!(std::fs::read_to_string(root.join("spec/releases.toml")).expect("manifest"), bumped);
    assert_eq!(std::fs::read_to_string(&layout).expect("layout"), kept_text);
    let _ = std::fs::remove_dir_all(root);
}

fn repo_layout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/layout.json")
}

#[test]
fn layout_check_and_update_the_record() {
    let shared = tracked_dir();
    let dir = temp_dir("layout");
    let path = dir.join("layout.json");
    let full = std::fs::read_to_string(repo_layout()).expect("spec/layout.json");
    std::fs::write(&path, &full).expect("layout");
    let base = ["layout", "--from", shared.to_str().expect("utf-8"), "--layout", path.to_str().expect("utf-8")];
    let out = xtask(&[&base[..], &["--check"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));

    // a decision removed by hand: the document has a type the record does not pin
    let removed = full.replacen("\"VsanEsaConfig\",\n", "", 1);
    assert_ne!(removed, full, "VsanEsaConfig is in the record");
    std::fs::write(&path, &removed).expect("layout");
    let out = xtask(&[&base[..], &["--check"]].concat());
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("is not the layout of") && err.contains("1 new"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).expect("layout"), removed, "--check wrote");
    // the update pins it again, decided by size
    let out = xtask(&base);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(" decisions; 1 new, 0 dropped, 0 changed, from "), "{}", text(&out.stdout));
    assert_eq!(std::fs::read_to_string(&path).expect("layout"), full);

    // a decision changed by hand is kept by the update, and --reset decides it by size again
    let mut flipped: serde_json::Value = serde_json::from_str(&full).expect("JSON");
    flipped["held"]["boxed"].as_array_mut().expect("list").retain(|n| n != "VsanEsaConfig");
    let inline = flipped["held"]["inline"].as_array_mut().expect("list");
    inline.push("VsanEsaConfig".into());
    inline.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    std::fs::write(&path, serde_json::to_string_pretty(&flipped).expect("JSON")).expect("layout");
    let out = xtask(&[&base[..], &["--check"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = xtask(&[&base[..], &["--reset"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(" decisions; 0 new, 0 dropped, 1 changed (held VsanEsaConfig), from "), "{}", text(&out.stdout));
    assert_eq!(std::fs::read_to_string(&path).expect("layout"), full);

    // codegen and diff refuse a malformed record, naming it and the line
    std::fs::write(&path, full.replacen("\"inline\": [", "\"inline\": [\"Zzz\",", 1)).expect("layout");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../generator/tests/fixtures/mini.yaml");
    for args in [
        vec!["codegen", "--spec", fixture.to_str().expect("utf-8"), "--out", dir.join("out").to_str().expect("utf-8")],
        vec!["diff", "9.0.0.0", "9.1.1.0", "--from", shared.to_str().expect("utf-8")],
    ] {
        let out = xtask(&[&args[..], &["--layout", path.to_str().expect("utf-8")]].concat());
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.starts_with(&format!("error: {}: ", path.display())), "{err}");
        assert!(err.contains("`ActiveDirectoryProfile` is listed twice or out of order (after `Zzz`) at line "), "{err}");
    }
    assert!(!dir.join("out").exists());
    let _ = std::fs::remove_dir_all(dir);
}
