//! Lists every virtual machine with its power state and the name of its host, read through a
//! `ContainerView` and `RetrievePropertiesEx`, a page at a time.
//!
//! `cargo run -p vim25 --example list_vms`, with `VIM25_URL` (or `VIM25_HOST`), `VIM25_USER`
//! and `VIM25_PASSWORD` as for the `connect` example.

use std::collections::HashMap;
use vim25::mo::{PropertyCollector, ServiceInstance, SessionManager, ViewManager};
use vim25::types::{Any, ManagedObjectReference, ObjectContent, ObjectSpec, PropertyFilterSpec, PropertySpec, RetrieveOptions, ServiceContent, TraversalSpec};

/// Every object of type `ty` in the inventory with the properties at `paths`.
async fn retrieve(client: &vim25::Client, content: &ServiceContent, ty: &str, paths: &[&str]) -> Result<Vec<ObjectContent>, Box<dyn std::error::Error>> {
    let views = ViewManager::from_ref(client, content.view_manager.as_ref().ok_or("no ViewManager: not a vCenter")?)?;
    let view = views.create_container_view(&content.root_folder, Some(&[ty]), true).await?;
    // from the view to the objects it shows
    let traversal = TraversalSpec { r#type: "ContainerView".into(), path: "view".into(), ..Default::default() };
    let spec = PropertyFilterSpec {
        prop_set: vec![PropertySpec { r#type: ty.into(), path_set: Some(paths.iter().map(|&p| p.into()).collect()), ..Default::default() }],
        object_set: vec![ObjectSpec { obj: view.to_ref(), skip: Some(true), select_set: Some(vec![traversal.into()]), extra: Default::default() }],
        ..Default::default()
    };
    let collector = PropertyCollector::from_ref(client, &content.property_collector)?;
    let mut page = collector.retrieve_properties_ex(&[spec], &RetrieveOptions { max_objects: Some(100), ..Default::default() }).await?;
    let mut objects = Vec::new();
    while let Some(result) = page {
        objects.extend(result.objects);
        page = match result.token {
            Some(token) => Some(collector.continue_retrieve_properties_ex(token).await?),
            None => None,
        };
    }
    view.destroy_view().await?;
    Ok(objects)
}

/// The value of property `name` of an object.
fn property<'a>(object: &'a ObjectContent, name: &str) -> Option<&'a Any> {
    object.prop_set.iter().flatten().find(|p| p.name == name).map(|p| &p.val)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = match std::env::var("VIM25_URL") {
        Ok(url) => vim25::Client::connect_url(&url)?,
        Err(_) => vim25::Client::connect(&std::env::var("VIM25_HOST")?)?,
    };
    let content = ServiceInstance::new(&client, "ServiceInstance").retrieve_service_content().await?;
    let sessions = SessionManager::from_ref(&client, content.session_manager.as_ref().ok_or("no SessionManager")?)?;
    sessions.login(std::env::var("VIM25_USER")?, std::env::var("VIM25_PASSWORD")?, None).await?;

    let hosts: HashMap<ManagedObjectReference, String> = retrieve(&client, &content, "HostSystem", &["name"])
        .await?
        .into_iter()
        .map(|h| {
            let name = property(&h, "name").and_then(Any::as_str).unwrap_or_default().to_owned();
            (h.obj, name)
        })
        .collect();
    // properties picked by path, not whole `runtime` or `summary` objects
    for vm in retrieve(&client, &content, "VirtualMachine", &["name", "runtime.powerState", "summary.runtime.host"]).await? {
        let name = property(&vm, "name").and_then(Any::as_str).unwrap_or_default();
        let power = match property(&vm, "runtime.powerState") {
            Some(Any::VirtualMachinePowerState(state)) => state.as_str(),
            _ => "unknown",
        };
        let host = property(&vm, "summary.runtime.host")
            .and_then(|h| h.downcast_ref::<ManagedObjectReference>())
            .and_then(|h| hosts.get(h))
            .map_or("-", String::as_str);
        println!("{name}\t{power}\t{host}");
    }
    sessions.logout().await?;
    Ok(())
}
