//! `src/types/` of each crate (see `plan::split`): one file per data object (with its family
//! enum when it has subtypes), per enumeration and per request body, plus `any.rs` for the
//! polymorphic root.
//!
//! Representation (`.github/ARCHITECTURE.md` gives the reasons, `.github/PERFORMANCE.md` the measurements):
//! - a data object is a struct with *all* its members, inherited ones included, so reading a
//!   member never goes through a chain of parents;
//! - a data object with subtypes also gets a family enum (`VirtualDeviceKind`) with one variant
//!   for the type itself and one per direct subtype; a subtype that has subtypes of its own is
//!   held as its family enum, so the enums nest like the hierarchy and a `match` can stop at
//!   any level (`MethodFaultKind::VimFault(VimFaultKind::InvalidState(_))`);
//! - members a type does not declare (and the name of an unknown subtype) are kept in `extra`.

use super::docs;
use super::{cfg_attr, ident, tokens};
use crate::model::{DataType, Field, Kind, Model, ObjectType, Schema, StrFormat, Ty};
use crate::plan::{Plan, Unit};
use proc_macro2::TokenStream;
use quote::quote;

pub fn files<'a>(model: &'a Model, plan: &'a Plan) -> Vec<super::Job<'a>> {
    let mut out: Vec<super::Job<'a>> = Vec::new();
    for s in model.schemas.values() {
        let body: Box<dyn FnOnce() -> TokenStream + Send + 'a> = match &s.kind {
            Kind::Data(d) => Box::new(move || data_file(model, plan, s, d)),
            Kind::Enum(_) => Box::new(move || enum_file(plan, s)),
            Kind::Request(o) => Box::new(move || request_file(model, plan, s, o)),
            Kind::Plain(_) => Box::new(move || plain_file(model, plan, s)),
            Kind::Root => Box::new(move || root_file(model, plan, s)),
            Kind::Boxed(_) => continue,
        };
        out.push((format!("{}src/types/{}.rs", plan.unit_of(&s.name).dir(), module_of(plan, s)), body));
    }
    for unit in Unit::all() {
        out.push((format!("{}src/types/mod.rs", unit.dir()), Box::new(move || mod_rs(model, plan, unit))));
    }
    out
}

/// The file stem of a schema's module; the root's is `any`.
fn module_of<'p>(plan: &'p Plan, s: &Schema) -> &'p str {
    match s.kind {
        Kind::Root => "any",
        _ => &plan.module[&s.name],
    }
}

