//! The HTTP side of the API: a [`Client`] that builds vi-json requests and decodes replies,
//! over a [`Transport`] (reqwest with rustls by default, or your own, for instance in tests).
//!
//! Every operation is `POST {base}/{Type}/{moId}/{Method}` with the `*RequestType` body, every
//! property read `GET {base}/{Type}/{moId}/{property}`; `base` is
//! `https://{host}/sdk/vim25/{release}`. The session travels in the header named by the
//! document's security scheme and is taken from any reply that sets it (`Login` does).
//!
//! A fault formats as its type and the server's message (`InvalidState: ...`); test for a type
//! anywhere in the fault hierarchy with [`Error::fault_is`].
//!
//! Every call goes through one request path ([`Client::execute`]) that bounds it in time,
//! retries transient failures of reads, logs in again once when the session has expired (see
//! [`crate::session`]) and, with the `tracing` feature, records a span. Build a client with
//! [`Client::builder`].

use crate::DecodeError;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A boxed, sendable future, as transports return it.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The two HTTP methods of the API: `GET` reads a property, `POST` invokes an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

/// One HTTP request, fully built.
///
/// Its `Debug` form shows neither the session id nor the body (a `Login` body holds a password).
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub method: HttpMethod,
    pub url: String,
    /// Header name and value pairs (content type, session).
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// How long to wait for the reply; `None`: the client's request timeout (its long-poll
    /// timeout for `WaitForUpdatesEx` and `WaitForUpdates`).
    pub timeout: Option<Duration>,
}

/// Headers whose values are secrets, left out of `Debug`.
fn is_secret_header(name: &str) -> bool {
    name.eq_ignore_ascii_case(crate::SESSION_HEADER) || name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("cookie")
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [(String, String)]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.iter().map(|(k, v)| (k, if is_secret_header(k) { "***" } else { v.as_str() }))).finish()
            }
        }
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &Headers(&self.headers))
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// One HTTP reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The value of header `name` (any case), if the reply has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends requests. Implement it to use another HTTP stack or to test without a server.
pub trait Transport: Send + Sync + 'static {
    fn send(&self, request: Request) -> BoxFuture<Result<Response, Error>>;
}

impl<F> Transport for F
where
    F: Fn(Request) -> BoxFuture<Result<Response, Error>> + Send + Sync + 'static,
{
    fn send(&self, request: Request) -> BoxFuture<Result<Response, Error>> {
        self(request)
    }
}

