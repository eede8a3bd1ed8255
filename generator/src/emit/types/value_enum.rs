//! An enumeration of string values, with a variant keeping a value this release does not know.

use super::super::docs;
use super::{ident, wire_lit};
use crate::model::{Kind, Schema};
use crate::plan::Plan;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The enum of an enumeration, its conversions from and to the wire string, and its codec.
pub(super) fn enum_file(plan: &Plan, s: &Schema) -> TokenStream {
    let Kind::Enum(e) = &s.kind else { unreachable!("enum_file takes enums") };
    let name = ident(&plan.type_name[&s.name]);
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
    let mut out = quote! {
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
    };
    out.extend(codec(&name, &unknown));
    out
}

/// `Decode`, `Encode`, `Blank` and serde: all through the wire string.
fn codec(name: &Ident, unknown: &Ident) -> TokenStream {
    quote! {
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
