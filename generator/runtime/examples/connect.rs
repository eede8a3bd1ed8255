//! Connects, logs in, prints the server's product name and logs out.
//!
//! `VIM25_URL=http://127.0.0.1:8080 VIM25_USER=u VIM25_PASSWORD=p cargo run -p vim25 --example connect`
//! (`VIM25_URL` is a base URL; or `VIM25_HOST=vc.example.com` for `https://vc.example.com`).

use vim25::mo::{ServiceInstance, SessionManager};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = match std::env::var("VIM25_URL") {
        Ok(url) => vim25::Client::connect_url(&url)?,
        Err(_) => vim25::Client::connect(&std::env::var("VIM25_HOST")?)?,
    };
    let content = ServiceInstance::new(&client, "ServiceInstance").retrieve_service_content().await?;
    let sessions = SessionManager::from_ref(&client, content.session_manager.as_ref().ok_or("no SessionManager")?)?;
    sessions.login(std::env::var("VIM25_USER")?, std::env::var("VIM25_PASSWORD")?, None).await?;
    println!("{}", content.about.full_name);
    sessions.logout().await?;
    Ok(())
}
