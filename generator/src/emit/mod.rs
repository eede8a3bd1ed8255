//! Model -> Rust source. Items are built as token streams with `quote`, parsed by `syn` and
//! printed by `prettyplease`; every file of the generated crate comes out of [`emit`].

mod crate_files;
mod docs;
mod mo;
mod refs;
mod types;

use crate::load::SpecError;
use crate::model::Model;
use crate::plan::{LayoutRecord, Plan, Unit};
use proc_macro2::{Ident, Span, TokenStream};
use std::collections::BTreeMap;

/// What to generate besides the model itself.
#[derive(Debug, Clone)]
pub struct Options {
    /// Version written into the generated crate's Cargo.toml.
    pub crate_version: String,
    /// Write a `[workspace]` table so the crate builds on its own outside this repository.
    pub standalone: bool,
    /// Inline-or-boxed decisions to keep (see [`crate::plan::inline_layout_with`]); `None`
    /// decides every type by the size rule.
    pub layout: Option<LayoutRecord>,
}

impl Default for Options {
    fn default() -> Self {
        Self { crate_version: "0.1.0".into(), standalone: false, layout: None }
    }
}

/// The generated crate: relative path -> contents.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
    /// What the caller should tell a maintainer: workarounds the document no longer needs
    /// ([`crate::quirks::stale`]).
    pub warnings: Vec<String>,
}

/// A file of the generated crate to be built: its tokens are made on a formatting thread, so
/// that building, parsing and printing all run in parallel and the tokens never pass through
/// text (`proc_macro2` token streams cannot cross threads).
pub(crate) type Job<'a> = (String, Box<dyn FnOnce() -> TokenStream + Send + 'a>);

pub fn emit(model: &Model, options: &Options) -> Result<Output, SpecError> {
    let plan = Plan::build_with(model, options.layout.as_ref());
    let mut out = Output::default();
    let mut jobs = types::files(model, &plan);
    jobs.extend(mo::files(model, &plan));
    jobs.extend(crate_files::rust_files(model, &plan));
    out.files.extend(render_all(jobs)?);
    check_split(model, &plan, &out.files)?;
    out.files.extend(crate_files::other_files(model, &plan, options));
    out.files.insert("checksums.sha256".into(), crate_files::checksums(&out.files));
    Ok(out)
}

/// Every type a file of a crate names must be in that crate or one below it. The split follows
/// the model's references; this reads the references off the emitted files, so that a reference
/// the model's walk missed is an error here, not a build failure in `generated/`.
fn check_split(model: &Model, plan: &Plan, files: &BTreeMap<String, String>) -> Result<(), SpecError> {
    let mut unit_of: BTreeMap<&str, Unit> = BTreeMap::new();
    // wrapped values are variants of the root enum, and their names those of variants, not types
    for s in model.schemas.values().filter(|s| !matches!(s.kind, crate::model::Kind::Wrapper(_))) {
        let unit = plan.unit_of(&s.name);
        unit_of.insert(&plan.type_name[&s.name], unit);
        if let Some(k) = plan.family_name.get(&s.name) {
            unit_of.insert(k, unit);
        }
    }
    unit_of.insert(&plan.array_type, plan.unit_of(&model.root));
    const PATH: &str = "crate::types::";
    for unit in Unit::all() {
        let prefix = format!("{}src/", unit.dir());
        let mut visible = unit.below();
        visible.push(unit);
        for (path, text) in files.range(prefix.clone()..).take_while(|(p, _)| p.starts_with(&prefix)) {
            for (at, _) in text.match_indices(PATH) {
                let rest = &text[at + PATH.len()..];
                let name = &rest[..rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())];
                match unit_of.get(name) {
                    Some(u) if !visible.contains(u) => {
                        return Err(SpecError::at(
                            "#",
                            format!("internal error: {path} names {name}, which is in {}, above {}", u.package(), unit.package()),
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// Builds and formats files on all cores; the result does not depend on scheduling (files
/// are keyed by path).
fn render_all(jobs: Vec<Job<'_>>) -> Result<Vec<(String, String)>, SpecError> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).max(1);
    // Dealt out round-robin: neighbouring files (one family, one namespace) are alike in size.
    let mut shares: Vec<Vec<Job<'_>>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, job) in jobs.into_iter().enumerate() {
        shares[i % threads].push(job);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| scope.spawn(move || share.into_iter().map(|(path, build)| render(&path, build())).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| SpecError::at("#", "a formatting thread panicked"))??);
        }
        Ok(all)
    })
}

fn render(path: &str, tokens: TokenStream) -> Result<(String, String), SpecError> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| SpecError::at("#", format!("internal error: generated {path} does not parse: {e}")))?;
    let mut text = String::from("// @generated by `cargo xtask codegen` from the vi-json document; do not edit.\n\n");
    text.push_str(&prettyplease::unparse(&file));
    Ok((path.to_owned(), text))
}

/// An identifier, raw when written `r#name`.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[cfg(...)]`, or nothing for an item always compiled.
pub(crate) fn cfg_attr(cfg: &crate::plan::Cfg) -> TokenStream {
    match cfg.condition() {
        Some(c) => quote::quote!(#[cfg(#c)]),
        None => TokenStream::new(),
    }
}
