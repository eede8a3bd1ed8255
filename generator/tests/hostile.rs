//! Hostile and awkward documents: each either fails with an error that names where (a JSON
//! pointer or a line) and writes nothing, or generates a crate that compiles. None panics.
//!
//! The documents are built from the fixture `fixtures/mini.yaml` by small textual edits, so
//! that each differs from a document known to generate in the one way it is about. The cases
//! that generate are merged into one document, compiled once.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use vim25_generator::{generate, write_atomically, Options, Output, SpecError};

const MINI: &str = include_str!("fixtures/mini.yaml");

fn options() -> Options {
    Options { crate_version: "9.9.9".into(), standalone: true, layout: None }
}

/// `text` with each `(from, to)` replaced once; `from` must be there.
fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in edits {
        assert!(out.contains(from), "the fixture has no `{from}`");
        out = out.replacen(from, to, 1);
    }
    out
}

/// The fixture with `yaml` (schemas, indented by four) added under `components/schemas`.
fn with_schemas(text: &str, yaml: &str) -> String {
    edit(text, &[("\n  schemas:\n", &format!("\n  schemas:\n{yaml}"))])
}

/// The fixture with `yaml` (path items, indented by two) added under `paths`.
fn with_paths(text: &str, yaml: &str) -> String {
    edit(text, &[("\npaths:\n", &format!("\npaths:\n{yaml}"))])
}

/// A POST operation of `Widget` at member `member` with a request body `body`.
fn widget_post(member: &str, operation_id: &str, body: Option<&str>) -> String {
    let body = body
        .map(|b| format!("      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/{b}'\n"))
        .unwrap_or_default();
    format!(
        "  /Widget/{{moId}}/{member}:\n    post:\n      tags: [Widget]\n      operationId: {operation_id}\n      parameters:\n        - $ref: '#/components/parameters/moId'\n      security:\n        - Session: []\n{body}      responses:\n        '204':\n          description: No Content\n"
    )
}

/// The fixture as JSON.
fn mini_json() -> String {
    let v: serde_json::Value = serde_yaml::from_str(MINI).expect("the fixture is YAML");
    serde_json::to_string_pretty(&v).expect("serializes")
}

/// Runs the library entry point, failing the test if it panics.
fn run(name: &str, doc: &[u8]) -> Result<Output, SpecError> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| generate(doc, &options()))) {
        Ok(result) => result,
        Err(payload) => {
            let text = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{name}: the generator panicked: {text}")
        }
    }
}

/// A scratch directory for this test, emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creates the scratch directory");
    dir
}

