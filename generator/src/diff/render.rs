//! The Markdown form of a [`Diff`]: a CHANGELOG entry.
//!
//! Breaking changes and additions are listed one per line; patch-level changes (mostly
//! descriptions, which change by the thousand between releases) are counted per kind with the
//! names folded away. Long lists go into `<details>` blocks so the entry stays readable.

use super::{Change, ChangeKind, Diff, Semver};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Lists longer than this are folded into a `<details>` block.
const FOLD_AFTER: usize = 30;

/// A CHANGELOG entry headed `## {heading}`.
pub fn markdown(d: &Diff, heading: &str) -> String {
    let mut out = format!("## {heading}\n\n");
    let s = &d.schemas;
    let o = &d.operations;
    let _ = writeln!(
        out,
        "vSphere API {} → {}: a **{}** change for the generated crate \
         (schemas +{} −{} ~{}; operations +{} −{} ~{}; enum values +{} −{}).\n",
        d.old.release,
        d.new.release,
        d.semver.as_str(),
        s.added.len(),
        s.removed.len(),
        s.changed.len(),
        o.added.len(),
        o.removed.len(),
        o.changed.len(),
        d.enum_values.added.len(),
        d.enum_values.removed.len(),
    );
    let _ = writeln!(out, "Document sha256: `{}` → `{}`.\n", d.old.sha256, d.new.sha256);

    // (subject, change) pairs of all schema and operation changes, in report order
    let all: Vec<(&str, &Change)> = s
        .changed
        .iter()
        .flat_map(|c| c.changes.iter().map(move |x| (c.name.as_str(), x)))
        .chain(o.changed.iter().flat_map(|c| c.changes.iter().map(move |x| (c.operation_id.as_str(), x))))
        .collect();
    let enum_value = |k: ChangeKind| matches!(k, ChangeKind::EnumValueAdded | ChangeKind::EnumValueRemoved);

    let mut breaking: Vec<String> = Vec::new();
    breaking.extend(named_list("Schemas removed", &s.removed));
    breaking.extend(named_list("Operations removed", &o.removed));
    breaking.extend(grouped_values("Enum values removed", d.enum_values.removed.iter().map(|v| (&v.schema, &v.value))));
    breaking.extend(fold(all.iter().filter(|(_, c)| c.impact == Semver::Major && !enum_value(c.kind)).map(|(n, c)| describe(n, c)).collect()));
    section(&mut out, "Breaking changes", &breaking);

    let mut added: Vec<String> = Vec::new();
    added.extend(named_list("New schemas", &s.added));
    added.extend(named_list("New operations", &o.added));
    added.extend(grouped_values("New enum values", d.enum_values.added.iter().map(|v| (&v.schema, &v.value))));
    added.extend(fold(all.iter().filter(|(_, c)| c.impact == Semver::Minor && !enum_value(c.kind)).map(|(n, c)| describe(n, c)).collect()));
    section(&mut out, "Additions and other compatible changes", &added);

    let mut by_kind: BTreeMap<ChangeKind, Vec<String>> = BTreeMap::new();
    for (n, c) in all.iter().filter(|(_, c)| c.impact == Semver::Patch) {
        let subject = match &c.member {
            Some(m) => format!("{n}.{m}"),
            None => (*n).to_owned(),
        };
        by_kind.entry(c.kind).or_default().push(subject);
    }
    let patch: Vec<String> = by_kind.iter().flat_map(|(k, names)| named_list(patch_title(*k), names)).collect();
    section(&mut out, "Documentation and other changes", &patch);

    if breaking.is_empty() && added.is_empty() && patch.is_empty() {
        out.push_str("No API changes.\n\n");
    }
    out
}

fn section(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n");
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out.push('\n');
}

/// One bullet `- {title} (N): `a`, `b`` with the names folded away when there are many.
fn named_list(title: &str, names: &[String]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let list = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    Some(if names.len() > FOLD_AFTER {
        format!("- {title} ({}):\n  <details><summary>show all</summary>\n\n  {list}\n\n  </details>", names.len())
    } else {
        format!("- {title} ({}): {list}", names.len())
    })
}

/// Enum values grouped by their schema: `- {title} (N): `E`: `a`, `b`; `F`: `c``.
fn grouped_values<'a>(title: &str, values: impl Iterator<Item = (&'a String, &'a String)>) -> Option<String> {
    let mut by_schema: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut count = 0;
    for (schema, value) in values {
        by_schema.entry(schema).or_default().push(format!("`{value}`"));
        count += 1;
    }
    if count == 0 {
        return None;
    }
    let lines: Vec<String> = by_schema.iter().map(|(s, v)| format!("  - `{s}`: {}", v.join(", "))).collect();
    let body = lines.join("\n");
    Some(if lines.len() > FOLD_AFTER {
        format!("- {title} ({count}):\n  <details><summary>show all</summary>\n\n{body}\n\n  </details>")
    } else {
        format!("- {title} ({count}):\n{body}")
    })
}

