//! Decisions about the Rust side that need the whole model: names, which fields are boxed,
//! namespace features, registry ids.

use crate::model::{Kind, Model, Op, StrFormat, Ty};
use crate::names::{self, Scope};
use indexmap::IndexMap;
use std::collections::{BTreeMap, BTreeSet};

mod record;
mod rust_type;
mod split;
pub use record::{Decisions, LayoutRecord, RecordError};
pub use rust_type::{Cfg, Lifetime, Primitive, RuntimeType, RustType};
pub use split::{Unit, PARTS};

/// Namespaces that get a cargo feature. `vim25` is the core that the others build on.
pub const CORE: &str = "vim25";

pub struct Plan {
    /// Rust type name per schema (for a data object with subtypes, the struct's name).
    pub type_name: BTreeMap<String, String>,
    /// The family enum of a data object with subtypes (`VirtualDeviceKind`).
    pub family_name: BTreeMap<String, String>,
    /// Module (file stem) of each emitted schema.
    pub module: BTreeMap<String, String>,
    /// Rust field names per schema, in the order of `Model::all_fields` / own fields.
    pub fields: BTreeMap<String, Vec<String>>,
    /// Fields (schema, wire name) that must be boxed to break a containment cycle.
    pub cycle_breaks: BTreeSet<(String, String)>,
    /// What is held inline and what in a `Box` (see [`inline_layout`]); members of struct types
    /// not inline there hold a `Box`.
    pub layout: Layout,
    /// Structs some member holds in a `Box` (see [`Plan::member_boxed`]): each gets its own
    /// `Decode` and `Encode` for `Box<T>`, the blanket impls of objects leaving no room for
    /// generic ones.
    pub box_codecs: BTreeSet<String>,
    /// When a schema is available: all of these clauses hold, a clause being "any one of
    /// these features is on"; no clause = always (core).
    pub features: BTreeMap<String, Vec<BTreeSet<String>>>,
    /// Registry ids: wire names sorted bytewise; the index is the id.
    pub registry: Vec<RegistryEntry>,
    pub id_of: BTreeMap<String, u16>,
    /// Handle method names per managed type: (operationId -> rust name).
    pub method_name: BTreeMap<String, String>,
    /// Variant names per enum schema, in value order.
    pub variants: BTreeMap<String, Vec<String>>,
    /// Name of the variant keeping unknown values, per enum schema.
    pub unknown_variant: BTreeMap<String, String>,
    /// Schema of the fault family root (what a 500 body decodes to).
    pub fault_root: Option<String>,
    /// Every namespace with a feature, core first.
    pub namespaces: Vec<String>,
    /// The struct holding a wrapped array of data objects in a root position (`AnyArray`).
    pub array_type: String,
    /// The crate of each schema with a file of its own (see [`split`]).
    pub unit: BTreeMap<String, Unit>,
}

pub struct RegistryEntry {
    pub wire: String,
    pub schema: String,
    pub parent: Option<String>,
}

impl Plan {
    /// The plan with every inline-or-boxed decision taken by the size rule.
    pub fn build(model: &Model) -> Plan {
        Plan::build_with(model, None)
    }

    /// The plan with the decisions a layout record pins (see [`inline_layout_with`]).
    pub fn build_with(model: &Model, record: Option<&LayoutRecord>) -> Plan {
        let TypeNames { type_name, family_name, module, mut type_scope } = type_names(model);
        let fields = member_names(model);
        let EnumVariants { variants, unknown_variant } = enum_variants(model);
        let cycle_breaks = containment_cycles(model);
        let layout = inline_layout_with(model, record);
        let box_codecs = box_codecs(model, &layout.structs, &cycle_breaks);
        let (features, namespaces) = features(model);
        let registry = registry(model);
        let id_of = registry.iter().enumerate().map(|(i, e)| (e.schema.clone(), i as u16)).collect();
        let method_name = handle_members(model);
        let array_type = type_scope.claim(format!("{}Array", type_name[&model.root]));
        let fault_root = fault_root(model);
        Plan {
            type_name,
            family_name,
            module,
            fields,
            cycle_breaks,
            layout,
            box_codecs,
            features,
            registry,
            id_of,
            method_name,
            variants,
            unknown_variant,
            fault_root,
            namespaces,
            array_type,
            unit: split::split(model),
        }
    }

    /// The crate a schema's type is in; a wrapped value is a variant of the root's enum.
    pub fn unit_of(&self, schema: &str) -> Unit {
        self.unit.get(schema).copied().unwrap_or(Unit::Facade)
    }

    /// The Rust type a value of `ty` is held in (fields, responses, wrapped values).
    pub fn owned_type(&self, model: &Model, ty: &Ty) -> RustType {
        match ty {
            Ty::Bool => RustType::Primitive(Primitive::Bool),
            Ty::Int(8) => RustType::Primitive(Primitive::I8),
            Ty::Int(16) => RustType::Primitive(Primitive::I16),
            Ty::Int(32) => RustType::Primitive(Primitive::I32),
            Ty::Int(_) => RustType::Primitive(Primitive::I64),
            Ty::Float(32) => RustType::Primitive(Primitive::F32),
            Ty::Float(_) => RustType::Primitive(Primitive::F64),
            Ty::String(StrFormat::Password) => RustType::Runtime(RuntimeType::Password),
            Ty::String(StrFormat::DateTime) => RustType::Runtime(RuntimeType::DateTime),
            Ty::String(_) => RustType::Runtime(RuntimeType::CompactString),
            Ty::Array(inner) => RustType::vec(self.owned_type(model, inner)),
            Ty::Ref(name) => self.ref_type(model, name),
        }
    }

