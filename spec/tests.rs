use super::*;

const SMALL: &str = r#"
crate_version = "0.3.1"
[[release]]
version = "8.0.2.0"
file = "old.json"
sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
source = { sdk = "vSphere Management SDK 8.0.2.0" }
[[release]]
version = "10.0.0.0"
file = "new.yaml"
sha256 = "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7"
source = { repository = "o/r", path = "a/b.yaml", commit = "0123abc" }
"#;

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vim25-spec-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn the_checked_in_manifest_parses_and_defaults_to_the_newest() {
    let m = manifest().expect("spec/releases.toml");
    assert_eq!(m.versions(), ["9.1.1.0", "9.0.0.0", "8.0.2.0"]);
    let d = m.default_release();
    assert_eq!(d.version, "9.1.1.0");
    assert_eq!(d.file, "vi-json-9.1.1.0.yaml");
    assert!(matches!(&d.source, Source::Repository { repository, commit: None, .. } if repository == "vmware/vcf-api-specs"));
    assert_eq!(m.release("8.0.2.0").expect("8.0.2.0").file, "vi-json-8.0.2.0.json");
    assert!(parse_semver(&m.crate_version).is_some());
}

#[test]
fn versions_sort_numerically_not_as_text() {
    let m = Manifest::parse(SMALL, "small.toml").expect("parses");
    assert_eq!(m.default_release().version, "10.0.0.0");
    assert_eq!(m.crate_version, "0.3.1");
    assert_eq!(m.default_release().source.download_url().as_deref(), Some("https://raw.githubusercontent.com/o/r/0123abc/a/b.yaml"));
    assert_eq!(m.release("8.0.2.0").expect("listed").source.download_url(), None);
}

#[test]
fn unknown_release_lists_the_known_ones() {
    let m = Manifest::parse(SMALL, "small.toml").expect("parses");
    let e = m.release("7.0.0.0").expect_err("not listed").to_string();
    assert_eq!(e, "release `7.0.0.0` is not in the manifest (known: 10.0.0.0, 8.0.2.0)");
}

#[test]
fn malformed_manifests_name_the_file_and_release() {
    let cases = [
        (SMALL.replace("0123abc\" }", "0123abc\", sdk = \"x\" }"), "release 10.0.0.0: source must be"),
        (SMALL.replace("2cf24dba", "2CF24DBA"), "release 8.0.2.0: sha256 must be"),
        (SMALL.replace("old.json", "../old.json"), "must be a bare file name"),
        (SMALL.replace("0.3.1", "0.3"), "crate_version `0.3`"),
        (SMALL.replace("10.0.0.0", "8.0.2.0"), "release 8.0.2.0 is listed twice"),
        (SMALL.replace("file = \"new.yaml\"", "file = \"new.yaml\"\nurl = \"x\""), "unknown field `url`"),
        ("crate_version = \"1.0.0\"\n".to_owned(), "no [[release]] entries"),
    ];
    for (text, want) in cases {
        let e = Manifest::parse(&text, "bad.toml").expect_err(want).to_string();
        assert!(e.starts_with("bad.toml: "), "{e}");
        assert!(e.contains(want), "{e} lacks {want}");
    }
}

#[test]
fn find_in_verifies_and_reports_every_searched_directory() {
    let m = Manifest::parse(SMALL, "small.toml").expect("parses");
    let old = m.release("8.0.2.0").expect("listed");
    let (a, b) = (temp_dir("a"), temp_dir("b"));
    let e = find_in(old, &[a.clone(), b.clone()]).expect_err("absent").to_string();
    assert!(e.contains(&a.display().to_string()) && e.contains(&b.display().to_string()), "{e}");

    // sha256("hello") is the pinned value of old.json
    std::fs::write(b.join("old.json"), "hello").expect("write");
    assert_eq!(find_in(old, &[a.clone(), b.clone()]).expect("found"), b.join("old.json"));

    // a wrong copy earlier in the search order is an error, not skipped
    std::fs::write(a.join("old.json"), "hellO").expect("write");
    let e = find_in(old, &[a.clone(), b.clone()]).expect_err("corrupt").to_string();
    assert!(e.contains("is not the pinned 2cf24dba") && e.contains("release 8.0.2.0"), "{e}");
    let _ = (std::fs::remove_dir_all(a), std::fs::remove_dir_all(b));
}

