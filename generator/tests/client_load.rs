//! The client under load against a scripted server on 127.0.0.1: a thousand concurrent calls
//! from one client share a bounded set of connections in bounded memory, a session that expires
//! in the middle of them is renewed by one login, and a server that misbehaves at random (slow
//! replies, dropped and reset connections, bodies cut short, errors) gets every call answered
//! with a result or a typed error within its time limit.
//!
//! The tests take turns (see [`SERIAL`]) so that the peak memory one of them measures is its own.

mod support;

use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::scripted::{serve, Reply, Seen, Server};
use vim25::client::DEFAULT_MAX_CONCURRENT_REQUESTS;
use vim25::mo::{Folder, VirtualMachine};
use vim25::{Client, Error};

const USER: &str = "administrator@vsphere.local";
const PASSWORD: &str = "load-test-password";
const CALLS: usize = 1000;

/// Held by each test for its whole run.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn moref(ty: &str, value: &str) -> serde_json::Value {
    json!({"_typeName": "ManagedObjectReference", "type": ty, "value": value})
}

fn service_content() -> Reply {
    Reply::json(
        200,
        json!({"_typeName": "ServiceContent", "rootFolder": moref("Folder", "group-d1"), "propertyCollector": moref("PropertyCollector", "propertyCollector"),
               "sessionManager": moref("SessionManager", "SessionManager"), "about": {"_typeName": "AboutInfo", "fullName": "scripted vCenter", "apiVersion": "9.1.1.0"}}),
    )
}

fn user_session() -> serde_json::Value {
    json!({"_typeName": "UserSession", "key": "52b5", "userName": USER, "fullName": "Administrator", "loginTime": "2026-01-01T00:00:00Z",
           "lastActiveTime": "2026-01-01T00:00:00Z", "locale": "en", "messageLocale": "en", "extensionSession": false, "ipAddress": "127.0.0.1",
           "userAgent": "test", "callCount": 1})
}

fn not_authenticated() -> Reply {
    Reply::json(500, json!({"_typeName": "NotAuthenticated", "faultstring": "The session is not authenticated.", "privilegeId": "System.View"}))
}

/// A vCenter whose session ends after `expire_after` authenticated calls: `Login` hands out
/// `session-1`, `session-2`, ...; from then on the old session is refused.
struct Vc {
    logins: AtomicUsize,
    current: Mutex<Option<String>>,
    served: AtomicUsize,
    expire_after: usize,
}

impl Vc {
    fn answer(&self, seen: &Seen) -> Reply {
        match seen.member() {
            "RetrieveServiceContent" => service_content(),
            "Login" => {
                let token = format!("session-{}", self.logins.fetch_add(1, Ordering::SeqCst) + 1);
                *self.current.lock().unwrap() = Some(token.clone());
                Reply::json(200, user_session()).header(vim25::SESSION_HEADER, &token)
            }
            member => {
                let mut current = self.current.lock().unwrap();
                if current.is_none() || seen.header(vim25::SESSION_HEADER) != current.as_deref() {
                    return not_authenticated();
                }
                if self.served.fetch_add(1, Ordering::SeqCst) + 1 == self.expire_after {
                    *current = None;
                }
                match member {
                    "name" => Reply::json(200, json!("Datacenters")),
                    "PowerOnVM_Task" => Reply::json(200, moref("Task", "task-1")),
                    other => Reply::json(404, json!({"error": format!("no {other}")})),
                }
            }
        }
    }
}

async fn fake_vcenter(expire_after: usize) -> (Arc<Vc>, Server) {
    let vc = Arc::new(Vc { logins: AtomicUsize::new(0), current: Mutex::new(None), served: AtomicUsize::new(0), expire_after });
    let state = vc.clone();
    let server = serve(move |seen| state.answer(seen)).await;
    (vc, server)
}

/// A memory figure of this process in KiB: `VmHWM` (peak resident memory) or `VmRSS`.
fn memory_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|rest| rest.starts_with(':')))
        .expect("the field in /proc/self/status");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a figure in kB")
}

/// Starts measuring a peak: the peak resident memory is set back to the current (Linux's
/// `clear_refs`), so that what the tests before left does not hide this one's peak; where
/// that is refused, the peak so far. The figure in KiB.
fn peak_rss_baseline_kib() -> u64 {
    if std::fs::write("/proc/self/clear_refs", "5").is_ok() {
        memory_kib("VmRSS")
    } else {
        memory_kib("VmHWM")
    }
}

