//! What every generated data object shares: a static member table and access to its members
//! by index, through which one shared driver decodes, encodes and formats all of them.
//!
//! This is the compile-time design of the crate: per type, the generated code is the struct, a
//! table and two small `match`es; everything that walks members lives here, compiled once.

use crate::de::{Action, DecodeError, Decoder, TypeTag};
use crate::ser::Encode;
use crate::Extra;
use std::fmt;

/// The member table of a data object type.
pub struct ObjectInfo {
    /// The Rust type name (for `Debug`).
    pub rust: &'static str,
    /// The `_typeName` written for this type; `None` for objects without one.
    pub type_name: Option<&'static str>,
    /// Wire names of the members in declaration order, inherited ones first; a member's
    /// index is its position here.
    pub wire: &'static [&'static str],
    /// Rust field names, by member index (for `Debug`).
    pub names: &'static [&'static str],
    /// Indices of the required members.
    pub required: &'static [u16],
    /// Member indices sorted by wire name, for lookup.
    pub by_name: &'static [u16],
    /// No name in `wire`, nor `type_name`, has a character JSON writes escaped, so each is
    /// written as itself and can be recognised on the input's bytes.
    pub plain: bool,
    /// The vSphere API release that introduced the type, when the document says.
    pub since: Option<&'static str>,
}

impl ObjectInfo {
    /// Whether `name` is this type's own `_typeName`.
    #[inline]
    pub(crate) fn is_named(&self, name: &str) -> bool {
        self.type_name.is_some_and(|t| same(t.as_bytes(), name.as_bytes()))
    }

    fn find(&self, key: &[u8]) -> Option<usize> {
        self.by_name
            .binary_search_by(|&i| self.wire[i as usize].as_bytes().cmp(key))
            .ok()
            .map(|p| self.by_name[p] as usize)
    }

    /// The key most likely to come next, the member declared at `hint`, when it can be
    /// recognised on the input's bytes.
    #[inline]
    pub(crate) fn expect(&self, hint: usize) -> Option<&'static [u8]> {
        self.wire.get(hint).filter(|_| self.plain).map(|w| w.as_bytes())
    }

    /// What to do with `key`; `hint` is where the search starts. Members arrive in declaration
    /// order with absent optional ones left out, so a forward scan usually finds the key within
    /// a few steps ([`same`] rejects a different length before comparing bytes).
    #[inline]
    pub(crate) fn action(&self, key: &[u8], hint: &mut usize) -> Action {
        if key == crate::DISCRIMINATOR.as_bytes() {
            return Action::TypeName;
        }
        let mut i = *hint;
        while let Some(w) = self.wire.get(i) {
            if same(w.as_bytes(), key) {
                *hint = i + 1;
                return Action::Field(i);
            }
            i += 1;
        }
        match self.find(key) {
            Some(i) => {
                *hint = i + 1;
                Action::Field(i)
            }
            None => Action::Other,
        }
    }
}

