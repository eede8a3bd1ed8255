//! The client without a server: requests are answered by scripted transports.

use crate::client::{self, BoxFuture, EXCERPT_LIMIT};
use crate::mo::{Gizmo, Widget};
use crate::types::{ManagedObjectReference, MethodFault, Shape, ShapeKind, WidgetFault};
use crate::{Client, Error, HttpMethod, Request, Response, Transport};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A transport that records what it is sent and answers with the replies it was given, in order.
#[derive(Clone, Default)]
struct Script {
    sent: Arc<Mutex<Vec<Request>>>,
    replies: Arc<Mutex<VecDeque<Result<Response, Error>>>>,
}

impl Script {
    fn replying(replies: impl IntoIterator<Item = Result<Response, Error>>) -> Self {
        let script = Self::default();
        script.replies.lock().unwrap().extend(replies);
        script
    }

    fn sent(&self) -> Vec<Request> {
        self.sent.lock().unwrap().clone()
    }
}

impl Transport for Script {
    fn send(&self, request: Request) -> BoxFuture<Result<Response, Error>> {
        self.sent.lock().unwrap().push(request);
        let reply = self.replies.lock().unwrap().pop_front().unwrap_or(Err(Error::Missing("a scripted reply")));
        Box::pin(async move { reply })
    }
}

fn json_reply(status: u16, body: &str) -> Result<Response, Error> {
    Ok(Response { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.as_bytes().to_vec() })
}

fn reply(status: u16, content_type: Option<&str>, body: &str) -> Response {
    Response { status, headers: content_type.map(|c| vec![("content-type".to_owned(), c.to_owned())]).unwrap_or_default(), body: body.as_bytes().to_vec() }
}

fn io_error(kind: std::io::ErrorKind) -> Result<Response, Error> {
    Err(Error::Transport(Box::new(std::io::Error::new(kind, "scripted"))))
}

const BASE: &str = "http://h:8989/sdk/vim25/1.2.3.4";

// ---- requests ----

#[test]
fn requests_go_to_type_id_and_member_with_the_id_escaped() {
    let client = Client::new(format!("{BASE}/"), Script::default());
    assert_eq!((client.base(), client.release()), (BASE, "1.2.3.4"));
    let r = client.request(HttpMethod::Post, "/Widget", "a b/c?d#e%f\"<>`{}", "Frob_Task", Some(b"{}".to_vec()));
    assert_eq!(r.url, format!("{BASE}/Widget/a%20b%2Fc%3Fd%23e%25f%22%3C%3E%60%7B%7D/Frob_Task"));
    assert_eq!(r.headers, [("content-type".to_owned(), "application/json".to_owned())]);
    assert_eq!((r.method, r.body.as_deref(), r.timeout), (HttpMethod::Post, Some(&b"{}"[..]), None));
    // a property read has no body and no content type; a session goes with every request
    client.set_session(Some("s-1".into()));
    let r = client.request(HttpMethod::Get, "/Gizmo", "g-1", "name", None);
    assert_eq!(r.url, format!("{BASE}/Gizmo/g-1/name"));
    assert_eq!(r.headers, [("vmware-api-session-id".to_owned(), "s-1".to_owned())]);
}

#[test]
fn the_release_comes_from_the_base_url_or_the_crate() {
    assert_eq!(Client::new("http://h/sdk/vim25/1.0.0.0", Script::default()).release(), "1.0.0.0");
    assert_eq!(Client::new("http://h/elsewhere", Script::default()).release(), crate::RELEASE);
    assert_eq!(Client::for_host("vc.example.com", Script::default()).base(), "https://vc.example.com/sdk/vim25/1.2.3.4");
    assert_eq!(Client::for_url("http://127.0.0.1:8989/", Script::default()).base(), "http://127.0.0.1:8989/sdk/vim25/1.2.3.4");
}

