//! Rust names for wire names. Wire names are never changed on the wire; only the Rust side is
//! made idiomatic, and every clash is resolved deterministically.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static",
    "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
    "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

fn is_plain_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A type name: kept as written when it already is UpperCamelCase (so `VirtualMachineVMIROM`
/// keeps its acronym), otherwise converted (`setCustomValueRequestType` -> `SetCustomValueRequestType`).
pub fn type_name(wire: &str) -> String {
    let base = if is_plain_ident(wire) && !wire.contains('_') && wire.starts_with(|c: char| c.is_ascii_uppercase()) {
        wire.to_owned()
    } else {
        let mut s: String = wire.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        if let Some(first) = s.get(..1) {
            let upper = first.to_ascii_uppercase();
            s.replace_range(..1, &upper);
        }
        let camel = s.to_upper_camel_case();
        if camel.starts_with(|c: char| c.is_ascii_digit()) || camel.is_empty() {
            format!("T{camel}")
        } else {
            camel
        }
    };
    if base == "Self" {
        "Self_".into()
    } else {
        base
    }
}

/// An identifier in snake_case (fields, methods, modules).
pub fn snake(wire: &str) -> String {
    let cleaned: String = wire.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let mut s = cleaned.to_snake_case();
    if s.is_empty() {
        s = "value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// Makes an identifier usable: `type` -> `r#type`, `self` -> `self_`.
pub fn escape(ident: &str) -> String {
    if NOT_RAW.contains(&ident) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else {
        ident.to_owned()
    }
}

/// An enum variant for a wire value (`poweredOn` -> `PoweredOn`, `3des` -> `V3des`).
pub fn variant(wire: &str) -> String {
    let cleaned: String = wire.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let camel = cleaned.to_upper_camel_case();
    let camel = if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) { format!("V{camel}") } else { camel };
    if camel == "Self" {
        "SelfValue".into()
    } else {
        camel
    }
}

/// Hands out names unique within one scope, suffixing a clash with a number.
#[derive(Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn with_reserved(names: &[&str]) -> Self {
        Self { taken: names.iter().map(|s| s.to_string()).collect() }
    }

    pub fn claim(&mut self, wanted: String) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        let sep = if wanted.contains(|c: char| c.is_ascii_lowercase()) && wanted.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{wanted}{sep}{n}"))
            .find(|cand| self.taken.insert(cand.clone()))
            .expect("an unused suffix exists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_keep_acronyms_and_fix_case() {
        assert_eq!(type_name("VirtualMachineCloneSpec"), "VirtualMachineCloneSpec");
        assert_eq!(type_name("VirtualMachineVMIROM"), "VirtualMachineVMIROM");
        assert_eq!(type_name("setCustomValueRequestType"), "SetCustomValueRequestType");
        assert_eq!(type_name("Foo_Bar"), "FooBar");
        assert_eq!(type_name("Self"), "Self_");
    }

    #[test]
    fn snake_and_keywords() {
        assert_eq!(snake("CloneVM_Task"), "clone_vm_task");
        assert_eq!(snake("PowerOnVM_Task"), "power_on_vm_task");
        assert_eq!(snake("vmPathName"), "vm_path_name");
        assert_eq!(escape(&snake("type")), "r#type");
        assert_eq!(escape(&snake("self")), "self_");
        assert_eq!(escape(&snake("match")), "r#match");
        assert_eq!(snake("3d"), "_3d");
    }

    #[test]
    fn variants() {
        assert_eq!(variant("poweredOn"), "PoweredOn");
        assert_eq!(variant("3des"), "V3des");
        assert_eq!(variant(""), "V");
        assert_eq!(variant("self"), "SelfValue");
        assert_eq!(variant("vmx-20"), "Vmx20");
    }

    #[test]
    fn scope_suffixes_clashes() {
        let mut s = Scope::with_reserved(&["extra"]);
        assert_eq!(s.claim("extra".into()), "extra_2");
        assert_eq!(s.claim("Foo".into()), "Foo");
        assert_eq!(s.claim("Foo".into()), "Foo2");
    }
}
