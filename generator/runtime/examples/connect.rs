//! Connects (negotiating the release), logs in, prints the server's product name and logs out.
//!
//! `VIM25_URL=http://127.0.0.1:8080 VIM25_USER=u VIM25_PASSWORD=p cargo run -p vim25 --example connect`
//! (`VIM25_URL` is a base URL; or `VIM25_HOST=vc.example.com` for `https://vc.example.com`;
//! `VIM25_THUMBPRINT` or `VIM25_CA_PEM` for a server whose certificate the system does not trust).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = vim25::Client::from_env()?.connect().await?;
    let content = client.service_content().await?;
    println!("{} (release {})", content.about.full_name, client.release());
    client.logout().await?;
    Ok(())
}