/// Equality of member and type names (as bytes), compared a word at a time in line. `==` calls
/// `memcmp` for every match, and at these lengths (mostly 4 to 40 bytes) the call costs more than
/// the comparison.
#[inline(always)]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let word = |s: &[u8], at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&s[at..at + 8]);
            u64::from_ne_bytes(w)
        };
        let mut at = 0;
        while at + 8 < n {
            if word(a, at) != word(b, at) {
                return false;
            }
            at += 8;
        }
        // the last word overlaps the one before when `n` is not a multiple of 8
        word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        let word = |s: &[u8], at: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&s[at..at + 4]);
            u32::from_ne_bytes(w)
        };
        word(a, 0) == word(b, 0) && word(a, n - 4) == word(b, n - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// A data object: its member table and its members by index. Every object is `Any`, so that
/// a family's `as_any` is its `object()` upcast.
#[doc(hidden)]
pub trait Object: std::any::Any {
    fn info(&self) -> &'static ObjectInfo;
    /// Member `i` of [`ObjectInfo::wire`].
    fn field(&self, i: usize) -> &dyn Field;
    fn field_mut(&mut self, i: usize) -> &mut dyn Field;
    fn extra(&self) -> &Extra;
    fn extra_mut(&mut self) -> &mut Extra;
}

/// A member value, seen through `dyn` by the shared driver.
#[doc(hidden)]
pub trait Field {
    fn decode_into(&mut self, d: &mut Decoder<'_>) -> Result<(), DecodeError>;
    fn as_encode(&self) -> &dyn Encode;
    fn as_debug(&self) -> &dyn fmt::Debug;
    /// The member's value itself (`Option<CompactString>`, `VirtualDeviceKind`...), for
    /// [`member`].
    fn as_any(&self) -> &dyn std::any::Any;
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

/// Member `i` of `o`, whose Rust type is `T`: what a family enum's accessor of a base member
/// (`EventKind::created_time`) reads, for every variant alike.
///
/// Members are flattened root first, so member `i` of a family's base type is member `i`, of
/// the same Rust type, of every subtype's table: the generator checks this for every family
/// before writing an accessor, and a test walks every type of the crate against each of its
/// ancestors. A mismatch would be a generator bug, not something input can cause.
#[doc(hidden)]
#[inline]
pub fn member<T: 'static>(o: &dyn Object, i: usize) -> &T {
    match o.field(i).as_any().downcast_ref::<T>() {
        Some(v) => v,
        None => mismatch(o.info(), i),
    }
}

/// [`member`], mutable.
#[doc(hidden)]
#[inline]
pub fn member_mut<T: 'static>(o: &mut dyn Object, i: usize) -> &mut T {
    let info = o.info();
    match o.field_mut(i).as_any_mut().downcast_mut::<T>() {
        Some(v) => v,
        None => mismatch(info, i),
    }
}

/// Clones member `src` into member `dst` of the same Rust type: one entry of a type's clone
/// table, [`clone_member`] of that member's type.
#[doc(hidden)]
pub type CloneFn = fn(dst: &mut dyn Field, src: &dyn Field);

/// A data object's `Clone`: `dst` is its blank value, into which each member of `src` is cloned
/// by the entry of `members` (one [`clone_member`] per member, in member-index order). One small
/// instance of `clone_member` per member type and this one loop serve every object, where a
/// derived `Clone` would be one body per type with every member's clone inlined into it. The
/// table is kept out of `Field`'s vtable so that a program that never clones links none of it,
/// and this function is not generic so that a debug build compiles it once.
#[doc(hidden)]
pub fn clone_into(src: &dyn Object, dst: &mut dyn Object, members: &[CloneFn]) {
    for (i, clone) in members.iter().enumerate() {
        clone(dst.field_mut(i), src.field(i));
    }
    dst.extra_mut().clone_from(src.extra());
}

/// The [`CloneFn`] of members of Rust type `M`.
#[doc(hidden)]
pub fn clone_member<M: Clone + 'static>(dst: &mut dyn Field, src: &dyn Field) {
    match (dst.as_any_mut().downcast_mut::<M>(), src.as_any().downcast_ref::<M>()) {
        // `dst` is blank, with nothing for `clone_from` to reuse; `clone` is the instance the
        // rest of the program compiles anyway
        (Some(dst), Some(src)) => *dst = src.clone(),
        _ => clone_mismatch(),
    }
}

/// A clone table whose entry does not match its member's type: a generator bug, not
/// something input can cause.
#[cold]
#[inline(never)]
fn clone_mismatch() -> ! {
    unreachable!("a clone table entry has another type than its member")
}

#[cold]
#[inline(never)]
fn mismatch(info: &ObjectInfo, i: usize) -> ! {
    unreachable!("{}: member {i} has another type than in the family's base type", info.rust)
}

/// The placeholder a value is decoded into. A required member missing from the input is an
/// error, so a placeholder never reaches the caller.
#[doc(hidden)]
pub trait Blank {
    fn blank() -> Self;
}

