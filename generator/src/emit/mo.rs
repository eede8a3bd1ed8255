//! `src/mo/`: a typed handle per managed object type, with a method per operation (inherited
//! ones included, as the document lists them under each type) and a getter per property.
//!
//! Every method of a handle is `#[inline]`: a program calls a handful of the thousands of
//! operations, and an inline function is compiled only in the crates that call it, so `vim25`
//! itself compiles none of them (what the request's encoding and the reply's decoder cost is
//! paid for the operations used, where they are used).

use super::docs;
use super::ident;
use super::types::param_type;
use crate::model::{Kind, ManagedType, Method, Model, Property, Response, Ty};
use crate::plan::{Plan, CORE};
use proc_macro2::TokenStream;
use quote::quote;
use quote::ToTokens;

pub fn files<'a>(model: &'a Model, plan: &'a Plan) -> Vec<super::Job<'a>> {
    let mut out: Vec<super::Job<'a>> = Vec::new();
    let mut scope = crate::names::Scope::with_reserved(&["mod"]);
    let mut modules = Vec::new();
    for m in model.managed.values() {
        let module = scope.claim(crate::names::escape(&crate::names::snake(&m.name)).replace("r#", "r_"));
        out.push((format!("src/mo/{module}.rs"), Box::new(move || handle(model, plan, m))));
        modules.push((module, m));
    }
    out.push(("src/mo/mod.rs".to_owned(), Box::new(move || mod_rs(model, &modules))));
    out
}

/// Managed type inheritance, which the document does not state (it lists inherited operations
/// and properties under each type): child and parent, as the vSphere API reference gives them.
/// [`parents`] keeps the pairs the document bears out.
const MANAGED_PARENTS: &[(&str, &str)] = &[
    ("Agency", "EamObject"),
    ("Agent", "EamObject"),
    ("Alarm", "ExtensibleManagedObject"),
    ("ClusterComputeResource", "ComputeResource"),
    ("ClusterEVCManager", "ExtensibleManagedObject"),
    ("ClusterProfile", "Profile"),
    ("ClusterProfileManager", "ProfileManager"),
    ("ComputeResource", "ManagedEntity"),
    ("ContainerView", "ManagedObjectView"),
    ("CryptoManagerHost", "CryptoManager"),
    ("CryptoManagerHostKMS", "CryptoManagerHost"),
    ("CryptoManagerKmip", "CryptoManager"),
    ("Datacenter", "ManagedEntity"),
    ("Datastore", "ManagedEntity"),
    ("DistributedVirtualPortgroup", "Network"),
    ("DistributedVirtualSwitch", "ManagedEntity"),
    ("EsxAgentManager", "EamObject"),
    ("EventHistoryCollector", "HistoryCollector"),
    ("Folder", "ManagedEntity"),
    ("HostActiveDirectoryAuthentication", "HostDirectoryStore"),
    ("HostCpuSchedulerSystem", "ExtensibleManagedObject"),
    ("HostDirectoryStore", "HostAuthenticationStore"),
    ("HostFirewallSystem", "ExtensibleManagedObject"),
    ("HostGraphicsManager", "ExtensibleManagedObject"),
    ("HostLocalAuthentication", "HostAuthenticationStore"),
    ("HostMemorySystem", "ExtensibleManagedObject"),
    ("HostNetworkSystem", "ExtensibleManagedObject"),
    ("HostPciPassthruSystem", "ExtensibleManagedObject"),
    ("HostProfile", "Profile"),
    ("HostProfileManager", "ProfileManager"),
    ("HostServiceSystem", "ExtensibleManagedObject"),
    ("HostStorageSystem", "ExtensibleManagedObject"),
    ("HostSystem", "ManagedEntity"),
    ("HostVMotionSystem", "ExtensibleManagedObject"),
    ("HostVStorageObjectManager", "VStorageObjectManagerBase"),
    ("HostVirtualNicManager", "ExtensibleManagedObject"),
    ("InventoryView", "ManagedObjectView"),
    ("ListView", "ManagedObjectView"),
    ("ManagedEntity", "ExtensibleManagedObject"),
    ("ManagedObjectView", "View"),
    ("Network", "ManagedEntity"),
    ("OpaqueNetwork", "Network"),
    ("ResourcePool", "ManagedEntity"),
    ("ScheduledTask", "ExtensibleManagedObject"),
    ("StoragePod", "Folder"),
    ("Task", "ExtensibleManagedObject"),
    ("TaskHistoryCollector", "HistoryCollector"),
    ("TransitGateway", "ManagedEntity"),
    ("VasaProvider", "SmsProvider"),
    ("VcenterVStorageObjectManager", "VStorageObjectManagerBase"),
    ("VirtualApp", "ResourcePool"),
    ("VirtualMachine", "ManagedEntity"),
    ("VirtualMachineSnapshot", "ExtensibleManagedObject"),
    ("VmwareDistributedVirtualSwitch", "DistributedVirtualSwitch"),
];

