//! Waiting for tasks: every `*_Task` operation returns a [`mo::Task`], and
//! [`Task::wait`] resolves when it ends.
//!
//! ```no_run
//! # async fn f(vm: vim25::mo::VirtualMachine) -> Result<(), vim25::Error> {
//! use std::time::Duration;
//! // the result, or the task's fault as `Error::Fault`
//! vm.power_on_vm_task(None).await?.wait().await?;
//! // a typed result, a timeout and progress reports
//! let task = vm.power_off_vm_task().await?;
//! task.wait()
//!     .timeout(Duration::from_secs(300))
//!     .on_progress(|info| println!("{}: {:?}%", info.state.as_str(), info.progress))
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! # How waits are served
//! All waits on one [`Client`] (and its clones) share one watcher: a property collector of its
//! own (`CreatePropertyCollector`), a filter per task on its `info`, and one `WaitForUpdatesEx`
//! long poll at a time, however many tasks are awaited. The poll runs on the Tokio runtime
//! while a wait is pending and stops when the last one ends. A task that has already ended
//! resolves with the first update, which holds its current state.
//!
//! Where the server does not deliver updates (the watcher's calls fail, or it says nothing of
//! a task for [`Wait::fallback_after`]), a wait reads `Task.info` every
//! [`Wait::poll_interval`] instead. Outside a Tokio runtime waits always poll.

use crate::client::{Client, Error};
use crate::mo::{self, PropertyCollector, PropertyFilter, Task};
use crate::types::{Any, ManagedObjectReference, ObjectSpec, PropertyFilterSpec, PropertySpec, TaskInfo, TaskInfoState, WaitOptions};
use futures_util::Stream;
use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// Between two reads of `Task.info` when a wait polls, unless told otherwise.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How long a wait waits for the watcher's first word on its task before it polls instead,
/// unless told otherwise.
pub const DEFAULT_FALLBACK_AFTER: Duration = Duration::from_secs(5);

/// Once the watcher has reported a task, how often a wait still reads `Task.info` itself, in
/// case the server stops sending updates.
const RECHECK_INTERVAL: Duration = Duration::from_secs(30);

/// What the watcher last said about one task.
#[derive(Clone, Default)]
enum Signal {
    /// Nothing yet.
    #[default]
    Nothing,
    Info(Arc<TaskInfo>),
    /// The watcher failed; waits poll.
    Failed,
}

/// One awaited task in the watcher.
struct Entry {
    signal: watch::Sender<Signal>,
    /// Waits on this task.
    waiters: usize,
    /// The filter on its `info`, once made. References, not handles: a handle holds the
    /// client, and the watcher lives in the client's shared state.
    filter: Option<ManagedObjectReference>,
}

#[derive(Default)]
struct State {
    /// By task moId.
    tasks: HashMap<String, Entry>,
    /// Whether the poll loop runs.
    running: bool,
    /// The last `UpdateSet.version` of the collector.
    version: Option<String>,
}

/// The per-client task watcher (kept in [`Client::shared`]).
#[derive(Default)]
struct Watcher {
    state: Mutex<State>,
    /// The watcher's own collector, made on first use; async, so that concurrent first waits
    /// make one.
    collector: tokio::sync::Mutex<Option<ManagedObjectReference>>,
}

impl Watcher {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn collector(&self, client: &Client) -> Result<PropertyCollector, Error> {
        let mut slot = self.collector.lock().await;
        if let Some(collector) = slot.as_ref() {
            return Ok(handle(client, collector));
        }
        let collector = client.property_collector().await?.create_property_collector().await?;
        *slot = Some(collector.to_ref());
        Ok(collector)
    }

    /// Forgets `collector` after a failure on it (a new session, say), so that the next wait
    /// makes a new one.
    fn forget(&self, collector: &PropertyCollector) {
        if let Ok(mut slot) = self.collector.try_lock() {
            if slot.as_ref().is_some_and(|c| c == collector.reference()) {
                *slot = None;
            }
        }
    }

    /// Forgets the collector after its poll failed, and tells every wait to poll.
    fn fail(&self, collector: &PropertyCollector) {
        self.forget(collector);
        let mut state = self.lock();
        state.running = false;
        state.version = None;
        for entry in state.tasks.values_mut() {
            entry.filter = None;
            entry.signal.send_replace(Signal::Failed);
        }
    }
}

/// A handle on `reference`, which the watcher made with this client.
fn handle<H: crate::client::Handle>(client: &Client, reference: &ManagedObjectReference) -> H {
    H::from_parts(client, reference.clone())
}

