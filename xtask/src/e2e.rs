//! `cargo xtask e2e`: the end-to-end suite against a live simulator, every request checked by an
//! independent validator of the document.
//!
//! 1. Install: the simulator (`xtask/e2e/vcsim/start.sh`, build only: golang and govmomi from
//!    Debian, pyvmomi from pip) and prism (`npm install @stoplight/prism-cli` under
//!    `target/e2e/prism`); the pinned document pruned to `xtask/e2e/operations.txt`.
//! 2. Build (debug profile): the scenario binary `vim25-e2e`, the client examples, and the
//!    scripted-server tests of the generator when they exist.
//! 3. Run: vcsim, the vi-json bridge in front of it and prism in front of the bridge, all on
//!    127.0.0.1 and all children of this process (stopped when it ends, whatever the outcome);
//!    then the scenarios, the examples and the scripted tests, each a named scenario.
//!
//! The clients' base URL is prism's, so every vi-json request of the scenarios and examples
//! is validated against the document; the Hello endpoint, which the document does not
//! describe, passes through prism unvalidated. The counts come from prism's log (see
//! `prism_log`). The last line of output is the summary:
//! `e2e: N operations exercised, M requests validated by prism, R rejected; S/S simulator scenarios passed`.

mod prism_log;
mod prune;

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The prism release the suite is written against (its log format is read in `prism_log`).
const PRISM_VERSION: &str = "5.16.0";
/// The least number of distinct operations the suite must exercise.
const MIN_OPERATIONS: usize = 40;
/// The examples run against the simulator, with their arguments.
const EXAMPLES: &[(&str, &[&str])] =
    &[("connect", &[]), ("list_vms", &[]), ("clone_vm", &["DC0/vm/DC0_H0_VM0", "e2e-example-clone", "VM Network"]), ("events", &[]), ("watch", &[])];
/// The generator's scripted-server tests (`generator/tests/NAME.rs`), each one scenario.
const SCRIPTED_TESTS: &[&str] = &["client_connect", "client_tasks"];
/// How long an example may run.
const EXAMPLE_TIMEOUT: Duration = Duration::from_secs(120);
/// The simulator accepts any user name and password.
const USER: &str = "e2e-user";
const PASSWORD: &str = "e2e-password";

#[derive(clap::Args)]
pub struct Args {
    /// Run only the scenarios of the `vim25-e2e` binary whose names contain this text (the
    /// examples and scripted tests are then skipped, and the summary's thresholds not applied).
    #[arg(long)]
    only: Option<String>,
}

/// One named scenario's outcome.
struct Outcome {
    name: String,
    ok: bool,
    seconds: f64,
    message: String,
}

impl Outcome {
    /// The line `vim25-e2e` prints per scenario too: `ok|FAILED  NAME  SECONDSs  [MESSAGE]`.
    fn line(&self) -> String {
        let status = if self.ok { "ok" } else { "FAILED" };
        format!("{status:<7} {:<40} {:>7.2}s  {}", self.name, self.seconds, self.message).trim_end().to_owned()
    }

    /// Parses a line of [`Outcome::line`]'s form.
    fn parse(line: &str) -> Option<Outcome> {
        let mut words = line.split_whitespace();
        let ok = match words.next()? {
            "ok" => true,
            "FAILED" => false,
            _ => return None,
        };
        let name = words.next()?.to_owned();
        let seconds = words.next()?.strip_suffix('s')?.parse().ok()?;
        Some(Outcome { name, ok, seconds, message: words.collect::<Vec<_>>().join(" ") })
    }
}

