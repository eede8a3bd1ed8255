//! Reading and watching properties of many objects through the `PropertyCollector`.
//!
//! - [`Client::retrieve`]: every object of a type under a root (the whole inventory by default),
//!   with the properties at the paths asked for, read through a `ContainerView` a page at a
//!   time. The view is destroyed afterwards, and a paged read that fails half way cancels its
//!   token on the server.
//! - [`Client::retrieve_all`]: the paging of `RetrievePropertiesEx` for any filter spec.
//! - [`Object`]: one object's properties, read by path with the type checked
//!   (`vm.get::<VirtualMachinePowerState>("runtime.powerState")?`, `vm.str("name")?`); a
//!   property the server could not read ([`ObjectContent::missing_set`]) is an error that
//!   carries the server's fault.
//! - [`Client::watch`] and [`Client::updates`]: a `futures_util::Stream` of changes
//!   over `WaitForUpdatesEx` on a property collector of its own, so several streams and the
//!   task waits of [`crate::task`] never take each other's updates.
//!
//! ```no_run
//! # async fn f(client: vim25::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use vim25::types::VirtualMachinePowerState;
//! for vm in client.retrieve("VirtualMachine", &["name", "runtime.powerState"]).await? {
//!     let power = vm.get::<VirtualMachinePowerState>("runtime.powerState")?;
//!     println!("{} {}", vm.str("name")?, power.as_str());
//! }
//! # Ok(()) }
//! ```

use crate::client::{Client, Error};
use crate::mo::{ContainerView, PropertyCollector, PropertyFilter, ViewManager};
use crate::types::{
    Any, ManagedObjectReference, MissingProperty, ObjectContent, ObjectSpec, ObjectUpdate, ObjectUpdateKind, PropertyChange, PropertyChangeOp,
    PropertyFilterSpec, PropertySpec, RetrieveOptions, TraversalSpec, UpdateSet, WaitOptions,
};
use futures_util::Stream;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

/// Objects asked for per `RetrievePropertiesEx` page unless told otherwise.
pub const DEFAULT_PAGE_SIZE: i32 = 100;

/// How long one `WaitForUpdatesEx` may wait unless told otherwise: well under any HTTP or
/// proxy timeout on the way, so that a quiet server still answers (with no changes) in time.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(60);

/// A property that could not be read as asked, by [`Object::get`] and its siblings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PropertyError {
    /// The reply does not hold the property: it is unset on the object, or was not asked for.
    #[error("{object}: property {path} is not set")]
    Unset { object: String, path: String },
    /// The server could not read the property (its `missingSet`): a permission it lacks, a
    /// host that is not connected.
    #[error("{object}: property {path} could not be read: {fault}")]
    Missing { object: String, path: String, fault: Box<crate::Fault> },
    /// The property holds another type than the one asked for.
    #[error("{object}: property {path} is a {found}, not a {expected}")]
    WrongType { object: String, path: String, expected: &'static str, found: String },
}

/// The short name of `T` (`VirtualMachinePowerState`, not its module path), for errors.
pub(crate) fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    let start = base.rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}