/// Everything that can go wrong calling the API. Matchable: each kind of failure has its own
/// variant, and none of their texts carries a password or a session id.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a fault (HTTP 500 and a MethodFault body); match on it, or
    /// test it with [`Error::fault_is`].
    #[error("server fault {0}")]
    Fault(Box<crate::Fault>),
    /// The endpoint answered with something other than vi-json, such as XML or a SOAP envelope:
    /// an ESXi host, or a vCenter older than 8.0.1, speaks only SOAP.
    #[error("the server does not speak vi-json (HTTP {status}, {content_type}): {excerpt}")]
    NotViJson {
        status: u16,
        /// The reply's `Content-Type`, or `no content type`.
        content_type: String,
        /// The start of the body, at most [`EXCERPT_LIMIT`] bytes.
        excerpt: String,
    },
    /// A reply that is neither a result nor a fault.
    #[error("unexpected HTTP status {status}: {excerpt}")]
    Status {
        status: u16,
        /// The start of the body, at most [`EXCERPT_LIMIT`] bytes.
        excerpt: String,
    },
    /// No reply within the time allowed (the request timeout, or a wait's own timeout).
    #[error("timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// The connection failed: refused, reset, a TLS error, a certificate that is not trusted.
    #[error("transport: {0}")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A reply that is vi-json but not what the operation returns; the error names the member.
    #[error("could not decode the reply: {0}")]
    Decode(#[from] DecodeError),
    #[error("could not encode the request: {0}")]
    Encode(#[source] serde_json::Error),
    /// An operation or property newer than the session's release; nothing was sent.
    #[error("{member} is new in release {since}, and this session speaks {release}")]
    UnsupportedRelease {
        /// `Type.Method` or `Type.property`.
        member: String,
        since: &'static str,
        release: String,
    },
    /// Release negotiation found no release both sides speak.
    #[error("the server supports none of the releases offered: {}", offered.join(", "))]
    NoCommonRelease { offered: Vec<String> },
    /// A reference given for a handle of another type ([`crate::mo`] handles' `from_ref`).
    #[error("a reference to {found} cannot be held as a {expected}")]
    WrongType { expected: &'static str, found: String },
    /// The server lacks something the call needs, such as a manager its `ServiceContent` does
    /// not list (an ESXi host has no `ViewManager`).
    #[error("the server has no {0}")]
    Missing(&'static str),
    /// The client was configured with something it cannot use (a bad CA PEM, thumbprint, URL).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A reply larger than the client accepts (see
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)):
    /// refused on its declared `Content-Length` before any of its body was read, or as soon as
    /// the body read (decompressed, for a gzip reply) passed the limit.
    #[error("the reply to {call} is larger than the limit of {limit} bytes{}", declared.map(|n| format!(" (it declares {n})")).unwrap_or_default())]
    ResponseTooLarge {
        /// The call: `Type.Member` of an operation or property read, otherwise the URL's path.
        call: String,
        /// The limit in force, in bytes.
        limit: u64,
        /// The reply's `Content-Length`, when it declared one above the limit.
        declared: Option<u64>,
    },
}

/// The most of a body that an error keeps.
pub const EXCERPT_LIMIT: usize = 1024;

/// The largest reply body a client reads unless configured otherwise (1 GiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1 << 30;

/// The call a request URL stands for, for [`Error::ResponseTooLarge`]: `Type.Member` of an API
/// call (`{base}/{Type}/{moId}/{Member}`), otherwise the URL's path and query (never its
/// authority, which may hold credentials).
fn call_name(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let plain = path.split(['?', '#']).next().unwrap_or_default();
    if plain.contains("/sdk/") {
        let mut segments = plain.rsplit('/');
        if let (Some(member), Some(_id), Some(type_name)) = (segments.next(), segments.next(), segments.next()) {
            return format!("{type_name}.{member}");
        }
    }
    path.to_owned()
}

/// [`Error::ResponseTooLarge`] for a reply to `url`.
fn too_large(url: &str, limit: u64, declared: Option<u64>) -> Error {
    Error::ResponseTooLarge { call: call_name(url), limit, declared }
}

/// The start of `body` as text, at most [`EXCERPT_LIMIT`] bytes, cut at a character boundary.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_LIMIT)]);
    let mut end = text.len().min(EXCERPT_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].trim_end_matches('\u{fffd}').to_owned()
}

impl Error {
    /// The fault, when the server answered with one.
    pub fn fault(&self) -> Option<&crate::Fault> {
        match self {
            Error::Fault(f) => Some(f),
            _ => None,
        }
    }

    /// Whether the server answered with a fault of type `T` or of a subtype of it:
    /// `err.fault_is::<InvalidState>()` holds for an `InvalidPowerState` fault too.
    pub fn fault_is<T: crate::object::Object + crate::object::Blank>(&self) -> bool {
        self.fault().is_some_and(|f| f.fault_is::<T>())
    }

    /// The fault, when it is exactly a `T` (for its members; see [`Error::fault_is`] to test
    /// for a type and its subtypes).
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        self.fault()?.downcast_ref::<T>()
    }
}

/// A connection to one endpoint. Cheap to clone; clones share the session.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// How a client bounds and repeats its calls.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub(crate) request_timeout: Duration,
    /// For `WaitForUpdatesEx` and `WaitForUpdates`, which the server holds open; never shorter
    /// than `request_timeout`.
    pub(crate) long_poll_timeout: Duration,
    /// Further attempts of a read that failed in a transient way.
    pub(crate) retries: u32,
    /// Idle time after which the session is kept alive with a cheap call; `None`: never.
    pub(crate) keep_alive: Option<Duration>,
    /// The largest reply body accepted, in bytes.
    pub(crate) max_response_bytes: u64,
    /// Requests the client has on the wire at once; at least 1.
    pub(crate) max_concurrent_requests: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            long_poll_timeout: DEFAULT_LONG_POLL_TIMEOUT,
            retries: DEFAULT_RETRIES,
            keep_alive: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
        }
    }
}

/// How long a call waits for its reply unless configured otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How long `WaitForUpdatesEx` and `WaitForUpdates` wait unless configured otherwise.
pub const DEFAULT_LONG_POLL_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// Further attempts of a read after a transient failure, unless configured otherwise.
pub const DEFAULT_RETRIES: u32 = 3;
/// How many requests a client (with its clones) has on the wire at once unless configured
/// otherwise. HTTP/1.1 carries one request per connection at a time, so this also bounds the
/// connections the client opens to the server; calls beyond it wait for a free slot.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 32;

