//! The task, property and find helpers of the generated crate against a scripted vi-json server
//! on 127.0.0.1: paged retrieval and its cancellation, typed property access, task waits that
//! share one `WaitForUpdatesEx` poll, finished, failed and timed-out tasks, the polling
//! fallback, change streams and finding objects by path.
//!
//! Replies follow the wire format of the vcsim bridge (`_typeName` on every object, boxed
//! `{"_typeName", "_value"}` values in `anyType` positions, 204 for methods without a result,
//! faults as HTTP 500 with the fault object as the body).

use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vim25::mo::{Task, VirtualMachine};
use vim25::property::PropertyError;
use vim25::types::{InvalidPowerState, InvalidState, ManagedObjectReference, ObjectUpdateKind, VirtualMachinePowerState};
use vim25::{Client, Error};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Call {
    method: String,
    id: String,
    member: String,
    body: Value,
}

/// HTTP status and JSON body (`Value::Null`: no body).
type Reply = (u16, Value);
type Handler = Arc<dyn Fn(Call) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync>;

/// A vi-json server on 127.0.0.1 that answers each request with `handler` and logs it.
struct Server {
    url: String,
    log: Arc<Mutex<Vec<Call>>>,
}

impl Server {
    async fn start(handler: Handler) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = log.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let (handler, seen) = (handler.clone(), seen.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let (handler, seen) = (handler.clone(), seen.clone());
                        async move {
                            let method = request.method().to_string();
                            // /sdk/vim25/{release}/{Type}/{moId}/{member}
                            let parts: Vec<String> = request.uri().path().split('/').map(str::to_owned).collect();
                            let bytes = request.into_body().collect().await?.to_bytes();
                            let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
                            let call =
                                Call { method, id: parts.get(5).cloned().unwrap_or_default(), member: parts.get(6).cloned().unwrap_or_default(), body };
                            seen.lock().unwrap().push(call.clone());
                            let (status, body) = handler(call).await;
                            let body = if body.is_null() { Vec::new() } else { serde_json::to_vec(&body).unwrap() };
                            let status = if status == 200 && body.is_empty() { 204 } else { status };
                            Ok::<_, hyper::Error>(
                                hyper::Response::builder()
                                    .status(status)
                                    .header("content-type", "application/json")
                                    .body(Full::new(Bytes::from(body)))
                                    .unwrap(),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
                });
            }
        });
        Server { url, log }
    }

    fn client(&self) -> Client {
        Client::connect_url(&self.url).unwrap()
    }

    /// The requests for `member` so far.
    fn calls(&self, member: &str) -> Vec<Call> {
        self.log.lock().unwrap().iter().filter(|c| c.member == member).cloned().collect()
    }

    fn count(&self, member: &str) -> usize {
        self.calls(member).len()
    }
}

fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(Call) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    Arc::new(move |call| Box::pin(f(call)))
}

fn mor(ty: &str, id: &str) -> Value {
    json!({"_typeName": "ManagedObjectReference", "type": ty, "value": id})
}

fn fault(ty: &str, message: &str) -> Reply {
    (500, json!({"_typeName": ty, "faultstring": message}))
}

/// The `ServiceContent` the bridge sends, cut to the managers these helpers use.
fn service_content() -> Reply {
    (
        200,
        json!({
            "_typeName": "ServiceContent",
            "rootFolder": mor("Folder", "group-d1"),
            "propertyCollector": mor("PropertyCollector", "propertyCollector"),
            "viewManager": mor("ViewManager", "ViewManager"),
            "about": {"_typeName": "AboutInfo", "name": "VMware vCenter Server", "fullName": "VMware vCenter Server 6.5.0 build-5973321",
                "vendor": "VMware, Inc.", "version": "6.5.0", "build": "5973321", "osType": "linux-x64", "productLineId": "vpx",
                "apiType": "VirtualCenter", "apiVersion": "6.5"},
            "sessionManager": mor("SessionManager", "SessionManager"),
            "searchIndex": mor("SearchIndex", "SearchIndex"),
        }),
    )
}