pub fn run(args: Args) -> Result<(), String> {
    let root = PathBuf::from(vim25_spec::REPO_DIR);
    let work = root.join("target").join("e2e");
    fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let cargo = Cargo(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let scripted: Vec<&str> = SCRIPTED_TESTS.iter().copied().filter(|t| root.join("generator/tests").join(format!("{t}.rs")).exists()).collect();
    let examples: Vec<(&str, &[&str])> =
        EXAMPLES.iter().copied().filter(|(e, _)| root.join("generated/examples").join(format!("{e}.rs")).exists()).collect();
    for (example, _) in EXAMPLES.iter().filter(|e| !examples.contains(e)) {
        println!("e2e: no example {example} in generated/examples: not run");
    }
    let full = args.only.is_none();

    println!("== e2e: install");
    let started = Instant::now();
    let vcsim_dir = work.join("vcsim");
    let tool = root.join("xtask/e2e/vcsim");
    step(Command::new("bash").arg(tool.join("start.sh")).arg(&vcsim_dir).env("VCSIM_VIJSON_BUILD_ONLY", "1"), "start.sh (install and build)")?;
    let prism_cli = install_prism(&work.join("prism"))?;
    let document = work.join("vi-json-e2e.json");
    write_pruned_document(&root, &document)?;
    let install = started.elapsed();

    println!("== e2e: build");
    let started = Instant::now();
    // The whole workspace, as `cargo test --workspace` resolves it: other package selections
    // unify features differently (serde_json's preserve_order comes from the generator,
    // rustls' logging from xtask's ureq) and would compile the generated crates once more.
    // For the same reason the examples and the scenario binary are run from the target
    // directory rather than with `cargo run -p`, and the scripted tests with `--workspace`.
    step(cargo.command().current_dir(&root).args(["build", "-q", "--workspace", "--bins", "--examples"]), "cargo build --workspace --bins --examples")?;
    if full && !scripted.is_empty() {
        let mut tests = cargo.command();
        tests.current_dir(&root).args(["test", "-q", "--no-run", "--workspace"]);
        scripted.iter().for_each(|t| {
            tests.args(["--test", t]);
        });
        step(&mut tests, "cargo test --no-run (the scripted-server tests)")?;
    }
    let bin = target_dir(&cargo, &root)?.join("debug");
    let built = started.elapsed();

    println!("== e2e: run");
    let started = Instant::now();
    let prism_log = work.join("prism.log");
    let mut outcomes = Vec::new();
    {
        let services = Services::start(&tool, &vcsim_dir, &prism_cli, &document, &prism_log)?;
        let env = [("VIM25_URL", services.url.as_str()), ("VIM25_USER", USER), ("VIM25_PASSWORD", PASSWORD)];

        let mut scenarios = Command::new(bin.join("vim25-e2e"));
        scenarios.current_dir(&root).envs(env).env_remove("VIM25_HOST");
        if let Some(only) = &args.only {
            scenarios.args(["--only", only]);
        }
        outcomes.extend(run_scenarios(&mut scenarios)?);

        if full {
            for (example, example_args) in &examples {
                let mut command = Command::new(bin.join("examples").join(example));
                command.current_dir(&root).args(*example_args).envs(env).env_remove("VIM25_HOST");
                let mut expect_names = Vec::new();
                if *example == "list_vms" {
                    let mut names = Command::new(bin.join("vim25-e2e"));
                    names.current_dir(&root).arg("--vm-names").envs(env);
                    expect_names = output(&mut names)?.lines().map(str::to_owned).collect();
                }
                let outcome = run_example(&format!("example:{example}"), &mut command, |stdout| match *example {
                    "list_vms" => match expect_names.iter().find(|n| !stdout.lines().any(|l| l.split('\t').next() == Some(n.as_str()))) {
                        Some(missing) => Err(format!("{missing} is not in the output")),
                        None if expect_names.is_empty() => Err("the simulator lists no VM".to_owned()),
                        None => Ok(()),
                    },
                    "clone_vm" if stdout.contains("clone failed") => Err(stdout.trim().to_owned()),
                    _ => Ok(()),
                });
                println!("{}", outcome.line());
                outcomes.push(outcome);
            }
        }
        // the services stop here, whatever happened above
    }
    if full {
        for test in &scripted {
            let mut command = cargo.command();
            command.current_dir(&root).args(["test", "-q", "--workspace", "--test", test]);
            let outcome = run_example(&format!("test:{test}"), &mut command, |_| Ok(()));
            println!("{}", outcome.line());
            outcomes.push(outcome);
        }
    }
    let ran = started.elapsed();

    let log = fs::read_to_string(&prism_log).map_err(|e| format!("{}: {e}", prism_log.display()))?;
    let tally = prism_log::tally(&prism_log::parse(&log));
    println!();
    println!("scenario results:");
    for o in &outcomes {
        println!("  {}", o.line());
    }
    if !tally.response_violations.is_empty() {
        println!("prism: violations in the simulator's responses (the bridge's or vcsim's, not counted as rejections):");
        for ((operation, violation), count) in &tally.response_violations {
            println!("  {operation} ({count}x): {violation}");
        }
    }
    for rejected in &tally.rejected {
        println!("prism rejected: {rejected}");
    }
    println!(
        "phases: install {:.1}s, build {:.1}s, run {:.1}s; Hello requests passed through unvalidated: {}; prism log: {}",
        install.as_secs_f64(),
        built.as_secs_f64(),
        ran.as_secs_f64(),
        tally.bypassed,
        prism_log.display()
    );
    let passed = outcomes.iter().filter(|o| o.ok).count();
    println!(
        "e2e: {} operations exercised, {} requests validated by prism, {} rejected; {passed}/{} simulator scenarios passed",
        tally.operations.len(),
        tally.validated,
        tally.rejected.len(),
        outcomes.len()
    );
    let mut failures = Vec::new();
    if !tally.rejected.is_empty() {
        failures.push(format!("prism rejected {} requests", tally.rejected.len()));
    }
    if full && tally.operations.len() < MIN_OPERATIONS {
        failures.push(format!("fewer than {MIN_OPERATIONS} operations exercised"));
    }
    if passed < outcomes.len() || outcomes.is_empty() {
        failures.push(format!("{} scenarios failed", outcomes.len() - passed));
    }
    match failures.is_empty() {
        true => Ok(()),
        false => Err(failures.join(", ")),
    }
}

/// The cargo that runs this command.
struct Cargo(std::ffi::OsString);

impl Cargo {
    /// A cargo command without the variables `cargo run` set for this process: build scripts
    /// that watch one of them (ring's watches `CARGO_MANIFEST_DIR`) would run again, and
    /// everything above them (rustls, reqwest, vim25) compile again, each time the
    /// workspace is built alternately from a shell and from here.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.0);
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            let set_by_cargo_run = name.starts_with("CARGO_PKG_")
                || ["CARGO_MANIFEST_DIR", "CARGO_MANIFEST_PATH", "CARGO_CRATE_NAME", "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE"].contains(&name.as_ref());
            if set_by_cargo_run {
                command.env_remove(name.as_ref());
            }
        }
        command
    }
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, `build.target-dir`, or `target/`).
fn target_dir(cargo: &Cargo, root: &Path) -> Result<PathBuf, String> {
    let mut metadata = cargo.command();
    metadata.current_dir(root).args(["metadata", "--format-version", "1", "--no-deps"]);
    let text = output(&mut metadata)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("cargo metadata: {e}"))?;
    value["target_directory"].as_str().map(PathBuf::from).ok_or_else(|| "cargo metadata: no target_directory".to_owned())
}

