//! What changed between two vi-json documents, and what that means for the generated crate.
//!
//! Works on two [`Model`]s, so it sees the document the way the generator does. Names are the
//! documents' own: schema names and operationIds exactly as written.
//!
//! Each change carries its impact, and the crate's semver class is the highest of them. The
//! rules (which change is major, minor or patch, and why) are stated once, for the whole
//! repository, in `.github/ARCHITECTURE.md` under "Semver"; [`diff_with`] lays both documents
//! out with the same layout record, so that only what the record cannot keep moves between
//! inline and boxed.
//!
//! Request body schemas (`Kind::Request`) are reported as parameter changes of the operations
//! that use them, not as schema changes. Enum values of an added or removed enum schema are not
//! listed one by one: the schema is.

use crate::model::{Field, Kind, Method, Model, Op, Property, Response, StrFormat, Ty};
use crate::plan::{LayoutRecord, Plan};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

mod render;
#[cfg(test)]
mod tests;

pub use render::markdown;

/// Impact of a change on the generated crate, ordered so that `max` is the crate's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Semver {
    Patch,
    Minor,
    Major,
}

impl Semver {
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }
}

/// What one change is. `member` of [`Change`] names the property, parameter, enum value or
/// fault; `old` / `new` carry the two sides where there are two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    SchemaKind,
    Parent,
    Polymorphic,
    WireName,
    Description,
    Deprecated,
    PropertyAdded,
    PropertyRemoved,
    PropertyRequired,
    PropertyOptional,
    PropertyType,
    PropertyMoved,
    PropertyDescription,
    PropertyDeprecated,
    EnumValueAdded,
    EnumValueRemoved,
    EnumValueDescription,
    WrapperType,
    /// Members declared with the struct hold it inline (`T`) or boxed (`Box<T>`).
    HeldInline,
    /// The family enum's own variant holds the struct inline or boxed.
    OwnInline,
    /// The family enum is nested in its parent's enum (or the root) inline or boxed.
    NestedInline,
    OperationKind,
    Path,
    Anonymous,
    ParameterAdded,
    ParameterRemoved,
    ParameterRequired,
    ParameterOptional,
    ParameterType,
    ParameterMoved,
    ParameterDescription,
    ParameterDeprecated,
    ReturnType,
    ReturnNullable,
    ReturnDescription,
    FaultAdded,
    FaultRemoved,
    /// The generated Rust name of the item (`member` absent: the type, its family enum or the
    /// method) or of its member changed while the wire name did not.
    RustName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    pub impact: Semver,
}