/// The filter spec on one task's `info`.
fn task_spec(task: &ManagedObjectReference) -> PropertyFilterSpec {
    PropertyFilterSpec {
        prop_set: vec![PropertySpec { r#type: "Task".into(), path_set: Some(vec!["info".into()]), ..Default::default() }],
        object_set: vec![ObjectSpec { obj: task.clone(), ..Default::default() }],
        ..Default::default()
    }
}

/// The poll loop: one `WaitForUpdatesEx` after another while any wait is pending.
async fn poll_loop(watcher: Arc<Watcher>, collector: PropertyCollector) {
    let options = WaitOptions { max_wait_seconds: Some(crate::property::wait_seconds(crate::property::DEFAULT_MAX_WAIT)), ..Default::default() };
    loop {
        let version = {
            let mut state = watcher.lock();
            if state.tasks.is_empty() {
                state.running = false;
                return;
            }
            state.version.clone()
        };
        match collector.wait_for_updates_ex(version.as_deref(), Some(&options)).await {
            Ok(None) => {}
            Ok(Some(set)) => {
                let mut state = watcher.lock();
                state.version = Some(set.version.to_string());
                for update in set.filter_set.into_iter().flatten().flat_map(|f| f.object_set.into_iter().flatten()) {
                    let Some(entry) = state.tasks.get(update.obj.value.as_str()) else { continue };
                    let info = update.change_set.iter().flatten().filter(|c| c.name == "info").find_map(|c| c.val.as_ref()?.downcast_ref::<TaskInfo>());
                    if let Some(info) = info {
                        entry.signal.send_replace(Signal::Info(Arc::new(info.clone())));
                    }
                }
            }
            // the last wait ended and cancelled the poll; the top of the loop decides
            Err(e) if e.fault_is::<crate::types::RequestCanceled>() => {}
            Err(_) => {
                let idle = {
                    let mut state = watcher.lock();
                    state.running = !state.tasks.is_empty();
                    !state.running
                };
                if !idle {
                    watcher.fail(&collector);
                }
                return;
            }
        }
    }
}

/// One wait's view of its task: updates from the watcher, or reads of `Task.info`.
struct Subscription {
    task: Task,
    watcher: Arc<Watcher>,
    /// `None` when polling.
    signal: Option<watch::Receiver<Signal>>,
    /// Whether the watcher has reported the task.
    reported: bool,
    poll_interval: Duration,
    fallback_after: Duration,
    /// The state and progress last returned, so that polling reports changes only.
    last: Option<(TaskInfoState, Option<i32>)>,
    registered: bool,
}

impl Subscription {
    async fn new(task: &Task, poll_interval: Duration, fallback_after: Duration) -> Self {
        let client = task.client().clone();
        let watcher = client.shared::<Watcher>();
        let mut this = Self { task: task.clone(), watcher, signal: None, reported: false, poll_interval, fallback_after, last: None, registered: false };
        // the poll loop needs a runtime to run on
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return this;
        };
        let id = task.id().to_owned();
        let (mut receiver, first) = {
            let mut state = this.watcher.lock();
            let entry = state.tasks.entry(id.clone()).or_insert_with(|| Entry { signal: watch::Sender::new(Signal::Nothing), waiters: 0, filter: None });
            entry.waiters += 1;
            (entry.signal.subscribe(), entry.waiters == 1)
        };
        this.registered = true;
        // what is known already counts as news for this wait
        if !matches!(*receiver.borrow(), Signal::Nothing) {
            receiver.mark_changed();
        }
        if first {
            let Ok(collector) = this.watcher.collector(&client).await else {
                return this;
            };
            let filter = match collector.create_filter(&task_spec(task.reference()), false).await {
                Ok(filter) => filter,
                Err(_) => {
                    // A running poll fails by itself on a collector gone bad (and forgets it
                    // then); with none running, a collector of an ended session would
                    // otherwise fail every later wait.
                    let idle = !this.watcher.lock().running;
                    if idle {
                        this.watcher.forget(&collector);
                    }
                    return this;
                }
            };
            let start = {
                let mut state = this.watcher.lock();
                if let Some(entry) = state.tasks.get_mut(&id) {
                    entry.filter = Some(filter.to_ref());
                }
                !std::mem::replace(&mut state.running, true)
            };
            if start {
                runtime.spawn(poll_loop(this.watcher.clone(), collector));
            }
        }
        this.signal = Some(receiver);
        this
    }

    /// Whether `info` differs from what was last returned, remembering it.
    fn is_news(&mut self, info: &TaskInfo) -> bool {
        let key = (info.state.clone(), info.progress);
        if self.last.as_ref() == Some(&key) {
            return false;
        }
        self.last = Some(key);
        true
    }

    /// The task's next state: the first one, then each change.
    async fn next(&mut self) -> Result<Arc<TaskInfo>, Error> {
        loop {
            let Some(receiver) = self.signal.as_mut() else {
                if self.last.is_some() {
                    tokio::time::sleep(self.poll_interval).await;
                }
                let info = self.task.info().await?;
                if self.is_news(&info) {
                    return Ok(Arc::new(info));
                }
                continue;
            };
            let patience = if self.reported { RECHECK_INTERVAL } else { self.fallback_after };
            match tokio::time::timeout(patience, receiver.changed()).await {
                Ok(Ok(())) => {
                    let signal = receiver.borrow_and_update().clone();
                    match signal {
                        Signal::Info(info) => {
                            self.reported = true;
                            if self.is_news(&info) {
                                return Ok(info);
                            }
                        }
                        Signal::Failed => self.signal = None,
                        Signal::Nothing => {}
                    }
                }
                // the watcher is gone
                Ok(Err(_)) => self.signal = None,
                Err(_) if !self.reported => self.signal = None,
                // a check that the updates still come
                Err(_) => {
                    let info = self.task.info().await?;
                    if self.is_news(&info) {
                        return Ok(Arc::new(info));
                    }
                }
            }
        }
    }
}

impl Subscription {
    /// Leaves the watcher; what this wait then owes the server: destroying its task's filter
    /// when it was the last wait on that task, and ending the poll when it was the last of all.
    fn leave(&mut self) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        if !std::mem::replace(&mut self.registered, false) {
            return None;
        }
        let (filter, last) = {
            let mut state = self.watcher.lock();
            let entry = state.tasks.get_mut(self.task.id())?;
            entry.waiters -= 1;
            if entry.waiters > 0 {
                return None;
            }
            let filter = state.tasks.remove(self.task.id()).and_then(|e| e.filter);
            (filter, state.tasks.is_empty() && state.running)
        };
        let collector = if last { self.watcher.collector.try_lock().ok().and_then(|c| c.clone()) } else { None };
        if filter.is_none() && collector.is_none() {
            return None;
        }
        let client = self.task.client().clone();
        Some(Box::pin(async move {
            if let Some(filter) = filter {
                let _ = handle::<PropertyFilter>(&client, &filter).destroy_property_filter().await;
            }
            // ends the poll now rather than when its wait times out
            if let Some(collector) = collector {
                let _ = handle::<PropertyCollector>(&client, &collector).cancel_wait_for_updates().await;
            }
        }))
    }

    /// Leaves the watcher and makes the calls that owes, so that they are done when the wait
    /// returns (before the caller logs out, say).
    async fn finish(mut self) {
        if let Some(cleanup) = self.leave() {
            cleanup.await;
        }
    }
}

