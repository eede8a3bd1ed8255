//! Prints the latest 100 events: time, type and full message.
//!
//! `cargo run -p vim25 --example events`, with `VIM25_URL` (or `VIM25_HOST`), `VIM25_USER` and
//! `VIM25_PASSWORD` as for the `connect` example.

use vim25::mo::{EventManager, ServiceInstance, SessionManager};
use vim25::types::EventFilterSpec;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = match std::env::var("VIM25_URL") {
        Ok(url) => vim25::Client::connect_url(&url)?,
        Err(_) => vim25::Client::connect(&std::env::var("VIM25_HOST")?)?,
    };
    let content = ServiceInstance::new(&client, "ServiceInstance").retrieve_service_content().await?;
    let sessions = SessionManager::from_ref(&client, content.session_manager.as_ref().ok_or("no SessionManager")?)?;
    sessions.login(std::env::var("VIM25_USER")?, std::env::var("VIM25_PASSWORD")?, None).await?;

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
    sessions.logout().await?;
    Ok(())
}
