//! The client's limit on the size of a reply body (`ClientBuilder::max_response_bytes`), against
//! the scripted server: a declared length past the limit is refused before the body is read, a
//! chunked or gzip body is refused once it passes the limit, and a body at the limit is read.

mod support;

use std::time::Duration;
use support::scripted::{serve, Reply};
use vim25::mo::ServiceInstance;
use vim25::{Client, Error};

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// A `CurrentTime` reply of exactly `len` bytes: the time, then spaces.
fn time_body(len: usize) -> Vec<u8> {
    let mut body = b"\"2026-12-06T00:00:00Z\"".to_vec();
    assert!(len >= body.len());
    body.resize(len, b' ');
    body
}

async fn connect(url: &str, limit: Option<u64>) -> Client {
    let builder = Client::builder(url).release("9.1.1.0").request_timeout(Duration::from_secs(60)).retries(0);
    let builder = match limit {
        Some(limit) => builder.max_response_bytes(limit),
        None => builder,
    };
    builder.connect().await.unwrap()
}

async fn current_time(client: &Client) -> Result<vim25::DateTime, Error> {
    ServiceInstance::new(client, "ServiceInstance").current_time().await
}

/// The parts of a [`Error::ResponseTooLarge`], failing on any other result.
fn too_large(result: Result<vim25::DateTime, Error>) -> (String, u64, Option<u64>) {
    match result {
        Err(Error::ResponseTooLarge { call, limit, declared }) => (call, limit, declared),
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
}

/// A declared 2 GiB is refused at once, with the default limit: the server never sends the
/// body (it holds the connection open), so a client that waited for it would time out instead.
#[tokio::test]
async fn a_declared_length_past_the_default_limit_is_refused_before_reading() {
    let server = serve(|_| Reply::new(200, "application/json", time_body(64)).declaring(2 * GIB)).await;
    let client = connect(&server.url, None).await;
    let (call, limit, declared) = too_large(current_time(&client).await);
    assert_eq!((call.as_str(), limit, declared), ("ServiceInstance.CurrentTime", GIB, Some(2 * GIB)));
    assert_eq!(limit, vim25::client::DEFAULT_MAX_RESPONSE_BYTES);
    // one byte past the default limit is too much as well: the 1 GiB case, never sent
    let server = serve(|_| Reply::new(200, "application/json", Vec::new()).declaring(GIB + 1)).await;
    let client = connect(&server.url, None).await;
    assert_eq!(too_large(current_time(&client).await).2, Some(GIB + 1));
    assert_eq!(server.body_bytes_sent(), 0);
    let e = current_time(&client).await.unwrap_err();
    assert_eq!(e.to_string(), format!("the reply to ServiceInstance.CurrentTime is larger than the limit of {GIB} bytes (it declares {})", GIB + 1));
}

/// A chunked reply of 512 MiB is cut off past a limit of 1 MiB: the server gets to write no more
/// than what the socket buffers hold beyond what the client read.
#[tokio::test]
async fn a_chunked_reply_past_the_limit_is_refused_after_about_the_limit() {
    let chunk = vec![b' '; 64 << 10];
    let server = serve(move |_| Reply::new(200, "application/json", chunk.clone()).chunked(512 * MIB / (64 << 10))).await;
    let client = connect(&server.url, Some(MIB)).await;
    let (call, limit, declared) = too_large(current_time(&client).await);
    assert_eq!((call.as_str(), limit, declared), ("ServiceInstance.CurrentTime", MIB, None));
    drop(client);
    // the server's writes fail once the connection is gone; let it notice
    let mut sent = server.body_bytes_sent();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = server.body_bytes_sent();
        if now == sent {
            break;
        }
        sent = now;
    }
    assert!(sent >= MIB, "the client stopped before the limit: {sent} bytes sent");
    assert!(sent < 64 * MIB, "the client read on past the limit: {sent} of 512 MiB sent");
}

/// A gzip reply of 16 KiB that inflates to 16 MiB passes a limit of 1 MiB on the wire and is
/// refused while decompressing.
#[tokio::test]
async fn a_gzip_bomb_is_refused_while_decompressing() {
    let body = time_body(16 * MIB as usize);
    let server = serve(move |_| Reply::new(200, "application/json", body.clone()).gzipped()).await;
    let client = connect(&server.url, Some(MIB)).await;
    let (_, limit, declared) = too_large(current_time(&client).await);
    assert_eq!((limit, declared), (MIB, None));
    let on_the_wire = server.body_bytes_sent();
    assert!(on_the_wire < MIB / 8, "not a bomb: {on_the_wire} bytes compressed");
    // the same reply decompresses fine under a limit above its size
    let client = connect(&server.url, Some(17 * MIB)).await;
    assert_eq!(current_time(&client).await.unwrap(), "2026-12-06T00:00:00Z");
}

/// A body of exactly the limit is read, declared or chunked; one byte more is refused.
#[tokio::test]
async fn a_body_at_the_limit_is_accepted_and_one_byte_more_is_not() {
    const LIMIT: usize = 4096;
    for chunked in [false, true] {
        let server = serve(move |seen| {
            let len = if seen.member() == "CurrentTime" { LIMIT } else { LIMIT + 1 };
            let reply = Reply::new(200, "application/json", time_body(len));
            if chunked {
                reply.chunked(1)
            } else {
                reply
            }
        })
        .await;
        let client = connect(&server.url, Some(LIMIT as u64)).await;
        let time = current_time(&client).await.unwrap_or_else(|e| panic!("chunked {chunked}: {e}"));
        assert_eq!(time, "2026-12-06T00:00:00Z");
        // one byte more: a `ServerClock` read is answered with `LIMIT + 1` bytes
        let e = ServiceInstance::new(&client, "ServiceInstance").server_clock().await.unwrap_err();
        let Error::ResponseTooLarge { limit, declared, .. } = e else { panic!("chunked {chunked}: {e:?}") };
        assert_eq!((limit, declared), (LIMIT as u64, (!chunked).then_some(LIMIT as u64 + 1)));
    }
}

/// A custom transport reads the body itself; the client holds what it returns to the limit.
#[tokio::test]
async fn a_custom_transports_reply_is_held_to_the_limit() {
    let transport = |_: vim25::Request| -> vim25::client::BoxFuture<Result<vim25::Response, Error>> {
        let body = time_body(2048);
        Box::pin(async move { Ok(vim25::Response { status: 200, headers: vec![("content-type".into(), "application/json".into())], body }) })
    };
    let client = Client::builder("http://127.0.0.1:9")
        .release("9.1.1.0")
        .transport(transport)
        .max_response_bytes(1024)
        .connect()
        .await
        .unwrap();
    let (call, limit, declared) = too_large(current_time(&client).await);
    assert_eq!((call.as_str(), limit, declared), ("ServiceInstance.CurrentTime", 1024, None));
    let client = Client::builder("http://127.0.0.1:9")
        .release("9.1.1.0")
        .transport(transport)
        .max_response_bytes(2048)
        .connect()
        .await
        .unwrap();
    current_time(&client).await.unwrap();
}
