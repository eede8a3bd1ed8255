//! Sessions: logging in and out, logging in again when a session expires, and keeping an idle
//! session alive.
//!
//! A client that logged in with [`Client::login`] (or was given credentials by
//! [`crate::connect::ClientBuilder::credentials`]) keeps them. When a call then fails with
//! `NotAuthenticated`, the session has expired: the client logs in again and sends the call
//! once more. Calls that fail so together log in once: the first takes the login lock and logs
//! in, the others find on taking it that the session has changed since they were sent, and
//! only send again. A call is sent again at most once, so a server that keeps refusing the new
//! session gets its `NotAuthenticated` back.
//!
//! While logged in, the client keeps the session alive by reading
//! `SessionManager.currentSession` whenever it has been idle for the keep-alive time (10
//! minutes unless configured otherwise; vCenter ends sessions idle for 30). The task doing
//! that holds no reference that keeps the client alive: it ends when the client and all its
//! clones are dropped, or on logout. Dropping a client does no network I/O; call
//! [`Client::logout`] to end the session on the server.

use crate::client::{lock, Client, Error};
use crate::types::UserSession;

impl Client {
    /// Logs in with a user name and password and keeps them, to log in again when the
    /// session expires; starts the keep-alive if the client has one.
    pub async fn login(&self, user: &str, password: &str) -> Result<UserSession, Error> {
        let _guard = self.inner.login_lock.lock().await;
        let session = self.login_call(user, password).await?;
        self.remember_credentials(Some((user.to_owned(), crate::Password::new(password))));
        self.start_keep_alive();
        Ok(session)
    }

    /// Ends the session on the server, forgets the credentials and stops the keep-alive. The
    /// client forgets its session even when the server's answer is an error.
    pub async fn logout(&self) -> Result<(), Error> {
        self.remember_credentials(None);
        // dropping the sender ends the keep-alive task
        drop(lock(&self.inner.keep_alive).take());
        let content = self.service_content().await;
        let result = match content {
            Ok(content) => match self.manager::<crate::mo::SessionManager>(content.session_manager.as_ref(), "SessionManager") {
                Ok(sessions) => sessions.logout().await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        self.set_session(None);
        result
    }

    /// The credentials kept for logging in again.
    fn remember_credentials(&self, credentials: Option<(String, crate::Password)>) {
        *lock(&self.inner.credentials) = credentials;
    }

    /// `SessionManager.Login`; the reply carries the new session, which the request path takes.
    async fn login_call(&self, user: &str, password: &str) -> Result<UserSession, Error> {
        let content = self.service_content().await?;
        let sessions = self.manager::<crate::mo::SessionManager>(content.session_manager.as_ref(), "SessionManager")?;
        sessions.login(user, password, None).await
    }

    /// Logs in again after a call sent with session generation `failed` found the session
    /// expired, unless another call already did.
    pub(crate) async fn log_in_again(&self, failed: u64) -> Result<(), Error> {
        let _guard = self.inner.login_lock.lock().await;
        if self.session_generation() != failed {
            return Ok(());
        }
        let Some((user, password)) = lock(&self.inner.credentials).clone() else {
            // logged out meanwhile: the call is sent again, and fails as it should
            return Ok(());
        };
        // The expired token is dropped first (a new generation), so that the login goes out
        // without it and calls sent meanwhile know to wait for this login.
        self.set_session(None);
        self.login_call(&user, password.expose()).await.map(drop)
    }

    /// Starts the task that keeps the session alive, replacing an earlier one.
    fn start_keep_alive(&self) {
        let Some(idle) = self.inner.options.keep_alive else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (stop, mut stopped) = tokio::sync::watch::channel(());
        // replacing the sender ends the task an earlier login started
        *lock(&self.inner.keep_alive) = Some(stop);
        let weak = self.weak();
        runtime.spawn(async move {
            loop {
                let wait = match weak.upgrade() {
                    Some(inner) => idle.saturating_sub(Client::from_inner(inner).idle_for()),
                    None => return,
                };
                // the sender is gone (logout, a new login, or the client's end) or nothing was
                // sent: either way the task ends
                if tokio::time::timeout(wait, stopped.changed()).await.is_ok() {
                    return;
                }
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                let client = Client::from_inner(inner);
                if client.idle_for() >= idle {
                    // counted as use even if it fails, so that a failing server is not pinged
                    // in a loop; the next call reports what is wrong
                    client.touch();
                    let _ = client.ping().await;
                }
            }
        });
    }

    /// The cheapest call that keeps a session alive.
    async fn ping(&self) -> Result<(), Error> {
        let content = self.service_content().await?;
        match content.session_manager.as_ref() {
            Some(reference) => crate::mo::SessionManager::from_ref(self, reference)?.current_session().await.map(drop),
            None => crate::mo::ServiceInstance::new(self, "ServiceInstance").current_time().await.map(drop),
        }
    }
}
