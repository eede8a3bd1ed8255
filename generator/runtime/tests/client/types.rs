//! The types as the generated `vim25` has them: its own request bodies (the fixture's one, as
//! generated) over the types of the crates below.

#[path = "../../../tests/snapshots/mini/src/types/frob_request_type.rs"]
#[rustfmt::skip]
mod frob_request_type;
pub use frob_request_type::FrobRequestType;
#[doc(no_inline)]
pub use vim25_base::types::*;
