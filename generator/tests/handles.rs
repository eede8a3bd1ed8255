//! References, handles and faults of the generated crate: equality and display of references,
//! handles made from references with their type checked, task handles from `*_Task` replies,
//! string parameters of any string type, and fault messages and type tests.

use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use vim25::client::BoxFuture;
use vim25::mo::{ContainerView, Folder, ManagedEntity, SessionManager, Task, ViewManager, VirtualMachine};
use vim25::types::*;
use vim25::{Client, Error, Request, Response};

const BASE: &str = "http://127.0.0.1:8080/sdk/vim25/9.1.1.0";

/// A client whose transport records requests and answers each with the next of `replies`.
fn client(replies: Vec<(u16, serde_json::Value)>) -> (Client, Arc<Mutex<Vec<Request>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let replies = Arc::new(Mutex::new(replies.into_iter()));
    let transport = move |req: Request| -> BoxFuture<Result<Response, Error>> {
        log.lock().unwrap().push(req);
        let (status, body) = replies.lock().unwrap().next().expect("a reply for each request");
        let body = if body.is_null() { Vec::new() } else { serde_json::to_vec(&body).unwrap() };
        Box::pin(async move { Ok(Response { status, headers: Vec::new(), body }) })
    };
    (Client::for_url("http://127.0.0.1:8080/", transport), seen)
}

fn body(req: &Request) -> serde_json::Value {
    serde_json::from_slice(req.body.as_ref().expect("a body")).unwrap()
}

