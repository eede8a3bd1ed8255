//! The generated crate against payloads recorded from a real vCenter
//! (`generator/tests/data/payloads`): every one decodes to its concrete types and re-encodes to
//! equal JSON; the negative one fails naming its field path.

use std::path::PathBuf;
use vim25::types::{Any, DataObjectKind, VirtualDeviceKind, VirtualMachineConfigInfo};

fn payloads_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/payloads")
}

fn read(name: &str) -> Vec<u8> {
    let path = payloads_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn round_trip(bytes: &[u8]) -> (Any, serde_json::Value) {
    let value: Any = vim25::from_slice_strict(bytes).unwrap_or_else(|e| panic!("{e}"));
    let encoded = vim25::to_vec(&value).unwrap();
    (value, serde_json::from_slice(&encoded).unwrap())
}

#[test]
fn every_recorded_payload_round_trips() {
    let mut seen = 0;
    for entry in std::fs::read_dir(payloads_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.contains("invalid") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let (value, back) = round_trip(&bytes);
        assert!(!matches!(value, Any::Unknown(_)), "{name} decoded as unknown");
        let original: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, original, "{name} re-encodes differently");
        // a clone is the same value
        let copy = value.clone();
        assert_eq!(vim25::to_vec(&copy).unwrap(), vim25::to_vec(&value).unwrap(), "{name}: the clone encodes differently");
        assert_eq!(format!("{copy:?}"), format!("{value:?}"), "{name}: the clone differs");
        seen += 1;
    }
    assert!(seen >= 3, "only {seen} payloads found");
}

#[test]
fn nested_values_decode_to_concrete_types() {
    let (value, _) = round_trip(&read("vminfo.json"));
    let info = value.downcast_ref::<VirtualMachineConfigInfo>().expect("a VirtualMachineConfigInfo");
    assert_eq!(info.name, "test");
    let devices = &info.hardware.device.as_ref().expect("devices");
    assert!(devices.len() > 5);
    let disks = devices.iter().filter(|d| d.downcast_ref::<vim25::types::VirtualDisk>().is_some()).count();
    assert!(disks >= 1, "no VirtualDisk among {:?}", devices.iter().map(|d| d.type_name()).collect::<Vec<_>>());
    // a nested family member is reachable by matching through the levels
    assert!(devices.iter().any(|d| matches!(d, VirtualDeviceKind::VirtualController(_))));
    assert!(info.extra.is_empty());
    let extra = info.extra_config.as_ref().expect("extraConfig");
    let options: Vec<&vim25::types::OptionValue> = extra.iter().filter_map(|o| o.downcast_ref()).collect();
    assert!(options.iter().any(|o| matches!(o.value, Some(Any::PrimitiveString(_)))), "{options:?}");
}

#[test]
fn type_name_last_decodes_like_first() {
    let (first, first_json) = round_trip(&read("vminfo.json"));
    let (last, last_json) = round_trip(&read("vminfo-typename-at-end.json"));
    assert_eq!(first_json, last_json);
    assert_eq!(first.type_name(), last.type_name());
    assert!(matches!(last, Any::DataObject(DataObjectKind::VirtualMachineConfigInfo(_))));
}

#[test]
fn retrieve_result_holds_boxed_values_and_references() {
    let bytes = read("retrieveResult.json");
    let result: vim25::types::RetrieveResult = vim25::from_slice_strict(&bytes).unwrap();
    let first = &result.objects[0];
    assert_eq!(first.obj.value, "group-d1");
    let props = first.prop_set.as_ref().unwrap();
    let child_type = props.iter().find(|p| p.name == "childType").unwrap();
    assert_eq!(child_type.val.downcast_ref::<Vec<vim25::CompactString>>().unwrap(), &["Folder", "Datacenter"]);
    let status = props.iter().find(|p| p.name == "configStatus").unwrap();
    assert!(matches!(&status.val, Any::ManagedEntityStatus(vim25::types::ManagedEntityStatus::Gray)));
    let alarms = props.iter().find(|p| p.name == "declaredAlarmState").unwrap();
    let Any::Array(array) = &alarms.val else { panic!("{:?}", alarms.val) };
    assert_eq!(array.type_name, "ArrayOfAlarmState");
    assert!(array.downcast::<vim25::types::AlarmState>().count() > 0);
}

