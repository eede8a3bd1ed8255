//! The generated types of the mini fixture (`generator/tests/fixtures/mini.yaml`), every crate's
//! in one module, as the generated `vim25` re-exports them: a data object root with single
//! inheritance (`DataObject`, `Shape`, `Polygon`, `Square`), family enums, an enumeration with
//! unknown values kept (`Color`), the fault family (`MethodFault`, `WidgetFault`),
//! `ManagedObjectReference` and the polymorphic root `Any` with its boxed values. The files are
//! the snapshot of the generator's output, included as they are; the snapshot test
//! (`generator/tests/snapshot.rs`) fails when they no longer match what the generator writes.

#[path = "../tests/snapshots/mini/base/src/types/color.rs"]
#[rustfmt::skip]
mod color;
pub use color::Color;
#[path = "../tests/snapshots/mini/base/src/types/shape.rs"]
#[rustfmt::skip]
mod shape;
pub use shape::{Shape, ShapeKind};
#[path = "../tests/snapshots/mini/base/src/types/polygon.rs"]
#[rustfmt::skip]
mod polygon;
pub use polygon::{Polygon, PolygonKind};
#[path = "../tests/snapshots/mini/base/src/types/square.rs"]
#[rustfmt::skip]
mod square;
pub use square::Square;
#[cfg(feature = "gadget")]
#[path = "../tests/snapshots/mini/base/src/types/gizmo_label.rs"]
#[rustfmt::skip]
mod gizmo_label;
#[cfg(feature = "gadget")]
pub use gizmo_label::GizmoLabel;
#[cfg(feature = "gadget")]
#[path = "../tests/snapshots/mini/base/src/types/gizmo_manual.rs"]
#[rustfmt::skip]
mod gizmo_manual;
#[cfg(feature = "gadget")]
pub use gizmo_manual::GizmoManual;

#[path = "../tests/snapshots/mini/part1/src/types/data_object.rs"]
#[rustfmt::skip]
mod data_object;
pub use data_object::{DataObject, DataObjectKind};
#[cfg(feature = "gadget")]
#[path = "../tests/snapshots/mini/part1/src/types/gizmo_info.rs"]
#[rustfmt::skip]
mod gizmo_info;
#[cfg(feature = "gadget")]
pub use gizmo_info::GizmoInfo;

#[path = "../tests/snapshots/mini/part2/src/types/managed_object_reference.rs"]
#[rustfmt::skip]
mod managed_object_reference;
pub use managed_object_reference::ManagedObjectReference;
#[path = "../tests/snapshots/mini/part2/src/types/method_fault.rs"]
#[rustfmt::skip]
mod method_fault;
pub use method_fault::{MethodFault, MethodFaultKind};
#[path = "../tests/snapshots/mini/part2/src/types/widget_fault.rs"]
#[rustfmt::skip]
mod widget_fault;
pub use widget_fault::WidgetFault;
/// `Display`, equality and the methods of references and faults.
#[path = "../tests/snapshots/mini/part2/src/impls.rs"]
#[rustfmt::skip]
mod impls;

#[path = "../tests/snapshots/mini/cycle/src/types/any.rs"]
#[rustfmt::skip]
mod any;
pub use any::{Any, AnyArray};
