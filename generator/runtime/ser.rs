//! Encoding support shared by every generated type: objects are written as maps with
//! `_typeName` first, absent optional members are left out, and members kept from decoding
//! (an unknown subtype's name and fields) are written back.

use crate::Extra;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// An object being written. The first error is kept and returned by [`Object::end`], so that
/// generated code writes members without a `?` (and its branches) per member.
pub struct Object<M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

/// Starts an object; `type_name` is `None` for request bodies, which carry no discriminator.
pub fn object<S: Serializer>(s: S, type_name: Option<&'static str>, extra: &Extra) -> Result<Object<S::SerializeMap>, S::Error> {
    let mut m = s.serialize_map(None)?;
    if let Some(name) = extra.type_name().or(type_name) {
        m.serialize_entry(crate::DISCRIMINATOR, name)?;
    }
    Ok(Object { map: m, error: None })
}

impl<M: SerializeMap> Object<M> {
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if self.error.is_none() {
            if let Err(e) = self.map.serialize_entry(key, value) {
                self.error = Some(e);
            }
        }
    }

    pub fn opt<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(v) = value {
            self.field(key, v);
        }
    }

    pub fn end(mut self, extra: &Extra) -> Result<M::Ok, M::Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        for (k, v) in extra.fields() {
            self.map.serialize_entry(k, v)?;
        }
        self.map.end()
    }
}

/// A boxed value in an `Any` position: `{"_typeName": "int", "_value": 3}`.
pub fn boxed<S: Serializer, T: Serialize + ?Sized>(s: S, type_name: &str, value_key: &'static str, value: &T) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry(crate::DISCRIMINATOR, type_name)?;
    m.serialize_entry(value_key, value)?;
    m.end()
}

/// Encodes a value as a vi-json body.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(value)
}
