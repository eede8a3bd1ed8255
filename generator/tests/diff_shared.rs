//! The diff on the tracked vi-json documents (committed in `spec/`): the counts between
//! releases are known, and going back to an older release must be major. Also how the split
//! into crates (`plan::split`) comes out on real documents and between releases, and that Rust
//! names neither clash nor change between releases.

use std::path::PathBuf;
use std::sync::OnceLock;
use vim25_generator::diff::{diff, diff_with, markdown, ChangeKind, Diff, Semver};
use vim25_generator::plan::{inline_layout_with, LayoutRecord};
use vim25_generator::{load, model};

fn model_at(path: PathBuf) -> model::Model {
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = load::load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    model::build(&doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn model_of(file: &str) -> model::Model {
    model_at(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec").join(file))
}

/// The mirror of documents beside the checkout (`VIM25_SPEC_DIR`, else `../shared/spec/r2`),
/// which also has the YAML copy of 8.0.2.0; absent in a clone on its own.
fn mirror_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("VIM25_SPEC_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/r2"),
    };
    if dir.join("vi-json-8.0.2.0.yaml").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: no YAML copy of 8.0.2.0 in {}", dir.display());
        None
    }
}

/// Each document is loaded once for all tests (they take seconds each in a debug build).
fn models() -> &'static [model::Model; 3] {
    static MODELS: OnceLock<[model::Model; 3]> = OnceLock::new();
    MODELS.get_or_init(|| {
        std::thread::scope(|s| {
            let a = s.spawn(|| model_of("vi-json-8.0.2.0.json"));
            let b = s.spawn(|| model_of("vi-json-9.0.0.0.yaml"));
            let c = model_of("vi-json-9.1.1.0.yaml");
            [a.join().expect("8.0.2.0 loads"), b.join().expect("9.0.0.0 loads"), c]
        })
    })
}

fn counts(d: &Diff) -> (usize, usize, usize, usize) {
    (d.schemas.added.len(), d.schemas.removed.len(), d.operations.added.len(), d.operations.removed.len())
}

#[test]
fn release_8_0_2_to_9_1_1_adds_454_schemas_and_78_operations() {
    let [v802, _, v911] = models();
    let d = diff(v802, v911);
    assert_eq!(counts(&d), (454, 0, 78, 0));
    assert_eq!((d.old.release.as_str(), d.new.release.as_str()), ("8.0.2.0", "9.1.1.0"));
    let back = diff(v911, v802);
    assert_eq!(counts(&back), (0, 454, 0, 78));
    assert_eq!(back.semver, Semver::Major);
    assert_eq!(back.schemas.removed, d.schemas.added);
    assert_eq!(back.operations.removed, d.operations.added);
    assert_eq!(back.enum_values.removed, d.enum_values.added);
}

#[test]
fn release_9_0_0_to_9_1_1_adds_185_schemas_and_43_operations() {
    let [_, v900, v911] = models();
    let d = diff(v900, v911);
    assert_eq!(counts(&d), (185, 0, 43, 0));
    let back = diff(v911, v900);
    assert_eq!(counts(&back), (0, 185, 0, 43));
    assert_eq!(back.semver, Semver::Major);
    let md = markdown(&d, "9.1.1.0");
    assert!(md.contains("schemas +185 −0") && md.contains("operations +43 −0"), "{}", &md[..md.len().min(600)]);
}

/// Where a type moves between inline and boxed: `(schema, change kind)`.
fn layout_moves(d: &Diff) -> Vec<(String, ChangeKind)> {
    d.schemas
        .changed
        .iter()
        .flat_map(|c| c.changes.iter().map(move |x| (c.name.clone(), x.kind)))
        .filter(|(_, k)| matches!(k, ChangeKind::HeldInline | ChangeKind::OwnInline | ChangeKind::NestedInline))
        .collect()
}

/// The `RustName` changes of a diff, as `schema or operationId.member: old -> new`.
fn renames(d: &Diff) -> Vec<String> {
    let schemas = d.schemas.changed.iter().map(|c| (&c.name, &c.changes));
    let ops = d.operations.changed.iter().map(|c| (&c.operation_id, &c.changes));
    schemas
        .chain(ops)
        .flat_map(|(name, changes)| changes.iter().map(move |c| (name, c)))
        .filter(|(_, c)| c.kind == vim25_generator::diff::ChangeKind::RustName)
        .map(|(name, c)| format!("{name}.{}: {:?} -> {:?}", c.member.as_deref().unwrap_or(""), c.old, c.new))
        .collect()
}