impl Drop for Subscription {
    /// A wait dropped before its end (a timeout, a cancelled future) cleans up in the
    /// background: dropping does no network I/O itself.
    fn drop(&mut self) {
        if let Some(cleanup) = self.leave() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(cleanup);
            }
        }
    }
}

fn is_done(info: &TaskInfo) -> bool {
    matches!(info.state, TaskInfoState::Success | TaskInfoState::Error)
}

/// The outcome of a task that ended: its info, or its fault as [`Error::Fault`].
fn outcome(info: TaskInfo) -> Result<TaskInfo, Error> {
    match (&info.state, info.error) {
        (TaskInfoState::Error, Some(fault)) => Err(Error::Fault(Box::new(fault))),
        (TaskInfoState::Error, None) => Err(Error::Missing("fault of the failed task")),
        _ => Ok(TaskInfo { error: None, ..info }),
    }
}

/// The result of a task as a `T`, its concrete type.
fn typed<T: Clone + 'static>(result: Option<Any>) -> Result<T, Error> {
    let any = result.ok_or(Error::Missing("result of the task"))?;
    any.downcast_ref::<T>().cloned().ok_or_else(|| Error::WrongType { expected: crate::property::short_type_name::<T>(), found: any.type_name().to_owned() })
}

type Progress = Box<dyn FnMut(&TaskInfo) + Send>;

/// A wait for a task, from [`Task::wait`]: set options, then `.await` it for
/// the task's result (`Option<Any>`), or ask for [`Wait::info`], [`Wait::result`] or
/// [`Wait::handle`].
#[must_use = "a wait does nothing until awaited"]
pub struct Wait {
    task: Task,
    timeout: Option<Duration>,
    poll_interval: Duration,
    fallback_after: Duration,
    progress: Option<Progress>,
}