/// A crate's `types` module: its own types, and those of the crates below it re-exported, so
/// that `crate::types::X` names every type a file may use, in whichever crate it is.
fn mod_rs(model: &Model, plan: &Plan, unit: Unit) -> TokenStream {
    let mut mods = TokenStream::new();
    for s in model.schemas.values().filter(|s| plan.unit_of(&s.name) == unit) {
        match &s.kind {
            Kind::Root => {
                let name = ident(&plan.rust[&s.name]);
                let array = ident(&plan.array_type);
                mods.extend(quote!(mod any; pub use any::{#name, #array};));
            }
            Kind::Boxed(_) => {}
            _ => {
                let cfg = cfg_attr(plan.cfg(&s.name).as_deref());
                let m = ident(&plan.module[&s.name]);
                let name = ident(&plan.rust[&s.name]);
                mods.extend(quote!(#cfg mod #m; #cfg pub use #m::#name;));
                if let Some(k) = plan.kind_name.get(&s.name) {
                    let k = ident(k);
                    mods.extend(quote!(#cfg pub use #m::#k;));
                }
            }
        }
    }
    for below in unit.below() {
        let krate = ident(&below.krate());
        // Each type is documented once, in its own crate: inlined here, rustdoc would render all
        // the types below again on every crate above them.
        mods.extend(quote!(#[doc(no_inline)] pub use #krate::types::*;));
    }
    let doc = match unit {
        Unit::Top => docs::inner(&[
            "Every data object, enumeration and request body of the document, one module per type.",
            "",
            "Types of a namespace other than the core (`vsan`, `pbm`, ...) exist when its cargo feature is on.",
        ]),
        _ => docs::inner(&["The types of this part of `vim25` and of the parts below it; use them as `vim25::types`."]),
    };
    quote!(#doc #mods)
}

/// `Unpin`, `UnwindSafe` and `RefUnwindSafe` for a family enum or the root, which hold anyway:
/// every type owns all its data. They are written out for rustdoc, which works out each auto
/// trait of each type by walking every type it holds, from scratch for each type; from a type
/// on the cycle through the root that is every type of the API. A walk ends at an explicit impl,
/// so for these three traits it stops at the first family enum. (`Send` and `Sync` cannot be
/// written without `unsafe`; `Freeze` stops at every `Box` and `Vec`.)
fn explicit_auto_traits(ty: &TokenStream) -> TokenStream {
    quote! {
        impl Unpin for #ty {}
        impl std::panic::UnwindSafe for #ty {}
        impl std::panic::RefUnwindSafe for #ty {}
    }
}

fn wire_lit(s: &str) -> proc_macro2::Literal {
    proc_macro2::Literal::string(s)
}

/// Owned Rust type of a member.
fn field_type(model: &Model, plan: &Plan, holder: &str, f: &Field) -> TokenStream {
    tokens(&field_type_text(model, plan, holder, f))
}

fn field_type_text(model: &Model, plan: &Plan, holder: &str, f: &Field) -> String {
    let mut t = plan.owned_type(model, &f.ty);
    if plan.member_boxed(model, holder, f) {
        t = format!("Box<{t}>");
    }
    if !f.required {
        t = format!("Option<{t}>");
    }
    t
}

/// A member's value in a blank object, written out rather than through `Blank` or `Default`
/// where it is a literal: an optional member's `None` then costs no call, no temporary and no
/// unwinding path (derived `Default`s were a tenth of the crate's LLVM IR).
fn blank_expr(model: &Model, plan: &Plan, holder: &str, f: &Field) -> TokenStream {
    if !f.required {
        return quote!(None);
    }
    if plan.member_boxed(model, holder, f) {
        return quote!(crate::object::Blank::blank());
    }
    match plan.owned_type(model, &f.ty).as_str() {
        "bool" => quote!(false),
        "i8" | "i16" | "i32" | "i64" => quote!(0),
        "f32" | "f64" => quote!(0.0),
        t if t.starts_with("Vec<") => quote!(Vec::new()),
        _ => quote!(crate::object::Blank::blank()),
    }
}

fn field_doc(f: &Field) -> TokenStream {
    let mut extra = Vec::new();
    if f.ty == Ty::String(StrFormat::DateTime) {
        extra.push("An ISO 8601 date and time (`xsd:dateTime`).".into());
    } else if f.ty == Ty::String(StrFormat::Byte) {
        extra.push("Base64-encoded bytes.".into());
    }
    docs::doc(f.description.as_deref(), &extra)
}

/// A struct member's declaration.
fn member(f: &Field, doc: TokenStream, n: &proc_macro2::Ident, ty: TokenStream) -> TokenStream {
    let dep = docs::deprecated(f.deprecated);
    quote!(#doc #dep pub #n: #ty,)
}

/// A member as decoding sees it: declared by `holder`, named `rust` in that struct.
struct Member<'a> {
    holder: &'a str,
    field: &'a Field,
    rust: &'a str,
}

/// Members of `name` and its ancestors, root first (a data object holds them all).
fn flattened<'a>(model: &'a Model, plan: &'a Plan, name: &'a str) -> Vec<Member<'a>> {
    if model.data(name).is_none() {
        let fields: &[Field] = match &model.schema(name).kind {
            Kind::Plain(o) => &o.fields,
            _ => &[],
        };
        return fields.iter().zip(&plan.fields[name]).map(|(field, rust)| Member { holder: name, field, rust }).collect();
    }
    model
        .all_fields(name)
        .into_iter()
        .zip(&plan.fields[name])
        .map(|(field, rust)| Member { holder: name, field, rust })
        .collect()
}

/// The codec impls of an object-like type: `Decode` and `Encode` where given (a data object
/// has the blanket ones of `de.rs` and `ser.rs`), and serde through the vi-json codec.
fn codec_impls(name: &TokenStream, decode: Option<TokenStream>, encode: Option<TokenStream>) -> TokenStream {
    let decode = decode.map(|decode| quote!(impl crate::de::Decode for #name { #decode }));
    let encode = encode.map(|encode| {
        quote! {
            impl crate::ser::Encode for #name {
                fn encode(&self, e: &mut crate::ser::Encoder) { #encode }
            }
        }
    });
    quote! {
        #decode
        #encode

        #[cfg(feature = "serde")]
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                crate::object::serde_serialize(self, s)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::object::serde_deserialize(d)
            }
        }
    }
}

/// A data object (or plain object): the struct, its member table, and the `match`es handing
/// out its members by index to the shared codec in `object.rs`, `de.rs` and `ser.rs`.
fn object_struct(model: &Model, plan: &Plan, s: &Schema, wire_name: Option<&str>, doc_extra: &[String]) -> TokenStream {
    let rust_name = &plan.rust[&s.name];
    let name = ident(rust_name);
    let members = flattened(model, plan, &s.name);
    let mut fields = TokenStream::new();
    let mut wires = Vec::new();
    let mut names = Vec::new();
    let mut required = Vec::new();
    let mut refs = TokenStream::new();
    let mut muts = TokenStream::new();
    let mut blanks = TokenStream::new();
    for (i, m) in members.iter().enumerate() {
        let f = m.field;
        let n = ident(m.rust);
        let wire = wire_lit(&f.name);
        let ty = field_type(model, plan, m.holder, f);
        fields.extend(member(f, field_doc(f), &n, ty));
        names.push(wire_lit(m.rust.strip_prefix("r#").unwrap_or(m.rust)));
        wires.push(wire);
        if f.required {
            required.push(i as u16);
        }
        refs.extend(quote!(#i => &self.#n,));
        muts.extend(quote!(#i => &mut self.#n,));
        let b = blank_expr(model, plan, m.holder, f);
        blanks.extend(quote!(#n: #b,));
    }
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|a, b| members[*a].field.name.as_bytes().cmp(members[*b].field.name.as_bytes()));
    let by_name: Vec<u16> = order.iter().map(|&i| i as u16).collect();
    let since_info = match crate::model::since(s.description.as_deref()) {
        Some(r) => quote!(Some(#r)),
        None => quote!(None),
    };
    // names JSON writes with escapes are only ever matched decoded
    let escaped = |name: &str| name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    let plain = !members.iter().any(|m| escaped(&m.field.name)) && !wire_name.is_some_and(escaped);
    let (field_ref, field_mut) = if members.is_empty() {
        (
            quote!(fn field(&self, _: usize) -> &dyn crate::object::Field { unreachable!("{} has no members", #rust_name) }),
            quote!(fn field_mut(&mut self, _: usize) -> &mut dyn crate::object::Field { unreachable!("{} has no members", #rust_name) }),
        )
    } else {
        (
            quote!(fn field(&self, i: usize) -> &dyn crate::object::Field { match i { #refs _ => unreachable!("member index out of range") } }),
            quote!(fn field_mut(&mut self, i: usize) -> &mut dyn crate::object::Field { match i { #muts _ => unreachable!("member index out of range") } }),
        )
    };

    let doc = docs::doc(s.description.as_deref(), doc_extra);
    let dep = docs::deprecated(s.deprecated);
    // `Default` is the blank: empty strings, zeros, empty arrays, `None`, a family member its
    // base type's blank (`VirtualDeviceKind::VirtualDevice`), an enumeration member an empty
    // unrecognized value and an `Any` member an empty array, so that `..Default::default()`
    // fills in whatever a caller leaves out. It forwards, so that one body per type is compiled
    // (and `#[inline]` leaves it to the users who call it).
    let default = quote! {
        impl Default for #name {
            #[inline]
            fn default() -> Self { <Self as crate::object::Blank>::blank() }
        }
    };
    let type_name = wire_lit(wire_name.unwrap_or(&s.name));
    let info_name = match wire_name {
        Some(w) => {
            let w = wire_lit(w);
            quote!(Some(#w))
        }
        None => quote!(None),
    };
    let name_tokens = quote!(#name);
    // `Decode` and `Encode` are the blanket ones of objects (`de.rs`, `ser.rs`), which a boxed
    // member's `Box` cannot share: `Box` is a fundamental type, so a generic impl for it would
    // overlap them.
    let impls = codec_impls(&name_tokens, None, None);
    let boxed_codec = plan.boxed_members.contains(&s.name).then(|| {
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
    });
    quote! {
        #doc
        #dep
        #[derive(Clone)]
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

        impl crate::object::Object for #name {
            fn info(&self) -> &'static crate::object::ObjectInfo { &INFO }
            #field_ref
            #field_mut
            fn extra(&self) -> &crate::Extra { &self.extra }
            fn extra_mut(&mut self) -> &mut crate::Extra { &mut self.extra }
        }

        impl crate::object::Blank for #name {
            fn blank() -> Self { Self { #blanks extra: crate::Extra::EMPTY } }
        }

        #default

        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                crate::object::debug(self, f)
            }
        }

        #impls
        #boxed_codec
    }
}

fn data_file(model: &Model, plan: &Plan, s: &Schema, d: &DataType) -> TokenStream {
    let mut extra = Vec::new();
    if let Some(p) = d.parent.as_deref().filter(|p| *p != model.root) {
        // a link where this crate sees the parent; a parent may be in a crate beside this one
        let unit = plan.unit_of(&s.name);
        let parent_unit = plan.unit_of(p);
        if parent_unit == unit || unit.below().contains(&parent_unit) {
            extra.push(format!("Extends [`{p}`](crate::types::{}).", plan.rust[p]));
        } else {
            extra.push(format!("Extends `{p}`."));
        }
    }
    if !d.children.is_empty() {
        let k = &plan.kind_name[&s.name];
        extra.push(format!("Has subtypes: members declared with this type are held as [`{k}`]."));
    }
    let mut out = object_struct(model, plan, s, Some(&d.wire_name), &extra);
    if !d.children.is_empty() {
        out.extend(kind_enum(model, plan, s, d));
    }
    out
}

/// Variant name of a family member or root child.
fn variant_of(plan: &Plan, schema: &str) -> proc_macro2::Ident {
    ident(&plan.rust[schema])
}

fn kind_enum(model: &Model, plan: &Plan, s: &Schema, d: &DataType) -> TokenStream {
    let kind = ident(&plan.kind_name[&s.name]);
    let own_ty = ident(&plan.rust[&s.name]);
    let base_id = ident(&plan.rust[&s.name]);
    let mut variants = TokenStream::new();
    let mut clones = TokenStream::new();
    let mut objects = TokenStream::new();
    let mut objects_mut = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut froms = TokenStream::new();
    let own_held = Held { v: variant_of(plan, &s.name), ty: quote!(crate::types::#own_ty), boxed: !plan.layout.own_inline.contains(&s.name), family: false };
    let blank_own = own_held.blank();
    let children = d.children.iter().map(|child| {
        let held = match plan.kind_name.get(child) {
            Some(ck) => {
                let ck = ident(ck);
                Held { v: variant_of(plan, child), ty: quote!(crate::types::#ck), boxed: plan.layout.nested_boxed.contains(child.as_str()), family: true }
            }
            None => {
                let ct = ident(&plan.rust[child]);
                Held { v: variant_of(plan, child), ty: quote!(crate::types::#ct), boxed: true, family: false }
            }
        };
        let doc = docs::lines([format!("A `{child}`{}.", if model.is_polymorphic(child) { " or one of its subtypes" } else { "" }).as_str()]);
        (held, doc, cfg_attr(plan.cfg(child).as_deref()), Some(ident(&plan.rust[child])))
    });
    for (held, doc, cfg, cid) in std::iter::once((own_held, TokenStream::new(), TokenStream::new(), None)).chain(children) {
        let (v, ty, field, clone, (object, object_mut)) = (&held.v, &held.ty, held.field(), held.clone_body(), held.objects());
        variants.extend(quote!(#doc #cfg #v(#field),));
        clones.extend(quote!(#cfg Self::#v(v) => #clone,));
        objects.extend(quote!(#cfg Self::#v(v) => #object,));
        objects_mut.extend(quote!(#cfg Self::#v(v) => #object_mut,));
        if let Some(cid) = cid {
            let blank = held.blank();
            arms.extend(quote!(#cfg crate::registry::id::#cid => #blank,));
        }
        let from = held.wrap(quote!(v));
        froms.extend(quote! {
            #cfg impl From<#ty> for #kind {
                #[inline]
                fn from(v: #ty) -> Self { #from }
            }
        });
    }
    let direct: Vec<&str> = d.children.iter().map(String::as_str).collect();
    let deep = conversions(model, plan, &kind, &direct);
    let (accessors, _) = accessors(model, plan, s);
    let doc = docs::lines([
        format!("A `{}` or any of its subtypes: what a member declared as `{}` holds.", s.name, s.name).as_str(),
        "",
        "Decoding picks the variant from `_typeName`; a subtype this release does not know decodes",
        "as the base variant with its name and members kept in `extra`. Every subtype, at any",
        "depth, and every nested family enum converts into it with `From` (`.into()`), and the",
        "members of the base type are read from any variant with the methods named like them.",
        "Variants are added as releases add subtypes, so a `match` needs a `_` arm.",
    ]);
    let kind_tokens = quote!(#kind);
    let impls = codec_impls(&kind_tokens, Some(quote!(fn decode(d: &mut crate::de::Decoder<'_>) -> Result<Self, crate::DecodeError> { d.family() })), Some(quote!(e.object(crate::object::Family::object(self)))));
    let auto = explicit_auto_traits(&kind_tokens);
    quote! {
        #doc
        #[non_exhaustive]
        pub enum #kind {
            #[doc = " Exactly this type."]
            #variants
        }

        /// The blank base type (`VirtualDeviceKind::VirtualDevice` with every member empty).
        impl Default for #kind {
            #[inline]
            fn default() -> Self {
                <Self as crate::object::Family>::blank_base()
            }
        }

        #auto

        impl Clone for #kind {
            #[inline]
            fn clone(&self) -> Self {
                match self { #clones }
            }
        }

        /// The object held, as its own `Debug` writes it: `VirtualE1000 { .. }` rather than
        /// `VirtualEthernetCard(VirtualE1000(VirtualE1000 { .. }))`.
        impl std::fmt::Debug for #kind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                crate::object::debug(crate::object::Family::object(self), f)
            }
        }

        impl #kind {
            /// The wire `_typeName` of the value held.
            #[inline]
            pub fn type_name(&self) -> &str {
                crate::object::type_name(crate::object::Family::object(self))
            }

            /// The concrete value held, for downcasting.
            #[inline]
            pub fn as_any(&self) -> &dyn std::any::Any {
                // the object seen as `Any` (trait upcasting): no `match` per family to compile
                crate::object::Family::object(self)
            }

            /// The value held if it is a `T` (its concrete type, not an ancestor).
            pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
                self.as_any().downcast_ref::<T>()
            }

            #accessors
        }

        #froms
        #deep

        impl crate::object::Family for #kind {
            fn blank_for(id: u16) -> Self {
                match crate::registry::child_toward(crate::registry::id::#base_id, id) {
                    #arms
                    _ => Self::blank_base(),
                }
            }

            fn blank_base() -> Self {
                #blank_own
            }

            fn object(&self) -> &dyn crate::object::Object {
                match self { #objects }
            }

            fn object_mut(&mut self) -> &mut dyn crate::object::Object {
                match self { #objects_mut }
            }
        }

        impl crate::object::Blank for #kind {
            fn blank() -> Self {
                <Self as crate::object::Family>::blank_base()
            }
        }

        #impls
    }
}

/// Every data subtype below the direct ones of a family (`children`), each with the direct
/// subtype on its way, depth first in document order.
fn deeper<'m>(model: &'m Model, children: &[&'m str]) -> Vec<(&'m str, &'m str)> {
    let below = |n: &'m str| model.data(n).map(|d| d.children.iter().rev().map(String::as_str).collect::<Vec<_>>()).unwrap_or_default();
    let mut out = Vec::new();
    for &via in children {
        let mut stack = below(via);
        while let Some(n) = stack.pop() {
            out.push((n, via));
            stack.extend(below(n));
        }
    }
    out
}

/// `From` into the family enum (or root) `kind` for the subtypes its direct variants do not
/// hold as they are: the structs of polymorphic direct subtypes, and every struct and family
/// enum further down. Each is a `Within` impl naming the direct subtype's family enum to go
/// through, and one generic `From` converts through it: an impl without a body per pair, where
/// a `From` per pair would be a function to check and borrow-check each (a few thousand into
/// `Any` alone).
fn conversions(model: &Model, plan: &Plan, kind: &proc_macro2::Ident, children: &[&str]) -> TokenStream {
    let mut markers = TokenStream::new();
    let mut mark = |ty: &str, via: &str, cfg_of: &str| {
        let (ty, via, cfg) = (ident(ty), ident(&plan.kind_name[via]), cfg_attr(plan.cfg(cfg_of).as_deref()));
        markers.extend(quote!(#cfg impl crate::object::Within<#kind> for crate::types::#ty { type Via = crate::types::#via; }));
    };
    for &c in children.iter().filter(|c| plan.kind_name.contains_key(**c)) {
        mark(&plan.rust[c], c, c);
    }
    for (n, via) in deeper(model, children) {
        mark(&plan.rust[n], via, n);
        if let Some(k) = plan.kind_name.get(n) {
            mark(k, via, n);
        }
    }
    if markers.is_empty() {
        return markers;
    }
    quote! {
        #markers

        /// A subtype below the direct ones, through the family enum of the direct one.
        impl<T> From<T> for #kind
        where
            T: crate::object::Within<Self>,
            <T as crate::object::Within<Self>>::Via: From<T>,
            Self: From<<T as crate::object::Within<Self>>::Via>,
        {
            #[inline]
            fn from(v: T) -> Self {
                Self::from(<T as crate::object::Within<Self>>::Via::from(v))
            }
        }
    }
}

/// Method names a member accessor must not take: the family enums' own methods and those of
/// the public traits they implement, which an inherent method of the same name would shadow
/// (the hidden traits of `object.rs` are only called by path). Such a member's accessor is
/// named `{member}_member` (`PbmCapabilityTypeInfoKind::type_name_member`).
const TAKEN_METHODS: &[&str] = &[
    "type_name", "as_any", "downcast_ref", "clone", "clone_from", "fmt", "default", "from", "into", "encode", "serialize",
    "deserialize", "to_owned", "to_string",
];

/// The accessors of a family enum for the members of its base type (`EventKind::created_time`,
/// `created_time_mut`), each a call of `object::member` with the member's index, which is the
/// same in every subtype's table. A member whose name or Rust type differs in some subtype is
/// left out rather than read through a wrong index; the names of those are returned.
fn accessors(model: &Model, plan: &Plan, s: &Schema) -> (TokenStream, Vec<String>) {
    let members = flattened(model, plan, &s.name);
    let mut scope = crate::names::Scope::with_reserved(TAKEN_METHODS);
    let subtypes: Vec<&str> = deeper(model, &[s.name.as_str()]).into_iter().map(|(n, _)| n).collect();
    let mut out = TokenStream::new();
    let mut left_out = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let ty = field_type_text(model, plan, &s.name, m.field);
        let same_everywhere = subtypes.iter().all(|sub| {
            let fields = model.all_fields(sub);
            plan.fields[*sub].get(i).map(String::as_str) == Some(m.rust)
                && fields.get(i).is_some_and(|f| f.name == m.field.name && field_type_text(model, plan, sub, f) == ty)
        });
        if !same_everywhere {
            left_out.push(m.field.name.clone());
            continue;
        }
        let mut bare = m.rust.strip_prefix("r#").unwrap_or(m.rust).to_owned();
        if TAKEN_METHODS.contains(&bare.as_str()) {
            bare.push_str("_member");
        }
        let get = scope.claim(bare.clone());
        let set = scope.claim(format!("{bare}_mut"));
        let (get, set) = (ident(&crate::names::escape(&get)), ident(&set));
        let dep = docs::deprecated(m.field.deprecated);
        let doc = format!(" `{}` of the object held, whichever variant holds it.", m.field.name);
        let doc_mut = format!(" `{}` of the object held, to change it.", m.field.name);
        let (object, object_mut) = (quote!(crate::object::Family::object(self)), quote!(crate::object::Family::object_mut(self)));
        // a required member held in a `Box` is handed out as what the box holds (by deref
        // coercion of the reference to the box)
        let (ty, read, write) = if m.field.required && plan.member_boxed(model, &s.name, m.field) {
            let inner = tokens(&plan.owned_type(model, &m.field.ty));
            let boxed = tokens(&ty);
            (inner, quote!(crate::object::member::<#boxed>(#object, #i)), quote!(crate::object::member_mut::<#boxed>(#object_mut, #i)))
        } else {
            (tokens(&ty), quote!(crate::object::member(#object, #i)), quote!(crate::object::member_mut(#object_mut, #i)))
        };
        out.extend(quote! {
            #[doc = #doc]
            #dep
            #[inline]
            pub fn #get(&self) -> &#ty {
                #read
            }

            #[doc = #doc_mut]
            #dep
            #[inline]
            pub fn #set(&mut self) -> &mut #ty {
                #write
            }
        });
    }
    (out, left_out)
}

/// How a family enum's variant `v` holds its value of type `ty`: in a `Box` or not, and as a
/// family enum (a subtype with subtypes) or a struct.
///
/// Boxed variants are built through the generic helpers of `object.rs` (`boxed`, `clone_boxed`,
/// `blank_boxed`), so that no generated body holds a `Box<T>` of a member: rustc drop-checks
/// each such type where a body holds it, and each check walks most of the crate.
struct Held {
    v: proc_macro2::Ident,
    ty: TokenStream,
    boxed: bool,
    family: bool,
}

impl Held {
    fn field(&self) -> TokenStream {
        let ty = &self.ty;
        if self.boxed {
            quote!(Box<#ty>)
        } else {
            ty.clone()
        }
    }

    /// `value` (of type `ty`) as the variant.
    fn wrap(&self, value: TokenStream) -> TokenStream {
        let v = &self.v;
        if self.boxed {
            quote!(crate::object::boxed(#value, Self::#v))
        } else {
            quote!(Self::#v(#value))
        }
    }

    /// The clone of the variant's value `v`.
    fn clone_body(&self) -> TokenStream {
        let v = &self.v;
        if self.boxed {
            quote!(crate::object::clone_boxed(&**v, Self::#v))
        } else {
            quote!(Self::#v(Clone::clone(v)))
        }
    }

    /// The variant's value `v` as `&dyn Object` and `&mut dyn Object`.
    fn objects(&self) -> (TokenStream, TokenStream) {
        let (r, m) = if self.boxed { (quote!(&**v), quote!(&mut **v)) } else { (quote!(v), quote!(v)) };
        if self.family {
            (quote!(crate::object::Family::object(#r)), quote!(crate::object::Family::object_mut(#m)))
        } else {
            (r, m)
        }
    }

    /// The variant with a blank value, for the registry id `id`.
    fn blank(&self) -> TokenStream {
        let (v, ty) = (&self.v, &self.ty);
        match (self.family, self.boxed) {
            (true, _) => self.wrap(quote!(<#ty as crate::object::Family>::blank_for(id))),
            (false, true) => quote!(crate::object::blank_boxed(Self::#v)),
            (false, false) => quote!(Self::#v(crate::object::Blank::blank())),
        }
    }
}

fn root_file(model: &Model, plan: &Plan, s: &Schema) -> TokenStream {
    let name = ident(&plan.rust[&s.name]);
    let mut variants = TokenStream::new();
    let mut type_names = TokenStream::new();
    let mut as_any = TokenStream::new();
    let mut as_str = TokenStream::new();
    let mut encode = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut scope = crate::names::Scope::default();
    let children = model.root_children();
    for child in &children {
        scope.claim(plan.rust[*child].clone());
    }
    let unknown = ident(&scope.claim("Unknown".into()));
    let array = ident(&scope.claim("Array".into()));
    let array_ty = ident(&plan.array_type);
    let mut array_ids: Vec<u16> = Vec::new();
    let mut array_value_key = None;
    let mut froms = TokenStream::new();
    let data_children: Vec<&str> = children.iter().copied().filter(|c| model.data(c).is_some()).collect();
    let deep = conversions(model, plan, &name, &data_children);
    for child in children {
        let cfg = cfg_attr(plan.cfg(child).as_deref());
        let v = variant_of(plan, child);
        let cid = ident(&plan.rust[child]);
        let schema = model.schema(child);
        match &schema.kind {
            Kind::Boxed(b) if is_data_array(model, &b.value) => {
                array_ids.push(plan.id_of[child]);
                array_value_key.get_or_insert_with(|| b.value_field.clone());
            }
            Kind::Boxed(b) => {
                let ty = tokens(&plan.owned_type(model, &b.value));
                let wire = wire_lit(&b.wire_name);
                let key = wire_lit(&b.value_field);
                let doc = docs::doc(schema.description.as_deref(), &[format!("Wire `_typeName`: `{}`.", b.wire_name)]);
                variants.extend(quote!(#doc #cfg #v(#ty),));
                type_names.extend(quote!(#cfg Self::#v(_) => #wire,));
                as_any.extend(quote!(#cfg Self::#v(v) => v,));
                if matches!(b.value, Ty::String(f) if f != StrFormat::Password) {
                    as_str.extend(quote!(#cfg Self::#v(v) => Some(v),));
                }
                encode.extend(quote!(#cfg Self::#v(v) => e.boxed(#wire, #key, v),));
                arms.extend(quote!(#cfg crate::registry::id::#cid => d.boxed_as(#key, Self::#v),));
            }
            Kind::Data(_) => {
                let doc = docs::lines([format!("A `{child}`{}.", if model.is_polymorphic(child) { " or one of its subtypes" } else { "" }).as_str()]);
                if let Some(ck) = plan.kind_name.get(child) {
                    let ck = ident(ck);
                    let tag = quote!(crate::de::TypeTag::Known(id));
                    let held = Held { v: v.clone(), ty: quote!(crate::types::#ck), boxed: plan.layout.nested_boxed.contains(child), family: true };
                    let from = held.wrap(quote!(v));
                    froms.extend(quote!(#cfg impl From<crate::types::#ck> for #name { #[inline] fn from(v: crate::types::#ck) -> Self { #from } }));
                    if plan.layout.nested_boxed.contains(child) {
                        variants.extend(quote!(#doc #cfg #v(Box<crate::types::#ck>),));
                        arms.extend(quote!(#cfg crate::registry::id::#cid => d.family_tagged_as(#tag, |k| crate::object::boxed(k, Self::#v)),));
                        encode.extend(quote!(#cfg Self::#v(v) => crate::ser::Encode::encode(&**v, e),));
                    } else {
                        variants.extend(quote!(#doc #cfg #v(crate::types::#ck),));
                        arms.extend(quote!(#cfg crate::registry::id::#cid => d.family_tagged_as(#tag, Self::#v),));
                        encode.extend(quote!(#cfg Self::#v(v) => crate::ser::Encode::encode(v, e),));
                    }
                    as_any.extend(quote!(#cfg Self::#v(v) => v.as_any(),));
                } else {
                    froms.extend(quote!(#cfg impl From<crate::types::#cid> for #name { #[inline] fn from(v: crate::types::#cid) -> Self { crate::object::boxed(v, Self::#v) } }));
                    variants.extend(quote!(#doc #cfg #v(Box<crate::types::#cid>),));
                    as_any.extend(quote!(#cfg Self::#v(v) => &**v,));
                    arms.extend(quote!(#cfg crate::registry::id::#cid => d.decode_boxed_as(Self::#v),));
                    encode.extend(quote!(#cfg Self::#v(v) => e.object(&**v),));
                }
                type_names.extend(quote!(#cfg Self::#v(v) => v.type_name(),));
            }
            _ => {}
        }
    }
    array_ids.sort_unstable();
    let n_arrays = array_ids.len();
    let array_key = wire_lit(array_value_key.as_deref().unwrap_or("_value"));
    let root_name = &s.name;
    let array_doc = format!(" A boxed array of data objects in an `{root_name}` position (`ArrayOfVirtualDevice`, ...).");
    let doc = docs::doc(
        s.description.as_deref(),
        &[
            "Any value of the API, chosen by its `_typeName`: a data object or fault (through its family enum), a managed object reference, or a boxed primitive, array or enumeration (`{\"_typeName\": \"int\", \"_value\": 3}`).".into(),
            "A `_typeName` this release does not know is kept verbatim in the unknown variant and re-encodes unchanged.".into(),
            "Every data object and fault, and every family enum, converts into it with `From` (`.into()`). Variants are added as releases add types, so a `match` needs a `_` arm.".into(),
        ],
    );
    let name_tokens = quote!(#name);
    let impls = codec_impls(
        &name_tokens,
        Some(quote! { fn decode(d: &mut crate::de::Decoder<'_>) -> Result<Self, crate::DecodeError> {
            let id = match d.any_tag()? {
                crate::de::TypeTag::Known(id) => id,
                _ => return d.json_object().map(|m| Self::#unknown(Box::new(m))),
            };
            // each arm one call returning straight into the result (see `Decoder::boxed_as`)
            match crate::registry::child_toward(crate::registry::id::#name, id) {
                #arms
                _ if DATA_ARRAYS.binary_search(&id).is_ok() => d.boxed(#array_key).map(|items| Self::#array(crate::types::#array_ty {
                    type_name: crate::CompactString::const_new(crate::registry::NAMES[id as usize]),
                    items,
                })),
                _ => d.json_object().map(|m| Self::#unknown(Box::new(m))),
            }
        } }),
        Some(quote! {
            match self {
                #encode
                Self::#array(v) => e.boxed(&v.type_name, #array_key, &v.items),
                Self::#unknown(v) => e.json_map(v),
            }
        }),
    );
    let auto = explicit_auto_traits(&name_tokens);
    quote! {
        #doc
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #name {
            #variants
            /// A boxed array of data objects (`ArrayOfVirtualDevice`, ...): one variant for all
            /// of them, its elements decoded by their own `_typeName`.
            #array(crate::types::#array_ty),
            /// A value whose `_typeName` this release does not know, kept as it was received
            /// (including `_typeName`).
            #unknown(Box<serde_json::Map<String, serde_json::Value>>),
        }

        impl #name {
            /// The wire `_typeName` of the value held.
            #[inline]
            pub fn type_name(&self) -> &str {
                match self {
                    #type_names
                    Self::#array(v) => &v.type_name,
                    Self::#unknown(v) => v.get(crate::DISCRIMINATOR).and_then(|n| n.as_str()).unwrap_or(""),
                }
            }

            /// The concrete value held, for downcasting (`bool`, `Vec<CompactString>`, a struct...).
            #[inline]
            pub fn as_any(&self) -> &dyn std::any::Any {
                match self {
                    #as_any
                    Self::#array(v) => v,
                    Self::#unknown(v) => &**v,
                }
            }

            /// The value held if it is a `T` (its concrete type).
            pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
                self.as_any().downcast_ref::<T>()
            }

            /// The text of a boxed string (`string`, `dateTime`, `anyURI`, `base64Binary`...),
            /// `None` for any other value.
            pub fn as_str(&self) -> Option<&str> {
                match self {
                    #as_str
                    _ => None,
                }
            }
        }

        impl crate::object::Blank for #name {
            // The empty array: a placeholder that allocates nothing.
            fn blank() -> Self {
                Self::#array(crate::types::#array_ty { type_name: crate::CompactString::const_new(""), items: Vec::new() })
            }
        }

        #froms
        #deep
        #auto
        #impls

        /// Ids of the boxed arrays of data objects, sorted.
        static DATA_ARRAYS: [u16; #n_arrays] = [#(#array_ids),*];

        #[doc = #array_doc]
        #[derive(Debug, Clone)]
        pub struct #array_ty {
            /// The wire `_typeName` of the array (`ArrayOfVirtualDevice`).
            pub type_name: crate::CompactString,
            /// The elements, each decoded by its own `_typeName`.
            pub items: Vec<#name>,
        }

        impl #array_ty {
            /// The elements that are a `T` (their concrete type).
            pub fn downcast<T: 'static>(&self) -> impl Iterator<Item = &T> + '_ {
                self.items.iter().filter_map(|i| i.downcast_ref::<T>())
            }
        }
    }
}

/// A boxed array whose elements are data objects (they carry their own `_typeName`).
pub fn is_data_array(model: &Model, ty: &Ty) -> bool {
    matches!(ty, Ty::Array(inner) if matches!(&**inner, Ty::Ref(n) if model.data(n).is_some()))
}

fn enum_file(plan: &Plan, s: &Schema) -> TokenStream {
    let Kind::Enum(e) = &s.kind else { unreachable!("enum_file takes enums") };
    let name = ident(&plan.rust[&s.name]);
    let unknown = ident(&plan.unknown_variant[&s.name]);
    let mut variants = TokenStream::new();
    let mut as_str = TokenStream::new();
    let mut from = TokenStream::new();
    for (v, rust) in e.values.iter().zip(&plan.variants[&s.name]) {
        let vi = ident(rust);
        let wire = wire_lit(&v.value);
        let doc = docs::doc(v.description.as_deref(), &[format!("`{}`", v.value)]);
        variants.extend(quote!(#doc #vi,));
        as_str.extend(quote!(Self::#vi => #wire,));
        from.extend(quote!(#wire => Self::#vi,));
    }
    let doc = docs::doc(s.description.as_deref(), &[]);
    let dep = docs::deprecated(s.deprecated);
    quote! {
        #doc
        #dep
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #variants
            /// A value this release does not know, kept as received.
            #unknown(String),
        }

        impl #name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #as_str
                    Self::#unknown(v) => v,
                }
            }
        }

        impl #name {
            /// The value for a wire string; one this release does not know is kept.
            pub fn from_wire(v: &str) -> Self {
                match v {
                    #from
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }

        impl From<&str> for #name {
            fn from(v: &str) -> Self {
                Self::from_wire(v)
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(v: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(v))
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl crate::de::Decode for #name {
            fn decode(d: &mut crate::de::Decoder<'_>) -> Result<Self, crate::DecodeError> {
                match d.str() {
                    Ok(v) => Ok(Self::from_wire(v)),
                    Err(e) => Err(e),
                }
            }
        }

        impl crate::ser::Encode for #name {
            fn encode(&self, e: &mut crate::ser::Encoder) {
                e.str(self.as_str())
            }
        }

        impl crate::object::Blank for #name {
            fn blank() -> Self {
                Self::#unknown(String::new())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(d).map(|v| Self::from_wire(&v))
            }
        }
    }
}

/// The borrowed Rust type of a request parameter; returns whether it borrows.
pub fn param_type(model: &Model, plan: &Plan, f: &Field) -> (String, bool) {
    let (t, borrows) = match &f.ty {
        Ty::Bool | Ty::Int(_) | Ty::Float(_) => (plan.owned_type(model, &f.ty), false),
        Ty::String(_) => ("&'a str".to_owned(), true),
        // strings in a list are borrowed too, so that a list of any string type is one
        // collect away
        Ty::Array(inner) if matches!(**inner, Ty::String(_)) => ("&'a [&'a str]".to_owned(), true),
        Ty::Array(inner) => (format!("&'a [{}]", plan.owned_type(model, inner)), true),
        Ty::Ref(_) => (format!("&'a {}", plan.owned_type(model, &f.ty)), true),
    };
    if f.required {
        (t, borrows)
    } else {
        (format!("Option<{t}>"), borrows)
    }
}

fn request_file(model: &Model, plan: &Plan, s: &Schema, o: &ObjectType) -> TokenStream {
    let name = ident(&plan.rust[&s.name]);
    let mut fields = TokenStream::new();
    let mut write = TokenStream::new();
    let mut lifetime = false;
    for (f, rust) in o.fields.iter().zip(&plan.fields[&s.name]) {
        let (t, borrows) = param_type(model, plan, f);
        lifetime |= borrows;
        let ty = tokens(&t);
        let n = ident(rust);
        let wire = wire_lit(&f.name);
        fields.extend(member(f, docs::doc(f.description.as_deref(), &[]), &n, ty));
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

        impl crate::ser::Encode for #name #anon {
            fn encode(&self, e: &mut crate::ser::Encoder) {
                let #o_binding = e.members();
                #write
                o.end();
            }
        }
    }
}

fn plain_file(model: &Model, plan: &Plan, s: &Schema) -> TokenStream {
    object_struct(model, plan, s, None, &[])
}

#[cfg(test)]
mod tests {
    use super::accessors;
    use crate::plan::fixture::{model, MINI};
    use crate::plan::Plan;

    /// A generated file of the fixture, its whitespace collapsed to single spaces.
    fn file(module: &str) -> String {
        file_of(MINI, module)
    }

    fn file_of(yaml: &str, module: &str) -> String {
        let out = crate::generate(yaml.as_bytes(), &crate::Options { crate_version: "9.9.9".into(), standalone: true, layout: None }).expect("generates");
        let name = format!("src/types/{module}.rs");
        let text = out.files.iter().find(|(path, _)| path.ends_with(&name)).map(|(_, text)| text).expect("the file exists");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn within(kind: &str, ty: &str, via: &str) -> String {
        format!("impl crate::object::Within<{kind}> for crate::types::{ty} {{ type Via = crate::types::{via}; }}")
    }

    #[test]
    fn subtypes_at_every_depth_convert_through_the_direct_subtypes_family() {
        // DataObject > Shape > Polygon > Square
        let shape = file("shape");
        assert!(shape.contains(&within("ShapeKind", "Square", "PolygonKind")), "{shape}");
        assert!(shape.contains(&within("ShapeKind", "Polygon", "PolygonKind")));
        // a direct subtype without subtypes has its own `From` and no marker
        assert!(!shape.contains("Within<ShapeKind> for crate::types::PolygonKind"));
        assert!(shape.contains("impl<T> From<T> for ShapeKind where T: crate::object::Within<Self>"));
        let data = file("data_object");
        for (ty, via) in [("Shape", "ShapeKind"), ("Polygon", "ShapeKind"), ("PolygonKind", "ShapeKind"), ("Square", "ShapeKind")] {
            assert!(data.contains(&within("DataObjectKind", ty, via)), "{ty} in {data}");
        }
        let any = file("any");
        assert!(any.contains("impl From<crate::types::DataObjectKind> for Any"), "{any}");
        assert!(any.contains("impl From<crate::types::MethodFaultKind> for Any"));
        assert!(any.contains(&within("Any", "Square", "DataObjectKind")));
        assert!(any.contains(&within("Any", "WidgetFault", "MethodFaultKind")));
        // a family without subtypes below its direct ones needs no generic `From`
        assert!(!file("polygon").contains("Within"));
    }

    #[test]
    fn family_enums_and_value_enums_are_non_exhaustive_and_defaulted() {
        assert!(file("shape").contains("#[non_exhaustive] pub enum ShapeKind"));
        assert!(file("any").contains("#[non_exhaustive] pub enum Any"));
        assert!(file("color").contains("#[non_exhaustive] pub enum Color"));
        assert!(file("shape").contains("impl Default for ShapeKind"));
        // a struct with a required family member has `Default` too
        let required = "      required:\n        - corners\n";
        assert!(MINI.contains(required));
        let yaml = MINI.replace(required, "      required:\n        - corners\n        - inner\n");
        assert!(file_of(&yaml, "square").contains("pub inner: crate::types::ShapeKind"));
        assert!(file_of(&yaml, "square").contains("impl Default for Square"));
    }

    #[test]
    fn accessors_read_every_base_member_by_its_index() {
        let m = model(MINI);
        let plan = Plan::build(&m);
        let (tokens, left_out) = accessors(&m, &plan, m.schema("Polygon"));
        let text = tokens.to_string();
        assert!(left_out.is_empty(), "{left_out:?}");
        // inherited members first, at the indices of every subtype's table
        assert!(text.contains("pub fn name (& self) -> & crate :: CompactString { crate :: object :: member (crate :: object :: Family :: object (self) , 0usize) }"), "{text}");
        assert!(text.contains("pub fn r#type (& self)") && text.contains("pub fn type_mut (& mut self)"), "{text}");
        assert!(text.contains("pub fn corners_mut (& mut self) -> & mut i32 { crate :: object :: member_mut (crate :: object :: Family :: object_mut (self) , 3usize) }"), "{text}");
    }

    #[test]
    fn a_required_boxed_member_is_handed_out_unboxed() {
        let color = "        color:\n          description: A bare reference with a sibling (8.0.x style).";
        let required = "      required:\n        - name\n";
        assert!(MINI.contains(color) && MINI.contains(required));
        let yaml = MINI
            .replace(color, &format!("        manual:\n          $ref: '#/components/schemas/GizmoManual'\n{color}"))
            .replace(required, "      required:\n        - name\n        - manual\n");
        let m = model(&yaml);
        let plan = Plan::build(&m);
        let text = accessors(&m, &plan, m.schema("Shape")).0.to_string();
        assert!(text.contains("pub fn manual (& self) -> & crate :: types :: GizmoManual { crate :: object :: member :: < Box < crate :: types :: GizmoManual > >"), "{text}");
        assert!(text.contains("pub fn manual_mut (& mut self) -> & mut crate :: types :: GizmoManual { crate :: object :: member_mut :: < Box < crate :: types :: GizmoManual > >"), "{text}");
    }

    #[test]
    fn a_member_named_like_a_method_or_typed_apart_in_a_subtype_is_handled() {
        // `typeName` would shadow `type_name`
        let color = "        color:\n          description: A bare reference with a sibling (8.0.x style).";
        assert!(MINI.contains(color));
        let m = model(&MINI.replace(color, &format!("        typeName:\n          type: string\n{color}")));
        let mut plan = Plan::build(&m);
        let (tokens, left_out) = accessors(&m, &plan, m.schema("Shape"));
        assert!(left_out.is_empty(), "{left_out:?}");
        let text = tokens.to_string();
        assert!(text.contains("pub fn type_name_member (& self)") && text.contains("pub fn type_name_member_mut (& mut self)"), "{text}");
        // a member boxed in one subtype only (the layout boxes a member by its type, so the
        // plan never does this) has no accessor rather than one reading the wrong type
        plan.boxed_fields.insert(("Square".into(), "name".into()));
        let (tokens, left_out) = accessors(&m, &plan, m.schema("Shape"));
        assert_eq!(left_out, ["name"]);
        assert!(!tokens.to_string().contains("pub fn name"));
        let (_, left_out) = accessors(&m, &plan, m.schema("Polygon"));
        assert_eq!(left_out, ["name"]);
    }
}