impl Change {
    fn new(kind: ChangeKind, impact: Semver) -> Change {
        Change { kind, member: None, old: None, new: None, impact }
    }
    fn member(mut self, m: &str) -> Change {
        self.member = Some(m.to_owned());
        self
    }
    fn sides(mut self, old: Option<String>, new: Option<String>) -> Change {
        self.old = old;
        self.new = new;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChanged {
    pub name: String,
    pub impact: Semver,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationChanged {
    pub operation_id: String,
    /// The managed object type the operation belongs to (in the new document).
    pub managed_type: String,
    pub impact: Semver,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes<T> {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<T>,
}

// by hand: the derive would demand `T: Default`
impl<T> Default for Changes<T> {
    fn default() -> Self {
        Changes { added: Vec::new(), removed: Vec::new(), changed: Vec::new() }
    }
}

impl<T> Changes<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EnumValueRef {
    pub schema: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnumValues {
    pub added: Vec<EnumValueRef>,
    pub removed: Vec<EnumValueRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentId {
    pub release: String,
    pub sha256: String,
}

/// The whole comparison; serializes to the `cargo xtask diff --format json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub old: DocumentId,
    pub new: DocumentId,
    pub semver: Semver,
    pub schemas: Changes<SchemaChanged>,
    pub operations: Changes<OperationChanged>,
    pub enum_values: EnumValues,
}

impl Diff {
    /// Whether the two documents differ in anything the diff looks at.
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty() && self.operations.is_empty()
    }
}

/// Compares two documents, each laid out by the size rule alone.
pub fn diff(old: &Model, new: &Model) -> Diff {
    diff_with(old, new, None)
}

/// Compares two documents, both laid out with the same layout record (see
/// [`crate::plan::inline_layout_with`]): a type the record pins keeps its layout on both
/// sides, so only what the record cannot keep (a type moving onto a containment cycle or out
/// of the room of the root's enums) and the types it does not list are reported as moving
/// between inline and boxed.
pub fn diff_with(old: &Model, new: &Model, record: Option<&LayoutRecord>) -> Diff {
    let mut schemas = Changes::default();
    let mut enum_values = EnumValues::default();
    schemas.removed = old.schemas.keys().filter(|n| !new.schemas.contains_key(*n)).cloned().collect();
    schemas.added = new.schemas.keys().filter(|n| !old.schemas.contains_key(*n)).cloned().collect();
    let layouts = (Layouts::of(old, record), Layouts::of(new, record));
    let plans = (Plan::build_with(old, record), Plan::build_with(new, record));
    for (name, n) in &new.schemas {
        let Some(o) = old.schemas.get(name) else { continue };
        if matches!((&o.kind, &n.kind), (Kind::Request(_), Kind::Request(_))) {
            continue; // reported as parameters of the operations using it
        }
        let mut changes = schema_changes(old, new, name);
        if changes.iter().all(|c| !matches!(c.kind, ChangeKind::SchemaKind | ChangeKind::Polymorphic)) {
            changes.extend(layout_changes(&layouts.0, &layouts.1, name));
        }
        if changes.iter().all(|c| c.kind != ChangeKind::SchemaKind) {
            changes.extend(schema_renames((old, &plans.0), (new, &plans.1), name));
        }
        for c in &changes {
            let value = || EnumValueRef { schema: name.clone(), value: c.member.clone().unwrap_or_default() };
            match c.kind {
                ChangeKind::EnumValueAdded => enum_values.added.push(value()),
                ChangeKind::EnumValueRemoved => enum_values.removed.push(value()),
                _ => {}
            }
        }
        if let Some(impact) = changes.iter().map(|c| c.impact).max() {
            schemas.changed.push(SchemaChanged { name: name.clone(), impact, changes });
        }
    }

    let old_ops = operations(old);
    let new_ops = operations(new);
    let mut ops = Changes::default();
    let new_ids: BTreeSet<&str> = new_ops.iter().map(|(id, ..)| *id).collect();
    ops.removed = old_ops.iter().filter(|(id, ..)| !new_ids.contains(id)).map(|(id, ..)| id.to_string()).collect();
    let old_index: HashMap<&str, (&str, Op<'_>)> = old_ops.iter().map(|(id, m, op)| (*id, (*m, *op))).collect();
    for (id, managed, op) in &new_ops {
        let Some((_, before)) = old_index.get(id) else {
            ops.added.push(id.to_string());
            continue;
        };
        let mut changes = operation_changes(old, new, *before, *op);
        changes.extend(operation_renames((old, &plans.0), (new, &plans.1), *before, *op));
        if let Some(impact) = changes.iter().map(|c| c.impact).max() {
            ops.changed.push(OperationChanged { operation_id: id.to_string(), managed_type: managed.to_string(), impact, changes });
        }
    }

    let removals = (!schemas.removed.is_empty() || !ops.removed.is_empty()).then_some(Semver::Major);
    let additions = (!schemas.added.is_empty() || !ops.added.is_empty()).then_some(Semver::Minor);
    let semver = schemas
        .changed
        .iter()
        .map(|c| c.impact)
        .chain(ops.changed.iter().map(|c| c.impact))
        .chain(removals)
        .chain(additions)
        .max()
        .unwrap_or(Semver::Patch);
    Diff {
        old: DocumentId { release: old.release.clone(), sha256: old.sha256.clone() },
        new: DocumentId { release: new.release.clone(), sha256: new.sha256.clone() },
        semver,
        schemas,
        operations: ops,
        enum_values,
    }
}

/// `(wire name, Rust name)` of each member of a struct or request body, or value of an enum.
fn member_names<'a>(m: &'a Model, plan: &'a Plan, name: &str) -> Vec<(&'a str, &'a str)> {
    let wire: Vec<&str> = match &m.schema(name).kind {
        Kind::Data(_) => m.all_fields(name).iter().map(|f| f.name.as_str()).collect(),
        Kind::Plain(o) | Kind::Request(o) => o.fields.iter().map(|f| f.name.as_str()).collect(),
        Kind::Enum(e) => e.values.iter().map(|v| v.value.as_str()).collect(),
        _ => Vec::new(),
    };
    let rust = match &m.schema(name).kind {
        Kind::Enum(_) => plan.variants.get(name),
        _ => plan.fields.get(name),
    };
    wire.into_iter().zip(rust.into_iter().flatten().map(String::as_str)).collect()
}

/// Members in both documents whose Rust name differs, as changes naming the wire member.
fn member_renames(old: &[(&str, &str)], new: &[(&str, &str)]) -> Vec<Change> {
    let before: HashMap<&str, &str> = old.iter().copied().collect();
    new.iter()
        .filter_map(|(wire, rust)| {
            let was = before.get(wire)?;
            (was != rust).then(|| Change::new(ChangeKind::RustName, Semver::Major).member(wire).sides(Some(was.to_string()), Some(rust.to_string())))
        })
        .collect()
}

fn renamed(old: Option<&String>, new: Option<&String>) -> Option<Change> {
    let (a, b) = (old?, new?);
    (a != b).then(|| Change::new(ChangeKind::RustName, Semver::Major).sides(Some(a.clone()), Some(b.clone())))
}

/// Rust names of a schema of the same kind in both documents: its type, family enum, and
/// members or values.
fn schema_renames(old: (&Model, &Plan), new: (&Model, &Plan), name: &str) -> Vec<Change> {
    let mut out: Vec<Change> = renamed(old.1.type_name.get(name), new.1.type_name.get(name)).into_iter().collect();
    out.extend(renamed(old.1.family_name.get(name), new.1.family_name.get(name)));
    out.extend(member_renames(&member_names(old.0, old.1, name), &member_names(new.0, new.1, name)));
    out
}

/// Rust names of an operation that is a method in both documents or a property read in both:
/// the method and its parameters.
fn operation_renames(old: (&Model, &Plan), new: (&Model, &Plan), before: Op<'_>, after: Op<'_>) -> Vec<Change> {
    let method = |a: Option<&String>, b: Option<&String>| renamed(a, b).into_iter().collect::<Vec<Change>>();
    match (before, after) {
        (Op::Method(a), Op::Method(b)) => {
            let mut out = method(old.1.method_name.get(&a.operation_id), new.1.method_name.get(&b.operation_id));
            if let (Some(ra), Some(rb)) = (&a.request, &b.request) {
                out.extend(member_renames(&member_names(old.0, old.1, ra), &member_names(new.0, new.1, rb)));
            }
            out
        }
        (Op::Property(a), Op::Property(b)) => method(old.1.method_name.get(&a.operation_id), new.1.method_name.get(&b.operation_id)),
        _ => Vec::new(), // reported as an `OperationKind` change
    }
}

/// A model's [`crate::plan::Layout`], and the structs some member is declared with (only
/// those have a member whose type moves between `T` and `Box<T>`).
struct Layouts {
    layout: crate::plan::Layout,
    held: BTreeSet<String>,
}

impl Layouts {
    fn of(model: &Model, record: Option<&LayoutRecord>) -> Layouts {
        Layouts { layout: crate::plan::inline_layout_with(model, record), held: crate::plan::held_structs(model) }
    }
}

/// Whether a layout holds a schema inline, in one respect.
type Inline = fn(&Layouts, &str) -> bool;

/// Where a schema in both documents moved between inline and boxed.
fn layout_changes(old: &Layouts, new: &Layouts, name: &str) -> Vec<Change> {
    let checks: [(ChangeKind, Inline); 3] = [
        (ChangeKind::HeldInline, |l, n| l.layout.structs.contains(n)),
        (ChangeKind::OwnInline, |l, n| l.layout.own_inline.contains(n)),
        (ChangeKind::NestedInline, |l, n| !l.layout.nested_boxed.contains(n)),
    ];
    let side = |inline: bool| Some(if inline { "inline" } else { "boxed" }.to_owned());
    let held = old.held.contains(name) && new.held.contains(name);
    checks
        .into_iter()
        .filter(|(kind, _)| *kind != ChangeKind::HeldInline || held)
        .filter_map(|(kind, inline)| {
            let (a, b) = (inline(old, name), inline(new, name));
            (a != b).then(|| Change::new(kind, Semver::Major).sides(side(a), side(b)))
        })
        .collect()
}

/// `(operationId, managed type, operation)` in document order.
fn operations(m: &Model) -> Vec<(&str, &str, Op<'_>)> {
    m.operations()
        .map(|(t, op)| {
            let id = match op {
                Op::Method(x) => x.operation_id.as_str(),
                Op::Property(p) => p.operation_id.as_str(),
            };
            (id, t.name.as_str(), op)
        })
        .collect()
}

pub fn family_name(k: &Kind) -> &'static str {
    match k {
        Kind::Root => "root",
        Kind::Data(_) => "data object",
        Kind::Enum(_) => "enum",
        Kind::Wrapper(_) => "wrapped value",
        Kind::Request(_) => "request body",
        Kind::Plain(_) => "plain object",
    }
}

/// A type as the document states it: `int32`, `string(date-time)`, `VirtualDevice[]`.
pub fn ty_text(t: &Ty) -> String {
    match t {
        Ty::Bool => "boolean".into(),
        Ty::Int(b) => format!("int{b}"),
        Ty::Float(32) => "float".into(),
        Ty::Float(_) => "double".into(),
        Ty::String(StrFormat::Plain) => "string".into(),
        Ty::String(StrFormat::DateTime) => "string(date-time)".into(),
        Ty::String(StrFormat::Byte) => "string(byte)".into(),
        Ty::String(StrFormat::Password) => "string(password)".into(),
        Ty::String(StrFormat::Uri) => "string(uri)".into(),
        Ty::Ref(n) => n.clone(),
        Ty::Array(t) => format!("{}[]", ty_text(t)),
    }
}

fn flag(b: bool) -> Option<String> {
    Some(b.to_string())
}

/// Description and deprecation changes, common to schemas, members and operations.
fn notes(out: &mut Vec<Change>, kinds: (ChangeKind, ChangeKind), member: Option<&str>, old: (&Option<String>, bool), new: (&Option<String>, bool)) {
    let with = |c: Change| match member {
        Some(m) => c.member(m),
        None => c,
    };
    if old.0 != new.0 {
        out.push(with(Change::new(kinds.0, Semver::Patch)));
    }
    if old.1 != new.1 {
        out.push(with(Change::new(kinds.1, Semver::Minor).sides(flag(old.1), flag(new.1))));
    }
}

fn schema_changes(old: &Model, new: &Model, name: &str) -> Vec<Change> {
    let (o, n) = (old.schema(name), new.schema(name));
    let mut out = Vec::new();
    let (ok, nk) = (family_name(&o.kind), family_name(&n.kind));
    if ok != nk {
        out.push(Change::new(ChangeKind::SchemaKind, Semver::Major).sides(Some(ok.into()), Some(nk.into())));
        return out;
    }
    notes(&mut out, (ChangeKind::Description, ChangeKind::Deprecated), None, (&o.description, o.deprecated), (&n.description, n.deprecated));
    match (&o.kind, &n.kind) {
        (Kind::Data(a), Kind::Data(b)) => {
            if a.parent != b.parent {
                out.push(Change::new(ChangeKind::Parent, Semver::Major).sides(a.parent.clone(), b.parent.clone()));
            }
            if a.children.is_empty() != b.children.is_empty() {
                out.push(Change::new(ChangeKind::Polymorphic, Semver::Major).sides(flag(!a.children.is_empty()), flag(!b.children.is_empty())));
            }
            if a.wire_name != b.wire_name {
                out.push(Change::new(ChangeKind::WireName, Semver::Patch).sides(Some(a.wire_name.clone()), Some(b.wire_name.clone())));
            }
            let (oa, na) = (old.all_fields(name), new.all_fields(name));
            fields(&mut out, Role::Property, (&a.fields, &oa), (&b.fields, &na));
        }
        (Kind::Plain(a), Kind::Plain(b)) => {
            let (oa, na): (Vec<&Field>, Vec<&Field>) = (a.fields.iter().collect(), b.fields.iter().collect());
            fields(&mut out, Role::Property, (&a.fields, &oa), (&b.fields, &na));
        }
        (Kind::Enum(a), Kind::Enum(b)) => {
            for v in &a.values {
                match b.values.iter().find(|w| w.value == v.value) {
                    None => out.push(Change::new(ChangeKind::EnumValueRemoved, Semver::Major).member(&v.value)),
                    Some(w) if w.description != v.description => out.push(Change::new(ChangeKind::EnumValueDescription, Semver::Patch).member(&v.value)),
                    Some(_) => {}
                }
            }
            for w in b.values.iter().filter(|w| !a.values.iter().any(|v| v.value == w.value)) {
                out.push(Change::new(ChangeKind::EnumValueAdded, Semver::Minor).member(&w.value));
            }
        }
        (Kind::Wrapper(a), Kind::Wrapper(b)) => {
            if a.value != b.value || a.value_field != b.value_field {
                let side = |x: &crate::model::WrapperType| Some(format!("{}: {}", x.value_field, ty_text(&x.value)));
                out.push(Change::new(ChangeKind::WrapperType, Semver::Major).sides(side(a), side(b)));
            }
            if a.wire_name != b.wire_name {
                out.push(Change::new(ChangeKind::WireName, Semver::Patch).sides(Some(a.wire_name.clone()), Some(b.wire_name.clone())));
            }
        }
        _ => {}
    }
    out
}

/// Whether fields are a schema's properties or an operation's parameters: the same rules,
/// reported under different names.
#[derive(Clone, Copy)]
enum Role {
    Property,
    Parameter,
}

impl Role {
    fn kind(self, property: ChangeKind) -> ChangeKind {
        use ChangeKind::*;
        match (self, property) {
            (Role::Property, k) => k,
            (Role::Parameter, PropertyAdded) => ParameterAdded,
            (Role::Parameter, PropertyRemoved) => ParameterRemoved,
            (Role::Parameter, PropertyRequired) => ParameterRequired,
            (Role::Parameter, PropertyOptional) => ParameterOptional,
            (Role::Parameter, PropertyType) => ParameterType,
            (Role::Parameter, PropertyMoved) => ParameterMoved,
            (Role::Parameter, PropertyDescription) => ParameterDescription,
            (Role::Parameter, PropertyDeprecated) => ParameterDeprecated,
            (Role::Parameter, k) => k,
        }
    }
}

fn field_text(f: &Field) -> String {
    format!("{}{}", ty_text(&f.ty), if f.required { " (required)" } else { "" })
}

/// Compares own fields (`.0`) and uses all fields including inherited ones (`.1`) to tell a
/// field moved between a type and its ancestor from one really added or removed.
fn fields(out: &mut Vec<Change>, role: Role, old: (&[Field], &[&Field]), new: (&[Field], &[&Field])) {
    use ChangeKind::*;
    let find = |list: &[Field], name: &str| list.iter().position(|f| f.name == name);
    for o in old.0 {
        if let Some(i) = find(new.0, &o.name) {
            field(out, role, o, &new.0[i]);
        } else if let Some(n) = new.1.iter().find(|f| f.name == o.name) {
            out.push(Change::new(role.kind(PropertyMoved), Semver::Patch).member(&o.name).sides(Some("own".into()), Some("inherited".into())));
            field(out, role, o, n);
        } else {
            out.push(Change::new(role.kind(PropertyRemoved), Semver::Major).member(&o.name).sides(Some(field_text(o)), None));
        }
    }
    for n in new.0.iter().filter(|n| find(old.0, &n.name).is_none()) {
        if let Some(o) = old.1.iter().find(|f| f.name == n.name) {
            out.push(Change::new(role.kind(PropertyMoved), Semver::Patch).member(&n.name).sides(Some("inherited".into()), Some("own".into())));
            field(out, role, o, n);
        } else {
            let impact = if n.required { Semver::Major } else { Semver::Minor };
            out.push(Change::new(role.kind(PropertyAdded), impact).member(&n.name).sides(None, Some(field_text(n))));
        }
    }
}

fn field(out: &mut Vec<Change>, role: Role, o: &Field, n: &Field) {
    use ChangeKind::*;
    if o.ty != n.ty {
        out.push(Change::new(role.kind(PropertyType), Semver::Major).member(&n.name).sides(Some(ty_text(&o.ty)), Some(ty_text(&n.ty))));
    }
    match (o.required, n.required) {
        (false, true) => out.push(Change::new(role.kind(PropertyRequired), Semver::Major).member(&n.name)),
        (true, false) => out.push(Change::new(role.kind(PropertyOptional), Semver::Major).member(&n.name)),
        _ => {}
    }
    let kinds = (role.kind(PropertyDescription), role.kind(PropertyDeprecated));
    notes(out, kinds, Some(&n.name), (&o.description, o.deprecated), (&n.description, n.deprecated));
}

fn operation_changes(old: &Model, new: &Model, before: Op<'_>, after: Op<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    match (before, after) {
        (Op::Method(a), Op::Method(b)) => method(&mut out, old, new, a, b),
        (Op::Property(a), Op::Property(b)) => property(&mut out, a, b),
        (a, b) => {
            let name = |op: Op<'_>| Some(if matches!(op, Op::Method(_)) { "method" } else { "property read" }.to_owned());
            out.push(Change::new(ChangeKind::OperationKind, Semver::Major).sides(name(a), name(b)));
        }
    }
    out
}

fn common(out: &mut Vec<Change>, old: (&str, &Option<String>, bool), new: (&str, &Option<String>, bool)) {
    if old.0 != new.0 {
        out.push(Change::new(ChangeKind::Path, Semver::Patch).sides(Some(old.0.into()), Some(new.0.into())));
    }
    notes(out, (ChangeKind::Description, ChangeKind::Deprecated), None, (old.1, old.2), (new.1, new.2));
}

fn method(out: &mut Vec<Change>, old: &Model, new: &Model, a: &Method, b: &Method) {
    common(out, (&a.path, &a.description, a.deprecated), (&b.path, &b.description, b.deprecated));
    if a.anonymous != b.anonymous {
        out.push(Change::new(ChangeKind::Anonymous, Semver::Patch).sides(flag(a.anonymous), flag(b.anonymous)));
    }
    let params = |m: &Model, req: &Option<String>| -> Vec<Field> {
        match req.as_deref().and_then(|r| m.schemas.get(r)).map(|s| &s.kind) {
            Some(Kind::Request(o)) => o.fields.clone(),
            _ => Vec::new(),
        }
    };
    let (pa, pb) = (params(old, &a.request), params(new, &b.request));
    let (ra, rb): (Vec<&Field>, Vec<&Field>) = (pa.iter().collect(), pb.iter().collect());
    fields(out, Role::Parameter, (&pa, &ra), (&pb, &rb));
    response(out, a.response.as_ref(), b.response.as_ref());
    let (fa, fb): (BTreeSet<&String>, BTreeSet<&String>) = (a.faults.iter().collect(), b.faults.iter().collect());
    for f in fa.difference(&fb) {
        out.push(Change::new(ChangeKind::FaultRemoved, Semver::Minor).member(f));
    }
    for f in fb.difference(&fa) {
        out.push(Change::new(ChangeKind::FaultAdded, Semver::Minor).member(f));
    }
}

fn property(out: &mut Vec<Change>, a: &Property, b: &Property) {
    common(out, (&a.path, &a.description, a.deprecated), (&b.path, &b.description, b.deprecated));
    response(out, Some(&a.response), Some(&b.response));
}

fn response(out: &mut Vec<Change>, a: Option<&Response>, b: Option<&Response>) {
    let text = |r: Option<&Response>| Some(r.map_or_else(|| "nothing".to_owned(), |r| ty_text(&r.ty)));
    match (a, b) {
        (None, None) => {}
        (Some(x), Some(y)) => {
            if x.ty != y.ty {
                out.push(Change::new(ChangeKind::ReturnType, Semver::Major).sides(text(a), text(b)));
            }
            if x.nullable != y.nullable {
                out.push(Change::new(ChangeKind::ReturnNullable, Semver::Major).sides(flag(x.nullable), flag(y.nullable)));
            }
            if x.description != y.description {
                out.push(Change::new(ChangeKind::ReturnDescription, Semver::Patch));
            }
        }
        _ => out.push(Change::new(ChangeKind::ReturnType, Semver::Major).sides(text(a), text(b))),
    }
}
