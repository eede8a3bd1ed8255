//! The typed model of a vi-json document: what every schema and operation *is*.
//!
//! Classification follows the document's own structure, never names:
//! - the schema carrying the `discriminator` is the polymorphic root (`Any`);
//! - a child of the root whose only property starts with `_` is a wrapped value (`PrimitiveInt`,
//!   `ArrayOfString`, a wrapped enum) named on the wire by the root's discriminator mapping;
//! - any other object with an `allOf` parent is a data object (single inheritance);
//! - a `type: string` schema with `enum` is an enumeration;
//! - an object without parent is a request body (it must be referenced by one) or a plain object.
//!
//! Anything else is refused with the JSON pointer of the construct, so that a new shape in a
//! future document fails loudly instead of generating something wrong.

use crate::load::{pointer_segment, Document, SpecError};
use crate::quirks::{self, Annotations};
use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema as OaSchema, SchemaKind as OaKind, Type as OaType};
use std::collections::{BTreeMap, BTreeSet};

pub const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The whole document, classified.
#[derive(Debug)]
pub struct Model {
    pub title: String,
    pub release: String,
    pub sha256: String,
    /// Releases the server URL's `release` variable accepts, newest first.
    pub releases: Vec<String>,
    /// Name of the polymorphic root schema (`Any`).
    pub root: String,
    /// Wire property naming the concrete type (`_typeName`).
    pub discriminator: String,
    /// Security header carrying the session (`vmware-api-session-id`).
    pub session_header: Option<String>,
    pub schemas: IndexMap<String, Schema>,
    /// Managed object types with their methods and properties, in document order.
    pub managed: IndexMap<String, ManagedType>,
}

#[derive(Debug, Clone)]
pub struct Schema {
    pub name: String,
    pub pointer: String,
    pub description: Option<String>,
    pub deprecated: bool,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// The polymorphic root: holds any data object, fault, reference or wrapped value.
    Root,
    /// A data object (including faults and `ManagedObjectReference`).
    Data(DataType),
    Enum(EnumType),
    Wrapper(WrapperType),
    /// An object without parent used as an operation's request body.
    Request(ObjectType),
    /// An object without parent and without `_typeName`, used elsewhere.
    Plain(ObjectType),
}

#[derive(Debug, Clone)]
pub struct DataType {
    pub parent: Option<String>,
    /// Own properties only; inherited ones are found through `parent`.
    pub fields: Vec<Field>,
    /// Direct subtypes, in document order.
    pub children: Vec<String>,
    /// The `_typeName` written on the wire.
    pub wire_name: String,
}

#[derive(Debug, Clone)]
pub struct ObjectType {
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone)]
pub struct EnumType {
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub value: String,
    /// The text the description gives for this value (`- `value`: text`), if any.
    pub description: Option<String>,
}

/// A wrapped value: a primitive, array or enum value standing where the document expects an
/// `Any`, written `{"_typeName": "int", "_value": 3}`. (In this code base "boxed" only ever
/// means held in a Rust `Box`.)
#[derive(Debug, Clone)]
pub struct WrapperType {
    /// `_typeName` on the wire (`int`, `ArrayOfString`, `ManagedEntityStatus`).
    pub wire_name: String,
    /// The wire property holding the value (`_value`).
    pub value_field: String,
    pub value: Ty,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    pub required: bool,
    pub description: Option<String>,
    pub deprecated: bool,
}

/// A value's type as the document states it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    Bool,
    /// Signed integer of this many bits.
    Int(u8),
    /// Floating point of this many bits.
    Float(u8),
    String(StrFormat),
    /// A named schema (data object, enum, root, wrapper or plain object).
    Ref(String),
    Array(Box<Ty>),
}