/// The value of `any` as a `T`, or [`PropertyError::WrongType`].
fn downcast<'a, T: 'static>(object: &ManagedObjectReference, path: &str, any: &'a Any) -> Result<&'a T, PropertyError> {
    any.downcast_ref::<T>().ok_or_else(|| PropertyError::WrongType {
        object: object.to_string(),
        path: path.to_owned(),
        expected: short_type_name::<T>(),
        found: any.type_name().to_owned(),
    })
}

/// The elements of a boxed array as `T`s: `ArrayOfManagedObjectReference` and other arrays of
/// data objects, and the arrays of primitives and enumerations (`ArrayOfString` as
/// `CompactString`s).
fn elements<'a, T: 'static>(object: &ManagedObjectReference, path: &str, any: &'a Any) -> Result<Vec<&'a T>, PropertyError> {
    let wrong = || PropertyError::WrongType {
        object: object.to_string(),
        path: path.to_owned(),
        expected: short_type_name::<Vec<T>>(),
        found: any.type_name().to_owned(),
    };
    match any {
        Any::Array(array) => array.items.iter().map(|item| item.downcast_ref::<T>().ok_or_else(wrong)).collect(),
        Any::ArrayOfAnyType(items) => items.iter().map(|item| item.downcast_ref::<T>().ok_or_else(wrong)).collect(),
        other => other.downcast_ref::<Vec<T>>().map(|v| v.iter().collect()).ok_or_else(wrong),
    }
}

/// One object and the properties read from it ([`ObjectContent`] with typed access by path).
#[derive(Debug, Clone)]
pub struct Object {
    content: ObjectContent,
}

impl From<ObjectContent> for Object {
    fn from(content: ObjectContent) -> Self {
        Self { content }
    }
}

impl Object {
    /// The object's reference.
    pub fn reference(&self) -> &ManagedObjectReference {
        &self.content.obj
    }

    /// The object as a handle of type `H`, checked as the handles' `from_ref` checks it.
    pub fn handle<H: crate::client::Handle>(&self, client: &Client) -> Result<H, Error> {
        crate::find::handle::<H>(client, self.content.obj.clone())
    }

    /// The raw value at `path`, `None` when the reply does not hold it.
    pub fn value(&self, path: &str) -> Option<&Any> {
        self.content.prop_set.iter().flatten().find(|p| p.name == path).map(|p| &p.val)
    }

    /// The value at `path`, or why there is none: [`PropertyError::Missing`] with the
    /// server's fault, or [`PropertyError::Unset`].
    pub fn any(&self, path: &str) -> Result<&Any, PropertyError> {
        if let Some(value) = self.value(path) {
            return Ok(value);
        }
        Err(match self.missing().iter().find(|m| m.path == path) {
            Some(m) => PropertyError::Missing { object: self.content.obj.to_string(), path: path.to_owned(), fault: Box::new(m.fault.clone()) },
            None => PropertyError::Unset { object: self.content.obj.to_string(), path: path.to_owned() },
        })
    }

    /// The value at `path` as a `T`, its concrete type: a data object (`GuestInfo`), an
    /// enumeration (`VirtualMachinePowerState`), `ManagedObjectReference`, `bool`, `i32`,
    /// `i64`, `CompactString`...
    pub fn get<T: 'static>(&self, path: &str) -> Result<&T, PropertyError> {
        downcast(&self.content.obj, path, self.any(path)?)
    }

    /// [`Object::get`], with an unset property as `None` (a fault the server reported for the
    /// property is still an error).
    pub fn get_opt<T: 'static>(&self, path: &str) -> Result<Option<&T>, PropertyError> {
        match self.get(path) {
            Ok(v) => Ok(Some(v)),
            Err(PropertyError::Unset { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The text at `path` (a `string`, `dateTime`, `anyURI`... value).
    pub fn str(&self, path: &str) -> Result<&str, PropertyError> {
        let any = self.any(path)?;
        any.as_str().ok_or_else(|| PropertyError::WrongType {
            object: self.content.obj.to_string(),
            path: path.to_owned(),
            expected: "string",
            found: any.type_name().to_owned(),
        })
    }

    /// The elements of the array at `path` as `T`s (`list::<ManagedObjectReference>("datastore")`);
    /// an unset array is empty.
    pub fn list<T: 'static>(&self, path: &str) -> Result<Vec<&T>, PropertyError> {
        match self.any(path) {
            Ok(any) => elements(&self.content.obj, path, any),
            Err(PropertyError::Unset { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// The properties the server could not read, with its fault for each.
    pub fn missing(&self) -> &[MissingProperty] {
        self.content.missing_set.as_deref().unwrap_or_default()
    }

    /// The reply as it came.
    pub fn content(&self) -> &ObjectContent {
        &self.content
    }

    pub fn into_content(self) -> ObjectContent {
        self.content
    }
}

impl Client {
    /// The session's property collector.
    pub async fn property_collector(&self) -> Result<PropertyCollector, Error> {
        let content = self.service_content().await?;
        Ok(crate::client::Handle::from_parts(self, content.property_collector.clone()))
    }

    /// Every object that `specs` select, with their properties: `RetrievePropertiesEx` and then
    /// `ContinueRetrievePropertiesEx` while the server hands out a token. When a page fails
    /// after a token was issued, the token is released with `CancelRetrievePropertiesEx`
    /// before the error is returned.
    pub async fn retrieve_all(&self, specs: &[PropertyFilterSpec], options: &RetrieveOptions) -> Result<Vec<ObjectContent>, Error> {
        let collector = self.property_collector().await?;
        retrieve_pages(&collector, specs, options).await
    }

    /// Every object of type `ty` in the inventory (or under [`Retrieve::root`]) with the
    /// properties at `paths` (`"name"`, `"runtime.powerState"`: paths into properties are read
    /// by themselves, not as the whole property). `.await` it, or set options first.
    pub fn retrieve<'a>(&'a self, ty: &'a str, paths: &'a [&'a str]) -> Retrieve<'a> {
        Retrieve { client: self, ty, paths, root: None, recursive: true, page_size: DEFAULT_PAGE_SIZE }
    }

    /// A stream of the changes to the properties at `paths` of every object of type `ty` in the
    /// inventory (or under [`Watch::root`]): first each object as it is (an `Enter` change),
    /// then each change as it happens. See [`Watch`].
    pub fn watch(&self, ty: &str, paths: &[&str]) -> Watch {
        Watch {
            client: self.clone(),
            ty: ty.to_owned(),
            paths: paths.iter().map(|&p| p.to_owned()).collect(),
            root: None,
            recursive: true,
            max_wait: DEFAULT_MAX_WAIT,
        }
    }

    /// A stream of the update sets of one filter, `WaitForUpdatesEx` after `WaitForUpdatesEx`
    /// on a property collector made for the stream (`CreatePropertyCollector`) and destroyed
    /// with it. The first set holds the objects as they are; each call waits at most
    /// `max_wait` (see [`DEFAULT_MAX_WAIT`]) and a call that ends without changes is not
    /// reported. Drop the stream to stop: the collector and its filter are destroyed then (on
    /// the Tokio runtime, in the background).
    pub fn updates(&self, spec: PropertyFilterSpec, max_wait: Duration) -> Updates {
        Updates::new(self.clone(), Source::Spec(spec), max_wait)
    }
}

/// The paging of [`Client::retrieve_all`], on a given collector.
pub(crate) async fn retrieve_pages(collector: &PropertyCollector, specs: &[PropertyFilterSpec], options: &RetrieveOptions) -> Result<Vec<ObjectContent>, Error> {
    let Some(first) = collector.retrieve_properties_ex(specs, options).await? else {
        return Ok(Vec::new());
    };
    let mut objects = first.objects;
    let mut token = first.token;
    while let Some(current) = token.take() {
        match collector.continue_retrieve_properties_ex(&current).await {
            Ok(page) => {
                objects.extend(page.objects);
                token = page.token;
            }
            Err(e) => {
                // The server keeps the rest of the result for the token until it is cancelled
                // or the session ends; its own failure adds nothing to the first one.
                let _ = collector.cancel_retrieve_properties_ex(&current).await;
                return Err(e);
            }
        }
    }
    Ok(objects)
}

/// The filter spec that selects every object of type `ty` a container view shows.
fn view_spec(view: &ManagedObjectReference, ty: &str, paths: &[&str]) -> PropertyFilterSpec {
    let traversal = TraversalSpec { r#type: "ContainerView".into(), path: "view".into(), ..Default::default() };
    PropertyFilterSpec {
        prop_set: vec![PropertySpec { r#type: ty.into(), path_set: Some(paths.iter().map(|&p| p.into()).collect()), ..Default::default() }],
        object_set: vec![ObjectSpec { obj: view.clone(), skip: Some(true), select_set: Some(vec![traversal.into()]), ..Default::default() }],
        ..Default::default()
    }
}

/// A container view of the objects of type `ty` under `root` (the root folder when `None`).
async fn container_view(client: &Client, root: Option<&ManagedObjectReference>, ty: &str, recursive: bool) -> Result<ContainerView, Error> {
    let content = client.service_content().await?;
    let views: ViewManager = client.manager(content.view_manager.as_ref(), "ViewManager")?;
    views.create_container_view(root.unwrap_or(&content.root_folder), Some(&[ty]), recursive).await
}

/// A read of all objects of a type, from [`Client::retrieve`]; `.await` it.
#[must_use = "a retrieval does nothing until awaited"]
pub struct Retrieve<'a> {
    client: &'a Client,
    ty: &'a str,
    paths: &'a [&'a str],
    root: Option<&'a ManagedObjectReference>,
    recursive: bool,
    page_size: i32,
}

impl<'a> Retrieve<'a> {
    /// Only objects under `root` (a folder, datacenter, cluster, host, resource pool...).
    pub fn root(mut self, root: &'a ManagedObjectReference) -> Self {
        self.root = Some(root);
        self
    }

    /// Only the root's direct children when `false` (default `true`: the whole subtree).
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// Objects per page (`maxObjects`; default [`DEFAULT_PAGE_SIZE`]); the server may send fewer.
    pub fn page_size(mut self, objects: i32) -> Self {
        self.page_size = objects;
        self
    }

    async fn run(self) -> Result<Vec<Object>, Error> {
        let view = container_view(self.client, self.root, self.ty, self.recursive).await?;
        let spec = view_spec(view.reference(), self.ty, self.paths);
        let options = RetrieveOptions { max_objects: Some(self.page_size), ..Default::default() };
        let result = self.client.retrieve_all(&[spec], &options).await;
        // the view is destroyed whatever the read gave; a failure to destroy it only matters
        // when the read worked
        let destroyed = view.destroy_view().await;
        let objects = result?;
        destroyed?;
        Ok(objects.into_iter().map(Object::from).collect())
    }
}

impl<'a> IntoFuture for Retrieve<'a> {
    type Output = Result<Vec<Object>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// A change stream of the properties of all objects of a type, from [`Client::watch`]. Set
/// options, then call [`Watch::stream`].
#[derive(Debug, Clone)]
#[must_use = "a watch does nothing until streamed"]
pub struct Watch {
    client: Client,
    ty: String,
    paths: Vec<String>,
    root: Option<ManagedObjectReference>,
    recursive: bool,
    max_wait: Duration,
}

impl Watch {
    /// Only objects under `root` (the root folder by default).
    pub fn root(mut self, root: &ManagedObjectReference) -> Self {
        self.root = Some(root.clone());
        self
    }

    /// Only the root's direct children when `false` (default `true`).
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// The longest one `WaitForUpdatesEx` waits (`maxWaitSeconds`, whole seconds, at least 1;
    /// default [`DEFAULT_MAX_WAIT`]).
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// The stream of changes, one [`Change`] per object and update. Nothing is sent before it
    /// is first polled; dropping it destroys the view, filter and collector it made.
    pub fn stream(self) -> Changes {
        let source = Source::View { ty: self.ty, paths: self.paths, root: self.root, recursive: self.recursive };
        Changes { updates: Updates::new(self.client, source, self.max_wait), pending: std::collections::VecDeque::new() }
    }
}

/// What an [`Updates`] stream watches.
#[derive(Debug)]
enum Source {
    Spec(PropertyFilterSpec),
    View { ty: String, paths: Vec<String>, root: Option<ManagedObjectReference>, recursive: bool },
}

/// The server objects a stream made, destroyed when it ends.
struct Resources {
    /// The client the objects were made on.
    client: Client,
    collector: Option<PropertyCollector>,
    view: Option<ContainerView>,
}

impl Drop for Resources {
    fn drop(&mut self) {
        let (collector, view) = (self.collector.take(), self.view.take());
        if collector.is_none() && view.is_none() {
            return;
        }
        // Dropping is synchronous; the calls go out on the runtime when there is one, and are
        // otherwise left to the end of the session, which removes them too.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Some(collector) = collector {
                    let _ = collector.destroy_property_collector().await;
                }
                if let Some(view) = view {
                    let _ = view.destroy_view().await;
                }
            });
        }
    }
}

struct UpdatesState {
    resources: Resources,
    source: Option<Source>,
    version: Option<String>,
    max_wait: Duration,
    failed: bool,
}

type UpdatesFuture = Pin<Box<dyn Future<Output = (Option<Result<UpdateSet, Error>>, UpdatesState)> + Send>>;

/// A stream of [`UpdateSet`]s from [`Client::updates`]: `Result<UpdateSet, Error>` items; after
/// an error the stream ends.
#[must_use = "streams do nothing unless polled"]
pub struct Updates {
    state: Option<UpdatesState>,
    future: Option<UpdatesFuture>,
}

impl std::fmt::Debug for Updates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updates").finish_non_exhaustive()
    }
}

impl Updates {
    fn new(client: Client, source: Source, max_wait: Duration) -> Self {
        let resources = Resources { client, collector: None, view: None };
        Self { state: Some(UpdatesState { resources, source: Some(source), version: None, max_wait, failed: false }), future: None }
    }

    /// The version of the last update set delivered (`None` before the first).
    pub fn version(&self) -> Option<&str> {
        self.state.as_ref().and_then(|s| s.version.as_deref())
    }

    /// Ends the stream and destroys what it made on the server (its collector with the
    /// filter, and its view), waiting for that rather than leaving it to the background.
    pub async fn close(mut self) -> Result<(), Error> {
        // a wait in flight is abandoned; its state, dropped with it, cleans up in the background
        self.future = None;
        let Some(mut state) = self.state.take() else { return Ok(()) };
        let (collector, view) = (state.resources.collector.take(), state.resources.view.take());
        let destroyed = match collector {
            Some(collector) => collector.destroy_property_collector().await,
            None => Ok(()),
        };
        if let Some(view) = view {
            view.destroy_view().await?;
        }
        destroyed
    }
}

/// Makes the collector, view and filter of a stream.
async fn set_up(state: &mut UpdatesState, source: Source) -> Result<(), Error> {
    let client = state.resources.client.clone();
    let collector = client.property_collector().await?.create_property_collector().await?;
    state.resources.collector = Some(collector.clone());
    let spec = match source {
        Source::Spec(spec) => spec,
        Source::View { ty, paths, root, recursive } => {
            let view = container_view(&client, root.as_ref(), &ty, recursive).await?;
            let spec = view_spec(view.reference(), &ty, &paths.iter().map(String::as_str).collect::<Vec<_>>());
            state.resources.view = Some(view);
            spec
        }
    };
    let _filter: PropertyFilter = collector.create_filter(&spec, true).await?;
    Ok(())
}

/// `maxWaitSeconds` for a duration: whole seconds, at least 1 (0 would not wait at all).
pub(crate) fn wait_seconds(max_wait: Duration) -> i32 {
    i32::try_from(max_wait.as_secs()).unwrap_or(i32::MAX).max(1)
}

async fn next_set(mut state: UpdatesState) -> (Option<Result<UpdateSet, Error>>, UpdatesState) {
    if state.failed {
        return (None, state);
    }
    if let Some(source) = state.source.take() {
        if let Err(e) = set_up(&mut state, source).await {
            state.failed = true;
            return (Some(Err(e)), state);
        }
    }
    let Some(collector) = state.resources.collector.clone() else {
        return (None, state);
    };
    let options = WaitOptions { max_wait_seconds: Some(wait_seconds(state.max_wait)), ..Default::default() };
    loop {
        match collector.wait_for_updates_ex(state.version.as_deref(), Some(&options)).await {
            // the wait ended without changes
            Ok(None) => continue,
            Ok(Some(set)) => {
                state.version = Some(set.version.to_string());
                return (Some(Ok(set)), state);
            }
            Err(e) => {
                state.failed = true;
                return (Some(Err(e)), state);
            }
        }
    }
}

impl Stream for Updates {
    type Item = Result<UpdateSet, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.future.is_none() {
            let Some(state) = this.state.take() else {
                return std::task::Poll::Ready(None);
            };
            this.future = Some(Box::pin(next_set(state)));
        }
        let Some(future) = this.future.as_mut() else {
            return std::task::Poll::Ready(None);
        };
        match future.as_mut().poll(cx) {
            std::task::Poll::Pending => std::task::Poll::Pending,
            std::task::Poll::Ready((item, state)) => {
                this.future = None;
                this.state = Some(state);
                std::task::Poll::Ready(item)
            }
        }
    }
}

/// One object's change in a [`Changes`] stream.
#[derive(Debug, Clone)]
pub struct Change {
    /// `Enter` when the object is first reported (the initial state, or an object that
    /// appeared), `Modify` for a change, `Leave` when it left the view (deleted, moved out).
    pub kind: ObjectUpdateKind,
    pub obj: ManagedObjectReference,
    /// The properties that changed, with their new values.
    pub changes: Vec<PropertyChange>,
    /// The properties the server could not read.
    pub missing: Vec<MissingProperty>,
}

impl From<ObjectUpdate> for Change {
    fn from(update: ObjectUpdate) -> Self {
        Self { kind: update.kind, obj: update.obj, changes: update.change_set.unwrap_or_default(), missing: update.missing_set.unwrap_or_default() }
    }
}

impl Change {
    /// The new value at `path` if it changed in this update (`None` when it did not, or was
    /// removed).
    pub fn value(&self, path: &str) -> Option<&Any> {
        self.changes.iter().rev().find(|c| c.name == path && c.op != PropertyChangeOp::Remove).and_then(|c| c.val.as_ref())
    }

    /// The new value at `path` as a `T`, `Ok(None)` when it did not change in this update.
    pub fn get<T: 'static>(&self, path: &str) -> Result<Option<&T>, PropertyError> {
        self.value(path).map(|any| downcast(&self.obj, path, any)).transpose()
    }

    /// The new text at `path`, `None` when it did not change in this update or is not text.
    pub fn str(&self, path: &str) -> Option<&str> {
        self.value(path).and_then(Any::as_str)
    }
}

/// The stream of [`Client::watch`]: a [`Change`] per object per update set.
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct Changes {
    updates: Updates,
    pending: std::collections::VecDeque<Change>,
}

impl Changes {
    /// The version of the last update set received.
    pub fn version(&self) -> Option<&str> {
        self.updates.version()
    }

    /// Ends the stream; see [`Updates::close`].
    pub async fn close(self) -> Result<(), Error> {
        self.updates.close().await
    }
}

impl Stream for Changes {
    type Item = Result<Change, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        loop {
            if let Some(change) = self.pending.pop_front() {
                return std::task::Poll::Ready(Some(Ok(change)));
            }
            match Pin::new(&mut self.updates).poll_next(cx) {
                std::task::Poll::Ready(Some(Ok(set))) => {
                    let changes = set.filter_set.into_iter().flatten().flat_map(|f| f.object_set.into_iter().flatten()).map(Change::from);
                    self.pending.extend(changes);
                }
                std::task::Poll::Ready(Some(Err(e))) => return std::task::Poll::Ready(Some(Err(e))),
                std::task::Poll::Ready(None) => return std::task::Poll::Ready(None),
                std::task::Poll::Pending => return std::task::Poll::Pending,
            }
        }
    }
}