/// The session token and its generation, which changes whenever the token does: a call that
/// failed for want of a session knows from it whether someone has logged in since it was sent.
#[derive(Default)]
struct SessionState {
    token: Option<String>,
    generation: u64,
}

// The session state and the per-client state serve the service-layer helpers (session, task,
// property ...), which a build without the `vim25` feature, or a document without that layer,
// leaves out.
#[allow(dead_code)]
pub(crate) struct Inner {
    base: String,
    /// The release in the base URL, which the session speaks.
    release: String,
    transport: Box<dyn Transport>,
    session: Mutex<SessionState>,
    /// State the helper modules keep per client (one value per type; see [`Client::shared`]).
    shared: Mutex<Vec<Arc<dyn std::any::Any + Send + Sync>>>,
    pub(crate) options: Options,
    /// The user and password to log in with again when the session expires.
    pub(crate) credentials: Mutex<Option<(String, crate::Password)>>,
    /// Held while logging in, so that concurrent calls that find the session expired log in once.
    pub(crate) login_lock: tokio::sync::Mutex<()>,
    /// When a reply last arrived (for the keep-alive).
    last_used: Mutex<Instant>,
    /// One permit per request on the wire (see [`DEFAULT_MAX_CONCURRENT_REQUESTS`]): without
    /// it a burst of calls opens a connection per call, as the HTTP/1.1 pool has no limit of
    /// its own.
    in_flight: tokio::sync::Semaphore,
    /// Dropping it (logout, or this client's end) ends the keep-alive task.
    pub(crate) keep_alive: Mutex<Option<tokio::sync::watch::Sender<()>>>,
}

