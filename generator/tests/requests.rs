//! Every operation builds the right request (method, path with release and moId, JSON body)
//! and decodes the right reply; checked against a recording transport.

use serde_json::json;
use std::sync::{Arc, Mutex};
use vim25::client::BoxFuture;
use vim25::mo::{PropertyCollector, ServiceInstance, SessionManager, VirtualMachine};
use vim25::types::*;
use vim25::{Client, Error, HttpMethod, Request, Response};

const BASE: &str = "https://vc.example/sdk/vim25/9.1.1.0";

/// A client whose transport records requests and answers with `reply`.
fn client(status: u16, headers: &[(&str, &str)], reply: serde_json::Value) -> (Client, Arc<Mutex<Vec<Request>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let body = if reply.is_null() { Vec::new() } else { serde_json::to_vec(&reply).unwrap() };
    let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let transport = move |req: Request| -> BoxFuture<Result<Response, Error>> {
        log.lock().unwrap().push(req);
        let reply = Response { status, headers: headers.clone(), body: body.clone() };
        Box::pin(async move { Ok(reply) })
    };
    (Client::new(BASE, transport), seen)
}

fn body(req: &Request) -> serde_json::Value {
    serde_json::from_slice(req.body.as_ref().expect("a body")).unwrap()
}

fn moref(ty: MoTypes, value: &str) -> ManagedObjectReference {
    ManagedObjectReference { r#type: ty, value: value.into(), extra: Default::default() }
}

#[tokio::test]
async fn clone_vm_task_posts_its_parameters() {
    let (c, seen) = client(200, &[], json!({"_typeName": "ManagedObjectReference", "type": "Task", "value": "task-7"}));
    let vm = VirtualMachine::new(&c, "vm-42");
    let spec = VirtualMachineCloneSpec {
        location: Box::new(VirtualMachineRelocateSpec { datastore: Some(moref(MoTypes::Datastore, "ds-1")), ..Default::default() }),
        template: false,
        power_on: true,
        ..Default::default()
    };
    let task = vm.clone_vm_task(&moref(MoTypes::Folder, "group-v3"), "copy", &spec).await.unwrap();
    assert_eq!(task.id(), "task-7");
    let req = &seen.lock().unwrap()[0];
    assert_eq!(req.method, HttpMethod::Post);
    assert_eq!(req.url, format!("{BASE}/VirtualMachine/vm-42/CloneVM_Task"));
    assert_eq!(
        body(req),
        json!({
            "folder": {"_typeName": "ManagedObjectReference", "type": "Folder", "value": "group-v3"},
            "name": "copy",
            "spec": {"_typeName": "VirtualMachineCloneSpec",
                     "location": {"_typeName": "VirtualMachineRelocateSpec", "datastore": {"_typeName": "ManagedObjectReference", "type": "Datastore", "value": "ds-1"}},
                     "template": false, "powerOn": true}
        })
    );
    assert!(req.headers.iter().any(|(k, v)| k == "content-type" && v == "application/json"));
}

#[tokio::test]
async fn retrieve_properties_ex_sends_specs_and_decodes_the_result() {
    let reply = json!({"_typeName": "RetrieveResult", "objects": [{"_typeName": "ObjectContent", "obj": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": "vm-1"},
        "propSet": [{"_typeName": "DynamicProperty", "name": "name", "val": {"_typeName": "string", "_value": "web"}}]}]});
    let (c, seen) = client(200, &[], reply);
    let pc = PropertyCollector::new(&c, "propertyCollector");
    let spec = PropertyFilterSpec {
        prop_set: vec![PropertySpec { r#type: "VirtualMachine".into(), path_set: Some(vec!["name".into()]), ..Default::default() }],
        object_set: vec![ObjectSpec { obj: moref(MoTypes::VirtualMachine, "vm-1"), skip: None, select_set: None, extra: Default::default() }],
        ..Default::default()
    };
    let result = pc.retrieve_properties_ex(&[spec], &RetrieveOptions::default()).await.unwrap().expect("a result");
    let val = &result.objects[0].prop_set.as_ref().unwrap()[0].val;
    assert_eq!(val.as_str(), Some("web"));
    assert_eq!(val.downcast_ref::<vim25::CompactString>().map(|s| s.as_str()), Some("web"));
    let req = &seen.lock().unwrap()[0];
    assert_eq!(req.url, format!("{BASE}/PropertyCollector/propertyCollector/RetrievePropertiesEx"));
    let b = body(req);
    assert_eq!(b["specSet"][0]["propSet"][0], json!({"_typeName": "PropertySpec", "type": "VirtualMachine", "pathSet": ["name"]}));
    assert_eq!(b["options"], json!({"_typeName": "RetrieveOptions"}));
}

#[tokio::test]
async fn login_keeps_the_session_for_later_requests() {
    let user = json!({"_typeName": "UserSession", "key": "k", "userName": "root", "fullName": "Root", "loginTime": "2024-01-01T00:00:00Z",
        "lastActiveTime": "2024-01-01T00:00:00Z", "locale": "en", "messageLocale": "en", "extensionSession": false, "ipAddress": "127.0.0.1", "userAgent": "t", "callCount": 0});
    let (c, seen) = client(200, &[("vmware-api-session-id", "abc123")], user);
    let sm = SessionManager::new(&c, "SessionManager");
    let session = sm.login("root", "s3cret", None).await.unwrap();
    assert_eq!(session.user_name, "root");
    assert_eq!(c.session().as_deref(), Some("abc123"));
    sm.login("root", "s3cret", Some("de")).await.unwrap();
    let log = seen.lock().unwrap();
    assert_eq!(body(&log[0]), json!({"userName": "root", "password": "s3cret"}));
    assert_eq!(body(&log[1]), json!({"userName": "root", "password": "s3cret", "locale": "de"}));
    assert!(!log[0].headers.iter().any(|(k, _)| k == "vmware-api-session-id"));
    assert!(log[1].headers.iter().any(|(k, v)| k == "vmware-api-session-id" && v == "abc123"));
}

#[tokio::test]
async fn power_on_with_optional_parameter_left_out() {
    let (c, seen) = client(200, &[], json!({"_typeName": "ManagedObjectReference", "type": "Task", "value": "task-1"}));
    VirtualMachine::new(&c, "vm-9").power_on_vm_task(None).await.unwrap();
    let req = &seen.lock().unwrap()[0];
    assert_eq!(req.url, format!("{BASE}/VirtualMachine/vm-9/PowerOnVM_Task"));
    assert_eq!(body(req), json!({}));
}

#[tokio::test]
async fn power_on_with_optional_parameter_given() {
    // an optional borrowed object is written through its own reference (`Encode` has no impl
    // for `&T` in general)
    let (c, seen) = client(200, &[], json!({"_typeName": "ManagedObjectReference", "type": "Task", "value": "task-2"}));
    let host = moref(MoTypes::HostSystem, "host-5");
    VirtualMachine::new(&c, "vm-9").power_on_vm_task(Some(&host)).await.unwrap();
    let req = &seen.lock().unwrap()[0];
    assert_eq!(body(req), json!({"host": {"_typeName": "ManagedObjectReference", "type": "HostSystem", "value": "host-5"}}));
}

#[tokio::test]
async fn property_getter_is_a_get_without_body() {
    let (c, seen) = client(200, &[], json!("web-01"));
    let name = VirtualMachine::new(&c, "vm 1/x").name().await.unwrap();
    assert_eq!(name, "web-01");
    let req = &seen.lock().unwrap()[0];
    assert_eq!(req.method, HttpMethod::Get);
    assert_eq!(req.url, format!("{BASE}/VirtualMachine/vm%201%2Fx/name"));
    assert!(req.body.is_none());
}

#[tokio::test]
async fn method_without_parameters_sends_no_body() {
    let content = json!({"_typeName": "ServiceContent", "rootFolder": {"_typeName": "ManagedObjectReference", "type": "Folder", "value": "group-d1"},
        "propertyCollector": {"_typeName": "ManagedObjectReference", "type": "PropertyCollector", "value": "propertyCollector"},
        "about": {"_typeName": "AboutInfo", "name": "VMware vCenter Server", "fullName": "f", "vendor": "VMware, Inc.", "version": "9.1.1", "build": "1",
                  "osType": "linux-x64", "productLineId": "vpx", "apiType": "VirtualCenter", "apiVersion": "9.1.1.0"}});
    let (c, seen) = client(200, &[], content);
    let sc = ServiceInstance::new(&c, "ServiceInstance").retrieve_service_content().await.unwrap();
    assert_eq!(sc.root_folder.value, "group-d1");
    assert_eq!(sc.about.api_version, "9.1.1.0");
    let req = &seen.lock().unwrap()[0];
    assert_eq!(req.url, format!("{BASE}/ServiceInstance/ServiceInstance/RetrieveServiceContent"));
    assert!(req.body.is_none());
}

#[tokio::test]
async fn a_fault_reply_is_a_typed_error() {
    let fault = json!({"_typeName": "InvalidLogin", "faultMessage": []});
    let (c, _) = client(500, &[], fault);
    let err = SessionManager::new(&c, "SessionManager").login("u", "bad", None).await.unwrap_err();
    let f = err.fault().expect("a fault");
    assert_eq!(f.type_name(), "InvalidLogin");
    assert!(f.downcast_ref::<InvalidLogin>().is_some());
    assert_eq!(err.to_string(), "server fault InvalidLogin");
}

#[tokio::test]
async fn a_nullable_reply_may_be_empty() {
    let (c, _) = client(200, &[], serde_json::Value::Null);
    assert!(VirtualMachine::new(&c, "vm-1").config().await.unwrap().is_none());
}