    /// The Rust type of a value of schema `name`: a data object with subtypes is its family
    /// enum, a wrapper its value's type.
    pub fn ref_type(&self, model: &Model, name: &str) -> RustType {
        match &model.schema(name).kind {
            Kind::Wrapper(w) => self.owned_type(model, &w.value),
            Kind::Root => RustType::Generated(self.type_name[name].clone()),
            _ => RustType::Generated(self.family_name.get(name).unwrap_or(&self.type_name[name]).clone()),
        }
    }

    /// Whether a member holds its struct behind a `Box` (see [`member_boxed`]).
    pub fn member_boxed(&self, model: &Model, holder: &str, f: &crate::model::Field) -> bool {
        member_boxed(model, &self.layout.structs, &self.cycle_breaks, holder, f)
    }

    /// When a schema's items are compiled.
    pub fn cfg(&self, schema: &str) -> Cfg {
        Cfg(self.features.get(schema).cloned().unwrap_or_default())
    }
}

/// Schemas referenced by a type's own members and its parent.
fn deps(model: &Model, name: &str) -> Vec<String> {
    let walk = |ty: &Ty, out: &mut Vec<String>| out.extend(ty.schema().map(str::to_owned));
    let mut out = Vec::new();
    match &model.schema(name).kind {
        Kind::Data(d) => {
            out.extend(d.parent.iter().cloned());
            for f in &d.fields {
                walk(&f.ty, &mut out);
            }
        }
        Kind::Request(o) | Kind::Plain(o) => o.fields.iter().for_each(|f| walk(&f.ty, &mut out)),
        Kind::Wrapper(b) => walk(&b.value, &mut out),
        Kind::Root | Kind::Enum(_) => {}
    }
    out
}

/// Which namespaces' operations reach each schema (through members and parents, not
/// subtypes), and from that the `cfg` condition of each schema, such that turning a feature off
/// never leaves a dangling reference.
fn features(model: &Model) -> (BTreeMap<String, Vec<BTreeSet<String>>>, Vec<String>) {
    let mut namespaces: Vec<String> = vec![CORE.to_owned()];
    for m in model.managed.values() {
        if !namespaces.contains(&m.namespace) {
            namespaces.push(m.namespace.clone());
        }
    }
    let mut reach: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, op) in model.operations() {
        let mut start = Vec::new();
        match op {
            Op::Method(x) => {
                start.extend(x.request.iter().cloned());
                if let Some(r) = &x.response {
                    start.extend(r.ty.schema().map(str::to_owned));
                }
                start.extend(x.faults.iter().cloned());
            }
            Op::Property(p) => start.extend(p.response.ty.schema().map(str::to_owned)),
        }
        let mut stack = start;
        while let Some(n) = stack.pop() {
            if reach.entry(n.clone()).or_default().insert(m.namespace.clone()) {
                stack.extend(deps(model, &n));
            }
        }
    }
    // A reached schema is available when any namespace reaching it is on (what reaches it
    // reaches its dependencies too). An unreached one (an event or fault only ever seen
    // through its base) needs what each of its dependencies needs: the union of their clauses.
    let mut clauses: BTreeMap<String, BTreeSet<BTreeSet<String>>> = BTreeMap::new();
    for name in model.schemas.keys() {
        let mut c = BTreeSet::new();
        if let Some(r) = reach.get(name) {
            if !r.contains(CORE) {
                c.insert(r.clone());
            }
        }
        clauses.insert(name.clone(), c);
    }
    loop {
        let mut changed = false;
        for name in model.schemas.keys().filter(|n| !reach.contains_key(*n)) {
            let mut add = BTreeSet::new();
            for d in deps(model, name) {
                add.extend(clauses[&d].iter().cloned());
            }
            let mine = clauses.get_mut(name).expect("every schema has clauses");
            for c in add {
                changed |= mine.insert(c);
            }
        }
        if !changed {
            break;
        }
    }
    let out = clauses.into_iter().map(|(n, c)| (n, absorb(c))).collect();
    (out, namespaces)
}

/// Whether a member holds its struct behind a `Box`: every struct-typed member does unless
/// the struct is small (`Layout::structs`; family enums and arrays already hold theirs on the
/// heap), and so does a member closing a containment cycle. Inline nesting of the large ones
/// would make the big objects (`VirtualMachineConfigInfo`) kilobytes large, and decoding them
/// would need that much stack per level, several times over in a debug build.
fn member_boxed(
    model: &Model,
    inline_structs: &BTreeSet<String>,
    cycle_breaks: &BTreeSet<(String, String)>,
    holder: &str,
    f: &crate::model::Field,
) -> bool {
    let struct_typed = matches!(&f.ty, Ty::Ref(n) if model.is_struct(n) && !inline_structs.contains(n));
    struct_typed || cycle_breaks.contains(&(holder.to_owned(), f.name.clone()))
}

/// The structs some member holds in a `Box`.
fn box_codecs(model: &Model, inline_structs: &BTreeSet<String>, cycle_breaks: &BTreeSet<(String, String)>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for holder in model.schemas.keys() {
        for f in model.struct_fields(holder).unwrap_or_default() {
            if let Ty::Ref(n) = &f.ty {
                if member_boxed(model, inline_structs, cycle_breaks, holder, f) {
                    out.insert(n.clone());
                }
            }
        }
    }
    out
}

