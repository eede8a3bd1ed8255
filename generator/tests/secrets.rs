//! No password and no session id in anything the client shows: every line of tracing output at
//! TRACE level (the client's spans and events, and those of reqwest, hyper and rustls, whose
//! `log` records are bridged in), and the `Debug` and `Display` forms of every error, client,
//! builder and request, through a whole session against a scripted HTTPS server: a failed and
//! a good login, calls, keep-alive pings, the session expiring and a login again, faults and
//! failed connections, and the logout.
//!
//! The server hands out session ids no other text could contain by chance, so that a leak of
//! any one of them, or of a part that names them, is found.

mod support;

use serde_json::json;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::scripted::{serve_tls, Pki, Reply, Seen};
use vim25::mo::{Folder, ServiceInstance, VirtualMachine};
use vim25::{Client, Error, HttpMethod};

const USER: &str = "administrator@vsphere.local";
const PASSWORD: &str = "Pw-7d41c9e0-SECRET";
const WRONG_PASSWORD: &str = "Pw-0b93aa5f-WRONG";
/// Every session id starts with this.
const SESSION_PREFIX: &str = "sid-5e55-10n";

fn session_id(n: usize) -> String {
    format!("{SESSION_PREFIX}-{n:04}-c0ffee")
}

fn moref(ty: &str, value: &str) -> serde_json::Value {
    json!({"_typeName": "ManagedObjectReference", "type": ty, "value": value})
}

fn fault(ty: &str, message: &str) -> Reply {
    Reply::json(500, json!({"_typeName": ty, "faultstring": message}))
}

/// A vCenter with sessions, over HTTPS; `expire` ends the current session.
#[derive(Default)]
struct Vc {
    logins: AtomicUsize,
    current: Mutex<Option<String>>,
}

impl Vc {
    fn expire(&self) {
        *self.current.lock().unwrap() = None;
    }

    fn answer(&self, seen: &Seen) -> Reply {
        match seen.member() {
            "system" => Reply::json(200, json!({"api_release": "9.1.1.0"})),
            "RetrieveServiceContent" => Reply::json(
                200,
                json!({"_typeName": "ServiceContent", "rootFolder": moref("Folder", "group-d1"), "propertyCollector": moref("PropertyCollector", "propertyCollector"),
                       "sessionManager": moref("SessionManager", "SessionManager"), "about": {"_typeName": "AboutInfo", "fullName": "scripted vCenter", "apiVersion": "9.1.1.0"}}),
            ),
            "Login" => {
                let body = seen.json();
                if body["userName"] != USER || body["password"] != PASSWORD {
                    return fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password.");
                }
                let token = session_id(self.logins.fetch_add(1, Ordering::SeqCst) + 1);
                *self.current.lock().unwrap() = Some(token.clone());
                Reply::json(
                    200,
                    json!({"_typeName": "UserSession", "key": "52b5", "userName": USER, "fullName": "Administrator", "loginTime": "2026-01-01T00:00:00Z",
                           "lastActiveTime": "2026-01-01T00:00:00Z", "locale": "en", "messageLocale": "en", "extensionSession": false,
                           "ipAddress": "127.0.0.1", "userAgent": "test", "callCount": 1}),
                )
                .header(vim25::SESSION_HEADER, &token)
            }
            member => {
                let current = self.current.lock().unwrap().clone();
                if current.is_none() || seen.header(vim25::SESSION_HEADER) != current.as_deref() {
                    return fault("NotAuthenticated", "The session is not authenticated.");
                }
                match member {
                    "Logout" => {
                        self.expire();
                        Reply::empty()
                    }
                    "currentSession" => Reply::json(200, json!(null)),
                    "CurrentTime" => Reply::json(200, json!("2026-12-06T12:00:00Z")),
                    "name" => Reply::json(200, json!("Datacenters")),
                    "PowerOffVM_Task" => fault("InvalidPowerState", "The attempted operation cannot be performed in the current state (Powered off)."),
                    "ResetVM_Task" => Reply::reset(),
                    "SuspendVM_Task" => Reply::json(200, moref("Task", "task-1")).truncated(10),
                    other => Reply::json(404, json!({"error": format!("no {other}")})),
                }
            }
        }
    }
}

/// Everything the tracing subscriber wrote.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The places a secret was found in `text`.
fn secrets_in(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    if text.contains(PASSWORD) {
        found.push("the password");
    }
    if text.contains(WRONG_PASSWORD) {
        found.push("the wrong password");
    }
    if text.contains(SESSION_PREFIX) {
        found.push("a session id");
    }
    found
}