/// The pairs of [`MANAGED_PARENTS`] whose types are both in the document, the child listing
/// every operation and property of the parent; sorted by child.
pub fn parents(model: &Model) -> Vec<(&'static str, &'static str)> {
    let members = |m: &ManagedType| -> std::collections::BTreeSet<String> {
        m.methods.iter().map(|x| x.name.clone()).chain(m.properties.iter().map(|p| format!("/{}", p.name))).collect()
    };
    let mut out: Vec<(&str, &str)> = MANAGED_PARENTS
        .iter()
        .copied()
        .filter(|(child, parent)| match (model.managed.get(*child), model.managed.get(*parent)) {
            (Some(c), Some(p)) => members(p).is_subset(&members(c)),
            _ => false,
        })
        .collect();
    out.sort_unstable();
    out
}

fn mod_rs(model: &Model, modules: &[(String, &ManagedType)]) -> TokenStream {
    let mut mods = TokenStream::new();
    for (module, m) in modules {
        let cfg = feature_cfg(&m.namespace);
        // included rather than made modules, for the reason `emit::types` gives
        let file = format!("{module}.rs");
        mods.extend(quote!(#cfg include!(#file);));
    }
    let doc = docs::inner(&[
        "Managed object handles: one per managed object type, each method building one request.",
        "",
        "A handle is a [`Client`](crate::Client) plus a reference. Methods return a [`Call`](crate::Call)",
        "to `.await`; faults come back as [`Error::Fault`](crate::Error::Fault). An operation",
        "documented to return a reference to a managed type returns that type's handle.",
    ]);
    let pairs = parents(model);
    let (children, parents): (Vec<&str>, Vec<&str>) = pairs.into_iter().unzip();
    let n = children.len();
    quote! {
        #doc
        #mods

        /// Managed types with a parent type, sorted, and the parent of each.
        static CHILDREN: [&str; #n] = [#(#children),*];
        static PARENTS: [&str; #n] = [#(#parents),*];

        /// Whether a reference to a `ty` object may be held as an `ancestor` handle: `ty` is
        /// `ancestor` or one of its subtypes.
        pub(crate) fn is_a(ty: &str, ancestor: &str) -> bool {
            let mut ty = ty;
            loop {
                if ty == ancestor {
                    return true;
                }
                match CHILDREN.binary_search(&ty) {
                    Ok(i) => ty = PARENTS[i],
                    Err(_) => return false,
                }
            }
        }
    }
}

pub fn feature_cfg(namespace: &str) -> TokenStream {
    let f = proc_macro2::Literal::string(namespace);
    quote!(#[cfg(feature = #f)])
}

pub fn handle_name(m: &ManagedType) -> String {
    crate::names::type_name(&m.name)
}

/// Path of the handle type in the crate (`vim25::mo::VirtualMachine`).
pub fn handle_path(m: &ManagedType) -> String {
    format!("mo::{}", handle_name(m))
}

fn type_path(m: &ManagedType) -> String {
    if m.namespace == CORE {
        format!("/{}", m.name)
    } else {
        format!("/{}/{}", m.namespace, m.name)
    }
}

fn handle(model: &Model, plan: &Plan, m: &ManagedType) -> TokenStream {
    let name = ident(&handle_name(m));
    let wire = proc_macro2::Literal::string(&m.name);
    let path = proc_macro2::Literal::string(&type_path(m));
    let mut methods = TokenStream::new();
    for x in &m.methods {
        methods.extend(method(model, plan, m, x));
    }
    for p in &m.properties {
        methods.extend(property(model, plan, m, p));
    }
    let doc = docs::lines([
        format!("Handle to a `{}` managed object (namespace `{}`).", m.name, m.namespace).as_str(),
        "",
        format!("Requests go to `{{base}}{}/{{moId}}/{{member}}`.", type_path(m)).as_str(),
    ]);
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct #name {
            client: crate::Client,
            reference: crate::types::ManagedObjectReference,
        }

        impl #name {
            /// The managed object type name.
            pub const TYPE: &'static str = #wire;
            const PATH: &'static str = #path;

            /// A handle to the object `id` (its moId, such as `vm-42`).
            #[inline]
            pub fn new(client: &crate::Client, id: impl Into<String>) -> Self {
                Self { client: client.clone(), reference: crate::types::ManagedObjectReference::new(Self::TYPE, id.into()) }
            }

            /// A handle to the object `reference` names, which must be of this type or of one of
            /// its subtypes (a `ManagedEntity` handle to a `VirtualMachine`, not the reverse).
            #[inline]
            pub fn from_ref(client: &crate::Client, reference: &crate::types::ManagedObjectReference) -> Result<Self, crate::Error> {
                crate::client::check_type(reference, Self::TYPE, crate::mo::is_a)?;
                Ok(Self { client: client.clone(), reference: reference.clone() })
            }

            /// The moId.
            #[inline]
            pub fn id(&self) -> &str {
                &self.reference.value
            }

            /// The reference to the object, with its own type (which may be a subtype of this one).
            #[inline]
            pub fn reference(&self) -> &crate::types::ManagedObjectReference {
                &self.reference
            }

            /// The reference, owned (to pass as an operation's parameter or keep).
            #[inline]
            pub fn to_ref(&self) -> crate::types::ManagedObjectReference {
                self.reference.clone()
            }

            #[inline]
            pub fn client(&self) -> &crate::Client {
                &self.client
            }

            #methods
        }

        impl crate::client::Handle for #name {
            const TYPE: &'static str = #wire;

            #[inline]
            fn from_parts(client: &crate::Client, reference: crate::types::ManagedObjectReference) -> Self {
                Self { client: client.clone(), reference }
            }

            #[inline]
            fn reference(&self) -> &crate::types::ManagedObjectReference {
                &self.reference
            }
        }
    }
}

/// The managed type a reply documented as `Refers instance of *Task*.` refers to, when a handle
/// of it exists wherever the operation does (the core, or the operation's own namespace).
fn referred<'a>(model: &'a Model, owner: &ManagedType, r: &Response) -> Option<&'a ManagedType> {
    if r.ty != Ty::Ref(super::refs::REFERENCE.to_owned()) {
        return None;
    }
    let name = crate::quirks::referred_type(r.description.as_deref()?)?;
    model.managed.get(name).filter(|m| m.namespace == CORE || m.namespace == owner.namespace)
}