/// Locks a std mutex, also after a panic elsewhere (the values here stay consistent).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field("release", &self.inner.release)
            .field("logged_in", &lock(&self.inner.session).token.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `base` (`https://vc.example.com/sdk/vim25/9.1.1.0`, no trailing slash needed).
    pub fn new(base: impl Into<String>, transport: impl Transport) -> Self {
        let base = base.into().trim_end_matches('/').to_owned();
        let last = base.rsplit('/').next().unwrap_or_default();
        let release = if crate::release::is_release(last) { last.to_owned() } else { crate::RELEASE.to_owned() };
        Self::from_parts(base, release, Box::new(transport), Options::default())
    }

    pub(crate) fn from_parts(base: String, release: String, transport: Box<dyn Transport>, options: Options) -> Self {
        let permits = options.max_concurrent_requests.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        Self {
            inner: Arc::new(Inner {
                base,
                release,
                transport,
                session: Mutex::new(SessionState::default()),
                shared: Mutex::new(Vec::new()),
                options,
                credentials: Mutex::new(None),
                login_lock: tokio::sync::Mutex::new(()),
                last_used: Mutex::new(Instant::now()),
                in_flight: tokio::sync::Semaphore::new(permits),
                keep_alive: Mutex::new(None),
            }),
        }
    }

    /// A client for `host` at the release this crate was generated from.
    pub fn for_host(host: &str, transport: impl Transport) -> Self {
        Self::for_url(&format!("https://{host}"), transport)
    }

    /// A client for the server at `url` (`http://127.0.0.1:8080`, `https://vc.example.com`):
    /// requests go to `{url}/sdk/vim25/{release}`, at the release this crate was generated from.
    pub fn for_url(url: &str, transport: impl Transport) -> Self {
        Self::new(format!("{}/sdk/vim25/{}", url.trim_end_matches('/'), crate::RELEASE), transport)
    }

    /// The base URL of requests: `{server}/sdk/vim25/{release}`.
    pub fn base(&self) -> &str {
        &self.inner.base
    }

    /// The API release this client speaks: negotiated, pinned, or the last segment of its base URL.
    pub fn release(&self) -> &str {
        &self.inner.release
    }

    /// How long `WaitForUpdatesEx` and `WaitForUpdates` may take before they fail with
    /// [`Error::Timeout`]; a wait's own `maxWaitSeconds` should be well below it.
    pub fn long_poll_timeout(&self) -> Duration {
        self.inner.options.long_poll_timeout
    }

    /// The current session token, if logged in. It is a secret: do not log it.
    pub fn session(&self) -> Option<String> {
        lock(&self.inner.session).token.clone()
    }

    /// Uses an existing session token (for instance one shared with another process).
    pub fn set_session(&self, token: Option<String>) {
        let mut state = lock(&self.inner.session);
        state.token = token;
        state.generation += 1;
    }

    pub(crate) fn touch(&self) {
        *lock(&self.inner.last_used) = Instant::now();
    }

    /// Builds the request of an operation or property read.
    pub fn request(&self, method: HttpMethod, type_path: &str, id: &str, member: &str, body: Option<Vec<u8>>) -> Request {
        let mut url = String::with_capacity(self.inner.base.len() + type_path.len() + id.len() + member.len() + 2);
        url.push_str(&self.inner.base);
        url.push_str(type_path);
        url.push('/');
        url.extend(percent_encoding::utf8_percent_encode(id, SEGMENT));
        url.push('/');
        url.push_str(member);
        let mut headers = Vec::with_capacity(2);
        if body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        if let Some(token) = self.session() {
            headers.push((crate::SESSION_HEADER.to_owned(), token));
        }
        Request { method, url, headers, body, timeout: None }
    }

    /// Sends a request; resolves to the reply body, or the fault or failure.
    ///
    /// The request goes out with the client's current session once one of the client's request
    /// slots is free (see [`DEFAULT_MAX_CONCURRENT_REQUESTS`]) and any login under way has
    /// ended; the calls of logging in and out take no slot, so that a login does not queue
    /// behind the calls waiting for it. It fails with [`Error::Timeout`] when no reply comes in
    /// time, those waits included; a read (a property, or one of the property collector's reads) that meets a transient failure (HTTP 502, 503, 504, a
    /// connection reset) is sent again after a pause that doubles each time, up to the
    /// configured number of retries. A call that finds the session expired (`NotAuthenticated`)
    /// while the client holds credentials logs in again, once for all calls that found it so,
    /// and is sent once more.
    pub fn execute(&self, request: Request) -> BoxFuture<Result<Vec<u8>, Error>> {
        let client = self.clone();
        #[cfg(feature = "tracing")]
        {
            let span = call_span(&request);
            Box::pin(tracing::Instrument::instrument(async move { client.run(request).await }, span))
        }
        #[cfg(not(feature = "tracing"))]
        Box::pin(async move { client.run(request).await })
    }

    async fn run(&self, request: Request) -> Result<Vec<u8>, Error> {
        #[cfg(feature = "tracing")]
        let started = Instant::now();
        let member = member_of(&request.url).to_owned();
        let mut logged_in_again = false;
        let result = loop {
            // the session generation the last attempt went out with
            let mut generation = self.session_generation();
            match self.send_retrying(&request, &member, &mut generation).await {
                Err(e) if !logged_in_again && self.should_log_in_again(&e, &member) => {
                    logged_in_again = true;
                    if let Err(login) = crate::service::log_in_again(self, generation).await {
                        break Err(login);
                    }
                }
                other => break other,
            }
        };
        #[cfg(feature = "tracing")]
        tracing::Span::current().record("duration_ms", started.elapsed().as_millis() as u64);
        result
    }

    /// Puts the client's current session into `request`; the session's generation.
    fn stamp_session(&self, request: &mut Request) -> u64 {
        let state = lock(&self.inner.session);
        if let Some(token) = &state.token {
            match request.headers.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(crate::SESSION_HEADER)) {
                Some((_, v)) => v.clone_from(token),
                None => request.headers.push((crate::SESSION_HEADER.to_owned(), token.clone())),
            }
        }
        state.generation
    }

    /// Takes the session a reply set: from a login at any time, otherwise only while the
    /// session the request went out with is current (a late reply to an old session must not
    /// undo a newer login).
    fn take_session(&self, token: &str, generation: u64, member: &str) {
        let mut state = lock(&self.inner.session);
        if state.token.as_deref() != Some(token) && (state.generation == generation || makes_session(member)) {
            state.token = Some(token.to_owned());
            state.generation += 1;
        }
    }

    /// Waits for a request slot, then for a login again under way (which drops the expired
    /// session first, so a client between sessions that holds credentials is renewing its
    /// session, or failed to): a call sent meanwhile would only be refused. The semaphore is
    /// never closed; were it, the request would go out without a slot.
    async fn slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let permit = self.inner.in_flight.acquire().await.ok();
        let renewing = lock(&self.inner.session).token.is_none() && lock(&self.inner.credentials).is_some();
        if renewing {
            drop(self.inner.login_lock.lock().await);
        }
        permit
    }

    fn should_log_in_again(&self, error: &Error, member: &str) -> bool {
        crate::service::is_not_authenticated(error) && !never_logs_in_again(member) && lock(&self.inner.credentials).is_some()
    }

    /// Sends `request` and the retries of a read; `generation` is set to the session
    /// generation of the last attempt.
    async fn send_retrying(&self, request: &Request, member: &str, generation: &mut u64) -> Result<Vec<u8>, Error> {
        let retries = if is_read(request.method, member) { self.inner.options.retries } else { 0 };
        let mut pause = Duration::from_millis(100);
        let mut attempt = 0;
        loop {
            match self.send_once(request.clone(), member, generation).await {
                Err(e) if attempt < retries && is_transient(&e) => {
                    attempt += 1;
                    tokio::time::sleep(pause).await;
                    pause = pause.saturating_mul(2);
                }
                other => return other,
            }
        }
    }

    /// One attempt: waits for a request slot, puts the current session in, sends; `generation`
    /// is set to the session generation it went out with.
    async fn send_once(&self, mut request: Request, member: &str, generation: &mut u64) -> Result<Vec<u8>, Error> {
        let options = &self.inner.options;
        let limit = request.timeout.unwrap_or(if is_long_poll(member) { options.long_poll_timeout } else { options.request_timeout });
        #[cfg(feature = "tracing")]
        tracing::Span::current().record("bytes_out", request.body.as_ref().map_or(0, Vec::len) as u64);
        let url = request.url.clone();
        // The slot is held until the whole reply has arrived: the connection is busy until then.
        // The calls of a login take none: the calls waiting for a slot may be waiting for the
        // login, and it must not queue behind them. Nor do long polls, which the server holds
        // open for up to a minute: a few watches would otherwise starve every other call. The
        // session is put in once the request has its slot, so that calls that waited while the
        // session was renewed carry the new one.
        let send = async {
            let _slot = if never_logs_in_again(member) || is_long_poll(member) { None } else { self.slot().await };
            *generation = self.stamp_session(&mut request);
            self.inner.transport.send(request).await
        };
        let reply = with_timeout(limit, send).await?;
        // The reqwest transport stops reading at the limit; this holds a custom transport,
        // which has read the body already, to the same answer.
        if reply.body.len() as u64 > options.max_response_bytes {
            let declared = reply.header("content-length").and_then(|v| v.trim().parse().ok());
            return Err(too_large(&url, options.max_response_bytes, declared.filter(|&n| n > options.max_response_bytes)));
        }
        #[cfg(feature = "tracing")]
        {
            let span = tracing::Span::current();
            span.record("status", reply.status);
            span.record("bytes_in", reply.body.len() as u64);
        }
        self.touch();
        if let Some(token) = reply.header(crate::SESSION_HEADER) {
            self.take_session(token, *generation, member);
        }
        classify(reply)
    }

    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn call<T>(
        &self,
        method: HttpMethod,
        type_path: &str,
        id: &str,
        member: &str,
        since: &'static str,
        body: Result<Option<Body>, serde_json::Error>,
        decode: fn(&Client, &[u8]) -> Result<T, Error>,
    ) -> Call<T> {
        let future = match self.checked(since, type_path, member, body) {
            Ok(body) => self.execute(self.request(method, type_path, id, member, body)),
            Err(e) => failed(e),
        };
        Call { future, client: self.clone(), decode, _t: PhantomData }
    }
}

