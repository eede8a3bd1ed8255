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

mod family;
mod object;
mod request;
mod root;
mod value_enum;

pub use request::param_type;

use super::docs;
use super::{cfg_attr, ident};
use crate::model::{Field, Kind, Model, Schema, StrFormat, Ty};
use crate::plan::{Plan, Primitive, RustType, Unit};
use proc_macro2::TokenStream;
use quote::quote;

pub fn files<'a>(model: &'a Model, plan: &'a Plan) -> Vec<super::Job<'a>> {
    let mut out: Vec<super::Job<'a>> = Vec::new();
    for s in model.schemas.values() {
        let body: Box<dyn FnOnce() -> TokenStream + Send + 'a> = match &s.kind {
            Kind::Data(d) => Box::new(move || object::data_file(model, plan, s, d)),
            Kind::Enum(_) => Box::new(move || value_enum::enum_file(plan, s)),
            Kind::Request(o) => Box::new(move || request::request_file(model, plan, s, o)),
            Kind::Plain(_) => Box::new(move || object::plain_file(model, plan, s)),
            Kind::Root => Box::new(move || root::root_file(model, plan, s)),
            Kind::Wrapper(_) => continue,
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
///
/// The files are included into this one module rather than each made a module of its own:
/// rustc starts a crate's codegen units from its modules, and in an optimized build every unit
/// that touches a type holds its own copy of the type's drop glue, which walks every type
/// reachable from it: through the family enums, nearly all of them. One module per type put a
/// copy of that glue into each of the sixteen units of every crate; one module holds it once.
fn mod_rs(model: &Model, plan: &Plan, unit: Unit) -> TokenStream {
    let mut mods = TokenStream::new();
    for s in model.schemas.values().filter(|s| plan.unit_of(&s.name) == unit) {
        match &s.kind {
            Kind::Root => mods.extend(quote!(include!("any.rs");)),
            Kind::Wrapper(_) => {}
            _ => {
                let cfg = cfg_attr(&plan.cfg(&s.name));
                let file = format!("{}.rs", plan.module[&s.name]);
                mods.extend(quote!(#cfg include!(#file);));
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
        Unit::Facade => docs::inner(&[
            "Every data object, enumeration and request body of the document.",
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
fn field_type(model: &Model, plan: &Plan, holder: &str, f: &Field) -> RustType {
    let mut t = plan.owned_type(model, &f.ty);
    if plan.member_boxed(model, holder, f) {
        t = RustType::boxed(t);
    }
    if !f.required {
        t = RustType::option(t);
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
    match plan.owned_type(model, &f.ty) {
        RustType::Primitive(Primitive::Bool) => quote!(false),
        RustType::Primitive(Primitive::F32 | Primitive::F64) => quote!(0.0),
        RustType::Primitive(_) => quote!(0),
        RustType::Vec(_) => quote!(Vec::new()),
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
fn member(f: &Field, doc: TokenStream, n: &proc_macro2::Ident, ty: &RustType) -> TokenStream {
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

/// Variant name of a family member or root child.
fn variant_of(plan: &Plan, schema: &str) -> proc_macro2::Ident {
    ident(&plan.type_name[schema])
}

/// A wrapped array whose elements are data objects (they carry their own `_typeName`).
pub fn is_data_array(model: &Model, ty: &Ty) -> bool {
    matches!(ty, Ty::Array(inner) if matches!(&**inner, Ty::Ref(n) if model.data(n).is_some()))
}

#[cfg(test)]
mod tests {
    use super::family::accessors;
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
        assert!(
            text.contains(
                "pub fn name (& self) -> & crate :: CompactString { crate :: object :: member (crate :: object :: Family :: object (self) , 0usize) }"
            ),
            "{text}"
        );
        assert!(text.contains("pub fn r#type (& self)") && text.contains("pub fn type_mut (& mut self)"), "{text}");
        assert!(
            text.contains(
                "pub fn corners_mut (& mut self) -> & mut i32 { crate :: object :: member_mut (crate :: object :: Family :: object_mut (self) , 3usize) }"
            ),
            "{text}"
        );
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
        assert!(
            text.contains(
                "pub fn manual (& self) -> & crate :: types :: GizmoManual { crate :: object :: member :: < Box < crate :: types :: GizmoManual > >"
            ),
            "{text}"
        );
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
        plan.cycle_breaks.insert(("Square".into(), "name".into()));
        let (tokens, left_out) = accessors(&m, &plan, m.schema("Shape"));
        assert_eq!(left_out, ["name"]);
        assert!(!tokens.to_string().contains("pub fn name"));
        let (_, left_out) = accessors(&m, &plan, m.schema("Polygon"));
        assert_eq!(left_out, ["name"]);
    }
}