/// `CALLS` calls at once, every other one a property read and the others an operation; their
/// results in call order.
async fn burst(client: &Client) -> Vec<Result<(), Error>> {
    let mut calls = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            if i % 2 == 0 {
                Folder::new(&client, "group-d1").name().await.map(drop)
            } else {
                VirtualMachine::new(&client, format!("vm-{i}")).power_on_vm_task(None).await.map(drop)
            }
        }));
    }
    let mut results = Vec::with_capacity(CALLS);
    for call in calls {
        results.push(call.await.expect("a call panicked"));
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_share_a_few_connections() {
    let _serial = SERIAL.lock().await;
    let (vc, server) = fake_vcenter(usize::MAX).await;
    let client = Client::builder(&server.url).release("9.1.1.0").credentials(USER, PASSWORD).keep_alive(None).connect().await.unwrap();
    let before = peak_rss_baseline_kib();
    let started = Instant::now();
    let results = burst(&client).await;
    let elapsed = started.elapsed();
    let after = memory_kib("VmHWM");
    for (i, result) in results.iter().enumerate() {
        assert!(result.is_ok(), "call {i}: {result:?}");
    }
    assert_eq!(server.count("name") + server.count("PowerOnVM_Task"), CALLS, "each call sent once");
    let connections = server.connections();
    eprintln!(
        "{CALLS} calls in {elapsed:?}: {connections} connections, resident memory {before} KiB before, peak {after} KiB during, {} login(s)",
        vc.logins.load(Ordering::SeqCst)
    );
    // A slot is given back when its reply has been read, and its connection goes back to the
    // pool a moment later: a call that takes the slot in between opens another connection, which
    // then stays in the pool. So at most about two connections per slot (32 to 56 seen), and
    // nowhere near one per call.
    assert!(connections <= 3 * DEFAULT_MAX_CONCURRENT_REQUESTS, "{connections} connections for {CALLS} calls");
    // the burst's own memory: requests, replies and connections, bounded by the request slots
    assert!(after.saturating_sub(before) < 64 * 1024, "peak RSS grew by {} KiB", after.saturating_sub(before));
    assert!(after < 512 * 1024, "peak RSS {after} KiB");
    assert_eq!(vc.logins.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lower_limit_opens_fewer_connections() {
    let _serial = SERIAL.lock().await;
    let (_vc, server) = fake_vcenter(usize::MAX).await;
    let client = Client::builder(&server.url)
        .release("9.1.1.0")
        .credentials(USER, PASSWORD)
        .keep_alive(None)
        .max_concurrent_requests(4)
        .connect()
        .await
        .unwrap();
    let results = burst(&client).await;
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().find(|r| r.is_err()));
    let connections = server.connections();
    assert!(connections <= 3 * 4, "{connections} connections with 4 request slots");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_expiring_under_load_is_renewed_by_one_login() {
    let _serial = SERIAL.lock().await;
    let (vc, server) = fake_vcenter(300).await;
    let client = Client::builder(&server.url).release("9.1.1.0").credentials(USER, PASSWORD).keep_alive(None).connect().await.unwrap();
    assert_eq!(client.session().as_deref(), Some("session-1"));
    let results = burst(&client).await;
    for (i, result) in results.iter().enumerate() {
        assert!(result.is_ok(), "call {i}: {result:?}");
    }
    assert_eq!(vc.logins.load(Ordering::SeqCst), 2, "one login at connect, one after the expiry");
    assert_eq!(server.count("Login"), 2);
    assert_eq!(client.session().as_deref(), Some("session-2"));
    // every call succeeded exactly once: 300 with the first session (the 300th ended it), the
    // rest with the second, which never ends; the refused ones went out with the first and
    // were sent once more
    let answered: Vec<Seen> = server.seen().into_iter().filter(|s| matches!(s.member(), "name" | "PowerOnVM_Task")).collect();
    let with = |token: &str| answered.iter().filter(|s| s.header(vim25::SESSION_HEADER) == Some(token)).count();
    let refused = answered.len() - CALLS;
    eprintln!("expiry after 300 calls: {} requests for {CALLS} calls ({refused} refused and sent again), 2 logins", answered.len());
    assert_eq!(with("session-2"), CALLS - 300);
    assert_eq!(with("session-1"), 300 + refused);
    // refused: the calls on the wire when the session ended, and those that took a slot before
    // the first refusal reached the client; the others waited for the login
    assert!(refused <= 2 * DEFAULT_MAX_CONCURRENT_REQUESTS, "{refused} refused calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_takes_no_request_slot() {
    let _serial = SERIAL.lock().await;
    // The server holds `WaitForUpdatesEx` open for two seconds, as vCenter does until a change
    // or `maxWaitSeconds`; with one request slot, a read made meanwhile must not wait for it.
    let server = serve(|seen| match seen.member() {
        "WaitForUpdatesEx" => Reply::json(200, serde_json::Value::Null).delayed(Duration::from_secs(2)),
        "name" => Reply::json(200, json!("Datacenters")),
        other => Reply::json(404, json!({"error": format!("no {other}")})),
    })
    .await;
    let client = Client::builder(&server.url).release("9.1.1.0").keep_alive(None).max_concurrent_requests(1).connect().await.unwrap();
    let collector = vim25::mo::PropertyCollector::new(&client, "propertyCollector");
    let poll = tokio::spawn(async move { collector.wait_for_updates_ex(Some("0"), None).await.map(drop) });
    while server.count("WaitForUpdatesEx") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    Folder::new(&client, "group-d1").name().await.expect("the read");
    assert!(!poll.is_finished(), "the read waited for the long poll ({:?})", started.elapsed());
    poll.await.expect("the poll task").expect("the long poll");
}

/// The seed of the chaotic server's choices.
const SEED: u64 = 0x5eed_c4a0_5000_0001;

/// A well-mixed 64-bit value of `x` (splitmix64's finaliser).
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What the chaotic server does with one attempt of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Chaos {
    /// Answers at once or nearly.
    Answer,
    /// Answers, slowly but within the request timeout.
    Slow,
    /// Answers long after the request timeout.
    TooSlow,
    /// Declares the whole body but sends only part of it, then closes.
    Truncated,
    /// Resets the connection instead of answering.
    Reset,
    /// Closes the connection instead of answering.
    Close,
    /// HTTP 503.
    Unavailable,
    /// A complete reply whose JSON is not what the call returns.
    Garbage,
}

/// The server's choice for attempt `attempt` of call `call`: a function of the seed, the call
/// and the attempt alone, so that neither the order in which the calls arrive nor the
/// connections they come on change the outcome.
fn chaos(call: u64, attempt: u64) -> (Chaos, u64) {
    let r = mix(SEED ^ (call << 8) ^ attempt);
    let kind = match r % 100 {
        0..45 => Chaos::Answer,
        45..55 => Chaos::Slow,
        55..63 => Chaos::TooSlow,
        63..71 => Chaos::Truncated,
        71..79 => Chaos::Reset,
        79..87 => Chaos::Close,
        87..93 => Chaos::Unavailable,
        _ => Chaos::Garbage,
    };
    (kind, r >> 32)
}

const CHAOS_CALLS: usize = 300;
const CHAOS_TIMEOUT: Duration = Duration::from_secs(2);
const CHAOS_RETRIES: u32 = 2;

fn chaotic_reply(kind: Chaos, bits: u64, read: bool) -> Reply {
    let good = if read { Reply::json(200, json!("Datacenters")) } else { Reply::json(200, moref("Task", "task-1")) };
    match kind {
        Chaos::Answer => good.delayed(Duration::from_millis(bits % 20)),
        Chaos::Slow => good.delayed(Duration::from_millis(100 + bits % 200)),
        Chaos::TooSlow => good.delayed(CHAOS_TIMEOUT * 5),
        Chaos::Truncated => {
            let length = good.body.len();
            good.truncated((bits as usize) % length)
        }
        Chaos::Reset => Reply::reset(),
        Chaos::Close => Reply::close(),
        Chaos::Unavailable => Reply::new(503, "text/plain", "busy"),
        Chaos::Garbage => Reply::new(200, "application/json", "{\"_typeName\": \"ManagedObjectReference\", \"type\": 7}"),
    }
}

/// The call a request belongs to: the number in its moId (`group-17`, `vm-18`).
fn call_of(seen: &Seen) -> u64 {
    let id = seen.target.rsplit('/').nth(1).unwrap_or_default();
    id.rsplit('-').next().and_then(|n| n.parse().ok()).expect("a numbered moId")
}

/// What a call's result was, by kind.
fn outcome(result: &Result<(), Error>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(Error::Timeout(_)) => "timeout",
        Err(Error::Transport(_)) => "transport",
        Err(Error::Decode(_)) => "decode",
        Err(Error::Status { .. }) => "status",
        Err(Error::NotViJson { .. }) => "not vi-json",
        Err(Error::Fault(_)) => "fault",
        Err(_) => "other",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chaotic_server_gets_every_call_answered_in_time() {
    let _serial = SERIAL.lock().await;
    let attempts: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let plan = attempts.clone();
    let server = serve(move |seen| {
        let attempt = {
            let mut attempts = plan.lock().unwrap();
            let n = attempts.entry(seen.target.clone()).or_insert(0);
            *n += 1;
            *n - 1
        };
        let (kind, bits) = chaos(call_of(seen), attempt);
        chaotic_reply(kind, bits, seen.method == "GET")
    })
    .await;
    // as many request slots as calls: no call waits for a slot, so each one's outcome is the
    // server's choice alone (a call waiting for a slot behind slow ones may time out unsent)
    let client = Client::builder(&server.url)
        .release("9.1.1.0")
        .request_timeout(CHAOS_TIMEOUT)
        .retries(CHAOS_RETRIES)
        .max_concurrent_requests(CHAOS_CALLS)
        .connect()
        .await
        .unwrap();
    // the longest a call may take: every attempt of a read timing out, and the pauses between
    // them (100 and 200 ms), with a margin for a busy machine
    let bound = CHAOS_TIMEOUT * (CHAOS_RETRIES + 1) + Duration::from_millis(300) + Duration::from_secs(2);
    let started = Instant::now();
    let mut calls = Vec::new();
    for i in 0..CHAOS_CALLS {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            let call = async {
                if i % 2 == 0 {
                    Folder::new(&client, format!("group-{i}")).name().await.map(drop)
                } else {
                    VirtualMachine::new(&client, format!("vm-{i}")).power_on_vm_task(None).await.map(drop)
                }
            };
            tokio::time::timeout(bound, call).await
        }));
    }
    let mut results = Vec::new();
    for (i, call) in calls.into_iter().enumerate() {
        match call.await.expect("a call panicked") {
            Ok(result) => results.push(result),
            Err(_) => panic!("call {i} was still running after {bound:?}"),
        }
    }
    let elapsed = started.elapsed();

    let attempts = attempts.lock().unwrap().clone();
    let mut distribution: HashMap<&str, usize> = HashMap::new();
    for (i, result) in results.iter().enumerate() {
        *distribution.entry(outcome(result)).or_default() += 1;
        let read = i % 2 == 0;
        let target =
            if read { format!("/sdk/vim25/9.1.1.0/Folder/group-{i}/name") } else { format!("/sdk/vim25/9.1.1.0/VirtualMachine/vm-{i}/PowerOnVM_Task") };
        let sent = attempts.get(&target).copied().unwrap_or(0);
        // an operation is never sent twice; a read at most once more per retry
        if read {
            assert!((1..=u64::from(CHAOS_RETRIES) + 1).contains(&sent), "call {i} sent {sent} times");
        } else {
            assert_eq!(sent, 1, "operation {i} sent {sent} times");
        }
        // the outcome is the one the last attempt called for
        let (last, _) = chaos(i as u64, sent - 1);
        let expected: &[&str] = match last {
            Chaos::Answer | Chaos::Slow => &["ok"],
            Chaos::TooSlow => &["timeout"],
            Chaos::Unavailable => &["status"],
            Chaos::Garbage => &["decode"],
            // a body cut short fails the read of the body, or, cut at a point where the JSON
            // happens to be complete, its decoding
            Chaos::Truncated => &["transport", "decode"],
            Chaos::Reset | Chaos::Close => &["transport"],
        };
        assert!(expected.contains(&outcome(result)), "call {i}: the server chose {last:?} (attempt {sent}), the call ended {result:?}");
        // the attempts before the last were failures worth another attempt of a read
        for attempt in 0..sent - 1 {
            let (kind, _) = chaos(i as u64, attempt);
            assert!(matches!(kind, Chaos::Unavailable | Chaos::Reset | Chaos::Close | Chaos::Truncated), "call {i} was retried after {kind:?}");
        }
    }
    let mut distribution: Vec<_> = distribution.into_iter().collect();
    distribution.sort();
    eprintln!("{CHAOS_CALLS} chaotic calls in {elapsed:?}: {distribution:?}; {} requests", attempts.values().sum::<u64>());
    assert!(distribution.iter().any(|(kind, _)| *kind == "timeout"), "no call timed out: {distribution:?}");
    assert!(distribution.iter().any(|(kind, _)| *kind == "ok"), "no call succeeded: {distribution:?}");
}