/// Runs a command to completion, its output shown; fails unless it exits 0.
fn step(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("{what}: {e}"))?;
    if !status.success() {
        return Err(format!("{what}: {status}"));
    }
    Ok(())
}

/// A command's standard output; fails unless it exits 0.
fn output(command: &mut Command) -> Result<String, String> {
    let out = command.stderr(Stdio::inherit()).output().map_err(|e| format!("{command:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{command:?}: {}", out.status));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("{command:?}: {e}"))
}

/// Installs prism into `dir` (unless that version is there) and returns its CLI script.
fn install_prism(dir: &Path) -> Result<PathBuf, String> {
    if Command::new("node").arg("--version").output().is_err() {
        println!("e2e: installing nodejs and npm");
        step(
            Command::new("apt-get").args(["install", "-y", "-qq", "nodejs", "npm"]).env("DEBIAN_FRONTEND", "noninteractive"),
            "apt-get install nodejs npm",
        )?;
    }
    let package = dir.join("node_modules/@stoplight/prism-cli");
    let installed = fs::read_to_string(package.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|p| p["version"] == PRISM_VERSION);
    if !installed {
        println!("e2e: installing @stoplight/prism-cli@{PRISM_VERSION}");
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // a package of its own, so that npm installs here and not into an enclosing package
        fs::write(dir.join("package.json"), "{ \"private\": true }\n").map_err(|e| format!("{}: {e}", dir.display()))?;
        step(
            Command::new("npm")
                .current_dir(dir)
                .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
                .arg(format!("@stoplight/prism-cli@{PRISM_VERSION}"))
                // prism declares node >= 24 but runs on the machine's node 20
                .env("npm_config_engine_strict", "false"),
            "npm install @stoplight/prism-cli",
        )?;
    }
    Ok(package.join("dist/index.js"))
}

