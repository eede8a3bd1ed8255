//! Which crate each type goes to. The generated code is one public crate, `vim25`, over a few
//! internal ones that cargo builds at the same time, because rustc's front end (type and borrow
//! checking, most of a debug build of this code) runs on one thread per crate.
//!
//! The types form one large cycle: the root (`Any`) holds every family, and whatever reaches a
//! member of type `Any` (`OptionValue`, `KeyAnyValue`, every fault through its message) reaches
//! every other type through it. A cycle cannot be split between crates, so those types make one
//! crate, `vim25-cycle`. The other types (most events and the configuration structs that hold no
//! `Any`, more than half of the code) reach only each other: they are split into [`PARTS`]
//! crates that depend on a small base crate and not on each other. `vim25` itself holds the
//! request bodies, the handles and the client, and is compiled while the cycle's code is
//! generated.
//!
//! - The base holds the runtime (codec, registry) and the types nearly all others use
//!   (`ManagedObjectReference`, the event arguments), chosen by how many types name them, so
//!   that what is left falls apart into many small groups of connected types.
//! - Those groups are dealt to the parts in the order of their first type's name, cut where each
//!   part has its share of the members: a new type moves only the groups near a cut, so a new
//!   release moves few files between parts.

use crate::model::{Kind, Model, Ty};
use std::collections::{BTreeMap, BTreeSet};

/// How many crates of types compile in parallel beside the base. Two, for the two cores of
/// the machines this is measured on; each crate more adds its start-up and metadata loading.
pub const PARTS: usize = 2;

/// A crate of the generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    /// `vim25-base`: the runtime and the types nearly all others use.
    Base,
    /// `vim25-part{n}` (from 1): types that never hold an `Any`.
    Part(usize),
    /// `vim25-cycle`: the types on the cycle through `Any`.
    Cycle,
    /// `vim25` itself, the crate users name: request bodies, handles, the client, and the
    /// re-exports of the others.
    Facade,
}

impl Unit {
    /// Every crate, lowest first (a crate depends on those before it only).
    pub fn all() -> Vec<Unit> {
        let mut out = vec![Unit::Base];
        out.extend((1..=PARTS).map(Unit::Part));
        out.push(Unit::Cycle);
        out.push(Unit::Facade);
        out
    }

    /// Its folder below `generated/`, with a trailing `/` (empty for `vim25` itself).
    pub fn dir(self) -> String {
        match self {
            Unit::Base => "base/".into(),
            Unit::Part(n) => format!("part{n}/"),
            Unit::Cycle => "cycle/".into(),
            Unit::Facade => String::new(),
        }
    }

    /// Its package name.
    pub fn package(self) -> String {
        match self {
            Unit::Base => "vim25-base".into(),
            Unit::Part(n) => format!("vim25-part{n}"),
            Unit::Cycle => "vim25-cycle".into(),
            Unit::Facade => "vim25".into(),
        }
    }

    /// Its name in Rust paths.
    pub fn krate(self) -> String {
        self.package().replace('-', "_")
    }

    /// The crates it depends on.
    pub fn below(self) -> Vec<Unit> {
        match self {
            Unit::Base => vec![],
            Unit::Part(_) => vec![Unit::Base],
            Unit::Cycle => Unit::all().into_iter().filter(|u| matches!(u, Unit::Base | Unit::Part(_))).collect(),
            Unit::Facade => Unit::all().into_iter().filter(|u| *u != Unit::Facade).collect(),
        }
    }
}

