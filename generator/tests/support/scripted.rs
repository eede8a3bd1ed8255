//! A scripted HTTP/1.1 server on 127.0.0.1 for client tests: a handler answers each request,
//! and every request is recorded. Written on raw sockets so that a reply can misbehave in ways
//! a well-behaved server library refuses to: a body cut short, a reply that never comes.
//!
//! [`serve`] speaks plain HTTP, [`serve_tls`] HTTPS with a certificate from [`Pki`].

#![allow(dead_code)] // each test file uses a part

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query (`/sdk/vim25/9.1.1.0/ServiceInstance/ServiceInstance/CurrentTime`).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The last path segment: the member of a vi-json call.
    pub fn member(&self) -> &str {
        self.target.split('?').next().unwrap_or_default().rsplit('/').next().unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// How to answer a request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Waits this long before answering.
    pub delay: Option<Duration>,
    /// Declares the whole body's length but sends only this many bytes, then closes.
    pub truncate_to: Option<usize>,
    /// Compresses the body with gzip.
    pub gzip: bool,
    /// Answers nothing and resets the connection (plain HTTP only; over TLS it just closes).
    pub reset: bool,
    /// Declares this `Content-Length` instead of the body's, sends the body, then holds the
    /// connection open until the client closes it.
    pub declared_length: Option<u64>,
    /// Sends the body this many times over, as chunks of a chunked reply (no length), each
    /// written as the client reads; stops when the client closes the connection.
    pub repeat_chunked: Option<u64>,
    /// Answers nothing and closes the connection.
    pub close: bool,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: None,
            truncate_to: None,
            gzip: false,
            reset: false,
            declared_length: None,
            repeat_chunked: None,
            close: false,
        }
    }

    pub fn json(status: u16, value: serde_json::Value) -> Self {
        Self::new(status, "application/json", serde_json::to_vec(&value).unwrap())
    }

    /// HTTP 204, as operations without a result answer.
    pub fn empty() -> Self {
        Reply {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            truncate_to: None,
            gzip: false,
            reset: false,
            declared_length: None,
            repeat_chunked: None,
            close: false,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delayed(mut self, by: Duration) -> Self {
        self.delay = Some(by);
        self
    }

    pub fn truncated(mut self, to: usize) -> Self {
        self.truncate_to = Some(to);
        self
    }

    pub fn gzipped(mut self) -> Self {
        self.gzip = true;
        self
    }

    /// Declares a `Content-Length` of `length`, whatever the body (see [`Reply::declared_length`]).
    pub fn declaring(mut self, length: u64) -> Self {
        self.declared_length = Some(length);
        self
    }

    /// The body sent `times` times over, chunked (see [`Reply::repeat_chunked`]).
    pub fn chunked(mut self, times: u64) -> Self {
        self.repeat_chunked = Some(times);
        self
    }

    /// A connection reset instead of a reply.
    pub fn reset() -> Self {
        Reply { reset: true, ..Self::empty() }
    }

    /// The connection closed instead of a reply.
    pub fn close() -> Self {
        Reply { close: true, ..Self::empty() }
    }
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A running server; it stops when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    sent: Arc<AtomicU64>,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many body bytes the server has written so far (to the socket's buffers; the client
    /// may not have read them all).
    pub fn body_bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }

    /// How many TCP connections the server has accepted.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// How many requests named `member` arrived.
    pub fn count(&self, member: &str) -> usize {
        self.seen.lock().unwrap().iter().filter(|s| s.member() == member).count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves plain HTTP with `handler`.
pub async fn serve(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    start(Arc::new(handler), None).await
}

/// Serves HTTPS with the leaf certificate of `pki`.
pub async fn serve_tls(pki: &Pki, handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    let key = tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(pki.leaf_key.clone().into());
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![pki.leaf_der.clone().into()], key)
        .unwrap();
    start(Arc::new(handler), Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
}

async fn start(handler: Handler, tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(AtomicU64::new(0));
    let log = Log { seen: seen.clone(), sent: sent.clone() };
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let (handler, log, tls) = (handler.clone(), log.clone(), tls.clone());
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        // a client that rejects the certificate ends the handshake: not an error here
                        if let Ok(mut stream) = acceptor.accept(stream).await {
                            connection(&mut stream, handler, log).await;
                        }
                    }
                    None => {
                        let mut stream = stream;
                        if connection(&mut stream, handler, log).await == End::Reset {
                            // closing with a zero linger sends RST instead of FIN
                            let _ = stream.set_zero_linger();
                        }
                    }
                }
            });
        }
    });
    Server { url: format!("{scheme}://127.0.0.1:{port}"), seen, sent, accepted, task }
}

