//! `src/types/`: one file per data object (with its family enum when it has subtypes), per
//! enumeration and per request body, plus `any.rs` for the polymorphic root.
//!
//! Representation (see the README's design notes for the measurements behind it):
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
use crate::plan::Plan;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn files(model: &Model, plan: &Plan) -> Vec<(String, TokenStream)> {
    let mut out = Vec::new();
    let mut mods = TokenStream::new();
    for s in model.schemas.values() {
        let body = match &s.kind {
            Kind::Data(d) => data_file(model, plan, s, d),
            Kind::Enum(_) => enum_file(plan, s),
            Kind::Request(o) => request_file(model, plan, s, o),
            Kind::Plain(_) => plain_file(model, plan, s),
            Kind::Root => {
                out.push(("src/types/any.rs".to_owned(), root_file(model, plan, s)));
                let name = ident(&plan.rust[&s.name]);
                let array = ident(&plan.array_type);
                mods.extend(quote!(mod any; pub use any::{#name, #array};));
                continue;
            }
            Kind::Boxed(_) => continue,
        };
        let module = &plan.module[&s.name];
        out.push((format!("src/types/{module}.rs"), body));
        let cfg = cfg_attr(plan.cfg(&s.name).as_deref());
        let m = ident(module);
        let name = ident(&plan.rust[&s.name]);
        mods.extend(quote!(#cfg mod #m; #cfg pub use #m::#name;));
        if let Some(k) = plan.kind_name.get(&s.name) {
            let k = ident(k);
            mods.extend(quote!(#cfg pub use #m::#k;));
        }
    }
    let doc = docs::inner(&[
        " Every data object, enumeration and request body of the document, one module per type.",
        "",
        " Types of a namespace other than the core (`vsan`, `pbm`, ...) exist when its cargo feature is on.",
    ]);
    out.push(("src/types/mod.rs".to_owned(), quote!(#doc #mods)));
    out
}

fn wire_lit(s: &str) -> proc_macro2::Literal {
    proc_macro2::Literal::string(s)
}

/// Whether a member holds its struct behind a `Box`: every struct-typed member does (family
/// enums and arrays already hold theirs on the heap). Inline nesting makes the big objects
/// (`VirtualMachineConfigInfo`) kilobytes large, and decoding them would need that much stack
/// per level, several times over in a debug build.
fn boxed(model: &Model, plan: &Plan, holder: &str, f: &Field) -> bool {
    let struct_typed = matches!(&f.ty, Ty::Ref(n) if !model.is_polymorphic(n) && matches!(model.schema(n).kind, Kind::Data(_) | Kind::Plain(_)));
    struct_typed || plan.boxed_fields.contains(&(holder.to_owned(), f.name.clone()))
}

/// Owned Rust type of a member.
fn field_type(model: &Model, plan: &Plan, holder: &str, f: &Field) -> TokenStream {
    let mut t = plan.owned_type(model, &f.ty);
    if boxed(model, plan, holder, f) {
        t = format!("Box<{t}>");
    }
    if !f.required {
        t = format!("Option<{t}>");
    }
    tokens(&t)
}

fn is_list(ty: &Ty) -> bool {
    matches!(ty, Ty::Array(_))
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

/// Owned type of a member without the `Option` of an optional member.
fn slot_type(model: &Model, plan: &Plan, holder: &str, f: &Field) -> TokenStream {
    let mut t = plan.owned_type(model, &f.ty);
    if boxed(model, plan, holder, f) {
        t = format!("Box<{t}>");
    }
    tokens(&t)
}

/// A struct member's declaration and the statement writing it (absent optional members are
/// left out).
fn member(f: &Field, doc: TokenStream, n: &proc_macro2::Ident, wire: &proc_macro2::Literal, ty: TokenStream) -> (TokenStream, TokenStream) {
    let dep = docs::deprecated(f.deprecated);
    let write = if f.required { quote!(o.field(#wire, &self.#n);) } else { quote!(o.opt(#wire, &self.#n);) };
    (quote!(#doc #dep pub #n: #ty,), write)
}

/// A member as decoding sees it: declared by `holder`, named `rust` in that struct.
struct Member<'a> {
    holder: &'a str,
    field: &'a Field,
    rust: &'a str,
}

/// Members of `name` and its ancestors, root first: decoding reads them all in one `match`,
/// whatever level declares them.
fn flattened<'a>(model: &'a Model, plan: &'a Plan, name: &'a str) -> Vec<Member<'a>> {
    if !plan.embeds.is_empty() || model.data(name).is_none() {
        return levels(model, plan, name);
    }
    // flattened structs: the names were given over all levels at once
    model
        .all_fields(name)
        .into_iter()
        .zip(&plan.fields[name])
        .map(|(field, rust)| Member { holder: name, field, rust })
        .collect()
}

fn levels<'a>(model: &'a Model, plan: &'a Plan, name: &'a str) -> Vec<Member<'a>> {
    let mut chain: Vec<&str> = model.ancestors(name);
    chain.reverse();
    chain.push(name);
    let mut out = Vec::new();
    for holder in chain {
        let fields: &[Field] = match &model.schema(holder).kind {
            Kind::Data(d) => &d.fields,
            Kind::Plain(o) => &o.fields,
            _ => &[],
        };
        for (field, rust) in fields.iter().zip(&plan.fields[holder]) {
            out.push(Member { holder, field, rust });
        }
    }
    out
}

/// The struct literal rebuilding `name` from the decoded locals (`f_0`, `f_1`, ...).
fn build(plan: &Plan, name: &str, members: &[Member<'_>], top: bool) -> TokenStream {
    let mut inits = TokenStream::new();
    if let Some(p) = plan.embeds.get(name) {
        let base = ident(crate::plan::BASE_FIELD);
        let inner = build(plan, p, members, false);
        inits.extend(quote!(#base: #inner,));
    }
    for (i, m) in members.iter().enumerate().filter(|(_, m)| m.holder == name) {
        let field = ident(m.rust);
        let local = format_ident!("f_{}", i);
        inits.extend(quote!(#field: #local,));
    }
    if top {
        quote!(Self { #inits extra })
    } else {
        let ty = ident(&plan.rust[name]);
        quote!(crate::types::#ty { #inits extra: crate::Extra::EMPTY })
    }
}

/// A struct with `extra`, its Serialize / Deserialize / DecodeFields impls. A data object
/// embeds its parent as `base` (with `Deref` to it); decoding reads all levels' members in one
/// pass into one tuple of `Option`s (so an early error return drops one local, not one per
/// member), checks the required ones with a single pattern and builds the nested value by moves.
fn object_struct(model: &Model, plan: &Plan, s: &Schema, wire_name: Option<&str>, doc_extra: &[String]) -> TokenStream {
    let name = ident(&plan.rust[&s.name]);
    let members = flattened(model, plan, &s.name);
    // the members this struct declares itself: its own level, or all levels when flattened
    let own: Vec<&Member<'_>> = members.iter().filter(|m| m.holder == s.name).collect();
    let mut fields = TokenStream::new();
    let mut write = TokenStream::new();
    let mut deref = TokenStream::new();
    if let Some(p) = plan.embeds.get(&s.name) {
        let base = ident(crate::plan::BASE_FIELD);
        let pt = ident(&plan.rust[p]);
        let doc = docs::lines([format!(" The members inherited from `{p}` (also reachable directly through `Deref`).").as_str()]);
        fields.extend(quote!(#doc pub #base: crate::types::#pt,));
        write.extend(quote!(self.#base.write_fields(o);));
        deref = quote! {
            impl std::ops::Deref for #name {
                type Target = crate::types::#pt;
                fn deref(&self) -> &crate::types::#pt { &self.#base }
            }
            impl std::ops::DerefMut for #name {
                fn deref_mut(&mut self) -> &mut crate::types::#pt { &mut self.#base }
            }
        };
    }
    for m in &own {
        let f = m.field;
        let n = ident(m.rust);
        let wire = wire_lit(&f.name);
        let ty = field_type(model, plan, m.holder, f);
        let (field, w) = member(f, field_doc(f), &n, &wire, ty);
        fields.extend(field);
        write.extend(w);
    }

    let mut slots = TokenStream::new();
    let mut nones = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut presence = Vec::new();
    let mut required = Vec::new();
    let mut check_pattern = TokenStream::new();
    let mut pattern = TokenStream::new();
    for (i, m) in members.iter().enumerate() {
        let idx = syn::Index::from(i);
        let local = format_ident!("f_{}", i);
        let wire = wire_lit(&m.field.name);
        let slot = slot_type(model, plan, m.holder, m.field);
        slots.extend(quote!(Option<#slot>,));
        nones.extend(quote!(None,));
        let list = is_list(&m.field.ty);
        let read = match (m.field.required, list) {
            (true, true) => quote!(crate::de::req_list),
            (true, false) => quote!(crate::de::req),
            (false, true) => quote!(crate::de::set_list),
            (false, false) => quote!(crate::de::set),
        };
        arms.extend(quote!(#wire => #read(&mut f.#idx, &mut map, #wire),));
        if m.field.required {
            presence.push(quote!(f.#idx.is_some()));
            required.push(wire.clone());
            pattern.extend(quote!(Some(#local),));
            check_pattern.extend(quote!(Some(_),));
        } else {
            pattern.extend(quote!(#local,));
            check_pattern.extend(quote!(_,));
        }
    }
    let built = build(plan, &s.name, &members, true);
    let dispatch = if arms.is_empty() {
        quote!(crate::de::other(&mut map, &key, Self::TYPE_NAME, &mut extra)?;)
    } else {
        quote! {
            match key.as_str() {
                #arms
                _ => crate::de::other(&mut map, &key, Self::TYPE_NAME, &mut extra),
            }?;
        }
    };
    let f_binding = if members.is_empty() { quote!(f) } else { quote!(mut f) };
    let destructure = if required.is_empty() {
        quote!(let (#pattern) = f;)
    } else {
        // one pattern test; the member-by-member account only on the error path
        quote! {
            if !matches!(f, (#check_pattern)) {
                return Err(crate::de::missing(&[#(#presence),*], &[#(#required),*]));
            }
            let (#pattern) = f else { unreachable!("required members were checked") };
        }
    };
    let o_param = if write.is_empty() { quote!(_o) } else { quote!(o) };

    let doc = docs::doc(s.description.as_deref(), doc_extra);
    let dep = docs::deprecated(s.deprecated);
    let default = if plan.defaultable.contains(&s.name) { quote!(, Default) } else { quote!() };
    let type_name = wire_lit(wire_name.unwrap_or(&s.name));
    let ser_name = match wire_name {
        Some(w) => {
            let w = wire_lit(w);
            quote!(Some(#w))
        }
        None => quote!(None),
    };
    quote! {
        #doc
        #dep
        #[derive(Debug, Clone #default)]
        pub struct #name {
            #fields
            /// Members this release does not declare, kept so that re-encoding loses nothing.
            pub extra: crate::Extra,
        }

        impl #name {
            /// The `_typeName` of this type on the wire.
            pub const TYPE_NAME: &'static str = #type_name;

            /// The wire type name of this value: [`Self::TYPE_NAME`], or the name of a subtype
            /// this release does not know that was decoded as this type.
            pub fn type_name(&self) -> &str {
                self.extra.type_name().unwrap_or(Self::TYPE_NAME)
            }

            /// Writes the members of this level and the levels above.
            #[doc(hidden)]
            pub fn write_fields<M: serde::ser::SerializeMap>(&self, #o_param: &mut crate::ser::Object<M>) {
                #write
            }
        }

        #deref

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut o = crate::ser::object(s, #ser_name, &self.extra)?;
                self.write_fields(&mut o);
                o.end(&self.extra)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::de::object(d)
            }
        }

        impl crate::de::DecodeFields for #name {
            const TYPE_NAME: &'static str = #type_name;

            fn decode_fields<'de, A: serde::de::MapAccess<'de>>(mut map: A, mut extra: crate::Extra) -> Result<Self, A::Error> {
                let #f_binding: (#slots) = (#nones);
                while let Some(key) = map.next_key::<crate::de::Key<'de>>()? {
                    #dispatch
                }
                #destructure
                Ok(#built)
            }
        }
    }
}

fn data_file(model: &Model, plan: &Plan, s: &Schema, d: &DataType) -> TokenStream {
    let mut extra = Vec::new();
    if let Some(p) = d.parent.as_deref().filter(|p| *p != model.root) {
        extra.push(format!("Extends `{p}`."));
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
    let own = variant_of(plan, &s.name);
    let own_ty = ident(&plan.rust[&s.name]);
    let base_id = ident(&plan.rust[&s.name]);
    let mut variants = quote!(#own(Box<crate::types::#own_ty>),);
    let mut type_names = quote!(Self::#own(v) => v.type_name(),);
    let mut as_any = quote!(Self::#own(v) => &**v,);
    let mut ser = quote!(Self::#own(v) => v.serialize(s),);
    let mut arms = TokenStream::new();
    let mut froms = quote! {
        impl From<crate::types::#own_ty> for #kind {
            fn from(v: crate::types::#own_ty) -> Self { Self::#own(Box::new(v)) }
        }
    };
    for child in &d.children {
        let cfg = cfg_attr(plan.cfg(child).as_deref());
        let v = variant_of(plan, child);
        let cid = ident(&plan.rust[child]);
        let doc = docs::lines([format!(" A `{child}`{}.", if model.is_polymorphic(child) { " or one of its subtypes" } else { "" }).as_str()]);
        if let Some(ck) = plan.kind_name.get(child) {
            let ck = ident(ck);
            variants.extend(quote!(#doc #cfg #v(crate::types::#ck),));
            as_any.extend(quote!(#cfg Self::#v(v) => v.as_any(),));
            arms.extend(quote!(#cfg crate::registry::id::#cid => Self::#v(<crate::types::#ck as crate::de::DecodeKind>::decode_as(id, map, extra)?),));
            froms.extend(quote! {
                #cfg impl From<crate::types::#ck> for #kind {
                    fn from(v: crate::types::#ck) -> Self { Self::#v(v) }
                }
            });
        } else {
            let ct = ident(&plan.rust[child]);
            variants.extend(quote!(#doc #cfg #v(Box<crate::types::#ct>),));
            as_any.extend(quote!(#cfg Self::#v(v) => &**v,));
            arms.extend(quote!(#cfg crate::registry::id::#cid => Self::#v(Box::new(<crate::types::#ct as crate::de::DecodeFields>::decode_fields(map, extra)?)),));
            froms.extend(quote! {
                #cfg impl From<crate::types::#ct> for #kind {
                    fn from(v: crate::types::#ct) -> Self { Self::#v(Box::new(v)) }
                }
            });
        }
        type_names.extend(quote!(#cfg Self::#v(v) => v.type_name(),));
        ser.extend(quote!(#cfg Self::#v(v) => v.serialize(s),));
    }
    let doc = docs::lines([
        format!(" A `{}` or any of its subtypes: what a member declared as `{}` holds.", s.name, s.name).as_str(),
        "",
        " Decoding picks the variant from `_typeName`; a subtype this release does not know decodes",
        " as the base variant with its name and members kept in `extra`.",
    ]);
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub enum #kind {
            #[doc = " Exactly this type."]
            #variants
        }

        impl #kind {
            /// The wire `_typeName` of the value held.
            pub fn type_name(&self) -> &str {
                match self { #type_names }
            }

            /// The concrete value held, for downcasting.
            pub fn as_any(&self) -> &dyn std::any::Any {
                match self { #as_any }
            }

            /// The value held if it is a `T` (its concrete type, not an ancestor).
            pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
                self.as_any().downcast_ref::<T>()
            }
        }

        #froms

        impl serde::Serialize for #kind {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { #ser }
            }
        }

        impl<'de> serde::Deserialize<'de> for #kind {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::de::polymorphic(d)
            }
        }

        impl crate::de::DecodeKind for #kind {
            const BASE: u16 = crate::registry::id::#base_id;

            fn decode_as<'de, A: serde::de::MapAccess<'de>>(id: u16, map: A, extra: crate::Extra) -> Result<Self, A::Error> {
                Ok(match crate::registry::child_toward(Self::BASE, id) {
                    #arms
                    _ => Self::#own(Box::new(<crate::types::#own_ty as crate::de::DecodeFields>::decode_fields(map, crate::registry::keep_name(id, Self::BASE, extra))?)),
                })
            }
        }
    }
}

fn root_file(model: &Model, plan: &Plan, s: &Schema) -> TokenStream {
    let name = ident(&plan.rust[&s.name]);
    let mut variants = TokenStream::new();
    let mut type_names = TokenStream::new();
    let mut as_any = TokenStream::new();
    let mut ser = TokenStream::new();
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
                ser.extend(quote!(#cfg Self::#v(v) => crate::ser::boxed(s, #wire, #key, v),));
                arms.extend(quote!(#cfg crate::registry::id::#cid => Self::#v(crate::de::boxed(map, #key)?),));
            }
            Kind::Data(_) => {
                let doc = docs::lines([format!(" A `{child}`{}.", if model.is_polymorphic(child) { " or one of its subtypes" } else { "" }).as_str()]);
                if let Some(ck) = plan.kind_name.get(child) {
                    let ck = ident(ck);
                    variants.extend(quote!(#doc #cfg #v(crate::types::#ck),));
                    as_any.extend(quote!(#cfg Self::#v(v) => v.as_any(),));
                    arms.extend(quote!(#cfg crate::registry::id::#cid => Self::#v(<crate::types::#ck as crate::de::DecodeKind>::decode_as(id, map, extra)?),));
                } else {
                    variants.extend(quote!(#doc #cfg #v(Box<crate::types::#cid>),));
                    as_any.extend(quote!(#cfg Self::#v(v) => &**v,));
                    arms.extend(quote!(#cfg crate::registry::id::#cid => Self::#v(Box::new(<crate::types::#cid as crate::de::DecodeFields>::decode_fields(map, extra)?)),));
                }
                type_names.extend(quote!(#cfg Self::#v(v) => v.type_name(),));
                ser.extend(quote!(#cfg Self::#v(v) => v.serialize(s),));
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
        ],
    );
    quote! {
        #doc
        #[derive(Debug, Clone)]
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
            pub fn type_name(&self) -> &str {
                match self {
                    #type_names
                    Self::#array(v) => &v.type_name,
                    Self::#unknown(v) => v.get(crate::DISCRIMINATOR).and_then(|n| n.as_str()).unwrap_or(""),
                }
            }

            /// The concrete value held, for downcasting (`bool`, `Vec<String>`, a struct...).
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
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    #ser
                    Self::#array(v) => crate::ser::boxed(s, &v.type_name, #array_key, &v.items),
                    Self::#unknown(v) => v.serialize(s),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::de::polymorphic(d)
            }
        }

        /// Ids of the boxed arrays of data objects, sorted.
        static DATA_ARRAYS: [u16; #n_arrays] = [#(#array_ids),*];

        #[doc = #array_doc]
        #[derive(Debug, Clone)]
        pub struct #array_ty {
            /// The wire `_typeName` of the array (`ArrayOfVirtualDevice`).
            pub type_name: String,
            /// The elements, each decoded by its own `_typeName`.
            pub items: Vec<#name>,
        }

        impl #array_ty {
            /// The elements that are a `T` (their concrete type).
            pub fn downcast<T: 'static>(&self) -> impl Iterator<Item = &T> + '_ {
                self.items.iter().filter_map(|i| i.downcast_ref::<T>())
            }
        }

        impl crate::de::DecodeKind for #name {
            const BASE: u16 = crate::registry::id::#name;

            fn decode_as<'de, A: serde::de::MapAccess<'de>>(id: u16, map: A, extra: crate::Extra) -> Result<Self, A::Error> {
                Ok(match crate::registry::child_toward(Self::BASE, id) {
                    #arms
                    _ if DATA_ARRAYS.binary_search(&id).is_ok() => Self::#array(crate::types::#array_ty {
                        type_name: crate::registry::NAMES[id as usize].to_owned(),
                        items: crate::de::boxed(map, #array_key)?,
                    }),
                    _ => return Self::decode_unknown(crate::registry::NAMES[id as usize].to_owned(), map),
                })
            }

            fn decode_unknown<'de, A: serde::de::MapAccess<'de>>(type_name: String, map: A) -> Result<Self, A::Error> {
                let mut object = serde_json::Map::new();
                object.insert(crate::DISCRIMINATOR.to_owned(), serde_json::Value::String(type_name));
                object.extend(crate::de::rest_as_json(map)?);
                Ok(Self::#unknown(Box::new(object)))
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

        impl crate::de::StringEnum for #name {
            fn from_wire(v: &str) -> Self {
                match v {
                    #from
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }

        impl From<&str> for #name {
            fn from(v: &str) -> Self {
                <Self as crate::de::StringEnum>::from_wire(v)
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(v: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(v))
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::de::string_enum(d)
            }
        }
    }
}

/// The borrowed Rust type of a request parameter; returns whether it borrows.
pub fn param_type(model: &Model, plan: &Plan, f: &Field) -> (String, bool) {
    let (t, borrows) = match &f.ty {
        Ty::Bool | Ty::Int(_) | Ty::Float(_) => (plan.owned_type(model, &f.ty), false),
        Ty::String(_) => ("&'a str".to_owned(), true),
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
    let mut ser = TokenStream::new();
    let mut lifetime = false;
    let o_binding = if o.fields.is_empty() { quote!(o) } else { quote!(mut o) };
    for (f, rust) in o.fields.iter().zip(&plan.fields[&s.name]) {
        let (t, borrows) = param_type(model, plan, f);
        lifetime |= borrows;
        let ty = tokens(&t);
        let n = ident(rust);
        let wire = wire_lit(&f.name);
        let (field, w) = member(f, docs::doc(f.description.as_deref(), &[]), &n, &wire, ty);
        fields.extend(field);
        ser.extend(w);
    }
    let doc = docs::doc(s.description.as_deref(), &["The request body, borrowing its parameters; operations build it for you.".into()]);
    let (generics, anon) = if lifetime { (quote!(<'a>), quote!(<'_>)) } else { (quote!(), quote!()) };
    quote! {
        #doc
        #[derive(Debug, Clone, Copy)]
        pub struct #name #generics {
            #fields
        }

        impl serde::Serialize for #name #anon {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let #o_binding = crate::ser::object(s, None, &crate::Extra::EMPTY)?;
                #ser
                o.end(&crate::Extra::EMPTY)
            }
        }
    }
}

fn plain_file(model: &Model, plan: &Plan, s: &Schema) -> TokenStream {
    object_struct(model, plan, s, None, &[])
}