/// Fields whose type contains the holder inline (directly or through other inline structs)
/// must be boxed; arrays and family enums already hold their values on the heap.
fn containment_cycles(model: &Model) -> BTreeSet<(String, String)> {
    let inline_target = |ty: &Ty| -> Option<String> {
        match ty {
            Ty::Ref(n) if model.is_struct(n) => Some(n.clone()),
            _ => None,
        }
    };
    let mut edges: IndexMap<String, Vec<(String, String)>> = IndexMap::new();
    for s in model.schemas.values() {
        let Some(fields) = model.struct_fields(&s.name) else { continue };
        let list: Vec<(String, String)> = fields.iter().filter_map(|f| inline_target(&f.ty).map(|t| (f.name.clone(), t))).collect();
        edges.insert(s.name.clone(), list);
    }
    // a field is boxed when its target can reach back to the holder
    let mut reach_cache: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (holder, list) in &edges {
        for (field, target) in list {
            let reach = reach_cache.entry(target.clone()).or_insert_with(|| {
                let mut seen = BTreeSet::new();
                let mut stack = vec![target.clone()];
                while let Some(n) = stack.pop() {
                    if seen.insert(n.clone()) {
                        if let Some(next) = edges.get(&n) {
                            stack.extend(next.iter().map(|(_, t)| t.clone()));
                        }
                    }
                }
                seen
            });
            if reach.contains(holder) {
                out.insert((holder.clone(), field.clone()));
            }
        }
    }
    out
}

/// Largest struct, in bytes on a 64-bit target, that a member holds inline rather than boxed.
///
/// Every member box is one allocation when decoded and one free when dropped, and allocating
/// and freeing were a third of a large decode's time. The small structs (`SharesInfo`,
/// `ManagedObjectReference`, `VirtualDeviceConnectInfo`, ...) are also the most frequent ones.
/// A bound keeps the big objects (`VirtualMachineConfigInfo`) from growing by kilobytes, which
/// decoding would need as stack per level in a debug build.
pub const INLINE_LIMIT: usize = 128;

/// Which structs are held inline where a member is declared with them, which families hold
/// their own struct inline in their enum, and which family enums are boxed where their parent
/// nests them. A struct or a family's own struct is inline when its estimated size is at most
/// [`INLINE_LIMIT`], counting what it holds inline itself.
///
/// A family's own struct inline saves the one allocation that a value of exactly the base type
/// costs: `OptionValue` in `extraConfig`, `Description` in every device's `deviceInfo`, the
/// two most frequent allocations of one VM's configuration. A family enum nests its subtypes'
/// enums unboxed and grows to the largest of them, so that a subtype's value still costs
/// one allocation (`VirtualDeviceBackingInfoKind` nests `VirtualDeviceFileBackingInfoKind`,
/// which holds its own struct and a boxed `VirtualDiskFlatVer2BackingInfo`). Only the root and
/// the families it holds (`Any`, `DataObjectKind`) must not grow, being held wherever an `Any`
/// is: they box a nested enum that grew beyond the room they have, so that a value reaching
/// them through the root costs one more allocation for such an enum on its way down
/// (`Any::DataObject(DataObjectKind::Description(Box<DescriptionKind>))`). A base without
/// members (`DataObject`, `VirtualDeviceBackingInfo`) gains nothing inline and stays boxed.
///
/// A fixpoint from the leaves up: a struct is decided once every struct and family it holds
/// is, a family once its own struct and its subtypes' families are; so a type on a
/// containment cycle (`MethodFault` holds its own family in `faultCause`) never is, and
/// inline nesting is always finite. Families a cycle leaves undecided then box their own
/// struct, and the structs waiting on them are decided in a second pass.
pub fn inline_layout(model: &Model) -> Layout {
    inline_layout_with(model, None)
}

