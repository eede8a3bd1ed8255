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

use crate::DecodeError;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// A boxed, sendable future, as transports return it.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

/// One HTTP request, fully built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: HttpMethod,
    pub url: String,
    /// Header name and value pairs (content type, session).
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// One HTTP reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
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
}

/// The most of a body that an error keeps.
pub const EXCERPT_LIMIT: usize = 1024;

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
    inner: Arc<Inner>,
}

struct Inner {
    base: String,
    /// The release in the base URL, which the session speaks.
    release: String,
    transport: Box<dyn Transport>,
    session: Mutex<Option<String>>,
    /// State the helper modules keep per client (one value per type; see [`Client::shared`]).
    shared: Mutex<Vec<Arc<dyn std::any::Any + Send + Sync>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.inner.base).finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `base` (`https://vc.example.com/sdk/vim25/9.1.1.0`, no trailing slash needed).
    pub fn new(base: impl Into<String>, transport: impl Transport) -> Self {
        let base = base.into().trim_end_matches('/').to_owned();
        let last = base.rsplit('/').next().unwrap_or_default();
        let release = if crate::release::is_release(last) { last.to_owned() } else { crate::RELEASE.to_owned() };
        Self { inner: Arc::new(Inner { base, release, transport: Box::new(transport), session: Mutex::new(None), shared: Mutex::new(Vec::new()) }) }
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

    pub fn base(&self) -> &str {
        &self.inner.base
    }

    /// The API release this client speaks: the last segment of its base URL.
    pub fn release(&self) -> &str {
        &self.inner.release
    }

    /// The one value of type `T` this client and its clones share, made on first use: the
    /// helper modules keep their per-client state here (the cached `ServiceContent`, the task
    /// watcher's shared property filter).
    pub(crate) fn shared<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut all = self.inner.shared.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = all.iter().find_map(|v| v.clone().downcast::<T>().ok()) {
            return found;
        }
        let made = Arc::new(T::default());
        all.push(made.clone());
        made
    }

    /// The current session token, if logged in.
    pub fn session(&self) -> Option<String> {
        self.inner.session.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Uses an existing session token (for instance one shared with another process).
    pub fn set_session(&self, token: Option<String>) {
        *self.inner.session.lock().unwrap_or_else(|e| e.into_inner()) = token;
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
        Request { method, url, headers, body }
    }

    /// Sends a request; resolves to the reply body, or the fault or failure.
    pub fn execute(&self, request: Request) -> BoxFuture<Result<Vec<u8>, Error>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let reply = inner.transport.send(request).await?;
            if let Some(token) = reply.header(crate::SESSION_HEADER) {
                *inner.session.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.to_owned());
            }
            match reply.status {
                200..=299 => Ok(reply.body),
                500 => match crate::from_slice::<crate::Fault>(&reply.body) {
                    Ok(fault) => Err(Error::Fault(Box::new(fault))),
                    Err(_) => Err(status_error(reply)),
                },
                _ => Err(status_error(reply)),
            }
        })
    }

    #[doc(hidden)]
    pub fn call<T>(
        &self,
        method: HttpMethod,
        type_path: &str,
        id: &str,
        member: &str,
        since: &'static str,
        body: Result<Option<Vec<u8>>, serde_json::Error>,
        decode: fn(&Client, &[u8]) -> Result<T, Error>,
    ) -> Call<T> {
        let future = match (crate::release::check(self.release(), since, type_path, member), body) {
            (Err(e), _) => failed(e),
            (Ok(()), Ok(body)) => self.execute(self.request(method, type_path, id, member, body)),
            (Ok(()), Err(e)) => failed(Error::Encode(e)),
        };
        Call { future, client: self.clone(), decode, _t: PhantomData }
    }
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
pub fn body(value: &dyn crate::ser::Encode) -> Result<Option<Vec<u8>>, serde_json::Error> {
    crate::ser::to_vec(value).map(Some)
}

/// A reply that must hold a value.
#[doc(hidden)]
pub fn decode<T: crate::de::Decode>(_: &Client, body: &[u8]) -> Result<T, Error> {
    Ok(crate::from_slice(body)?)
}

/// A reply that may be empty or `null`.
#[doc(hidden)]
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
pub fn decode_handle<H: Handle>(client: &Client, body: &[u8]) -> Result<H, Error> {
    Ok(H::from_parts(client, crate::from_slice(body)?))
}

/// The same for a reply that may be empty or `null`.
#[doc(hidden)]
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
    #[derive(Clone, Debug)]
    pub struct ReqwestTransport {
        client: reqwest::Client,
    }

    impl ReqwestTransport {
        /// Uses a configured reqwest client (timeouts, proxies, certificates).
        pub fn new(client: reqwest::Client) -> Self {
            Self { client }
        }

        /// A transport that accepts the server's certificate only if it is valid, or any
        /// certificate when `accept_invalid_certs` (vCenter's self-signed default).
        pub fn with_certificate_check(accept_invalid_certs: bool) -> Result<Self, Error> {
            let client = reqwest::Client::builder()
                .danger_accept_invalid_certs(accept_invalid_certs)
                .build()
                .map_err(|e| Error::Transport(Box::new(e)))?;
            Ok(Self { client })
        }
    }

    impl Transport for ReqwestTransport {
        fn send(&self, request: Request) -> BoxFuture<Result<Response, Error>> {
            let client = self.client.clone();
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
                let reply = builder.send().await.map_err(|e| Error::Transport(Box::new(e)))?;
                let status = reply.status().as_u16();
                let headers = reply
                    .headers()
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                    .collect();
                let body = reply.bytes().await.map_err(|e| Error::Transport(Box::new(e)))?.to_vec();
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
