//! The polymorphic root (`Any`): every value of the API chosen by its `_typeName`, and the
//! wrapped array of data objects.

use super::super::docs;
use super::family::{conversions, Held};
use super::{cfg_attr, codec_impls, explicit_auto_traits, ident, is_data_array, variant_of, wire_lit};
use crate::model::{Kind, Model, Schema, StrFormat, Ty, WrapperType};
use crate::plan::Plan;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The root enum and its wrapped array of data objects.
pub(super) fn root_file(model: &Model, plan: &Plan, s: &Schema) -> TokenStream {
    let name = ident(&plan.type_name[&s.name]);
    let children = model.root_children();
    let mut scope = crate::names::Scope::default();
    for child in &children {
        scope.claim(plan.type_name[*child].clone());
    }
    let names =
        RootNames { name, unknown: ident(&scope.claim("Unknown".into())), array: ident(&scope.claim("Array".into())), array_ty: ident(&plan.array_type) };
    let data_children: Vec<&str> = children.iter().copied().filter(|c| model.data(c).is_some()).collect();
    let deep = conversions(model, plan, &names.name, &data_children);
    let mut arms = RootArms::default();
    for child in children {
        arms.add(model, plan, &names.name, child);
    }
    arms.array_ids.sort_unstable();
    let array_key = wire_lit(arms.array_value_key.as_deref().unwrap_or("_value"));
    let mut out = root_decl(s, &names, &arms);
    out.extend(arms.froms.clone());
    out.extend(deep);
    out.extend(explicit_auto_traits(&names.quoted()));
    out.extend(root_codec(&names, &arms, &array_key));
    out.extend(array_decl(s, &names, &arms.array_ids));
    out
}

/// The names the root's items use: the enum, its variants for wrapped arrays of data objects and
/// for unknown values (named clear of the variants of the types), and the array type.
struct RootNames {
    name: Ident,
    unknown: Ident,
    array: Ident,
    array_ty: Ident,
}

impl RootNames {
    fn quoted(&self) -> TokenStream {
        let name = &self.name;
        quote!(#name)
    }
}

/// The per-variant pieces of the root enum, built in one pass over the root's children.
#[derive(Default)]
struct RootArms {
    /// The enum's variants.
    variants: TokenStream,
    /// The `match` arms of `type_name`.
    type_names: TokenStream,
    /// The `match` arms of `as_any`.
    as_any: TokenStream,
    /// The `match` arms of `as_str`, for wrapped strings.
    as_str: TokenStream,
    /// The `match` arms of `Encode::encode`.
    encode: TokenStream,
    /// The `match` arms of `Decode::decode`, by registry id.
    decode: TokenStream,
    /// A `From` impl per family enum or struct of a data object.
    froms: TokenStream,
    /// The registry ids of the wrapped arrays of data objects.
    array_ids: Vec<u16>,
    /// The member holding a wrapped array's elements.
    array_value_key: Option<String>,
}

impl RootArms {
    fn add(&mut self, model: &Model, plan: &Plan, name: &Ident, child: &str) {
        let schema = model.schema(child);
        match &schema.kind {
            Kind::Wrapper(b) if is_data_array(model, &b.value) => {
                self.array_ids.push(plan.id_of[child]);
                self.array_value_key.get_or_insert_with(|| b.value_field.clone());
            }
            Kind::Wrapper(b) => self.wrapped_value(model, plan, schema, b),
            Kind::Data(_) => self.data_object(model, plan, name, child),
            _ => {}
        }
    }

