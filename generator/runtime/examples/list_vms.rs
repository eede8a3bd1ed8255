//! Lists every virtual machine with its power state and the name of its host, read a page at a
//! time through a `ContainerView` ([`vim25::Client::retrieve`]).
//!
//! `cargo run -p vim25 --example list_vms`, with `VIM25_URL` (or `VIM25_HOST`), `VIM25_USER`
//! and `VIM25_PASSWORD` as for the `connect` example.

use std::collections::HashMap;
use vim25::types::{ManagedObjectReference, VirtualMachinePowerState};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = vim25::Client::from_env()?.connect().await?;

    let mut hosts = HashMap::new();
    for host in client.retrieve("HostSystem", &["name"]).await? {
        hosts.insert(host.reference().clone(), host.str("name")?.to_owned());
    }
    // properties picked by path, not whole `runtime` or `summary` objects
    for vm in client.retrieve("VirtualMachine", &["name", "runtime.powerState", "summary.runtime.host"]).await? {
        let power = vm.get::<VirtualMachinePowerState>("runtime.powerState")?;
        let host = vm.get_opt::<ManagedObjectReference>("summary.runtime.host")?.and_then(|h| hosts.get(h));
        println!("{}\t{}\t{}", vm.str("name")?, power.as_str(), host.map_or("-", String::as_str));
    }
    client.logout().await?;
    Ok(())
}
