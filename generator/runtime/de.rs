//! Decoding support shared by every generated type.
//!
//! Generated types decode in one pass over the input. A polymorphic position reads the first
//! key: when it is `_typeName` (what vCenter writes) the concrete type continues on the same map;
//! otherwise the object is buffered once, `_typeName` is moved to the front and the buffer is
//! decoded the same way, so the key may stand anywhere without losing a field.
//!
//! Errors carry the field path (`extraConfig[0].value._value`): segments are recorded while an
//! error unwinds and read back by [`from_slice`], so the successful path costs nothing.

use crate::Extra;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A decoding failure: where in the document, and what went wrong there.
#[derive(Debug)]
pub struct DecodeError {
    path: String,
    source: serde_json::Error,
}

impl DecodeError {
    /// The field path of the failure (`objects[0].propSet[2].val`), empty at the top level.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The underlying JSON error (with line and column).
    pub fn json_error(&self) -> &serde_json::Error {
        &self.source
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.source)
        } else {
            write!(f, "at `{}`: {}", self.path, self.source)
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Decodes a vi-json body into `T`, naming the field path on failure.
pub fn from_slice<T: de::DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    path::clear();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = T::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    result.map_err(|source| DecodeError { path: path::take(), source })
}

/// Decodes a vi-json body from a string; see [`from_slice`].
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    from_slice(text.as_bytes())
}

pub(crate) mod path {
    use std::cell::RefCell;

    pub(crate) enum Segment {
        Field(&'static str),
        Key(String),
        Index(usize),
    }

    thread_local! {
        static SEGMENTS: RefCell<Vec<Segment>> = const { RefCell::new(Vec::new()) };
    }

    impl Segment {
        fn name(&self) -> &str {
            match self {
                Segment::Field(n) => n,
                Segment::Key(n) => n,
                Segment::Index(_) => "",
            }
        }
    }

    pub(crate) fn push(s: Segment) {
        SEGMENTS.with(|v| v.borrow_mut().push(s));
    }

    pub(crate) fn clear() {
        SEGMENTS.with(|v| v.borrow_mut().clear());
    }

