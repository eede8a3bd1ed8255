//! The vi-json code generator: a vSphere vim25 OpenAPI document in, the `vim25` crate out.
//!
//! The pipeline is [`load`] (bytes -> OpenAPI document) -> [`model`] (what every schema and
//! operation is) -> [`plan`] (Rust-side decisions) -> [`emit`] (files).

#![forbid(unsafe_code)]

pub mod diff;
pub mod emit;
pub mod load;
pub mod model;
pub mod names;
pub mod plan;
pub mod quirks;
pub mod write;

pub use emit::{Options, Output};
pub use load::SpecError;
pub use write::write_atomically;

/// Generates the crate's files from a document's bytes.
pub fn generate(spec: &[u8], options: &Options) -> Result<Output, SpecError> {
    let doc = load::load(spec)?;
    let model = model::build(&doc)?;
    let mut out = emit::emit(&model, options)?;
    out.warnings = quirks::stale(&doc);
    Ok(out)
}
