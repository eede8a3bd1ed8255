//! Prints the latest 100 events: time, type and full message.
//!
//! `cargo run -p vim25 --example events`, with `VIM25_URL` (or `VIM25_HOST`), `VIM25_USER` and
//! `VIM25_PASSWORD` as for the `connect` example.

use vim25::mo::EventManager;
use vim25::types::EventFilterSpec;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = vim25::Client::from_env()?.connect().await?;
    let content = client.service_content().await?;
    let events = EventManager::from_ref(&client, content.event_manager.as_ref().ok_or("no EventManager")?)?;
    // a collector's latest page is its newest `pageSize` events, oldest first
    let collector = events.create_collector_for_events(&EventFilterSpec::default()).await?;
    collector.set_collector_page_size(100).await?;
    let page = collector.latest_page().await;
    collector.destroy_collector().await?;
    for event in page?.unwrap_or_default() {
        let message = event.full_formatted_message().as_deref().unwrap_or_default();
        println!("{}  {}  {message}", event.created_time(), event.type_name());
    }
    client.logout().await?;
    Ok(())
}
