//! Decoding: vi-json bytes to the generated types, without going through serde.
//!
//! Every function here is concrete (one decoder type over a byte slice), so the decoding code
//! of the whole API is compiled once, in this crate, instead of once per type and serde
//! `Deserializer` in every crate that uses it. A data object is decoded by the shared driver
//! [`Decoder::object`] from its static member table (see [`crate::object`]); the per-type code
//! is a `match` handing out `&mut dyn Field` for a member index.
//!
//! A polymorphic position looks ahead in the object for `_typeName` (one key in the common case
//! where it comes first, wherever it stands otherwise), then decodes the object once. A look-ahead
//! walks into the members it passes and notes the `_typeName` of every object it walks through,
//! so that the objects nested in it are not scanned again when their turn comes: with the tag
//! last at every level of a deep nesting, each byte is still looked at a bounded number of times.
//!
//! Errors carry the field path (`extraConfig[0].value._value`), built while the error unwinds,
//! and the line and column of the input.
//!
//! A required member the server leaves out (vCenter and its simulator both do, for instance
//! `VirtualMachineRuntimeInfo.faultToleranceState`) does not fail the reply in the default,
//! tolerant mode: the member keeps its blank value and is recorded in the object's `extra`
//! ([`crate::Extra::absent`]), so that re-encoding leaves it out again. [`DecodeMode::Strict`] refuses
//! such an object, for validating what a server sends.

use crate::object::{Field, Object};
use jiter::{Jiter, JiterError, Peek};
use std::any::TypeId;
use std::collections::VecDeque;
use std::fmt;

/// Objects and arrays nested deeper than this are refused (the decoder recurses per level).
const MAX_DEPTH: u32 = 192;

/// A decoding failure: where in the document, and what went wrong there.
pub struct DecodeError(Box<ErrorInner>);

struct ErrorInner {
    message: String,
    /// Byte offset of the failure in the input.
    offset: usize,
    line: usize,
    column: usize,
    /// Innermost first while the error unwinds; the rendered path once it reached the top.
    segments: Vec<Segment>,
    path: String,
}

enum Segment {
    Field(&'static str),
    Key(String),
    Index(usize),
}

impl DecodeError {
    fn at(message: String, offset: usize) -> Self {
        DecodeError(Box::new(ErrorInner { message, offset, line: 0, column: 0, segments: Vec::new(), path: String::new() }))
    }

    /// The field path of the failure (`objects[0].propSet[2].val`), empty at the top level.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Line (1-based) of the failure in the input.
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// Column (1-based) of the failure in the input.
    pub fn column(&self) -> usize {
        self.0.column
    }

    #[cold]
    pub(crate) fn in_field(mut self, name: &'static str) -> Self {
        self.0.segments.push(Segment::Field(name));
        self
    }

    #[cold]
    pub(crate) fn in_key(mut self, name: String) -> Self {
        self.0.segments.push(Segment::Key(name));
        self
    }

    #[cold]
    pub(crate) fn in_index(mut self, index: usize) -> Self {
        self.0.segments.push(Segment::Index(index));
        self
    }

    /// Renders the path and the position once the error reached the top.
    fn finish(mut self, data: &[u8]) -> Self {
        let inner = &mut *self.0;
        let mut path = String::new();
        for s in inner.segments.iter().rev() {
            match s {
                Segment::Field(n) => push_name(&mut path, n),
                Segment::Key(n) => push_name(&mut path, n),
                Segment::Index(i) => {
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                }
            }
        }
        inner.path = path;
        (inner.line, inner.column) = position(data, inner.offset);
        self
    }
}

/// Line and column (1-based) of byte `offset` in `data`. A newline belongs to the line it
/// ends (jiter's `LinePosition` puts it at column 0 of the next), and the end of the input is
/// one column past its last character.
fn position(data: &[u8], offset: usize) -> (usize, usize) {
    let before = data.get(..offset).unwrap_or(data);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    (line, before.len() - start + 1)
}

fn push_name(path: &mut String, name: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(name);
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        if !e.path.is_empty() {
            write!(f, "at `{}`: ", e.path)?;
        }
        write!(f, "{} (line {}, column {})", e.message, e.line, e.column)
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for DecodeError {}

/// What to do with a required member the input leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecodeMode {
    /// Give it its blank value and record it as absent ([`crate::Extra::absent`]); the
    /// default, because servers do leave required members out.
    #[default]
    Tolerant,
    /// Refuse the object, naming the member's path: for validating what a server sends.
    Strict,
}

/// A required member that was absent from the input, decoded in [`DecodeMode::Tolerant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbsentMember {
    /// The Rust type of the object that lacked it (`VirtualMachineRuntimeInfo`).
    pub type_name: &'static str,
    /// The member's wire name (`faultToleranceState`).
    pub member: &'static str,
}

impl fmt::Display for AbsentMember {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.type_name, self.member)
    }
}

// The entry points are `#[inline]` for the reason `Decode` gives: instantiated for hundreds of
// response types in `vim25`, they would otherwise make codegen units of their own.

/// Decodes a vi-json body into `T`, naming the field path on failure. Tolerant: a required
/// member the server left out is recorded in its object's `extra` instead of failing the
/// body (see [`DecodeMode`]).
#[inline]
pub fn from_slice<T: Decode>(bytes: &[u8]) -> Result<T, DecodeError> {
    from_slice_with(bytes, DecodeMode::Tolerant).map(|(v, _)| v)
}

/// Decodes a vi-json body into `T`, refusing an object that lacks a required member.
#[inline]
pub fn from_slice_strict<T: Decode>(bytes: &[u8]) -> Result<T, DecodeError> {
    from_slice_with(bytes, DecodeMode::Strict).map(|(v, _)| v)
}

/// Decodes a vi-json body into `T` in `mode`, with every required member that was absent
/// (once per type and member, in the order first met; always empty in [`DecodeMode::Strict`]).
#[inline]
pub fn from_slice_with<T: Decode>(bytes: &[u8], mode: DecodeMode) -> Result<(T, Vec<AbsentMember>), DecodeError> {
    let mut out = None;
    let absent = decode_document(bytes, mode, &mut |d| T::decode(d).map(|v| out = Some(v)))?;
    match out {
        Some(v) => Ok((v, absent)),
        None => Err(DecodeError::at("no value decoded".into(), 0)),
    }
}