/// [`inline_layout`] with the decisions of a layout record in place of the size rule for the
/// types it lists, so that a release adding members keeps every existing type's layout:
/// - a struct, or a family's own struct, pinned inline is inline whatever its size, once its
///   size can be estimated (it holds nothing undecided, so it is on no containment cycle), and
///   a struct it holds that is boxed counts as the box: a new member of a large type does not
///   move it;
/// - one pinned boxed is boxed, without waiting for what it holds;
/// - a family enum pinned as nested boxed is boxed; pinned as nested inline, it is, unless it
///   grew beyond the room of the enum nesting it (`Any` keeps its size).
///
/// So a pinned type is only moved where it must be: onto a containment cycle, or out of the
/// room of the root's enums; the diff reports both as breaking. The size rule decides what
/// the record does not list; without a record this is [`inline_layout`].
pub fn inline_layout_with(model: &Model, record: Option<&LayoutRecord>) -> Layout {
    let candidates = |pick: &dyn Fn(&str) -> bool| -> Vec<(&str, Vec<&crate::model::Field>)> {
        model.schemas.keys().filter(|n| pick(n)).filter_map(|n| Some((n.as_str(), model.struct_fields(n)?))).collect()
    };
    let structs = candidates(&|n| model.is_struct(n));
    let families = candidates(&|n| model.is_polymorphic(n));
    let mut sizes = Sizes { record, ..Sizes::default() };
    loop {
        let before = sizes.progress();
        sizes.settle_structs(model, &structs);
        for (name, fields) in &families {
            if sizes.families.contains_key(*name) {
                continue;
            }
            let pin = record.and_then(|r| r.own.get(name));
            let own = if fields.is_empty() || pin == Some(false) {
                None
            } else {
                match sizes.struct_size(model, fields, pin == Some(true)) {
                    Estimate::Size(t) => (pin == Some(true) || t <= INLINE_LIMIT).then_some(t),
                    Estimate::Undecided | Estimate::HoldsBoxed => continue,
                }
            };
            if let Some(f) = sizes.family(model, name, own) {
                if own.is_some_and(|t| t > INLINE_LIMIT) {
                    sizes.oversized.insert(name.to_string());
                }
                sizes.families.insert(name.to_string(), f);
            }
        }
        if sizes.progress() == before {
            break;
        }
    }
    // what a cycle left undecided boxes its own struct; subtypes' families before their bases
    fn settle(model: &Model, sizes: &mut Sizes, name: &str) {
        if sizes.families.contains_key(name) {
            return;
        }
        for c in model.data(name).map(|d| d.children.as_slice()).unwrap_or_default() {
            if model.is_polymorphic(c) {
                settle(model, sizes, c);
            }
        }
        let f = sizes.family(model, name, None).expect("every subtype's family is decided");
        sizes.families.insert(name.to_owned(), f);
    }
    for (name, _) in &families {
        settle(model, &mut sizes, name);
    }
    sizes.settle_structs(model, &structs);
    // What is still undecided is on a containment cycle or holds a type on one, and is boxed.
    // A struct pinned inline that only waited on such a type holds it in a box and stays.
    for (name, _) in &structs {
        let pinned_inline = record.and_then(|r| r.held.get(name)) == Some(true);
        if !pinned_inline && !sizes.structs.contains_key(*name) {
            sizes.boxed.insert(name.to_string());
        }
    }
    sizes.settle_structs(model, &structs);
    let nested_boxed = sizes
        .families
        .iter()
        .filter(|(name, f)| {
            let parent = model.data(name).and_then(|d| d.parent.as_deref()).unwrap_or_default();
            let boxed_size = sizes.families.get(parent).map_or(ROOT_SIZE, |p| p.boxed_size);
            sizes.nests_boxed(name, f, room(model, parent, boxed_size))
        })
        .map(|(n, _)| n.clone())
        .collect();
    let own_inline = sizes.families.iter().filter(|(_, f)| f.own_inline).map(|(n, _)| n.clone()).collect();
    Layout { structs: sizes.structs.into_keys().collect(), own_inline, nested_boxed, oversized: sizes.oversized }
}

