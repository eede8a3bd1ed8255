//! The runtime of the generated crates as a crate of its own, so that its unit tests run in
//! seconds, without the generator and without the generated `vim25`.
//!
//! The runtime files of this folder are written into the generated crates verbatim
//! (`generator/src/emit/crate_files.rs`, the `RUNTIME` tables) and reach the generated items
//! through `crate::` paths: `crate::registry`, `crate::types`, `crate::DISCRIMINATOR`. This root
//! lays the codec's files out the way the generated base crate (`vim25-base`) does, module for
//! module (see `base_lib_rs` in `crate_files.rs`), and fills the generated items in with the
//! generator's own output for its test fixture (`generator/tests/fixtures/mini.yaml`): the
//! registry and the types of `generator/tests/snapshots/mini/`, which the snapshot test keeps
//! equal to what the generator writes. Nothing here stands in for generated code by hand.
//!
//! The client files (`client.rs`, `connect.rs`, `release.rs`, `service_none.rs`) belong to the
//! generated `vim25`, which sits over the base crate; `tests/client.rs` is that crate's root,
//! over this one. The tests are in `tests/`, so that the generated crates do not carry them.
#![deny(unsafe_code)]
// the attributes the generator gives every generated crate (`crate_attrs` in crate_files.rs),
// for the fixture's generated types
#![allow(deprecated)]
#![allow(
    clippy::upper_case_acronyms,
    clippy::too_many_arguments,
    clippy::enum_variant_names,
    clippy::large_enum_variant,
    clippy::module_inception,
    clippy::struct_excessive_bools,
    clippy::doc_lazy_continuation,
    clippy::doc_overindented_list_items,
    clippy::tabs_in_doc_comments,
    clippy::empty_docs,
    clippy::needless_lifetimes
)]

// The runtime files are written into the generated crates byte for byte and the fixture's files
// are the generator's output: rustfmt formats neither (`rustfmt::skip`, here, in fixture.rs and
// in tests/client/), only the files of this crate alone.
#[rustfmt::skip]
mod datetime;
#[rustfmt::skip]
pub mod de;
#[rustfmt::skip]
mod extra;
#[doc(hidden)]
#[rustfmt::skip]
pub mod fault;
#[doc(hidden)]
#[rustfmt::skip]
pub mod object;
/// The fixture's type registry, as generated.
#[doc(hidden)]
#[path = "../tests/snapshots/mini/base/src/registry.rs"]
#[rustfmt::skip]
pub mod registry;
/// `base_release.rs` is the base crate's `release` module.
#[path = "base_release.rs"]
#[rustfmt::skip]
pub mod release;
#[rustfmt::skip]
pub mod ser;
// The fixture is small enough for the generator to write a `match` with the wildcard arm alone
// (`Any`'s fault accessor); vSphere's documents never are.
#[allow(clippy::match_single_binding)]
#[path = "fixture.rs"]
pub mod types;

/// The string type of every string member, as in the generated base crate.
pub use compact_str::CompactString;
pub use datetime::{DateTime, DateTimeError};
pub use de::{from_slice, from_slice_strict, from_slice_with, from_str, AbsentMember, Decode, DecodeError, DecodeMode};
pub use extra::{Extra, Password};
pub use object::ObjectBox;
pub use ser::{to_vec, Encode};

/// The member naming an object's concrete type on the wire (the fixture's, as vSphere's).
pub const DISCRIMINATOR: &str = "_typeName";
