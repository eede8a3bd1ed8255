//! The README's first example is the `connect` example, which CI compiles: the two must not
//! drift apart.

use std::path::Path;

#[test]
fn the_readme_shows_the_connect_example_as_it_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let example = std::fs::read_to_string(root.join("generator/runtime/examples/connect.rs")).expect("connect.rs");
    let shown = readme.split("```rust\n").nth(1).and_then(|b| b.split("```").next()).expect("a rust block in the README");
    // the example without its module documentation
    let code: String = example.lines().skip_while(|l| l.starts_with("//!") || l.is_empty()).map(|l| format!("{l}\n")).collect();
    assert_eq!(shown, code, "README.md's first example differs from generator/runtime/examples/connect.rs");
}
