//! The generated crate as a vSphere program uses it: subtypes converted into any ancestor
//! family in one step, objects built with `..Default::default()`, the base members read from a
//! family enum without matching its variants.

use serde_json::json;
use vim25::object::{Family, Object};
use vim25::types::{
    Any, DataObjectKind, Description, EventKind, InvalidState, LocalizableMessage, ManagedObjectReference, MethodFaultKind, ObjectSpec, VimFaultKind,
    VirtualDeviceConfigSpec, VirtualDeviceConfigSpecOperation, VirtualDeviceKind, VirtualDisk, VirtualEthernetCardKind, VirtualVmxnet3, VirtualVmxnetKind,
};

fn decode<T: vim25::Decode>(json: &serde_json::Value) -> T {
    vim25::from_slice(&serde_json::to_vec(json).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_leaf_device_converts_into_every_ancestor_in_one_step() {
    let nic = VirtualVmxnet3 { key: 4000, ..Default::default() };
    // five levels down from `VirtualDevice`: Vmxnet3 has a subtype, so it is a family of its own
    let device: VirtualDeviceKind = nic.clone().into();
    assert!(matches!(&device, VirtualDeviceKind::VirtualEthernetCard(VirtualEthernetCardKind::VirtualVmxnet(VirtualVmxnetKind::VirtualVmxnet3(_)))));
    assert_eq!(device.downcast_ref::<VirtualVmxnet3>().map(|n| n.key), Some(4000));
    let any = Any::from(nic.clone());
    assert_eq!(any.type_name(), "VirtualVmxnet3");
    assert_eq!(any.downcast_ref::<VirtualVmxnet3>().map(|n| n.key), Some(4000));
    assert!(matches!(DataObjectKind::from(nic.clone()), DataObjectKind::VirtualDevice(_)));
    // a nested family enum converts into its ancestors too
    let card = VirtualEthernetCardKind::from(nic);
    let any: Any = VirtualDeviceKind::from(card.clone()).into();
    assert_eq!(vim25::to_vec(&any).unwrap(), vim25::to_vec(&Any::from(card)).unwrap());
    // and so does a fault, through the nested `VimFault`
    let fault = MethodFaultKind::from(InvalidState::default());
    assert!(matches!(fault, MethodFaultKind::VimFault(VimFaultKind::InvalidState(_))));
}

#[test]
fn objects_with_required_family_and_reference_members_have_defaults() {
    let spec = VirtualDeviceConfigSpec {
        operation: Some(VirtualDeviceConfigSpecOperation::Add),
        device: VirtualDisk { key: -100, capacity_in_bytes: Some(1 << 20), ..Default::default() }.into(),
        ..Default::default()
    };
    assert_eq!(*spec.device.key(), -100);
    assert!(spec.profile.is_none() && spec.extra.is_empty());
    // a family member left to its default is the blank base type
    let blank = VirtualDeviceConfigSpec::default();
    assert!(matches!(&blank.device, VirtualDeviceKind::VirtualDevice(d) if d.key == 0 && d.backing.is_none()));
    assert_eq!(blank.device.type_name(), "VirtualDevice");

    // a required member held in a `Box` is read as what the box holds
    let task = vim25::types::TaskEventKind::default();
    let info: &vim25::types::TaskInfo = task.info();
    assert!(info.key.is_empty());

    let obj = ManagedObjectReference { r#type: "VirtualMachine".into(), value: "vm-42".into(), ..Default::default() };
    let spec = ObjectSpec { obj, skip: Some(false), ..Default::default() };
    let written: serde_json::Value = serde_json::from_slice(&vim25::to_vec(&spec).unwrap()).unwrap();
    assert_eq!(
        written,
        json!({"_typeName": "ObjectSpec", "obj": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": "vm-42"}, "skip": false})
    );
}

#[test]
fn base_members_are_read_from_any_event() {
    let json = json!([
        {"_typeName": "VmPoweredOnEvent", "key": 7, "chainId": 7, "createdTime": "2022-12-12T11:48:35.473645Z",
         "userName": "VSPHERE.LOCAL\\admin", "fullFormattedMessage": "vm1 on host1 is powered on", "template": false,
         "vm": {"_typeName": "VmEventArgument", "name": "vm1", "vm": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": "vm-1"}}},
        {"_typeName": "UserLoginSessionEvent", "key": 8, "chainId": 8, "createdTime": "2022-12-12T11:49:00Z",
         "userName": "root", "ipAddress": "10.0.0.1", "locale": "en", "sessionId": "52"},
        {"_typeName": "EventOfANewerRelease", "key": 9, "chainId": 9, "createdTime": "2030-01-01T00:00:00Z", "userName": "x"}
    ]);
    let mut events: Vec<EventKind> = decode(&json);
    let keys: Vec<i32> = events.iter().map(|e| *e.key()).collect();
    assert_eq!(keys, [7, 8, 9]);
    assert_eq!(events[0].created_time().as_str(), "2022-12-12T11:48:35.473645Z");
    assert!(events[1].created_time().to_system_time().is_ok());
    assert_eq!(events[0].user_name(), "VSPHERE.LOCAL\\admin");
    assert_eq!(events[0].full_formatted_message().as_deref(), Some("vm1 on host1 is powered on"));
    assert_eq!(events[0].vm().as_ref().map(|vm| vm.name.as_str()), Some("vm1"));
    assert_eq!(events[2].type_name(), "EventOfANewerRelease");
    // the `_mut` accessors change the object held
    *events[1].user_name_mut() = "admin".into();
    assert_eq!(events[1].user_name(), "admin");
    assert_eq!(events[1].downcast_ref::<vim25::types::UserLoginSessionEvent>().map(|e| e.user_name.as_str()), Some("admin"));
}

#[test]
fn base_members_are_read_from_a_nested_fault() {
    let json = json!({"_typeName": "InvalidState", "faultMessage": [{"_typeName": "LocalizableMessage", "key": "k", "message": "busy"}]});
    let mut fault: MethodFaultKind = decode(&json);
    assert!(matches!(fault, MethodFaultKind::VimFault(VimFaultKind::InvalidState(_))));
    let messages = fault.fault_message().as_deref().unwrap_or_default();
    assert_eq!(messages.iter().map(|m| m.message.as_deref()).collect::<Vec<_>>(), [Some("busy")]);
    assert!(fault.fault_cause().is_none());
    *fault.fault_cause_mut() = Some(InvalidState::default().into());
    let MethodFaultKind::VimFault(vim) = &fault else { panic!("{fault:?}") };
    // the nested family enum has the same accessors
    assert!(vim.fault_cause().as_ref().is_some_and(|c| c.type_name() == "InvalidState"));
    let message = LocalizableMessage { key: "k2".into(), ..Default::default() };
    let mut device = VirtualDeviceKind::from(VirtualVmxnet3::default());
    *device.device_info_mut() = Some(Description { label: "NIC 1".into(), summary: message.key.clone(), ..Default::default() }.into());
    assert_eq!(device.device_info().as_ref().and_then(|d| d.downcast_ref::<Description>()).map(|d| d.label.as_str()), Some("NIC 1"));
    assert!(device.backing().is_none() && device.connectable().is_none());
}

/// The accessors of a family enum read member `i` of the object held as the type member `i`
/// has in the family's base: for that to hold whichever variant is held, every data object's
/// member `i` must have the wire name and the Rust type of its ancestors' member `i`. Checked
/// here for every type of the crate against every ancestor, on blanks built as decoding builds
/// them.
#[test]
fn every_type_shares_its_ancestors_member_table() {
    use vim25::registry::NAMES;
    let mut checked = 0;
    for (id, type_name) in NAMES.iter().enumerate() {
        let Some(this) = Blank::of(id) else { continue };
        let mut up = parent(id);
        while let Some(a) = up {
            let ancestor = Blank::of(a).unwrap_or_else(|| panic!("{type_name} is built but not its ancestor {}", NAMES[a]));
            let (wire, base) = (this.info().wire, ancestor.info().wire);
            assert_eq!(&wire[..base.len()], base, "{type_name} against {}", NAMES[a]);
            for (i, name) in base.iter().enumerate() {
                let (mine, theirs) = (this.object().field(i).as_any().type_id(), ancestor.object().field(i).as_any().type_id());
                assert_eq!(mine, theirs, "{type_name}.{name} against {}", NAMES[a]);
            }
            checked += 1;
            up = parent(a);
        }
    }
    assert!(checked > 8000, "only {checked} pairs checked");
}

/// `Clone` goes through a per-type table of member clones: every type's table, run once on its
/// blank, matches its members (an entry of another type would panic) and copies them all.
#[test]
fn every_type_clones_through_its_table() {
    let mut cloned = 0;
    for id in 0..vim25::registry::NAMES.len() {
        let Some(this) = Blank::of(id) else { continue };
        let copy = match &this {
            Blank::Data(k) => Blank::Data(k.clone()),
            Blank::Fault(k) => Blank::Fault(k.clone()),
        };
        assert_eq!(copy.info().type_name, this.info().type_name);
        assert_eq!(format!("{copy:?}"), format!("{this:?}"));
        cloned += 1;
    }
    assert!(cloned > 3900, "only {cloned} types cloned");
}

/// The parent of type `id` in the registry, short of `Any`.
fn parent(id: usize) -> Option<usize> {
    use vim25::registry::{NAMES, PARENTS};
    PARENTS.get(id).map(|p| usize::from(*p)).filter(|p| *p < NAMES.len() && NAMES[*p] != "Any")
}

/// A blank data object or fault, held in the family enum of the root's child it is under.
#[derive(Debug)]
enum Blank {
    Data(DataObjectKind),
    Fault(MethodFaultKind),
}

impl Blank {
    /// The blank of a data object as decoding builds it, through the root's child it is under;
    /// `None` for a type of a feature not built (it stops at its nearest ancestor that is).
    fn of(id: usize) -> Option<Blank> {
        use vim25::registry::NAMES;
        let mut top = id;
        while let Some(p) = parent(top) {
            top = p;
        }
        let object = match NAMES.get(top).copied() {
            Some("DataObject") => Blank::Data(DataObjectKind::blank_for(id as u16)),
            Some("MethodFault") => Blank::Fault(MethodFaultKind::blank_for(id as u16)),
            _ => return None,
        };
        (object.info().type_name == Some(NAMES[id])).then_some(object)
    }

    fn info(&self) -> &'static vim25::object::ObjectInfo {
        self.object().info()
    }

    fn object(&self) -> &dyn Object {
        match self {
            Self::Data(k) => Family::object(k),
            Self::Fault(k) => Family::object(k),
        }
    }
}

/// A matched variant holds its object in an `ObjectBox`, which reads and writes like a `Box`:
/// fields through it, `*` for the value, `into_inner` to take it out.
#[test]
fn a_matched_variant_is_its_object() {
    let mut device: VirtualDeviceKind = VirtualDisk { key: -100, capacity_in_bytes: Some(1 << 20), ..Default::default() }.into();
    let VirtualDeviceKind::VirtualDisk(disk) = &mut device else { panic!("a disk: {device:?}") };
    assert_eq!(disk.capacity_in_bytes, Some(1 << 20));
    disk.key = -101;
    let copy: VirtualDisk = (**disk).clone();
    assert_eq!(format!("{disk:?}"), format!("{copy:?}"));
    let VirtualDeviceKind::VirtualDisk(disk) = device.clone() else { unreachable!() };
    let owned: VirtualDisk = disk.into_inner();
    assert_eq!(owned.key, -101);
    // built directly, the same value as through `From`
    let direct = VirtualDeviceKind::VirtualDisk(vim25::ObjectBox::new(owned));
    assert_eq!(vim25::to_vec(&direct).unwrap(), vim25::to_vec(&device).unwrap());
    assert_eq!(direct.downcast_ref::<VirtualDisk>().map(|d| d.key), Some(-101));
}
