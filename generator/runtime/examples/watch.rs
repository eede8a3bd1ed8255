//! Watches the power state of every virtual machine: prints each machine's state as it is,
//! then each change as it happens ([`vim25::Client::watch`], a stream over `WaitForUpdatesEx`).
//!
//! `cargo run -p vim25 --example watch -- [SECONDS]`: stops after SECONDS (or
//! `VIM25_WATCH_SECONDS`; default 10), 0 for never. `VIM25_URL` (or `VIM25_HOST`), `VIM25_USER`
//! and `VIM25_PASSWORD` as for the `connect` example.

use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::Duration;
use vim25::types::{ObjectUpdateKind, VirtualMachinePowerState};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = match std::env::args().nth(1).or_else(|| std::env::var("VIM25_WATCH_SECONDS").ok()) {
        Some(text) => text.parse().map_err(|_| format!("not a number of seconds: {text}"))?,
        None => 10,
    };
    let client = vim25::Client::from_env()?.connect().await?;

    let deadline = (seconds > 0).then(|| tokio::time::Instant::now() + Duration::from_secs(seconds));
    let mut changes = client.watch("VirtualMachine", &["name", "runtime.powerState"]).max_wait(Duration::from_secs(30)).stream();
    // a change carries only what changed: the names come with each machine's first report
    let mut names = HashMap::new();
    loop {
        let next = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, changes.next()).await {
                Ok(next) => next,
                Err(_) => break,
            },
            None => changes.next().await,
        };
        let Some(change) = next.transpose()? else { break };
        if let Some(name) = change.str("name") {
            names.insert(change.obj.clone(), name.to_owned());
        }
        let name = names.get(&change.obj).map_or(change.obj.value.as_str(), String::as_str);
        match (&change.kind, change.get::<VirtualMachinePowerState>("runtime.powerState")?) {
            (ObjectUpdateKind::Leave, _) => println!("{name}\tgone"),
            (ObjectUpdateKind::Enter, Some(state)) => println!("{name}\t{}", state.as_str()),
            (_, Some(state)) => println!("{name}\t-> {}", state.as_str()),
            (_, None) => {}
        }
    }
    // destroys the stream's collector, filter and view (dropping it would too, in the background)
    changes.close().await?;
    client.logout().await?;
    Ok(())
}