/// A `TaskInfo` as the bridge sends it.
fn task_info(id: &str, state: &str, result: Option<Value>, error: Option<Value>) -> Value {
    let mut info = json!({
        "_typeName": "TaskInfo", "key": id, "task": mor("Task", id), "name": "CloneVM_Task", "descriptionId": "VirtualMachine.clone",
        "entity": mor("VirtualMachine", "vm-57"), "entityName": "DC0_H0_VM0", "state": state, "cancelled": false, "cancelable": false,
        "reason": {"_typeName": "TaskReasonUser", "userName": "vcsim"}, "queueTime": "2026-12-06T14:01:01.367015Z", "eventChainId": 0,
    });
    if let Some(result) = result {
        info["result"] = result;
    }
    if let Some(error) = error {
        info["error"] = error;
    }
    info
}

/// An `ObjectContent` of a VM with a name and a power state.
fn vm_content(id: &str, name: &str, power: &str) -> Value {
    json!({"_typeName": "ObjectContent", "obj": mor("VirtualMachine", id), "propSet": [
        {"_typeName": "DynamicProperty", "name": "name", "val": {"_typeName": "string", "_value": name}},
        {"_typeName": "DynamicProperty", "name": "runtime.powerState", "val": {"_typeName": "VirtualMachinePowerState", "_value": power}},
    ]})
}