    /// A wrapped primitive, array or enumeration: held unboxed, by its Rust type.
    fn wrapped_value(&mut self, model: &Model, plan: &Plan, schema: &Schema, b: &WrapperType) {
        let (cfg, v, cid) = (cfg_attr(&plan.cfg(&schema.name)), variant_of(plan, &schema.name), ident(&plan.type_name[&schema.name]));
        let ty = plan.owned_type(model, &b.value);
        let wire = wire_lit(&b.wire_name);
        let key = wire_lit(&b.value_field);
        let doc = docs::doc(schema.description.as_deref(), &[format!("Wire `_typeName`: `{}`.", b.wire_name)]);
        self.variants.extend(quote!(#doc #cfg #v(#ty),));
        self.type_names.extend(quote!(#cfg Self::#v(_) => #wire,));
        self.as_any.extend(quote!(#cfg Self::#v(v) => v,));
        if matches!(b.value, Ty::String(f) if f != StrFormat::Password) {
            self.as_str.extend(quote!(#cfg Self::#v(v) => Some(v),));
        }
        self.encode.extend(quote!(#cfg Self::#v(v) => e.wrapped(#wire, #key, v),));
        self.decode.extend(quote!(#cfg crate::registry::id::#cid => d.wrapped_as(#key, Self::#v),));
    }

    /// A data object: held as its family enum when it has subtypes, else as its boxed struct.
    fn data_object(&mut self, model: &Model, plan: &Plan, name: &Ident, child: &str) {
        let (cfg, v, cid) = (cfg_attr(&plan.cfg(child)), variant_of(plan, child), ident(&plan.type_name[child]));
        let doc = docs::lines([format!("A `{child}`{}.", if model.is_polymorphic(child) { " or one of its subtypes" } else { "" }).as_str()]);
        if let Some(ck) = plan.family_name.get(child) {
            let ck = ident(ck);
            let tag = quote!(crate::de::TypeTag::Known(id));
            let held = Held { v: v.clone(), ty: quote!(crate::types::#ck), boxed: plan.layout.nested_boxed.contains(child), family: true };
            let from = held.wrap(quote!(v));
            self.froms
                .extend(quote!(#cfg impl From<crate::types::#ck> for #name { #[inline] fn from(v: crate::types::#ck) -> Self { #from } }));
            if plan.layout.nested_boxed.contains(child) {
                self.variants.extend(quote!(#doc #cfg #v(Box<crate::types::#ck>),));
                self.decode
                    .extend(quote!(#cfg crate::registry::id::#cid => d.family_tagged_as(#tag, |k| crate::object::boxed(k, Self::#v)),));
                self.encode.extend(quote!(#cfg Self::#v(v) => crate::ser::Encode::encode(&**v, e),));
            } else {
                self.variants.extend(quote!(#doc #cfg #v(crate::types::#ck),));
                self.decode.extend(quote!(#cfg crate::registry::id::#cid => d.family_tagged_as(#tag, Self::#v),));
                self.encode.extend(quote!(#cfg Self::#v(v) => crate::ser::Encode::encode(v, e),));
            }
            self.as_any.extend(quote!(#cfg Self::#v(v) => v.as_any(),));
        } else {
            self.froms.extend(quote!(#cfg impl From<crate::types::#cid> for #name { #[inline] fn from(v: crate::types::#cid) -> Self { crate::object::boxed(v, Self::#v) } }));
            self.variants.extend(quote!(#doc #cfg #v(crate::object::ObjectBox<crate::types::#cid>),));
            self.as_any.extend(quote!(#cfg Self::#v(v) => &**v,));
            self.decode.extend(quote!(#cfg crate::registry::id::#cid => d.decode_boxed_as(Self::#v),));
            self.encode.extend(quote!(#cfg Self::#v(v) => e.object(&**v),));
        }
        self.type_names.extend(quote!(#cfg Self::#v(v) => v.type_name(),));
    }
}

/// `Decode` (by registry id, then the wrapped arrays, then unknown) and `Encode` of the root.
fn root_codec(names: &RootNames, arms: &RootArms, array_key: &proc_macro2::Literal) -> TokenStream {
    let RootNames { name, unknown, array, array_ty } = names;
    let (decode, encode) = (&arms.decode, &arms.encode);
    codec_impls(
        &names.quoted(),
        Some(quote! { fn decode(d: &mut crate::de::Decoder<'_>) -> Result<Self, crate::DecodeError> {
            let id = match d.any_tag()? {
                crate::de::TypeTag::Known(id) => id,
                _ => return d.json_object().map(|m| Self::#unknown(Box::new(m))),
            };
            // each arm one call returning straight into the result (see `Decoder::wrapped_as`)
            match crate::registry::child_toward(crate::registry::id::#name, id) {
                #decode
                _ if DATA_ARRAYS.binary_search(&id).is_ok() => d.wrapped(#array_key).map(|items| Self::#array(crate::types::#array_ty {
                    type_name: crate::CompactString::const_new(crate::registry::NAMES[id as usize]),
                    items,
                })),
                _ => d.json_object().map(|m| Self::#unknown(Box::new(m))),
            }
        } }),
        Some(quote! {
            match self {
                #encode
                Self::#array(v) => e.wrapped(&v.type_name, #array_key, &v.items),
                Self::#unknown(v) => e.json_map(v),
            }
        }),
    )
}

/// The root enum, its inherent methods and its blank value.
fn root_decl(s: &Schema, names: &RootNames, arms: &RootArms) -> TokenStream {
    let RootNames { name, unknown, array, array_ty } = names;
    let RootArms { variants, type_names, as_any, as_str, .. } = arms;
    let doc = docs::doc(
        s.description.as_deref(),
        &[
            "Any value of the API, chosen by its `_typeName`: a data object or fault (through its family enum), a managed object reference, or a wrapped primitive, array or enumeration (`{\"_typeName\": \"int\", \"_value\": 3}`).".into(),
            "A `_typeName` this release does not know is kept verbatim in the unknown variant and re-encodes unchanged.".into(),
            "Every data object and fault, and every family enum, converts into it with `From` (`.into()`). Variants are added as releases add types, so a `match` needs a `_` arm.".into(),
        ],
    );
    quote! {
        #doc
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #name {
            #variants
            /// A wrapped array of data objects (`ArrayOfVirtualDevice`, ...): one variant for all
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

            /// The text of a wrapped string (`string`, `dateTime`, `anyURI`, `base64Binary`...),
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
    }
}

/// The sorted ids of the wrapped arrays of data objects and the array type holding them.
fn array_decl(s: &Schema, names: &RootNames, array_ids: &[u16]) -> TokenStream {
    let RootNames { name, array_ty, .. } = names;
    let n_arrays = array_ids.len();
    let root_name = &s.name;
    let array_doc = format!(" A wrapped array of data objects in an `{root_name}` position (`ArrayOfVirtualDevice`, ...).");
    quote! {
        /// Ids of the wrapped arrays of data objects, sorted.
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
