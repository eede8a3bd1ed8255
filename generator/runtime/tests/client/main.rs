//! The client files over the codec crate, laid out as the generated `vim25` crate lays them
//! out over its base crate (see `lib_rs` in `generator/src/emit/crate_files.rs`, and
//! `generator/tests/snapshots/mini/src/lib.rs`, what it writes for the mini fixture): this test
//! crate's root is that crate's root, with the fixture's generated handles (`mo`) and request
//! body, and `service_none.rs` as the seam to the service layer, which the fixture does not
//! have. The constants are the fixture's. The reqwest transport and tracing are left out:
//! requests go through transports written in the tests.
#![forbid(unsafe_code)]
// the attributes the generator gives every generated crate (`crate_attrs` in crate_files.rs)
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

extern crate vim25_runtime as vim25_base;

#[path = "../../client.rs"]
#[rustfmt::skip]
pub mod client;
#[path = "../../connect.rs"]
#[rustfmt::skip]
pub mod connect;
#[path = "../../release.rs"]
#[rustfmt::skip]
pub mod release;
#[path = "../../service_none.rs"]
#[rustfmt::skip]
mod service;
#[doc(no_inline)]
pub use vim25_base::{de, ser};
#[doc(hidden)]
pub use vim25_base::{fault, object, registry};
pub mod types;
/// The fixture's generated handles (`Widget`, `Gizmo`).
#[path = "../../../tests/snapshots/mini/src/mo/mod.rs"]
#[rustfmt::skip]
pub mod mo;
pub use client::{Call, Client, Error, Handle, HttpMethod, Request, Response, Transport};
pub use connect::ClientBuilder;
pub use de::{from_slice, from_slice_strict, from_slice_with, from_str, AbsentMember, Decode, DecodeError, DecodeMode};
pub use ser::{to_vec, Encode};
pub use vim25_base::{CompactString, DateTime, DateTimeError, Extra, Password, DISCRIMINATOR};
/// The API release of the document the fixture's crate is generated from.
pub const RELEASE: &str = "1.2.3.4";
/// Releases a server may be asked for, newest first.
pub const RELEASES: &[&str] = &["1.2.3.4", "1.0.0.0"];
/// The header carrying the session token.
pub const SESSION_HEADER: &str = "vmware-api-session-id";
/// What a fault reply (HTTP 500) decodes to.
pub type Fault = crate::types::MethodFaultKind;

mod tests;
