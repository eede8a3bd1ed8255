//! Connecting to a server: the [`ClientBuilder`] behind [`Client::builder`], which sets up TLS,
//! timeouts and retries, agrees on an API release with the server and logs in.
//!
//! ```no_run
//! # async fn run() -> Result<(), vim25::Error> {
//! let client = vim25::Client::builder("vc.example.com")
//!     .credentials("administrator@vsphere.local", "secret")
//!     .user_agent("inventory-report", "1.0")
//!     .connect()
//!     .await?;
//! println!("speaking release {}", client.release());
//! client.logout().await?;
//! # Ok(()) }
//! ```
//!
//! Release negotiation: unless a release is pinned, the client offers its releases, newest
//! first, to `POST {server}/api/vcenter/system?action=hello` and speaks the one the server
//! picks; a server without that endpoint (HTTP 404) speaks `8.0.1.0`, the first vi-json release.

use crate::client::{classify, with_timeout, Client, Error, HttpMethod, Options, Request, Transport};
use std::fmt;
use std::time::Duration;

/// The release a server that does not know release negotiation speaks: the first with vi-json.
pub const FIRST_VI_JSON_RELEASE: &str = "8.0.1.0";

/// How long establishing a connection may take unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How idle a session may get before the client keeps it alive, unless configured otherwise.
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10 * 60);

/// Configures and opens a connection; made by [`Client::builder`].
///
/// Its `Debug` form shows the user name but never the password.
#[must_use = "a builder does nothing until `connect` is awaited"]
// without reqwest, the settings of the HTTP client are kept but not used
#[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
pub struct ClientBuilder {
    server: String,
    credentials: Option<(String, crate::Password)>,
    release: Option<String>,
    offered: Vec<String>,
    connect_timeout: Duration,
    options: Options,
    user_agent: String,
    proxy: Option<String>,
    gzip: bool,
    roots: Vec<Vec<u8>>,
    pinned: Option<String>,
    accept_invalid: bool,
    transport: Option<Box<dyn Transport>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("server", &self.server)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("release", &self.release)
            .field("offered", &self.offered)
            .field("connect_timeout", &self.connect_timeout)
            .field("options", &self.options)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy)
            .field("gzip", &self.gzip)
            .field("root_certificates", &self.roots.len())
            .field("pinned", &self.pinned)
            .field("accept_invalid_certificates", &self.accept_invalid)
            .field("custom_transport", &self.transport.is_some())
            .finish()
    }
}

impl Client {
    /// Starts configuring a connection to `server`: a host name (`vc.example.com`, reached over
    /// HTTPS) or a URL (`http://127.0.0.1:8989`, `https://vc.example.com:8443`).
    pub fn builder(server: &str) -> ClientBuilder {
        ClientBuilder {
            server: server.trim().to_owned(),
            credentials: None,
            release: None,
            offered: crate::RELEASES.iter().map(|r| (*r).to_owned()).collect(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            options: Options { keep_alive: Some(DEFAULT_KEEP_ALIVE), ..Options::default() },
            user_agent: format!("vim25-rs/{}", env!("CARGO_PKG_VERSION")),
            proxy: None,
            gzip: true,
            roots: Vec::new(),
            pinned: None,
            accept_invalid: false,
            transport: None,
        }
    }
}

/// The environment variables [`Client::from_env`] reads.
pub mod env {
    /// The server: a base URL (`http://127.0.0.1:8989`); read before [`HOST`].
    pub const URL: &str = "VIM25_URL";
    /// The server: a host name, reached over HTTPS.
    pub const HOST: &str = "VIM25_HOST";
    /// The user name; with [`PASSWORD`], the client logs in at connect.
    pub const USER: &str = "VIM25_USER";
    /// The password.
    pub const PASSWORD: &str = "VIM25_PASSWORD";
    /// A release to speak without negotiating (`8.0.2.0`).
    pub const RELEASE: &str = "VIM25_RELEASE";
    /// The SHA-256 thumbprint of the server's certificate, to accept exactly that one.
    pub const THUMBPRINT: &str = "VIM25_THUMBPRINT";
    /// A PEM file of CA certificates to trust besides the system's (a VMCA root).
    pub const CA_PEM: &str = "VIM25_CA_PEM";
}

impl Client {
    /// A builder configured from the environment, for scripts and the examples: the server from
    /// `VIM25_URL` or `VIM25_HOST`, credentials from `VIM25_USER` and `VIM25_PASSWORD` when both
    /// are set, and, when set, `VIM25_RELEASE`, `VIM25_THUMBPRINT` and `VIM25_CA_PEM` (see
    /// [`env`](mod@env)). Fails with [`Error::Config`] when neither server variable is set or the PEM file
    /// cannot be read; the other settings stay open to the builder's methods.
    pub fn from_env() -> Result<ClientBuilder, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let server = var(env::URL).or_else(|| var(env::HOST)).ok_or_else(|| Error::Config(format!("set {} (a base URL) or {} (a host name)", env::URL, env::HOST)))?;
        let mut builder = Client::builder(&server);
        if let (Some(user), Some(password)) = (var(env::USER), var(env::PASSWORD)) {
            builder = builder.credentials(user, password);
        }
        if let Some(release) = var(env::RELEASE) {
            builder = builder.release(release);
        }
        if let Some(thumbprint) = var(env::THUMBPRINT) {
            builder = builder.pin_certificate_sha256(&thumbprint);
        }
        if let Some(path) = var(env::CA_PEM) {
            let pem = std::fs::read(&path).map_err(|e| Error::Config(format!("{}={path}: {e}", env::CA_PEM)))?;
            builder = builder.add_root_certificate_pem(&pem);
        }
        Ok(builder)
    }
}