#[test]
fn a_boxed_string_holding_a_boolean_fails_with_its_path() {
    let err = vim25::from_slice_strict::<Any>(&read("vminfo-invalid-type-name-value.json")).unwrap_err();
    assert_eq!(err.path(), "extraConfig[0].value._value", "{err}");
    assert!(err.to_string().contains("expected string but found bool"), "{err}");
    assert!(err.line() > 1, "{err}");
}

#[test]
fn decoded_arrays_hold_no_spare_capacity() {
    let (value, _) = round_trip(&read("vminfo.json"));
    let info = value.downcast_ref::<VirtualMachineConfigInfo>().unwrap();
    let devices = info.hardware.device.as_ref().unwrap();
    let extra = info.extra_config.as_ref().unwrap();
    assert!(devices.len() > 4 && extra.len() > 4, "{} devices, {} options", devices.len(), extra.len());
    assert_eq!(devices.capacity(), devices.len());
    assert_eq!(extra.capacity(), extra.len());
    // arrays of one element type nested in each other (through `Any`) each get their own
    // length, and an array after them starts empty
    let nested = br#"{"_typeName": "ArrayOfAnyType", "_value": [
        {"_typeName": "ArrayOfAnyType", "_value": [{"_typeName": "int", "_value": 1}, {"_typeName": "int", "_value": 2},
            {"_typeName": "int", "_value": 3}, {"_typeName": "int", "_value": 4}, {"_typeName": "int", "_value": 5}]},
        {"_typeName": "ArrayOfAnyType", "_value": [{"_typeName": "boolean", "_value": true}]},
        {"_typeName": "ArrayOfAnyType", "_value": []}]}"#;
    let Any::ArrayOfAnyType(outer) = vim25::from_slice_strict::<Any>(nested).unwrap() else { panic!() };
    let lengths: Vec<(usize, usize)> = outer
        .iter()
        .map(|a| match a {
            Any::ArrayOfAnyType(inner) => (inner.len(), inner.capacity()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(lengths, [(5, 5), (1, 1), (0, 0)]);
    assert_eq!(outer.capacity(), 3);
    assert!(matches!(outer[1], Any::ArrayOfAnyType(ref v) if matches!(v[..], [Any::PrimitiveBoolean(true)])));
}

#[test]
fn times_decode_as_date_times_and_keep_their_text() {
    let (value, _) = round_trip(&read("vminfo.json"));
    let info = value.downcast_ref::<VirtualMachineConfigInfo>().unwrap();
    let created: &vim25::DateTime = info.create_date.as_ref().expect("createDate");
    assert_eq!(created, "2022-12-12T11:47:24.685785Z");
    let since_epoch = created.to_system_time().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap();
    assert_eq!((since_epoch.as_secs(), since_epoch.subsec_micros()), (1_670_845_644, 685_785));
    // `changeVersion` looks like a time but is declared a plain string
    assert_eq!(info.change_version, "2022-12-12T11:48:35.473645Z");

    let result: vim25::types::RetrieveResult = vim25::from_slice_strict(&read("retrieveResult.json")).unwrap();
    let times: Vec<&str> = result
        .objects
        .iter()
        .flat_map(|o| o.prop_set.iter().flatten())
        .filter_map(|p| match &p.val {
            Any::Array(a) => Some(a.downcast::<vim25::types::AlarmState>()),
            _ => None,
        })
        .flatten()
        .map(|s| s.time.as_str())
        .collect();
    assert_eq!(times, ["2023-01-14T08:57:35.279575Z", "2023-01-14T08:56:40.083607Z", "2023-01-14T08:56:35.082616Z"]);
}

#[test]
fn any_stays_six_words_with_date_times_in_place() {
    // `Any` holds a `DateTime` (40 bytes) unboxed; its tag fits beside it
    assert_eq!(std::mem::size_of::<Any>(), 48);
    assert_eq!(std::mem::size_of::<Option<vim25::DateTime>>(), 40);
}
