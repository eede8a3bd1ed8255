//! Nothing is lost: unknown subtypes, enum values and members decode, are visible, and
//! re-encode unchanged.

use serde_json::json;
use vim25::types::{Any, ManagedEntityStatus, MethodFaultKind, VirtualDeviceKind, VirtualMachineConfigInfo};

fn reencode<T: vim25::Encode>(v: &T) -> serde_json::Value {
    serde_json::from_slice(&vim25::to_vec(v).unwrap()).unwrap()
}

fn decode<T: vim25::Decode>(json: &serde_json::Value) -> T {
    vim25::from_slice_strict(&serde_json::to_vec(json).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn unknown_subtype_decodes_as_the_declared_base_and_keeps_everything() {
    let json = json!({"_typeName": "VirtualQuantumDevice", "key": 4000, "qubits": 7, "backing": {"_typeName": "VirtualDeviceFileBackingInfo", "fileName": "[ds] q.bin"}});
    let device: VirtualDeviceKind = decode(&json);
    let VirtualDeviceKind::VirtualDevice(base) = &device else { panic!("{device:?}") };
    assert_eq!(base.key, 4000);
    assert_eq!(device.type_name(), "VirtualQuantumDevice");
    assert_eq!(base.extra.field("qubits"), Some(&json!(7)));
    assert!(base.backing.is_some(), "known members still decode");
    assert_eq!(reencode(&device), json);
}

#[test]
fn a_clone_keeps_everything_and_owns_it() {
    // `Clone` goes through the member table: every member, the unknown subtype's name and its
    // unknown members come along, boxed and nested values are copied rather than shared.
    let json = json!({"_typeName": "VirtualQuantumDevice", "key": 4000, "qubits": 7, "controllerKey": 100,
        "backing": {"_typeName": "VirtualDeviceFileBackingInfo", "fileName": "[ds] q.bin", "future": [1, {"a": null}]},
        "deviceInfo": {"_typeName": "Description", "label": "Q", "summary": "s"}});
    let device: VirtualDeviceKind = decode(&json);
    let mut copy = device.clone();
    assert_eq!(reencode(&copy), json);
    assert_eq!(format!("{copy:?}"), format!("{device:?}"));
    let VirtualDeviceKind::VirtualDevice(base) = &mut copy else { panic!("{copy:?}") };
    base.key = 1;
    *base.device_info.as_mut().unwrap().label_mut() = "changed".into();
    base.extra.push_field("added".into(), json!(true));
    assert_eq!(reencode(&device), json, "the original is untouched");
    assert_eq!(reencode(&copy)["deviceInfo"]["label"], json!("changed"));

    // and cloning into a value that already holds one (`clone_from`)
    let mut target: VirtualDeviceKind = decode(&json!({"_typeName": "VirtualDisk", "key": 1, "capacityInKB": 2}));
    target.clone_from(&device);
    assert_eq!(reencode(&target), json);
}

#[test]
fn unknown_type_in_an_any_position_is_kept_verbatim() {
    let json = json!({"propValue": 1, "_typeName": "FutureThing", "nested": {"a": [1, 2]}});
    let any: Any = decode(&json);
    assert!(matches!(any, Any::Unknown(_)));
    assert_eq!(any.type_name(), "FutureThing");
    assert_eq!(reencode(&any), json);
}

#[test]
fn unknown_enum_value_is_kept() {
    let s: ManagedEntityStatus = decode(&json!("purple"));
    assert_eq!(s, ManagedEntityStatus::Unrecognized("purple".into()));
    assert_eq!(reencode(&s), json!("purple"));
    assert_eq!("green".parse::<ManagedEntityStatus>().unwrap(), ManagedEntityStatus::Green);
}

#[test]
fn unknown_members_are_kept_and_written_back() {
    let json = json!({"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": "vm-1", "shard": "b"});
    let any: Any = decode(&json);
    assert_eq!(reencode(&any), json);
}

#[test]
fn type_name_in_the_middle_of_a_nested_object() {
    let json = json!({"_typeName": "VirtualMachineConfigInfo", "name": "x", "guestFullName": "g", "version": "vmx-20", "uuid": "u", "template": false, "guestId": "g", "alternateGuestName": "",
        "changeVersion": "1", "modified": "1970-01-01T00:00:00Z",
        "files": {"vmPathName": "[ds] x.vmx", "_typeName": "VirtualMachineFileInfo"},
        "flags": {"_typeName": "VirtualMachineFlagInfo"}, "defaultPowerOps": {"_typeName": "VirtualMachineDefaultPowerOpInfo"},
        "hardware": {"numCPU": 1, "memoryMB": 4, "_typeName": "VirtualHardware",
          "device": [{"key": 1, "unitNumber": 3, "_typeName": "VirtualDisk", "capacityInKB": 8, "backing": {"fileName": "f", "diskMode": "persistent", "_typeName": "VirtualDiskFlatVer2BackingInfo"}}]}});
    let info: VirtualMachineConfigInfo = decode(&json);
    let disk = info.hardware.device.as_ref().unwrap()[0].downcast_ref::<vim25::types::VirtualDisk>().expect("a VirtualDisk");
    #[allow(deprecated)]
    let kb = disk.capacity_in_kb;
    assert_eq!(kb, 8);
    assert!(disk.backing.as_ref().unwrap().downcast_ref::<vim25::types::VirtualDiskFlatVer2BackingInfo>().is_some());
    assert_eq!(reencode(&info), json);
}

#[test]
fn faults_decode_to_their_concrete_type_and_can_be_matched() {
    let json = json!({"_typeName": "InvalidPowerState", "requestedState": "poweredOn", "existingState": "poweredOff", "faultMessage": []});
    let fault: MethodFaultKind = decode(&json);
    assert_eq!(fault.type_name(), "InvalidPowerState");
    match &fault {
        MethodFaultKind::RuntimeFault(_) => panic!("not a runtime fault"),
        MethodFaultKind::VimFault(vim25::types::VimFaultKind::InvalidState(inner)) => {
            assert!(inner.downcast_ref::<vim25::types::InvalidPowerState>().is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn decode_errors_name_the_path_through_arrays_and_families() {
    let json = br#"{"_typeName":"RetrieveResult","objects":[{"_typeName":"ObjectContent","obj":{"_typeName":"ManagedObjectReference","type":"Folder","value":"g"},
        "propSet":[{"_typeName":"DynamicProperty","name":"a","val":{"_typeName":"int","_value":1}},{"_typeName":"DynamicProperty","name":"b","val":{"_typeName":"int","_value":"x"}}]}]}"#;
    let err = vim25::from_slice_strict::<vim25::types::RetrieveResult>(json).unwrap_err();
    assert_eq!(err.path(), "objects[0].propSet[1].val._value", "{err}");
}

#[test]
fn every_registered_type_name_is_found_and_no_other() {
    for (id, name) in vim25::registry::NAMES.iter().enumerate() {
        assert_eq!(vim25::registry::lookup(name), Some(id as u16), "{name}");
    }
    // Prefixes, extensions and near misses of real names, and the degenerate cases.
    for name in ["", "V", "VirtualDisk2", "irtualDisk", "VirtualDis", "virtualDisk", "VirtualMachineConfigInfoX", "_typeName"] {
        assert_eq!(vim25::registry::lookup(name), None, "{name}");
    }
}

#[test]
fn members_out_of_declaration_order_and_after_unknown_ones_are_all_found() {
    // The subtype's own `capacityInBytes` before the inherited `key`, an unknown member between
    // them: the forward scan from the expected position misses, the lookup must still find
    // every member.
    let json = serde_json::json!({
        "_typeName": "VirtualDisk",
        "capacityInBytes": 10,
        "capacityInKB": 1,
        "newerReleaseMember": [1, 2],
        "controllerKey": 1000,
        "key": 2000,
        "backing": {"_typeName": "VirtualDiskFlatVer2BackingInfo", "fileName": "[ds] vm/vm.vmdk", "diskMode": "persistent"},
    });
    let disk: vim25::types::VirtualDisk = decode(&json);
    assert_eq!(disk.capacity_in_bytes, Some(10));
    assert_eq!(disk.key, 2000);
    assert_eq!(disk.controller_key, Some(1000));
    assert!(disk.backing.is_some());
    assert_eq!(reencode(&disk)["newerReleaseMember"], serde_json::json!([1, 2]));
}

#[test]
fn a_leading_type_name_is_read_once_whatever_the_spacing() {
    // The fast path for `_typeName` first, with the spacing a pretty-printer writes, next to a
    // family member whose tag comes last (the look-ahead path).
    let text = br#"{ "_typeName" : "VirtualDisk", "key": 2000, "capacityInKB": 1,
        "backing": {"fileName": "[ds] a.vmdk", "diskMode": "persistent", "_typeName": "VirtualDiskFlatVer2BackingInfo"} }"#;
    let device: VirtualDeviceKind = vim25::from_slice_strict(text).unwrap_or_else(|e| panic!("{e}"));
    let VirtualDeviceKind::VirtualDisk(disk) = &device else { panic!("{device:?}") };
    assert_eq!(disk.key, 2000);
    assert!(disk.extra.is_empty(), "the tag names the variant, nothing to keep: {:?}", disk.extra);
    assert_eq!(device.type_name(), "VirtualDisk");
    assert_eq!(disk.backing.as_ref().map(|b| b.type_name()), Some("VirtualDiskFlatVer2BackingInfo"));

    // A tag that is not a string is an error at the tag, not a silent base-type decode.
    let err = vim25::from_slice_strict::<VirtualDeviceKind>(br#"{"_typeName": 7, "key": 1}"#).unwrap_err();
    assert!(err.to_string().contains("expected string"), "{err}");
    // A tag-like key that is not the discriminator takes the ordinary path.
    let err = vim25::from_slice_strict::<VirtualDeviceKind>(br#"{"_typeNameX": "VirtualDisk"}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `key`"), "{err}");
}

#[test]
fn strings_short_long_escaped_and_non_ascii_decode_and_reencode_exactly() {
    // Up to 24 bytes a string is kept inline, past that on the heap; both paths, and escapes
    // and multi-byte characters straddling the boundary, must give back the same text.
    let long = "x".repeat(24) + "y";
    let json = json!({"_typeName": "AboutInfo", "name": "", "fullName": long, "vendor": "VMware, Inc. \"quoted\"\n",
        "version": "é".repeat(12), "build": "ü".repeat(13), "osType": "linux-x64", "productLineId": "vpx",
        "apiType": "VirtualCenter", "apiVersion": "9.0.0.0", "instanceUuid": "4c4c4544-0038-4b10-8050-b4c04f4e5631"});
    let about: vim25::types::AboutInfo = decode(&json);
    assert_eq!(about.full_name, long);
    assert_eq!(about.vendor, "VMware, Inc. \"quoted\"\n");
    assert_eq!(about.version.len(), 24);
    assert_eq!(about.build.len(), 26);
    assert_eq!(about.instance_uuid.as_deref(), Some("4c4c4544-0038-4b10-8050-b4c04f4e5631"));
    assert_eq!(reencode(&about), json);
}

#[test]
fn a_missing_required_any_member_is_an_error_not_a_placeholder() {
    let json = json!({"_typeName": "DynamicProperty", "name": "config"});
    let err = vim25::from_slice_strict::<vim25::types::DynamicProperty>(&serde_json::to_vec(&json).unwrap()).unwrap_err();
    assert!(err.to_string().contains("val"), "{err}");
}

#[test]
fn an_any_reads_its_leading_type_name_once_on_every_path() {
    // The look-up consumes the opening and the tag; each kind of value continues from there.
    let cases = [
        json!({"_typeName": "FutureThing", "propValue": 1, "nested": {"a": [1, 2]}}),
        json!({"_typeName": "ArrayOfVirtualDevice", "_value": [{"_typeName": "VirtualDisk", "key": 1, "capacityInKB": 8}]}),
        json!({"_typeName": "int", "_value": 3}),
        json!({"_typeName": "VirtualMachineFileInfo", "vmPathName": "[ds] x.vmx"}),
        json!({"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": "vm-1"}),
        json!({"_typeName": "InvalidArgument", "invalidProperty": "spec"}),
    ];
    for json in cases {
        let any: Any = decode(&json);
        assert_eq!(any.type_name(), json["_typeName"], "{any:?}");
        assert_eq!(reencode(&any), json);
    }
    let any: Any = vim25::from_slice_strict(br#"{ "_typeName" : "FutureThing" }"#).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(any, Any::Unknown(_)));
    assert_eq!(reencode(&any), json!({"_typeName": "FutureThing"}));
    let err = vim25::from_slice_strict::<Any>(br#"{"_typeName": "FutureThing", "a": }"#).unwrap_err();
    assert!(err.line() == 1 && err.column() > 30, "{err}");
}

#[test]
fn keys_written_with_escapes_are_the_keys_they_spell() {
    // Member names are compared as written; an escaped spelling still finds its member, and an
    // unknown one is kept decoded.
    let text = br#"{"_typeName": "OptionValue", "k\u0065y": "a", "sh\u0061rd": 1, "\u00e9t\u00e9": 2}"#;
    let any: Any = vim25::from_slice_strict(text).unwrap_or_else(|e| panic!("{e}"));
    let value = any.downcast_ref::<vim25::types::OptionValue>().expect("an OptionValue");
    assert_eq!(value.key, "a");
    assert_eq!(value.extra.field("shard"), Some(&json!(1)));
    assert_eq!(value.extra.field("été"), Some(&json!(2)));
    assert_eq!(reencode(&any), json!({"_typeName": "OptionValue", "key": "a", "shard": 1, "été": 2}));

    // An unknown key that is not UTF-8 is an error at the key.
    let mut bad = br#"{"_typeName": "OptionValue", "key": "a", "x"#.to_vec();
    bad.extend_from_slice(&[0xff, b'"', b':', b'1', b'}']);
    let err = vim25::from_slice_strict::<Any>(&bad).unwrap_err();
    assert!(err.to_string().contains("invalid unicode"), "{err}");
}

#[test]
fn keys_read_off_the_input_and_through_the_parser_agree() {
    // Plainly written keys are read straight off the input, anything else by the parser; each
    // spelling must decode alike, and malformed input must fail where it is malformed.
    use vim25::types::{ManagedObjectReference, MethodFault};
    let spellings: [&[u8]; 5] = [
        br#"{"_typeName":"ManagedObjectReference","type":"Folder","value":"g"}"#,
        b"{ \"_typeName\" :\t\"ManagedObjectReference\" ,\r\n \"type\"\n:\"Folder\",\"value\" : \"g\" }",
        br#"{"value":"g","type":"Folder","_typeName":"ManagedObjectReference"}"#,
        br#"{"typ":1,"type":"Folder","typeX":2,"val\u0075e":"g","":3}"#,
        br#"{"t\"ype":1,"type":"Folder","value":"g"}"#,
    ];
    for text in spellings {
        let moref: ManagedObjectReference = vim25::from_slice_strict(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((moref.r#type.as_str(), moref.value.as_str()), ("Folder", "g"), "{}", String::from_utf8_lossy(text));
    }
    let moref: ManagedObjectReference = vim25::from_slice_strict(spellings[3]).unwrap();
    assert_eq!(moref.extra.field("typ"), Some(&json!(1)));
    assert_eq!(moref.extra.field("typeX"), Some(&json!(2)));
    assert_eq!(moref.extra.field(""), Some(&json!(3)));
    let moref: ManagedObjectReference = vim25::from_slice_strict(spellings[4]).unwrap();
    assert_eq!(moref.extra.field("t\"ype"), Some(&json!(1)));
    for empty in [&b"{}"[..], b"{ }", b" {\n} "] {
        let fault: MethodFault = vim25::from_slice_strict(empty).unwrap_or_else(|e| panic!("{e}"));
        assert!(fault.fault_message.is_none() && fault.extra.is_empty());
    }

    // Malformed: each error names the line and column of the fault, however many keys were
    // read off the input before it.
    let cases: [(&[u8], &str, usize, usize); 6] = [
        (br#"{"type":"Folder","value":"g",}"#, "trailing comma", 1, 30),
        (br#"{"type" "Folder","value":"g"}"#, "expected `:`", 1, 9),
        (b"{\"ty\x01pe\":\"Folder\",\"value\":\"g\"}", "control character", 1, 5),
        (b"{\x0c\"type\":\"Folder\",\"value\":\"g\"}", "key must be a string", 1, 2),
        (b"{\"type\":\"Folder\",\n \"value\":\"g\"\n \"x\":1}", "expected `,` or `}`", 3, 2),
        (b"{\"type\":\"Folder\",\n \"value\": 7}", "expected string", 2, 11),
    ];
    for (text, message, line, column) in cases {
        let err = vim25::from_slice_strict::<ManagedObjectReference>(text).unwrap_err();
        assert!(err.to_string().contains(message), "{err}");
        assert_eq!((err.line(), err.column()), (line, column), "{err}");
    }
}

#[test]
fn type_names_read_off_the_input_and_through_the_parser_agree() {
    // A plainly written `_typeName` is looked up on the input's bytes; one written with
    // escapes, unknown, or not UTF-8 goes through the parser, with the same outcome.
    for text in [
        &br#"{"_typeName":"VirtualDisk","key":1,"capacityInKB":8}"#[..],
        br#"{"_typeName":"Virtual\u0044isk","key":1,"capacityInKB":8}"#,
        br#"{"key":1,"_typeName" : "VirtualDisk","capacityInKB":8}"#,
    ] {
        let device: VirtualDeviceKind = vim25::from_slice_strict(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(device, VirtualDeviceKind::VirtualDisk(_)), "{device:?}");
        assert_eq!(device.type_name(), "VirtualDisk");
    }
    // A struct's own name, first, later or escaped, leaves nothing in `extra`; another name is kept.
    for text in [
        &br#"{"_typeName":"ManagedObjectReference","type":"Folder","value":"g"}"#[..],
        br#"{"type":"Folder","_typeName":"ManagedObjectReference","value":"g"}"#,
        br#"{"type":"Folder","value":"g","_typeName":"Managed\u004fbjectReference"}"#,
    ] {
        let moref: vim25::types::ManagedObjectReference = vim25::from_slice_strict(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(moref.extra.is_empty(), "{:?}", moref.extra);
    }
    let moref: vim25::types::ManagedObjectReference =
        vim25::from_slice_strict(br#"{"type":"Folder","_typeName":"ManagedObjectReferenceV2","value":"g"}"#).unwrap();
    assert_eq!(moref.type_name(), "ManagedObjectReferenceV2");

    let device: VirtualDeviceKind = vim25::from_slice_strict(br#"{"_typeName":"VirtualQuantumDisk","key":1}"#).unwrap();
    assert_eq!(device.type_name(), "VirtualQuantumDisk");
    let mut bad = br#"{"_typeName":"Virtual"#.to_vec();
    bad.extend_from_slice(&[0xff, b'"', b'}']);
    let err = vim25::from_slice_strict::<VirtualDeviceKind>(&bad).unwrap_err();
    assert!(err.to_string().contains("invalid unicode"), "{err}");
    let err = vim25::from_slice_strict::<VirtualDeviceKind>(br#"{"_typeName" "VirtualDisk"}"#).unwrap_err();
    assert!(err.to_string().contains("expected `:`") && err.column() == 14, "{err}");
}

/// A runtime as vcsim sends it: `faultToleranceState`, required by the document, left out.
fn runtime_without_fault_tolerance_state() -> serde_json::Value {
    json!({"_typeName": "VirtualMachineRuntimeInfo", "connectionState": "connected", "powerState": "poweredOn",
        "toolsInstallerMounted": false, "numMksConnections": 0, "recordReplayState": "inactive",
        "onlineStandby": false, "consolidationNeeded": false})
}

#[test]
fn a_required_member_left_out_decodes_tolerantly_and_stays_out() {
    use vim25::types::{VirtualMachineFaultToleranceState, VirtualMachinePowerState, VirtualMachineRuntimeInfo};
    let sent = runtime_without_fault_tolerance_state();
    let bytes = serde_json::to_vec(&sent).unwrap();

    let runtime: VirtualMachineRuntimeInfo = vim25::from_slice(&bytes).expect("tolerant by default");
    assert_eq!(runtime.power_state, VirtualMachinePowerState::PoweredOn);
    assert_eq!(runtime.extra.absent(), ["faultToleranceState"]);
    assert!(runtime.extra.is_absent("faultToleranceState") && !runtime.extra.is_absent("powerState"));
    assert_eq!(runtime.fault_tolerance_state, <VirtualMachineFaultToleranceState as vim25::object::Blank>::blank());
    // re-encoding leaves it out again: what was sent comes back
    assert_eq!(reencode(&runtime), sent);

    // once the caller sets it, it is sent
    let mut changed = runtime.clone();
    changed.fault_tolerance_state = VirtualMachineFaultToleranceState::NotConfigured;
    changed.extra.clear_absent("faultToleranceState");
    assert_eq!(reencode(&changed)["faultToleranceState"], "notConfigured");

    let err = vim25::from_slice_strict::<VirtualMachineRuntimeInfo>(&bytes).unwrap_err();
    assert!(err.to_string().contains("missing field `faultToleranceState`"), "{err}");
}

#[test]
fn the_report_lists_each_absent_member_once_wherever_it_is_nested() {
    use vim25::{AbsentMember, DecodeMode};
    let runtime = runtime_without_fault_tolerance_state();
    let mut without_key = json!({"_typeName": "OptionValue", "value": {"_typeName": "string", "_value": "x"}});
    let content = json!({"_typeName": "ArrayOfAnyType", "_value": [runtime, runtime, without_key.take()]});
    let bytes = serde_json::to_vec(&content).unwrap();

    let (value, absent) = vim25::from_slice_with::<Any>(&bytes, DecodeMode::Tolerant).expect("tolerant");
    assert_eq!(
        absent,
        [AbsentMember { type_name: "VirtualMachineRuntimeInfo", member: "faultToleranceState" }, AbsentMember { type_name: "OptionValue", member: "key" },]
    );
    assert_eq!(absent[0].to_string(), "VirtualMachineRuntimeInfo.faultToleranceState");
    assert_eq!(reencode(&value), content);

    let err = vim25::from_slice_with::<Any>(&bytes, DecodeMode::Strict).unwrap_err();
    assert_eq!(err.path(), "_value[0]", "{err}");
    // a body with nothing left out reports nothing
    let (_, none) = vim25::from_slice_with::<Any>(br#"{"_typeName": "int", "_value": 3}"#, DecodeMode::Tolerant).unwrap();
    assert!(none.is_empty());
}