/// The part of [`from_slice_with`] that does not depend on `T`, compiled once rather than for
/// each of the hundreds of response types.
fn decode_document(
    bytes: &[u8],
    mode: DecodeMode,
    value: &mut dyn FnMut(&mut Decoder<'_>) -> Result<(), DecodeError>,
) -> Result<Vec<AbsentMember>, DecodeError> {
    let mut d = Decoder::new(bytes);
    d.mode = mode;
    match value(&mut d) {
        Ok(()) => d.end().map(|()| d.absent),
        Err(e) => Err(e.finish(bytes)),
    }
}

/// Decodes a vi-json body from a string; see [`from_slice`].
#[inline]
pub fn from_str<T: Decode>(text: &str) -> Result<T, DecodeError> {
    from_slice(text.as_bytes())
}

/// Past JSON's whitespace from `i`.
#[inline(always)]
fn skip_space(data: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = data.get(i) {
        i += 1;
    }
    i
}

/// The closing quote when `data` holds, from the quote at `quote`, the string `text` written as
/// itself (`text` having no character JSON escapes): one comparison, no scan for the quote.
#[inline(always)]
fn quoted_at(data: &[u8], quote: usize, text: &[u8]) -> Option<usize> {
    let end = quote.checked_add(1 + text.len())?;
    let found = data.get(quote) == Some(&b'"') && data.get(end) == Some(&b'"') && crate::object::same(data.get(quote + 1..end)?, text);
    found.then_some(end)
}

/// The closing quote of a string whose text starts at `i`, if no escape or control character
/// comes before it (those are left to the parser). Eight bytes at a time: a byte is flagged
/// where it equals `"` or `\\`, or is below 0x20, and the lowest flag is always a true one
/// (a false flag can only follow a true one, through the subtraction's borrow).
#[inline(always)]
fn plain_end(data: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const QUOTE: u64 = ONES * b'"' as u64;
    const BACKSLASH: u64 = ONES * b'\\' as u64;
    const SPACE: u64 = ONES * 0x20;
    while let Some(chunk) = data.get(i..i.wrapping_add(8)) {
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        let (q, b) = (w ^ QUOTE, w ^ BACKSLASH);
        let flags = (q.wrapping_sub(ONES) & !q | b.wrapping_sub(ONES) & !b | w.wrapping_sub(SPACE) & !w) & HIGH;
        if flags != 0 {
            let at = i + (flags.trailing_zeros() / 8) as usize;
            return (data.get(at) == Some(&b'"')).then_some(at);
        }
        i += 8;
    }
    loop {
        match *data.get(i)? {
            b'"' => return Some(i),
            b'\\' | 0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

#[cold]
/// Where `part`, a slice of `data`, starts in it (wrapping: a slice from elsewhere gives an
/// offset that the caller's bounds check rejects).
fn offset_in(data: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize)
}

/// A parser error, its position made absolute (`base`: where the parser's input starts).
fn jerr(e: JiterError, base: usize) -> DecodeError {
    DecodeError::at(e.error_type.to_string(), base.wrapping_add(e.index))
}

/// A value that can be read from vi-json.
///
/// Values are decoded on the stack (`decode`); data objects in place, into a blank value
/// (`decode_in_place`), so that a large object is built where it will live and a required
/// member's blank is reused rather than replaced. Each method defaults to the other: an
/// implementation provides one of them.
// The generic paths (this trait's defaults, `Decoder::list`/`family`/`wrapped`, the impls for
// `Option`, `Vec`, objects and `Field`) are `#[inline]` so that an optimized build compiles each
// instantiation in the codegen unit of the generated code that uses it. Without it, rustc gives
// the instantiations units of their own, named after this module, and each such unit carries
// its own copy of the drop glue of every type the instantiations reach: nearly the whole API.
pub trait Decode: crate::object::Blank + Sized {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let mut v = Self::blank();
        match v.decode_in_place(d) {
            Ok(()) => Ok(v),
            Err(e) => Err(e),
        }
    }

    #[inline]
    fn decode_boxed(d: &mut Decoder<'_>) -> Result<Box<Self>, DecodeError> {
        let mut v = Box::new(Self::blank());
        match v.decode_in_place(d) {
            Ok(()) => Ok(v),
            Err(e) => Err(e),
        }
    }

    /// Decodes into `self`, which holds a blank value.
    #[inline]
    fn decode_in_place(&mut self, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        match Self::decode(d) {
            Ok(v) => {
                *self = v;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// What the look-ahead found for an object's `_typeName`.
pub enum TypeTag {
    /// A name this release knows (its registry id).
    Known(u16),
    /// A name this release does not know.
    Unknown(String),
    /// No `_typeName` in the object.
    Absent,
}

impl TypeTag {
    fn of(name: &str) -> Self {
        match crate::registry::lookup(name) {
            Some(id) => TypeTag::Known(id),
            None => TypeTag::Unknown(name.to_owned()),
        }
    }
}

/// The decoder state: a pull parser over the input bytes.
pub struct Decoder<'a> {
    /// The parser, over `data` from `base` on: it is restarted past each key and type name
    /// read straight off the input ([`Self::plain_key`], [`Self::tag_value`]).
    j: Jiter<'a>,
    data: &'a [u8],
    base: usize,
    depth: u32,
    /// Where the next value, an object, starts when [`Self::any_tag`] has already consumed its
    /// opening and its leading `_typeName`; the next object read continues from there.
    opened: Option<usize>,
    /// One growable vector per element type, in which [`Self::list`] collects an array before
    /// moving it into a vector of its exact length.
    scratch: Vec<(TypeId, Box<dyn std::any::Any>)>,
    mode: DecodeMode,
    /// The required members found absent so far, each type and member once.
    absent: Vec<AbsentMember>,
    /// What a look-ahead learnt of the objects nested in the one it was for, by the offset of
    /// their opening, ascending (see [`Self::look_ahead`]); `None` where it did not finish the
    /// object. Entries behind the decoder are dropped as it passes them.
    tags: VecDeque<(usize, Option<TypeTag>)>,
}

/// A container the look-ahead is in ([`Decoder::look_ahead`]).
struct Level {
    object: bool,
    /// The object's entry in [`Decoder::tags`], if it has one.
    entry: Option<usize>,
    /// Whether the object's `_typeName` was met (a later one is a plain member to a scan).
    found: bool,
}

/// Where the look-ahead stands in the current container: the next key of an object (whether it
/// is `_typeName`) or element of an array, `None` at the container's end.
enum Step {
    Key(Option<bool>),
    Element(Option<Peek>),
}

impl Step {
    /// The step past a value in an object (`object`) or an array; `None` on malformed input.
    fn after_value(j: &mut Jiter<'_>, object: bool) -> Option<Step> {
        match object {
            true => j.next_key().ok().map(|k| Step::Key(k.map(|k| k == crate::DISCRIMINATOR))),
            false => j.array_step().ok().map(Step::Element),
        }
    }
}

impl<'a> Decoder<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Decoder {
            j: Jiter::new(data),
            data,
            base: 0,
            depth: 0,
            opened: None,
            scratch: Vec::new(),
            mode: DecodeMode::Tolerant,
            absent: Vec::new(),
            tags: VecDeque::new(),
        }
    }

    /// Where the parser stands in `data`.
    #[inline]
    fn pos(&self) -> usize {
        self.base.wrapping_add(self.j.current_index())
    }

    /// Moves the parser to `at` in `data`, keeping its buffer for escaped strings.
    #[inline(always)]
    fn restart(&mut self, at: usize) {
        let tape = std::mem::replace(&mut self.j, Jiter::new(&[])).into_tape();
        self.j = Jiter::with_tape(self.data.get(at..).unwrap_or_default(), tape);
        self.base = at;
    }

    /// The next key of an object read straight off the input, up to and past its colon, when
    /// it is written plainly (no escape or control character in it), and whether it is
    /// `expect`; `Some(None)` at the object's end. `None`, with nothing consumed, leaves
    /// anything else, malformed input included, to the parser. Keys are the decoder's hottest
    /// path: half the strings of a document, and most of them the very member expected next,
    /// which is then recognised by one comparison instead of a scan for the closing quote.
    #[inline]
    fn plain_key(&mut self, first: bool, expect: Option<&[u8]>) -> Option<Option<(&'a [u8], bool)>> {
        let data = self.data;
        let mut i = skip_space(data, self.pos());
        match *data.get(i)? {
            b'{' if first => {}
            b',' if !first => {}
            b'}' if !first => {
                self.restart(i + 1);
                return Some(None);
            }
            _ => return None,
        }
        i = skip_space(data, i + 1);
        match *data.get(i)? {
            b'"' => {}
            b'}' if first => {
                self.restart(i + 1);
                return Some(None);
            }
            _ => return None,
        }
        let start = i + 1;
        // most often the key expected (the next member declared): no need to look for its end
        let (end, hit) = match expect.and_then(|e| quoted_at(data, i, e)) {
            Some(end) => (end, true),
            None => (plain_end(data, start)?, false),
        };
        let colon = skip_space(data, end + 1);
        if data.get(colon) != Some(&b':') {
            return None;
        }
        let key = data.get(start..end)?;
        self.restart(colon + 1);
        Some(Some((key, hit)))
    }

    /// True, and the string consumed, when the next value is `expect` written plainly (`expect`
    /// having no character JSON escapes).
    #[inline]
    fn plain_str_is(&mut self, expect: &[u8]) -> bool {
        match quoted_at(self.data, skip_space(self.data, self.pos()), expect) {
            Some(end) => {
                self.restart(end + 1);
                true
            }
            None => false,
        }
    }

    /// The next value, a `_typeName`, looked up. Written plainly and known (nearly always), it
    /// is read off the input without a check as UTF-8 (a known name is valid); anything else
    /// goes through the parser.
    fn tag_value(&mut self) -> Result<TypeTag, DecodeError> {
        let data = self.data;
        let start = skip_space(data, self.pos()) + 1;
        if data.get(start - 1) == Some(&b'"') {
            if let Some(end) = plain_end(data, start) {
                if let Some(id) = data.get(start..end).and_then(crate::registry::lookup_bytes) {
                    self.restart(end + 1);
                    return Ok(TypeTag::Known(id));
                }
            }
        }
        self.str().map(TypeTag::of)
    }

    /// Checks that nothing but whitespace follows the value.
    fn end(&mut self) -> Result<(), DecodeError> {
        self.j.finish().map_err(|e| jerr(e, self.base).finish(self.data))
    }

    #[cold]
    fn error(&self, message: String) -> DecodeError {
        DecodeError::at(message, self.pos())
    }

    #[inline]
    fn peek(&mut self) -> Result<Peek, DecodeError> {
        self.j.peek().map_err(|e| jerr(e, self.base))
    }

    fn enter(&mut self) -> Result<(), DecodeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// True (and the `null` consumed) when the next value is `null`.
    #[inline]
    pub fn null(&mut self) -> Result<bool, DecodeError> {
        if self.peek()? == Peek::Null {
            self.j.known_null().map_err(|e| jerr(e, self.base))?;
            return Ok(true);
        }
        Ok(false)
    }

    #[inline]
    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        self.j.next_bool().map_err(|e| jerr(e, self.base))
    }

    #[inline]
    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        let start = self.pos();
        match self.j.next_int() {
            Ok(jiter::NumberInt::Int(v)) => Ok(v),
            Err(e) if e.error_type == jiter::JiterErrorType::JsonError(jiter::JsonErrorType::NumberOutOfRange) => self.long_i64(start),
            Err(e) => Err(jerr(e, self.base)),
        }
    }

    /// An integer of 19 digits or more, from `start`: jiter (without its bigint feature) reads
    /// at most 18 digits as an integer and refuses the rest, `i64::MAX` among them.
    #[cold]
    fn long_i64(&mut self, start: usize) -> Result<i64, DecodeError> {
        self.restart(start);
        let text = self.j.next_number_bytes().map_err(|e| jerr(e, self.base))?;
        match std::str::from_utf8(text).ok().and_then(|t| t.parse::<i64>().ok()) {
            Some(v) => Ok(v),
            None => Err(self.out_of_range("i64")),
        }
    }

    /// An integer that must fit `T` (`byte`, `short`, `int`).
    pub fn int<T: TryFrom<i64>>(&mut self) -> Result<T, DecodeError> {
        let v = self.i64()?;
        T::try_from(v).map_err(|_| self.error(format!("integer {v} out of range for {}", std::any::type_name::<T>())))
    }

    /// A number as `f64`; one too large for it (`1e400`) is refused, as serde_json refuses it,
    /// rather than read as an infinity that no JSON number can write back.
    #[inline]
    pub fn f64(&mut self) -> Result<f64, DecodeError> {
        match self.j.next_float() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(self.out_of_range("f64")),
            Err(e) => Err(jerr(e, self.base)),
        }
    }

    /// A number as `f32`, refused when too large for it (see [`Self::f64`]).
    #[inline]
    pub fn f32(&mut self) -> Result<f32, DecodeError> {
        let v = self.f64()? as f32;
        match v.is_finite() {
            true => Ok(v),
            false => Err(self.out_of_range("f32")),
        }
    }

    #[cold]
    fn out_of_range(&self, ty: &str) -> DecodeError {
        self.error(format!("number out of range for {ty}"))
    }

    /// The next string, borrowed from the input or the decoder's buffer.
    #[inline]
    pub fn str(&mut self) -> Result<&str, DecodeError> {
        match self.j.next_str() {
            Ok(s) => Ok(s),
            Err(e) => Err(jerr(e, self.base)),
        }
    }

    /// Decodes an array, recording the failing element's index. The elements are collected in
    /// this decoder's vector for their type, then moved into one allocated once at the exact
    /// length: growing each result as it fills would allocate and copy it up to four times
    /// for twenty elements, and leave it up to twice as large as needed.
    #[inline]
    pub fn list<T: Decode + 'static>(&mut self) -> Result<Vec<T>, DecodeError> {
        let id = TypeId::of::<T>();
        let slot = match self.scratch_slot(id) {
            Some(i) => i,
            None => self.add_scratch(id, Box::new(Vec::<T>::new())),
        };
        let mut buf: Vec<T> = match self.scratch.get_mut(slot).and_then(|(_, b)| b.downcast_mut()) {
            Some(b) => std::mem::take(b),
            None => Vec::new(),
        };
        let walked = self.elements(&mut |d| match T::decode(d) {
            Ok(v) => {
                buf.push(v);
                Ok(())
            }
            Err(e) => Err(e),
        });
        let mut out = Vec::with_capacity(buf.len());
        out.append(&mut buf);
        if let Some(b) = self.scratch.get_mut(slot).and_then(|(_, b)| b.downcast_mut()) {
            *b = buf;
        }
        match walked {
            Ok(()) => Ok(out),
            Err(e) => Err(e),
        }
    }

    /// The index in `scratch` of the vector for the element type `id` (the type-independent
    /// half of [`Self::list`], compiled once).
    fn scratch_slot(&self, id: TypeId) -> Option<usize> {
        self.scratch.iter().position(|(t, _)| *t == id)
    }

    /// Adds the (empty) vector `v` for the element type `id`; its index.
    fn add_scratch(&mut self, id: TypeId, v: Box<dyn std::any::Any>) -> usize {
        self.scratch.push((id, v));
        self.scratch.len() - 1
    }

    /// Walks an array, calling `element` at each element (the shared part of [`Self::list`]).
    fn elements(&mut self, element: &mut dyn FnMut(&mut Self) -> Result<(), DecodeError>) -> Result<(), DecodeError> {
        if self.j.next_array().map_err(|e| jerr(e, self.base))?.is_none() {
            return Ok(());
        }
        self.enter()?;
        let mut index = 0;
        loop {
            if let Err(e) = element(self) {
                return Err(e.in_index(index));
            }
            index += 1;
            if self.j.array_step().map_err(|e| jerr(e, self.base))?.is_none() {
                break;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Skips the next value and returns it as JSON, for members kept verbatim.
    pub fn json(&mut self) -> Result<serde_json::Value, DecodeError> {
        let peek = self.peek()?;
        let start = self.pos();
        self.j.known_skip(peek).map_err(|e| jerr(e, self.base))?;
        self.json_since(start)
    }

    /// The input from `start` to where the parser stands, read as JSON.
    ///
    /// A member written twice in an object is refused, as it is in a data object of a known
    /// type: `serde_json::Map` would keep the last value only, so the value kept would not be
    /// the one received, and a repeated `_typeName` would change type when encoded again.
    fn json_since(&self, start: usize) -> Result<serde_json::Value, DecodeError> {
        let raw = self.data.get(start..self.pos()).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_slice(raw).map_err(|e| DecodeError::at(e.to_string(), start))?;
        if value.is_object() || value.is_array() {
            // serde_json accepted it, so it nests no deeper than its recursion limit
            let mut j = Jiter::new(raw);
            let peek = j.peek().map_err(|e| jerr(e, start))?;
            if let Some((key, at)) = repeated_key(&mut j, peek).map_err(|e| jerr(e, start))? {
                return Err(duplicate_at(&key, start + at));
            }
        }
        Ok(value)
    }

    /// The `_typeName` of an `Any` value. A leading one is consumed with the object's opening (the
    /// next object read continues after it), so that it is read once; otherwise see
    /// [`Self::type_tag`].
    pub fn any_tag(&mut self) -> Result<TypeTag, DecodeError> {
        self.peek()?;
        let start = self.pos();
        match self.leading_tag()? {
            Some(tag) => {
                self.opened = Some(start);
                Ok(tag)
            }
            None => self.type_tag(),
        }
    }

    /// Finds the object's `_typeName` without consuming anything, wherever the key stands.
    pub fn type_tag(&mut self) -> Result<TypeTag, DecodeError> {
        let peek = self.peek()?;
        if peek != Peek::Object {
            // let the object decoding report what was found instead
            return Ok(TypeTag::Absent);
        }
        let at = skip_space(self.data, self.pos());
        while self.tags.front().is_some_and(|&(start, _)| start < at) {
            self.tags.pop_front();
        }
        if self.tags.front().is_some_and(|&(start, _)| start == at) {
            if let Some((_, Some(tag))) = self.tags.pop_front() {
                return Ok(tag);
            }
        }
        // Entries still ahead: this object lies in a region walked without an answer for it
        // (the walk gave up there, on malformed input, or its leading tag is written with
        // escapes): the plain scan answers.
        if self.tags.is_empty() {
            if let Some(tag) = self.look_ahead(at) {
                return Ok(tag);
            }
        }
        Ok(self.scan_tag(at))
    }

    /// The `_typeName` of the object opening at `at`: the first member of that name, if its value
    /// is a string, before anything malformed; [`TypeTag::Absent`] otherwise. Each member value
    /// before it is skipped by the parser.
    fn scan_tag(&self, at: usize) -> TypeTag {
        let mut ahead = Jiter::new(self.data.get(at..).unwrap_or_default());
        // A malformed object is reported by the decoding that follows, at its real position.
        let mut key = match ahead.next_object() {
            Ok(k) => k.map(|k| k == crate::DISCRIMINATOR),
            Err(_) => return TypeTag::Absent,
        };
        while let Some(is_tag) = key {
            if is_tag {
                return ahead.next_str().map_or(TypeTag::Absent, TypeTag::of);
            }
            if ahead.next_skip().is_err() {
                return TypeTag::Absent;
            }
            key = match ahead.next_key() {
                Ok(k) => k.map(|k| k == crate::DISCRIMINATOR),
                Err(_) => return TypeTag::Absent,
            };
        }
        TypeTag::Absent
    }

    /// [`Self::scan_tag`] for the object opening at `at`, walking into the member values it
    /// passes instead of skipping them, and recording in [`Self::tags`] the answer
    /// [`Self::scan_tag`] would give for each object it walks through. `None` when the walk
    /// fails, for the plain scan to answer.
    ///
    /// The walk reads the same keys and the same tag value as the scan (decoded, by the same
    /// parser calls), and accepts no more than the parser's skip does (keys are decoded where
    /// the skip only delimits them, and nesting stops short of the skip's limit). So wherever
    /// it gets, the scan of an object it finished, or whose tag it met, gets there too, with the
    /// same answer; where it fails, it records nothing more and the plain scan decides.
    fn look_ahead(&mut self, at: usize) -> Option<TypeTag> {
        let data = self.data;
        let mut j = Jiter::new(data.get(at..)?);
        // Bounds the memory a large body can make the walk use; past it, the objects nested
        // are scanned when their turn comes (a leaf object once, which is still linear).
        let room = data.len() / 64 + 1024;
        let is_tag = |k: &str| k == crate::DISCRIMINATOR;
        let mut step = Step::Key(j.next_object().ok()?.map(is_tag));
        let mut levels = vec![Level { object: true, entry: None, found: false }];
        loop {
            let peek = match step {
                Step::Key(Some(true)) if levels.last().is_some_and(|l| !l.found) => {
                    let tag = TypeTag::of(j.next_str().ok()?);
                    if levels.len() == 1 {
                        return Some(tag);
                    }
                    let level = levels.last_mut()?;
                    level.found = true;
                    if let Some(slot) = level.entry.and_then(|e| self.tags.get_mut(e)) {
                        slot.1 = Some(tag);
                    }
                    step = Step::after_value(&mut j, true)?;
                    continue;
                }
                Step::Key(Some(_)) => j.peek().ok()?,
                Step::Element(Some(peek)) => peek,
                Step::Key(None) | Step::Element(None) => {
                    let level = levels.pop()?;
                    if !level.found {
                        if let Some(slot) = level.entry.and_then(|e| self.tags.get_mut(e)) {
                            slot.1 = Some(TypeTag::Absent);
                        }
                    }
                    let Some(outer) = levels.last() else {
                        return Some(TypeTag::Absent);
                    };
                    step = Step::after_value(&mut j, outer.object)?;
                    continue;
                }
            };
            match peek {
                Peek::Object | Peek::Array if levels.len() >= MAX_DEPTH as usize => return None,
                Peek::Object => {
                    let start = at.wrapping_add(j.current_index());
                    let first = j.next_object().ok()?.map(is_tag);
                    // one whose tag leads is decoded without a look-ahead
                    let entry = (first != Some(true) && self.tags.len() < room).then(|| {
                        self.tags.push_back((start, None));
                        self.tags.len() - 1
                    });
                    levels.push(Level { object: true, entry, found: false });
                    step = Step::Key(first);
                }
                Peek::Array => {
                    let first = j.next_array().ok()?;
                    levels.push(Level { object: false, entry: None, found: false });
                    step = Step::Element(first);
                }
                _ => {
                    j.known_skip(peek).ok()?;
                    step = Step::after_value(&mut j, levels.last()?.object)?;
                }
            }
        }
    }

    /// The next key of an object (the first when `first`) as written between its quotes, and
    /// whether it is `expect` (false when unsure): member names are compared on these bytes,
    /// and only a key kept in `extra` is decoded (and checked as UTF-8), by [`Self::key_text`].
    #[inline]
    fn raw_key(&mut self, first: bool, expect: Option<&[u8]>) -> Result<Option<(&'a [u8], bool)>, DecodeError> {
        if let Some(key) = self.plain_key(first, expect) {
            return Ok(key);
        }
        let data = self.data;
        let key = if first { self.j.next_object_bytes() } else { self.j.next_key_bytes() };
        match key {
            // the parser's slice of `data`, taken again from `data` to outlive the borrow
            Ok(Some(k)) => {
                let at = offset_in(data, k);
                match data.get(at..at.wrapping_add(k.len())) {
                    Some(k) => Ok(Some((k, false))),
                    None => Err(self.error("a key outside the input".into())),
                }
            }
            Ok(None) => Ok(None),
            Err(e) => Err(jerr(e, self.base)),
        }
    }

    /// The text of the key `raw` (from [`Self::raw_key`]), escapes decoded.
    #[cold]
    fn key_text(&self, raw: &[u8]) -> Result<String, DecodeError> {
        // from the opening quote
        let at = offset_in(self.data, raw).wrapping_sub(1);
        let mut j = Jiter::new(self.data.get(at..).unwrap_or_default());
        match j.next_str() {
            Ok(text) => Ok(text.to_owned()),
            Err(e) => Err(DecodeError::at(e.error_type.to_string(), at.wrapping_add(e.index))),
        }
    }

    /// Decodes the members of a data object into `o` (which starts out blank).
    #[inline]
    pub fn object(&mut self, o: &mut dyn Object) -> Result<(), DecodeError> {
        let opened = self.take_opened();
        self.members(o, opened)
    }

    /// Whether [`Self::any_tag`] consumed the opening of the object that comes next (cleared:
    /// the caller continues it).
    #[inline]
    fn take_opened(&mut self) -> bool {
        self.opened.take().is_some()
    }

    /// The members of an object; `tag_read`: its opening and a leading `_typeName` are already
    /// consumed.
    fn members(&mut self, o: &mut dyn Object, tag_read: bool) -> Result<(), DecodeError> {
        let info = o.info();
        let mut seen = Seen::default();
        let mut tag_seen = tag_read;
        let mut hint = 0usize;
        let mut key = self.raw_key(!tag_read, info.expect(hint))?;
        self.enter()?;
        while let Some((raw, hit)) = key {
            let mut action = if hit {
                hint += 1;
                Action::Field(hint - 1)
            } else {
                info.action(raw, &mut hint)
            };
            let mut other = String::new();
            if let Action::Other = action {
                // Keys are compared as written; one written with escapes is looked up again
                // decoded.
                other = self.key_text(raw)?;
                if other.as_bytes() != raw {
                    action = info.action(other.as_bytes(), &mut hint);
                }
            }
            match action {
                // A member written twice would be decoded over the first value, merging the
                // two objects into one neither wrote: which one is meant is not ours to guess.
                Action::Field(i) if !seen.insert(i) => return Err(self.duplicate(info.wire[i])),
                Action::TypeName if std::mem::replace(&mut tag_seen, true) => return Err(self.duplicate(crate::DISCRIMINATOR)),
                Action::Field(i) => {
                    if let Err(e) = o.field_mut(i).decode_into(self) {
                        return Err(e.in_field(info.wire[i]));
                    }
                }
                // nearly always the type's own name, recognised on the input's bytes
                Action::TypeName if info.plain && info.type_name.is_some_and(|t| self.plain_str_is(t.as_bytes())) => {}
                Action::TypeName => {
                    let name = self.str().map_err(|e| e.in_field(crate::DISCRIMINATOR))?;
                    if !info.is_named(name) && o.extra().type_name().is_none() {
                        let name = name.to_owned();
                        o.extra_mut().set_type_name(name);
                    }
                }
                Action::Other => match self.json() {
                    Ok(v) => o.extra_mut().push_field(other, v),
                    Err(e) => return Err(e.in_key(other)),
                },
            }
            key = self.raw_key(false, info.expect(hint))?;
        }
        self.depth -= 1;
        if info.required.iter().any(|&i| !seen.get(i as usize)) {
            return self.missing(o, &seen);
        }
        Ok(())
    }

    #[cold]
    fn duplicate(&self, member: &str) -> DecodeError {
        duplicate_at(member, self.pos())
    }

    /// Required members of `o` that the input left out: an error in strict mode, otherwise
    /// recorded in the object and in the decoder's list.
    #[cold]
    fn missing(&mut self, o: &mut dyn Object, seen: &Seen) -> Result<(), DecodeError> {
        let info = o.info();
        for &i in info.required.iter().filter(|&&i| !seen.get(i as usize)) {
            let member = info.wire[i as usize];
            if self.mode == DecodeMode::Strict {
                return Err(self.error(format!("missing field `{member}`")));
            }
            o.extra_mut().mark_absent(member);
            let absent = AbsentMember { type_name: info.rust, member };
            if !self.absent.contains(&absent) {
                self.absent.push(absent);
            }
        }
        Ok(())
    }

    /// A polymorphic value: finds `_typeName`, builds the matching blank variant, decodes it.
    #[inline]
    pub fn family<K: crate::object::Family>(&mut self) -> Result<K, DecodeError> {
        match self.leading_tag() {
            Ok(Some(tag)) => self.family_from(tag, true),
            Ok(None) => match self.type_tag() {
                Ok(tag) => self.family_from(tag, false),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// The common case of a polymorphic object, `_typeName` as its first member (as vCenter
    /// writes it): the tag is read once, by the decoding itself, instead of by a look-ahead
    /// and again by the decoding. `None`, with nothing consumed, otherwise.
    fn leading_tag(&mut self) -> Result<Option<TypeTag>, DecodeError> {
        if self.peek()? != Peek::Object {
            return Ok(None);
        }
        let data = self.data;
        let open = skip_space(data, self.pos());
        let quote = skip_space(data, open + 1);
        let tag = crate::DISCRIMINATOR.as_bytes();
        let Some(end) = quoted_at(data, quote, tag) else {
            return Ok(None);
        };
        let colon = skip_space(data, end + 1);
        if data.get(colon) == Some(&b':') {
            self.restart(colon + 1);
        } else {
            // not a key after all: the parser reports what is there
            match self.raw_key(true, Some(tag))? {
                Some((k, _)) if k == tag => {}
                _ => return Err(self.error(format!("expected `{}` first", crate::DISCRIMINATOR))),
            }
        }
        match self.tag_value() {
            Ok(tag) => Ok(Some(tag)),
            Err(e) => Err(e.in_field(crate::DISCRIMINATOR)),
        }
    }

    /// Decodes the variant for `tag`; `tag_read`: the object's opening and its leading
    /// `_typeName` are already consumed.
    #[inline]
    fn family_from<K: crate::object::Family>(&mut self, tag: TypeTag, tag_read: bool) -> Result<K, DecodeError> {
        let mut v = match tag {
            TypeTag::Known(id) => K::blank_for(id),
            _ => K::blank_base(),
        };
        match self.tagged_object(v.object_mut(), tag, tag_read) {
            Ok(()) => Ok(v),
            Err(e) => Err(e),
        }
    }

    #[inline]
    fn tagged_object(&mut self, o: &mut dyn Object, tag: TypeTag, tag_read: bool) -> Result<(), DecodeError> {
        crate::object::keep_tag(o, tag);
        self.members(o, tag_read)
    }

    /// The value of a wrapped primitive, array or enumeration (`{"_typeName": "int", "_value": 3}`).
    #[inline]
    pub fn wrapped<T: Decode>(&mut self, value_key: &'static str) -> Result<T, DecodeError> {
        let mut value = None;
        self.wrapped_members(value_key, &mut |d| T::decode(d).map(|v| value = Some(v)))?;
        value.ok_or_else(|| self.error(format!("missing field `{value_key}`")))
    }

    /// [`Self::wrapped`], put into a variant of the root.
    ///
    /// The root's `decode` is one `match` of a few hundred arms, and it recurses through nested
    /// `Any`s. Written as `Self::X(d.wrapped(key)?)`, each arm would keep its own `Result` in the
    /// frame of an unoptimized build, and the frame would outgrow the stack long before
    /// the depth limit; an arm that is one call of a helper like this one returns straight into
    /// the caller's result.
    #[inline]
    pub fn wrapped_as<T: Decode, R>(&mut self, value_key: &'static str, wrap: fn(T) -> R) -> Result<R, DecodeError> {
        self.wrapped(value_key).map(wrap)
    }

    /// [`Decode::decode_boxed`], put into a variant of the root (see [`Self::wrapped_as`]).
    #[inline]
    pub fn decode_boxed_as<T: Decode, R>(&mut self, wrap: fn(crate::object::ObjectBox<T>) -> R) -> Result<R, DecodeError> {
        T::decode_boxed(self).map(|b| wrap(crate::object::ObjectBox::from_box(b)))
    }

    /// A polymorphic value whose `_typeName` was already looked up, put into a variant of
    /// the root (see [`Self::wrapped_as`]).
    #[inline]
    pub fn family_tagged_as<K: crate::object::Family, R>(&mut self, tag: TypeTag, wrap: fn(K) -> R) -> Result<R, DecodeError> {
        let opened = self.take_opened();
        self.family_from(tag, opened).map(wrap)
    }

    /// The part of [`Self::wrapped`] that does not depend on `T` (compiled once, not for each of
    /// the hundreds of types an `Any` can hold): the members, `value` called at `value_key`.
    fn wrapped_members(
        &mut self,
        value_key: &'static str,
        value: &mut dyn FnMut(&mut Self) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let first = !self.take_opened();
        let mut key = self.raw_key(first, Some(value_key.as_bytes()))?;
        self.enter()?;
        // the leading `_typeName`, when consumed with the opening, counts as seen
        let (mut value_seen, mut tag_seen) = (false, !first);
        while let Some((raw, hit)) = key {
            // a key written with escapes is compared decoded
            let escaped = if raw.contains(&b'\\') { Some(self.key_text(raw)?) } else { None };
            let is = |name: &str| escaped.as_deref().map_or(raw == name.as_bytes(), |k| k == name);
            if hit || is(value_key) {
                if std::mem::replace(&mut value_seen, true) {
                    return Err(self.duplicate(value_key));
                }
                value(self).map_err(|e| e.in_field(value_key))?;
            } else {
                if is(crate::DISCRIMINATOR) && std::mem::replace(&mut tag_seen, true) {
                    return Err(self.duplicate(crate::DISCRIMINATOR));
                }
                self.j.next_skip().map_err(|e| jerr(e, self.base))?;
            }
            key = self.raw_key(false, Some(value_key.as_bytes()))?;
        }
        self.depth -= 1;
        Ok(())
    }

    /// The whole next object as JSON (a value of a type this release does not know).
    pub fn json_object(&mut self) -> Result<serde_json::Map<String, serde_json::Value>, DecodeError> {
        let (start, value) = match self.opened.take() {
            Some(start) => {
                // the rest of an object whose opening was consumed, then all of it as JSON
                while self.j.next_key().map_err(|e| jerr(e, self.base))?.is_some() {
                    self.j.next_skip().map_err(|e| jerr(e, self.base))?;
                }
                (start, self.json_since(start)?)
            }
            None => (self.pos(), self.json()?),
        };
        match value {
            // a `_typeName` that is not a string is refused wherever it stands, as a family's
            // decoding and a leading one's look-up refuse it
            serde_json::Value::Object(m) if m.get(crate::DISCRIMINATOR).is_some_and(|t| !t.is_string()) => {
                Err(DecodeError::at(format!("expected a string for `{}`", crate::DISCRIMINATOR), start).in_key(crate::DISCRIMINATOR.to_owned()))
            }
            serde_json::Value::Object(m) => Ok(m),
            _ => Err(DecodeError::at("expected an object".into(), start)),
        }
    }
}

/// The error for `member` written twice, its second key ending at byte `offset`.
#[cold]
fn duplicate_at(member: &str, offset: usize) -> DecodeError {
    DecodeError::at(format!("duplicate member `{member}`"), offset)
}

/// The first member written twice in an object of the JSON value `j` stands at (`peek` its
/// first byte), and where its second key ends, relative to the parser's input.
fn repeated_key(j: &mut Jiter<'_>, peek: Peek) -> Result<Option<(String, usize)>, JiterError> {
    match peek {
        Peek::Object => {
            let mut keys = std::collections::HashSet::new();
            let mut key = j.known_object()?.map(str::to_owned);
            while let Some(k) = key {
                if let Some(k) = keys.replace(k) {
                    return Ok(Some((k, j.current_index())));
                }
                let peek = j.peek()?;
                if let Some(found) = repeated_key(j, peek)? {
                    return Ok(Some(found));
                }
                key = j.next_key()?.map(str::to_owned);
            }
        }
        Peek::Array => {
            let mut next = j.known_array()?;
            while let Some(peek) = next {
                if let Some(found) = repeated_key(j, peek)? {
                    return Ok(Some(found));
                }
                next = j.array_step()?;
            }
        }
        _ => j.known_skip(peek)?,
    }
    Ok(None)
}

/// Which required members were seen (members past the 512th are not tracked; no type has
/// that many).
#[derive(Default)]
struct Seen([u64; 8]);

impl Seen {
    /// Marks member `i` seen; false when it was already (never for an untracked one).
    #[inline]
    fn insert(&mut self, i: usize) -> bool {
        match self.0.get_mut(i / 64) {
            Some(w) => {
                let bit = 1 << (i % 64);
                let new = *w & bit == 0;
                *w |= bit;
                new
            }
            None => true,
        }
    }

    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_none_or(|w| w & (1 << (i % 64)) != 0)
    }
}

/// A hash index over a static, duplicate-free list of names (the registry's 8,000 type names):
/// one hash of a few loads and one string comparison per lookup, where a binary search makes a
/// dozen. Built at first use rather than generated, so that it costs the crate no compile time.
pub(crate) struct NameIndex {
    names: &'static [&'static str],
    /// Open addressing, linear probing; `u16::MAX` marks an empty slot.
    slots: Box<[u16]>,
    shift: u32,
}

impl NameIndex {
    pub(crate) fn new(names: &'static [&'static str]) -> Self {
        // A load factor of at most 1/4 keeps probe sequences short.
        let bits = (names.len().max(1) * 4).next_power_of_two().trailing_zeros().max(4);
        let mut slots = vec![u16::MAX; 1 << bits].into_boxed_slice();
        let shift = 64 - bits;
        let mask = slots.len() - 1;
        for (id, name) in names.iter().enumerate() {
            let mut at = Self::hash(name.as_bytes()) >> shift;
            while slots[at as usize] != u16::MAX {
                at = (at + 1) & mask as u64;
            }
            slots[at as usize] = id as u16;
        }
        NameIndex { names, slots, shift }
    }

    /// Length and the first and last eight bytes, multiplied through (type names share long
    /// prefixes and suffixes, rarely all three).
    #[inline]
    fn hash(b: &[u8]) -> u64 {
        let (head, tail) = if b.len() >= 8 {
            let head = u64::from_le_bytes(b[..8].try_into().unwrap_or_default());
            let tail = u64::from_le_bytes(b[b.len() - 8..].try_into().unwrap_or_default());
            (head, tail)
        } else {
            let mut buf = [0u8; 8];
            buf[..b.len()].copy_from_slice(b);
            (u64::from_le_bytes(buf), 0)
        };
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        // The index takes the top bits, which a multiplication mixes from all input bits.
        (head.wrapping_mul(K) ^ tail ^ b.len() as u64).wrapping_mul(K)
    }

    #[inline]
    pub(crate) fn get(&self, name: &[u8]) -> Option<u16> {
        let mask = self.slots.len() - 1;
        let mut at = (Self::hash(name) >> self.shift) as usize;
        loop {
            let id = self.slots[at];
            if id == u16::MAX {
                return None;
            }
            if crate::object::same(self.names[id as usize].as_bytes(), name) {
                return Some(id);
            }
            at = (at + 1) & mask;
        }
    }
}

/// What to do with an object key.
pub(crate) enum Action {
    Field(usize),
    TypeName,
    /// A member this type does not declare.
    Other,
}

// The primitives' `decode` and the decoder calls they make are `#[inline]`: the generic
// `Field::decode_into` that calls them is instantiated in the crates of the types (`vim25`,
// `vim25-part*`), and a call into another crate is inlined only when it is marked so.
impl Decode for bool {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.bool()
    }
}

macro_rules! ints {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            #[inline]
            fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
                d.int()
            }
        }
    )*};
}
ints!(i8, i16, i32, i64);