// What the service-layer helpers (session, task, property ...) need of a client; unused where
// they are left out (see `Inner`).
#[allow(dead_code)]
impl Client {
    /// The one value of type `T` this client and its clones share, made on first use: the
    /// helper modules keep their per-client state here (the cached `ServiceContent`, the task
    /// watcher's shared property filter).
    pub(crate) fn shared<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut all = lock(&self.inner.shared);
        if let Some(found) = all.iter().find_map(|v| v.clone().downcast::<T>().ok()) {
            return found;
        }
        let made = Arc::new(T::default());
        all.push(made.clone());
        made
    }

    /// The generation of the session (see [`SessionState`]).
    pub(crate) fn session_generation(&self) -> u64 {
        lock(&self.inner.session).generation
    }

    pub(crate) fn weak(&self) -> Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// How long since a reply last arrived.
    pub(crate) fn idle_for(&self) -> Duration {
        lock(&self.inner.last_used).elapsed()
    }
}

/// Waits for `future` at most `limit`. Outside a tokio runtime (a custom transport driven by
/// another executor) there is no timer, and the transport's own limits apply.
pub(crate) async fn with_timeout(limit: Duration, future: impl Future<Output = Result<Response, Error>>) -> Result<Response, Error> {
    if tokio::runtime::Handle::try_current().is_err() {
        return future.await;
    }
    match tokio::time::timeout(limit, future).await {
        Ok(reply) => reply,
        Err(_) => Err(Error::Timeout(limit)),
    }
}