/// Every file under `dir` with its bytes, relative paths sorted.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("reads the directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("reads the file");
                out.push((path.strip_prefix(dir).expect("below").to_path_buf(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// An `--out` directory holding a previous crate: a sentinel file, a source file, a build
/// directory. Returns the parent holding it (where the writer stages) and the directory.
fn previous_out(name: &str) -> (PathBuf, PathBuf) {
    let parent = scratch(name);
    let out = parent.join("out");
    std::fs::create_dir_all(out.join("src")).unwrap();
    std::fs::create_dir_all(out.join("target/debug")).unwrap();
    std::fs::write(out.join("SENTINEL"), b"the previous output\n").unwrap();
    std::fs::write(out.join("src/lib.rs"), b"// previous\n").unwrap();
    std::fs::write(out.join("target/debug/artifact"), [0u8, 1, 2, 255]).unwrap();
    (parent, out)
}

/// What a failing case must satisfy: a location of the expected shape, and an `--out`
/// directory (generating then writing, as `cargo xtask codegen --out` does) left as it was.
fn assert_fails_at(name: &str, doc: &[u8], location: &str, message: &str) -> SpecError {
    let (parent, out) = previous_out(name);
    let before = snapshot(&parent);
    let err = match run(name, doc).and_then(|o| write_atomically(&o, &out).map_err(|e| SpecError::at("(write)", e)).map(|()| o)) {
        Ok(_) => panic!("{name}: generated, expected an error at {location}"),
        Err(e) => e,
    };
    assert_eq!(err.location, location, "{name}: {err}");
    assert!(err.message.contains(message), "{name}: `{err}` lacks `{message}`");
    assert_eq!(snapshot(&parent), before, "{name}: the --out directory changed");
    err
}

#[test]
fn empty_and_blank_documents_are_refused() {
    for (name, doc) in [("empty", ""), ("blank", " \n \n"), ("bom", "\u{feff}"), ("null", "~\n"), ("scalar", "hello\n"), ("list", "- a\n- b\n")] {
        assert_fails_at(name, doc.as_bytes(), "#", "not a mapping");
    }
    assert_fails_at("empty-json", b"{}", "#", "missing field `openapi`");
    assert_fails_at("tab", b" \n\t\n", "line 2 column 1", "cannot start any token");
}

#[test]
fn truncated_documents_name_the_line() {
    // cut inside a quoted string, inside a block, and inside a flow sequence
    let at = MINI.find("description: |2\n        Frobs").unwrap() + 20;
    let cut = &MINI[..MINI.find("'Mini vi-json'").unwrap() + 5];
    assert_fails_at("truncated-quote", cut.as_bytes(), "line 3 column 15", "while scanning a quoted scalar at line 3 column 10");
    let cut = &MINI[..MINI.find("tags: [Widget]").unwrap() + 10];
    assert_fails_at("truncated-flow", cut.as_bytes(), "line 19 column 1", "while parsing a flow sequence at line 18 column 13");
    // cut inside a block scalar: still YAML, and the operation cut short is named
    let cut = &MINI[..at];
    assert_fails_at("truncated-block", cut.as_bytes(), "#/paths/~1Widget~1{moId}~1Frob_Task/post", "missing field `responses`");
    // cut at every line end: an error with a pointer or a line, or a document that generates
    let mut generated = Vec::new();
    for (i, _) in MINI.match_indices('\n') {
        let cut = &MINI[..i + 1];
        match run("truncated-lines", cut.as_bytes()) {
            Ok(_) => generated.push(cut.lines().count()),
            // `#` is the document itself (`missing field `info``)
            Err(e) => assert!(e.location.starts_with('#') || e.location.starts_with("line "), "{e}"),
        }
    }
    // the cuts inside the last schema, a request type, drop its last members (the cut after
    // its name leaves it null, refused below): documents
    // like the fixture (the one without members is compiled by `awkward_documents_...`)
    assert_eq!(generated, [283, 284, 286, 288, 289, 293, 295, 296, 297, 298], "cuts after these lines generate");
    let null_schema = &MINI[..MINI.find("    FrobRequestType:\n").unwrap() + "    FrobRequestType:\n".len()];
    assert_fails_at("null-schema", null_schema.as_bytes(), "#/components/schemas/FrobRequestType", "invalid type: null");
    let json = mini_json();
    for fraction in [2, 3, 5, 7] {
        let cut = &json[..json.len() * (fraction - 1) / fraction];
        // the end of the text: past its last line break, or on its last line
        let (line, column) = match cut.rsplit_once('\n') {
            Some((_, "")) => (cut.lines().count() + 1, 0),
            Some((_, last)) => (cut.lines().count(), last.chars().count()),
            None => (1, cut.len()),
        };
        assert_fails_at("truncated-json", cut.as_bytes(), &format!("line {line} column {column}"), "EOF while parsing");
    }
}

#[test]
fn binary_garbage_is_refused() {
    // invalid UTF-8 at a known offset
    let mut doc = MINI.as_bytes().to_vec();
    doc[100] = 0xff;
    assert_fails_at("invalid-utf8", &doc, "byte 100", "not UTF-8");
    // random bytes: an error, never a panic, located somewhere
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for round in 0..64 {
        let bytes: Vec<u8> = (0..(64 + round * 37))
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let err = run("random", &bytes).expect_err("random bytes are not a document");
        assert!(err.location.starts_with("byte ") || err.location.starts_with("line ") || err.location.starts_with('#'), "{err}");
    }
    // valid UTF-8 control characters and a NUL inside the document
    let doc = edit(MINI, &[("title: 'Mini vi-json'", "title: \"Mini\u{0}\u{7}\"\n\u{1}\u{2}")]);
    assert_fails_at("control", doc.as_bytes(), "line 3 column 15", "control character U+0000");
    // the same with blank lines before the document: lines are counted from the first byte
    let doc = format!("\n\n{doc}");
    assert_fails_at("control-after-blank-lines", doc.as_bytes(), "line 5 column 15", "control character U+0000");
    let doc = edit(MINI, &[("title: 'Mini vi-json'", "title: 'Mini\u{9b}'")]);
    assert_fails_at("c1-control", doc.as_bytes(), "line 3 column 15", "control character U+009B");
}

#[test]
fn dangling_references_are_located() {
    let nope = "'#/components/schemas/Nope'";
    let cases: [(&str, String, &str); 7] = [
        (
            "deeper",
            edit(
                MINI,
                &[("$ref: '#/components/schemas/GizmoInfo'\n        secret", "$ref: '#/components/schemas/GizmoInfo/properties/next'\n        secret")],
            ),
            "#/components/schemas/GizmoInfo/properties/next",
        ),
        (
            "member",
            edit(MINI, &[("$ref: '#/components/schemas/GizmoInfo'\n        secret", &format!("$ref: {nope}\n        secret"))]),
            "#/components/schemas/GizmoInfo/properties/next",
        ),
        (
            "parent",
            edit(MINI, &[("        - $ref: '#/components/schemas/Polygon'", &format!("        - $ref: {nope}"))]),
            "#/components/schemas/Square/allOf/0",
        ),
        (
            "items",
            edit(
                MINI,
                &[(
                    "            $ref: '#/components/schemas/Shape'\n      required:\n        - _value",
                    &format!("            $ref: {nope}\n      required:\n        - _value"),
                )],
            ),
            "#/components/schemas/ArrayOfShape/properties/_value/items",
        ),
        (
            "request-body",
            edit(MINI, &[("$ref: '#/components/schemas/FrobRequestType'", &format!("$ref: {nope}"))]),
            "#/paths/~1Widget~1{moId}~1Frob_Task/post/requestBody",
        ),
        (
            "response",
            edit(MINI, &[("$ref: '#/components/schemas/GizmoInfo'\ncomponents:", "$ref: '#/components/schemas/Nope'\ncomponents:")]),
            "#/paths/~1gadget~1Gizmo~1{moId}~1Spin/post/responses/200/content/application~1json/schema/items",
        ),
        (
            "external",
            edit(
                MINI,
                &[("$ref: '#/components/schemas/Color_enum'\n      required", "$ref: 'other.yaml#/components/schemas/Color_enum'\n      required")],
            ),
            "#/components/schemas/Color/properties/_value",
        ),
    ];
    for (name, doc, location) in cases {
        assert_fails_at(name, doc.as_bytes(), location, "does not");
    }
    let param = edit(
        MINI,
        &[(
            "- $ref: '#/components/parameters/moId'\n      security:\n        - Session: []\n      requestBody",
            "- $ref: '#/components/parameters/nope'\n      security:\n        - Session: []\n      requestBody",
        )],
    );
    assert_fails_at(
        "parameter",
        param.as_bytes(),
        "#/paths/~1Widget~1{moId}~1Frob_Task/post/parameters/0",
        "`#/components/parameters/nope` does not resolve",
    );
}

#[test]
fn inheritance_cycles_are_located() {
    // Polygon -> Square -> Polygon
    let doc = edit(MINI, &[("        - $ref: '#/components/schemas/Shape'\n    Square:", "        - $ref: '#/components/schemas/Square'\n    Square:")]);
    assert_fails_at("cycle", doc.as_bytes(), "#/components/schemas/Polygon", "cycle");
    // a schema its own parent
    let doc = edit(
        MINI,
        &[(
            "    DataObject:\n      type: object\n      allOf:\n        - $ref: '#/components/schemas/Any'",
            "    DataObject:\n      type: object\n      allOf:\n        - $ref: '#/components/schemas/DataObject'",
        )],
    );
    assert_fails_at("self-parent", doc.as_bytes(), "#/components/schemas/DataObject", "cycle");
}

#[test]
fn documents_without_components_are_refused() {
    let cut = &MINI[..MINI.find("\ncomponents:\n").unwrap() + 1];
    assert_fails_at("no-components", cut.as_bytes(), "#/components", "no components");
    let no_paths = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
    assert_fails_at("nothing", no_paths.as_bytes(), "#/components", "no components");
    let empty = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {}\n";
    assert_fails_at("empty-components", empty.as_bytes(), "#/components/schemas", "discriminator");
}

#[test]
fn duplicate_operation_ids_are_located() {
    let doc = with_paths(MINI, &widget_post("Reset2", "Widget_Reset", None));
    assert_fails_at("duplicate-id", doc.as_bytes(), "#/paths/~1Widget~1{moId}~1Reset/post", "operationId `Widget_Reset`");
}

#[test]
fn unknown_http_methods_are_located() {
    let doc = edit(MINI, &[("  /Widget/{moId}/Reset:\n    post:", "  /Widget/{moId}/Reset:\n    put:")]);
    assert_fails_at("put", doc.as_bytes(), "#/paths/~1Widget~1{moId}~1Reset/put", "HTTP method `put`");
    let doc = edit(MINI, &[("  /Widget/{moId}/Reset:\n    post:", "  /Widget/{moId}/Reset:\n    frob:")]);
    assert_fails_at("frob", doc.as_bytes(), "#/paths/~1Widget~1{moId}~1Reset/frob", "frob");
}

#[test]
fn null_enum_values_are_located() {
    for null in ["null", "~", "Null"] {
        let doc = edit(MINI, &[("        - 'self'\n", &format!("        - 'self'\n        - {null}\n"))]);
        assert_fails_at(null, doc.as_bytes(), "#/components/schemas/Color_enum/enum/3", "a null enum value");
    }
}

#[test]
fn names_colliding_after_case_conversion_within_one_schema_or_scope_generate() {
    // checked by compiling in `awkward_documents_generate_crates_that_compile`; here, what
    // the Rust names are
    let out = run("awkward", awkward().as_bytes()).expect("the awkward document generates");
    let map: serde_json::Value = serde_json::from_str(&out.files["api-map.json"]).unwrap();
    let members = &map["members"]["Collide"];
    assert_ne!(members["fooBar"], members["foo_bar"], "{members}");
    assert_ne!(map["schemas"]["URLPath"], map["schemas"]["UrlPath"], "{}", map["schemas"]);
    assert_ne!(map["schemas"]["Foo_Bar"], map["schemas"]["FooBar"], "{}", map["schemas"]);
    let values = map["values"]["Awkward_enum"].as_object().unwrap();
    let variants: std::collections::BTreeSet<_> = values.values().map(|v| v.to_string()).collect();
    assert_eq!(variants.len(), values.len(), "{values:?}");
    // every value is kept as written, YAML booleans included
    assert_eq!(values.len(), 23, "{values:?}");
    for (wire, rust) in [
        ("yes", "Yes"),
        ("off", "Off"),
        ("True", "True"),
        ("null", "Null"),
        ("1st", "V1st"),
        ("a-b", "AB"),
        ("a_b", "AB2"),
        ("~", "V"),
        ("", "V2"),
        ("_", "V3"),
        ("Unrecognized", "Unrecognized"),
        ("self", "SelfValue"),
        ("Self", "SelfValue2"),
    ] {
        assert_eq!(values[wire], rust, "{wire}");
    }
    for (wire, rust) in
        [("type", "r#type"), ("self", "self_"), ("Self", "self_2"), ("crate", "crate_"), ("async", "r#async"), ("extra", "extra_2"), ("Box", "r#box")]
    {
        assert_eq!(map["members"]["Keywords"][wire], rust, "{wire}");
    }
    for (wire, rust) in [("self", "Self_"), ("Self", "Self2"), ("Option", "Option2"), ("Result", "Result2"), ("crate", "Crate")] {
        assert_eq!(map["schemas"][wire], format!("vim25::types::{rust}"), "{wire}");
    }
    for (id, rust) in [("Widget_self", "self_"), ("Widget_new", "new_2"), ("Widget_Frob_Task", "frob_task_2"), ("Widget_fn", "r#fn")] {
        assert_eq!(map["operations"][id], format!("vim25::mo::Widget::{rust}"), "{id}");
    }
}

/// Rust keywords, reserved and std names, YAML booleans, non-identifier enum values, names
/// that collide after case conversion and `x-` extensions, all in one document.
fn awkward() -> String {
    let keywords = [
        "type",
        "self",
        "Self",
        "crate",
        "super",
        "async",
        "fn",
        "match",
        "extra",
        "_typeName_",
        "r#x",
        "Option",
        "Box",
        "String",
        "Vec",
        "Result",
        "Some",
        "None",
    ];
    let mut members = String::new();
    for k in keywords {
        members.push_str(&format!("        '{k}':\n          type: string\n"));
    }
    let mut schemas = format!("    Keywords:\n      type: object\n      properties:\n{members}        fooBar:\n          type: integer\n          format: int32\n      allOf:\n        - $ref: '#/components/schemas/DataObject'\n");
    schemas.push_str(&format!("    KeywordsRequestType:\n      type: object\n      properties:\n{members}        foo_bar:\n          $ref: '#/components/schemas/Keywords'\n        fooBar:\n          $ref: '#/components/schemas/Awkward_enum'\n"));
    for k in keywords.iter().filter(|k| !k.contains('#')) {
        schemas.push_str(&format!(
            "    '{k}':\n      type: object\n      properties:\n        '{k}':\n          type: string\n        next:\n          $ref: '#/components/schemas/{k}'\n      allOf:\n        - $ref: '#/components/schemas/DataObject'\n"
        ));
    }
    schemas.push_str(
        "    Collide:\n      type: object\n      properties:\n        fooBar:\n          type: string\n        foo_bar:\n          type: string\n        FooBar:\n          type: boolean\n        URLPath:\n          type: string\n        UrlPath:\n          type: string\n      allOf:\n        - $ref: '#/components/schemas/DataObject'\n",
    );
    for name in ["URLPath", "UrlPath", "Foo_Bar", "FooBar", "foo_bar"] {
        schemas.push_str(&format!("    {name}:\n      type: object\n      properties:\n        v:\n          type: string\n      allOf:\n        - $ref: '#/components/schemas/DataObject'\n"));
    }
    // names that are not ASCII identifiers, and JSON pointer escapes
    schemas.push_str(
        "    'Ünïcode':\n      type: object\n      properties:\n        'é':\n          type: string\n        '😀':\n          type: string\n        '123':\n          type: string\n        'a/b~c':\n          $ref: '#/components/schemas/a~1b~0c'\n      allOf:\n        - $ref: '#/components/schemas/DataObject'\n",
    );
    schemas.push_str("    'a/b~c':\n      type: object\n      properties:\n        v:\n          type: string\n      allOf:\n        - $ref: '#/components/schemas/DataObject'\n");
    schemas.push_str("    Awkward_enum:\n      type: string\n      enum:\n");
    for v in [
        "yes",
        "no",
        "on",
        "off",
        "True",
        "FALSE",
        "y",
        "n",
        "'null'",
        "'~'",
        "1st",
        "a-b",
        "a_b",
        "AB",
        "''",
        "_",
        "__",
        "self",
        "Self",
        "Unrecognized",
        "1.5",
        "0x10",
        "é",
    ] {
        schemas.push_str(&format!("        - {v}\n"));
    }
    schemas.push_str(
        "    Awkward:\n      type: object\n      properties:\n        _value:\n          $ref: '#/components/schemas/Awkward_enum'\n      required:\n        - _value\n      allOf:\n        - $ref: '#/components/schemas/Any'\n",
    );
    let mut paths = String::new();
    // (`match` is the fixture's own, a property read)
    for m in ["self", "Self", "crate", "super", "async", "fn", "type", "new", "id", "client", "Frob_task"] {
        paths.push_str(&widget_post(m, &format!("Widget_{m}"), Some("KeywordsRequestType")));
    }
    paths.push_str("  x-vendor-note:\n    anything: [1, 2]\n");
    // managed types and namespaces named as keywords
    paths.push_str(&widget_post("Do", "self_Do", None).replace("/Widget/", "/self/"));
    paths.push_str(&widget_post("Do", "ns_type_Do", None).replace("/Widget/", "/async/type/"));
    let doc = with_paths(&with_schemas(MINI, &schemas), &paths);
    edit(&doc, &[("  /Widget/{moId}/Reset:\n    post:", "  /Widget/{moId}/Reset:\n    x-internal: true\n    post:\n      x-vendor: {a: 1}")])
}

#[test]
fn awkward_documents_generate_crates_that_compile() {
    let out = run("awkward", awkward().as_bytes()).expect("the awkward document generates");
    let large = run("large", large().as_bytes()).expect("the large document generates");
    // the fixture cut after the first line of its last schema: a request type without members
    let cut = &MINI[..MINI.find("    FrobRequestType:\n      type: object\n").unwrap() + "    FrobRequestType:\n      type: object\n".len()];
    let cut = run("cut", cut.as_bytes()).expect("the cut fixture generates");
    assert!(large.files.len() > out.files.len());
    // the two crates in one workspace, compiled once
    let dir = scratch("compile");
    write_atomically(&out, &dir.join("awkward")).expect("writes");
    write_atomically(&large, &dir.join("large")).expect("writes");
    write_atomically(&cut, &dir.join("cut")).expect("writes");
    for name in ["awkward", "large", "cut"] {
        let manifest = dir.join(name).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, text.replace("name = \"vim25\"", &format!("name = \"vim25-{name}\""))).unwrap();
    }
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile-target");
    for name in ["awkward", "large", "cut"] {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--offline", "--lib", "--manifest-path"])
            .arg(dir.join(name).join("Cargo.toml"))
            // every namespace (`async` is the awkward document's), without the HTTP stack
            .args(["--no-default-features", "--features", if name == "awkward" { "vim25,gadget,async" } else { "vim25,gadget" }])
            .env("CARGO_TARGET_DIR", &target)
            .env("RUSTFLAGS", "-D warnings")
            .output()
            .expect("cargo runs");
        assert!(status.status.success(), "{name}:\n{}\n{}", String::from_utf8_lossy(&status.stdout), String::from_utf8_lossy(&status.stderr));
    }
}

/// The fixture's data types repeated with renamed schemas until the document is ten times
/// the fixture's size.
fn large() -> String {
    let block = &MINI[MINI.find("    Shape:\n").unwrap()..MINI.find("    MethodFault:\n").unwrap()];
    let names = ["Shape", "Polygon", "Square", "GizmoInfo", "GizmoLabel", "GizmoManual"];
    let mut copies = String::new();
    for n in 1.. {
        if MINI.len() + copies.len() >= 10 * MINI.len() {
            break;
        }
        let mut copy = block.to_owned();
        for name in names {
            copy = copy
                .replace(&format!("    {name}:\n"), &format!("    {name}{n}:\n"))
                .replace(&format!("schemas/{name}'"), &format!("schemas/{name}{n}'"));
        }
        copies.push_str(&copy);
    }
    edit(MINI, &[("    MethodFault:\n", &format!("{copies}    MethodFault:\n"))])
}

/// The writer leaves the target as it was when it fails part way: a file the output wants
/// where the output also wants a directory fails after other files were written.
#[test]
fn a_write_failing_half_way_leaves_the_target_untouched() {
    let (parent, out) = previous_out("half-way");
    let before = snapshot(&parent);
    let mut output = run("mini", MINI.as_bytes()).expect("the fixture generates");
    output.files.insert("src/lib.rs/inside".into(), "a file below a file".into());
    let err = write_atomically(&output, &out).expect_err("cannot write a file below a file");
    assert!(err.contains("src/lib.rs"), "{err}");
    assert_eq!(snapshot(&parent), before, "the target or its parent changed");
}

/// A path leaving the target is refused before anything is written.
#[test]
fn a_path_leaving_the_target_is_refused() {
    let (parent, out) = previous_out("escape");
    let before = snapshot(&parent);
    for bad in ["../outside.rs", "/etc/passwd", "src/../../x", ""] {
        let mut output = Output::default();
        output.files.insert("Cargo.toml".into(), String::new());
        output.files.insert(bad.into(), String::new());
        let err = write_atomically(&output, &out).expect_err("refused");
        assert!(err.contains("not a relative path"), "{bad}: {err}");
        assert_eq!(snapshot(&parent), before, "{bad}");
    }
}

#[test]
fn keys_written_twice_are_located() {
    let doc = edit(MINI, &[("    DataObject:\n", "    Shape:\n      type: object\n    DataObject:\n")]);
    // YAML: the line where the mapping begins, and the path to it and the key in the message
    let err = assert_fails_at("duplicate-schema", doc.as_bytes(), "line 110 column 5", "`Shape` is written twice");
    assert!(err.message.starts_with("components.schemas: "), "{err}");
    let doc = with_paths(MINI, &widget_post("match", "Widget_postMatch", None));
    assert_fails_at("duplicate-path", doc.as_bytes(), "line 16 column 3", "paths: the key `/Widget/{moId}/match` is written twice");
    let json = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
  "paths": {}, "paths": {}}"#;
    assert_fails_at("duplicate-json", json.as_bytes(), "line 2 column 22", "`paths` is written twice");
}

#[test]
fn nesting_and_alias_expansion_are_bounded() {
    let deep_yaml = format!("openapi: 3.0.0\ninfo: {}\n", "[".repeat(2_000));
    assert_fails_at("deep-yaml", deep_yaml.as_bytes(), "line 2 column 134", "recursion limit exceeded");
    let deep_json = format!("{{\"openapi\": {}", "[".repeat(100_000));
    assert_fails_at("deep-json", deep_json.as_bytes(), "line 1 column 139", "recursion limit exceeded");
    // a billion laughs: nine levels of ten aliases each
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..9 {
        let alias = format!("*a{}", level - 1);
        bomb.push_str(&format!("a{level}: &a{level} [{}]\n", [alias.as_str(); 10].join(", ")));
    }
    // serde_yaml names no place for this one: the whole document
    assert_fails_at("alias-bomb", bomb.as_bytes(), "#", "repetition limit exceeded");
    let unknown = edit(MINI, &[("  title: 'Mini vi-json'", "  title: *nope")]);
    assert_fails_at("unknown-alias", unknown.as_bytes(), "line 3 column 10", "unknown anchor");
}

#[test]
fn discriminator_mistakes_are_located() {
    let doc = edit(MINI, &[("int: '#/components/schemas/PrimitiveInt'", "int: '#/components/schemas/Nope'")]);
    assert_fails_at("mapping", doc.as_bytes(), "#/components/schemas/Any/discriminator/mapping/int", "does not resolve");
    let doc = with_schemas(
        MINI,
        "    Other:\n      type: object\n      properties:\n        k:\n          type: string\n      discriminator:\n        propertyName: k\n",
    );
    assert_fails_at("two-roots", doc.as_bytes(), "#/components/schemas/Any", "a second discriminator");
    let doc = edit(MINI, &[("      enum:\n        - 'red'\n        - True\n        - 'self'\n", "      enum: []\n")]);
    assert_fails_at("empty-enum", doc.as_bytes(), "#/components/schemas/Color_enum", "without enum");
}
