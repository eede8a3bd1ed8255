//! Encoding: the generated types to vi-json bytes, without going through serde.
//!
//! Objects are written with `_typeName` first, absent optional members left out, and the
//! members kept from decoding (an unknown subtype's name and members) written back. Like
//! decoding, this is concrete code compiled once; data objects are written from their member
//! tables (see [`crate::object`]).

use crate::object::Object;

/// A value that can be written as vi-json.
pub trait Encode {
    fn encode(&self, e: &mut Encoder);

    /// True for an absent optional member, which is left out of its object.
    fn absent(&self) -> bool {
        false
    }
}

/// Encodes a value as a vi-json body.
pub fn to_vec<T: Encode + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    to_vec_with_since(value).map(|(out, _)| out)
}

/// The newest type a body holds: its release (the document's `Since`) and its `_typeName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Newest {
    pub since: &'static str,
    pub type_name: &'static str,
}

/// [`to_vec`], also telling which of the types written is the newest by the release that
/// introduced it, so that a client can refuse a body its session's release cannot read.
pub fn to_vec_with_since<T: Encode + ?Sized>(value: &T) -> Result<(Vec<u8>, Option<Newest>), serde_json::Error> {
    let mut e = Encoder { out: Vec::with_capacity(256), error: None, newest: None };
    value.encode(&mut e);
    match e.error {
        Some(err) => Err(err),
        None => Ok((e.out, e.newest)),
    }
}

/// What a byte is written as inside a JSON string: `0` for itself, `u` for `\u00XX`, or the
/// letter after the backslash of its short escape (as serde_json writes them).
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Byte `b` escaped as [`ESCAPE`] says.
#[cold]
fn escaped(out: &mut Vec<u8>, b: u8, escape: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    if escape == b'u' {
        out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
    } else {
        out.extend_from_slice(&[b'\\', escape]);
    }
}

/// The output buffer. The first error (a JSON value kept from decoding that cannot be written)
/// is kept and returned by [`to_vec`], so that writing needs no `?` per member.
pub struct Encoder {
    out: Vec<u8>,
    error: Option<serde_json::Error>,
    newest: Option<Newest>,
}

impl Encoder {
    #[cold]
    fn saw(&mut self, t: Newest) {
        if self.newest.is_none_or(|n| crate::release::compare(t.since, n.since).is_gt()) {
            self.newest = Some(t);
        }
    }

    pub fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    pub fn str(&mut self, s: &str) {
        let out = &mut self.out;
        out.push(b'"');
        let bytes = s.as_bytes();
        let mut start = 0;
        // A table load and a branch per byte, the escaping out of line: most of the encoder's
        // time on strings is this loop, so it is kept this small.
        for (i, &b) in bytes.iter().enumerate() {
            let escape = ESCAPE[b as usize];
            if escape == 0 {
                continue;
            }
            out.extend_from_slice(&bytes[start..i]);
            escaped(out, b, escape);
            start = i + 1;
        }
        out.extend_from_slice(&bytes[start..]);
        out.push(b'"');
    }

    pub fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    /// A float; `finite` is `v.is_finite()`.
    pub fn float<F: ryu::Float>(&mut self, v: F, finite: bool) {
        if finite {
            self.out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
        } else {
            // what serde_json writes for a value JSON cannot represent
            self.out.extend_from_slice(b"null");
        }
    }

    pub fn json(&mut self, v: &serde_json::Value) {
        if let Err(err) = serde_json::to_writer(&mut self.out, v) {
            self.error.get_or_insert(err);
        }
    }

    pub fn json_map(&mut self, v: &serde_json::Map<String, serde_json::Value>) {
        if let Err(err) = serde_json::to_writer(&mut self.out, v) {
            self.error.get_or_insert(err);
        }
    }

    fn key(&mut self, first: &mut bool, key: &str) {
        if !std::mem::take(first) {
            self.out.push(b',');
        }
        self.str(key);
        self.out.push(b':');
    }

    /// A data object, from its member table.
    pub fn object(&mut self, o: &dyn Object) {
        let info = o.info();
        if let (Some(since), Some(type_name)) = (info.since, info.type_name) {
            self.saw(Newest { since, type_name });
        }
        let extra = o.extra();
        let mut first = true;
        self.out.push(b'{');
        if let Some(name) = extra.type_name().or(info.type_name) {
            self.key(&mut first, crate::DISCRIMINATOR);
            self.str(name);
        }
        // required members the server left out stay out (tolerant decoding)
        let left_out = extra.absent();
        for (i, wire) in info.wire.iter().enumerate() {
            let v = o.field(i).as_encode();
            if v.absent() || (!left_out.is_empty() && left_out.contains(wire)) {
                continue;
            }
            self.key(&mut first, wire);
            v.encode(self);
        }
        for (k, v) in extra.fields() {
            self.key(&mut first, k);
            self.json(v);
        }
        self.out.push(b'}');
    }

