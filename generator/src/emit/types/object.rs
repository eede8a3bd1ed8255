//! A data object's (or plain object's) struct: its members, its member table for the shared
//! codec, and its blank value.

use super::super::docs;
use super::family::kind_enum;
use super::{blank_expr, codec_impls, field_doc, field_type, flattened, ident, member, wire_lit, Member};
use crate::model::{DataType, Model, Schema};
use crate::plan::Plan;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// A data object (or plain object): the struct, its member table, and the `match`es handing
/// out its members by index to the shared codec in `object.rs`, `de.rs` and `ser.rs`.
fn object_struct(model: &Model, plan: &Plan, s: &Schema, wire_name: Option<&str>, doc_extra: &[String]) -> TokenStream {
    let name = ident(&plan.type_name[&s.name]);
    let members = flattened(model, plan, &s.name);
    let table = MemberTable::new(model, plan, &members, wire_name);
    let since_info = match crate::quirks::since_release(s.description.as_deref()) {
        Some(r) => quote!(Some(#r)),
        None => quote!(None),
    };
    let mut out = struct_decl(s, &name, &table.fields, wire_name, &since_info, doc_extra);
    out.extend(object_impls(&plan.type_name[&s.name], &name, &table, wire_name, &since_info));
    // `Decode` and `Encode` are the blanket ones of objects (`de.rs`, `ser.rs`), which a boxed
    // member's `Box` cannot share: `Box` is a fundamental type, so a generic impl for it would
    // overlap them.
    out.extend(codec_impls(&quote!(#name), None, None));
    if plan.box_codecs.contains(&s.name) {
        out.extend(boxed_codec(&name));
    }
    out
}

/// What an object's impls say of each of its members, in member-index order (`by_name`
/// aside): built in one pass over the members.
struct MemberTable {
    /// The struct's member declarations.
    fields: TokenStream,
    /// Each member's wire name.
    wires: Vec<proc_macro2::Literal>,
    /// Each member's Rust name, without `r#`.
    names: Vec<proc_macro2::Literal>,
    /// The indices of the required members.
    required: Vec<u16>,
    /// The member indices in the byte order of their wire names.
    by_name: Vec<u16>,
    /// The `match` arms of `Object::field`.
    refs: TokenStream,
    /// The `match` arms of `Object::field_mut`.
    muts: TokenStream,
    /// The member initializers of the blank value.
    blanks: TokenStream,
    /// Each member's `object::clone_member` instance, for `Clone`.
    clones: Vec<TokenStream>,
    /// No wire name (nor the type's) is one JSON writes with escapes.
    plain: bool,
}

impl MemberTable {
    fn new(model: &Model, plan: &Plan, members: &[Member<'_>], wire_name: Option<&str>) -> Self {
        let mut t = MemberTable {
            fields: TokenStream::new(),
            wires: Vec::new(),
            names: Vec::new(),
            required: Vec::new(),
            by_name: Vec::new(),
            refs: TokenStream::new(),
            muts: TokenStream::new(),
            blanks: TokenStream::new(),
            clones: Vec::new(),
            plain: true,
        };
        for (i, m) in members.iter().enumerate() {
            let f = m.field;
            let n = ident(m.rust);
            let ty = field_type(model, plan, m.holder, f);
            t.fields.extend(member(f, field_doc(f), &n, &ty));
            t.names.push(wire_lit(m.rust.strip_prefix("r#").unwrap_or(m.rust)));
            t.wires.push(wire_lit(&f.name));
            if f.required {
                t.required.push(i as u16);
            }
            t.refs.extend(quote!(#i => &self.#n,));
            t.muts.extend(quote!(#i => &mut self.#n,));
            let b = blank_expr(model, plan, m.holder, f);
            t.blanks.extend(quote!(#n: #b,));
            t.clones.push(quote!(crate::object::clone_member::<#ty>));
        }
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|a, b| members[*a].field.name.as_bytes().cmp(members[*b].field.name.as_bytes()));
        t.by_name = order.iter().map(|&i| i as u16).collect();
        // names JSON writes with escapes are only ever matched decoded
        let escaped = |name: &str| name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
        t.plain = !members.iter().any(|m| escaped(&m.field.name)) && !wire_name.is_some_and(escaped);
        t
    }
}

/// The struct and its inherent constants and methods.
fn struct_decl(s: &Schema, name: &Ident, fields: &TokenStream, wire_name: Option<&str>, since_info: &TokenStream, doc_extra: &[String]) -> TokenStream {
    let doc = docs::doc(s.description.as_deref(), doc_extra);
    let dep = docs::deprecated(s.deprecated);
    let type_name = wire_lit(wire_name.unwrap_or(&s.name));
    quote! {
        #doc
        #dep
        pub struct #name {
            #fields
            /// Members this release does not declare, kept so that re-encoding loses nothing.
            pub extra: crate::Extra,
        }

        impl #name {
            /// The `_typeName` of this type on the wire.
            pub const TYPE_NAME: &'static str = #type_name;

            /// The vSphere API release that introduced this type, when the document says; a
            /// client refuses to send it to a session of an older release.
            pub const SINCE: Option<&'static str> = #since_info;

            /// The wire type name of this value: [`Self::TYPE_NAME`], or the name of a subtype
            /// this release does not know that was decoded as this type.
            #[inline]
            pub fn type_name(&self) -> &str {
                self.extra.type_name().unwrap_or(Self::TYPE_NAME)
            }
        }
    }
}

/// The impls of `Object` (with the member table), `Blank`, `Default` and `Debug`.
fn object_impls(rust_name: &str, name: &Ident, t: &MemberTable, wire_name: Option<&str>, since_info: &TokenStream) -> TokenStream {
    let info_name = match wire_name {
        Some(w) => {
            let w = wire_lit(w);
            quote!(Some(#w))
        }
        None => quote!(None),
    };
    let (field_ref, field_mut) = field_methods(rust_name, t);
    let MemberTable { wires, names, required, by_name, blanks, clones, plain, .. } = t;
    quote! {
        impl crate::object::Object for #name {
            fn info(&self) -> &'static crate::object::ObjectInfo {
                static INFO: crate::object::ObjectInfo = crate::object::ObjectInfo {
                    rust: #rust_name,
                    type_name: #info_name,
                    wire: &[#(#wires),*],
                    names: &[#(#names),*],
                    required: &[#(#required),*],
                    by_name: &[#(#by_name),*],
                    plain: #plain,
                    since: #since_info,
                };
                &INFO
            }
            #field_ref
            #field_mut
            fn extra(&self) -> &crate::Extra { &self.extra }
            fn extra_mut(&mut self) -> &mut crate::Extra { &mut self.extra }
        }

        impl crate::object::Blank for #name {
            fn blank() -> Self { Self { #blanks extra: crate::Extra::EMPTY } }
        }

        // `Default` is the blank: empty strings, zeros, empty arrays, `None`, a family member
        // its base type's blank (`VirtualDeviceKind::VirtualDevice`), an enumeration member an
        // empty unrecognized value and an `Any` member an empty array, so that
        // `..Default::default()` fills in whatever a caller leaves out. It forwards, so that
        // one body per type is compiled (and `#[inline]` leaves it to the users who call it).
        impl Default for #name {
            #[inline]
            fn default() -> Self { <Self as crate::object::Blank>::blank() }
        }

        // `Clone` goes through the member table too: a blank value with each member cloned in
        // by its type's entry of the clone table.
        impl Clone for #name {
            fn clone(&self) -> Self {
                static MEMBERS: &[crate::object::CloneFn] = &[#(#clones),*];
                let mut out = <Self as crate::object::Blank>::blank();
                crate::object::clone_into(self, &mut out, MEMBERS);
                out
            }
        }

        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                crate::object::debug(self, f)
            }
        }
    }
}

/// `Object::field` and `Object::field_mut`: a member by its index.
fn field_methods(rust_name: &str, t: &MemberTable) -> (TokenStream, TokenStream) {
    let (refs, muts) = (&t.refs, &t.muts);
    if t.wires.is_empty() {
        (
            quote!(
                fn field(&self, _: usize) -> &dyn crate::object::Field {
                    unreachable!("{} has no members", #rust_name)
                }
            ),
            quote!(
                fn field_mut(&mut self, _: usize) -> &mut dyn crate::object::Field {
                    unreachable!("{} has no members", #rust_name)
                }
            ),
        )
    } else {
        (
            quote!(fn field(&self, i: usize) -> &dyn crate::object::Field { match i { #refs _ => unreachable!("member index out of range") } }),
            quote!(fn field_mut(&mut self, i: usize) -> &mut dyn crate::object::Field { match i { #muts _ => unreachable!("member index out of range") } }),
        )
    }
}

/// The codec of a `Box` of the object, for a member held boxed.
fn boxed_codec(name: &Ident) -> TokenStream {
    quote! {
        // only the in-place half: a body holding a `Box<T>` (as `decode`'s result would)
        // costs a drop check walking most of the crate's types
        impl crate::de::Decode for Box<#name> {
            fn decode_in_place(&mut self, d: &mut crate::de::Decoder<'_>) -> Result<(), crate::DecodeError> {
                d.object(&mut **self)
            }
        }

        impl crate::ser::Encode for Box<#name> {
            fn encode(&self, e: &mut crate::ser::Encoder) { e.object(&**self) }
        }
    }
}

pub(super) fn data_file(model: &Model, plan: &Plan, s: &Schema, d: &DataType) -> TokenStream {
    let mut extra = Vec::new();
    if let Some(p) = d.parent.as_deref().filter(|p| *p != model.root) {
        // a link where this crate sees the parent; a parent may be in a crate beside this one
        let unit = plan.unit_of(&s.name);
        let parent_unit = plan.unit_of(p);
        if parent_unit == unit || unit.below().contains(&parent_unit) {
            extra.push(format!("Extends [`{p}`](crate::types::{}).", plan.type_name[p]));
        } else {
            extra.push(format!("Extends `{p}`."));
        }
    }
    if !d.children.is_empty() {
        let k = &plan.family_name[&s.name];
        extra.push(format!("Has subtypes: members declared with this type are held as [`{k}`]."));
    }
    let mut out = object_struct(model, plan, s, Some(&d.wire_name), &extra);
    if !d.children.is_empty() {
        out.extend(kind_enum(model, plan, s, d));
    }
    out
}

pub(super) fn plain_file(model: &Model, plan: &Plan, s: &Schema) -> TokenStream {
    object_struct(model, plan, s, None, &[])
}