fn reply(model: &Model, plan: &Plan, owner: &ManagedType, r: Option<&Response>) -> (TokenStream, TokenStream) {
    match r {
        None => (quote!(()), quote!(crate::client::decode_unit)),
        Some(r) => {
            if let Some(m) = referred(model, owner, r) {
                let h = ident(&handle_name(m));
                return if r.nullable {
                    (quote!(Option<crate::mo::#h>), quote!(crate::client::decode_handle_opt::<crate::mo::#h>))
                } else {
                    (quote!(crate::mo::#h), quote!(crate::client::decode_handle::<crate::mo::#h>))
                };
            }
            let t = plan.owned_type(model, &r.ty).into_token_stream();
            if r.nullable {
                (quote!(Option<#t>), quote!(crate::client::decode_opt::<#t>))
            } else {
                (t.clone(), quote!(crate::client::decode::<#t>))
            }
        }
    }
}

fn method(model: &Model, plan: &Plan, owner: &ManagedType, x: &Method) -> TokenStream {
    let name = ident(&plan.method_name[&x.operation_id]);
    let member = proc_macro2::Literal::string(&x.name);
    let since = proc_macro2::Literal::string(crate::quirks::since_release(x.description.as_deref()).unwrap_or(""));
    let (ret, decode) = reply(model, plan, owner, x.response.as_ref());
    let mut params = TokenStream::new();
    let mut convert = TokenStream::new();
    let mut body = quote!(Ok(None));
    if let Some(req) = &x.request {
        let Kind::Request(o) = &model.schema(req).kind else { unreachable!("checked by the model") };
        let rt = ident(&plan.type_name[req]);
        let mut inits = TokenStream::new();
        for (f, rust) in o.fields.iter().zip(&plan.fields[req]) {
            let n = ident(rust);
            // A required string or list of strings takes any string type; optional ones stay
            // `Option<&str>` / `Option<&[&str]>`, where a generic would leave `None` untyped.
            match (&f.ty, f.required) {
                (Ty::String(_), true) => {
                    params.extend(quote!(#n: impl AsRef<str>,));
                    inits.extend(quote!(#n: #n.as_ref(),));
                }
                (Ty::Array(inner), true) if matches!(**inner, Ty::String(_)) => {
                    params.extend(quote!(#n: &[impl AsRef<str>],));
                    convert.extend(quote!(let #n: Vec<&str> = #n.iter().map(AsRef::as_ref).collect();));
                    inits.extend(quote!(#n: &#n,));
                }
                _ => {
                    let t = param_type(model, plan, f).elided();
                    params.extend(quote!(#n: #t,));
                    inits.extend(quote!(#n,));
                }
            }
        }
        body = quote!(crate::client::body(&crate::types::#rt { #inits }));
    }
    let mut extra = Vec::new();
    if let Some(req) = &x.request {
        extra.push(format!("Body: [`{}`](crate::types::{}).", req, plan.type_name[req]));
    }
    if let Some(d) = x.response.as_ref().and_then(|r| r.description.as_deref()) {
        extra.push(format!("Returns: {}", docs::text(d)));
    }
    if !x.faults.is_empty() {
        let list: Vec<String> = x.faults.iter().map(|f| format!("- `{f}`")).collect();
        extra.push(format!("# Faults\n{}", list.join("\n")));
    }
    extra.push(format!("`POST .../{}` (operation `{}`).", x.name, x.operation_id));
    let doc = docs::doc(x.description.as_deref(), &extra);
    let dep = docs::deprecated(x.deprecated);
    quote! {
        #doc
        #dep
        #[inline]
        pub fn #name(&self, #params) -> crate::Call<#ret> {
            #convert
            self.client.call(crate::client::HttpMethod::Post, Self::PATH, &self.reference.value, #member, #since, #body, #decode)
        }
    }
}

fn property(model: &Model, plan: &Plan, owner: &ManagedType, p: &Property) -> TokenStream {
    let name = ident(&plan.method_name[&p.operation_id]);
    let member = proc_macro2::Literal::string(&p.name);
    let since = proc_macro2::Literal::string(crate::quirks::since_release(p.description.as_deref()).unwrap_or(""));
    let (ret, decode) = reply(model, plan, owner, Some(&p.response));
    let mut extra = Vec::new();
    if let Some(d) = p.response.description.as_deref() {
        extra.push(docs::text(d));
    }
    extra.push(format!("`GET .../{}` (operation `{}`).", p.name, p.operation_id));
    let doc = docs::doc(p.description.as_deref(), &extra);
    let dep = docs::deprecated(p.deprecated);
    quote! {
        #doc
        #dep
        #[inline]
        pub fn #name(&self) -> crate::Call<#ret> {
            self.client.call(crate::client::HttpMethod::Get, Self::PATH, &self.reference.value, #member, #since, Ok(None), #decode)
        }
    }
}
