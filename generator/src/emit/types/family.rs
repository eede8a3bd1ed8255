//! A family enum (`VirtualDeviceKind`): a data object with subtypes or any of them, with the
//! conversions into it and the accessors of its base type's members.

use super::super::docs;
use super::{cfg_attr, codec_impls, explicit_auto_traits, field_type, flattened, ident, variant_of};
use crate::model::{DataType, Model, Schema};
use crate::plan::Plan;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The family enum of a data object with subtypes: a variant for the type itself and one per
/// direct subtype, with its conversions, accessors and codec.
pub(super) fn kind_enum(model: &Model, plan: &Plan, s: &Schema, d: &DataType) -> TokenStream {
    let kind = ident(&plan.family_name[&s.name]);
    let arms = FamilyArms::new(model, plan, s, d, &kind);
    let mut out = family_decl(model, plan, s, &kind, &arms);
    out.extend(arms.froms.clone());
    let direct: Vec<&str> = d.children.iter().map(String::as_str).collect();
    out.extend(conversions(model, plan, &kind, &direct));
    let base_id = ident(&plan.type_name[&s.name]);
    let FamilyArms { blank_arms, blank_own, objects, objects_mut, .. } = &arms;
    out.extend(quote! {
        impl crate::object::Family for #kind {
            fn blank_for(id: u16) -> Self {
                match crate::registry::child_toward(crate::registry::id::#base_id, id) {
                    #blank_arms
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
    });
    let decode = quote!(
        fn decode(d: &mut crate::de::Decoder<'_>) -> Result<Self, crate::DecodeError> {
            d.family()
        }
    );
    out.extend(codec_impls(&quote!(#kind), Some(decode), Some(quote!(e.object(crate::object::Family::object(self))))));
    out
}

/// The per-variant pieces of a family enum, built in one pass over its variants (the type
/// itself first, then its direct subtypes).
struct FamilyArms {
    /// The enum's variants.
    variants: TokenStream,
    /// The `match` arms of `Clone::clone`.
    clones: TokenStream,
    /// The `match` arms of `Family::object`.
    objects: TokenStream,
    /// The `match` arms of `Family::object_mut`.
    objects_mut: TokenStream,
    /// The `match` arms of `Family::blank_for`, by registry id of a direct subtype.
    blank_arms: TokenStream,
    /// The body of `Family::blank_base`.
    blank_own: TokenStream,
    /// A `From` impl per variant.
    froms: TokenStream,
}

impl FamilyArms {
    fn new(model: &Model, plan: &Plan, s: &Schema, d: &DataType, kind: &Ident) -> Self {
        let own_ty = ident(&plan.type_name[&s.name]);
        let own_held =
            Held { v: variant_of(plan, &s.name), ty: quote!(crate::types::#own_ty), boxed: !plan.layout.own_inline.contains(&s.name), family: false };
        let mut out = FamilyArms {
            variants: TokenStream::new(),
            clones: TokenStream::new(),
            objects: TokenStream::new(),
            objects_mut: TokenStream::new(),
            blank_arms: TokenStream::new(),
            blank_own: own_held.blank(),
            froms: TokenStream::new(),
        };
        out.add(&own_held, TokenStream::new(), TokenStream::new(), kind);
        for child in &d.children {
            let held = match plan.family_name.get(child) {
                Some(ck) => {
                    let ck = ident(ck);
                    Held {
                        v: variant_of(plan, child),
                        ty: quote!(crate::types::#ck),
                        boxed: plan.layout.nested_boxed.contains(child.as_str()),
                        family: true,
                    }
                }
                None => {
                    let ct = ident(&plan.type_name[child]);
                    Held { v: variant_of(plan, child), ty: quote!(crate::types::#ct), boxed: true, family: false }
                }
            };
            let doc = docs::lines([format!("A `{child}`{}.", if model.is_polymorphic(child) { " or one of its subtypes" } else { "" }).as_str()]);
            let cfg = cfg_attr(&plan.cfg(child));
            let cid = ident(&plan.type_name[child]);
            let blank = held.blank();
            out.blank_arms.extend(quote!(#cfg crate::registry::id::#cid => #blank,));
            out.add(&held, doc, cfg, kind);
        }
        out
    }

    /// The arms every variant has.
    fn add(&mut self, held: &Held, doc: TokenStream, cfg: TokenStream, kind: &Ident) {
        let (v, ty, field, clone, (object, object_mut)) = (&held.v, &held.ty, held.field(), held.clone_body(), held.objects());
        self.variants.extend(quote!(#doc #cfg #v(#field),));
        self.clones.extend(quote!(#cfg Self::#v(v) => #clone,));
        self.objects.extend(quote!(#cfg Self::#v(v) => #object,));
        self.objects_mut.extend(quote!(#cfg Self::#v(v) => #object_mut,));
        let from = held.wrap(quote!(v));
        self.froms.extend(quote! {
            #cfg impl From<#ty> for #kind {
                #[inline]
                fn from(v: #ty) -> Self { #from }
            }
        });
    }
}

/// The family enum itself, its `Default`, `Clone` and `Debug`, and its inherent methods.
fn family_decl(model: &Model, plan: &Plan, s: &Schema, kind: &Ident, arms: &FamilyArms) -> TokenStream {
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
    let auto = explicit_auto_traits(&quote!(#kind));
    let (variants, clones) = (&arms.variants, &arms.clones);
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

        // Not `#[inline]`: the body reaches every type of the family, and an inline one is
        // compiled again, with all of them, in every codegen unit of every crate that clones.
        impl Clone for #kind {
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
    }
}

/// Every data subtype below the direct ones of a family (`children`), each with the direct
/// subtype on its way, depth first in document order.
pub(super) fn deeper<'m>(model: &'m Model, children: &[&'m str]) -> Vec<(&'m str, &'m str)> {
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
pub(super) fn conversions(model: &Model, plan: &Plan, kind: &proc_macro2::Ident, children: &[&str]) -> TokenStream {
    let mut markers = TokenStream::new();
    let mut mark = |ty: &str, via: &str, cfg_of: &str| {
        let (ty, via, cfg) = (ident(ty), ident(&plan.family_name[via]), cfg_attr(&plan.cfg(cfg_of)));
        markers.extend(quote!(#cfg impl crate::object::Within<#kind> for crate::types::#ty { type Via = crate::types::#via; }));
    };
    for &c in children.iter().filter(|c| plan.family_name.contains_key(**c)) {
        mark(&plan.type_name[c], c, c);
    }
    for (n, via) in deeper(model, children) {
        mark(&plan.type_name[n], via, n);
        if let Some(k) = plan.family_name.get(n) {
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
    "type_name",
    "as_any",
    "downcast_ref",
    "clone",
    "clone_from",
    "fmt",
    "default",
    "from",
    "into",
    "encode",
    "serialize",
    "deserialize",
    "to_owned",
    "to_string",
];

/// The accessors of a family enum for the members of its base type (`EventKind::created_time`,
/// `created_time_mut`), each a call of `object::member` with the member's index, which is the
/// same in every subtype's table. A member whose name or Rust type differs in some subtype is
/// left out rather than read through a wrong index; the names of those are returned.
pub(super) fn accessors(model: &Model, plan: &Plan, s: &Schema) -> (TokenStream, Vec<String>) {
    let members = flattened(model, plan, &s.name);
    let mut scope = crate::names::Scope::with_reserved(TAKEN_METHODS);
    let subtypes: Vec<&str> = deeper(model, &[s.name.as_str()]).into_iter().map(|(n, _)| n).collect();
    let mut out = TokenStream::new();
    let mut left_out = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let ty = field_type(model, plan, &s.name, m.field);
        let same_everywhere = subtypes.iter().all(|sub| {
            let fields = model.all_fields(sub);
            plan.fields[*sub].get(i).map(String::as_str) == Some(m.rust)
                && fields.get(i).is_some_and(|f| f.name == m.field.name && field_type(model, plan, sub, f) == ty)
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
            let inner = plan.owned_type(model, &m.field.ty);
            (inner, quote!(crate::object::member::<#ty>(#object, #i)), quote!(crate::object::member_mut::<#ty>(#object_mut, #i)))
        } else {
            (ty, quote!(crate::object::member(#object, #i)), quote!(crate::object::member_mut(#object_mut, #i)))
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
/// `blank_boxed`), so that no generated body holds an `ObjectBox<T>` or `Box<T>` of a member:
/// rustc drop-checks each such type where a body holds it, and each check walks most of the
/// crate.
pub(super) struct Held {
    pub(super) v: proc_macro2::Ident,
    pub(super) ty: TokenStream,
    pub(super) boxed: bool,
    pub(super) family: bool,
}

impl Held {
    fn field(&self) -> TokenStream {
        let ty = &self.ty;
        match (self.boxed, self.family) {
            (true, false) => quote!(crate::object::ObjectBox<#ty>),
            // a family enum's own glue is small: its boxed variants are `ObjectBox`es
            (true, true) => quote!(Box<#ty>),
            (false, _) => ty.clone(),
        }
    }

    /// `value` (of type `ty`) as the variant.
    pub(super) fn wrap(&self, value: TokenStream) -> TokenStream {
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
