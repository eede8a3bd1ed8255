//! What a decoded object carried beyond its declared members, kept so that nothing is lost:
//! the `_typeName` of a subtype this release does not know (the object then decodes as the
//! declared base), and members a newer release added; and which required members the server
//! left out, so that re-encoding leaves them out again.

use std::fmt;

/// Members of an object that its Rust type does not declare. Empty (one null pointer) in the
/// common case; written back when the object is encoded.
#[derive(Clone, Default, PartialEq)]
pub struct Extra(Option<Box<ExtraInner>>);

#[derive(Clone, Default, PartialEq)]
struct ExtraInner {
    type_name: Option<String>,
    fields: Vec<(String, serde_json::Value)>,
    /// Wire names of required members absent from the input, decoded as their blank value.
    absent: Vec<&'static str>,
}

impl Extra {
    /// Nothing extra.
    pub const EMPTY: Extra = Extra(None);

    pub fn with_type_name(name: String) -> Self {
        let mut e = Self::default();
        e.set_type_name(name);
        e
    }

    fn inner(&mut self) -> &mut ExtraInner {
        self.0.get_or_insert_with(Default::default)
    }

    /// True when the object had nothing beyond its declared members.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The wire `_typeName`, when it names a type other than the Rust type holding it (a
    /// subtype from a newer release).
    pub fn type_name(&self) -> Option<&str> {
        self.0.as_ref()?.type_name.as_deref()
    }

    pub fn set_type_name(&mut self, name: String) {
        self.inner().type_name = Some(name);
    }

    /// Undeclared members, in the order they were read.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.0.iter().flat_map(|i| i.fields.iter().map(|(k, v)| (k.as_str(), v)))
    }

    pub fn field(&self, name: &str) -> Option<&serde_json::Value> {
        self.fields().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    pub fn push_field(&mut self, name: String, value: serde_json::Value) {
        self.inner().fields.push((name, value));
    }

    /// Required members (wire names) the server left out. The default, tolerant decoding gives
    /// each its blank value (`0`, `""`, the base variant of a family) and records it here;
    /// strict decoding refuses the object instead.
    pub fn absent(&self) -> &[&'static str] {
        self.0.as_ref().map_or(&[], |i| &i.absent)
    }

    /// Whether the required member `wire` (its wire name, `faultToleranceState`) was left out
    /// of the input.
    pub fn is_absent(&self, wire: &str) -> bool {
        self.absent().contains(&wire)
    }

    /// Records that the required member `wire` was absent, so that encoding leaves it out.
    pub fn mark_absent(&mut self, wire: &'static str) {
        let absent = &mut self.inner().absent;
        if !absent.contains(&wire) {
            absent.push(wire);
        }
    }

    /// Forgets that `wire` was absent: the member's value is to be sent from now on.
    pub fn clear_absent(&mut self, wire: &str) {
        if let Some(i) = self.0.as_mut() {
            i.absent.retain(|w| *w != wire);
        }
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("Extra"),
            Some(i) => f
                .debug_struct("Extra")
                .field("type_name", &i.type_name)
                .field("fields", &i.fields)
                .field("absent", &i.absent)
                .finish(),
        }
    }
}

/// A secret (`format: password`): compared and encoded as usual, never shown by `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Password(pub String);

impl Password {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl AsRef<str> for Password {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Self(s)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Password {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Password {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Password)
    }
}