impl std::fmt::Debug for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait").field("task", self.task.reference()).field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl Wait {
    /// Gives up after `timeout` with [`Error::Timeout`] (the task itself goes on; see
    /// [`Task::cancel`]). No limit by default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Between two reads of `Task.info` when polling (default [`DEFAULT_POLL_INTERVAL`]).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How long to wait for the watcher's first report of the task before polling instead
    /// (default [`DEFAULT_FALLBACK_AFTER`]).
    pub fn fallback_after(mut self, after: Duration) -> Self {
        self.fallback_after = after;
        self
    }

    /// Calls `progress` with each new state of the task (state, `progress` percentage...),
    /// the last one included.
    pub fn on_progress(mut self, progress: impl FnMut(&TaskInfo) + Send + 'static) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// The task's final info when it succeeded; its fault as [`Error::Fault`] when it failed.
    pub async fn info(self) -> Result<TaskInfo, Error> {
        let Wait { task, timeout, poll_interval, fallback_after, mut progress } = self;
        let wait = async move {
            let mut subscription = Subscription::new(&task, poll_interval, fallback_after).await;
            let result = loop {
                let info = match subscription.next().await {
                    Ok(info) => info,
                    Err(e) => break Err(e),
                };
                if let Some(progress) = progress.as_mut() {
                    progress(&info);
                }
                if is_done(&info) {
                    break outcome(Arc::unwrap_or_clone(info));
                }
            };
            subscription.finish().await;
            result
        };
        match timeout {
            Some(limit) => tokio::time::timeout(limit, wait).await.map_err(|_| Error::Timeout(limit))?,
            None => wait.await,
        }
    }

    /// The task's result as a `T`, its concrete type (`ManagedObjectReference` for the tasks
    /// that make an object); a result of another type is [`Error::WrongType`], none at all
    /// [`Error::Missing`].
    pub async fn result<T: Clone + 'static>(self) -> Result<T, Error> {
        typed(self.info().await?.result)
    }

    /// The task's result, a reference, as a handle of type `H` (the new machine of
    /// `CloneVM_Task` as a [`mo::VirtualMachine`]).
    pub async fn handle<H: crate::client::Handle>(self) -> Result<H, Error> {
        let client = self.task.client().clone();
        let reference = self.result::<ManagedObjectReference>().await?;
        crate::find::handle(&client, reference)
    }
}

impl IntoFuture for Wait {
    type Output = Result<Option<Any>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { Ok(self.info().await?.result) })
    }
}

impl mo::Task {
    /// Waits for the task to end; see [`Wait`] for the options and [`crate::task`] for how.
    /// `.await` gives the result (`None` for tasks without one) or the task's fault as
    /// [`Error::Fault`].
    pub fn wait(&self) -> Wait {
        Wait { task: self.clone(), timeout: None, poll_interval: DEFAULT_POLL_INTERVAL, fallback_after: DEFAULT_FALLBACK_AFTER, progress: None }
    }

    /// Waits for the task's result as a `T` (`task.wait_for::<ManagedObjectReference>()`);
    /// see [`Wait::result`].
    pub async fn wait_for<T: Clone + 'static>(&self) -> Result<T, Error> {
        self.wait().result().await
    }

    /// The task's states as a stream: the current one, then each change, ending after the
    /// final one (which is reported as it is, also when the task failed). Served like
    /// [`Task::wait`].
    pub fn updates(&self) -> impl Stream<Item = Result<TaskInfo, Error>> + Send + 'static {
        enum Step {
            Start(Task),
            Next(Box<Subscription>),
            End,
        }
        futures_util::stream::unfold(Step::Start(self.clone()), |step| async move {
            let mut subscription = match step {
                Step::Start(task) => Box::new(Subscription::new(&task, DEFAULT_POLL_INTERVAL, DEFAULT_FALLBACK_AFTER).await),
                Step::Next(subscription) => subscription,
                Step::End => return None,
            };
            match subscription.next().await {
                Ok(info) if is_done(&info) => Some((Ok(Arc::unwrap_or_clone(info)), Step::End)),
                Ok(info) => Some((Ok(Arc::unwrap_or_clone(info)), Step::Next(subscription))),
                Err(e) => Some((Err(e), Step::End)),
            }
        })
    }

    /// Asks the server to cancel the task (`CancelTask`); a wait on it then ends with the
    /// `RequestCanceled` fault. Tasks that cannot be cancelled answer with `InvalidState`.
    pub async fn cancel(&self) -> Result<(), Error> {
        self.cancel_task().await
    }
}