/// What the server records: the requests, and the body bytes written.
#[derive(Clone)]
struct Log {
    seen: Arc<Mutex<Vec<Seen>>>,
    sent: Arc<AtomicU64>,
}

/// How a connection ended.
#[derive(PartialEq)]
enum End {
    Closed,
    /// A reply asked for a connection reset.
    Reset,
}

/// Answers the requests of one connection until the client closes it or a reply ends it.
async fn connection<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, handler: Handler, log: Log) -> End {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(stream, &mut buffer).await else {
            return End::Closed;
        };
        log.seen.lock().unwrap().push(request.clone());
        let reply = handler(&request);
        if reply.reset {
            return End::Reset;
        }
        if reply.close {
            let _ = stream.shutdown().await;
            return End::Closed;
        }
        if let Some(delay) = reply.delay {
            tokio::time::sleep(delay).await;
        }
        let mut body = reply.body.clone();
        let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
        if reply.gzip {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(&body).unwrap();
            body = encoder.finish().unwrap();
            head.push_str("content-encoding: gzip\r\n");
        }
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(times) = reply.repeat_chunked {
            head.push_str("transfer-encoding: chunked\r\n\r\n");
            if stream.write_all(head.as_bytes()).await.is_err() {
                return End::Closed;
            }
            let mut chunk = format!("{:x}\r\n", body.len()).into_bytes();
            chunk.extend_from_slice(&body);
            chunk.extend_from_slice(b"\r\n");
            for _ in 0..times {
                if stream.write_all(&chunk).await.is_err() {
                    return End::Closed;
                }
                log.sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            }
            if stream.write_all(b"0\r\n\r\n").await.is_err() || stream.flush().await.is_err() {
                return End::Closed;
            }
            continue;
        }
        let declared = reply.declared_length.unwrap_or(body.len() as u64);
        head.push_str(&format!("content-length: {declared}\r\n\r\n"));
        let sent = reply.truncate_to.map_or(body.len(), |n| n.min(body.len()));
        let mut out = head.into_bytes();
        out.extend_from_slice(&body[..sent]);
        if stream.write_all(&out).await.is_err() || stream.flush().await.is_err() {
            return End::Closed;
        }
        log.sent.fetch_add(sent as u64, Ordering::SeqCst);
        if reply.declared_length.is_some() {
            // the rest never comes: wait for the client to give up and close
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            return End::Closed;
        }
        if reply.truncate_to.is_some() {
            let _ = stream.shutdown().await;
            return End::Closed;
        }
    }
}

/// Reads one request; `None` when the connection ends first.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S, buffer: &mut Vec<u8>) -> Option<Seen> {
    let end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
    let length: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    buffer.drain(..end + 4);
    while buffer.len() < length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer.drain(..length).collect();
    Some(Seen { method, target, headers, body })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Other",
    }
}

/// A CA and a leaf certificate for 127.0.0.1 and localhost, signed by it (as a vCenter's VMCA
/// signs its machine certificate).
pub struct Pki {
    pub ca_pem: String,
    pub leaf_der: Vec<u8>,
    leaf_key: Vec<u8>,
}

impl Pki {
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, "scripted test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf_params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key).unwrap();
        Pki { ca_pem: ca.pem(), leaf_der: leaf.der().to_vec(), leaf_key: leaf_key.serialize_der() }
    }

    /// The leaf's SHA-256 fingerprint as `AB:CD:...`.
    pub fn thumbprint(&self) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(&self.leaf_der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
    }
}