/// The member a request URL names: its last path segment.
fn member_of(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    path.rsplit('/').next().unwrap_or_default()
}

/// Operations that make a session: the one in their reply is taken whenever it comes.
fn makes_session(member: &str) -> bool {
    member.starts_with("Login") || member == "CloneSession"
}

/// Operations after which the client does not log in again: from those that make or end a
/// session a `NotAuthenticated` is the answer, not an expired session; `RetrieveServiceContent`
/// needs no session, and logging in calls it, so it must not wait for a login itself.
fn never_logs_in_again(member: &str) -> bool {
    makes_session(member) || matches!(member, "Logout" | "RetrieveServiceContent")
}

/// Operations the server holds open until something changes.
fn is_long_poll(member: &str) -> bool {
    matches!(member, "WaitForUpdatesEx" | "WaitForUpdates")
}

/// Calls that change nothing on the server, and so may be sent again: every property read, and
/// the operations that only read.
fn is_read(method: HttpMethod, member: &str) -> bool {
    method == HttpMethod::Get
        || matches!(
            member,
            "RetrievePropertiesEx" | "ContinueRetrievePropertiesEx" | "RetrieveProperties" | "WaitForUpdatesEx" | "WaitForUpdates" | "RetrieveServiceContent" | "CurrentTime"
        )
}

/// Failures worth another attempt of a read: a gateway or an overloaded server, or a connection
/// dropped under the request. A refused connection is not: nothing listens there.
fn is_transient(error: &Error) -> bool {
    match error {
        Error::Status { status, .. } => matches!(status, 502..=504),
        Error::Transport(e) => {
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e.as_ref());
            while let Some(e) = source {
                if let Some(io) = e.downcast_ref::<std::io::Error>() {
                    return matches!(
                        io.kind(),
                        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::UnexpectedEof
                    );
                }
                source = e.source();
            }
            false
        }
        _ => false,
    }
}

/// A reply as a result: the body of a success, or the error it stands for.
pub(crate) fn classify(reply: Response) -> Result<Vec<u8>, Error> {
    if !speaks_vi_json(&reply) {
        return Err(Error::NotViJson {
            status: reply.status,
            content_type: reply.header("content-type").unwrap_or("no content type").to_owned(),
            excerpt: excerpt(&reply.body),
        });
    }
    match reply.status {
        200..=299 => Ok(reply.body),
        500 => match crate::from_slice::<crate::Fault>(&reply.body) {
            Ok(fault) => Err(Error::Fault(Box::new(fault))),
            Err(_) => Err(status_error(reply)),
        },
        _ => Err(status_error(reply)),
    }
}

/// False for a reply that shows the endpoint speaks something else: XML or a SOAP envelope at
/// any status, or a web page where a result should be. An HTML page with an error status is a
/// proxy's or web server's error page, reported as [`Error::Status`].
fn speaks_vi_json(reply: &Response) -> bool {
    let content_type = reply.header("content-type").unwrap_or_default().to_ascii_lowercase();
    let start = reply.body.iter().position(|b| !b.is_ascii_whitespace()).map_or(&[][..], |i| &reply.body[i..]);
    let start = String::from_utf8_lossy(&start[..start.len().min(16)]).to_ascii_lowercase();
    let xml = content_type.contains("xml") || start.starts_with("<?xml") || start.starts_with("<soapenv:") || start.starts_with("<soap:");
    let html = content_type.starts_with("text/html") || start.starts_with("<html") || start.starts_with("<!doctype html");
    !(xml || html && (200..300).contains(&reply.status))
}

