//! What the client needs of the vSphere service layer, for a document without one (no
//! `SessionManager`, no `NotAuthenticated`): a session comes only from replies that set the
//! session header, and an expired one is not renewed. `service.rs` is the one for documents
//! with the layer.

use crate::client::{Client, Error};

/// Whether `error` says the session has expired: never known here.
pub(crate) fn is_not_authenticated(error: &Error) -> bool {
    let _ = error;
    false
}

/// Logging in needs a `SessionManager`, which this API does not have.
pub(crate) async fn login(client: &Client, user: &str, password: &str) -> Result<(), Error> {
    let _ = (client, user, password);
    Err(Error::Missing("SessionManager"))
}

/// Nothing to log in again with.
pub(crate) async fn log_in_again(client: &Client, failed: u64) -> Result<(), Error> {
    let _ = (client, failed);
    Ok(())
}
