//! Finding inventory objects by path or by name, as typed handles.
//!
//! ```no_run
//! # async fn f(client: vim25::Client) -> Result<(), vim25::Error> {
//! // by inventory path: datacenter, then the folder under it, then the name
//! let vm = client.find().virtual_machine("DC0/vm/DC0_H0_VM0").await?;
//! // any handle type, by path or by name
//! let network = client.find().path::<vim25::mo::Network>("DC0/network/VM Network").await?;
//! let host = client.find().name::<vim25::mo::HostSystem>("DC0_H0").await?;
//! # Ok(()) }
//! ```
//!
//! An object found of another type than the one asked for is [`Error::WrongType`], not `None`:
//! the path named something, only not what the caller expected.

use crate::client::{Client, Error, Handle};
use crate::mo;
use crate::types::ManagedObjectReference;

/// `reference` as a handle of type `H`, if it refers to an `H` or to a subtype of it.
pub(crate) fn handle<H: Handle>(client: &Client, reference: ManagedObjectReference) -> Result<H, Error> {
    crate::client::check_type(&reference, H::TYPE, mo::is_a)?;
    Ok(H::from_parts(client, reference))
}

impl Client {
    /// Finds inventory objects; see [`Finder`].
    pub fn find(&self) -> Finder<'_> {
        Finder { client: self }
    }
}

/// Looks objects up by inventory path (`SearchIndex.FindByInventoryPath`) or by name (a
/// `ContainerView` over the inventory), from [`Client::find`].
#[derive(Debug, Clone, Copy)]
pub struct Finder<'a> {
    client: &'a Client,
}

impl Finder<'_> {
    /// The object at the inventory path `path` (`DC0/vm/DC0_H0_VM0`,
    /// `DC0/host/DC0_C0/DC0_C0_H0`, `DC0/network/VM Network`: a datacenter, its `vm`, `host`,
    /// `datastore` or `network` folder, then the names below it), as an `H`. `None` when
    /// nothing is there; [`Error::WrongType`] when something of another type is.
    pub async fn path<H: Handle>(&self, path: &str) -> Result<Option<H>, Error> {
        let content = self.client.service_content().await?;
        let search: mo::SearchIndex = self.client.manager(content.search_index.as_ref(), "SearchIndex")?;
        match search.find_by_inventory_path(path).await? {
            Some(found) => Ok(Some(handle(self.client, found.to_ref())?)),
            None => Ok(None),
        }
    }

    /// The child of `parent` (a folder, datacenter, compute resource or resource pool) named
    /// `name` (`SearchIndex.FindChild`), as an `H`.
    pub async fn child<H: Handle>(&self, parent: &ManagedObjectReference, name: &str) -> Result<Option<H>, Error> {
        let content = self.client.service_content().await?;
        let search: mo::SearchIndex = self.client.manager(content.search_index.as_ref(), "SearchIndex")?;
        match search.find_child(parent, name).await? {
            Some(found) => Ok(Some(handle(self.client, found.to_ref())?)),
            None => Ok(None),
        }
    }

    /// Every object of type `H` in the inventory named `name`. Names are unique only within a
    /// folder, so there may be several.
    pub async fn named<H: Handle>(&self, name: &str) -> Result<Vec<H>, Error> {
        let objects = self.client.retrieve(H::TYPE, &["name"]).await?;
        objects
            .into_iter()
            .filter(|o| o.str("name").is_ok_and(|n| n == name))
            .map(|o| handle(self.client, o.into_content().obj))
            .collect()
    }

    /// The first object of type `H` in the inventory named `name` (see [`Finder::named`] for
    /// all of them).
    pub async fn name<H: Handle>(&self, name: &str) -> Result<Option<H>, Error> {
        Ok(self.named::<H>(name).await?.into_iter().next())
    }

    /// Every object of type `H` in the inventory.
    pub async fn all<H: Handle>(&self) -> Result<Vec<H>, Error> {
        let content = self.client.service_content().await?;
        let views: mo::ViewManager = self.client.manager(content.view_manager.as_ref(), "ViewManager")?;
        let view = views.create_container_view(&content.root_folder, Some(&[H::TYPE]), true).await?;
        let found = view.view().await;
        let destroyed = view.destroy_view().await;
        let found = found?;
        destroyed?;
        found.into_iter().flatten().map(|r| handle(self.client, r)).collect()
    }

    /// The virtual machine or template at an inventory path (`DC0/vm/DC0_H0_VM0`).
    pub async fn virtual_machine(&self, path: &str) -> Result<Option<mo::VirtualMachine>, Error> {
        self.path(path).await
    }

    /// The host at an inventory path (`DC0/host/DC0_H0/DC0_H0`, `DC0/host/DC0_C0/DC0_C0_H0`).
    pub async fn host(&self, path: &str) -> Result<Option<mo::HostSystem>, Error> {
        self.path(path).await
    }

    /// The datacenter at an inventory path (`DC0`, `folder/DC1`).
    pub async fn datacenter(&self, path: &str) -> Result<Option<mo::Datacenter>, Error> {
        self.path(path).await
    }

    /// The datastore at an inventory path (`DC0/datastore/LocalDS_0`).
    pub async fn datastore(&self, path: &str) -> Result<Option<mo::Datastore>, Error> {
        self.path(path).await
    }

    /// The network (a standard port group or a distributed one) at an inventory path
    /// (`DC0/network/VM Network`).
    pub async fn network(&self, path: &str) -> Result<Option<mo::Network>, Error> {
        self.path(path).await
    }

    /// The folder at an inventory path (`DC0/vm`, `DC0/vm/templates`).
    pub async fn folder(&self, path: &str) -> Result<Option<mo::Folder>, Error> {
        self.path(path).await
    }

    /// The resource pool at an inventory path (`DC0/host/DC0_C0/Resources`).
    pub async fn resource_pool(&self, path: &str) -> Result<Option<mo::ResourcePool>, Error> {
        self.path(path).await
    }

    /// The cluster at an inventory path (`DC0/host/DC0_C0`).
    pub async fn cluster(&self, path: &str) -> Result<Option<mo::ClusterComputeResource>, Error> {
        self.path(path).await
    }
}