    /// An object written member by member (request bodies).
    pub fn members(&mut self) -> Members<'_> {
        self.out.push(b'{');
        Members { e: self, first: true }
    }

    /// A wrapped value in an `Any` position: `{"_typeName": "int", "_value": 3}`.
    pub fn wrapped(&mut self, type_name: &str, value_key: &str, value: &dyn Encode) {
        let mut first = true;
        self.out.push(b'{');
        self.key(&mut first, crate::DISCRIMINATOR);
        self.str(type_name);
        self.key(&mut first, value_key);
        value.encode(self);
        self.out.push(b'}');
    }
}

/// An object being written member by member; see [`Encoder::members`].
pub struct Members<'e> {
    e: &'e mut Encoder,
    first: bool,
}

impl Members<'_> {
    /// Writes a member unless it is an absent optional one.
    pub fn field(&mut self, key: &str, value: &dyn Encode) {
        if !value.absent() {
            self.e.key(&mut self.first, key);
            value.encode(self.e);
        }
    }

    pub fn end(self) {
        self.e.out.push(b'}');
    }
}

impl Encode for bool {
    fn encode(&self, e: &mut Encoder) {
        e.raw(if *self { b"true" } else { b"false" });
    }
}

macro_rules! ints {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode(&self, e: &mut Encoder) {
                e.i64(i64::from(*self));
            }
        }
    )*};
}
ints!(i8, i16, i32, i64);

impl Encode for f64 {
    fn encode(&self, e: &mut Encoder) {
        e.float(*self, self.is_finite());
    }
}

impl Encode for f32 {
    fn encode(&self, e: &mut Encoder) {
        e.float(*self, self.is_finite());
    }
}

impl Encode for str {
    fn encode(&self, e: &mut Encoder) {
        e.str(self);
    }
}

impl Encode for String {
    fn encode(&self, e: &mut Encoder) {
        e.str(self);
    }
}

impl Encode for crate::CompactString {
    fn encode(&self, e: &mut Encoder) {
        e.str(self);
    }
}

impl Encode for crate::DateTime {
    fn encode(&self, e: &mut Encoder) {
        e.str(self);
    }
}

impl Encode for crate::Password {
    fn encode(&self, e: &mut Encoder) {
        e.str(&self.0);
    }
}

impl Encode for serde_json::Value {
    fn encode(&self, e: &mut Encoder) {
        e.json(self);
    }
}

// `#[inline]` for the reason `de::Decode` gives.
impl<T: Encode> Encode for Option<T> {
    #[inline]
    fn encode(&self, e: &mut Encoder) {
        match self {
            Some(v) => v.encode(e),
            None => e.raw(b"null"),
        }
    }

    #[inline]
    fn absent(&self) -> bool {
        self.is_none()
    }
}

impl<T: Encode> Encode for [T] {
    #[inline]
    fn encode(&self, e: &mut Encoder) {
        e.out.push(b'[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                e.out.push(b',');
            }
            v.encode(e);
        }
        e.out.push(b']');
    }
}

impl<T: Encode> Encode for Vec<T> {
    #[inline]
    fn encode(&self, e: &mut Encoder) {
        self.as_slice().encode(e);
    }
}

/// Every data object encodes through its member table: one impl for all of them, as for
/// `Decode`. `Box` and `&` are fundamental types, so neither can have a generic impl beside
/// it: the generator writes `Encode for Box<T>` for each type a member holds boxed, and request
/// bodies pass borrowed objects as the references they are. Borrowed strings and slices keep
/// theirs (no other crate can make those an `Object`).
impl<T: Object> Encode for T {
    #[inline]
    fn encode(&self, e: &mut Encoder) {
        e.object(self);
    }
}

impl Encode for &str {
    fn encode(&self, e: &mut Encoder) {
        e.str(self);
    }
}

impl<T: Encode> Encode for &[T] {
    #[inline]
    fn encode(&self, e: &mut Encoder) {
        (**self).encode(e);
    }
}