impl Decode for f64 {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.f64()
    }
}

impl Decode for f32 {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.f32()
    }
}

impl Decode for String {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.str().map(str::to_owned)
    }
}

impl Decode for crate::CompactString {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.str().map(crate::CompactString::new)
    }
}

impl Decode for crate::DateTime {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.str().map(crate::DateTime::new)
    }
}

impl Decode for crate::Password {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.str().map(|s| crate::Password(s.to_owned()))
    }
}

impl crate::object::Blank for serde_json::Value {
    fn blank() -> Self {
        serde_json::Value::Null
    }
}

impl Decode for serde_json::Value {
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.json()
    }
}

impl<T: Decode> Decode for Option<T> {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        match d.null() {
            Ok(false) => match T::decode(d) {
                Ok(v) => Ok(Some(v)),
                Err(e) => Err(e),
            },
            Ok(true) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl<T: Decode + 'static> Decode for Vec<T> {
    #[inline]
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.list()
    }
}

/// Every data object decodes through its member table, so one impl serves them all instead of
/// one per type (4,000 bodies fewer to compile). It leaves no room for a generic
/// `Decode for Box<T>` (`Box` is fundamental: another crate could make a `Box` of its own
/// type an `Object`), so the generator writes `Decode for Box<T>` for each type a member
/// holds boxed.
impl<T: Object + crate::object::Blank> Decode for T {
    #[inline]
    fn decode_in_place(&mut self, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        d.object(self)
    }
}

impl<T: Decode + crate::ser::Encode + fmt::Debug + 'static> Field for T {
    #[inline]
    fn decode_into(&mut self, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        self.decode_in_place(d)
    }

    #[inline]
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    #[inline]
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }

    #[inline]
    fn as_encode(&self) -> &dyn crate::ser::Encode {
        self
    }

    #[inline]
    fn as_debug(&self) -> &dyn fmt::Debug {
        self
    }
}