/// The crate of every schema that has a file of its own (wrapped values live in the root's).
pub fn split(model: &Model) -> BTreeMap<String, Unit> {
    let nodes: Vec<&str> = model.schemas.values().filter(|s| !matches!(s.kind, Kind::Wrapper(_))).map(|s| s.name.as_str()).collect();
    let edges: BTreeMap<&str, BTreeSet<&str>> = nodes.iter().map(|n| (*n, refs(model, n))).collect();

    // on the cycle, or above it: whatever reaches the root
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, bs) in &edges {
        for b in bs {
            users.entry(*b).or_default().push(*a);
        }
    }
    let mut cycle: BTreeSet<&str> = BTreeSet::from([model.root.as_str()]);
    let mut stack = vec![model.root.as_str()];
    while let Some(n) = stack.pop() {
        for u in users.get(n).into_iter().flatten() {
            if cycle.insert(*u) {
                stack.push(*u);
            }
        }
    }
    // request bodies only the handles name go with them (a document may also use one as a
    // member's type; then it is placed like any other type)
    let named: BTreeSet<&str> = edges.values().flatten().copied().collect();
    let requests: BTreeSet<&str> = model
        .schemas
        .values()
        .filter(|s| matches!(s.kind, Kind::Request(_)) && !named.contains(s.name.as_str()))
        .map(|s| s.name.as_str())
        .collect();

    let below: Vec<&str> = nodes.iter().copied().filter(|n| !cycle.contains(n) && !requests.contains(n)).collect();
    let weight: BTreeMap<&str, usize> = below.iter().map(|n| (*n, weight(model, n))).collect();
    let total: usize = weight.values().sum();

    // the base: the most used types and all they use, as many as it takes for no group of
    // connected types to be more than 45 % of a part's share
    let mut used: BTreeMap<&str, usize> = below.iter().map(|n| (*n, 0)).collect();
    for n in &below {
        // a type below the cycle names only types below it
        for b in &edges[n] {
            if let Some(count) = used.get_mut(b) {
                *count += 1;
            }
        }
    }
    let mut by_use: Vec<&str> = below.clone();
    by_use.sort_by(|a, b| used[b].cmp(&used[a]).then(a.cmp(b)));
    let mut base = BTreeSet::new();
    let mut grouped = groups(&below, &edges, &base);
    for n in &by_use {
        let largest = grouped.iter().map(|g| g.iter().map(|m| weight[m]).sum::<usize>()).max().unwrap_or(0);
        if largest * PARTS * 20 <= total * 9 {
            break;
        }
        closure(n, &edges, &mut base);
        grouped = groups(&below, &edges, &base);
    }

    // groups in the order of their first name, cut into PARTS runs of about equal weight
    let rest: usize = grouped.iter().flatten().map(|m| weight[m]).sum();
    let mut out: BTreeMap<String, Unit> = BTreeMap::new();
    let mut done = 0;
    for g in &grouped {
        let w: usize = g.iter().map(|m| weight[m]).sum();
        // the part whose share holds the middle of this group
        let middle = done + w / 2;
        let part = (middle * PARTS / rest.max(1)).min(PARTS - 1) + 1;
        done += w;
        out.extend(g.iter().map(|m| (m.to_string(), Unit::Part(part))));
    }
    out.extend(base.iter().map(|n| (n.to_string(), Unit::Base)));
    out.extend(cycle.iter().filter(|n| !requests.contains(*n)).map(|n| (n.to_string(), Unit::Cycle)));
    out.extend(requests.iter().map(|n| (n.to_string(), Unit::Facade)));
    out
}

/// The schemas whose types a schema's file names: its members' (inherited ones included, since
/// a struct holds them all) and, for a family, its direct subtypes'. A wrapped value stands for
/// the root, which holds it.
fn refs<'m>(model: &'m Model, name: &str) -> BTreeSet<&'m str> {
    fn walk<'m>(model: &'m Model, ty: &'m Ty, out: &mut BTreeSet<&'m str>) {
        match ty.schema() {
            Some(n) if matches!(model.schemas.get(n).map(|s| &s.kind), Some(Kind::Wrapper(_))) => {
                out.insert(model.root.as_str());
            }
            Some(n) => {
                out.insert(n);
            }
            None => {}
        }
    }
    let mut out = BTreeSet::new();
    match &model.schema(name).kind {
        Kind::Data(d) => {
            for f in model.all_fields(name) {
                walk(model, &f.ty, &mut out);
            }
            if model.is_polymorphic(name) {
                out.extend(d.children.iter().map(String::as_str));
            }
        }
        Kind::Request(o) | Kind::Plain(o) => o.fields.iter().for_each(|f| walk(model, &f.ty, &mut out)),
        // any type but a request body may be held in an `Any`
        Kind::Root => out.extend(model.schemas.values().filter(|s| !matches!(s.kind, Kind::Wrapper(_) | Kind::Request(_))).map(|s| s.name.as_str())),
        Kind::Wrapper(_) | Kind::Enum(_) => {}
    }
    let name = model.schema(name).name.as_str();
    out.remove(name);
    out
}

/// What a type costs to compile, roughly: its members and, for a family, its variants.
fn weight(model: &Model, name: &str) -> usize {
    match &model.schema(name).kind {
        Kind::Data(d) => 4 + model.all_fields(name).len() + if model.is_polymorphic(name) { 2 * d.children.len() } else { 0 },
        Kind::Enum(e) => 2 + e.values.len() / 2,
        Kind::Request(o) | Kind::Plain(o) => 2 + o.fields.len(),
        Kind::Root | Kind::Wrapper(_) => 1,
    }
}