/// A polymorphic family enum (`VirtualDeviceKind`).
#[doc(hidden)]
pub trait Family: Sized {
    /// A blank value of the variant for `tag`: the deepest type of the family on the way to the
    /// tagged type. A tagged type outside the family, or unknown, keeps its name in `extra`.
    fn blank_for(id: u16) -> Self;
    /// The blank base variant.
    fn blank_base() -> Self;
    fn object(&self) -> &dyn Object;
    fn object_mut(&mut self) -> &mut dyn Object;
}

/// A subtype at any depth below the direct subtypes of the family enum (or root) `K`: it
/// converts into `K` through `Via`, the family enum of the direct subtype on its way (the
/// generic `From` of every family enum and of the root).
#[doc(hidden)]
pub trait Within<K> {
    type Via;
}

/// Records in `extra` the `_typeName` a value was decoded from when it is not the name of the
/// variant chosen for it (an unknown subtype, or a type from outside the family).
pub(crate) fn keep_tag(o: &mut dyn Object, tag: TypeTag) {
    let name = match tag {
        TypeTag::Known(id) => {
            let name = crate::registry::NAMES[id as usize];
            if o.info().is_named(name) {
                return;
            }
            name.to_owned()
        }
        TypeTag::Unknown(name) => name,
        TypeTag::Absent => return,
    };
    o.extra_mut().set_type_name(name);
}

/// The wire type name of an object: its type's, or the unknown subtype's it was decoded from.
pub fn type_name(o: &dyn Object) -> &str {
    o.extra().type_name().or(o.info().type_name).unwrap_or("")
}

/// `Debug` for a data object, as `#[derive(Debug)]` would write it.
#[doc(hidden)]
pub fn debug(o: &dyn Object, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let info = o.info();
    let mut s = f.debug_struct(info.rust);
    for (i, name) in info.names.iter().enumerate() {
        s.field(name, o.field(i).as_debug());
    }
    s.field("extra", o.extra());
    s.finish()
}

#[cfg(feature = "serde")]
/// `serde::Serialize` through the vi-json encoding, for using the generated types inside
/// other serde data. [`crate::to_vec`] is the direct (and faster) way.
#[doc(hidden)]
pub fn serde_serialize<S: serde::Serializer>(v: &dyn Encode, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::Error;
    let bytes = crate::ser::to_vec(v).map_err(S::Error::custom)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(S::Error::custom)?;
    serde::Serialize::serialize(&value, s)
}

#[cfg(feature = "serde")]
/// `serde::Deserialize` through the vi-json decoding; see [`serde_serialize`].
#[doc(hidden)]
pub fn serde_deserialize<'de, T: crate::de::Decode, D: serde::Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    use serde::de::Error;
    let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
    let bytes = serde_json::to_vec(&value).map_err(D::Error::custom)?;
    crate::de::from_slice(&bytes).map_err(D::Error::custom)
}

macro_rules! blank_default {
    ($($t:ty),*) => {$(
        impl Blank for $t {
            #[inline]
            fn blank() -> Self {
                <$t>::default()
            }
        }
    )*};
}
blank_default!(bool, i8, i16, i32, i64, f32, f64, String, crate::CompactString, crate::DateTime, crate::Password, Extra);

impl<T> Blank for Vec<T> {
    #[inline]
    fn blank() -> Self {
        Vec::new()
    }
}

impl<T> Blank for Option<T> {
    #[inline]
    fn blank() -> Self {
        None
    }
}

impl<T: Blank> Blank for Box<T> {
    #[inline]
    fn blank() -> Self {
        Box::new(T::blank())
    }
}

/// A family enum's or `Any`'s variant value on the heap: a `Box<T>` that derefs to the `T` it
/// holds, with the same size and layout.
///
/// Build one with `ObjectBox::new(v)`, or let `From` do it (`VirtualE1000 { .. }.into()` into
/// `VirtualDeviceKind`); take the value out with [`ObjectBox::into_inner`].
///
/// It differs from a `Box<T>` in one thing: it drops its `T` in a function of its own, compiled
/// once per crate, instead of in the drop glue of what holds it. In an optimized build rustc
/// compiles a type's drop glue again in every codegen unit that drops it, and through the
/// family enums the glue of a `Box<T>` reaches most of the API: every codegen unit of every
/// crate that dropped an `Any` compiled the glue of the whole API.
pub struct ObjectBox<T>(std::mem::ManuallyDrop<Box<T>>);