/// The structs some member (of a data or plain object) is declared with: only those have a
/// member whose type is `T` or `Box<T>` by the layout.
pub fn held_structs(model: &Model) -> BTreeSet<String> {
    model
        .schemas
        .keys()
        .filter_map(|n| model.struct_fields(n))
        .flatten()
        .filter_map(|f| match &f.ty {
            Ty::Ref(t) if model.is_struct(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// What [`inline_layout`] decides: where a type is held inline rather than in a `Box`. Each
/// is part of the Rust API (a member's type is `T` or `Box<T>`), which `diff` reports.
#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    /// Structs held inline by the members declared with them.
    pub structs: BTreeSet<String>,
    /// Families whose enum holds their own struct inline.
    pub own_inline: BTreeSet<String>,
    /// Families whose enum is boxed where their parent's enum or the root nests it.
    pub nested_boxed: BTreeSet<String>,
    /// Structs and families' own structs held inline beyond [`INLINE_LIMIT`] because a layout
    /// record pins them so.
    pub oversized: BTreeSet<String>,
}

/// A decided family enum: its estimated size, its size were every struct in it boxed (the
/// enums nesting it unboxed), and whether it holds its own struct inline.
#[derive(Clone, Copy)]
struct FamilySize {
    size: usize,
    boxed_size: usize,
    own_inline: bool,
}

/// Estimated size of `Any`, which holds boxes, vectors and strings, and the families below.
const ROOT_SIZE: usize = 48;

/// Whether the enum of `nester` must not grow: the root's and those of the families it holds,
/// as they are held wherever an `Any` is.
fn fixed_size(model: &Model, nester: &str) -> bool {
    nester == model.root || model.data(nester).and_then(|d| d.parent.as_deref()) == Some(model.root.as_str())
}

/// Whether a family's enum is nested in one that must not grow, where it can be boxed.
fn nested_in_fixed_enum(model: &Model, family: &str) -> bool {
    model.data(family).and_then(|d| d.parent.as_deref()).is_some_and(|p| fixed_size(model, p))
}

/// The room for a nested enum in the enum of `nester` (of `boxed_size` were every struct in it
/// boxed), if that enum must not grow.
fn room(model: &Model, nester: &str, boxed_size: usize) -> Option<usize> {
    // less the tag
    fixed_size(model, nester).then_some(boxed_size - 8)
}

/// Whether an enum nesting `child` boxes it: only one that must not grow (with `room`), and
/// only a `child` that grew larger than that room by holding structs inline.
fn nests_boxed(child: &FamilySize, room: Option<usize>) -> bool {
    room.is_some_and(|room| child.size > room.max(child.boxed_size))
}

/// A struct's or member's estimated size, or why there is none yet or ever.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Estimate {
    Size(usize),
    /// It holds a struct or family not decided yet.
    Undecided,
    /// It holds a struct decided boxed, which keeps it boxed by the size rule.
    HoldsBoxed,
}

/// What [`inline_layout`] has decided so far: the inline structs' sizes, the structs decided
/// boxed, and the families.
#[derive(Default)]
struct Sizes<'a> {
    record: Option<&'a LayoutRecord>,
    structs: BTreeMap<String, usize>,
    boxed: BTreeSet<String>,
    families: BTreeMap<String, FamilySize>,
    /// What is inline beyond the limit because the record pins it so.
    oversized: BTreeSet<String>,
}

impl Sizes<'_> {
    fn progress(&self) -> (usize, usize, usize) {
        (self.structs.len(), self.boxed.len(), self.families.len())
    }

    /// Whether an enum that nests `child` (the family `name`) in `room` boxes it: by the size
    /// rule, or pinned so where it could be boxed.
    fn nests_boxed(&self, name: &str, child: &FamilySize, room: Option<usize>) -> bool {
        nests_boxed(child, room) || (room.is_some() && self.record.and_then(|r| r.nested.get(name)) == Some(false))
    }

    /// A family's enum with its own struct inline (of size `own`) or boxed, once the enums of
    /// its subtypes with subtypes are decided.
    fn family(&self, model: &Model, name: &str, own: Option<usize>) -> Option<FamilySize> {
        let children: Vec<(&String, &FamilySize)> = model
            .data(name)
            .map(|d| d.children.as_slice())
            .unwrap_or_default()
            .iter()
            .filter(|c| model.is_polymorphic(c))
            .map(|c| Some((c, self.families.get(c)?)))
            .collect::<Option<_>>()?;
        let boxed_size = 8 + children.iter().map(|(_, c)| c.boxed_size).max().unwrap_or(0).max(8);
        let room = room(model, name, boxed_size);
        let mut payload = own.unwrap_or(8);
        for (n, c) in children {
            if !self.nests_boxed(n, c, room) {
                payload = payload.max(c.size);
            }
        }
        // the tag
        Some(FamilySize { size: payload + 8, boxed_size, own_inline: own.is_some() })
    }

    /// Decides every struct that now can be, until none can.
    fn settle_structs(&mut self, model: &Model, structs: &[(&str, Vec<&crate::model::Field>)]) {
        loop {
            let before = self.progress();
            for (name, fields) in structs {
                if self.structs.contains_key(*name) || self.boxed.contains(*name) {
                    continue;
                }
                let pin = self.record.and_then(|r| r.held.get(name));
                if pin == Some(false) {
                    self.boxed.insert(name.to_string());
                    continue;
                }
                match self.struct_size(model, fields, pin == Some(true)) {
                    Estimate::Size(t) if pin == Some(true) || t <= INLINE_LIMIT => {
                        if t > INLINE_LIMIT {
                            self.oversized.insert(name.to_string());
                        }
                        self.structs.insert(name.to_string(), t);
                    }
                    Estimate::Size(_) | Estimate::HoldsBoxed => {
                        self.boxed.insert(name.to_string());
                    }
                    Estimate::Undecided => {}
                }
            }
            if self.progress() == before {
                return;
            }
        }
    }

    /// A struct's estimated size. `pinned` (a struct pinned inline) counts a struct it holds
    /// boxed as the box.
    fn struct_size(&self, model: &Model, fields: &[&crate::model::Field], pinned: bool) -> Estimate {
        // the `extra` member: one pointer
        let mut total = 8;
        let mut undecided = false;
        for f in fields {
            match self.member_size(model, &f.ty, f.required, pinned) {
                Estimate::Size(s) => total += s,
                Estimate::Undecided => undecided = true,
                Estimate::HoldsBoxed => return Estimate::HoldsBoxed,
            }
        }
        if undecided {
            Estimate::Undecided
        } else {
            Estimate::Size(total)
        }
    }

    /// Estimated bytes a member of type `ty` takes in its struct (alignment rounded up to 8 for
    /// anything wider than a byte, so the estimate errs high).
    fn member_size(&self, model: &Model, ty: &Ty, required: bool, pinned: bool) -> Estimate {
        let size = match ty {
            Ty::Bool => 1,
            Ty::Int(_) | Ty::Float(_) => 8 + if required { 0 } else { 8 },
            // `DateTime` holds its text in place, in five words with a niche for `None`
            Ty::String(StrFormat::DateTime) => 40,
            // `CompactString`, `String` and `Vec` are three words, with a niche for `None`
            Ty::String(_) | Ty::Array(_) => 24,
            Ty::Ref(n) => match &model.schema(n).kind {
                Kind::Wrapper(b) => return self.member_size(model, &b.value, required, pinned),
                // enums keep unknown values as a string; `Any` holds boxes, with a tag
                Kind::Enum(_) => 24,
                Kind::Root => ROOT_SIZE,
                // a family enum: its own struct and a tag, or boxes and a tag
                _ if model.is_polymorphic(n) => match self.families.get(n) {
                    Some(f) => f.size,
                    None => return Estimate::Undecided,
                },
                _ => match self.structs.get(n) {
                    Some(s) => s + if required { 0 } else { 8 },
                    // a box, with a niche for `None`
                    None if self.boxed.contains(n) && pinned => 8,
                    None if self.boxed.contains(n) => return Estimate::HoldsBoxed,
                    None => return Estimate::Undecided,
                },
            },
        };
        Estimate::Size(size)
    }
}

