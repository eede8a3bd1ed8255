//! The Rust side of a value's type, as a tree the emitter renders to tokens and matches on.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use std::collections::BTreeSet;

/// A Rust type as generated code writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RustType {
    /// A primitive: `bool`, `i8` to `i64`, `f32`, `f64`.
    Primitive(Primitive),
    /// A type of the runtime at the crate's root (`crate::DateTime`).
    Runtime(RuntimeType),
    /// A generated type, at `crate::types::{name}`.
    Generated(String),
    /// `str`, only ever borrowed.
    Str,
    Vec(Box<RustType>),
    Option(Box<RustType>),
    /// `Box<T>`: a member held on the heap (see [`super::Layout`]).
    Box(Box<RustType>),
    /// `[T]`, only ever borrowed.
    Slice(Box<RustType>),
    /// `&'a T` in a request body; `&T` in a method's parameters.
    Ref(Lifetime, Box<RustType>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Primitive {
    Bool,
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
}

/// The runtime's own value types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeType {
    /// `format: password`: a string that never shows in `Debug`.
    Password,
    /// `format: date-time`.
    DateTime,
    /// Every other string.
    CompactString,
}

/// The lifetime of a borrowed parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    /// `'a`, the request body's lifetime parameter.
    Body,
    /// Left to elision, in a method signature.
    Elided,
}

impl RustType {
    pub fn vec(inner: RustType) -> RustType {
        RustType::Vec(Box::new(inner))
    }

    pub fn option(inner: RustType) -> RustType {
        RustType::Option(Box::new(inner))
    }

    pub fn boxed(inner: RustType) -> RustType {
        RustType::Box(Box::new(inner))
    }

    pub fn slice(inner: RustType) -> RustType {
        RustType::Slice(Box::new(inner))
    }

    /// `&'a inner`.
    pub fn borrowed(inner: RustType) -> RustType {
        RustType::Ref(Lifetime::Body, Box::new(inner))
    }

    /// The same type with every reference's lifetime left to elision: a request body's
    /// field type as a method parameter.
    pub fn elided(&self) -> RustType {
        let inner = |t: &RustType| Box::new(t.elided());
        match self {
            RustType::Vec(t) => RustType::Vec(inner(t)),
            RustType::Option(t) => RustType::Option(inner(t)),
            RustType::Box(t) => RustType::Box(inner(t)),
            RustType::Slice(t) => RustType::Slice(inner(t)),
            RustType::Ref(_, t) => RustType::Ref(Lifetime::Elided, inner(t)),
            other => other.clone(),
        }
    }

    /// Whether the type borrows, so that a struct holding it needs a lifetime parameter.
    pub fn borrows(&self) -> bool {
        match self {
            RustType::Ref(..) => true,
            RustType::Vec(t) | RustType::Option(t) | RustType::Box(t) | RustType::Slice(t) => t.borrows(),
            _ => false,
        }
    }
}

impl ToTokens for RustType {
    fn to_tokens(&self, out: &mut TokenStream) {
        out.extend(match self {
            RustType::Primitive(p) => {
                let name = format_ident!("{}", p.name());
                quote!(#name)
            }
            RustType::Runtime(r) => {
                let name = format_ident!("{}", r.name());
                quote!(crate::#name)
            }
            RustType::Generated(name) => {
                let name = crate::emit::ident(name);
                quote!(crate::types::#name)
            }
            RustType::Str => quote!(str),
            RustType::Vec(t) => quote!(Vec<#t>),
            RustType::Option(t) => quote!(Option<#t>),
            RustType::Box(t) => quote!(Box<#t>),
            RustType::Slice(t) => quote!([#t]),
            RustType::Ref(Lifetime::Body, t) => quote!(&'a #t),
            RustType::Ref(Lifetime::Elided, t) => quote!(&#t),
        });
    }
}

impl Primitive {
    pub fn name(self) -> &'static str {
        match self {
            Primitive::Bool => "bool",
            Primitive::I8 => "i8",
            Primitive::I16 => "i16",
            Primitive::I32 => "i32",
            Primitive::I64 => "i64",
            Primitive::F32 => "f32",
            Primitive::F64 => "f64",
        }
    }
}

impl RuntimeType {
    pub fn name(self) -> &'static str {
        match self {
            RuntimeType::Password => "Password",
            RuntimeType::DateTime => "DateTime",
            RuntimeType::CompactString => "CompactString",
        }
    }
}

/// When an item is compiled: every clause holds, a clause being "one of these features is on";
/// no clause means always.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cfg(pub Vec<BTreeSet<String>>);

impl Cfg {
    /// `None` when the item is always compiled.
    pub fn condition(&self) -> Option<TokenStream> {
        let any_of = |set: &BTreeSet<String>| {
            let features: Vec<TokenStream> = set.iter().map(|f| quote!(feature = #f)).collect();
            match features.as_slice() {
                [one] => one.clone(),
                many => quote!(any(#(#many),*)),
            }
        };
        match self.0.as_slice() {
            [] => None,
            [one] => Some(any_of(one)),
            many => {
                let clauses = many.iter().map(any_of);
                Some(quote!(all(#(#clauses),*)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &RustType) -> String {
        t.to_token_stream().to_string()
    }

    #[test]
    fn nested_types_render_as_rust() {
        let vm = RustType::Generated("VirtualMachineConfigSpec".into());
        assert_eq!(text(&RustType::option(RustType::boxed(vm.clone()))), "Option < Box < crate :: types :: VirtualMachineConfigSpec > >");
        assert_eq!(text(&RustType::vec(RustType::Runtime(RuntimeType::DateTime))), "Vec < crate :: DateTime >");
        assert_eq!(text(&RustType::Generated("r#Type".into())), "crate :: types :: r#Type");
    }

    #[test]
    fn a_body_field_elides_its_lifetimes_as_a_parameter() {
        let strings = RustType::borrowed(RustType::slice(RustType::borrowed(RustType::Str)));
        assert_eq!(text(&strings), "& 'a [& 'a str]");
        assert_eq!(text(&RustType::option(strings.clone()).elided()), "Option < & [& str] >");
        assert!(strings.borrows());
        assert!(!RustType::vec(RustType::Primitive(Primitive::I32)).borrows());
    }

    #[test]
    fn a_cfg_renders_its_clauses() {
        let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
        assert!(Cfg(vec![]).condition().is_none());
        assert_eq!(Cfg(vec![set(&["vsan"])]).condition().unwrap().to_string(), "feature = \"vsan\"");
        let two = Cfg(vec![set(&["pbm", "sms"]), set(&["vsan"])]);
        assert_eq!(two.condition().unwrap().to_string(), "all (any (feature = \"pbm\" , feature = \"sms\") , feature = \"vsan\")");
    }
}
