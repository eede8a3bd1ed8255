//! What the client needs of the vSphere service layer (the `SessionManager` to log in with, the
//! `NotAuthenticated` fault of an expired session), for a document that has it.
//! `service_none.rs` stands in for a document without one: its client then never logs in again.

use crate::client::{Client, Error};

/// Whether `error` says the session has expired or was never there.
pub(crate) fn is_not_authenticated(error: &Error) -> bool {
    #[cfg(feature = "vim25")]
    {
        error.fault_is::<crate::types::NotAuthenticated>()
    }
    #[cfg(not(feature = "vim25"))]
    {
        let _ = error;
        false
    }
}

/// Logs in (at connect, with the builder's credentials).
pub(crate) async fn login(client: &Client, user: &str, password: &str) -> Result<(), Error> {
    #[cfg(feature = "vim25")]
    {
        client.login(user, password).await.map(drop)
    }
    #[cfg(not(feature = "vim25"))]
    {
        let _ = (client, user, password);
        Err(Error::Config("logging in needs the `vim25` feature".into()))
    }
}

/// Logs in again after a call sent with session generation `failed` found the session expired.
pub(crate) async fn log_in_again(client: &Client, failed: u64) -> Result<(), Error> {
    #[cfg(feature = "vim25")]
    {
        client.log_in_again(failed).await
    }
    #[cfg(not(feature = "vim25"))]
    {
        let _ = (client, failed);
        Ok(())
    }
}