/// Drops each clause that a narrower one implies, so that the `cfg` reads as simply as it can:
/// `all(any(pbm, sms), sms)` is `sms`.
fn absorb(clauses: BTreeSet<BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    clauses.iter().filter(|c| !clauses.iter().any(|o| o != *c && o.is_subset(c))).cloned().collect()
}

/// The root-level ancestor shared by the schemas that fault responses declare.
fn fault_root(model: &Model) -> Option<String> {
    let declared: BTreeSet<&str> = model.managed.values().flat_map(|m| m.methods.iter()).flat_map(|x| x.faults.iter().map(String::as_str)).collect();
    let tops: BTreeSet<String> = declared
        .iter()
        .filter(|n| model.data(n).is_some())
        .map(|n| model.ancestors(n).last().map(|s| s.to_string()).unwrap_or_else(|| n.to_string()))
        .collect();
    match tops.len() {
        1 => tops.into_iter().next(),
        _ => None,
    }
}

/// The Rust names of the schemas' types, family enums and modules, and the scope of type names
/// (the root's array type is named from it last).
struct TypeNames {
    type_name: BTreeMap<String, String>,
    family_name: BTreeMap<String, String>,
    module: BTreeMap<String, String>,
    type_scope: Scope,
}

/// The names the generated code uses unqualified from Rust's prelude: a type of the document
/// named so would shadow them in its own module (`pub struct Option` breaks `Option<T>`).
const PRELUDE: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Names every type and module: wrapped values in the root's variant scope, the others in the
/// crate's type scope, family enums last.
fn type_names(model: &Model) -> TypeNames {
    let mut reserved = vec!["Extra", "Password", "Client", "Call", "Error", "Fault", "Transport", "Request", "Response", "DecodeError"];
    reserved.extend_from_slice(PRELUDE);
    let mut type_scope = Scope::with_reserved(&reserved);
    let mut type_name = BTreeMap::new();
    let mut family_name = BTreeMap::new();
    let mut module = BTreeMap::new();
    let mut module_scope = Scope::with_reserved(&["mod", "registry"]);
    // wrapped values are variants of the root enum, not types: their names live in the
    // root's scope, next to the data objects that are also its variants
    let mut variant_scope = Scope::with_reserved(&["Unknown", "Array"]);
    for s in model.schemas.values() {
        if let Kind::Data(d) = &s.kind {
            if d.parent.as_deref() == Some(model.root.as_str()) {
                variant_scope.claim(names::type_name(&s.name));
            }
        }
    }
    for s in model.schemas.values() {
        if matches!(s.kind, Kind::Wrapper(_)) {
            type_name.insert(s.name.clone(), variant_scope.claim(names::type_name(&s.name)));
            continue;
        }
        let wanted = match &s.kind {
            Kind::Enum(_) => names::type_name(crate::quirks::enum_type_name(&s.name)),
            _ => names::type_name(&s.name),
        };
        let name = type_scope.claim(wanted);
        if matches!(s.kind, Kind::Data(_) | Kind::Enum(_) | Kind::Request(_) | Kind::Plain(_)) {
            module.insert(s.name.clone(), module_scope.claim(names::escape(&names::snake(&name)).replace("r#", "r_")));
        }
        type_name.insert(s.name.clone(), name);
    }
    // family enums after all struct names are taken, so a clash renames the enum
    for s in model.schemas.values() {
        if model.is_polymorphic(&s.name) {
            let k = type_scope.claim(format!("{}Kind", type_name[&s.name]));
            family_name.insert(s.name.clone(), k);
        }
    }
    TypeNames { type_name, family_name, module, type_scope }
}

/// The Rust names of each object's members, by schema.
fn member_names(model: &Model) -> BTreeMap<String, Vec<String>> {
    let mut fields = BTreeMap::new();
    for s in model.schemas.values() {
        let list: Vec<&str> = match &s.kind {
            // flattened: names are unique over all levels, in root-to-leaf order, so that
            // each level's names are a prefix-stable part of its subtypes' names
            Kind::Data(_) => model.all_fields(&s.name).iter().map(|f| f.name.as_str()).collect(),
            Kind::Request(o) | Kind::Plain(o) => o.fields.iter().map(|f| f.name.as_str()).collect(),
            _ => continue,
        };
        let mut scope = Scope::with_reserved(&["extra"]);
        let rust_names = list.iter().map(|w| scope.claim(names::escape(&names::snake(w)))).collect();
        fields.insert(s.name.clone(), rust_names);
    }
    fields
}

/// The variant names of the enumerations.
struct EnumVariants {
    /// One per value, in document order, by schema.
    variants: BTreeMap<String, Vec<String>>,
    /// The variant holding a value this release does not know, by schema.
    unknown_variant: BTreeMap<String, String>,
}

fn enum_variants(model: &Model) -> EnumVariants {
    let mut variants = BTreeMap::new();
    let mut unknown_variant = BTreeMap::new();
    for s in model.schemas.values() {
        if let Kind::Enum(e) = &s.kind {
            let mut scope = Scope::default();
            let vs: Vec<String> = e.values.iter().map(|v| scope.claim(names::variant(&v.value))).collect();
            unknown_variant.insert(s.name.clone(), scope.claim("Unrecognized".into()));
            variants.insert(s.name.clone(), vs);
        }
    }
    EnumVariants { variants, unknown_variant }
}

