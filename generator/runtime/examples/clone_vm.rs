//! Clones a virtual machine or template into the same folder, pool and datastore, with 4 CPUs,
//! an added vmxnet3 NIC on a network and a Linux customization, then waits for the task and
//! prints the new machine or the task's fault.
//!
//! `cargo run -p vim25 --example clone_vm -- DC0/vm/DC0_H0_VM0 NEW_NAME "VM Network"`: the
//! source by inventory path, the network by name in the source's datacenter. `VIM25_URL` (or
//! `VIM25_HOST`), `VIM25_USER` and `VIM25_PASSWORD` as for the `connect` example.

use std::time::Duration;
use vim25::mo::VirtualMachine;
use vim25::types::*;

/// The clone's settings: placement beside the source, 4 CPUs, a NIC, a host name by DHCP.
fn clone_spec(pool: ManagedObjectReference, datastore: ManagedObjectReference, network: ManagedObjectReference, network_name: &str, name: &str) -> VirtualMachineCloneSpec {
    let backing = VirtualEthernetCardNetworkBackingInfo { device_name: network_name.into(), network: Some(network), ..Default::default() };
    let nic = VirtualVmxnet3 { key: -1, backing: Some(backing.into()), ..Default::default() };
    let add_nic = VirtualDeviceConfigSpec { operation: Some(VirtualDeviceConfigSpecOperation::Add), device: nic.into(), ..Default::default() };
    let identity = CustomizationLinuxPrep {
        host_name: CustomizationFixedName { name: name.into(), ..Default::default() }.into(),
        domain: "example.com".into(),
        hw_clock_utc: Some(true),
        ..Default::default()
    };
    let dhcp = CustomizationIPSettings { ip: CustomizationDhcpIpGenerator::default().into(), ..Default::default() };
    VirtualMachineCloneSpec {
        location: Box::new(VirtualMachineRelocateSpec { pool: Some(pool), datastore: Some(datastore), ..Default::default() }),
        config: Some(Box::new(VirtualMachineConfigSpec { num_cpus: Some(4), device_change: Some(vec![add_nic.into()]), ..Default::default() })),
        customization: Some(Box::new(CustomizationSpec {
            identity: identity.into(),
            nic_setting_map: Some(vec![CustomizationAdapterMapping { adapter: Box::new(dhcp), ..Default::default() }]),
            ..Default::default()
        })),
        ..Default::default()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [source, name, network_name] = args.as_slice() else {
        return Err("usage: clone_vm SOURCE_PATH NEW_NAME NETWORK".into());
    };
    let client = vim25::Client::from_env()?.connect().await?;

    let vm = client.find().virtual_machine(source).await?.ok_or_else(|| format!("{source}: not found"))?;
    let datacenter = source.split('/').next().unwrap_or_default();
    let network_path = format!("{datacenter}/network/{network_name}");
    let network = client.find().network(&network_path).await?.ok_or_else(|| format!("{network_path}: not found"))?;
    let folder = vm.parent().await?.ok_or("the source has no folder")?;
    let pool = vm.resource_pool().await?.ok_or("the source has no resource pool")?;
    let datastore = vm.datastore().await?.into_iter().flatten().next().ok_or("the source has no datastore")?;

    let spec = clone_spec(pool.to_ref(), datastore, network.to_ref(), network_name, name);
    let task = vm.clone_vm_task(folder.reference(), name, &spec).await?;
    match task.wait().timeout(Duration::from_secs(600)).handle::<VirtualMachine>().await {
        Ok(clone) => println!("cloned {source} to {} ({})", clone.name().await?, clone.reference()),
        // the task's fault, typed; its text is the server's message
        Err(vim25::Error::Fault(fault)) => println!("clone failed: {fault}"),
        Err(other) => return Err(other.into()),
    }
    client.logout().await?;
    Ok(())
}
