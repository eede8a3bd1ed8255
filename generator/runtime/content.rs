//! The service's `ServiceContent`: the references to its managers, read once per client.

use crate::client::{Client, Error};
use crate::types::ServiceContent;
use std::sync::Arc;

/// The cache behind [`Client::service_content`].
#[derive(Default)]
struct Content(tokio::sync::OnceCell<Arc<ServiceContent>>);

impl Client {
    /// The `ServiceContent` of the server (`ServiceInstance.RetrieveServiceContent`): the
    /// references to its root folder, property collector, session manager and other managers.
    /// Read on first use, then shared by this client and its clones.
    pub async fn service_content(&self) -> Result<Arc<ServiceContent>, Error> {
        let cache = self.shared::<Content>();
        let content = cache
            .0
            .get_or_try_init(|| async {
                let instance = crate::mo::ServiceInstance::new(self, "ServiceInstance");
                Ok::<_, Error>(Arc::new(instance.retrieve_service_content().await?))
            })
            .await?;
        Ok(content.clone())
    }

    /// A manager the `ServiceContent` may lack (an ESXi host has no `ViewManager`), as a handle;
    /// `what` names it in the error.
    pub(crate) fn manager<H: crate::client::Handle>(&self, reference: Option<&crate::types::ManagedObjectReference>, what: &'static str) -> Result<H, Error> {
        let reference = reference.ok_or(Error::Missing(what))?;
        Ok(H::from_parts(self, reference.clone()))
    }
}