/// Every wire type name the decoder knows, sorted by its bytes, once each.
fn registry(model: &Model) -> Vec<RegistryEntry> {
    let mut registry: Vec<RegistryEntry> = model
        .schemas
        .values()
        .filter_map(|s| match &s.kind {
            Kind::Data(d) => Some(RegistryEntry { wire: d.wire_name.clone(), schema: s.name.clone(), parent: d.parent.clone() }),
            Kind::Wrapper(b) => Some(RegistryEntry { wire: b.wire_name.clone(), schema: s.name.clone(), parent: Some(model.root.clone()) }),
            Kind::Root => Some(RegistryEntry { wire: s.name.clone(), schema: s.name.clone(), parent: None }),
            _ => None,
        })
        .collect();
    registry.sort_by(|a, b| a.wire.as_bytes().cmp(b.wire.as_bytes()));
    registry.dedup_by(|a, b| a.wire == b.wire);
    registry
}

/// The Rust names of the managed objects' methods and properties, by operation id.
fn handle_members(model: &Model) -> BTreeMap<String, String> {
    let mut members = BTreeMap::new();
    for m in model.managed.values() {
        let mut scope = Scope::with_reserved(&["new", "from_ref", "id", "reference", "to_ref", "client", "TYPE", "PATH"]);
        for x in &m.methods {
            members.insert(x.operation_id.clone(), scope.claim(names::escape(&names::snake(&x.name))));
        }
        for p in &m.properties {
            members.insert(p.operation_id.clone(), scope.claim(names::escape(&names::snake(&p.name))));
        }
    }
    members
}

#[cfg(test)]
pub(crate) mod fixture {
    //! The mini fixture document, for the plan's tests.
    pub const MINI: &str = include_str!("../tests/fixtures/mini.yaml");