impl ClientBuilder {
    /// Logs in with these at connect, and again whenever the session expires.
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), crate::Password::new(password)));
        self
    }

    /// Speaks `release` (`8.0.2.0`) without asking the server.
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.release = Some(release.into());
        self
    }

    /// The releases offered in negotiation, newest first (default: every release this crate
    /// knows, [`crate::RELEASES`]).
    pub fn offer_releases(mut self, releases: &[&str]) -> Self {
        self.offered = releases.iter().map(|r| (*r).to_owned()).collect();
        self
    }

    /// How long establishing a connection (TCP and TLS) may take.
    pub fn connect_timeout(mut self, limit: Duration) -> Self {
        self.connect_timeout = limit;
        self
    }

    /// How long a call may wait for its reply (default 5 minutes).
    pub fn request_timeout(mut self, limit: Duration) -> Self {
        self.options.request_timeout = limit;
        self
    }

    /// How long `WaitForUpdatesEx` and `WaitForUpdates`, which the server holds open, may wait
    /// (default 15 minutes); never shorter than the request timeout.
    pub fn long_poll_timeout(mut self, limit: Duration) -> Self {
        self.options.long_poll_timeout = limit;
        self
    }

    /// Names the application in the `User-Agent` header: `app/1.0 vim25-rs/0.1.0`.
    pub fn user_agent(mut self, app_name: &str, app_version: &str) -> Self {
        self.user_agent = format!("{app_name}/{app_version} vim25-rs/{}", env!("CARGO_PKG_VERSION"));
        self
    }

    /// Sends every request through the proxy at `url` (`http://proxy:3128`).
    pub fn proxy(mut self, url: &str) -> Self {
        self.proxy = Some(url.to_owned());
        self
    }

    /// Whether to ask for gzip-compressed replies (default: yes).
    pub fn gzip(mut self, on: bool) -> Self {
        self.gzip = on;
        self
    }

    /// Also trusts the CA certificates in `pem` (a vCenter's VMCA root), besides the
    /// well-known roots. A PEM without a certificate fails [`ClientBuilder::connect`] with
    /// [`Error::Config`].
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.roots.push(pem.to_vec());
        self
    }

    /// Accepts exactly the server certificate whose SHA-256 fingerprint is `thumbprint`
    /// (`AB:CD:...` or plain hex), even self-signed, and no other; CA roots then play no part.
    pub fn pin_certificate_sha256(mut self, thumbprint: &str) -> Self {
        self.pinned = Some(thumbprint.to_owned());
        self
    }

    /// Accepts any server certificate: anyone on the path can then read and change the
    /// traffic, passwords included. Each client made so warns once when connecting. Prefer
    /// [`ClientBuilder::pin_certificate_sha256`] for a self-signed certificate.
    pub fn danger_accept_invalid_certificates(mut self) -> Self {
        self.accept_invalid = true;
        self
    }

    /// Keeps the session alive with a cheap call after it has been idle this long (default 10
    /// minutes); `None`: never.
    pub fn keep_alive(mut self, idle: Option<Duration>) -> Self {
        self.options.keep_alive = idle;
        self
    }

    /// How often a read is sent again after a transient failure (default 3). Only reads:
    /// an operation that may have changed something is never repeated.
    pub fn retries(mut self, max: u32) -> Self {
        self.options.retries = max;
        self
    }

    /// The largest reply body the client reads, in bytes (default 1 GiB,
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::client::DEFAULT_MAX_RESPONSE_BYTES)); for a gzip
    /// reply, the decompressed size. A reply whose `Content-Length` is larger is refused before
    /// its body is read; one without a length (chunked) or compressed is read until it passes
    /// the limit and refused there. Either fails the call with [`Error::ResponseTooLarge`], as
    /// does a body above the limit that a custom [`transport`](ClientBuilder::transport) has
    /// read whole.
    ///
    /// A `RetrievePropertiesEx` page or a large `HostConfigInfo` is a few megabytes; the limit
    /// is there so that a broken or hostile endpoint cannot make the client buffer without end.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.options.max_response_bytes = limit;
        self
    }

    /// How many requests the client and its clones have on the wire at once (default
    /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`](crate::client::DEFAULT_MAX_CONCURRENT_REQUESTS), 32; at
    /// least 1). Over HTTP/1.1 each request in flight holds a connection of its own, so this
    /// also bounds the connections opened to the server; further calls wait for a free slot,
    /// and that wait counts toward their request timeout. The calls of a login and the long
    /// polls (`WaitForUpdatesEx`, which watches and task waits keep open) take no slot.
    pub fn max_concurrent_requests(mut self, max: usize) -> Self {
        self.options.max_concurrent_requests = max;
        self
    }

    /// Sends requests through `transport` instead of reqwest; the TLS, proxy, gzip and
    /// user-agent settings then do not apply.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Box::new(transport));
        self
    }

    /// Opens the connection: agrees on a release with the server (unless one is pinned), logs
    /// in when credentials were given, and starts keeping the session alive.
    pub async fn connect(mut self) -> Result<Client, Error> {
        let server = server_url(&self.server)?;
        let transport = match self.transport.take() {
            Some(t) => t,
            None => self.http_transport()?,
        };
        let mut options = self.options.clone();
        options.long_poll_timeout = options.long_poll_timeout.max(options.request_timeout);
        let release = match self.release.take() {
            Some(release) => release,
            None => negotiate(transport.as_ref(), &server, &self.offered, options.request_timeout).await?,
        };
        if self.accept_invalid {
            warn_insecure(&server);
        }
        let client = Client::from_parts(format!("{server}/sdk/vim25/{release}"), release, transport, options);
        if let Some((user, password)) = self.credentials.take() {
            crate::service::login(&client, &user, password.expose()).await?;
        }
        Ok(client)
    }

    #[cfg(feature = "reqwest")]
    fn http_transport(&self) -> Result<Box<dyn Transport>, Error> {
        let mut builder = reqwest::Client::builder().connect_timeout(self.connect_timeout).user_agent(self.user_agent.as_str()).gzip(self.gzip);
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(reqwest::Proxy::all(proxy.as_str()).map_err(|e| Error::Config(format!("proxy {proxy:?}: {e}")))?);
        }
        if let Some(thumbprint) = &self.pinned {
            builder = builder.use_preconfigured_tls(tls::pinned(thumbprint)?);
        } else {
            for pem in &self.roots {
                for der in tls::certificates(pem)? {
                    let certificate = reqwest::Certificate::from_der(&der).map_err(|e| Error::Config(format!("root certificate: {e}")))?;
                    builder = builder.add_root_certificate(certificate);
                }
            }
            builder = builder.danger_accept_invalid_certs(self.accept_invalid);
        }
        let client = builder.build().map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Box::new(crate::client::ReqwestTransport::new(client).max_response_bytes(self.options.max_response_bytes)))
    }

    #[cfg(not(feature = "reqwest"))]
    fn http_transport(&self) -> Result<Box<dyn Transport>, Error> {
        Err(Error::Config("no transport: enable the `reqwest` feature or give one with `ClientBuilder::transport`".into()))
    }
}

/// `server` as a URL without a trailing slash; a bare host name means HTTPS.
fn server_url(server: &str) -> Result<String, Error> {
    let url = if server.contains("://") { server.trim_end_matches('/').to_owned() } else { format!("https://{}", server.trim_end_matches('/')) };
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !host.contains(char::is_whitespace) => Ok(url),
        _ => Err(Error::Config(format!("not a server name or http(s) URL: {server:?}"))),
    }
}

fn warn_insecure(server: &str) {
    #[cfg(feature = "tracing")]
    tracing::warn!(server, "vim25: certificate checks are OFF for this client; anyone on the path can read and change its traffic");
    #[cfg(not(feature = "tracing"))]
    eprintln!("warning: vim25: certificate checks are OFF for the client of {server}; anyone on the path can read and change its traffic");
}

/// Asks the server which of `offered` to speak.
async fn negotiate(transport: &dyn Transport, server: &str, offered: &[String], limit: Duration) -> Result<String, Error> {
    let body = serde_json::to_vec(&serde_json::json!({ "api_releases": offered })).map_err(Error::Encode)?;
    let request = Request {
        method: HttpMethod::Post,
        url: format!("{server}/api/vcenter/system?action=hello"),
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: Some(body),
        timeout: Some(limit),
    };
    let reply = with_timeout(limit, transport.send(request)).await?;
    if reply.status == 404 {
        return Ok(FIRST_VI_JSON_RELEASE.to_owned());
    }
    let body = classify(reply)?;
    let answer: serde_json::Value = crate::from_slice(&body)?;
    match answer.get("api_release").and_then(serde_json::Value::as_str) {
        Some("") => Err(Error::NoCommonRelease { offered: offered.to_vec() }),
        Some(release) => Ok(release.to_owned()),
        None => Err(Error::Status { status: 200, excerpt: crate::client::excerpt(&body) }),
    }
}

#[cfg(feature = "reqwest")]
mod tls {
    use super::Error;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};
    use sha2::{Digest, Sha256};
    use std::sync::Arc;

    /// The certificates in a PEM text; none, or a damaged one, is a configuration error.
    pub(super) fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
        let found = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Config(format!("root certificate PEM: {e}")))?;
        if found.is_empty() {
            return Err(Error::Config("root certificate PEM holds no certificate".into()));
        }
        Ok(found)
    }

    /// A thumbprint as 32 bytes: 64 hex digits, optionally separated by colons or spaces.
    fn parse_thumbprint(text: &str) -> Result<[u8; 32], Error> {
        let digits: Vec<u8> = text.bytes().filter(|b| !matches!(b, b':' | b' ' | b'-')).collect();
        let bad = || Error::Config(format!("not a SHA-256 thumbprint: {text:?}"));
        if digits.len() != 64 {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| bad())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(out)
    }

    /// A TLS configuration that accepts exactly the certificate with this thumbprint.
    pub(super) fn pinned(thumbprint: &str) -> Result<rustls::ClientConfig, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Pinned { sha256: parse_thumbprint(thumbprint)?, provider: provider.clone() };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(config)
    }

    /// Trusts one leaf certificate by its SHA-256, whoever signed it; the handshake signatures
    /// are still checked, so the server must hold that certificate's key.
    #[derive(Debug)]
    struct Pinned {
        sha256: [u8; 32],
        provider: Arc<CryptoProvider>,
    }

    impl ServerCertVerifier for Pinned {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if Sha256::digest(end_entity.as_ref()).as_slice() == self.sha256 {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
            }
        }

        fn verify_tls12_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
        }

        fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider.signature_verification_algorithms.supported_schemes()
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn thumbprints_parse_with_or_without_colons() {
            let hex = "ab".repeat(32);
            let colons = vec!["AB"; 32].join(":");
            assert_eq!(super::parse_thumbprint(&hex).unwrap(), [0xab; 32]);
            assert_eq!(super::parse_thumbprint(&colons).unwrap(), [0xab; 32]);
            assert!(super::parse_thumbprint("ab:cd").is_err());
            assert!(super::parse_thumbprint(&"zz".repeat(32)).is_err());
        }
    }
}
