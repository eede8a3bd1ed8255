//! The scenarios, each `async fn NAME(env: &Env) -> Result`, registered in `main.rs`. The
//! inventory is vcsim's default vCenter model: datacenter `DC0`, VMs `DC0_H0_VM0`, ... in
//! `DC0/vm`, a network `VM Network`.

use crate::{ensure, wait, Env, Result, Session};
use std::collections::BTreeSet;
use vim25::mo::{Datacenter, EventManager, PropertyCollector, ServiceInstance, TaskManager, ViewManager, VirtualMachine};
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
        Err(e) => ensure!(e.to_string().contains("failed"), "{e}"),
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
    s.sessions.logout().await?;
    // the client still sends the session it had, now ended
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