/// Writes the pinned document, pruned to `xtask/e2e/operations.txt`, to `out`.
fn write_pruned_document(root: &Path, out: &Path) -> Result<(), String> {
    let listed = root.join("xtask/e2e/operations.txt");
    let text = fs::read_to_string(&listed).map_err(|e| format!("{}: {e}", listed.display()))?;
    let keep: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect();
    let spec = vim25_spec::resolve(None, None).map_err(|e| e.to_string())?;
    let source = fs::read_to_string(&spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let pruned = prune::prune(prune::parse(&source)?, &keep).map_err(|e| format!("{}: {e}", spec.display()))?;
    let json = serde_json::to_vec(&pruned).map_err(|e| e.to_string())?;
    fs::write(out, json).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("e2e: {} operations of {} in {}", keep.len(), spec.display(), out.display());
    Ok(())
}

/// vcsim, the bridge and prism, children of this process; dropping this stops them.
struct Services {
    children: Vec<(&'static str, Child)>,
    /// Prism's base URL, where the clients connect.
    url: String,
}

impl Services {
    fn start(tool: &Path, vcsim_dir: &Path, prism_cli: &Path, document: &Path, prism_log: &Path) -> Result<Services, String> {
        let mut services = Services { children: Vec::new(), url: String::new() };
        let soap = free_port()?;
        let vcsim_log = vcsim_dir.join("vcsim.log");
        services.spawn("vcsim", Command::new(vcsim_dir.join("vcsim")).arg("-l").arg(format!("127.0.0.1:{soap}")), &vcsim_log)?;
        services.wait("vcsim", &vcsim_log, || ureq::get(&format!("http://127.0.0.1:{soap}/about")).call().is_ok())?;

        let bridge = free_port()?;
        let bridge_log = vcsim_dir.join("bridge.log");
        services.spawn("bridge", Command::new("python3").arg(tool.join("bridge.py")).arg(soap.to_string()).arg(bridge.to_string()), &bridge_log)?;
        services.wait("bridge", &bridge_log, || fs::read_to_string(&bridge_log).is_ok_and(|l| l.contains("bridge ready")))?;

        let port = free_port()?;
        services.spawn(
            "prism",
            Command::new("node")
                .arg(prism_cli)
                .arg("proxy")
                .arg(document)
                .arg(format!("http://127.0.0.1:{bridge}"))
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .env("FORCE_COLOR", "0")
                // no usage report from the npm package's analytics
                .env("SCARF_ANALYTICS", "false"),
            prism_log,
        )?;
        services.wait("prism", prism_log, || fs::read_to_string(prism_log).is_ok_and(|l| l.contains("Prism is listening")))?;
        services.url = format!("http://127.0.0.1:{port}");
        println!("e2e: vcsim on :{soap}, the bridge on :{bridge}, prism on :{port}");
        Ok(services)
    }

    fn spawn(&mut self, name: &'static str, command: &mut Command, log: &Path) -> Result<(), String> {
        let out = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| format!("{}: {e}", log.display()))?;
        let child = command.stdin(Stdio::null()).stdout(out).stderr(err).spawn().map_err(|e| format!("starting {name}: {e}"))?;
        self.children.push((name, child));
        Ok(())
    }

    /// Waits until `ready`, or fails when the last child started exits or 60 s pass.
    fn wait(&mut self, name: &str, log: &Path, ready: impl Fn() -> bool) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready() {
            let exited = self.children.last_mut().and_then(|(_, c)| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                let text = fs::read_to_string(log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(10).collect::<Vec<_>>().into_iter().rev().collect();
                return Err(format!("{name} did not start ({}):\n{}", log.display(), tail.join("\n")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        // last started first: prism, the bridge, vcsim; each by its own process id
        for (name, child) in self.children.iter_mut().rev() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(3);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if matches!(child.try_wait(), Ok(None)) {
                eprintln!("e2e: {name} did not stop on SIGTERM; killing it");
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("no free port: {e}"))
}

/// Runs the scenario binary, echoing its lines, and collects its outcomes. A non-zero exit
/// without a failed scenario (a crash, a build error) is a failure of its own.
fn run_scenarios(command: &mut Command) -> Result<Vec<Outcome>, String> {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).spawn().map_err(|e| format!("vim25-e2e: {e}"))?;
    let mut outcomes = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("vim25-e2e: {e}"))?;
            println!("{line}");
            outcomes.extend(Outcome::parse(&line));
        }
    }
    let status = child.wait().map_err(|e| format!("vim25-e2e: {e}"))?;
    if !status.success() && outcomes.iter().all(|o| o.ok) {
        outcomes.push(Outcome { name: "vim25-e2e".into(), ok: false, seconds: started.elapsed().as_secs_f64(), message: format!("exited with {status}") });
    }
    Ok(outcomes)
}

/// Runs an example or test to completion within [`EXAMPLE_TIMEOUT`]: it passes when it exits
/// 0 and `check` accepts its standard output.
fn run_example(name: &str, command: &mut Command, check: impl Fn(&str) -> Result<(), String>) -> Outcome {
    let started = Instant::now();
    let result = (|| {
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
        // read both pipes on threads, so that a chatty child cannot block on a full pipe
        let stdout = child.stdout.take().map(reader);
        let stderr = child.stderr.take().map(reader);
        let deadline = started + EXAMPLE_TIMEOUT;
        let status = loop {
            match child.try_wait().map_err(|e| e.to_string())? {
                Some(status) => break status,
                None if Instant::now() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("still running after {}s", EXAMPLE_TIMEOUT.as_secs()));
                }
                None => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        let stdout = stdout.and_then(|h| h.join().ok()).unwrap_or_default();
        let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
        if !status.success() {
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
            return Err(format!("{status}: {last}"));
        }
        check(&stdout)
    })();
    Outcome { name: name.to_owned(), ok: result.is_ok(), seconds: started.elapsed().as_secs_f64(), message: result.err().unwrap_or_default() }
}

fn reader(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_lines_read_back() {
        let o = Outcome { name: "clone_vm".into(), ok: false, seconds: 1.5, message: "the task failed: x".into() };
        let back = Outcome::parse(&o.line()).expect("parses");
        assert_eq!((back.name.as_str(), back.ok, back.message.as_str()), ("clone_vm", false, "the task failed: x"));
        assert!(Outcome::parse("some other output").is_none());
    }
}
