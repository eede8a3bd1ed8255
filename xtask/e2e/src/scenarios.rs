//! The scenarios, each `async fn NAME(env: &Env) -> Result`, registered in `main.rs`. The
//! inventory is vcsim's default vCenter model: datacenter `DC0`, VMs `DC0_H0_VM0`, ... in
//! `DC0/vm`, a network `VM Network`.

use crate::{ensure, wait, Env, Result, Session};
use futures_util::StreamExt;
use std::collections::BTreeSet;
use std::time::Duration;
use vim25::mo::{
    Datacenter, DistributedVirtualSwitchManager, EventManager, HostSystem, PropertyCollector, ServiceInstance, SessionManager, TaskManager, ViewManager,
    VirtualMachine,
};
use vim25::types::*;

/// The virtual machine most scenarios read.
const VM: &str = "DC0/vm/DC0_H0_VM0";

/// Every object of type `ty` under the root folder with the property `name`, read through a
/// `ContainerView` and `RetrievePropertiesEx`; checks the view's `view` property agrees.
async fn names_of(s: &Session, ty: &str) -> Result<Vec<(ManagedObjectReference, String)>> {
    let views = ViewManager::from_ref(&s.client, s.content.view_manager.as_ref().ok_or("no ViewManager")?)?;
    let view = views.create_container_view(&s.content.root_folder, Some(&[ty]), true).await?;
    let shown = view.view().await?.unwrap_or_default();
    let traversal = TraversalSpec { r#type: "ContainerView".into(), path: "view".into(), ..Default::default() };
    let spec = PropertyFilterSpec {
        prop_set: vec![PropertySpec { r#type: ty.into(), path_set: Some(vec!["name".into()]), ..Default::default() }],
        object_set: vec![ObjectSpec { obj: view.to_ref(), skip: Some(true), select_set: Some(vec![traversal.into()]), ..Default::default() }],
        ..Default::default()
    };
    let collector = PropertyCollector::from_ref(&s.client, &s.content.property_collector)?;
    let result = collector.retrieve_properties_ex(&[spec], &RetrieveOptions::default()).await?;
    view.destroy_view().await?;
    let mut named = Vec::new();
    for object in result.map(|r| r.objects).unwrap_or_default() {
        let name = object.prop_set.iter().flatten().find(|p| p.name == "name").and_then(|p| p.val.as_str()).unwrap_or_default();
        named.push((object.obj.clone(), name.to_owned()));
    }
    ensure!(named.len() == shown.len(), "the view shows {} objects, RetrievePropertiesEx returned {}", shown.len(), named.len());
    Ok(named)
}

/// The names of every virtual machine (for `vim25-e2e --vm-names`).
pub async fn vm_names(env: &Env) -> Result<Vec<String>> {
    let s = env.login().await?;
    let names = names_of(&s, "VirtualMachine").await?.into_iter().map(|(_, n)| n).collect();
    s.logout().await?;
    Ok(names)
}

pub async fn login(env: &Env) -> Result {
    let s = env.login().await?;
    let current = s.sessions.current_session().await?.ok_or("no current session after Login")?;
    ensure!(current.user_name == env.user.as_str(), "logged in as {}, not {}", current.user_name, env.user);
    let listed = s.sessions.session_list().await?.unwrap_or_default();
    ensure!(listed.iter().any(|u| u.key == current.key), "sessionList does not hold the current session");
    let active = s.sessions.session_is_active(&current.key, &current.user_name).await?;
    ensure!(active, "SessionIsActive says the current session is not");
    let instance = ServiceInstance::new(&s.client, "ServiceInstance");
    instance.current_time().await?;
    instance.server_clock().await?;
    let about = &s.content.about;
    ensure!(!about.api_version.is_empty(), "about.apiVersion is empty");
    s.logout().await
}

pub async fn list_vms(env: &Env) -> Result {
    let s = env.login().await?;
    let vms = names_of(&s, "VirtualMachine").await?;
    ensure!(vms.iter().any(|(_, n)| n == "DC0_H0_VM0"), "DC0_H0_VM0 is not among {vms:?}");
    ensure!(vms.iter().all(|(r, n)| r.r#type == MoTypes::VirtualMachine && !n.is_empty()), "an object without a name or of another type: {vms:?}");
    s.logout().await
}

pub async fn find_by_inventory_path(env: &Env) -> Result {
    let s = env.login().await?;
    let search = s.search_index()?;
    let vm = s.vm(VM).await?;
    ensure!(vm.name().await?.as_str() == "DC0_H0_VM0", "{VM} is named otherwise");
    let dc = search.find_by_inventory_path("DC0").await?.ok_or("DC0: not found")?;
    let dc = Datacenter::from_ref(&s.client, dc.reference())?;
    let folder = dc.vm_folder().await?;
    let child = search.find_child(folder.reference(), "DC0_H0_VM0").await?.ok_or("FindChild found nothing")?;
    ensure!(child.reference() == vm.reference(), "FindChild found {}, FindByInventoryPath {}", child.reference(), vm.reference());
    let children = folder.child_entity().await?.unwrap_or_default();
    ensure!(children.contains(vm.reference()), "the VM folder's childEntity lacks {}", vm.reference());
    let uuid = vm.config().await?.ok_or("no config")?.uuid;
    let by_uuid = search.find_by_uuid(Some(dc.reference()), &uuid, true, None).await?.ok_or("FindByUuid found nothing")?;
    ensure!(by_uuid.reference() == vm.reference(), "FindByUuid found {}", by_uuid.reference());
    let missing = search.find_by_inventory_path("DC0/vm/no-such-vm").await?;
    ensure!(missing.is_none(), "a path that does not exist was found");
    s.logout().await
}

pub async fn vm_config_and_runtime(env: &Env) -> Result {
    let s = env.login().await?;
    let vm = s.vm(VM).await?;
    let config = vm.config().await?.ok_or("no config")?;
    ensure!(config.name == "DC0_H0_VM0", "config.name is {}", config.name);
    ensure!(config.hardware.device.as_ref().is_some_and(|d| !d.is_empty()), "config.hardware.device is empty");
    let runtime = vm.runtime().await?;
    ensure!(runtime.host.is_some(), "runtime.host is not set");
    // vcsim leaves out this required member: the tolerant decoding takes the blank value
    // and records the absence
    ensure!(runtime.extra.is_absent("faultToleranceState"), "runtime.faultToleranceState is not recorded absent: {:?}", runtime.extra.absent());
    let summary = vm.summary().await?;
    ensure!(summary.config.name == config.name, "summary.config.name {} != config.name", summary.config.name);
    s.logout().await
}

pub async fn inventory_properties(env: &Env) -> Result {
    let s = env.login().await?;
    let dc = s.search_index()?.find_by_inventory_path("DC0").await?.ok_or("DC0: not found")?;
    let dc = Datacenter::from_ref(&s.client, dc.reference())?;
    ensure!(dc.name().await?.as_str() == "DC0", "the datacenter is not named DC0");
    let hosts = dc.host_folder().await?;
    ensure!(hosts.name().await?.as_str() == "host", "DC0's host folder is not named host");
    ensure!(!hosts.child_entity().await?.unwrap_or_default().is_empty(), "DC0's host folder is empty");
    let datastores = dc.datastore().await?.unwrap_or_default();
    let datastore = vim25::mo::Datastore::from_ref(&s.client, datastores.first().ok_or("DC0 has no datastore")?)?;
    ensure!(!datastore.name().await?.is_empty(), "a datastore without a name");
    let networks = dc.network().await?.unwrap_or_default();
    let network = vim25::mo::Network::from_ref(&s.client, networks.first().ok_or("DC0 has no network")?)?;
    ensure!(!network.name().await?.is_empty(), "a network without a name");
    let vm = s.vm(VM).await?;
    let host = vim25::mo::HostSystem::from_ref(&s.client, vm.runtime().await?.host.as_ref().ok_or("the VM has no host")?)?;
    ensure!(!host.name().await?.is_empty(), "a host without a name");
    let pool = vm.resource_pool().await?.ok_or("the VM has no resource pool")?;
    ensure!(!pool.name().await?.is_empty(), "a resource pool without a name");
    let parent = vm.parent().await?.ok_or("the VM has no parent")?;
    ensure!(parent.reference().r#type == MoTypes::Folder, "the VM's parent is a {}", parent.reference().r#type);
    let tasks = TaskManager::from_ref(&s.client, s.content.task_manager.as_ref().ok_or("no TaskManager")?)?;
    tasks.recent_task().await?;
    s.logout().await
}

pub async fn clone_vm_with_nic(env: &Env) -> Result {
    let s = env.login().await?;
    let vm = s.vm(VM).await?;
    let network = s.search_index()?.find_by_inventory_path("DC0/network/VM Network").await?.ok_or("VM Network: not found")?;
    let folder = vm.parent().await?.ok_or("the source has no folder")?;
    let pool = vm.resource_pool().await?.ok_or("the source has no resource pool")?;
    let datastore = vm.datastore().await?.into_iter().flatten().next().ok_or("the source has no datastore")?;
    let before = vm.config().await?.ok_or("no config")?.hardware.device.unwrap_or_default().len();

    let backing = VirtualEthernetCardNetworkBackingInfo { device_name: "VM Network".into(), network: Some(network.to_ref()), ..Default::default() };
    let nic = VirtualE1000 { key: -1, backing: Some(backing.into()), ..Default::default() };
    let add_nic = VirtualDeviceConfigSpec { operation: Some(VirtualDeviceConfigSpecOperation::Add), device: nic.into(), ..Default::default() };
    let spec = VirtualMachineCloneSpec {
        location: Box::new(VirtualMachineRelocateSpec { pool: Some(pool.to_ref()), datastore: Some(datastore), ..Default::default() }),
        config: Some(Box::new(VirtualMachineConfigSpec { device_change: Some(vec![add_nic.into()]), ..Default::default() })),
        ..Default::default()
    };
    let info = wait(&vm.clone_vm_task(folder.reference(), "e2e-clone", &spec).await?).await?;
    let clone = match info.result {
        Some(Any::ManagedObjectReference(r)) => VirtualMachine::from_ref(&s.client, &r)?,
        other => return Err(format!("the clone task's result is {other:?}").into()),
    };
    ensure!(clone.name().await?.as_str() == "e2e-clone", "the clone is not named e2e-clone");
    let devices = clone.config().await?.ok_or("the clone has no config")?.hardware.device.unwrap_or_default();
    ensure!(devices.len() == before + 1, "the clone has {} devices, the source {before}: the NIC was not added", devices.len());
    ensure!(devices.iter().any(|d| d.type_name() == "VirtualE1000"), "the clone has no VirtualE1000");
    let off = clone.power_off_vm_task().await?;
    // vcsim powers a clone on when its source is on; off or not, it can be destroyed after
    let _ = wait(&off).await;
    wait(&clone.destroy_task().await?).await?;
    s.logout().await
}

pub async fn power_off_on(env: &Env) -> Result {
    let s = env.login().await?;
    let vm = s.vm("DC0/vm/DC0_H0_VM1").await?;
    wait(&vm.power_off_vm_task().await?).await?;
    let state = vm.runtime().await?.power_state;
    ensure!(state == VirtualMachinePowerState::PoweredOff, "after PowerOffVM_Task the VM is {state:?}");
    wait(&vm.power_on_vm_task(None).await?).await?;
    let state = vm.runtime().await?.power_state;
    ensure!(state == VirtualMachinePowerState::PoweredOn, "after PowerOnVM_Task the VM is {state:?}");
    wait(&vm.reset_vm_task().await?).await?;
    // powering on a running VM fails in the task, with a typed fault
    match wait(&vm.power_on_vm_task(None).await?).await {
        Ok(_) => return Err("PowerOnVM_Task of a running VM succeeded".into()),
        Err(e) => ensure!(e.fault_is::<InvalidState>(), "not an InvalidState fault: {e}"),
    }
    s.logout().await
}

pub async fn events(env: &Env) -> Result {
    let s = env.login().await?;
    let manager = EventManager::from_ref(&s.client, s.content.event_manager.as_ref().ok_or("no EventManager")?)?;
    // (not `latestEvent`: reading it panics in vcsim)
    let queried = manager.query_events(&EventFilterSpec::default(), None).await?.unwrap_or_default();
    let latest = queried.iter().max_by_key(|e| *e.key()).ok_or("QueryEvents returned nothing")?;
    let collector = manager.create_collector_for_events(&EventFilterSpec::default()).await?;
    collector.set_collector_page_size(10).await?;
    let page = collector.latest_page().await?.unwrap_or_default();
    ensure!(!page.is_empty() && page.len() <= 10, "latestPage holds {} events, page size 10", page.len());
    ensure!(page.iter().any(|e| e.key() == latest.key()), "latestPage lacks the latest event {}", latest.key());
    collector.rewind_collector().await?;
    let next = collector.read_next_events(5).await?.unwrap_or_default();
    ensure!(!next.is_empty() && next.len() <= 5, "ReadNextEvents(5) returned {} events", next.len());
    collector.read_previous_events(5).await?;
    collector.destroy_collector().await?;
    s.logout().await
}

pub async fn fault_managed_object_not_found(env: &Env) -> Result {
    let s = env.login().await?;
    let bogus = VirtualMachine::new(&s.client, "vm-e2e-bogus");
    match bogus.name().await {
        Ok(name) => return Err(format!("a bogus moId has a name: {name}").into()),
        Err(e) => ensure!(e.fault_is::<ManagedObjectNotFound>(), "not ManagedObjectNotFound: {e}"),
    }
    s.logout().await
}

pub async fn not_authenticated_after_logout(env: &Env) -> Result {
    let s = env.login().await?;
    let vm = s.vm(VM).await?;
    // an explicit logout forgets the credentials: no logging in again; the ended session is
    // still sent (a client sends none after its logout)
    let ended = s.client.session().ok_or("no session after login")?;
    s.client.logout().await?;
    s.client.set_session(Some(ended));
    match vm.name().await {
        Ok(_) => Err("a call after Logout succeeded".into()),
        Err(e) if e.fault_is::<NotAuthenticated>() => Ok(()),
        Err(e) => Err(format!("not NotAuthenticated: {e}").into()),
    }
}

pub async fn session_cycles(env: &Env) -> Result {
    const CYCLES: usize = 50;
    let observer = env.login().await?;
    let keys = |list: Option<Vec<UserSession>>| list.unwrap_or_default().into_iter().map(|u| u.key).collect::<BTreeSet<_>>();
    let before = keys(observer.sessions.session_list().await?);
    for cycle in 0..CYCLES {
        let s = env.login().await.map_err(|e| format!("cycle {cycle}: {e}"))?;
        s.logout().await.map_err(|e| format!("cycle {cycle}: {e}"))?;
    }
    let after = keys(observer.sessions.session_list().await?);
    ensure!(before == after, "{CYCLES} login-logout cycles left sessionList at {} sessions, from {}", after.len(), before.len());
    observer.logout().await
}

/// Release negotiation through `/api/vcenter/system?action=hello`: the newest release both
/// speak, and a typed error when there is none.
pub async fn hello_negotiation(env: &Env) -> Result {
    let client = vim25::Client::builder(&env.url).connect().await?;
    ensure!(client.release() == vim25::RELEASE, "negotiated {}, not {}", client.release(), vim25::RELEASE);
    ensure!(client.base().ends_with(&format!("/sdk/vim25/{}", vim25::RELEASE)), "base URL {}", client.base());
    match vim25::Client::builder(&env.url).offer_releases(&["6.0.0.0"]).connect().await {
        Err(vim25::Error::NoCommonRelease { offered }) => ensure!(offered == ["6.0.0.0"], "offered {offered:?}"),
        other => return Err(format!("offering only 6.0.0.0: {other:?}").into()),
    }
    // a pinned release is spoken without asking
    let pinned = vim25::Client::builder(&env.url).release("8.0.2.0").credentials(&env.user, &env.password).connect().await?;
    ensure!(pinned.release() == "8.0.2.0", "pinned 8.0.2.0, speaks {}", pinned.release());
    pinned.logout().await?;
    Ok(())
}

/// The property collector and finder helpers agree with the raw operations.
pub async fn retrieve_and_find_helpers(env: &Env) -> Result {
    let s = env.login().await?;
    let raw: BTreeSet<String> = names_of(&s, "VirtualMachine").await?.into_iter().map(|(_, n)| n).collect();
    let vms = s.client.retrieve("VirtualMachine", &["name", "runtime.powerState"]).page_size(2).await?;
    let named: BTreeSet<String> = vms.iter().map(|vm| vm.str("name").map(str::to_owned)).collect::<std::result::Result<_, _>>()?;
    ensure!(named == raw, "retrieve found {named:?}, the raw collector {raw:?}");
    for vm in &vms {
        vm.get::<VirtualMachinePowerState>("runtime.powerState")?;
    }
    let finder = s.client.find();
    let dc = finder.datacenter("DC0").await?.ok_or("DC0: not found")?;
    ensure!(dc.name().await?.as_str() == "DC0", "the datacenter found is not DC0");
    let by_name = finder.name::<VirtualMachine>("DC0_H0_VM0").await?.ok_or("no VM named DC0_H0_VM0")?;
    ensure!(by_name.reference() == s.vm(VM).await?.reference(), "by name and by path differ");
    ensure!(!finder.all::<HostSystem>().await?.is_empty(), "no hosts found");
    // a path to an object of another type is an error, not a handle of the wrong type
    match finder.path::<VirtualMachine>("DC0").await {
        Err(vim25::Error::WrongType { .. }) => {}
        other => return Err(format!("a datacenter found as a VM: {other:?}").into()),
    }
    s.logout().await
}

/// A session that ends behind the client's back (as an expired one does): the next call fails
/// with `NotAuthenticated`, the client logs in again once and sends it again.
pub async fn log_in_again_after_expiry(env: &Env) -> Result {
    let s = env.login().await?;
    let vm = s.vm(VM).await?;
    let before = s.client.session().ok_or("no session after login")?;
    let other = vim25::Client::builder(&env.url).release(s.client.release()).connect().await?;
    other.set_session(Some(before.clone()));
    SessionManager::from_ref(&other, s.content.session_manager.as_ref().ok_or("no SessionManager")?)?.logout().await?;
    let name = vm.name().await?;
    ensure!(name.as_str() == "DC0_H0_VM0", "after logging in again the VM is named {name}");
    let after = s.client.session().ok_or("no session after logging in again")?;
    ensure!(after != before, "the session did not change");
    // concurrent calls on an expired session log in once, and all succeed
    other.set_session(Some(after.clone()));
    SessionManager::from_ref(&other, s.content.session_manager.as_ref().ok_or("no SessionManager")?)?.logout().await?;
    let (a, b, c) = tokio::join!(vm.name(), vm.runtime(), vm.summary());
    a?;
    b?;
    c?;
    let current = s.sessions.current_session().await?.ok_or("no current session")?;
    ensure!(current.user_name == env.user.as_str(), "logged in again as {}", current.user_name);
    s.logout().await
}

/// An operation newer than the session's release is refused before anything is sent.
pub async fn since_gating(env: &Env) -> Result {
    let client = env.builder().release("8.0.1.0").connect().await?;
    let content = client.service_content().await?;
    let manager = DistributedVirtualSwitchManager::from_ref(&client, content.dv_switch_manager.as_ref().ok_or("no DVS manager")?)?;
    match manager.get_vpc_network_span(None).await {
        Err(vim25::Error::UnsupportedRelease { since, release, .. }) => ensure!(since == "9.1.0.0" && release == "8.0.1.0", "{since} {release}"),
        other => return Err(format!("a 9.1 operation at 8.0.1.0: {other:?}").into()),
    }
    client.logout().await?;
    Ok(())
}

/// A change stream over `WaitForUpdatesEx`: every VM's power state, then a change as it happens.
pub async fn watch_power_state(env: &Env) -> Result {
    let s = env.login().await?;
    let vm = s.vm("DC0/vm/DC0_H0_VM1").await?;
    let mut changes = s.client.watch("VirtualMachine", &["runtime.powerState"]).max_wait(Duration::from_secs(10)).stream();
    let total = s.client.find().all::<VirtualMachine>().await?.len();
    let mut entered = 0;
    while entered < total {
        let change = tokio::time::timeout(Duration::from_secs(30), changes.next()).await?.ok_or("the stream ended")??;
        ensure!(change.kind == ObjectUpdateKind::Enter, "a first report of kind {:?}", change.kind);
        entered += 1;
    }
    let off = vm.power_off_vm_task().await?;
    let seen = async {
        loop {
            let change = changes.next().await.ok_or("the stream ended")??;
            if change.obj == *vm.reference()
                && change.get::<VirtualMachinePowerState>("runtime.powerState")? == Some(&VirtualMachinePowerState::PoweredOff)
            {
                return Ok::<_, crate::Error>(());
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), seen).await??;
    wait(&off).await?;
    changes.close().await?;
    wait(&vm.power_on_vm_task(None).await?).await?;
    s.logout().await
}

/// Concurrent waits share the client's one `WaitForUpdatesEx` poll, and a task that already
/// ended resolves at once.
pub async fn task_wait_shared(env: &Env) -> Result {
    let s = env.login().await?;
    let (vm0, vm2) = (s.vm("DC0/vm/DC0_H0_VM0").await?, s.vm("DC0/vm/DC0_C0_RP0_VM0").await?);
    let (a, b) = (vm0.power_off_vm_task().await?, vm2.power_off_vm_task().await?);
    let (a_done, b_done) = tokio::join!(wait(&a), wait(&b));
    ensure!(a_done?.state == TaskInfoState::Success && b_done?.state == TaskInfoState::Success, "a power-off did not succeed");
    // already ended: resolves from the first report
    let again = tokio::time::timeout(Duration::from_secs(10), wait(&a)).await??;
    ensure!(again.state == TaskInfoState::Success, "the ended task reads {:?}", again.state);
    let (a, b) = (vm0.power_on_vm_task(None).await?, vm2.power_on_vm_task(None).await?);
    let (a_done, b_done) = tokio::join!(a.wait(), b.wait());
    a_done?;
    b_done?;
    s.logout().await
}