impl<T> ObjectBox<T> {
    /// `v` on the heap.
    #[inline]
    pub fn new(v: T) -> Self {
        Self::from_box(Box::new(v))
    }

    /// The boxed `v`, where it is.
    #[inline]
    pub fn from_box(v: Box<T>) -> Self {
        ObjectBox(std::mem::ManuallyDrop::new(v))
    }

    /// The value held.
    #[inline]
    pub fn into_inner(self) -> T {
        *self.into_box()
    }

    /// The value held, in a `Box`, where it is.
    #[inline]
    #[allow(unsafe_code)]
    pub fn into_box(self) -> Box<T> {
        let mut this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so its box is taken here once and never dropped by
        // `ObjectBox::drop`; nothing reads `this.0` afterwards.
        unsafe { std::mem::ManuallyDrop::take(&mut this.0) }
    }
}

impl<T> Drop for ObjectBox<T> {
    // Never inline: the point is one body per `T` and crate, not one per codegen unit.
    #[inline(never)]
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        // SAFETY: `drop` runs once, and this is the only place the box is dropped; `into_box`,
        // the only other place that takes it, keeps `drop` from running.
        unsafe { std::mem::ManuallyDrop::drop(&mut self.0) }
    }
}

// The auto traits of the `Box<T>` it holds, stated rather than derived: derived, each of the
// wrappers (`ManuallyDrop`, its inner wrapper, `Box`, `Unique`) is a level of the trait
// solver's recursion for every nesting, and the deepest chains of the API (a family in a struct
// in a family...) exceeded its limit: `vim25` did not compile.

// SAFETY: an `ObjectBox<T>` owns its `T` alone, as a `Box<T>` does, which is `Send` and `Sync`
// on the same terms.
#[allow(unsafe_code)]
unsafe impl<T: Send> Send for ObjectBox<T> {}
// SAFETY: as for `Send`.
#[allow(unsafe_code)]
unsafe impl<T: Sync> Sync for ObjectBox<T> {}
impl<T: std::panic::UnwindSafe> std::panic::UnwindSafe for ObjectBox<T> {}
impl<T: std::panic::RefUnwindSafe> std::panic::RefUnwindSafe for ObjectBox<T> {}

impl<T> std::ops::Deref for ObjectBox<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for ObjectBox<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> AsRef<T> for ObjectBox<T> {
    #[inline]
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T> AsMut<T> for ObjectBox<T> {
    #[inline]
    fn as_mut(&mut self) -> &mut T {
        self
    }
}

impl<T> std::borrow::Borrow<T> for ObjectBox<T> {
    #[inline]
    fn borrow(&self) -> &T {
        self
    }
}

impl<T> std::borrow::BorrowMut<T> for ObjectBox<T> {
    #[inline]
    fn borrow_mut(&mut self) -> &mut T {
        self
    }
}

impl<T> From<T> for ObjectBox<T> {
    #[inline]
    fn from(v: T) -> Self {
        Self::new(v)
    }
}

impl<T> From<Box<T>> for ObjectBox<T> {
    #[inline]
    fn from(v: Box<T>) -> Self {
        Self::from_box(v)
    }
}

impl<T: Clone> Clone for ObjectBox<T> {
    #[inline]
    fn clone(&self) -> Self {
        Self::new(T::clone(self))
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for ObjectBox<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        T::fmt(self, f)
    }
}

impl<T: PartialEq> PartialEq for ObjectBox<T> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        T::eq(self, other)
    }
}

// A family enum's variants are built through these, so that its own bodies hold no
// `ObjectBox<T>` or `Box<T>`: rustc drop-checks every distinct type of a local in every body,
// and each such check walks all the types `T` reaches, through the family enums most of the
// crate. Here `T` is a parameter, checked once.