#[test]
fn references_are_built_shown_and_compared_by_type_and_value() {
    let vm = ManagedObjectReference::new("VirtualMachine", "vm-42");
    assert_eq!(vm.r#type, MoTypes::VirtualMachine);
    assert_eq!(vm.value, "vm-42");
    assert_eq!(vm.to_string(), "VirtualMachine:vm-42");
    assert_eq!(ManagedObjectReference::new(MoTypes::HostSystem, String::from("host-1")).to_string(), "HostSystem:host-1");
    // a reference read from a server, with a member this release does not declare, names the
    // same object as one built by hand
    let read: ManagedObjectReference =
        vim25::from_str(r#"{"_typeName":"ManagedObjectReference","type":"VirtualMachine","value":"vm-42","serverGuid":"g"}"#).unwrap();
    assert!(!read.extra.is_empty());
    assert_eq!(read, vm);
    assert_ne!(vm, ManagedObjectReference::new("VirtualMachine", "vm-43"));
    assert_ne!(vm, ManagedObjectReference::new("Folder", "vm-42"));
    // an unknown type equals itself however it was made
    let unknown = ManagedObjectReference { r#type: MoTypes::Unrecognized("NewType".into()), value: "x-1".into(), extra: Default::default() };
    assert_eq!(unknown, ManagedObjectReference::new("NewType", "x-1"));
    let set: HashSet<ManagedObjectReference> = [vm.clone(), read, ManagedObjectReference::new("Folder", "vm-42")].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&vm));
}

#[test]
fn handles_from_references_check_the_type() {
    let (c, _) = client(Vec::new());
    let vm_ref = ManagedObjectReference::new("VirtualMachine", "vm-42");
    let vm = VirtualMachine::from_ref(&c, &vm_ref).unwrap();
    assert_eq!(vm.id(), "vm-42");
    assert_eq!(vm.reference(), &vm_ref);
    assert_eq!(vm.to_ref(), vm_ref);
    // an ancestor's handle holds a subtype's object and keeps its concrete type
    let entity = ManagedEntity::from_ref(&c, &vm_ref).unwrap();
    assert_eq!(entity.reference().r#type, MoTypes::VirtualMachine);
    assert!(vim25::mo::ExtensibleManagedObject::from_ref(&c, &vm_ref).is_ok());
    // through more than one level of the hierarchy
    for (ty, id) in [("HostSystem", "host-1"), ("ClusterComputeResource", "domain-c7"), ("VirtualApp", "resgroup-v9"), ("StoragePod", "group-p1")] {
        let entity = ManagedEntity::from_ref(&c, &ManagedObjectReference::new(ty, id));
        assert_eq!(entity.map(|e| e.reference().to_string()).ok(), Some(format!("{ty}:{id}")));
    }
    assert!(vim25::mo::ComputeResource::from_ref(&c, &ManagedObjectReference::new("ClusterComputeResource", "domain-c7")).is_ok());
    assert!(vim25::mo::ComputeResource::from_ref(&c, &ManagedObjectReference::new("HostSystem", "host-1")).is_err());
    // another type, or an ancestor's reference for a subtype's handle, is an error
    let err = Folder::from_ref(&c, &vm_ref).unwrap_err();
    assert!(matches!(&err, Error::WrongType { expected: "Folder", found } if found == "VirtualMachine"), "{err:?}");
    assert_eq!(err.to_string(), "a reference to VirtualMachine cannot be held as a Folder");
    assert!(VirtualMachine::from_ref(&c, &ManagedObjectReference::new("ManagedEntity", "vm-42")).is_err());
    assert!(VirtualMachine::from_ref(&c, &ManagedObjectReference::new("NewType", "vm-42")).is_err());
    // a handle made from a moId refers to its own type
    assert_eq!(Folder::new(&c, "group-d1").reference().to_string(), "Folder:group-d1");
}

#[tokio::test]
async fn task_operations_return_the_task_handle() {
    let task_ref = json!({"_typeName": "ManagedObjectReference", "type": "Task", "value": "task-7"});
    let (c, seen) = client(vec![(200, task_ref), (200, json!({"_typeName": "ManagedObjectReference", "type": "ContainerView", "value": "session[1]v"}))]);
    let task: Task = VirtualMachine::new(&c, "vm-1").power_on_vm_task(None).await.unwrap();
    assert_eq!(task.reference(), &ManagedObjectReference::new("Task", "task-7"));
    // a reply documented to refer to another managed type gives that type's handle
    let view: ContainerView = ViewManager::new(&c, "ViewManager")
        .create_container_view(&ManagedObjectReference::new("Folder", "group-d1"), Some(&["VirtualMachine"]), true)
        .await
        .unwrap();
    assert_eq!(view.id(), "session[1]v");
    let log = seen.lock().unwrap();
    assert_eq!(log[0].url, format!("{BASE}/VirtualMachine/vm-1/PowerOnVM_Task"));
    assert_eq!(body(&log[1])["type"], json!(["VirtualMachine"]));
}

#[tokio::test]
async fn string_parameters_take_any_string_type() {
    let (c, seen) = client(vec![(200, json!({"_typeName": "UserSession"})); 4]);
    let sessions = SessionManager::new(&c, "SessionManager");
    let user = String::from("root");
    // `&str`, `String` and `&String`; the tests of requests.rs check the bodies
    let _ = sessions.login("root", "pw", None).await;
    let _ = sessions.login(user.clone(), String::from("pw"), Some("de")).await;
    let _ = sessions.login(&user, &user, None).await;
    // lists of strings: `&[&str]` and `&Vec<String>` (here an operation whose list is required)
    let (c2, seen2) = client(vec![(204, serde_json::Value::Null), (204, serde_json::Value::Null)]);
    let storage = vim25::mo::HostStorageSystem::new(&c2, "storageSystem");
    let owned = vec![String::from("lun-1"), String::from("lun-2")];
    let _ = storage.detach_scsi_lun_ex_task(&["lun-1", "lun-2"]).await;
    let _ = storage.detach_scsi_lun_ex_task(&owned).await;
    let log = seen2.lock().unwrap();
    assert_eq!(body(&log[0]), json!({"lunUuid": ["lun-1", "lun-2"]}));
    assert_eq!(body(&log[0]), body(&log[1]));
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn fault_messages_come_from_faultstring_fault_message_or_the_localized_message() {
    let with_string: vim25::Fault = vim25::from_str(r#"{"_typeName":"InvalidPowerState","requestedState":"poweredOn","existingState":"poweredOn","faultstring":"The attempted operation cannot be performed in the current state (Powered on)."}"#).unwrap();
    assert_eq!(with_string.message().as_deref(), Some("The attempted operation cannot be performed in the current state (Powered on)."));
    assert_eq!(with_string.to_string(), "InvalidPowerState: The attempted operation cannot be performed in the current state (Powered on).");

    let with_messages: vim25::Fault = vim25::from_str(
        r#"{"_typeName":"NotFound","faultMessage":[{"_typeName":"LocalizableMessage","key":"vob.notfound","message":"The object was not found."},{"_typeName":"LocalizableMessage","key":"only.a.key"}]}"#,
    )
    .unwrap();
    assert_eq!(with_messages.message().as_deref(), Some("The object was not found.; only.a.key"));
    assert_eq!(with_messages.to_string(), "NotFound: The object was not found.; only.a.key");

    let bare: vim25::Fault = vim25::from_str(r#"{"_typeName":"NotAuthenticated"}"#).unwrap();
    assert_eq!(bare.message(), None);
    assert_eq!(bare.to_string(), "NotAuthenticated");
    // a `faultstring` that only repeats the type is not shown twice
    let named: vim25::Fault = vim25::from_str(r#"{"_typeName":"NotAuthenticated","faultstring":"NotAuthenticated"}"#).unwrap();
    assert_eq!(named.to_string(), "NotAuthenticated");

    let localized: LocalizedMethodFault = vim25::from_str(r#"{"_typeName":"LocalizedMethodFault","fault":{"_typeName":"FileNotFound","file":"[ds] a.vmdk"},"localizedMessage":"File [ds] a.vmdk was not found"}"#).unwrap();
    assert_eq!(localized.message().as_deref(), Some("File [ds] a.vmdk was not found"));
    assert_eq!(localized.to_string(), "FileNotFound: File [ds] a.vmdk was not found");
    // without its own message, that of the fault it holds
    let inner: LocalizedMethodFault =
        vim25::from_str(r#"{"_typeName":"LocalizedMethodFault","fault":{"_typeName":"FileNotFound","file":"f","faultstring":"gone"}}"#).unwrap();
    assert_eq!(inner.to_string(), "FileNotFound: gone");
}

#[tokio::test]
async fn a_fault_error_shows_its_message_and_tests_its_type_at_any_depth() {
    let fault = json!({"_typeName": "InvalidPowerState", "existingState": "poweredOn", "faultstring": "The VM is on."});
    let (c, _) = client(vec![(500, fault)]);
    let err = VirtualMachine::new(&c, "vm-1").power_on_vm_task(None).await.unwrap_err();
    assert_eq!(err.to_string(), "server fault InvalidPowerState: The VM is on.");
    assert_eq!(err.fault().and_then(|f| f.message()).as_deref(), Some("The VM is on."));
    // the type, its ancestors, and nothing else
    assert!(err.fault_is::<InvalidPowerState>());
    assert!(err.fault_is::<InvalidState>());
    assert!(err.fault_is::<VimFault>());
    assert!(err.fault_is::<MethodFault>());
    assert!(!err.fault_is::<NotFound>());
    assert!(!err.fault_is::<InvalidVmState>());
    // `downcast_ref` is the exact type, for its members
    assert_eq!(err.downcast_ref::<InvalidPowerState>().map(|f| f.existing_state.clone()), Some(VirtualMachinePowerState::PoweredOn));
    assert!(err.downcast_ref::<InvalidState>().is_none());
    // a subtype this release does not know counts as the known type it decodes as
    let newer: vim25::Fault = vim25::from_str(r#"{"_typeName":"InvalidStateSinceTomorrow","faultstring":"later"}"#).unwrap();
    assert_eq!(newer.type_name(), "InvalidStateSinceTomorrow");
    assert!(newer.fault_is::<MethodFault>());
    assert_eq!(newer.to_string(), "InvalidStateSinceTomorrow: later");
    // an error that is no fault is none of them
    let (c, _) = client(vec![(503, json!("busy"))]);
    let err = VirtualMachine::new(&c, "vm-1").power_on_vm_task(None).await.unwrap_err();
    assert!(!err.fault_is::<MethodFault>() && err.downcast_ref::<MethodFault>().is_none());
}