#[test]
fn every_tracked_release_is_committed_and_resolves_without_a_mirror() {
    let m = manifest().expect("spec/releases.toml");
    for version in m.versions() {
        let p = resolve(Some(&version), None).unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(p.parent(), Some(tracked_dir().as_path()), "{version} came from {}", p.display());
        // a clone has it even with no mirror beside the checkout
        let only_spec = resolve(Some(&version), Some(&tracked_dir())).unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(only_spec, p);
    }
    let e = resolve(Some("1.0"), None).expect_err("unknown");
    assert!(matches!(e, Error::UnknownRelease { .. }));
}

/// A checkout with SMALL as its manifest (default 10.0.0.0, sha256 486ea462...).
fn checkout(tag: &str) -> PathBuf {
    let root = temp_dir(tag);
    std::fs::create_dir_all(root.join("spec")).expect("spec/");
    std::fs::create_dir_all(root.join("generated/src")).expect("generated/src");
    std::fs::write(root.join("spec/releases.toml"), SMALL).expect("manifest");
    root
}

fn write_generated(root: &Path, made_from: &str) {
    let g = root.join("generated");
    let map = format!(r#"{{"release": "x", "spec_sha256": "{made_from}", "schemas": {{}}, "operations": {{}}}}"#);
    std::fs::write(g.join("api-map.json"), &map).expect("api-map");
    std::fs::write(g.join("src/lib.rs"), "hello").expect("lib.rs");
    let sums = format!("{}  api-map.json\n2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  src/lib.rs\n", sha256_hex(map.as_bytes()));
    std::fs::write(g.join("checksums.sha256"), sums).expect("checksums");
}

#[test]
fn gates_say_once_that_generated_is_not_produced_yet() {
    let root = checkout("gates-absent");
    let w = gates::check(&root);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("generated/ has not been produced yet"), "{w:?}");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn gates_are_quiet_on_a_fresh_generation_and_flag_a_stale_one() {
    let root = checkout("gates-fresh");
    write_generated(&root, "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7");
    assert_eq!(gates::check(&root), Vec::<String>::new());

    write_generated(&root, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    let w = gates::check(&root);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("generated/ is stale: made from release x (sha256 2cf24dba"), "{w:?}");
    assert!(w[0].contains("pins 10.0.0.0") && w[0].contains("cargo xtask release 10.0.0.0"), "{w:?}");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn gates_flag_edited_missing_added_and_escaping_files() {
    let root = checkout("gates-edits");
    write_generated(&root, "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7");
    let g = root.join("generated");
    std::fs::write(g.join("src/lib.rs"), "hello, edited").expect("edit");
    std::fs::write(g.join("src/extra.rs"), "").expect("add");
    std::fs::create_dir_all(g.join("target/debug")).expect("target");
    std::fs::write(g.join("target/debug/ignored"), "").expect("build output is ignored");
    let mut sums = std::fs::read_to_string(g.join("checksums.sha256")).expect("read");
    sums.push_str(&format!("{}  src/gone.rs\n{}  ../spec/releases.toml\n", "0".repeat(64), "0".repeat(64)));
    std::fs::write(g.join("checksums.sha256"), sums).expect("write");
    let w = gates::check(&root);
    assert_eq!(
        w,
        [
            "generated/src/lib.rs was edited by hand (checksum differs); regenerate or move the change into the generator",
            "generated/src/gone.rs is missing (deleted by hand?); regenerate with `cargo xtask codegen`",
            "generated/checksums.sha256 line 4: path `../spec/releases.toml` leaves generated/",
            "generated/src/extra.rs was added by hand (not in generated/checksums.sha256)",
        ]
    );
    let _ = std::fs::remove_dir_all(root);
}
