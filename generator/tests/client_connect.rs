//! The connection and session layer against a scripted server on 127.0.0.1: release
//! negotiation, Since gating, logging in again after a session expired, retries of reads only,
//! what a reply that is not vi-json becomes, timeouts, gzip, certificate pinning and roots,
//! keep-alive, and that no password or session id shows in `Debug` or error texts.

mod support;

use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::scripted::{serve, serve_tls, Pki, Reply, Seen, Server};
use vim25::mo::{ClusterComputeResource, Folder, PropertyCollector, ServiceInstance, VirtualMachine};
use vim25::{Client, Error};

const USER: &str = "administrator@vsphere.local";
const PASSWORD: &str = "pa55-w0rd-SECRET";

fn moref(ty: &str, value: &str) -> serde_json::Value {
    json!({"_typeName": "ManagedObjectReference", "type": ty, "value": value})
}

fn service_content() -> Reply {
    Reply::json(
        200,
        json!({"_typeName": "ServiceContent", "rootFolder": moref("Folder", "group-d1"), "propertyCollector": moref("PropertyCollector", "propertyCollector"),
               "sessionManager": moref("SessionManager", "SessionManager"), "about": {"_typeName": "AboutInfo", "fullName": "scripted vCenter", "apiVersion": "9.1.1.0"}}),
    )
}

fn user_session() -> serde_json::Value {
    json!({"_typeName": "UserSession", "key": "52b5", "userName": USER, "fullName": "Administrator", "loginTime": "2026-01-01T00:00:00Z",
           "lastActiveTime": "2026-01-01T00:00:00Z", "locale": "en", "messageLocale": "en", "extensionSession": false, "ipAddress": "127.0.0.1",
           "userAgent": "test", "callCount": 1})
}

fn not_authenticated() -> Reply {
    Reply::json(
        500,
        json!({"_typeName": "NotAuthenticated", "faultstring": "The session is not authenticated.", "object": moref("Folder", "group-d1"), "privilegeId": "System.View"}),
    )
}

/// A vCenter with sessions: `Login` hands out `session-1`, `session-2`, ...; calls other than
/// the anonymous ones need the current session; `expire` ends it.
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
            "system?action=hello" | "system" => Reply::json(200, json!({"api_release": "9.1.1.0"})),
            "RetrieveServiceContent" => service_content(),
            "Login" => {
                let body = seen.json();
                if body["userName"] != USER || body["password"] != PASSWORD {
                    return Reply::json(
                        500,
                        json!({"_typeName": "InvalidLogin", "faultstring": "Cannot complete login due to an incorrect user name or password."}),
                    );
                }
                let token = format!("session-{}", self.logins.fetch_add(1, Ordering::SeqCst) + 1);
                *self.current.lock().unwrap() = Some(token.clone());
                Reply::json(200, user_session()).header(vim25::SESSION_HEADER, &token)
            }
            member => {
                let current = self.current.lock().unwrap().clone();
                if current.is_none() || seen.header(vim25::SESSION_HEADER) != current.as_deref() {
                    return not_authenticated();
                }
                match member {
                    "Logout" => {
                        self.expire();
                        Reply::empty()
                    }
                    "currentSession" => Reply::json(200, user_session()),
                    "CurrentTime" => Reply::json(200, json!("2026-12-06T12:00:00Z")),
                    "name" => Reply::json(200, json!("Datacenters")),
                    "PowerOnVM_Task" => Reply::json(200, moref("Task", "task-1")),
                    other => Reply::json(404, json!({"error": format!("no {other}")})),
                }
            }
        }
    }
}

async fn fake_vcenter() -> (Arc<Vc>, Server) {
    let vc = Arc::new(Vc::default());
    let state = vc.clone();
    let server = serve(move |seen| state.answer(seen)).await;
    (vc, server)
}

/// A password or a session id in a text.
fn assert_no_secret(text: &str) {
    assert!(!text.contains(PASSWORD), "password in {text}");
    assert!(!(1..=3).any(|n| text.contains(&format!("session-{n}"))), "session id in {text}");
}

fn assert_error_clean(e: &Error) {
    assert_no_secret(&format!("{e:?}"));
    assert_no_secret(&e.to_string());
}