    /// The recorded path, outermost first (segments were pushed innermost first).
    pub(crate) fn take() -> String {
        let segments = SEGMENTS.with(|v| std::mem::take(&mut *v.borrow_mut()));
        let mut out = String::new();
        for s in segments.iter().rev() {
            match s {
                Segment::Field(_) | Segment::Key(_) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(s.name());
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

/// An object key, borrowed from the input when it has no escapes.
pub enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key::Owned(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// A concrete object type: decodes its fields from a map whose `_typeName` (if it came first)
/// was already read.
pub trait DecodeFields: Sized {
    /// The `_typeName` this type writes.
    const TYPE_NAME: &'static str;
    fn decode_fields<'de, A: MapAccess<'de>>(map: A, extra: Extra) -> Result<Self, A::Error>;
}

/// A polymorphic family (a base type and all its subtypes).
pub trait DecodeKind: Sized {
    /// Registry id of the family's base type.
    const BASE: u16;
    /// Decodes the member `id` (a registry id, possibly outside the family, which then decodes
    /// as the base with its name kept in `extra`).
    fn decode_as<'de, A: MapAccess<'de>>(id: u16, map: A, extra: Extra) -> Result<Self, A::Error>;
    /// Decodes an object whose `_typeName` this release does not know.
    fn decode_unknown<'de, A: MapAccess<'de>>(type_name: String, map: A) -> Result<Self, A::Error> {
        Self::decode_as(Self::BASE, map, Extra::with_type_name(type_name))
    }
}

/// `Deserialize` for a concrete object type.
pub fn object<'de, T: DecodeFields, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: DecodeFields> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a {} object", T::TYPE_NAME)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::decode_fields(map, Extra::default())
        }
    }
    d.deserialize_map(V(PhantomData))
}

/// `Deserialize` for a polymorphic family: dispatch on `_typeName`, wherever it stands.
pub fn polymorphic<'de, K: DecodeKind, D: Deserializer<'de>>(d: D) -> Result<K, D::Error> {
    struct V<K>(PhantomData<K>);
    impl<'de, K: DecodeKind> Visitor<'de> for V<K> {
        type Value = K;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a {} object", crate::registry::NAMES[K::BASE as usize])
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<K, A::Error> {
            match map.next_key::<Key<'de>>()? {
                Some(k) if k.as_str() == crate::DISCRIMINATOR => {
                    let name = map.next_value::<Key<'de>>()?;
                    match crate::registry::lookup(name.as_str()) {
                        Some(id) => K::decode_as(id, map, Extra::default()),
                        None => K::decode_unknown(name.as_str().to_owned(), map),
                    }
                }
                Some(k) => reorder::<K, A>(k.as_str().to_owned(), map),
                None => K::decode_as(K::BASE, map, Extra::default()),
            }
        }
    }
    d.deserialize_map(V(PhantomData))
}

/// The rare case of a `_typeName` that is not the first key: buffer the object, put the
/// discriminator first (the base's name if there is none) and decode the buffer.
fn reorder<'de, K: DecodeKind, A: MapAccess<'de>>(first: String, mut map: A) -> Result<K, A::Error> {
    let mut entries: Vec<(String, serde_json::Value)> = Vec::new();
    let v = map.next_value::<serde_json::Value>()?;
    entries.push((first, v));
    while let Some(k) = map.next_key::<String>()? {
        let v = map.next_value::<serde_json::Value>()?;
        entries.push((k, v));
    }
    let name = match entries.iter().position(|(k, _)| k == crate::DISCRIMINATOR) {
        Some(i) => entries.remove(i).1,
        None => serde_json::Value::String(crate::registry::NAMES[K::BASE as usize].to_owned()),
    };
    let mut object = serde_json::Map::with_capacity(entries.len() + 1);
    object.insert(crate::DISCRIMINATOR.to_owned(), name);
    object.extend(entries);
    let buffer = serde_json::to_vec(&object).map_err(de::Error::custom)?;
    let mut de = serde_json::Deserializer::from_slice(&buffer);
    polymorphic::<K, _>(&mut de).map_err(de::Error::custom)
}

/// Reads the rest of a map as JSON, for values kept verbatim.
pub fn rest_as_json<'de, A: MapAccess<'de>>(mut map: A) -> Result<serde_json::Map<String, serde_json::Value>, A::Error> {
    let mut out = serde_json::Map::new();
    while let Some(k) = map.next_key::<String>()? {
        let v = map.next_value::<serde_json::Value>()?;
        out.insert(k, v);
    }
    Ok(out)
}

/// The value of a boxed primitive, array or enum (`{"_typeName": "int", "_value": 3}`).
pub fn boxed<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(mut map: A, value_key: &'static str) -> Result<T, A::Error> {
    let mut value = None;
    while let Some(k) = map.next_key::<Key<'de>>()? {
        if k.as_str() == value_key {
            value = Some(self::value(&mut map, value_key)?);
        } else {
            map.next_value::<de::IgnoredAny>()?;
        }
    }
    required(value, value_key)
}

/// A field's value, recording the field name if it fails.
#[inline]
pub fn value<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(map: &mut A, name: &'static str) -> Result<T, A::Error> {
    map.next_value::<T>().inspect_err(|_| path::push(path::Segment::Field(name)))
}

/// An optional field's value; `null` reads as absent.
#[inline]
pub fn opt<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(map: &mut A, name: &'static str) -> Result<Option<T>, A::Error> {
    value::<Option<T>, A>(map, name)
}

/// An array field, recording the failing element's index.
#[inline]
pub fn list<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(map: &mut A, name: &'static str) -> Result<Vec<T>, A::Error> {
    map.next_value_seed(ListSeed::<T>(PhantomData)).inspect_err(|_| path::push(path::Segment::Field(name)))
}

/// An optional array field; `null` reads as absent.
#[inline]
pub fn opt_list<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(
    map: &mut A,
    name: &'static str,
) -> Result<Option<Vec<T>>, A::Error> {
    map.next_value_seed(OptSeed(ListSeed::<T>(PhantomData))).inspect_err(|_| path::push(path::Segment::Field(name)))
}

/// Reads a required member into its slot.
#[inline]
pub fn req<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(slot: &mut Option<T>, map: &mut A, name: &'static str) -> Result<(), A::Error> {
    *slot = Some(value(map, name)?);
    Ok(())
}

/// Reads a required array member into its slot.
#[inline]
pub fn req_list<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(slot: &mut Option<Vec<T>>, map: &mut A, name: &'static str) -> Result<(), A::Error> {
    *slot = Some(list(map, name)?);
    Ok(())
}

/// Reads an optional member into its slot.
#[inline]
pub fn set<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(slot: &mut Option<T>, map: &mut A, name: &'static str) -> Result<(), A::Error> {
    *slot = opt(map, name)?;
    Ok(())
}

/// Reads an optional array member into its slot.
#[inline]
pub fn set_list<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(slot: &mut Option<Vec<T>>, map: &mut A, name: &'static str) -> Result<(), A::Error> {
    *slot = opt_list(map, name)?;
    Ok(())
}

/// The error for the first required member (`present[i]` false) that is missing.
#[cold]
pub fn missing<E: de::Error>(present: &[bool], names: &[&'static str]) -> E {
    let name = present.iter().zip(names).find(|(p, _)| !**p).map(|(_, n)| *n).unwrap_or("?");
    E::missing_field(name)
}

/// A required field, or the error naming it.
#[inline]
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// A key the type does not declare: its own `_typeName` is checked, anything else is kept.
pub fn other<'de, A: MapAccess<'de>>(map: &mut A, key: &Key<'de>, type_name: &'static str, extra: &mut Extra) -> Result<(), A::Error> {
    if key.as_str() == crate::DISCRIMINATOR {
        let name = map.next_value::<Key<'de>>()?;
        if name.as_str() != type_name {
            extra.set_type_name(name.as_str().to_owned());
        }
    } else {
        let name = key.as_str().to_owned();
        let v = map.next_value::<serde_json::Value>().inspect_err(|_| path::push(path::Segment::Key(name.clone())))?;
        extra.push_field(name, v);
    }
    Ok(())
}

struct ListSeed<T>(PhantomData<T>);

impl<'de, T: de::Deserialize<'de>> DeserializeSeed<'de> for ListSeed<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: de::Deserialize<'de>> Visitor<'de> for ListSeed<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Vec<T>, S::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            let index = out.len();
            match seq.next_element::<T>() {
                Ok(Some(v)) => out.push(v),
                Ok(None) => return Ok(out),
                Err(e) => {
                    path::push(path::Segment::Index(index));
                    return Err(e);
                }
            }
        }
    }
}

struct OptSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for OptSeed<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for OptSeed<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an optional value")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

/// A string enumeration; values this release does not know are kept.
pub trait StringEnum: Sized {
    fn from_wire(value: &str) -> Self;
    fn from_wire_owned(value: String) -> Self {
        Self::from_wire(&value)
    }
}

/// `Deserialize` for a string enumeration.
pub fn string_enum<'de, T: StringEnum, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: StringEnum> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from_wire(v))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
            Ok(T::from_wire_owned(v))
        }
    }
    d.deserialize_str(V(PhantomData))
}