impl Ty {
    /// The schema a value of this type is, through arrays.
    pub fn schema(&self) -> Option<&str> {
        match self {
            Ty::Ref(n) => Some(n),
            Ty::Array(inner) => inner.schema(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StrFormat {
    Plain,
    DateTime,
    /// base64 (`format: byte`)
    Byte,
    Password,
    Uri,
}

#[derive(Debug, Clone)]
pub struct ManagedType {
    pub name: String,
    /// `vim25`, or the path prefix (`vsan`, `pbm`, `sms`, `vslm`, `eam`).
    pub namespace: String,
    pub methods: Vec<Method>,
    pub properties: Vec<Property>,
}

#[derive(Debug, Clone)]
pub struct Method {
    pub name: String,
    pub operation_id: String,
    pub path: String,
    pub pointer: String,
    pub description: Option<String>,
    pub deprecated: bool,
    /// The `*RequestType` schema, if the method takes parameters.
    pub request: Option<String>,
    pub response: Option<Response>,
    /// Fault names the document declares for the method (from the 500 response).
    pub faults: Vec<String>,
    /// Whether the method can be called without a session.
    pub anonymous: bool,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub ty: Ty,
    pub nullable: bool,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Property {
    pub name: String,
    pub operation_id: String,
    pub path: String,
    pub description: Option<String>,
    pub deprecated: bool,
    pub response: Response,
}

impl Model {
    pub fn schema(&self, name: &str) -> &Schema {
        &self.schemas[name]
    }

    pub fn data(&self, name: &str) -> Option<&DataType> {
        match &self.schemas.get(name)?.kind {
            Kind::Data(d) => Some(d),
            _ => None,
        }
    }

    /// Ancestors of a data object, nearest first (the root excluded).
    pub fn ancestors(&self, name: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut cur = self.data(name).and_then(|d| d.parent.as_deref());
        while let Some(p) = cur {
            if p == self.root {
                break;
            }
            out.push(p);
            cur = self.data(p).and_then(|d| d.parent.as_deref());
        }
        out
    }

    /// All fields of a data object, inherited ones first (root to leaf order).
    pub fn all_fields(&self, name: &str) -> Vec<&Field> {
        let mut chain = self.ancestors(name);
        chain.reverse();
        chain.push(name);
        chain.iter().filter_map(|n| self.data(n)).flat_map(|d| d.fields.iter()).collect()
    }

    /// Direct children of the root, in document order.
    pub fn root_children(&self) -> Vec<&str> {
        self.schemas
            .values()
            .filter(|s| match &s.kind {
                Kind::Data(d) => d.parent.as_deref() == Some(&self.root),
                Kind::Wrapper(_) => true,
                _ => false,
            })
            .map(|s| s.name.as_str())
            .collect()
    }

    /// Whether a data object has subtypes (and so is held through its kind enum).
    pub fn is_polymorphic(&self, name: &str) -> bool {
        self.data(name).is_some_and(|d| !d.children.is_empty())
    }

    /// The members a value of this schema holds as a struct: all of a data object's, inherited
    /// ones first, or a plain object's own; `None` for any other kind.
    pub fn struct_fields(&self, name: &str) -> Option<Vec<&Field>> {
        match &self.schema(name).kind {
            Kind::Data(_) => Some(self.all_fields(name)),
            Kind::Plain(o) => Some(o.fields.iter().collect()),
            _ => None,
        }
    }

    /// Whether a member declared with this schema holds its struct (rather than a family enum,
    /// an enumeration or a primitive): a data or plain object without subtypes.
    pub fn is_struct(&self, name: &str) -> bool {
        matches!(self.schema(name).kind, Kind::Data(_) | Kind::Plain(_)) && !self.is_polymorphic(name)
    }

    /// Every operationId in document order with what represents it.
    pub fn operations(&self) -> impl Iterator<Item = (&ManagedType, Op<'_>)> {
        self.managed
            .values()
            .flat_map(|m| m.methods.iter().map(move |x| (m, Op::Method(x))).chain(m.properties.iter().map(move |p| (m, Op::Property(p)))))
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Op<'a> {
    Method(&'a Method),
    Property(&'a Property),
}

/// Builds the model, checking that every schema and operation is understood.
pub fn build(doc: &Document) -> Result<Model, SpecError> {
    Builder { doc }.build()
}

struct Builder<'a> {
    doc: &'a Document,
}

/// The polymorphic root: the one schema with a discriminator.
struct RootInfo {
    name: String,
    /// The discriminator property (`_typeName`).
    discriminator: String,
    /// Wire names of schemas whose discriminator value differs from their name, by schema.
    aliases: BTreeMap<String, String>,
}

/// What classifying a schema needs to know of the whole document.
struct SchemaContext {
    root: RootInfo,
    /// The schemas used as request bodies.
    request_bodies: BTreeSet<String>,
}

/// An operation's responses as the model reads them.
struct Responses {
    /// The success response with a body (none for 204).
    ok: Option<Response>,
    /// The 500 response.
    fault: Option<FaultResponse>,
}

/// An operation's 500 response.
struct FaultResponse {
    /// The fault names listed in its description.
    names: Vec<String>,
}

/// The parts of a schema the model needs, whichever way openapiv3 filed it.
struct View<'a> {
    /// The `type` keyword (`object`, `string`, ...).
    type_keyword: Option<&'a str>,
    format: Option<String>,
    properties: Option<&'a IndexMap<String, ReferenceOr<Box<OaSchema>>>>,
    required: &'a [String],
    all_of: &'a [ReferenceOr<OaSchema>],
    items: Option<&'a ReferenceOr<Box<OaSchema>>>,
    enumeration: Vec<String>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    unsupported: Option<&'static str>,
}

fn format_of<T: serde::Serialize>(f: &openapiv3::VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match f {
        openapiv3::VariantOrUnknownOrEmpty::Item(i) => serde_json::to_value(i).ok().and_then(|v| v.as_str().map(str::to_owned)),
        openapiv3::VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        openapiv3::VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn view(s: &OaSchema) -> View<'_> {
    const EMPTY: &[String] = &[];
    let mut v = View {
        type_keyword: None,
        format: None,
        properties: None,
        required: EMPTY,
        all_of: &[],
        items: None,
        enumeration: Vec::new(),
        minimum: None,
        maximum: None,
        unsupported: None,
    };
    match &s.schema_kind {
        OaKind::Type(OaType::String(t)) => {
            v.type_keyword = Some("string");
            v.format = format_of(&t.format);
            v.enumeration = t.enumeration.iter().flatten().cloned().collect();
        }
        OaKind::Type(OaType::Boolean(_)) => v.type_keyword = Some("boolean"),
        OaKind::Type(OaType::Integer(t)) => {
            v.type_keyword = Some("integer");
            v.format = format_of(&t.format);
            v.minimum = t.minimum.map(|m| m as f64);
            v.maximum = t.maximum.map(|m| m as f64);
        }
        OaKind::Type(OaType::Number(t)) => {
            v.type_keyword = Some("number");
            v.format = format_of(&t.format);
        }
        OaKind::Type(OaType::Array(t)) => {
            v.type_keyword = Some("array");
            v.items = t.items.as_ref();
        }
        OaKind::Type(OaType::Object(t)) => {
            v.type_keyword = Some("object");
            v.properties = Some(&t.properties);
            v.required = &t.required;
            if t.additional_properties.is_some() {
                v.unsupported = Some("additionalProperties");
            }
        }
        OaKind::AllOf { all_of } => v.all_of = all_of,
        OaKind::Any(a) => {
            v.type_keyword = a.typ.as_deref();
            v.format = a.format.clone();
            v.properties = Some(&a.properties);
            v.required = &a.required;
            v.all_of = &a.all_of;
            v.items = a.items.as_ref();
            v.minimum = a.minimum;
            v.maximum = a.maximum;
            v.enumeration = a
                .enumeration
                .iter()
                .map(|e| match e {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            if !a.one_of.is_empty() {
                v.unsupported = Some("oneOf");
            } else if !a.any_of.is_empty() {
                v.unsupported = Some("anyOf");
            } else if a.not.is_some() {
                v.unsupported = Some("not");
            } else if a.additional_properties.is_some() {
                v.unsupported = Some("additionalProperties");
            }
        }
        OaKind::OneOf { .. } => v.unsupported = Some("oneOf"),
        OaKind::AnyOf { .. } => v.unsupported = Some("anyOf"),
        OaKind::Not { .. } => v.unsupported = Some("not"),
    }
    v
}

/// The schema a reference names: one segment under `#/components/schemas/`, unescaped
/// (RFC 6901: `~1` is `/`, `~0` is `~`); `None` for anything else.
fn ref_name(reference: &str) -> Option<String> {
    let segment = reference.strip_prefix(SCHEMA_PREFIX).filter(|s| !s.contains('/'))?;
    Some(segment.replace("~1", "/").replace("~0", "~"))
}

impl Builder<'_> {
    fn raw(&self, pointer: &str) -> Option<&serde_json::Value> {
        self.doc.raw_at(pointer.trim_start_matches('#'))
    }

    fn annotations(&self, pointer: &str) -> Annotations {
        self.raw(pointer).map(quirks::reference_siblings).unwrap_or_default()
    }

    fn schemas(&self) -> Result<&IndexMap<String, ReferenceOr<OaSchema>>, SpecError> {
        self.doc
            .api
            .components
            .as_ref()
            .map(|c| &c.schemas)
            .ok_or_else(|| SpecError::at("#/components", "the document has no components"))
    }

    fn resolve(&self, reference: &str, pointer: &str) -> Result<String, SpecError> {
        let name = ref_name(reference)
            .ok_or_else(|| SpecError::at(pointer, format!("reference `{reference}` does not name a schema of #/components/schemas")))?;
        if !self.schemas()?.contains_key(&name) {
            return Err(SpecError::at(pointer, format!("reference `{reference}` does not resolve")));
        }
        Ok(name)
    }

    fn build(&self) -> Result<Model, SpecError> {
        let api = &self.doc.api;
        let schemas = self.schemas()?;
        let cx = SchemaContext { root: self.find_root(schemas)?, request_bodies: self.request_bodies()? };
        let mut out = self.schema_table(schemas, &cx)?;
        link_children(&mut out)?;
        let managed = self.operations(&out)?;
        let RootInfo { name: root, discriminator, .. } = cx.root;
        Ok(Model {
            title: api.info.title.clone(),
            release: api.info.version.clone(),
            sha256: self.doc.sha256.clone(),
            releases: self.releases(),
            root,
            discriminator,
            session_header: self.session_header(),
            schemas: out,
            managed,
        })
    }

    /// Every component schema, classified, in document order.
    fn schema_table(&self, schemas: &IndexMap<String, ReferenceOr<OaSchema>>, cx: &SchemaContext) -> Result<IndexMap<String, Schema>, SpecError> {
        let mut out: IndexMap<String, Schema> = IndexMap::new();
        for (name, s) in schemas {
            let pointer = format!("{SCHEMA_PREFIX}{}", pointer_segment(name));
            let s = match s {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { .. } => return Err(SpecError::at(pointer, "a schema that is only a $ref is not supported")),
            };
            let ann = self.annotations(&pointer);
            let kind = self.classify(name, s, &pointer, cx)?;
            out.insert(
                name.clone(),
                Schema { name: name.clone(), pointer, description: ann.description, deprecated: ann.deprecated || s.schema_data.deprecated, kind },
            );
        }
        Ok(out)
    }

    /// The API key header that carries the session id, if the document declares one.
    fn session_header(&self) -> Option<String> {
        self.doc.api.components.as_ref().and_then(|c| {
            c.security_schemes.values().find_map(|s| match s {
                ReferenceOr::Item(openapiv3::SecurityScheme::APIKey { location: openapiv3::APIKeyLocation::Header, name, .. }) => Some(name.clone()),
                _ => None,
            })
        })
    }

    /// The releases the first server's `release` variable lists.
    fn releases(&self) -> Vec<String> {
        self.doc
            .api
            .servers
            .first()
            .and_then(|s| s.variables.as_ref())
            .and_then(|v| v.get("release"))
            .map(|v| v.enumeration.clone())
            .unwrap_or_default()
    }
    /// The root is the one schema with a discriminator; its mapping gives wire aliases.
    fn find_root(&self, schemas: &IndexMap<String, ReferenceOr<OaSchema>>) -> Result<RootInfo, SpecError> {
        let mut found = None;
        for (name, s) in schemas {
            let ReferenceOr::Item(s) = s else { continue };
            if let Some(d) = &s.schema_data.discriminator {
                let pointer = format!("{SCHEMA_PREFIX}{}", pointer_segment(name));
                if found.is_some() {
                    return Err(SpecError::at(pointer, "a second discriminator; one polymorphic root is supported"));
                }
                let mut aliases = BTreeMap::new();
                for (alias, target) in &d.mapping {
                    let target = self.resolve(target, &format!("{pointer}/discriminator/mapping/{}", pointer_segment(alias)))?;
                    aliases.insert(target, alias.clone());
                }
                found = Some(RootInfo { name: name.clone(), discriminator: d.property_name.clone(), aliases });
            }
        }
        found.ok_or_else(|| SpecError::at("#/components/schemas", "no schema has a discriminator (the `_typeName` root)"))
    }

    fn request_bodies(&self) -> Result<BTreeSet<String>, SpecError> {
        let mut out = BTreeSet::new();
        for (path, item) in &self.doc.api.paths.paths {
            let ReferenceOr::Item(item) = item else { continue };
            for (method, op) in item.iter() {
                let Some(body) = &op.request_body else { continue };
                let pointer = format!("#/paths/{}/{method}/requestBody", pointer_segment(path));
                let ReferenceOr::Item(body) = body else {
                    return Err(SpecError::at(pointer, "a request body given by $ref is not supported"));
                };
                if let Some(ReferenceOr::Reference { reference }) = body.content.get("application/json").and_then(|m| m.schema.as_ref()) {
                    out.insert(self.resolve(reference, &pointer)?);
                }
            }
        }
        Ok(out)
    }

    fn classify(&self, name: &str, s: &OaSchema, pointer: &str, cx: &SchemaContext) -> Result<Kind, SpecError> {
        let (root, discriminator, aliases, request_bodies) = (cx.root.name.as_str(), cx.root.discriminator.as_str(), &cx.root.aliases, &cx.request_bodies);
        let v = view(s);
        if let Some(what) = v.unsupported {
            return Err(SpecError::at(pointer, format!("`{what}` is not supported in a component schema")));
        }
        if name == root {
            return Ok(Kind::Root);
        }
        if let Some(list) = self.doc.raw_at(&format!("{}/enum", pointer.trim_start_matches('#'))).and_then(|e| e.as_array()) {
            // openapiv3 drops a null value; YAML reads an unquoted `null` or `~` as one
            if let Some(i) = list.iter().position(|v| v.is_null()) {
                return Err(SpecError::at(format!("{pointer}/enum/{i}"), "a null enum value (quote it if the string is meant)"));
            }
        }
        if v.type_keyword == Some("string") && !v.enumeration.is_empty() {
            let values = enum_values(&v.enumeration, s.schema_data.description.as_deref());
            return Ok(Kind::Enum(EnumType { values }));
        }
        if v.type_keyword.is_some_and(|t| t != "object") {
            return Err(SpecError::at(pointer, format!("a top-level `{}` schema without enum is not supported", v.type_keyword.unwrap_or("?"))));
        }
        let parent = match v.all_of {
            [] => None,
            [ReferenceOr::Reference { reference }] => Some(self.resolve(reference, &format!("{pointer}/allOf/0"))?),
            _ => return Err(SpecError::at(format!("{pointer}/allOf"), "only a single `$ref` parent is supported in `allOf`")),
        };
        let fields = self.fields(&v, pointer, discriminator)?;
        let wire_name = aliases.get(name).cloned().unwrap_or_else(|| name.to_owned());
        match parent {
            Some(p) if p == root && fields.len() == 1 && fields[0].name.starts_with('_') => {
                let f = fields.into_iter().next().unwrap();
                Ok(Kind::Wrapper(WrapperType { wire_name, value_field: f.name, value: f.ty }))
            }
            Some(p) => Ok(Kind::Data(DataType { parent: Some(p), fields, children: Vec::new(), wire_name })),
            None if request_bodies.contains(name) => Ok(Kind::Request(ObjectType { fields })),
            None => Ok(Kind::Plain(ObjectType { fields })),
        }
    }

    fn fields(&self, v: &View<'_>, pointer: &str, discriminator: &str) -> Result<Vec<Field>, SpecError> {
        let mut out = Vec::new();
        for (fname, prop) in v.properties.into_iter().flatten() {
            if fname == discriminator {
                continue;
            }
            let fpointer = format!("{pointer}/properties/{}", pointer_segment(fname));
            let ann = self.annotations(&fpointer);
            let (ty, _) = self.property_ty(prop, &fpointer)?;
            out.push(Field {
                name: fname.clone(),
                ty,
                required: v.required.iter().any(|r| r == fname),
                description: ann.description,
                deprecated: ann.deprecated,
            });
        }
        for r in v.required {
            if r != discriminator && !out.iter().any(|f| &f.name == r) {
                return Err(SpecError::at(format!("{pointer}/required"), format!("required property `{r}` is not declared")));
            }
        }
        Ok(out)
    }

    fn property_ty(&self, s: &ReferenceOr<Box<OaSchema>>, pointer: &str) -> Result<(Ty, bool), SpecError> {
        match s {
            ReferenceOr::Reference { reference } => Ok((Ty::Ref(self.resolve(reference, pointer)?), self.annotations(pointer).nullable)),
            ReferenceOr::Item(s) => self.ty(s, pointer),
        }
    }

    /// The type of an inline schema; returns it with its `nullable` flag.
    fn ty(&self, s: &OaSchema, pointer: &str) -> Result<(Ty, bool), SpecError> {
        let v = view(s);
        let nullable = s.schema_data.nullable || self.annotations(pointer).nullable;
        if let Some(what) = v.unsupported {
            return Err(SpecError::at(pointer, format!("`{what}` is not supported here")));
        }
        if let Some(reference) = quirks::wrapped_reference(v.all_of, v.type_keyword, v.properties.is_some_and(|p| !p.is_empty())) {
            return Ok((Ty::Ref(self.resolve(reference, &format!("{pointer}/allOf/0"))?), nullable));
        }
        if !v.all_of.is_empty() {
            return Err(SpecError::at(pointer, "an inline `allOf` other than one `$ref` is not supported"));
        }
        let fmt = v.format.as_deref();
        let ty = match v.type_keyword {
            Some("boolean") => Ty::Bool,
            Some("integer") => Ty::Int(match fmt {
                Some("int32") => 32,
                Some("int64") => 64,
                Some(other) => return Err(SpecError::at(pointer, format!("integer format `{other}` is not supported"))),
                None => int_bits(v.minimum, v.maximum),
            }),
            Some("number") => Ty::Float(match fmt {
                Some("float") => 32,
                Some("double") | None => 64,
                Some(other) => return Err(SpecError::at(pointer, format!("number format `{other}` is not supported"))),
            }),
            Some("string") => Ty::String(match fmt {
                None => StrFormat::Plain,
                Some("date-time") => StrFormat::DateTime,
                Some("byte") => StrFormat::Byte,
                Some("password") => StrFormat::Password,
                Some("uri") => StrFormat::Uri,
                // formats that only describe the text (`uuid`, `hostname`...) stay plain strings
                Some(_) => StrFormat::Plain,
            }),
            Some("array") => {
                let items = v.items.ok_or_else(|| SpecError::at(pointer, "an array without `items`"))?;
                Ty::Array(Box::new(self.property_ty(items, &format!("{pointer}/items"))?.0))
            }
            Some("object") => return Err(SpecError::at(pointer, "an inline object schema is not supported; give it a name under components")),
            Some(other) => return Err(SpecError::at(pointer, format!("type `{other}` is not supported"))),
            None => return Err(SpecError::at(pointer, "a schema without `type` or `$ref`")),
        };
        Ok((ty, nullable))
    }

    fn operations(&self, schemas: &IndexMap<String, Schema>) -> Result<IndexMap<String, ManagedType>, SpecError> {
        let mut managed: IndexMap<String, ManagedType> = IndexMap::new();
        self.unread_path_keys()?;
        let mut operation_ids: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in &self.doc.api.paths.paths {
            let ppointer = format!("#/paths/{}", pointer_segment(path));
            let ReferenceOr::Item(item) = item else {
                return Err(SpecError::at(ppointer, "a path item given by $ref is not supported"));
            };
            let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let (namespace, ty, member) = match segments.as_slice() {
                [ty, "{moId}", member] => ("vim25", *ty, *member),
                [ns, ty, "{moId}", member] => (*ns, *ty, *member),
                _ => return Err(SpecError::at(ppointer, "path is not `[/{namespace}]/{Type}/{moId}/{member}`")),
            };
            let entry = managed.entry(ty.to_owned()).or_insert_with(|| ManagedType {
                name: ty.to_owned(),
                namespace: namespace.to_owned(),
                methods: Vec::new(),
                properties: Vec::new(),
            });
            if entry.namespace != namespace {
                return Err(SpecError::at(ppointer, format!("`{ty}` appears under namespaces `{}` and `{namespace}`", entry.namespace)));
            }
            for (method, op) in item.iter() {
                let pointer = format!("{ppointer}/{method}");
                let operation_id = op.operation_id.clone().ok_or_else(|| SpecError::at(&pointer, "operation without operationId"))?;
                self.parameter_refs(&op.parameters, &pointer)?;
                // the API map and the handles' method names are keyed by operationId
                if let Some(first) = operation_ids.insert(operation_id.clone(), pointer.clone()) {
                    return Err(SpecError::at(&pointer, format!("operationId `{operation_id}` is also the operationId of {first}")));
                }
                let description = op.description.as_deref().or(op.summary.as_deref()).map(quirks::block_scalar_text);
                let anonymous = op.security.as_ref().is_some_and(|s| s.iter().any(|r| r.is_empty()));
                let Responses { ok, fault } = self.responses(op, &pointer, schemas)?;
                match method {
                    "post" => {
                        let request = self.request_body(op, &pointer, schemas)?;
                        let faults = fault.map(|f| f.names).unwrap_or_default();
                        entry.methods.push(Method {
                            name: member.to_owned(),
                            operation_id,
                            path: path.clone(),
                            pointer,
                            description,
                            deprecated: op.deprecated,
                            request,
                            response: ok,
                            faults,
                            anonymous,
                        });
                    }
                    "get" => {
                        let response = ok.ok_or_else(|| SpecError::at(&pointer, "a property read without a 200 response"))?;
                        if op.request_body.is_some() {
                            return Err(SpecError::at(&pointer, "a GET with a request body"));
                        }
                        entry.properties.push(Property {
                            name: member.to_owned(),
                            operation_id,
                            path: path.clone(),
                            description,
                            deprecated: op.deprecated,
                            response,
                        });
                    }
                    other => return Err(SpecError::at(pointer, format!("HTTP method `{other}` is not part of the vi-json layout"))),
                }
            }
        }
        Ok(managed)
    }

    /// The generated handles put the managed object id in the path themselves and read no
    /// other parameter, but a parameter reference that resolves nowhere is still a broken
    /// document, not one to generate from.
    fn parameter_refs(&self, parameters: &[ReferenceOr<openapiv3::Parameter>], pointer: &str) -> Result<(), SpecError> {
        for (i, p) in parameters.iter().enumerate() {
            if let ReferenceOr::Reference { reference } = p {
                let target = reference.strip_prefix("#/components/parameters/").map(|name| format!("/components/parameters/{name}"));
                if target.and_then(|t| self.doc.raw_at(&t)).is_none() {
                    return Err(SpecError::at(format!("{pointer}/parameters/{i}"), format!("reference `{reference}` does not resolve")));
                }
            }
        }
        Ok(())
    }

    /// Keys under `paths` and under a path item that openapiv3 drops without a word: a
    /// path not starting with `/`, an HTTP method OpenAPI does not have. An operation must
    /// not vanish from the crate because of a typo; `x-` extensions are left alone.
    fn unread_path_keys(&self) -> Result<(), SpecError> {
        const ITEM_KEYS: &[&str] =
            &["$ref", "summary", "description", "servers", "parameters", "get", "put", "post", "delete", "options", "head", "patch", "trace"];
        let Some(paths) = self.doc.raw.get("paths").and_then(|p| p.as_object()) else { return Ok(()) };
        for (path, item) in paths {
            let pointer = format!("#/paths/{}", pointer_segment(path));
            if path.starts_with("x-") {
                continue;
            }
            if !path.starts_with('/') {
                return Err(SpecError::at(pointer, "a path must start with `/`"));
            }
            for key in item.as_object().into_iter().flat_map(|o| o.keys()) {
                if !key.starts_with("x-") && !ITEM_KEYS.contains(&key.as_str()) {
                    return Err(SpecError::at(format!("{pointer}/{}", pointer_segment(key)), format!("`{key}` is not an HTTP method of OpenAPI 3.0")));
                }
            }
        }
        Ok(())
    }

    /// The request body schema of a POST, which must be an `application/json` reference to a
    /// request object.
    fn request_body(&self, op: &openapiv3::Operation, pointer: &str, schemas: &IndexMap<String, Schema>) -> Result<Option<String>, SpecError> {
        Ok(match &op.request_body {
            None => None,
            Some(ReferenceOr::Item(b)) => match b.content.get("application/json").and_then(|m| m.schema.as_ref()) {
                Some(ReferenceOr::Reference { reference }) => {
                    let name = self.resolve(reference, &format!("{pointer}/requestBody"))?;
                    if !matches!(schemas[&name].kind, Kind::Request(_)) {
                        return Err(SpecError::at(format!("{pointer}/requestBody"), "request body is not an object schema"));
                    }
                    Some(name)
                }
                _ => return Err(SpecError::at(format!("{pointer}/requestBody"), "request body must be an application/json $ref")),
            },
            Some(ReferenceOr::Reference { .. }) => return Err(SpecError::at(format!("{pointer}/requestBody"), "request body by $ref")),
        })
    }

    /// The success response (200 with a body, or 204) and the declared faults of a 500 response.
    fn responses(&self, op: &openapiv3::Operation, pointer: &str, schemas: &IndexMap<String, Schema>) -> Result<Responses, SpecError> {
        let mut ok = None;
        let mut fault = None;
        for (code, resp) in &op.responses.responses {
            let code_text = code.to_string();
            let rpointer = format!("{pointer}/responses/{code_text}");
            let ReferenceOr::Item(resp) = resp else {
                return Err(SpecError::at(rpointer, "a response given by $ref is not supported"));
            };
            let schema = resp.content.get("application/json").and_then(|m| m.schema.as_ref());
            let spointer = format!("{rpointer}/content/application~1json/schema");
            match code_text.as_str() {
                "200" => {
                    let s = schema.ok_or_else(|| SpecError::at(&rpointer, "a 200 response without an application/json schema"))?;
                    let (ty, nullable) = match s {
                        ReferenceOr::Reference { reference } => (Ty::Ref(self.resolve(reference, &spointer)?), self.annotations(&spointer).nullable),
                        ReferenceOr::Item(s) => self.ty(s, &spointer)?,
                    };
                    ok = Some(Response {
                        ty,
                        nullable,
                        description: Some(quirks::block_scalar_text(&resp.description)).filter(|d| !d.is_empty() && d != "OK"),
                    });
                }
                "204" => {}
                "500" => {
                    // the declared schema must resolve; the faults themselves are listed in the description
                    match schema {
                        Some(ReferenceOr::Reference { reference }) => {
                            self.resolve(reference, &spointer)?;
                        }
                        None => {}
                        Some(_) => return Err(SpecError::at(spointer, "a fault response must be a $ref")),
                    }
                    let names = quirks::fault_names(&resp.description).filter(|n| schemas.contains_key(*n)).map(str::to_owned).collect();
                    fault = Some(FaultResponse { names });
                }
                other => return Err(SpecError::at(rpointer, format!("response code `{other}` is not part of the vi-json layout"))),
            }
        }
        Ok(Responses { ok, fault })
    }
}

/// Fills in the children lists, and checks that inheritance ends at the root without cycles.
fn link_children(out: &mut IndexMap<String, Schema>) -> Result<(), SpecError> {
    let parents: Vec<(String, String)> = out
        .values()
        .filter_map(|s| match &s.kind {
            Kind::Data(d) => d.parent.clone().map(|p| (s.name.clone(), p)),
            _ => None,
        })
        .collect();
    for (child, parent) in &parents {
        match out.get_mut(parent).map(|s| &mut s.kind) {
            Some(Kind::Data(d)) => d.children.push(child.clone()),
            Some(Kind::Root) => {}
            _ => {
                return Err(SpecError::at(format!("{}/allOf/0", out[child].pointer), format!("`{child}` extends `{parent}`, which is not a data object")))
            }
        }
    }
    for (child, _) in &parents {
        let mut seen = BTreeSet::new();
        let mut cur = child.as_str();
        while let Some(Kind::Data(d)) = out.get(cur).map(|s| &s.kind) {
            if !seen.insert(cur) {
                return Err(SpecError::at(out[child].pointer.clone(), "inheritance cycle"));
            }
            match d.parent.as_deref() {
                Some(p) => cur = p,
                None => break,
            }
        }
    }
    Ok(())
}

fn int_bits(min: Option<f64>, max: Option<f64>) -> u8 {
    match (min, max) {
        (Some(lo), Some(hi)) if lo >= -128.0 && hi <= 127.0 => 8,
        (Some(lo), Some(hi)) if lo >= -32768.0 && hi <= 32767.0 => 16,
        (Some(lo), Some(hi)) if lo >= -2147483648.0 && hi <= 2147483647.0 => 32,
        _ => 64,
    }
}

/// Pairs enum values with the per-value text of the description (`- `value`: text`).
fn enum_values(values: &[String], description: Option<&str>) -> Vec<EnumValue> {
    let notes = quirks::enum_value_notes(description);
    values.iter().map(|v| EnumValue { value: v.clone(), description: notes.get(v.as_str()).cloned() }).collect()
}