/// Bullets as they are, or folded into one `<details>` block when there are many.
fn fold(lines: Vec<String>) -> Vec<String> {
    if lines.len() <= FOLD_AFTER {
        return lines;
    }
    let n = lines.len();
    let mut out = vec![format!("- {n} changes to existing schemas and operations:\n  <details><summary>show all</summary>\n")];
    out.extend(lines.into_iter().map(|l| format!("  {l}")));
    out.push("\n  </details>".into());
    out
}

fn code(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "?".into(), |s| format!("`{s}`"))
}

/// One change as a sentence.
fn describe(subject: &str, c: &Change) -> String {
    use ChangeKind::*;
    let m = c.member.as_deref().unwrap_or("?");
    let (old, new) = (code(&c.old), code(&c.new));
    // the sides as they are, for changes whose sides are words rather than code
    let (was, now) = (c.old.as_deref().unwrap_or("?"), c.new.as_deref().unwrap_or("?"));
    let text = match c.kind {
        SchemaKind => format!("is now a {now} (was a {was})"),
        Parent => format!("now extends {new} (was {old})"),
        Polymorphic if c.new.as_deref() == Some("true") => "now has subtypes (held through its kind enum)".into(),
        Polymorphic => "no longer has subtypes".into(),
        WireName => format!("wire name {old} → {new}"),
        Description => "description changed".into(),
        Deprecated if c.new.as_deref() == Some("true") => "deprecated".into(),
        Deprecated => "no longer deprecated".into(),
        PropertyAdded | ParameterAdded => {
            let what = if c.kind == PropertyAdded { "property" } else { "parameter" };
            let required = c.new.as_deref().is_some_and(|t| t.ends_with(" (required)"));
            let ty = now.trim_end_matches(" (required)");
            format!("new {} {what} `{m}` (`{ty}`)", if required { "required" } else { "optional" })
        }
        PropertyRemoved => format!("property `{m}` removed (was {old})"),
        ParameterRemoved => format!("parameter `{m}` removed (was {old})"),
        PropertyRequired => format!("property `{m}` is now required"),
        ParameterRequired => format!("parameter `{m}` is now required"),
        PropertyOptional => format!("property `{m}` is now optional"),
        ParameterOptional => format!("parameter `{m}` is now optional"),
        PropertyType => format!("property `{m}` type {old} → {new}"),
        ParameterType => format!("parameter `{m}` type {old} → {new}"),
        PropertyMoved | ParameterMoved => format!("`{m}` moved ({was} → {now})"),
        PropertyDescription | ParameterDescription => format!("`{m}` description changed"),
        PropertyDeprecated | ParameterDeprecated if c.new.as_deref() == Some("true") => format!("`{m}` deprecated"),
        PropertyDeprecated | ParameterDeprecated => format!("`{m}` no longer deprecated"),
        EnumValueAdded => format!("enum value `{m}` added"),
        EnumValueRemoved => format!("enum value `{m}` removed"),
        EnumValueDescription => format!("enum value `{m}` description changed"),
        WrapperType => format!("wrapped value {old} → {new}"),
        HeldInline => format!("held by its members {now} (was {was})"),
        OwnInline => format!("held in its kind enum {now} (was {was})"),
        NestedInline => format!("kind enum nested {now} in its parent's (was {was})"),
        OperationKind => format!("is now a {now} (was a {was})"),
        Path => format!("path {old} → {new}"),
        Anonymous if c.new.as_deref() == Some("true") => "callable without a session".into(),
        Anonymous => "now needs a session".into(),
        ReturnType => format!("returns {new} (was {old})"),
        ReturnNullable if c.new.as_deref() == Some("true") => "return value may now be null".into(),
        ReturnNullable => "return value is no longer nullable".into(),
        ReturnDescription => "return description changed".into(),
        FaultAdded => format!("declares fault `{m}`"),
        FaultRemoved => format!("no longer declares fault `{m}`"),
        RustName if c.member.is_some() => format!("`{m}` is {new} in Rust (was {old})"),
        RustName => format!("Rust name {new} (was {old})"),
    };
    format!("- `{subject}`: {text}")
}

fn patch_title(k: ChangeKind) -> &'static str {
    use ChangeKind::*;
    match k {
        Description => "Descriptions changed",
        PropertyDescription => "Property descriptions changed",
        ParameterDescription => "Parameter descriptions changed",
        EnumValueDescription => "Enum value descriptions changed",
        ReturnDescription => "Return value descriptions changed",
        PropertyMoved => "Properties moved between a type and its ancestor",
        ParameterMoved => "Parameters moved",
        WireName => "Wire names changed",
        Path => "Operation paths changed",
        Anonymous => "Session requirement changed",
        _ => "Other changes",
    }
}
