//! A request body: the parameters of an operation, borrowed, encoded as one object.

use super::super::docs;
use super::{ident, member, wire_lit};
use crate::model::{Field, Model, ObjectType, Schema, Ty};
use crate::plan::{Plan, RustType};
use proc_macro2::TokenStream;
use quote::quote;

/// The borrowed Rust type of a request parameter.
pub fn param_type(model: &Model, plan: &Plan, f: &Field) -> RustType {
    let t = match &f.ty {
        Ty::Bool | Ty::Int(_) | Ty::Float(_) => plan.owned_type(model, &f.ty),
        Ty::String(_) => RustType::borrowed(RustType::Str),
        // strings in a list are borrowed too, so that a list of any string type is one
        // collect away
        Ty::Array(inner) if matches!(**inner, Ty::String(_)) => RustType::borrowed(RustType::slice(RustType::borrowed(RustType::Str))),
        Ty::Array(inner) => RustType::borrowed(RustType::slice(plan.owned_type(model, inner))),
        Ty::Ref(_) => RustType::borrowed(plan.owned_type(model, &f.ty)),
    };
    if f.required {
        t
    } else {
        RustType::option(t)
    }
}

pub(super) fn request_file(model: &Model, plan: &Plan, s: &Schema, o: &ObjectType) -> TokenStream {
    let name = ident(&plan.type_name[&s.name]);
    let mut fields = TokenStream::new();
    let mut write = TokenStream::new();
    let mut lifetime = false;
    for (f, rust) in o.fields.iter().zip(&plan.fields[&s.name]) {
        let ty = param_type(model, plan, f);
        lifetime |= ty.borrows();
        let n = ident(rust);
        let wire = wire_lit(&f.name);
        fields.extend(member(f, docs::doc(f.description.as_deref(), &[]), &n, &ty));
        // A borrowed data object or enum is passed as the reference it is: `Encode` has no
        // impl for `&T` in general (it would overlap the blanket one of objects).
        write.extend(match (&f.ty, f.required) {
            (Ty::Ref(_), true) => quote!(o.field(#wire, self.#n);),
            (Ty::Ref(_), false) => quote!(if let Some(v) = self.#n { o.field(#wire, v); }),
            _ => quote!(o.field(#wire, &self.#n);),
        });
    }
    let doc = docs::doc(s.description.as_deref(), &["The request body, borrowing its parameters; operations build it for you.".into()]);
    let (generics, anon) = if lifetime { (quote!(<'a>), quote!(<'_>)) } else { (quote!(), quote!()) };
    let o_binding = if o.fields.is_empty() { quote!(o) } else { quote!(mut o) };
    quote! {
        #doc
        #[derive(Debug, Clone, Copy)]
        pub struct #name #generics {
            #fields
        }

        // inline, as the operations that build it are (see `emit::mo`)
        impl crate::ser::Encode for #name #anon {
            #[inline]
            fn encode(&self, e: &mut crate::ser::Encoder) {
                let #o_binding = e.members();
                #write
                o.end();
            }
        }
    }
}
