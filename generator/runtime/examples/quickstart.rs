//! A tour: log in, read a VM's devices, power it on and wait for the task, match a fault.
//!
//! `cargo run -p vim25 --example quickstart -- HOST USER PASSWORD VM_MOID` (needs a vCenter).

use vim25::mo::VirtualMachine;
use vim25::types::{InvalidState, VirtualDeviceKind, VirtualDisk};

async fn example(host: &str, user: &str, password: &str, vm_id: &str) -> Result<(), vim25::Error> {
    let client = vim25::Client::builder(host).credentials(user, password).connect().await?;

    let vm = VirtualMachine::new(&client, vm_id);
    if let Some(config) = vm.config().await? {
        for device in config.hardware.device.iter().flatten() {
            println!("device {} ({})", device.key(), device.type_name());   // a base member, any variant
            if let Some(disk) = device.downcast_ref::<VirtualDisk>() {
                println!("disk of {} bytes", disk.capacity_in_bytes.unwrap_or_default());
            }
            if let VirtualDeviceKind::VirtualEthernetCard(nic) = device {
                println!("a NIC: {}", nic.type_name());
            }
        }
    }
    match vm.power_on_vm_task(None).await {
        Ok(task) => match task.wait().await {
            Ok(_) => println!("powered on"),
            Err(e) if e.fault_is::<InvalidState>() => println!("not now: {e}"),
            Err(e) => return Err(e),
        },
        Err(e) => return Err(e),
    }
    client.logout().await
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, user, password, vm] = args.as_slice() else {
        eprintln!("usage: quickstart HOST USER PASSWORD VM_MOID");
        std::process::exit(2);
    };
    if let Err(e) = example(host, user, password, vm).await {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
