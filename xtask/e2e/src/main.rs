//! The end-to-end scenarios of the `vim25` client against a live vCenter simulator.
//!
//! Run by `cargo xtask e2e`, which starts the simulator behind prism and passes its URL in
//! `VIM25_URL` (a base URL, plain HTTP), with `VIM25_USER` and `VIM25_PASSWORD`. Runs each
//! scenario of [`SCENARIOS`] in turn, one request at a time (prism's log is read request by
//! request), and prints a line per scenario: `ok|FAILED  NAME  SECONDSs  [MESSAGE]`. Exits 1
//! when one fails.
//!
//! `--only TEXT` runs the scenarios whose names contain TEXT; `--vm-names` prints the name of
//! every virtual machine, one a line, and nothing else (to check the `list_vms` example).

#![forbid(unsafe_code)]

mod scenarios;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vim25::mo::{SearchIndex, SessionManager, Task, VirtualMachine};
use vim25::types::{ServiceContent, TaskInfo};

/// A scenario's error: the message printed after `FAILED`.
pub type Error = Box<dyn std::error::Error>;
/// A scenario's or a helper's result.
pub type Result<T = ()> = std::result::Result<T, Error>;
/// A registered scenario: borrows the environment for the future it returns.
type Scenario = for<'a> fn(&'a Env) -> Pin<Box<dyn Future<Output = Result> + 'a>>;

/// Registers scenarios: each a `async fn NAME(env: &Env) -> Result` of [`scenarios`].
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        &[$((stringify!($name), |env| Box::pin(scenarios::$name(env)))),*]
    };
}

/// Every scenario, in the order they run.
const SCENARIOS: &[(&str, Scenario)] = scenarios![
    hello_negotiation,
    login,
    list_vms,
    retrieve_and_find_helpers,
    find_by_inventory_path,
    vm_config_and_runtime,
    inventory_properties,
    clone_vm_with_nic,
    power_off_on,
    events,
    fault_managed_object_not_found,
    not_authenticated_after_logout,
    log_in_again_after_expiry,
    since_gating,
    watch_power_state,
    task_wait_shared,
    session_cycles,
];

/// Fails the scenario with a message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+).into());
        }
    };
}

/// Where the scenarios connect, and as whom.
pub struct Env {
    /// The base URL (prism's, in front of the simulator).
    pub url: String,
    pub user: String,
    pub password: String,
}

/// A logged-in client with the service content.
pub struct Session {
    pub client: vim25::Client,
    pub content: Arc<ServiceContent>,
    pub sessions: SessionManager,
}

impl Env {
    /// A builder for the server with the credentials (negotiating the release, logging in at
    /// connect and again when the session expires).
    pub fn builder(&self) -> vim25::ClientBuilder {
        vim25::Client::builder(&self.url).credentials(&self.user, &self.password)
    }

    /// Connects (negotiating the release) and logs in.
    pub async fn login(&self) -> Result<Session> {
        let client = self.builder().connect().await?;
        let content = client.service_content().await?;
        let sessions = SessionManager::from_ref(&client, content.session_manager.as_ref().ok_or("no SessionManager")?)?;
        Ok(Session { client, content, sessions })
    }
}

impl Session {
    /// Ends the session, and the client's keep-alive and re-login with it.
    pub async fn logout(self) -> Result {
        Ok(self.client.logout().await?)
    }

    /// The `SearchIndex` of the service content.
    pub fn search_index(&self) -> Result<SearchIndex> {
        Ok(SearchIndex::from_ref(&self.client, self.content.search_index.as_ref().ok_or("no SearchIndex")?)?)
    }

    /// The virtual machine at an inventory path (`DC0/vm/DC0_H0_VM0`).
    pub async fn vm(&self, path: &str) -> Result<VirtualMachine> {
        Ok(self.client.find().virtual_machine(path).await?.ok_or_else(|| format!("{path}: not found"))?)
    }
}

/// Waits for a task (through the client's shared `WaitForUpdatesEx` poll); its info on
/// success, its fault, typed, as the error otherwise.
pub async fn wait(task: &Task) -> std::result::Result<TaskInfo, vim25::Error> {
    task.wait().timeout(Duration::from_secs(60)).info().await
}

fn env() -> std::result::Result<Env, String> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set (run by `cargo xtask e2e`)"));
    Ok(Env { url: var("VIM25_URL")?, user: var("VIM25_USER")?, password: var("VIM25_PASSWORD")? })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env = match env() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("vim25-e2e: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.first().map(String::as_str) == Some("--vm-names") {
        return match scenarios::vm_names(&env).await {
            Ok(names) => {
                names.iter().for_each(|n| println!("{n}"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("vim25-e2e: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let only = match args.as_slice() {
        [] => None,
        [flag, text] if flag == "--only" => Some(text.as_str()),
        _ => {
            eprintln!("usage: vim25-e2e [--only TEXT | --vm-names]");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = 0;
    for (name, scenario) in SCENARIOS.iter().filter(|(name, _)| only.is_none_or(|o| name.contains(o))) {
        let started = Instant::now();
        let result = scenario(&env).await;
        let seconds = started.elapsed().as_secs_f64();
        match result {
            Ok(()) => println!("{:<7} {name:<40} {seconds:>7.2}s", "ok"),
            Err(e) => {
                failed += 1;
                // one line: the runner reads a scenario's outcome line by line
                let message = e.to_string().replace('\n', " ");
                println!("{:<7} {name:<40} {seconds:>7.2}s  {message}", "FAILED");
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