#[test]
fn with_the_layout_record_9_0_0_to_9_1_1_moves_no_type_between_inline_and_boxed() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/layout.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let record = LayoutRecord::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let [v802, v900, v911] = models();
    // by the size rule alone, members added in 9.1.1.0 push types over the limit
    assert_ne!(layout_moves(&diff(v900, v911)), []);
    assert_eq!(layout_moves(&diff_with(v900, v911, Some(&record))), []);
    assert_eq!(layout_moves(&diff_with(v802, v911, Some(&record))), []);
    // and it is the record of 9.1.1.0's layout, every decision of its API
    assert_eq!(LayoutRecord::of(v911, &inline_layout_with(v911, Some(&record))), record);
}

#[test]
fn no_rust_name_changes_between_the_releases() {
    // clashes are suffixed in document order; no release so far renamed anything in Rust
    let [v802, v900, v911] = models();
    for (old, new) in [(v802, v900), (v900, v911), (v802, v911)] {
        let d = diff(old, new);
        assert_eq!(renames(&d), Vec::<String>::new(), "{} -> {}", d.old.release, d.new.release);
    }
}

/// No member of a struct, parameter of a method or method of a handle needs a clash suffix in
/// any release: each is its wire name in snake_case (a keyword escaped).
#[test]
fn no_names_clash_in_the_releases() {
    use vim25_generator::model::{Kind, Op};
    use vim25_generator::names::{escape, snake};
    use vim25_generator::plan::Plan;
    for m in models() {
        let plan = Plan::build(m);
        let mut suffixed = Vec::new();
        for s in m.schemas.values() {
            let wire: Vec<&str> = match &s.kind {
                Kind::Data(_) => m.all_fields(&s.name).iter().map(|f| f.name.as_str()).collect(),
                Kind::Request(o) | Kind::Plain(o) => o.fields.iter().map(|f| f.name.as_str()).collect(),
                _ => continue,
            };
            for (w, rust) in wire.iter().zip(&plan.fields[&s.name]) {
                if escape(&snake(w)) != *rust {
                    suffixed.push(format!("{}.{w}: {rust}", s.name));
                }
            }
        }
        for (_, op) in m.operations() {
            let (id, name) = match op {
                Op::Method(x) => (&x.operation_id, &x.name),
                Op::Property(p) => (&p.operation_id, &p.name),
            };
            if escape(&snake(name)) != plan.method_name[id] {
                suffixed.push(format!("{id}: {}", plan.method_name[id]));
            }
        }
        assert_eq!(suffixed, Vec::<String>::new(), "{}", m.release);
    }
}

#[test]
fn the_same_release_has_no_changes() {
    let [v802, _, _] = models();
    let d = diff(v802, v802);
    assert!(d.is_empty());
    assert_eq!(d.semver, Semver::Patch);
}

#[test]
fn the_json_and_yaml_copies_of_8_0_2_0_are_the_same_api() {
    let Some(mirror) = mirror_dir() else { return };
    let [v802, _, _] = models();
    let yaml = model_at(mirror.join("vi-json-8.0.2.0.yaml"));
    let d = diff(v802, &yaml);
    assert!(d.is_empty(), "{:?}", (d.schemas.changed.first(), d.operations.changed.first()));
    assert_ne!(d.old.sha256, d.new.sha256);
}

#[test]
fn the_split_is_balanced_and_a_new_release_moves_few_types() {
    use vim25_generator::plan::{Plan, Unit};
    let [_, v900, v911] = models();
    let (old, new) = (Plan::build(v900).unit, Plan::build(v911).unit);
    let count = |units: &std::collections::BTreeMap<String, Unit>, u: Unit| units.values().filter(|x| **x == u).count();
    let (p1, p2) = (count(&new, Unit::Part(1)), count(&new, Unit::Part(2)));
    // both parts hold a large share, neither more than 60 % of the two
    assert!(p1.min(p2) * 10 >= (p1 + p2) * 4, "parts of 9.1.1.0: {p1} and {p2} types");
    assert!(p1 + p2 > count(&new, Unit::Cycle), "too little below the cycle: {p1} + {p2}");
    assert!(count(&new, Unit::Base) < 100, "the base holds {} types", count(&new, Unit::Base));
    let moved: Vec<&String> = old.iter().filter(|(k, u)| new.get(*k).is_some_and(|n| n != *u)).map(|(k, _)| k).collect();
    // 9.0.0.0 -> 9.1.1.0 moves 21 of about 5,700 types: types that now reach an `Any`, and those
    // at the cuts between the parts
    assert!(moved.len() * 100 < old.len(), "{} types change crate: {moved:?}", moved.len());
}