fn closure<'m>(n: &'m str, edges: &BTreeMap<&'m str, BTreeSet<&'m str>>, set: &mut BTreeSet<&'m str>) {
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        if set.insert(x) {
            stack.extend(edges[x].iter().copied());
        }
    }
}

/// The connected groups of `nodes` outside `base`, each sorted, in the order of their first name.
fn groups<'m>(nodes: &[&'m str], edges: &BTreeMap<&'m str, BTreeSet<&'m str>>, base: &BTreeSet<&'m str>) -> Vec<Vec<&'m str>> {
    let index: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for n in nodes.iter().filter(|n| !base.contains(*n)) {
        for b in edges[n].iter().filter(|b| !base.contains(*b)) {
            let (x, y) = (find(&mut parent, index[n]), find(&mut parent, index[b]));
            parent[x.max(y)] = x.min(y);
        }
    }
    let mut by_root: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate().filter(|(_, n)| !base.contains(*n)) {
        let r = find(&mut parent, i);
        by_root.entry(r).or_default().push(n);
    }
    let mut out: Vec<Vec<&str>> = by_root.into_values().collect();
    for g in &mut out {
        g.sort();
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::{refs, split, Unit};
    use crate::model::{Kind, Model};
    use crate::plan::fixture::{model, MINI};
    use std::collections::BTreeMap;

    /// `GizmoLabel` holds an `Any`, and so reaches every type.
    fn mini_with_any() -> String {
        let at = "    GizmoLabel:\n      type: object\n      properties:\n";
        assert!(MINI.contains(at));
        MINI.replace(at, &format!("{at}        payload:\n          $ref: '#/components/schemas/Any'\n"))
    }

    /// Every type a schema's file names is in its crate or one below it, and no part uses another.
    fn assert_layered(model: &Model, units: &BTreeMap<String, Unit>) {
        for s in model.schemas.values().filter(|s| !matches!(s.kind, Kind::Wrapper(_))) {
            let unit = units[&s.name];
            for r in refs(model, &s.name) {
                let other = units[r];
                assert!(other == unit || unit.below().contains(&other), "{} ({unit:?}) names {r} ({other:?})", s.name);
            }
        }
    }

    #[test]
    fn what_reaches_an_any_goes_to_the_cycle_and_the_rest_below_it() {
        let m = model(&mini_with_any());
        let units = split(&m);
        assert_layered(&m, &units);
        // the holder, what holds it, and the family holding that
        for on in ["Any", "GizmoLabel", "GizmoInfo", "DataObject"] {
            assert_eq!(units[on], Unit::Cycle, "{on}");
        }
        for below in ["Shape", "Polygon", "Square", "GizmoManual", "Color_enum"] {
            assert!(matches!(units[below], Unit::Base | Unit::Part(_)), "{below}: {:?}", units[below]);
        }
        assert_eq!(units["FrobRequestType"], Unit::Facade);
    }

    #[test]
    fn without_any_members_the_cycle_is_the_root_alone() {
        let m = model(MINI);
        let units = split(&m);
        assert_layered(&m, &units);
        for s in m.schemas.values().filter(|s| !matches!(s.kind, Kind::Wrapper(_))) {
            let expected = match s.kind {
                Kind::Root => Some(Unit::Cycle),
                Kind::Request(_) => Some(Unit::Facade),
                _ => None,
            };
            match expected {
                Some(u) => assert_eq!(units[&s.name], u, "{}", s.name),
                None => assert!(matches!(units[&s.name], Unit::Base | Unit::Part(_)), "{}: {:?}", s.name, units[&s.name]),
            }
        }
    }

    #[test]
    fn crates_name_their_folders_and_depend_downwards_only() {
        assert_eq!(Unit::all().len(), super::PARTS + 3);
        assert_eq!(
            (Unit::Base.dir(), Unit::Part(2).dir(), Unit::Cycle.dir(), Unit::Facade.dir()),
            ("base/".into(), "part2/".into(), "cycle/".into(), String::new())
        );
        assert_eq!(Unit::Part(1).krate(), "vim25_part1");
        assert!(Unit::Base.below().is_empty());
        assert_eq!(Unit::Part(1).below(), vec![Unit::Base]);
        assert_eq!(Unit::Cycle.below().len(), super::PARTS + 1);
        assert_eq!(Unit::Facade.below().len(), super::PARTS + 2);
    }
}