/// The span of one call: `Type.Member`, the moId, and what the reply brought.
#[cfg(feature = "tracing")]
fn call_span(request: &Request) -> tracing::Span {
    let path = request.url.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.rsplit('/');
    let member = segments.next().unwrap_or_default();
    let id = segments.next().unwrap_or_default();
    let type_name = segments.next().unwrap_or_default();
    tracing::debug_span!(
        "vim25.call",
        operation = %format_args!("{type_name}.{member}"),
        mo_id = %id,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        bytes_out = tracing::field::Empty,
        bytes_in = tracing::field::Empty,
    )
}

/// Kept out of [`Client::call`], which is compiled once per reply type.
fn failed(e: Error) -> BoxFuture<Result<Vec<u8>, Error>> {
    Box::pin(std::future::ready(Err(e)))
}

fn status_error(reply: Response) -> Error {
    Error::Status { status: reply.status, excerpt: excerpt(&reply.body) }
}

/// Characters escaped in a moId path segment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// An API call in flight; `.await` it for the decoded result.
///
/// Operations return this named future rather than being `async fn`s, so that the thousands
/// of operations share one request path instead of each compiling its own state machine.
#[must_use = "a call does nothing until awaited"]
pub struct Call<T> {
    future: BoxFuture<Result<Vec<u8>, Error>>,
    /// For the handles a reply may be decoded into.
    client: Client,
    decode: fn(&Client, &[u8]) -> Result<T, Error>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Future for Call<T> {
    type Output = Result<T, Error>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.future.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Ready(Ok(body)) => Poll::Ready((self.decode)(&self.client, &body)),
        }
    }
}

/// Serializes a request body.
#[doc(hidden)]
pub fn body(value: &dyn crate::ser::Encode) -> Result<Option<Body>, serde_json::Error> {
    let (bytes, newest) = crate::ser::to_vec_with_since(value)?;
    Ok(Some(Body { bytes, newest }))
}

/// An encoded request body and the newest type in it, by the release that introduced it.
#[doc(hidden)]
pub struct Body {
    bytes: Vec<u8>,
    newest: Option<crate::ser::Newest>,
}

impl Client {
    /// The body of a call to `member`, when the session's release has the member and every type
    /// in the body; kept out of [`Client::call`], which is compiled once per reply type.
    fn checked(&self, since: &'static str, type_path: &str, member: &str, body: Result<Option<Body>, serde_json::Error>) -> Result<Option<Vec<u8>>, Error> {
        crate::release::check(self.release(), since, type_path, member)?;
        let Some(body) = body.map_err(Error::Encode)? else { return Ok(None) };
        if let Some(newest) = body.newest {
            crate::release::check_type(self.release(), newest)?;
        }
        Ok(Some(body.bytes))
    }
}

// The reply decoders and `Client::call` are instantiated for each operation's reply type, and
// are `#[inline]` so that each instantiation is compiled with the handle method that uses it
// (the reason is `de::Decode`'s).

/// A reply that must hold a value.
#[doc(hidden)]
#[inline]
pub fn decode<T: crate::de::Decode>(_: &Client, body: &[u8]) -> Result<T, Error> {
    Ok(crate::from_slice(body)?)
}

/// A reply that may be empty or `null`.
#[doc(hidden)]
#[inline]
pub fn decode_opt<T: crate::de::Decode>(_: &Client, body: &[u8]) -> Result<Option<T>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    Ok(crate::from_slice(body)?)
}

/// A reply without content (HTTP 204).
#[doc(hidden)]
pub fn decode_unit(_: &Client, _: &[u8]) -> Result<(), Error> {
    Ok(())
}

/// A managed object handle ([`crate::mo`]): a client and a reference to an object of the
/// handle's type or of a subtype of it.
pub trait Handle: Sized {
    /// The managed object type name.
    const TYPE: &'static str;

    /// A handle to `reference`, whose type is not checked (replies documented to refer to an
    /// object of this type).
    #[doc(hidden)]
    fn from_parts(client: &Client, reference: crate::types::ManagedObjectReference) -> Self;

    fn reference(&self) -> &crate::types::ManagedObjectReference;
}

/// A reply documented to refer to an object of type `H`, as a handle. The reference is kept as
/// the server gave it: the operation has happened, and its result is not dropped over its type.
#[doc(hidden)]
#[inline]
pub fn decode_handle<H: Handle>(client: &Client, body: &[u8]) -> Result<H, Error> {
    Ok(H::from_parts(client, crate::from_slice(body)?))
}

/// The same for a reply that may be empty or `null`.
#[doc(hidden)]
#[inline]
pub fn decode_handle_opt<H: Handle>(client: &Client, body: &[u8]) -> Result<Option<H>, Error> {
    Ok(decode_opt(client, body)?.map(|r| H::from_parts(client, r)))
}