#[tokio::test]
async fn hello_picks_the_release() {
    let server = serve(|seen| match seen.target.as_str() {
        "/api/vcenter/system?action=hello" => Reply::json(200, json!({"api_release": "9.0.0.0"})),
        _ => Reply::json(200, json!("2026-12-06T12:00:00Z")),
    })
    .await;
    let client = Client::builder(&server.url).connect().await.unwrap();
    assert_eq!(client.release(), "9.0.0.0");
    assert_eq!(client.base(), format!("{}/sdk/vim25/9.0.0.0", server.url));
    let hello = &server.seen()[0];
    assert_eq!(hello.method, "POST");
    assert_eq!(hello.json(), json!({"api_releases": vim25::RELEASES}));
    assert_eq!(hello.json()["api_releases"][0], vim25::RELEASE, "newest first");
    assert!(hello.header("user-agent").unwrap().starts_with("vim25-rs/"));

    ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap();
    assert_eq!(server.seen()[1].target, "/sdk/vim25/9.0.0.0/ServiceInstance/ServiceInstance/CurrentTime");
}

#[tokio::test]
async fn hello_offers_what_it_is_told_and_names_the_application() {
    let server = serve(|_| Reply::json(200, json!({"api_release": "8.0.2.0"}))).await;
    let client = Client::builder(&server.url)
        .offer_releases(&["9.0.0.0", "8.0.2.0"])
        .user_agent("inventory", "2.5")
        .connect()
        .await
        .unwrap();
    assert_eq!(client.release(), "8.0.2.0");
    let hello = &server.seen()[0];
    assert_eq!(hello.json(), json!({"api_releases": ["9.0.0.0", "8.0.2.0"]}));
    assert_eq!(hello.header("user-agent").unwrap(), format!("inventory/2.5 vim25-rs/{}", env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn a_server_without_hello_speaks_the_first_vi_json_release() {
    let server = serve(|_| Reply::new(404, "text/plain", "not found")).await;
    let client = Client::builder(&server.url).connect().await.unwrap();
    assert_eq!(client.release(), "8.0.1.0");
    assert!(client.base().ends_with("/sdk/vim25/8.0.1.0"));
}

#[tokio::test]
async fn no_common_release_is_an_error() {
    let server = serve(|_| Reply::json(200, json!({"api_release": ""}))).await;
    let e = Client::builder(&server.url).offer_releases(&["9.1.1.0", "9.0.0.0"]).connect().await.unwrap_err();
    match e {
        Error::NoCommonRelease { offered } => assert_eq!(offered, ["9.1.1.0", "9.0.0.0"]),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_pinned_release_skips_hello() {
    let server = serve(|_| Reply::json(200, json!("2026-12-06T12:00:00Z"))).await;
    let client = Client::builder(&server.url).release("8.0.2.0").connect().await.unwrap();
    assert_eq!(client.release(), "8.0.2.0");
    assert!(server.seen().is_empty(), "{:?}", server.seen());
    ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap();
    assert_eq!(server.seen()[0].target, "/sdk/vim25/8.0.2.0/ServiceInstance/ServiceInstance/CurrentTime");
}

#[tokio::test]
async fn an_operation_newer_than_the_session_is_refused_before_sending() {
    let server = serve(|_| Reply::json(200, moref("Task", "task-1"))).await;
    let client = Client::builder(&server.url).release("8.0.1.0").connect().await.unwrap();
    // DisableNetworkBoot_Task is new in 9.0.0.0
    let e = ClusterComputeResource::new(&client, "domain-c7").disable_network_boot_task().await.unwrap_err();
    match &e {
        Error::UnsupportedRelease { member, since, release } => {
            assert_eq!(member, "ClusterComputeResource.DisableNetworkBoot_Task");
            assert_eq!(*since, "9.0.0.0");
            assert_eq!(release, "8.0.1.0");
        }
        other => panic!("{other:?}"),
    }
    assert!(server.seen().is_empty());
    // the same call at a release that has it is sent
    let newer = Client::builder(&server.url).release("9.0.0.0").connect().await.unwrap();
    ClusterComputeResource::new(&newer, "domain-c7").disable_network_boot_task().await.unwrap();
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn connect_logs_in_and_logout_ends_the_session() {
    let (vc, server) = fake_vcenter().await;
    let client = Client::builder(&server.url).credentials(USER, PASSWORD).connect().await.unwrap();
    assert_eq!(vc.logins.load(Ordering::SeqCst), 1);
    assert_eq!(client.session().as_deref(), Some("session-1"));
    assert_eq!(Folder::new(&client, "group-d1").name().await.unwrap(), "Datacenters");
    client.logout().await.unwrap();
    assert_eq!(client.session(), None);
    assert_eq!(server.count("Logout"), 1);
    // after an explicit logout a call is refused, and does not log in again
    let e = Folder::new(&client, "group-d1").name().await.unwrap_err();
    assert!(e.fault_is::<vim25::types::NotAuthenticated>(), "{e:?}");
    assert_eq!(vc.logins.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_wrong_password_fails_connect_without_showing_it() {
    let (_vc, server) = fake_vcenter().await;
    let builder = Client::builder(&server.url).credentials(USER, "wrong-SECRET");
    assert!(!format!("{builder:?}").contains("wrong-SECRET"));
    let e = builder.connect().await.unwrap_err();
    assert!(e.fault_is::<vim25::types::InvalidLogin>(), "{e:?}");
    assert!(!format!("{e:?} {e}").contains("wrong-SECRET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_expiring_under_200_calls_is_renewed_by_one_login() {
    let (vc, server) = fake_vcenter().await;
    let builder = Client::builder(&server.url).credentials(USER, PASSWORD);
    assert_no_secret(&format!("{builder:?}"));
    let client = builder.connect().await.unwrap();
    assert_eq!(client.session().as_deref(), Some("session-1"));
    // the first calls succeed, then the session expires under the others
    let instance = ServiceInstance::new(&client, "ServiceInstance");
    let folder = Folder::new(&client, "group-d1");
    for _ in 0..5 {
        instance.current_time().await.unwrap();
    }
    vc.expire();
    let mut calls = Vec::new();
    for i in 0..200 {
        let (instance, folder, vm) = (instance.clone(), folder.clone(), VirtualMachine::new(&client, "vm-1"));
        calls.push(tokio::spawn(async move {
            match i % 3 {
                0 => instance.current_time().await.map(drop),
                1 => folder.name().await.map(drop),
                // not a read, but a NotAuthenticated call did nothing: it is sent again too
                _ => vm.power_on_vm_task(None).await.map(drop),
            }
        }));
    }
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(vc.logins.load(Ordering::SeqCst), 2, "one login at connect, one after the expiry");
    assert_eq!(server.count("Login"), 2);
    assert_eq!(client.session().as_deref(), Some("session-2"));
    // each call succeeded once, with the new session, after at most one refusal
    let calls: Vec<Seen> = server.seen().into_iter().filter(|s| matches!(s.member(), "CurrentTime" | "name" | "PowerOnVM_Task")).skip(5).collect();
    assert_eq!(calls.iter().filter(|s| s.header(vim25::SESSION_HEADER) == Some("session-2")).count(), 200);
    assert!(calls.len() <= 400 && calls.len() > 200, "{} requests", calls.len());
    // neither secret shows in Debug
    assert_no_secret(&format!("{client:?}"));
    let request = client.request(
        vim25::HttpMethod::Post,
        "/SessionManager",
        "SessionManager",
        "Login",
        Some(format!("{{\"password\":\"{PASSWORD}\"}}").into_bytes()),
    );
    assert!(request.headers.iter().any(|(_, v)| v == "session-2"), "the request does carry the session");
    assert_no_secret(&format!("{request:?}"));
}

#[tokio::test]
async fn a_session_refused_again_after_login_is_an_error_not_a_loop() {
    let logins = Arc::new(AtomicUsize::new(0));
    let count = logins.clone();
    let server = serve(move |seen| match seen.member() {
        "RetrieveServiceContent" => service_content(),
        "Login" => Reply::json(200, user_session()).header(vim25::SESSION_HEADER, &format!("session-{}", count.fetch_add(1, Ordering::SeqCst))),
        _ => not_authenticated(),
    })
    .await;
    let client = Client::builder(&server.url).release("9.1.1.0").credentials(USER, PASSWORD).connect().await.unwrap();
    let e = ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap_err();
    assert!(e.fault_is::<vim25::types::NotAuthenticated>(), "{e:?}");
    assert_error_clean(&e);
    assert_eq!(logins.load(Ordering::SeqCst), 2, "connect, and one more");
    assert_eq!(server.count("CurrentTime"), 2, "sent, and sent once more");
}

/// A server that answers `first` to the first `n` calls, then a success.
async fn failing_first(n: usize, first: Reply) -> Server {
    let calls = AtomicUsize::new(0);
    serve(move |seen| {
        if calls.fetch_add(1, Ordering::SeqCst) < n {
            return first.clone();
        }
        match seen.member() {
            "PowerOnVM_Task" => Reply::json(200, moref("Task", "task-1")),
            _ => Reply::json(200, json!("2026-12-06T12:00:00Z")),
        }
    })
    .await
}

#[tokio::test]
async fn a_read_is_retried_after_503() {
    let server = failing_first(1, Reply::new(503, "text/plain", "busy")).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap();
    assert_eq!(server.count("CurrentTime"), 2);

    // a property read too, after 502 and 504
    let server = failing_first(2, Reply::new(502, "text/plain", "bad gateway")).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    Folder::new(&client, "group-d1").name().await.unwrap();
    assert_eq!(server.count("name"), 3);
}

#[tokio::test]
async fn retries_stop_at_the_limit() {
    let server = failing_first(usize::MAX, Reply::new(503, "text/plain", "busy")).await;
    let client = Client::builder(&server.url).release("9.1.1.0").retries(2).connect().await.unwrap();
    let e = ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap_err();
    assert!(matches!(e, Error::Status { status: 503, .. }), "{e:?}");
    assert_eq!(server.count("CurrentTime"), 3, "one attempt and two retries");
}

#[tokio::test]
async fn a_reset_connection_is_retried_for_reads_only() {
    let server = failing_first(1, Reply::reset()).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap();
    assert_eq!(server.count("CurrentTime"), 2);

    let server = failing_first(1, Reply::reset()).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    let e = VirtualMachine::new(&client, "vm-1").power_on_vm_task(None).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert_eq!(server.count("PowerOnVM_Task"), 1);
}

#[tokio::test]
async fn a_refused_connection_is_not_retried() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder(&format!("http://127.0.0.1:{port}")).release("9.1.1.0").retries(3).connect().await.unwrap();
    let started = std::time::Instant::now();
    let e = ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    // retries would have paused 100 + 200 + 400 ms
    assert!(started.elapsed() < Duration::from_millis(300), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_task_is_not_retried() {
    let server = failing_first(1, Reply::new(503, "text/plain", "busy")).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    let e = VirtualMachine::new(&client, "vm-1").power_on_vm_task(None).await.unwrap_err();
    assert!(matches!(e, Error::Status { status: 503, .. }), "{e:?}");
    assert_eq!(server.count("PowerOnVM_Task"), 1);
}

#[tokio::test]
async fn an_html_error_page_is_a_status_with_a_short_excerpt() {
    let page = format!("<!DOCTYPE html><html><body>{}</body></html>", "<p>Not Found</p>".repeat(500));
    let server = serve(move |_| Reply::new(404, "text/html", page.clone())).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    let e = Folder::new(&client, "group-d1").name().await.unwrap_err();
    match &e {
        Error::Status { status, excerpt } => {
            assert_eq!(*status, 404);
            assert!(excerpt.len() <= 1024 && excerpt.len() > 1000, "{}", excerpt.len());
            assert!(excerpt.starts_with("<!DOCTYPE html>"));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().len() < 1100);
}

#[tokio::test]
async fn a_soap_fault_is_not_vi_json() {
    let envelope = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
    let server = serve(move |_| Reply::new(500, "text/xml; charset=utf-8", envelope)).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    let e = ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap_err();
    match &e {
        Error::NotViJson { status, content_type, excerpt } => {
            assert_eq!(*status, 500);
            assert_eq!(content_type, "text/xml; charset=utf-8");
            assert!(excerpt.starts_with("<?xml"));
        }
        other => panic!("{other:?}"),
    }
    // the same envelope with no content type, and a web page where a result should be
    let server = serve(|seen| match seen.member() {
        "CurrentTime" => Reply::new(200, "application/octet-stream", "  <soapenv:Envelope/>"),
        _ => Reply::new(200, "text/plain", "<html><body>vSphere</body></html>"),
    })
    .await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    let e = ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap_err();
    assert!(matches!(e, Error::NotViJson { status: 200, .. }), "{e:?}");
    let e = Folder::new(&client, "group-d1").name().await.unwrap_err();
    assert!(matches!(e, Error::NotViJson { status: 200, .. }), "{e:?}");
    // at connect too: a SOAP-only endpoint answering hello
    let server = serve(|_| Reply::new(500, "text/xml", "<?xml version=\"1.0\"?><soapenv:Envelope/>")).await;
    let e = Client::builder(&server.url).connect().await.unwrap_err();
    assert!(matches!(e, Error::NotViJson { .. }), "{e:?}");
}

#[tokio::test]
async fn a_500_that_is_not_a_fault_is_a_status() {
    let server = serve(|_| Reply::new(500, "application/json", "{\"oops\": tru")).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    let e = ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap_err();
    assert!(matches!(&e, Error::Status { status: 500, excerpt } if excerpt == "{\"oops\": tru"), "{e:?}");
}

#[tokio::test]
async fn a_truncated_body_is_an_error() {
    let server = serve(|_| service_content().truncated(40)).await;
    let client = Client::builder(&server.url).release("9.1.1.0").retries(0).connect().await.unwrap();
    let e = client.service_content().await.unwrap_err();
    assert!(matches!(e, Error::Decode(_) | Error::Transport(_)), "{e:?}");

    // a complete reply whose JSON stops short
    let server = serve(|_| Reply::new(200, "application/json", "{\"_typeName\": \"ServiceContent\", \"rootFolder\": {\"_typeName\"")).await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    let e = client.service_content().await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
}

#[tokio::test]
async fn a_slow_reply_times_out() {
    let server = serve(|seen| match seen.member() {
        "WaitForUpdatesEx" => Reply::json(200, serde_json::Value::Null).delayed(Duration::from_millis(600)),
        _ => Reply::json(200, json!("2026-12-06T12:00:00Z")).delayed(Duration::from_secs(3)),
    })
    .await;
    let limit = Duration::from_millis(300);
    let client = Client::builder(&server.url)
        .release("9.1.1.0")
        .request_timeout(limit)
        .long_poll_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap();
    assert_eq!(client.long_poll_timeout(), Duration::from_secs(5));
    let started = std::time::Instant::now();
    let e = ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap_err();
    assert!(matches!(e, Error::Timeout(d) if d == limit), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "retried a timeout, or waited for the reply");
    // a long poll has its own, longer limit
    let update = PropertyCollector::new(&client, "propertyCollector").wait_for_updates_ex(Some(""), None).await.unwrap();
    assert!(update.is_none());
    // and it is never shorter than the request timeout
    let client = Client::builder(&server.url)
        .release("9.1.1.0")
        .request_timeout(Duration::from_secs(60))
        .long_poll_timeout(Duration::from_secs(1))
        .connect()
        .await
        .unwrap();
    assert_eq!(client.long_poll_timeout(), Duration::from_secs(60));
}

#[tokio::test]
async fn gzip_replies_decode() {
    let server = serve(|seen| {
        assert!(seen.header("accept-encoding").unwrap_or_default().contains("gzip"));
        service_content().gzipped()
    })
    .await;
    let client = Client::builder(&server.url).release("9.1.1.0").connect().await.unwrap();
    let content = client.service_content().await.unwrap();
    assert_eq!(content.about.full_name, "scripted vCenter");
    // and without gzip nothing is asked for
    let server = serve(|seen| {
        assert_eq!(seen.header("accept-encoding"), None);
        service_content()
    })
    .await;
    let client = Client::builder(&server.url).release("9.1.1.0").gzip(false).connect().await.unwrap();
    client.service_content().await.unwrap();
}

fn hello_tls(seen: &Seen) -> Reply {
    match seen.member() {
        "CurrentTime" => Reply::json(200, json!("2026-12-06T12:00:00Z")),
        _ => Reply::json(200, json!({"api_release": "9.1.1.0"})),
    }
}

#[tokio::test]
async fn a_pinned_thumbprint_is_the_only_certificate_accepted() {
    let pki = Pki::new();
    let server = serve_tls(&pki, hello_tls).await;
    // the certificate is not trusted by default
    let e = Client::builder(&server.url).connect().await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    // pinned, it is, whatever signed it
    let client = Client::builder(&server.url).pin_certificate_sha256(&pki.thumbprint()).connect().await.unwrap();
    ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap();
    let plain_hex = pki.thumbprint().replace(':', "").to_lowercase();
    Client::builder(&server.url).pin_certificate_sha256(&plain_hex).connect().await.unwrap();
    // another thumbprint is refused, even with the CA trusted
    let other = Pki::new();
    let e = Client::builder(&server.url)
        .pin_certificate_sha256(&other.thumbprint())
        .add_root_certificate_pem(pki.ca_pem.as_bytes())
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    // a thumbprint that is not one
    let e = Client::builder(&server.url).pin_certificate_sha256("AB:CD").connect().await.unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
}

#[tokio::test]
async fn a_root_certificate_makes_the_server_trusted() {
    let pki = Pki::new();
    let server = serve_tls(&pki, hello_tls).await;
    let client = Client::builder(&server.url).add_root_certificate_pem(pki.ca_pem.as_bytes()).connect().await.unwrap();
    ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap();
    // another CA is no help
    let e = Client::builder(&server.url).add_root_certificate_pem(Pki::new().ca_pem.as_bytes()).connect().await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    // a PEM without a certificate is a configuration error
    for bad in ["not a certificate", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"] {
        let e = Client::builder(&server.url).add_root_certificate_pem(bad.as_bytes()).connect().await.unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e:?}");
    }
    // and with checks off anything goes
    Client::builder(&server.url).danger_accept_invalid_certificates().connect().await.unwrap();
}

#[tokio::test]
async fn bad_server_names_are_configuration_errors() {
    for bad in ["", "ftp://vc.example.com", "http://", "vc example"] {
        let e = Client::builder(bad).release("9.1.1.0").connect().await.unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{bad:?}: {e:?}");
    }
    let e = Client::builder("vc.example.com").proxy("not a proxy url").release("9.1.1.0").connect().await.unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
}

#[tokio::test]
async fn an_idle_session_is_kept_alive_until_logout() {
    let (_vc, server) = fake_vcenter().await;
    let client = Client::builder(&server.url)
        .credentials(USER, PASSWORD)
        .keep_alive(Some(Duration::from_millis(150)))
        .connect()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pings = server.count("currentSession");
    assert!((2..=6).contains(&pings), "{pings} keep-alive calls");
    assert!(server
        .seen()
        .iter()
        .filter(|s| s.member() == "currentSession")
        .all(|s| s.header(vim25::SESSION_HEADER) == Some("session-1")));
    client.logout().await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(server.count("currentSession"), pings, "keep-alive after logout");
}

#[tokio::test]
async fn the_keep_alive_ends_with_the_client() {
    let (_vc, server) = fake_vcenter().await;
    let client = Client::builder(&server.url)
        .credentials(USER, PASSWORD)
        .keep_alive(Some(Duration::from_millis(300)))
        .connect()
        .await
        .unwrap();
    // busy clients are not pinged
    for _ in 0..8 {
        Folder::new(&client, "group-d1").name().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server.count("currentSession"), 0);
    let requests = server.seen().len();
    drop(client);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(server.seen().len(), requests, "a dropped client made requests: {:?}", &server.seen()[requests..]);
}

#[tokio::test]
async fn a_custom_transport_is_used_as_is() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let transport = move |request: vim25::Request| -> vim25::client::BoxFuture<Result<vim25::Response, Error>> {
        log.lock().unwrap().push(request.url.clone());
        Box::pin(async { Ok(vim25::Response { status: 200, headers: vec![], body: br#"{"api_release": "9.0.0.0"}"#.to_vec() }) })
    };
    let client = Client::builder("vc.example.com").transport(transport).connect().await.unwrap();
    assert_eq!(client.release(), "9.0.0.0");
    assert_eq!(*seen.lock().unwrap(), ["https://vc.example.com/api/vcenter/system?action=hello"]);
}

/// Records spans and events with their fields, for the one test thread that installs it.
#[derive(Clone, Default)]
struct Recorder(Arc<RecorderState>);

/// A span's name and its fields' names and values.
type SpanRecord = (String, Vec<(String, String)>);

#[derive(Default)]
struct RecorderState {
    /// By id - 1.
    spans: Mutex<Vec<SpanRecord>>,
    metadata: Mutex<Vec<&'static tracing::Metadata<'static>>>,
    events: Mutex<Vec<String>>,
    entered: Mutex<Vec<tracing::Id>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::Id {
        let mut fields = Vec::new();
        span.record(&mut Fields(&mut fields));
        let mut spans = self.0.spans.lock().unwrap();
        spans.push((span.metadata().name().to_owned(), fields));
        self.0.metadata.lock().unwrap().push(span.metadata());
        tracing::Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &tracing::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.0.spans.lock().unwrap();
        values.record(&mut Fields(&mut spans[id.into_u64() as usize - 1].1));
    }
    fn record_follows_from(&self, _: &tracing::Id, _: &tracing::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.0.events.lock().unwrap().push(format!("{fields:?}"));
    }
    fn enter(&self, id: &tracing::Id) {
        self.0.entered.lock().unwrap().push(id.clone());
    }
    fn exit(&self, _: &tracing::Id) {
        self.0.entered.lock().unwrap().pop();
    }
    fn current_span(&self) -> tracing_core::span::Current {
        let entered = self.0.entered.lock().unwrap();
        match entered.last() {
            Some(id) => tracing_core::span::Current::new(id.clone(), self.0.metadata.lock().unwrap()[id.into_u64() as usize - 1]),
            None => tracing_core::span::Current::none(),
        }
    }
}

impl Recorder {
    /// The fields of the spans named `name`, each as `field=value` texts.
    fn spans(&self, name: &str) -> Vec<Vec<String>> {
        let spans = self.0.spans.lock().unwrap();
        spans
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, fields)| fields.iter().map(|(k, v)| format!("{k}={v}")).collect())
            .collect()
    }
}

#[tokio::test]
async fn each_call_has_a_span_without_secrets() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (vc, server) = fake_vcenter().await;
    let client = Client::builder(&server.url).credentials(USER, PASSWORD).keep_alive(None).connect().await.unwrap();
    assert_eq!(Folder::new(&client, "group-d1").name().await.unwrap(), "Datacenters");
    vc.expire();
    ServiceInstance::new(&client, "ServiceInstance").current_time().await.unwrap();
    let e = VirtualMachine::new(&client, "vm-1").power_off_vm_task().await.unwrap_err();
    assert!(matches!(e, Error::Status { status: 404, .. }), "{e:?}");
    client.logout().await.unwrap();

    let spans = recorder.spans("vim25.call");
    let operations: Vec<&str> = spans.iter().map(|f| f.iter().find(|f| f.starts_with("operation=")).unwrap().as_str()).collect();
    assert_eq!(
        operations,
        [
            "operation=ServiceInstance.RetrieveServiceContent",
            "operation=SessionManager.Login",
            "operation=Folder.name",
            "operation=ServiceInstance.CurrentTime",
            "operation=SessionManager.Login",
            "operation=VirtualMachine.PowerOffVM_Task",
            "operation=SessionManager.Logout",
        ]
    );
    let name = &spans[2];
    for field in ["mo_id=group-d1", "status=200", "bytes_out=0", "bytes_in=13"] {
        assert!(name.contains(&field.to_owned()), "{field} not in {name:?}");
    }
    assert!(name.iter().any(|f| f.starts_with("duration_ms=")), "{name:?}");
    assert!(spans[5].contains(&"status=404".to_owned()), "{:?}", spans[5]);
    assert!(spans[1].iter().any(|f| f.starts_with("bytes_out=") && f != "bytes_out=0"), "{:?}", spans[1]);
    for text in spans.iter().flatten().chain(recorder.0.events.lock().unwrap().iter()) {
        assert_no_secret(text);
    }
}
