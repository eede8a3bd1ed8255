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

mod scenarios;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use vim25::mo::{SearchIndex, ServiceInstance, SessionManager, Task, VirtualMachine};
use vim25::types::{ServiceContent, TaskInfo, TaskInfoState};

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
    login,
    list_vms,
    find_by_inventory_path,
    vm_config_and_runtime,
    inventory_properties,
    clone_vm_with_nic,
    power_off_on,
    events,
    fault_managed_object_not_found,
    not_authenticated_after_logout,
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
    pub content: ServiceContent,
    pub sessions: SessionManager,
}

impl Env {
    /// Connects and logs in.
    pub async fn login(&self) -> Result<Session> {
        let client = vim25::Client::connect_url(&self.url)?;
        let content = ServiceInstance::new(&client, "ServiceInstance").retrieve_service_content().await?;
        let sessions = SessionManager::from_ref(&client, content.session_manager.as_ref().ok_or("no SessionManager")?)?;
        sessions.login(&self.user, &self.password, None).await?;
        Ok(Session { client, content, sessions })
    }
}

impl Session {
    /// Ends the session.
    pub async fn logout(self) -> Result {
        Ok(self.sessions.logout().await?)
    }

    /// The `SearchIndex` of the service content.
    pub fn search_index(&self) -> Result<SearchIndex> {
        Ok(SearchIndex::from_ref(&self.client, self.content.search_index.as_ref().ok_or("no SearchIndex")?)?)
    }

    /// The virtual machine at an inventory path (`DC0/vm/DC0_H0_VM0`).
    pub async fn vm(&self, path: &str) -> Result<VirtualMachine> {
        let found = self.search_index()?.find_by_inventory_path(path).await?.ok_or_else(|| format!("{path}: not found"))?;
        Ok(VirtualMachine::from_ref(&self.client, found.reference())?)
    }
}

/// Polls a task until it ends; its info on success, its fault as the error otherwise.
pub async fn wait(task: &Task) -> Result<TaskInfo> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let info = task.info().await?;
        match info.state {
            TaskInfoState::Success => return Ok(info),
            TaskInfoState::Error => {
                let fault = info.error.as_ref().map_or_else(|| "no fault given".to_owned(), |f| f.to_string());
                return Err(format!("task {} failed: {fault}", task.id()).into());
            }
            _ if Instant::now() > deadline => return Err(format!("task {} still {:?} after 60 s", task.id(), info.state).into()),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
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