#[test]
fn debug_shows_no_secret() {
    let client = Client::new(BASE, Script::default());
    client.set_session(Some("SESSION-SECRET".into()));
    let mut r = client.request(HttpMethod::Post, "/SessionManager", "SessionManager", "Login", Some(br#"{"password":"PASSWORD-SECRET"}"#.to_vec()));
    r.headers.push(("Authorization".into(), "Basic QVVUSC1TRUNSRVQ=".into()));
    r.headers.push(("COOKIE".into(), "vmware_soap_session=COOKIE-SECRET".into()));
    let shown = format!("{r:?} {r:#?} {client:?}");
    for secret in ["SECRET", "QVVUSC1TRUNSRVQ"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(
        shown.contains("\"vmware-api-session-id\": \"***\"") && shown.contains("body_bytes: Some(30)") && shown.contains("logged_in: true"),
        "{shown}"
    );
    let builder = Client::builder("vc").credentials("administrator", "PASSWORD-SECRET");
    let shown = format!("{builder:?}");
    assert!(!shown.contains("SECRET") && shown.contains("administrator"), "{shown}");
}

// ---- replies ----

#[test]
fn replies_are_classified() {
    let ok = client::classify(reply(200, Some("application/json"), r#"{"a":1}"#)).unwrap();
    assert_eq!(ok, br#"{"a":1}"#);
    assert_eq!(client::classify(reply(204, None, "")).unwrap(), b"");

    let fault =
        client::classify(reply(500, Some("application/json"), r#"{"_typeName":"WidgetFault","reason":"jammed","faultstring":"it jammed"}"#)).unwrap_err();
    assert!(fault.fault_is::<WidgetFault>() && fault.fault_is::<MethodFault>());
    assert_eq!(fault.downcast_ref::<WidgetFault>().and_then(|w| w.reason.as_deref()), Some("jammed"));
    assert_eq!(fault.to_string(), "server fault WidgetFault: it jammed");

    // a 500 that is not a fault, and other statuses, keep an excerpt of the body
    for (status, body) in [(500, r#"{"not":"a fault"#), (404, r#"{"error":"nope"}"#), (401, "")] {
        match client::classify(reply(status, Some("application/json"), body)) {
            Err(Error::Status { status: s, excerpt }) => assert_eq!((s, excerpt.as_str()), (status, body)),
            other => panic!("{status}: {other:?}"),
        }
    }
    // an endpoint that speaks SOAP or serves a web page where a result should be
    for (status, content_type, body) in [
        (200, Some("text/xml; charset=utf-8"), "<?xml version=\"1.0\"?><x/>"),
        (500, None, "  <soapenv:Envelope></soapenv:Envelope>"),
        (200, Some("text/html"), "<html></html>"),
        (200, None, "<!DOCTYPE html><html></html>"),
    ] {
        assert!(matches!(client::classify(reply(status, content_type, body)), Err(Error::NotViJson { status: s, .. }) if s == status), "{body}");
    }
    // a proxy's error page is a status, not another protocol
    assert!(matches!(client::classify(reply(502, Some("text/html"), "<html>bad gateway</html>")), Err(Error::Status { status: 502, .. })));
}

#[test]
fn excerpts_are_bounded_and_cut_between_characters() {
    let body = format!("{}{}", "a".repeat(EXCERPT_LIMIT - 1), "é".repeat(100));
    let cut = client::excerpt(body.as_bytes());
    assert_eq!(cut, "a".repeat(EXCERPT_LIMIT - 1));
    assert_eq!(client::excerpt(&[0xff, b'o', b'k']), "\u{fffd}ok");
    assert_eq!(client::excerpt(b"short"), "short");
}

#[tokio::test]
async fn a_fault_comes_back_as_an_error() {
    let script = Script::replying([json_reply(500, r#"{"_typeName":"WidgetFault","faultMessage":["no"]}"#)]);
    let client = Client::new(BASE, script.clone());
    let err = Widget::new(&client, "w-1").reset().await.unwrap_err();
    assert!(err.fault_is::<WidgetFault>(), "{err}");
    assert_eq!(err.to_string(), "server fault WidgetFault: no");
    assert_eq!(script.sent()[0].url, format!("{BASE}/Widget/w-1/Reset"));
}

// ---- sessions ----

#[tokio::test]
async fn a_session_a_reply_sets_goes_with_later_calls() {
    let mut with_session = reply(204, None, "");
    with_session.headers.push(("VMware-API-Session-Id".into(), "s-2".into()));
    let script = Script::replying([Ok(with_session), json_reply(200, r#"[{"label":{"text":"t"}}]"#)]);
    let client = Client::new(BASE, script.clone());
    Widget::new(&client, "w-1").reset().await.unwrap();
    assert_eq!(client.session().as_deref(), Some("s-2"));
    let infos = Gizmo::new(&client, "g-1").spin().await.unwrap();
    assert_eq!(infos[0].label.as_ref().map(|l| l.text.as_str()), Some("t"));
    let sent = script.sent();
    assert!(!sent[0].headers.iter().any(|(k, _)| k == crate::SESSION_HEADER));
    assert!(sent[1].headers.contains(&(crate::SESSION_HEADER.to_owned(), "s-2".to_owned())), "{:?}", sent[1].headers);
}

#[tokio::test]
async fn a_request_built_before_a_new_session_goes_out_with_the_new_one() {
    let script = Script::replying([json_reply(200, "null")]);
    let client = Client::new(BASE, script.clone());
    client.set_session(Some("old".into()));
    let request = client.request(HttpMethod::Get, "/Widget", "w-1", "match", None);
    client.set_session(Some("new".into()));
    client.execute(request).await.unwrap();
    assert_eq!(script.sent()[0].headers, [(crate::SESSION_HEADER.to_owned(), "new".to_owned())]);
}

// ---- retries and timeouts ----

#[tokio::test]
async fn reads_are_retried_after_transient_failures_and_writes_are_not() {
    let script = Script::replying([
        json_reply(503, ""),
        io_error(std::io::ErrorKind::ConnectionReset),
        json_reply(200, r#"{"_typeName":"Square","name":"s","corners":4}"#),
    ]);
    let client = Client::new(BASE, script.clone());
    let found = Widget::new(&client, "w-1").r#match().await.unwrap();
    assert_eq!(found.map(|k| k.type_name().to_owned()).as_deref(), Some("Square"));
    assert_eq!(script.sent().len(), 3);

    // an operation that changes something is sent once
    let script = Script::replying([json_reply(503, "busy"), json_reply(204, "")]);
    let client = Client::new(BASE, script.clone());
    let err = Widget::new(&client, "w-1").reset().await.unwrap_err();
    assert!(matches!(err, Error::Status { status: 503, .. }), "{err}");
    assert_eq!(script.sent().len(), 1);

    // nothing listens: not transient
    let script = Script::replying([io_error(std::io::ErrorKind::ConnectionRefused), json_reply(200, "null")]);
    let client = Client::new(BASE, script.clone());
    assert!(matches!(Widget::new(&client, "w-1").r#match().await, Err(Error::Transport(_))));
    assert_eq!(script.sent().len(), 1);
}

#[tokio::test]
async fn a_reply_that_does_not_come_times_out() {
    let never = |_: Request| -> BoxFuture<Result<Response, Error>> { Box::pin(std::future::pending()) };
    let client = Client::new(BASE, never);
    let mut request = client.request(HttpMethod::Post, "/Widget", "w-1", "Reset", None);
    request.timeout = Some(Duration::from_millis(20));
    assert!(matches!(client.execute(request).await, Err(Error::Timeout(limit)) if limit == Duration::from_millis(20)));
}

// ---- releases ----

#[tokio::test]
async fn an_operation_newer_than_the_session_is_refused_before_it_is_sent() {
    let script = Script::default();
    let client = Client::new("http://h/sdk/vim25/1.0.0.0", script.clone());
    let shape = ShapeKind::from(Shape { name: "s".into(), ..Shape::default() });
    let err = Widget::new(&client, "w-1").frob_task(&shape, 2, None, None).await.unwrap_err();
    assert_eq!(err.to_string(), "Widget.Frob_Task is new in release 1.2.3.4, and this session speaks 1.0.0.0");
    assert!(matches!(err, Error::UnsupportedRelease { since: "1.2.3.4", .. }));
    assert!(script.sent().is_empty());

    // at its release it goes out, with its body
    let script = Script::replying([json_reply(200, r#"{"_typeName":"ManagedObjectReference","type":"Task","value":"task-1"}"#)]);
    let client = Client::new(BASE, script.clone());
    let task = Widget::new(&client, "w-1").frob_task(&shape, 2, Some(&["x"]), None).await.unwrap();
    assert_eq!(task, ManagedObjectReference::new("Task", "task-1"));
    let body: Value = serde_json::from_slice(script.sent()[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body, json!({"shape": {"_typeName": "Shape", "name": "s"}, "times": 2, "tags": ["x"]}));
}

#[tokio::test]
async fn a_body_holding_a_type_newer_than_the_session_is_refused_before_it_is_sent() {
    let script = Script::default();
    let client = Client::new("http://h/sdk/vim25/1.0.0.0", script.clone());
    let body = client::body(&newer::Sprocket { teeth: 12, extra: crate::Extra::EMPTY });
    let err = client.call(HttpMethod::Post, "/Widget", "w-1", "Reset", "", body, client::decode_unit).await.unwrap_err();
    assert_eq!(err.to_string(), "Sprocket is new in release 1.2.3.4, and this session speaks 1.0.0.0");
    assert!(script.sent().is_empty());
    // nested in an older type, too
    let (_, newest) = crate::ser::to_vec_with_since(&vec![Some(newer::Sprocket::default())]).unwrap();
    assert_eq!(newest, Some(crate::ser::Newest { since: "1.2.3.4", type_name: "Sprocket" }));
    assert_eq!(crate::ser::to_vec_with_since(&Shape::default()).unwrap().1, None);
    // a session whose release is not a release number is not checked
    assert!(crate::release::check_type("test", newest.unwrap()).is_ok());
}

/// A data object introduced in a later release than the fixture's types, written as the
/// generator writes one (compare `Shape` in the fixture's snapshot): the fixture has none.
mod newer {
    #[derive(Clone)]
    pub struct Sprocket {
        pub teeth: i32,
        pub extra: crate::Extra,
    }
    static INFO: crate::object::ObjectInfo = crate::object::ObjectInfo {
        rust: "Sprocket",
        type_name: Some("Sprocket"),
        wire: &["teeth"],
        names: &["teeth"],
        required: &[0u16],
        by_name: &[0u16],
        plain: true,
        since: Some("1.2.3.4"),
    };
    impl crate::object::Object for Sprocket {
        fn info(&self) -> &'static crate::object::ObjectInfo {
            &INFO
        }
        fn field(&self, i: usize) -> &dyn crate::object::Field {
            match i {
                0usize => &self.teeth,
                _ => unreachable!("member index out of range"),
            }
        }
        fn field_mut(&mut self, i: usize) -> &mut dyn crate::object::Field {
            match i {
                0usize => &mut self.teeth,
                _ => unreachable!("member index out of range"),
            }
        }
        fn extra(&self) -> &crate::Extra {
            &self.extra
        }
        fn extra_mut(&mut self) -> &mut crate::Extra {
            &mut self.extra
        }
    }
    impl crate::object::Blank for Sprocket {
        fn blank() -> Self {
            Self { teeth: 0, extra: crate::Extra::EMPTY }
        }
    }
    impl Default for Sprocket {
        fn default() -> Self {
            <Self as crate::object::Blank>::blank()
        }
    }
    impl std::fmt::Debug for Sprocket {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            crate::object::debug(self, f)
        }
    }
}

// ---- handles ----

#[tokio::test]
async fn handles_hold_references_of_their_type_only() {
    let client = Client::new(BASE, Script::default());
    let gizmo = ManagedObjectReference::new("Gizmo", "g-1");
    assert!(Gizmo::from_ref(&client, &gizmo).is_ok());
    let err = Widget::from_ref(&client, &gizmo).unwrap_err();
    assert!(matches!(&err, Error::WrongType { expected: "Widget", found } if found == "Gizmo"), "{err}");
    // an empty or null reply of an optional result is `None`
    for body in ["", " \n", "null"] {
        let script = Script::replying([json_reply(200, body)]);
        let client = Client::new(BASE, script);
        assert!(Widget::new(&client, "w-1").r#match().await.unwrap().is_none(), "{body:?}");
    }
    // a reply that is not what the operation returns names the member
    let script = Script::replying([json_reply(200, r#"[{"label":{"text":5}}]"#)]);
    let err = Gizmo::new(&Client::new(BASE, script), "g-1").spin().await.unwrap_err();
    assert!(matches!(&err, Error::Decode(d) if d.path() == "[0].label.text"), "{err}");
}

// ---- connecting ----

#[tokio::test]
async fn connecting_agrees_on_a_release_with_the_server() {
    let script = Script::replying([json_reply(200, r#"{"api_release":"1.0.0.0"}"#)]);
    let client = Client::builder("http://127.0.0.1:8989/").transport(script.clone()).connect().await.unwrap();
    assert_eq!((client.release(), client.base()), ("1.0.0.0", "http://127.0.0.1:8989/sdk/vim25/1.0.0.0"));
    let hello = &script.sent()[0];
    assert_eq!((hello.method, hello.url.as_str()), (HttpMethod::Post, "http://127.0.0.1:8989/api/vcenter/system?action=hello"));
    let offered: Value = serde_json::from_slice(hello.body.as_deref().unwrap()).unwrap();
    assert_eq!(offered, json!({"api_releases": ["1.2.3.4", "1.0.0.0"]}));

    let script = Script::replying([json_reply(200, r#"{"api_release":"1.0.0.0"}"#)]);
    Client::builder("vc.example.com").offer_releases(&["1.0.0.0"]).transport(script.clone()).connect().await.unwrap();
    let hello = &script.sent()[0];
    assert_eq!(hello.url, "https://vc.example.com/api/vcenter/system?action=hello");
    assert_eq!(serde_json::from_slice::<Value>(hello.body.as_deref().unwrap()).unwrap(), json!({"api_releases": ["1.0.0.0"]}));
}

#[tokio::test]
async fn negotiation_failures_are_told_apart() {
    // a server without negotiation speaks the first vi-json release
    let script = Script::replying([json_reply(404, "")]);
    let client = Client::builder("http://h").transport(script).connect().await.unwrap();
    assert_eq!(client.release(), crate::connect::FIRST_VI_JSON_RELEASE);

    let script = Script::replying([json_reply(200, r#"{"api_release":""}"#)]);
    let err = Client::builder("http://h").transport(script).connect().await.unwrap_err();
    assert!(matches!(&err, Error::NoCommonRelease { offered } if offered == &["1.2.3.4", "1.0.0.0"]), "{err}");
    assert_eq!(err.to_string(), "the server supports none of the releases offered: 1.2.3.4, 1.0.0.0");

    let script = Script::replying([json_reply(200, r#"{"something":"else"}"#)]);
    assert!(matches!(Client::builder("http://h").transport(script).connect().await, Err(Error::Status { status: 200, .. })));

    let script = Script::replying([Ok(reply(200, Some("text/xml"), "<soapenv:Envelope/>"))]);
    assert!(matches!(Client::builder("http://h").transport(script).connect().await, Err(Error::NotViJson { .. })));
}

#[tokio::test]
async fn a_pinned_release_is_spoken_without_asking() {
    let script = Script::default();
    let client = Client::builder("http://h").release("test").transport(script.clone()).connect().await.unwrap();
    assert_eq!((client.release(), client.base()), ("test", "http://h/sdk/vim25/test"));
    assert!(script.sent().is_empty());
    // a release that is not a number is not checked against the operations'
    let script = Script::replying([json_reply(200, r#"{"_typeName":"ManagedObjectReference","type":"Task","value":"t"}"#)]);
    let client = Client::builder("http://h").release("test").transport(script).connect().await.unwrap();
    let shape = ShapeKind::default();
    assert!(Widget::new(&client, "w").frob_task(&shape, 1, None, None).await.is_ok());
}

#[tokio::test]
async fn connecting_refuses_a_bad_configuration() {
    for server in ["", "ftp://h", "http://", "https:///path", "http://h h"] {
        let err = Client::builder(server).transport(Script::default()).connect().await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{server:?}: {err}");
    }
    // without the reqwest feature there is no transport but one given
    let err = Client::builder("http://h").release("1.0.0.0").connect().await.unwrap_err();
    assert!(matches!(&err, Error::Config(m) if m.contains("reqwest")), "{err}");
    // logging in needs a SessionManager, which the fixture's API does not have
    let script = Script::replying([json_reply(200, r#"{"api_release":"1.2.3.4"}"#)]);
    let err = Client::builder("http://h").credentials("u", "PASSWORD-SECRET").transport(script).connect().await.unwrap_err();
    assert!(matches!(err, Error::Missing("SessionManager")), "{err}");
    assert!(!format!("{err} {err:?}").contains("SECRET"));
}
