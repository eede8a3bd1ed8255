//! Reading faults without knowing their type: the message a server put in a fault, and whether a
//! fault is of a type or one of its subtypes.
//!
//! Members are found by wire name in the member table and read through their encoding, so one
//! body serves every fault type; these run when a call has failed, where that cost is nothing.

use crate::object::{Blank, Object};
use serde_json::Value;
use std::fmt;

/// Member `name` of `o` as JSON, when the type declares it and it is present.
fn member(o: &dyn Object, name: &str) -> Option<Value> {
    let i = o.info().wire.iter().position(|w| *w == name)?;
    let field = o.field(i);
    let encode = field.as_encode();
    if encode.absent() {
        return None;
    }
    serde_json::from_slice(&crate::ser::to_vec(encode).ok()?).ok()
}

/// The text of a `faultMessage` list: each `LocalizableMessage`'s `message` (or its `key` when
/// the server sent no text), or each string where the list holds strings.
fn joined(messages: &Value) -> Option<String> {
    let parts: Vec<&str> = messages
        .as_array()?
        .iter()
        .filter_map(|m| match m {
            Value::String(s) => Some(s.as_str()),
            m => m.get("message").or_else(|| m.get("key")).and_then(Value::as_str),
        })
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn non_empty(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The server's message in a fault: its `faultstring` (which vCenter writes into fault bodies
/// although the document does not declare it, so it is kept in `extra`), else a
/// `localizedMessage` kept the same way, else the messages of `faultMessage`.
pub fn message(o: &dyn Object) -> Option<String> {
    let extra = o.extra();
    non_empty(extra.field("faultstring"))
        .or_else(|| non_empty(extra.field("localizedMessage")))
        .or_else(|| member(o, "faultMessage").as_ref().and_then(joined))
}

/// The same from a fault in JSON form (one held by a `LocalizedMethodFault`).
fn message_of(v: &Value) -> Option<String> {
    non_empty(v.get("faultstring"))
        .or_else(|| non_empty(v.get("localizedMessage")))
        .or_else(|| v.get("faultMessage").and_then(joined))
}

fn write(f: &mut fmt::Formatter<'_>, type_name: &str, message: Option<&str>) -> fmt::Result {
    let type_name = if type_name.is_empty() { "fault" } else { type_name };
    // servers without a text for a fault put its type name in `faultstring`
    match message.filter(|m| *m != type_name) {
        Some(m) => write!(f, "{type_name}: {m}"),
        None => f.write_str(type_name),
    }
}

/// `Display` of a fault: `InvalidState: The operation is not allowed in the current state.`, or
/// the type alone when the server gave no message.
pub fn display(o: &dyn Object, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write(f, crate::object::type_name(o), message(o).as_deref())
}

/// The message of a `LocalizedMethodFault` (how a task reports its error): its
/// `localizedMessage`, else the message of the fault it holds.
pub fn localized_message(o: &dyn Object) -> Option<String> {
    non_empty(member(o, "localizedMessage").as_ref()).or_else(|| member(o, "fault").as_ref().and_then(message_of))
}

/// `Display` of a `LocalizedMethodFault`: the type of the fault it holds and its message.
pub fn display_localized(o: &dyn Object, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let inner = member(o, "fault");
    let type_name = inner.as_ref().and_then(|v| v.get(crate::DISCRIMINATOR)).and_then(Value::as_str).unwrap_or("");
    write(f, type_name, localized_message(o).as_deref())
}

/// Whether `o` is a `T` or of a subtype of `T`. The held Rust type decides, so that a subtype
/// this release does not know counts as the known type it was decoded as.
pub fn is_a<T: Object + Blank>(o: &dyn Object) -> bool {
    // The member table of `T` is reached through a value: a blank is a few empty members, and
    // this runs on a failed call only.
    let Some(target) = T::blank().info().type_name.and_then(crate::registry::lookup) else {
        return false;
    };
    let Some(mut id) = o.info().type_name.and_then(crate::registry::lookup) else {
        return false;
    };
    loop {
        if id == target {
            return true;
        }
        match crate::registry::PARENTS.get(id as usize) {
            Some(&parent) if parent != u16::MAX => id = parent,
            _ => return false,
        }
    }
}
