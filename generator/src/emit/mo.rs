//! `src/mo/`: a typed handle per managed object type, with a method per operation (inherited
//! ones included, as the document lists them under each type) and a getter per property.

use super::docs;
use super::types::param_type;
use super::{ident, tokens};
use crate::model::{Kind, ManagedType, Method, Model, Property, Response};
use crate::plan::{Plan, CORE};
use proc_macro2::TokenStream;
use quote::quote;

pub fn files<'a>(model: &'a Model, plan: &'a Plan) -> Vec<super::Job<'a>> {
    let mut out: Vec<super::Job<'a>> = Vec::new();
    let mut scope = crate::names::Scope::with_reserved(&["mod"]);
    let mut modules = Vec::new();
    for m in model.managed.values() {
        let module = scope.claim(crate::names::escape(&crate::names::snake(&m.name)).replace("r#", "r_"));
        out.push((format!("src/mo/{module}.rs"), Box::new(move || handle(model, plan, m))));
        modules.push((module, m));
    }
    out.push(("src/mo/mod.rs".to_owned(), Box::new(move || mod_rs(&modules))));
    out
}

fn mod_rs(modules: &[(String, &ManagedType)]) -> TokenStream {
    let mut mods = TokenStream::new();
    for (module, m) in modules {
        let cfg = feature_cfg(&m.namespace);
        let md = ident(module);
        let name = ident(&handle_name(m));
        mods.extend(quote!(#cfg mod #md; #cfg pub use #md::#name;));
    }
    let doc = docs::inner(&[
        " Managed object handles: one per managed object type, each method building one request.",
        "",
        " A handle is a [`Client`](crate::Client) plus a moId. Methods return a [`Call`](crate::Call)",
        " to `.await`; faults come back as [`Error::Fault`](crate::Error::Fault).",
    ]);
    quote!(#doc #mods)
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
        methods.extend(method(model, plan, x));
    }
    for p in &m.properties {
        methods.extend(property(model, plan, p));
    }
    let doc = docs::lines([
        format!(" Handle to a `{}` managed object (namespace `{}`).", m.name, m.namespace).as_str(),
        "",
        format!(" Requests go to `{{base}}{}/{{moId}}/{{member}}`.", type_path(m)).as_str(),
    ]);
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct #name {
            client: crate::Client,
            id: String,
        }

        impl #name {
            /// The managed object type name.
            pub const TYPE: &'static str = #wire;
            const PATH: &'static str = #path;

            /// A handle to the object `id` (its moId, such as `vm-42`).
            pub fn new(client: &crate::Client, id: impl Into<String>) -> Self {
                Self { client: client.clone(), id: id.into() }
            }

            /// The moId.
            pub fn id(&self) -> &str {
                &self.id
            }

            pub fn client(&self) -> &crate::Client {
                &self.client
            }

            #methods
        }
    }
}

fn reply(model: &Model, plan: &Plan, r: Option<&Response>) -> (TokenStream, TokenStream) {
    match r {
        None => (quote!(()), quote!(crate::client::decode_unit)),
        Some(r) => {
            let t = tokens(&plan.owned_type(model, &r.ty));
            if r.nullable {
                (quote!(Option<#t>), quote!(crate::client::decode_opt::<#t>))
            } else {
                (t.clone(), quote!(crate::client::decode::<#t>))
            }
        }
    }
}

fn method(model: &Model, plan: &Plan, x: &Method) -> TokenStream {
    let name = ident(&plan.members[&x.operation_id]);
    let member = proc_macro2::Literal::string(&x.name);
    let (ret, decode) = reply(model, plan, x.response.as_ref());
    let mut params = TokenStream::new();
    let mut body = quote!(Ok(None));
    if let Some(req) = &x.request {
        let Kind::Request(o) = &model.schema(req).kind else { unreachable!("checked by the model") };
        let rt = ident(&plan.rust[req]);
        let mut inits = TokenStream::new();
        for (f, rust) in o.fields.iter().zip(&plan.fields[req]) {
            let (t, _) = param_type(model, plan, f);
            let t = tokens(&t.replace("'a ", "'_ ").replace("&'_ ", "&"));
            let n = ident(rust);
            params.extend(quote!(#n: #t,));
            inits.extend(quote!(#n,));
        }
        body = quote!(crate::client::body(&crate::types::#rt { #inits }));
    }
    let mut extra = Vec::new();
    if let Some(req) = &x.request {
        extra.push(format!("Body: [`{}`](crate::types::{}).", req, plan.rust[req]));
    }
    if let Some(d) = x.response.as_ref().and_then(|r| r.description.as_deref()) {
        extra.push(format!("Returns: {d}"));
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
        pub fn #name(&self, #params) -> crate::Call<#ret> {
            self.client.call(crate::client::HttpMethod::Post, Self::PATH, &self.id, #member, #body, #decode)
        }
    }
}

fn property(model: &Model, plan: &Plan, p: &Property) -> TokenStream {
    let name = ident(&plan.members[&p.operation_id]);
    let member = proc_macro2::Literal::string(&p.name);
    let (ret, decode) = reply(model, plan, Some(&p.response));
    let mut extra = Vec::new();
    if let Some(d) = p.response.description.as_deref() {
        extra.push(d.to_owned());
    }
    extra.push(format!("`GET .../{}` (operation `{}`).", p.name, p.operation_id));
    let doc = docs::doc(p.description.as_deref(), &extra);
    let dep = docs::deprecated(p.deprecated);
    quote! {
        #doc
        #dep
        pub fn #name(&self) -> crate::Call<#ret> {
            self.client.call(crate::client::HttpMethod::Get, Self::PATH, &self.id, #member, Ok(None), #decode)
        }
    }
}
