//! Every operation, property and type knows the release that introduced it (the document's
//! `Since` text), and a client refuses, without sending anything, what its release lacks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use vim25::client::BoxFuture;
use vim25::mo::DistributedVirtualSwitchManager;
use vim25::types::{SearchIndexResultSet, VirtualMachineConfigSpec};
use vim25::{Client, Error, Request, Response};

/// A client at `release` whose transport counts requests and answers 200 with `null`.
fn client(release: &str) -> (Client, Arc<AtomicUsize>) {
    let sent = Arc::new(AtomicUsize::new(0));
    let count = sent.clone();
    let transport = move |_: Request| -> BoxFuture<Result<Response, Error>> {
        count.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(Response { status: 200, headers: Vec::new(), body: b"null".to_vec() }) })
    };
    (Client::new(format!("https://vc.example/sdk/vim25/{release}"), transport), sent)
}

#[tokio::test]
async fn an_operation_newer_than_the_session_is_refused_before_sending() {
    let (c, sent) = client("8.0.2.0");
    let manager = DistributedVirtualSwitchManager::new(&c, "DVSManager");
    match manager.get_vpc_network_span(None).await {
        Err(Error::UnsupportedRelease { member, since, release }) => {
            assert_eq!(member, "DistributedVirtualSwitchManager.GetVpcNetworkSpan");
            assert_eq!(since, "9.1.0.0");
            assert_eq!(release, "8.0.2.0");
        }
        other => panic!("expected UnsupportedRelease, got {other:?}"),
    }
    assert_eq!(sent.load(Ordering::SeqCst), 0, "nothing may be sent");
}

#[tokio::test]
async fn the_same_operation_goes_out_at_its_release() {
    let (c, sent) = client("9.1.1.0");
    let manager = DistributedVirtualSwitchManager::new(&c, "DVSManager");
    assert!(manager.get_vpc_network_span(None).await.unwrap().is_none());
    assert_eq!(sent.load(Ordering::SeqCst), 1);
}

#[test]
fn types_know_their_release() {
    assert_eq!(SearchIndexResultSet::SINCE, Some("9.1.0.0"));
    assert_eq!(VirtualMachineConfigSpec::SINCE, None);
    let (_, newest) = vim25::ser::to_vec_with_since(&SearchIndexResultSet::default()).unwrap();
    let newest = newest.expect("a typed object with a release");
    assert_eq!((newest.type_name, newest.since), ("SearchIndexResultSet", "9.1.0.0"));
    let (_, newest) = vim25::ser::to_vec_with_since(&VirtualMachineConfigSpec::default()).unwrap();
    assert_eq!(newest, None);
}

#[tokio::test]
async fn a_body_holding_a_type_newer_than_the_session_is_refused_before_sending() {
    use vim25::mo::VirtualMachine;
    use vim25::types::{CustomizationLinuxFlexPrep, CustomizationSpec};
    let since = CustomizationLinuxFlexPrep::SINCE.expect("a type with a release");
    let spec = CustomizationSpec { identity: CustomizationLinuxFlexPrep::default().into(), ..Default::default() };

    let (c, sent) = client("8.0.2.0");
    match VirtualMachine::new(&c, "vm-42").customize_vm_task(&spec).await {
        Err(Error::UnsupportedRelease { member, since: found, release }) => {
            assert_eq!((member.as_str(), found, release.as_str()), ("CustomizationLinuxFlexPrep", since, "8.0.2.0"));
        }
        other => panic!("expected UnsupportedRelease, got {other:?}"),
    }
    assert_eq!(sent.load(Ordering::SeqCst), 0, "nothing may be sent");

    // an older identity in the same operation goes out
    let (c, sent) = client("8.0.2.0");
    let spec = CustomizationSpec { identity: vim25::types::CustomizationLinuxPrep::default().into(), ..Default::default() };
    let _ = VirtualMachine::new(&c, "vm-42").customize_vm_task(&spec).await;
    assert_eq!(sent.load(Ordering::SeqCst), 1);
}