/// Answers a paged retrieval of six VMs over three pages through a container view; the second
/// `ContinueRetrievePropertiesEx` fails when `fail_second_page`.
fn paging_server(fail_second_page: bool) -> Handler {
    handler(move |call| async move {
        let token = call.body["token"].as_str().unwrap_or_default().to_owned();
        match call.member.as_str() {
            "RetrieveServiceContent" => service_content(),
            "CreateContainerView" => (200, mor("ContainerView", "session[1]view-1")),
            "DestroyView" | "CancelRetrievePropertiesEx" => (204, Value::Null),
            "RetrievePropertiesEx" => {
                let mut first = vm_content("vm-1", "one", "poweredOn");
                first["propSet"].as_array_mut().unwrap().push(json!({"_typeName": "DynamicProperty", "name": "datastore", "val":
                    {"_typeName": "ArrayOfManagedObjectReference", "_value": [mor("Datastore", "datastore-1"), mor("Datastore", "datastore-2")]}}));
                (200, json!({"_typeName": "RetrieveResult", "token": "page-2", "objects": [first, vm_content("vm-2", "two", "poweredOff")]}))
            }
            "ContinueRetrievePropertiesEx" if token == "page-2" && fail_second_page => fault("SystemError", "the page is gone"),
            "ContinueRetrievePropertiesEx" if token == "page-2" => (
                200,
                json!({"_typeName": "RetrieveResult", "token": "page-3", "objects": [
                vm_content("vm-3", "three", "suspended"), vm_content("vm-4", "four", "poweredOn")]}),
            ),
            "ContinueRetrievePropertiesEx" if token == "page-3" => (
                200,
                json!({"_typeName": "RetrieveResult", "objects": [
                vm_content("vm-5", "five", "poweredOn"),
                {"_typeName": "ObjectContent", "obj": mor("VirtualMachine", "vm-6"), "propSet": [
                    {"_typeName": "DynamicProperty", "name": "name", "val": {"_typeName": "string", "_value": "six"}}],
                 "missingSet": [{"_typeName": "MissingProperty", "path": "runtime.powerState",
                    "fault": {"_typeName": "NoPermission", "privilegeId": "System.Read", "faultstring": "no permission"}}]}]}),
            ),
            _ => fault("MethodNotFound", &format!("not scripted: {}", call.member)),
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrieve_reads_three_pages_through_a_view_and_destroys_it() {
    let server = Server::start(paging_server(false)).await;
    let client = server.client();
    let vms = client.retrieve("VirtualMachine", &["name", "runtime.powerState"]).page_size(2).await.unwrap();
    let names: Vec<&str> = vms.iter().map(|vm| vm.str("name").unwrap()).collect();
    assert_eq!(names, ["one", "two", "three", "four", "five", "six"]);

    // the view over the whole inventory, its traversal, the page size, and the tokens in order
    let view = &server.calls("CreateContainerView")[0].body;
    assert_eq!(view["container"], mor("Folder", "group-d1"));
    assert_eq!(view["type"], json!(["VirtualMachine"]));
    assert_eq!(view["recursive"], json!(true));
    let retrieve = &server.calls("RetrievePropertiesEx")[0].body;
    assert_eq!(retrieve["options"]["maxObjects"], json!(2));
    assert_eq!(retrieve["specSet"][0]["objectSet"][0]["obj"], mor("ContainerView", "session[1]view-1"));
    assert_eq!(retrieve["specSet"][0]["objectSet"][0]["selectSet"][0]["path"], json!("view"));
    assert_eq!(retrieve["specSet"][0]["propSet"][0]["pathSet"], json!(["name", "runtime.powerState"]));
    let tokens: Vec<Value> = server.calls("ContinueRetrievePropertiesEx").iter().map(|c| c.body["token"].clone()).collect();
    assert_eq!(tokens, [json!("page-2"), json!("page-3")]);
    assert_eq!(server.calls("DestroyView").len(), 1);
    assert_eq!(server.calls("DestroyView")[0].id, "session[1]view-1");
    assert_eq!(server.count("CancelRetrievePropertiesEx"), 0);

    // typed access by path
    assert_eq!(vms[2].get::<VirtualMachinePowerState>("runtime.powerState").unwrap(), &VirtualMachinePowerState::Suspended);
    assert_eq!(vms[0].reference(), &ManagedObjectReference::new("VirtualMachine", "vm-1"));
    let vm: VirtualMachine = vms[0].handle(&client).unwrap();
    assert_eq!(vm.id(), "vm-1");
    match vms[0].get::<bool>("name") {
        Err(PropertyError::WrongType { path, expected, found, .. }) => assert_eq!((path.as_str(), expected, found.as_str()), ("name", "bool", "string")),
        other => panic!("expected a wrong type, got {other:?}"),
    }
    let datastores: Vec<&str> = vms[0].list::<ManagedObjectReference>("datastore").unwrap().iter().map(|d| d.value.as_str()).collect();
    assert_eq!(datastores, ["datastore-1", "datastore-2"]);
    assert!(vms[1].list::<ManagedObjectReference>("datastore").unwrap().is_empty());
    assert!(matches!(vms[0].get::<bool>("config.template"), Err(PropertyError::Unset { .. })));
    assert!(vms[0].get_opt::<bool>("config.template").unwrap().is_none());
    match vms[5].get::<VirtualMachinePowerState>("runtime.powerState") {
        Err(PropertyError::Missing { fault, .. }) => assert_eq!(fault.type_name(), "NoPermission"),
        other => panic!("expected the missing property's fault, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_fails_cancels_the_token_and_the_view_is_still_destroyed() {
    let server = Server::start(paging_server(true)).await;
    let err = server.client().retrieve("VirtualMachine", &["name"]).await.unwrap_err();
    assert_eq!(err.fault().map(|f| f.type_name()), Some("SystemError"), "{err}");
    let cancels = server.calls("CancelRetrievePropertiesEx");
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].body["token"], json!("page-2"));
    assert_eq!(server.count("DestroyView"), 1);
}

/// The server side of task watching: tasks by id and the filters on them, answered the way
/// vCenter answers `WaitForUpdatesEx` (the initial state of new filters, then changes).
#[derive(Default)]
struct Tasks {
    /// Task id to its current info.
    infos: Mutex<HashMap<String, Value>>,
    /// Filter id to task id, and what each filter was last told.
    filters: Mutex<HashMap<String, (String, Option<Value>)>>,
    next_filter: AtomicUsize,
    /// `WaitForUpdatesEx` calls in flight now, and the most at once.
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    cancelled: std::sync::atomic::AtomicBool,
    /// When `false`, `WaitForUpdatesEx` never reports anything (a server whose updates do not
    /// come), and holds each call until its `maxWaitSeconds`.
    deliver: bool,
}

impl Tasks {
    fn new(deliver: bool) -> Arc<Self> {
        Arc::new(Tasks { deliver, ..Default::default() })
    }

    fn set(&self, id: &str, info: Value) {
        self.infos.lock().unwrap().insert(id.to_owned(), info);
    }

    /// The object updates not yet reported.
    fn pending(&self) -> Vec<Value> {
        let infos = self.infos.lock().unwrap();
        let mut filters = self.filters.lock().unwrap();
        let mut updates = Vec::new();
        for (filter, (task, told)) in filters.iter_mut() {
            let Some(info) = infos.get(task) else { continue };
            if told.as_ref() == Some(info) {
                continue;
            }
            let kind = if told.is_none() { "enter" } else { "modify" };
            *told = Some(info.clone());
            updates.push(json!({"_typeName": "PropertyFilterUpdate", "filter": mor("PropertyFilter", filter), "objectSet": [
                {"_typeName": "ObjectUpdate", "kind": kind, "obj": mor("Task", task), "changeSet": [
                    {"_typeName": "PropertyChange", "name": "info", "op": "assign", "val": info}]}]}));
        }
        updates
    }

    async fn answer(self: Arc<Self>, call: Call) -> Reply {
        match call.member.as_str() {
            "RetrieveServiceContent" => service_content(),
            "CreatePropertyCollector" => (200, mor("PropertyCollector", "session[1]collector-1")),
            "CreateFilter" => {
                let n = self.next_filter.fetch_add(1, Ordering::SeqCst);
                let task = call.body["spec"]["objectSet"][0]["obj"]["value"].as_str().unwrap_or_default().to_owned();
                assert_eq!(call.body["spec"]["propSet"][0]["pathSet"], json!(["info"]));
                let id = format!("session[1]filter-{n}");
                self.filters.lock().unwrap().insert(id.clone(), (task, None));
                (200, mor("PropertyFilter", &id))
            }
            "DestroyPropertyFilter" => {
                self.filters.lock().unwrap().remove(&call.id);
                (204, Value::Null)
            }
            "CancelWaitForUpdates" => {
                self.cancelled.store(true, Ordering::SeqCst);
                (204, Value::Null)
            }
            "WaitForUpdatesEx" => {
                let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                self.most_in_flight.fetch_max(now, Ordering::SeqCst);
                let wait = call.body["options"]["maxWaitSeconds"].as_u64().unwrap_or(0);
                assert!((1..=300).contains(&wait), "maxWaitSeconds {wait}");
                let until = Instant::now() + Duration::from_secs(wait);
                let version: u64 = call.body["version"].as_str().and_then(|v| v.parse().ok()).unwrap_or(0);
                let reply = loop {
                    if self.cancelled.swap(false, Ordering::SeqCst) {
                        break fault("RequestCanceled", "The task was canceled by a user.");
                    }
                    let updates = if self.deliver { self.pending() } else { Vec::new() };
                    if !updates.is_empty() {
                        break (200, json!({"_typeName": "UpdateSet", "version": (version + 1).to_string(), "filterSet": updates}));
                    }
                    if Instant::now() >= until {
                        break (204, Value::Null);
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                };
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                reply
            }
            "info" => match self.infos.lock().unwrap().get(&call.id) {
                Some(info) => (200, info.clone()),
                None => fault("ManagedObjectNotFound", "no such task"),
            },
            _ => fault("MethodNotFound", &format!("not scripted: {}", call.member)),
        }
    }

    fn handler(self: &Arc<Self>) -> Handler {
        let tasks = self.clone();
        handler(move |call| tasks.clone().answer(call))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_waits_share_one_collector_and_one_poll() {
    let tasks = Tasks::new(true);
    for i in 0..20 {
        tasks.set(&format!("task-{i}"), task_info(&format!("task-{i}"), "running", None, None));
    }
    let server = Server::start(tasks.handler()).await;
    let client = server.client();
    let waits: Vec<_> = (0..20)
        .map(|i| {
            let task = Task::new(&client, format!("task-{i}"));
            tokio::spawn(async move { task.wait_for::<ManagedObjectReference>().await })
        })
        .collect();
    // let every wait register, then end the tasks one by one
    tokio::time::sleep(Duration::from_millis(300)).await;
    for i in 0..20 {
        tasks.set(&format!("task-{i}"), task_info(&format!("task-{i}"), "success", Some(mor("VirtualMachine", &format!("vm-{i}"))), None));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for (i, wait) in waits.into_iter().enumerate() {
        let vm = tokio::time::timeout(Duration::from_secs(10), wait).await.unwrap().unwrap().unwrap();
        assert_eq!(vm, ManagedObjectReference::new("VirtualMachine", format!("vm-{i}")));
    }
    assert_eq!(server.count("CreatePropertyCollector"), 1);
    assert_eq!(server.count("CreateFilter"), 20);
    assert_eq!(tasks.most_in_flight.load(Ordering::SeqCst), 1, "one WaitForUpdatesEx at a time");
    let polls = server.count("WaitForUpdatesEx");
    assert!(polls <= 40, "{polls} WaitForUpdatesEx calls for 20 tasks");
    assert_eq!(server.count("info"), 0, "no task was polled");

    // with no wait left the filters go and the poll stops (cancelled, not left to time out)
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(server.count("DestroyPropertyFilter"), 20);
    assert_eq!(tasks.in_flight.load(Ordering::SeqCst), 0);
    let settled = server.count("WaitForUpdatesEx");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.count("WaitForUpdatesEx"), settled);

    // a later wait starts the poll again, on the same collector
    tasks.set("task-late", task_info("task-late", "success", None, None));
    let result = Task::new(&client, "task-late").wait().await.unwrap();
    assert!(result.is_none());
    assert_eq!(server.count("CreatePropertyCollector"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_task_resolves_at_once_with_its_typed_result() {
    let tasks = Tasks::new(true);
    tasks.set("task-1", task_info("task-1", "success", Some(mor("VirtualMachine", "vm-9")), None));
    let server = Server::start(tasks.handler()).await;
    let client = server.client();
    let task = Task::new(&client, "task-1");

    let started = Instant::now();
    let vm: VirtualMachine = task.wait().handle().await.unwrap();
    assert_eq!(vm.id(), "vm-9");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    // the result as it came, and as a wrong type
    let any = task.wait().await.unwrap().unwrap();
    assert_eq!(any.downcast_ref::<ManagedObjectReference>(), Some(&ManagedObjectReference::new("VirtualMachine", "vm-9")));
    match task.wait_for::<bool>().await {
        Err(Error::WrongType { expected, found }) => assert_eq!((expected, found.as_str()), ("bool", "ManagedObjectReference")),
        other => panic!("expected a wrong type, got {other:?}"),
    }
    // progress reports end with the final state
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    task.wait().on_progress(move |info| log.lock().unwrap().push(info.state.as_str().to_owned())).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), ["success"]);
    assert_eq!(server.count("info"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_returns_its_fault_typed() {
    let tasks = Tasks::new(true);
    let error = json!({"_typeName": "InvalidPowerState", "requestedState": "poweredOn", "existingState": "poweredOn", "faultstring": "The attempted operation cannot be performed in the current state (Powered on)."});
    tasks.set("task-1", task_info("task-1", "running", None, None));
    let server = Server::start(tasks.handler()).await;
    let client = server.client();
    let updates = Task::new(&client, "task-1").updates();
    let waiting = tokio::spawn(async move { updates.collect::<Vec<_>>().await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tasks.set("task-1", task_info("task-1", "error", None, Some(error)));

    let err = Task::new(&client, "task-1").wait().await.unwrap_err();
    assert!(err.fault_is::<InvalidState>(), "{err}");
    let fault = err.downcast_ref::<InvalidPowerState>().expect("an InvalidPowerState");
    assert_eq!(fault.existing_state, VirtualMachinePowerState::PoweredOn);
    assert!(err.to_string().contains("cannot be performed in the current state"), "{err}");

    // the stream reports the running state, then the failed one, and ends
    let states: Vec<String> = waiting.await.unwrap().into_iter().map(|i| i.unwrap().state.as_str().to_owned()).collect();
    assert_eq!(states, ["running", "error"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_times_out() {
    let tasks = Tasks::new(true);
    tasks.set("task-1", task_info("task-1", "running", None, None));
    let server = Server::start(tasks.handler()).await;
    let started = Instant::now();
    let err = Task::new(&server.client(), "task-1").wait().timeout(Duration::from_millis(300)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(d) if d == Duration::from_millis(300)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // the wait left: its filter is destroyed
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.count("DestroyPropertyFilter"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_poll_the_task_when_the_server_sends_no_updates() {
    // updates never come: the wait polls after its fallback delay
    let tasks = Tasks::new(false);
    tasks.set("task-1", task_info("task-1", "running", None, None));
    let server = Server::start(tasks.handler()).await;
    let client = server.client();
    let wait = Task::new(&client, "task-1").wait().fallback_after(Duration::from_millis(200)).poll_interval(Duration::from_millis(50));
    let waiting = tokio::spawn(wait.into_future());
    tokio::time::sleep(Duration::from_millis(400)).await;
    tasks.set("task-1", task_info("task-1", "success", Some(json!({"_typeName": "string", "_value": "done"})), None));
    let result = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap().unwrap().unwrap();
    assert_eq!(result.as_str(), Some("done"));
    assert!(server.count("info") >= 2, "polled {} times", server.count("info"));

    // a server without WaitForUpdatesEx: the poll fails and the wait polls at once
    let failing = handler(move |call| {
        let tasks = tasks.clone();
        async move {
            match call.member.as_str() {
                "WaitForUpdatesEx" => fault("NotSupported", "not here"),
                _ => tasks.answer(call).await,
            }
        }
    });
    let server = Server::start(failing).await;
    let started = Instant::now();
    let done = Task::new(&server.client(), "task-1").wait().fallback_after(Duration::from_secs(30)).await.unwrap();
    assert_eq!(done.and_then(|d| d.as_str().map(str::to_owned)).as_deref(), Some("done"));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.count("WaitForUpdatesEx"), 1);
    assert_eq!(server.count("info"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_streams_the_initial_state_then_changes_and_cleans_up() {
    let version = Arc::new(AtomicUsize::new(0));
    let server = Server::start(handler(move |call| {
        let version = version.clone();
        async move {
            match call.member.as_str() {
                "RetrieveServiceContent" => service_content(),
                "CreatePropertyCollector" => (200, mor("PropertyCollector", "session[1]collector-2")),
                "CreateContainerView" => (200, mor("ContainerView", "session[1]view-2")),
                "CreateFilter" => (200, mor("PropertyFilter", "session[1]filter-2")),
                "DestroyPropertyCollector" | "DestroyView" => (204, Value::Null),
                "WaitForUpdatesEx" => {
                    let change = |kind: &str, name: Option<&str>, power: &str| {
                        let mut changes = vec![json!({"_typeName": "PropertyChange", "name": "runtime.powerState", "op": "assign",
                            "val": {"_typeName": "VirtualMachinePowerState", "_value": power}})];
                        if let Some(name) = name {
                            changes.push(
                                json!({"_typeName": "PropertyChange", "name": "name", "op": "assign", "val": {"_typeName": "string", "_value": name}}),
                            );
                        }
                        json!({"_typeName": "ObjectUpdate", "kind": kind, "obj": mor("VirtualMachine", "vm-1"), "changeSet": changes})
                    };
                    let set = |v: usize, update: Value| {
                        (
                            200,
                            json!({"_typeName": "UpdateSet", "version": v.to_string(), "filterSet": [
                        {"_typeName": "PropertyFilterUpdate", "filter": mor("PropertyFilter", "session[1]filter-2"), "objectSet": [update]}]}),
                        )
                    };
                    match version.fetch_add(1, Ordering::SeqCst) {
                        0 => set(1, change("enter", Some("one"), "poweredOff")),
                        // a wait that ends without changes
                        1 => (204, Value::Null),
                        _ => set(2, change("modify", None, "poweredOn")),
                    }
                }
                _ => fault("MethodNotFound", &format!("not scripted: {}", call.member)),
            }
        }
    }))
    .await;
    let client = server.client();
    let mut changes = client.watch("VirtualMachine", &["name", "runtime.powerState"]).max_wait(Duration::from_secs(20)).stream();
    let first = changes.next().await.unwrap().unwrap();
    assert_eq!(first.kind, ObjectUpdateKind::Enter);
    assert_eq!(first.str("name"), Some("one"));
    assert_eq!(first.get::<VirtualMachinePowerState>("runtime.powerState").unwrap(), Some(&VirtualMachinePowerState::PoweredOff));
    let second = changes.next().await.unwrap().unwrap();
    assert_eq!(second.kind, ObjectUpdateKind::Modify);
    assert_eq!(second.str("name"), None);
    assert_eq!(second.get::<VirtualMachinePowerState>("runtime.powerState").unwrap(), Some(&VirtualMachinePowerState::PoweredOn));
    assert_eq!(changes.version(), Some("2"));
    changes.close().await.unwrap();

    let waits: Vec<Value> = server.calls("WaitForUpdatesEx").iter().map(|c| c.body.clone()).collect();
    assert_eq!(waits[0].get("version"), None);
    assert_eq!(waits[0]["options"]["maxWaitSeconds"], json!(20));
    assert_eq!(waits[1]["version"], json!("1"));
    assert_eq!(waits[2]["version"], json!("1"));
    // the filter on the stream's own collector, with the view's traversal
    let filter = &server.calls("CreateFilter")[0];
    assert_eq!(filter.id, "session[1]collector-2");
    assert_eq!(filter.body["spec"]["objectSet"][0]["obj"], mor("ContainerView", "session[1]view-2"));
    assert_eq!(server.calls("DestroyPropertyCollector")[0].id, "session[1]collector-2");
    assert_eq!(server.calls("DestroyView")[0].id, "session[1]view-2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_by_path_gives_typed_handles_and_checks_the_type() {
    let server = Server::start(handler(|call| async move {
        match (call.member.as_str(), call.body["inventoryPath"].as_str()) {
            ("RetrieveServiceContent", _) => service_content(),
            ("FindByInventoryPath", Some("DC0/vm/DC0_H0_VM0")) => (200, mor("VirtualMachine", "vm-57")),
            ("FindByInventoryPath", Some("DC0/vm")) => (200, mor("Folder", "folder-3")),
            ("FindByInventoryPath", _) => (204, Value::Null),
            _ => fault("MethodNotFound", "not scripted"),
        }
    }))
    .await;
    let client = server.client();
    let vm = client.find().virtual_machine("DC0/vm/DC0_H0_VM0").await.unwrap().unwrap();
    assert_eq!(vm.id(), "vm-57");
    assert!(client.find().virtual_machine("DC0/vm/nothing").await.unwrap().is_none());
    match client.find().virtual_machine("DC0/vm").await {
        Err(Error::WrongType { expected, found }) => assert_eq!((expected, found.as_str()), ("VirtualMachine", "Folder")),
        other => panic!("expected a wrong type, got {other:?}"),
    }
    // a folder may be held as any of its supertypes
    let entity = client.find().path::<vim25::mo::ManagedEntity>("DC0/vm").await.unwrap().unwrap();
    assert_eq!(entity.reference().r#type.as_str(), "Folder");
    let paths: HashSet<Value> = server.calls("FindByInventoryPath").iter().map(|c| c.body["inventoryPath"].clone()).collect();
    assert_eq!(paths.len(), 3);
    assert!(server.calls("FindByInventoryPath").iter().all(|c| c.method == "POST" && c.id == "SearchIndex"));
}
