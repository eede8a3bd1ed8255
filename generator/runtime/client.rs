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

/// Everything that can go wrong calling the API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a fault (HTTP 500 and a MethodFault body); match on it, or
    /// test it with [`Error::fault_is`].
    #[error("server fault {0}")]
    Fault(Box<crate::Fault>),
    /// A reference given for a handle of another type ([`crate::mo`] handles' `from_ref`).
    #[error("a reference to {found} cannot be held as a {expected}")]
    WrongType { expected: &'static str, found: String },
    #[error("could not decode the reply: {0}")]
    Decode(#[from] DecodeError),
    #[error("could not encode the request: {0}")]
    Encode(#[source] serde_json::Error),
    /// A reply that is neither a result nor a fault.
    #[error("unexpected HTTP status {status}: {body}")]
    Status { status: u16, body: String },
    #[error("transport: {0}")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
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
    transport: Box<dyn Transport>,
    session: Mutex<Option<String>>,
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
        Self { inner: Arc::new(Inner { base, transport: Box::new(transport), session: Mutex::new(None) }) }
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
        body: Result<Option<Vec<u8>>, serde_json::Error>,
        decode: fn(&Client, &[u8]) -> Result<T, Error>,
    ) -> Call<T> {
        let future = match body {
            Ok(body) => self.execute(self.request(method, type_path, id, member, body)),
            Err(e) => encode_failed(e),
        };
        Call { future, client: self.clone(), decode, _t: PhantomData }
    }
}

/// Kept out of [`Client::call`], which is compiled once per reply type.
fn encode_failed(e: serde_json::Error) -> BoxFuture<Result<Vec<u8>, Error>> {
    Box::pin(std::future::ready(Err(Error::Encode(e))))
}

fn status_error(reply: Response) -> Error {
    Error::Status { status: reply.status, body: String::from_utf8_lossy(&reply.body).into_owned() }
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