/// Keeps the `Debug`, alternate `Debug` and `Display` forms of `e` and of every error under it.
fn show_error(shown: &mut Vec<String>, e: &Error) {
    shown.push(format!("{e:?}"));
    shown.push(format!("{e}"));
    shown.push(format!("{e:#?}"));
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        shown.push(format!("{inner:?} {inner}"));
        source = inner.source();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_errors_or_debug_output() {
    // the only test of this file: it installs the process's one global subscriber, at TRACE,
    // with every span's fields at its creation, entry, exit and close, and the `log` records
    // of the dependencies
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the one subscriber of this test binary");

    let pki = Pki::new();
    let vc = Arc::new(Vc::default());
    let state = vc.clone();
    let server = serve_tls(&pki, move |seen| state.answer(seen)).await;
    // every text shown: the Debug and Display of each value and error
    let mut shown: Vec<String> = Vec::new();

    // a login refused
    let builder = Client::builder(&server.url).pin_certificate_sha256(&pki.thumbprint()).credentials(USER, WRONG_PASSWORD);
    shown.push(format!("{builder:?} {builder:#?}"));
    let e = builder.connect().await.unwrap_err();
    assert!(e.fault_is::<vim25::types::InvalidLogin>(), "{e:?}");
    show_error(&mut shown, &e);

    // a good one, with a keep-alive that pings while the test goes on
    let builder = Client::builder(&server.url)
        .pin_certificate_sha256(&pki.thumbprint())
        .credentials(USER, PASSWORD)
        .keep_alive(Some(Duration::from_millis(100)))
        .request_timeout(Duration::from_secs(5));
    shown.push(format!("{builder:?} {builder:#?}"));
    let client = builder.connect().await.unwrap();
    assert_eq!(client.session(), Some(session_id(1)), "the server's session is taken");
    shown.push(format!("{client:?} {client:#?}"));
    let folder = Folder::new(&client, "group-d1");
    assert_eq!(folder.name().await.unwrap(), "Datacenters");
    ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap();
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(server.count("currentSession") >= 1, "no keep-alive ping");

    // the session expires; the next call logs in again
    vc.expire();
    assert_eq!(folder.name().await.unwrap(), "Datacenters");
    assert_eq!(client.session(), Some(session_id(2)));
    assert_eq!(vc.logins.load(Ordering::SeqCst), 2);
    // a login by hand, whose result is shown too
    let session = client.login(USER, PASSWORD).await.unwrap();
    shown.push(format!("{session:?}"));
    assert_eq!(client.session(), Some(session_id(3)));

    // faults and failures
    let vm = VirtualMachine::new(&client, "vm-1");
    let e = vm.power_off_vm_task().await.unwrap_err();
    assert!(e.fault_is::<vim25::types::InvalidState>(), "{e:?}");
    show_error(&mut shown, &e);
    let e = vm.reset_vm_task().await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    show_error(&mut shown, &e);
    let e = vm.suspend_vm_task().await.unwrap_err();
    assert!(matches!(e, Error::Transport(_) | Error::Decode(_)), "{e:?}");
    show_error(&mut shown, &e);
    let e = vm.mark_as_template().await.unwrap_err();
    assert!(matches!(e, Error::Status { status: 404, .. }), "{e:?}");
    show_error(&mut shown, &e);

    // the requests the client builds, a login's among them
    let login =
        client.request(HttpMethod::Post, "/SessionManager", "SessionManager", "Login", Some(format!("{{\"password\":\"{PASSWORD}\"}}").into_bytes()));
    assert!(login.headers.iter().any(|(_, v)| *v == session_id(3)), "the request does carry the session");
    shown.push(format!("{login:?} {login:#?}"));
    let read = client.request(HttpMethod::Get, "/Folder", "group-d1", "name", None);
    shown.push(format!("{read:?} {read:#?}"));
    shown.push(format!("{client:?} {client:#?}"));

    client.logout().await.unwrap();
    let e = folder.name().await.unwrap_err();
    assert!(e.fault_is::<vim25::types::NotAuthenticated>(), "{e:?}");
    show_error(&mut shown, &e);
    shown.push(format!("{client:?}"));
    drop(client);

    // the secrets were in play: the server saw both passwords and the sessions
    let seen = server.seen();
    let logins: Vec<&Seen> = seen.iter().filter(|s| s.member() == "Login").collect();
    assert!(logins.iter().any(|s| s.json()["password"] == WRONG_PASSWORD));
    assert_eq!(logins.iter().filter(|s| s.json()["password"] == PASSWORD).count(), 3);
    for n in 1..=3 {
        assert!(seen.iter().any(|s| s.header(vim25::SESSION_HEADER) == Some(session_id(n).as_str())), "session {n} never used");
    }

    // and the output is what it claims to be: the client's spans with their fields, at every
    // level, and the dependencies' records
    let log = capture.text();
    for expected in ["vim25.call", "operation=SessionManager.Login", "operation=Folder.name", "status=500", "bytes_in=", "TRACE", "DEBUG", "rustls"] {
        assert!(log.contains(expected), "{expected} not in the tracing output:\n{log}");
    }
    let mut leaks = Vec::new();
    for (i, line) in log.lines().enumerate() {
        for secret in secrets_in(line) {
            leaks.push(format!("{secret} in tracing line {i}: {line}"));
        }
    }
    for text in &shown {
        for secret in secrets_in(text) {
            leaks.push(format!("{secret} in {text}"));
        }
    }
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
    eprintln!("checked {} lines of tracing output and {} Debug/Display texts", log.lines().count(), shown.len());
}