/// Checks that `reference` may be held as a handle of type `expected` (see the handles'
/// `from_ref`); `is_a` is the managed type hierarchy.
#[doc(hidden)]
pub fn check_type(reference: &crate::types::ManagedObjectReference, expected: &'static str, is_a: fn(&str, &str) -> bool) -> Result<(), Error> {
    let found = reference.r#type.as_str();
    if is_a(found, expected) {
        Ok(())
    } else {
        Err(Error::WrongType { expected, found: found.to_owned() })
    }
}

#[cfg(feature = "reqwest")]
mod http {
    use super::*;

    /// The default transport: reqwest with rustls.
    ///
    /// It reads a reply body of at most [`DEFAULT_MAX_RESPONSE_BYTES`] unless configured
    /// otherwise ([`ReqwestTransport::max_response_bytes`]).
    #[derive(Clone, Debug)]
    pub struct ReqwestTransport {
        client: reqwest::Client,
        max_response_bytes: u64,
    }

    /// How much of a body is reserved before reading it, at most: a declared length is the
    /// server's word, not yet bytes received.
    const PREALLOCATE_LIMIT: u64 = 4 << 20;

    impl ReqwestTransport {
        /// Uses a configured reqwest client (timeouts, proxies, certificates).
        pub fn new(client: reqwest::Client) -> Self {
            Self { client, max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES }
        }

        /// The largest reply body to read, in bytes (decompressed, for a gzip reply): a reply
        /// declaring a longer `Content-Length` is refused before its body is read, and reading
        /// any other stops as soon as it passes the limit; both fail with
        /// [`Error::ResponseTooLarge`].
        pub fn max_response_bytes(mut self, limit: u64) -> Self {
            self.max_response_bytes = limit;
            self
        }

        /// A transport that accepts the server's certificate only if it is valid, or any
        /// certificate when `accept_invalid_certs` (vCenter's self-signed default).
        pub fn with_certificate_check(accept_invalid_certs: bool) -> Result<Self, Error> {
            let client = reqwest::Client::builder()
                .danger_accept_invalid_certs(accept_invalid_certs)
                .build()
                .map_err(|e| Error::Transport(Box::new(e)))?;
            Ok(Self::new(client))
        }
    }

    impl Transport for ReqwestTransport {
        fn send(&self, request: Request) -> BoxFuture<Result<Response, Error>> {
            let client = self.client.clone();
            let limit = self.max_response_bytes;
            Box::pin(async move {
                let method = match request.method {
                    HttpMethod::Get => reqwest::Method::GET,
                    HttpMethod::Post => reqwest::Method::POST,
                };
                let mut builder = client.request(method, &request.url);
                for (k, v) in &request.headers {
                    builder = builder.header(k.as_str(), v.as_str());
                }
                if let Some(body) = request.body {
                    builder = builder.body(body);
                }
                let mut reply = builder.send().await.map_err(|e| Error::Transport(Box::new(e)))?;
                // the length of the body as it will be read: unknown for a reply reqwest decompresses
                let declared = reply.content_length();
                if let Some(n) = declared.filter(|&n| n > limit) {
                    return Err(too_large(&request.url, limit, Some(n)));
                }
                let status = reply.status().as_u16();
                let headers = reply
                    .headers()
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                    .collect();
                let mut body = Vec::with_capacity(declared.unwrap_or(0).min(PREALLOCATE_LIMIT) as usize);
                while let Some(chunk) = reply.chunk().await.map_err(|e| Error::Transport(Box::new(e)))? {
                    if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
                        return Err(too_large(&request.url, limit, None));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(Response { status, headers, body })
            })
        }
    }

    impl Client {
        /// A client for `host` over reqwest with rustls, verifying certificates.
        pub fn connect(host: &str) -> Result<Client, Error> {
            Ok(Client::for_host(host, ReqwestTransport::with_certificate_check(false)?))
        }

        /// A client for the server at `url` (`http://127.0.0.1:8080`; see [`Client::for_url`])
        /// over reqwest with rustls, verifying certificates.
        pub fn connect_url(url: &str) -> Result<Client, Error> {
            Ok(Client::for_url(url, ReqwestTransport::with_certificate_check(false)?))
        }
    }
}

#[cfg(feature = "reqwest")]
pub use http::ReqwestTransport;