/// `wrap` around `v` in its box (an `ObjectBox<T>`, or a `Box<T>` for a nested family).
#[doc(hidden)]
#[inline]
pub fn boxed<T, B: From<T>, K>(v: T, wrap: fn(B) -> K) -> K {
    wrap(B::from(v))
}

/// `wrap` around a clone of `v` in its box.
#[doc(hidden)]
#[inline]
pub fn clone_boxed<T: Clone, B: From<T>, K>(v: &T, wrap: fn(B) -> K) -> K {
    wrap(B::from(v.clone()))
}

/// `wrap` around a blank `T`.
#[doc(hidden)]
#[inline]
pub fn blank_boxed<T: Blank, K>(wrap: fn(ObjectBox<T>) -> K) -> K {
    wrap(ObjectBox::new(T::blank()))
}

#[cfg(test)]
mod tests {
    use super::{same, ObjectBox};
    use std::cell::Cell;
    use std::rc::Rc;

    /// Counts its drops in the cell it shares.
    #[derive(Clone, Debug, PartialEq)]
    struct Counted(Rc<Cell<u32>>, u32);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    #[test]
    fn an_object_box_drops_its_value_once_and_never_after_giving_it_up() {
        let drops = Rc::new(Cell::new(0));
        drop(ObjectBox::new(Counted(drops.clone(), 1)));
        assert_eq!(drops.get(), 1);

        let value = ObjectBox::new(Counted(drops.clone(), 2)).into_inner();
        assert_eq!((drops.get(), value.1), (1, 2));
        drop(value);
        assert_eq!(drops.get(), 2);

        let boxed: Box<Counted> = ObjectBox::from_box(Box::new(Counted(drops.clone(), 3))).into_box();
        assert_eq!(drops.get(), 2);
        drop(boxed);
        assert_eq!(drops.get(), 3);

        let one = ObjectBox::new(Counted(drops.clone(), 4));
        let mut two = one.clone();
        two.1 = 5;
        assert_eq!((one.1, two.1), (4, 5));
        assert_ne!(one, two);
        drop((one, two));
        assert_eq!(drops.get(), 5);

        // a panic while the box is held still drops the value once, on unwinding
        let held = ObjectBox::new(Counted(drops.clone(), 6));
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _held = held;
            panic!("unwinding");
        }));
        assert!(unwound.is_err());
        assert_eq!(drops.get(), 6);
    }

    #[test]
    fn an_object_box_is_a_box_in_size_and_in_use() {
        use std::mem::size_of;
        assert_eq!(size_of::<ObjectBox<[u64; 16]>>(), size_of::<Box<[u64; 16]>>());
        assert_eq!(size_of::<Option<ObjectBox<[u64; 16]>>>(), size_of::<Box<[u64; 16]>>());
        let mut b: ObjectBox<Vec<u32>> = vec![1, 2].into();
        b.push(3);
        assert_eq!(&**b, &[1, 2, 3]);
        assert_eq!(AsRef::<Vec<u32>>::as_ref(&b).len(), 3);
        assert_eq!(format!("{b:?}"), "[1, 2, 3]");
        // what its value is, the box is (an object's unknown members, here)
        fn send_sync_unwind_safe<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
        send_sync_unwind_safe::<crate::Extra>();
        send_sync_unwind_safe::<ObjectBox<crate::Extra>>();
    }

    #[test]
    fn same_agrees_with_slice_equality() {
        let base = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(same(a, a), "{a:?}");
            assert_eq!(same(a, &base[..n.saturating_sub(1)]), n == 0, "{a:?} against its prefix");
            // one byte changed at each position, the overlapping last words included
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] = b'_';
                assert!(!same(a, &b), "{a:?} against {b:?}");
            }
        }
        assert!(same(b"_typeName", crate::DISCRIMINATOR.as_bytes()));
        assert!(!same(b"key", b"kez"));
    }
}
