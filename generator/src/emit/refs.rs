//! `src/impls.rs` of the crates holding `ManagedObjectReference` or the fault family: what the
//! generic runtime cannot write for a type of another crate (`Display`, `Eq` and inherent
//! methods must be in the crate of their type). Each body forwards to the runtime
//! (`vim25_base::fault`), so that the crates compile one copy of the logic.

use super::ident;
use crate::model::{Kind, Model};
use crate::plan::{Plan, Unit};
use proc_macro2::TokenStream;
use quote::quote;
use quote::ToTokens;

/// The schema of managed object references.
pub const REFERENCE: &str = "ManagedObjectReference";
/// The schema a task reports its error in.
pub const LOCALIZED_FAULT: &str = "LocalizedMethodFault";

/// The units that get an `impls` module.
pub fn units(model: &Model, plan: &Plan) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut holders = vec![plan.fault_root.as_deref().unwrap_or(&model.root)];
    holders.extend([REFERENCE, LOCALIZED_FAULT].into_iter().filter(|s| model.data(s).is_some()));
    for s in holders {
        let u = plan.unit_of(s);
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

pub fn impls_rs(model: &Model, plan: &Plan, unit: Unit) -> TokenStream {
    let mut out = quote! {
        //! `Display`, equality and the methods of references and faults, over the generic
        //! runtime (`fault`).
    };
    if model.data(REFERENCE).is_some() && plan.unit_of(REFERENCE) == unit {
        out.extend(reference(model, plan));
    }
    let fault_root = plan.fault_root.as_deref().unwrap_or(&model.root);
    if plan.unit_of(fault_root) == unit {
        out.extend(fault(model, plan, fault_root));
    }
    if model.data(LOCALIZED_FAULT).is_some() && plan.unit_of(LOCALIZED_FAULT) == unit {
        let name = ident(&plan.type_name[LOCALIZED_FAULT]);
        out.extend(quote! {
            impl crate::types::#name {
                /// The message: `localizedMessage`, else the message of the fault held.
                pub fn message(&self) -> Option<String> {
                    crate::fault::localized_message(self)
                }
            }

            /// The type of the fault held and the message (`InvalidState: ...`).
            impl std::fmt::Display for crate::types::#name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    crate::fault::display_localized(self, f)
                }
            }
        });
    }
    out
}

/// Rust name and owned type of member `wire` of data object `schema`.
fn member(model: &Model, plan: &Plan, schema: &str, wire: &str) -> Option<(proc_macro2::Ident, TokenStream)> {
    let fields = model.all_fields(schema);
    let i = fields.iter().position(|f| f.name == wire)?;
    Some((ident(&plan.fields[schema][i]), plan.owned_type(model, &fields[i].ty).into_token_stream()))
}

fn reference(model: &Model, plan: &Plan) -> TokenStream {
    let name = ident(&plan.type_name[REFERENCE]);
    let (Some((ty, ty_type)), Some((value, value_type))) = (member(model, plan, REFERENCE, "type"), member(model, plan, REFERENCE, "value")) else {
        return TokenStream::new();
    };
    quote! {
        impl crate::types::#name {
            /// A reference to the object `value` (its moId) of managed type `type`:
            /// `ManagedObjectReference::new("VirtualMachine", "vm-42")`.
            pub fn new(#ty: impl Into<#ty_type>, #value: impl Into<#value_type>) -> Self {
                let mut r = <Self as crate::object::Blank>::blank();
                r.#ty = #ty.into();
                r.#value = #value.into();
                r
            }
        }

        /// References are equal when they name the same object: the same type and moId.
        /// Members kept in `extra` (from a newer release) do not take part, so that a reference
        /// read from a server equals one built by hand.
        impl PartialEq for crate::types::#name {
            fn eq(&self, other: &Self) -> bool {
                self.#value == other.#value && self.#ty.as_str() == other.#ty.as_str()
            }
        }

        impl Eq for crate::types::#name {}

        /// Hashes what `==` compares, the type and the moId.
        impl std::hash::Hash for crate::types::#name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.#ty.as_str().hash(state);
                self.#value.as_str().hash(state);
            }
        }

        /// `VirtualMachine:vm-42`.
        impl std::fmt::Display for crate::types::#name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}:{}", self.#ty.as_str(), self.#value)
            }
        }
    }
}

fn fault(model: &Model, plan: &Plan, schema: &str) -> TokenStream {
    // the family enum when the fault root has subtypes, else the struct itself
    let (name, object) = match (&model.schema(schema).kind, plan.family_name.get(schema)) {
        (Kind::Data(_), Some(kind)) => (ident(kind), quote!(crate::object::Family::object(self))),
        (Kind::Data(_), None) => (ident(&plan.type_name[schema]), quote!(self)),
        // no fault root: faults decode as the root enum, whose data objects are not reachable
        // as objects
        _ => {
            let name = ident(&plan.type_name[schema]);
            return quote! {
                impl crate::types::#name {
                    /// The server's message; the root type carries none that can be read.
                    pub fn message(&self) -> Option<String> {
                        None
                    }

                    /// Whether the value held is a `T`.
                    pub fn fault_is<T: crate::object::Object + crate::object::Blank>(&self) -> bool {
                        self.downcast_ref::<T>().is_some()
                    }
                }

                impl std::fmt::Display for crate::types::#name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(self.type_name())
                    }
                }
            };
        }
    };
    quote! {
        impl crate::types::#name {
            /// The server's message: the fault's `faultstring` or `localizedMessage` (kept in
            /// `extra`), else its `faultMessage` texts joined with `; `.
            pub fn message(&self) -> Option<String> {
                crate::fault::message(#object)
            }

            /// Whether the fault is a `T` or one of its subtypes, at any depth of the family:
            /// `fault.fault_is::<InvalidState>()` holds for an `InvalidPowerState`.
            pub fn fault_is<T: crate::object::Object + crate::object::Blank>(&self) -> bool {
                crate::fault::is_a::<T>(#object)
            }
        }

        /// The fault's type and the server's message (`InvalidState: ...`).
        impl std::fmt::Display for crate::types::#name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                crate::fault::display(#object, f)
            }
        }
    }
}