    pub fn model(yaml: &str) -> crate::model::Model {
        crate::model::build(&crate::load::load(yaml.as_bytes()).expect("loads")).expect("builds")
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{model, MINI};
    use super::{absorb, inline_layout, inline_layout_with, LayoutRecord, Plan};
    use crate::model::Model;
    use std::collections::BTreeSet;

    /// The fixture without `Polygon.inner`, which puts `Shape` and `Polygon` on a cycle.
    fn mini_without_inner() -> String {
        let inner = "        inner:\n          description: A wrapped reference (9.x style).\n          allOf:\n            - $ref: '#/components/schemas/Shape'\n";
        assert!(MINI.contains(inner));
        MINI.replace(inner, "")
    }

    #[test]
    fn a_small_family_holds_its_own_struct_and_nests_its_subtypes_unboxed() {
        let layout = inline_layout(&model(&mini_without_inner()));
        assert!(layout.own_inline.contains("Shape") && layout.own_inline.contains("Polygon"));
        // `Polygon`'s enum is nested unboxed in `Shape`'s, which `DataObject`'s boxes, because
        // the root holds that one
        assert!(!layout.nested_boxed.contains("Polygon"));
        assert!(layout.nested_boxed.contains("Shape"));
        // a base without members gains nothing inline
        assert!(!layout.own_inline.contains("DataObject"));
        assert!(!layout.nested_boxed.contains("DataObject"));
        // `MethodFault` (32 bytes by the estimate) fits the room `Any` has, and is not boxed
        assert!(layout.own_inline.contains("MethodFault") && !layout.nested_boxed.contains("MethodFault"));
        assert!(layout.structs.contains("GizmoLabel"));
    }

    #[test]
    fn a_family_on_a_containment_cycle_keeps_its_own_struct_boxed() {
        // `Polygon.inner` holds `ShapeKind`, which would nest `PolygonKind`, which would hold
        // a `Polygon`
        let layout = inline_layout(&model(MINI));
        assert!(!layout.own_inline.contains("Polygon") && !layout.own_inline.contains("Shape"));
        assert!(!layout.nested_boxed.contains("Shape"));
        // what waited on them is decided in the second pass
        assert!(layout.structs.contains("GizmoLabel"));
    }

    /// `yaml` with members added to the own properties of `schema`, each given as its YAML
    /// body (`type: string`).
    fn with_members(yaml: &str, schema: &str, members: &[(&str, &str)]) -> String {
        let at = yaml.find(&format!("\n    {schema}:\n")).expect("the schema is in the fixture");
        let props = at + yaml[at..].find("      properties:\n").expect("it has properties") + "      properties:\n".len();
        let added: String = members.iter().map(|(name, body)| format!("        {name}:\n          {body}\n")).collect();
        format!("{}{added}{}", &yaml[..props], &yaml[props..])
    }

    /// Five more optional strings: 120 bytes more by the estimate.
    fn grown(yaml: &str, schema: &str) -> String {
        with_members(yaml, schema, &["g1", "g2", "g3", "g4", "g5"].map(|n| (n, "type: string")))
    }

    /// The record of `model`'s layout by the size rule.
    fn record_of(model: &Model) -> LayoutRecord {
        LayoutRecord::of(model, &inline_layout(model))
    }

    #[test]
    fn a_pinned_struct_keeps_its_layout_where_the_size_rule_would_move_it() {
        let record = record_of(&model(MINI));
        assert_eq!((record.held.get("GizmoLabel"), record.held.get("GizmoManual")), (Some(true), Some(false)));
        let grown = model(&grown(MINI, "GizmoLabel"));
        assert!(!inline_layout(&grown).structs.contains("GizmoLabel"), "the size rule boxes it");
        let pinned = inline_layout_with(&grown, Some(&record));
        assert!(pinned.structs.contains("GizmoLabel"));
        assert_eq!(pinned.oversized, ["GizmoLabel".to_owned()].into());
        assert!(inline_layout_with(&model(MINI), Some(&record)).oversized.is_empty());
        // pinned boxed is boxed, however small
        let mut boxed = record.clone();
        boxed.held.inline.remove("GizmoLabel");
        boxed.held.boxed.insert("GizmoLabel".into());
        assert!(!inline_layout_with(&model(MINI), Some(&boxed)).structs.contains("GizmoLabel"));
    }

    #[test]
    fn a_pinned_struct_holds_a_new_large_member_boxed_and_stays_inline() {
        let record = record_of(&model(MINI));
        let m = model(&with_members(MINI, "GizmoLabel", &[("manual", "$ref: '#/components/schemas/GizmoManual'")]));
        // by the size rule a struct holding a boxed one is boxed itself
        assert!(!inline_layout(&m).structs.contains("GizmoLabel"));
        let plan = Plan::build_with(&m, Some(&record));
        assert!(plan.layout.structs.contains("GizmoLabel") && !plan.layout.structs.contains("GizmoManual"));
        let manual = m.all_fields("GizmoLabel").into_iter().find(|f| f.name == "manual").expect("the new member");
        assert!(plan.member_boxed(&m, "GizmoLabel", manual));
    }

    #[test]
    fn a_pinned_family_keeps_its_own_struct_inline_as_it_grows() {
        let small = mini_without_inner();
        let record = record_of(&model(&small));
        assert_eq!((record.own.get("Shape"), record.own.get("Polygon")), (Some(true), Some(true)));
        assert_eq!(record.nested.get("Shape"), Some(false));
        // `Polygon` is nested in `Shape`'s enum, which may grow: no decision to pin
        assert_eq!(record.nested.get("Polygon"), None);
        let grown = model(&grown(&small, "Shape"));
        let by_size = inline_layout(&grown);
        assert!(!by_size.own_inline.contains("Shape") && !by_size.own_inline.contains("Polygon"));
        let pinned = inline_layout_with(&grown, Some(&record));
        assert!(pinned.own_inline.contains("Shape") && pinned.own_inline.contains("Polygon"));
        assert_eq!(pinned.oversized, ["Polygon".to_owned(), "Shape".to_owned()].into());
        assert!(pinned.nested_boxed.contains("Shape"));
    }

    #[test]
    fn a_containment_cycle_wins_over_a_pin() {
        // pinned inline where `Shape` and `Polygon` are on no cycle, applied where they are
        let record = record_of(&model(&mini_without_inner()));
        let layout = inline_layout_with(&model(MINI), Some(&record));
        assert!(!layout.own_inline.contains("Shape") && !layout.own_inline.contains("Polygon"));
        // `GizmoInfo` holds itself in `next`: never inline, even pinned so
        let mut record = record_of(&model(MINI));
        assert_eq!(record.held.get("GizmoInfo"), Some(false));
        record.held.boxed.remove("GizmoInfo");
        record.held.inline.insert("GizmoInfo".into());
        assert!(!inline_layout_with(&model(MINI), Some(&record)).structs.contains("GizmoInfo"));
    }

    #[test]
    fn the_room_of_the_roots_enum_wins_over_a_pin() {
        let small = mini_without_inner();
        let record = record_of(&model(&small));
        assert_eq!((record.own.get("MethodFault"), record.nested.get("MethodFault")), (Some(true), Some(true)));
        let grown = model(&grown(&small, "MethodFault"));
        // by size its own struct is boxed and its enum fits `Any`; pinned inline, it does not
        let by_size = inline_layout(&grown);
        assert!(!by_size.own_inline.contains("MethodFault") && !by_size.nested_boxed.contains("MethodFault"));
        let pinned = inline_layout_with(&grown, Some(&record));
        assert!(pinned.own_inline.contains("MethodFault") && pinned.nested_boxed.contains("MethodFault"));
    }

    #[test]
    fn the_record_of_a_layout_reproduces_it() {
        for yaml in [MINI.to_owned(), mini_without_inner(), grown(MINI, "GizmoLabel"), grown(&mini_without_inner(), "Shape")] {
            let m = model(&yaml);
            let record = record_of(&m);
            assert_eq!(inline_layout_with(&m, Some(&record)), inline_layout(&m));
            assert_eq!(LayoutRecord::of(&m, &inline_layout_with(&m, Some(&record))), record);
        }
        // names the document does not have change nothing
        let mut strangers = LayoutRecord::default();
        strangers.held.inline.insert("Nowhere".into());
        strangers.own.boxed.insert("Nobody".into());
        assert_eq!(inline_layout_with(&model(MINI), Some(&strangers)), inline_layout(&model(MINI)));
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_clause_implied_by_a_narrower_one_goes() {
        let clauses: BTreeSet<_> = [set(&["pbm", "sms"]), set(&["sms"])].into_iter().collect();
        assert_eq!(absorb(clauses), vec![set(&["sms"])]);
        let apart: BTreeSet<_> = [set(&["pbm", "sms"]), set(&["vsan"])].into_iter().collect();
        assert_eq!(absorb(apart.clone()), apart.into_iter().collect::<Vec<_>>());
        assert!(absorb(BTreeSet::new()).is_empty());
    }
}
