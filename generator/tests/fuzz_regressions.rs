//! Inputs the fuzz targets of `xtask/fuzz` found, each kept with what it broke. A decoder must
//! refuse them or round-trip them exactly (`cargo xtask fuzz`'s `round_trip` target's check).

use vim25::types::Any;

/// Decodes `input` as an `Any`, tolerantly: if it decodes, encoding, decoding again and
/// encoding once more must give the same bytes.
fn refused_or_lossless(input: &str) -> Result<(), String> {
    let Ok(first) = vim25::from_slice::<Any>(input.as_bytes()) else {
        return Err("refused".into());
    };
    let once = vim25::to_vec(&first).expect("encodes");
    let again: Any = vim25::from_slice(&once).expect("its own encoding decodes");
    assert_eq!(String::from_utf8_lossy(&vim25::to_vec(&again).expect("encodes")), String::from_utf8_lossy(&once), "round trip of {input}");
    Ok(())
}

/// `round_trip`: a declared member written twice, the second copy missing a required member.
/// It was decoded into the first copy's value, and tolerant mode recorded the required member
/// as absent while the first copy's `128` stayed: the encoding left it out and the next decode
/// read 0. A repeated declared member is now refused.
#[test]
fn a_repeated_member_missing_a_required_one() {
    let input = r#"{"_typeName":"HostVirtualSwitch","name":"a","key":"k","numPorts":1,"numPortsAvailable":1,"spec":{"_typeName":"HostVirtualSwitchSpec","numPorts":128},"spec":{"_typeName":"HostVirtualSwitchSpec"}}"#;
    let error = vim25::from_slice::<Any>(input.as_bytes()).map(drop).expect_err("a repeated member is refused");
    assert!(error.to_string().contains("duplicate member `spec`"), "{error}");
    assert_eq!(refused_or_lossless(input), Err("refused".into()));
    // the same object with `spec` once round-trips
    let once = r#"{"_typeName":"HostVirtualSwitch","name":"a","key":"k","numPorts":1,"numPortsAvailable":1,"spec":{"_typeName":"HostVirtualSwitchSpec"}}"#;
    assert_eq!(refused_or_lossless(once), Ok(()));
}

/// `round_trip`: a number in an unknown member too long for an `f64` (a 121-digit integer) was
/// read by serde_json's quick float parser, off by one unit in the last place, so the number it
/// wrote back read as another one. The generated crates turn on serde_json's `float_roundtrip`.
#[test]
fn a_long_number_in_an_unknown_member() {
    let digits = format!("254{}883392", "1".repeat(112));
    let input =
        format!(r#"{{"_typeName":"VirtualMachineConfigInfoOverheadInfo","initialMemoryReservation":214446080,"initialSwapReservauion":{digits}}}"#);
    assert_eq!(refused_or_lossless(&input), Ok(()));
}

/// `round_trip` (CI, 2026-12-06): an object whose first `_typeName` names no type of the
/// release and whose second names a known one. It was kept as JSON, where `serde_json::Map`
/// keeps the last value of a repeated key: the encoding carried the known name alone and
/// decoded as that type. A member written twice in JSON kept verbatim is now refused, at any
/// depth, as it is in a data object of a known type.
#[test]
fn a_repeated_type_name_after_an_unknown_one() {
    let input = r#"{"_typeName":"Desipti+n","_typeName":"HostIpRouteTableInfo","numDisplays":1,"us":"automatic"}"#;
    let error = vim25::from_slice::<Any>(input.as_bytes()).map(drop).expect_err("a repeated `_typeName` is refused");
    assert!(error.to_string().contains("duplicate member `_typeName`"), "{error}");
    assert_eq!(refused_or_lossless(input), Err("refused".into()));
    // deeper in a value kept verbatim, and in an unknown member of a known type
    for input in [
        r#"{"_typeName":"NoSuchType","a":[{"b":1,"c":{"d":1,"d":2}}]}"#,
        r#"{"_typeName":"ManagedObjectReference","type":"Folder","value":"a","x":{"y":1,"y":2}}"#,
        r#"{"_typeName":"NoSuchType","a":1,"\u0061":2}"#,
    ] {
        let error = vim25::from_slice::<Any>(input.as_bytes()).map(drop).expect_err(input);
        assert!(error.to_string().contains("duplicate member"), "{input}: {error}");
    }
    // the same objects with each key once round-trip
    for input in [
        r#"{"_typeName":"Desipti+n","numDisplays":1,"us":"automatic"}"#,
        r#"{"_typeName":"NoSuchType","a":[{"b":1,"c":{"d":1,"e":2}}],"f":[[],{}]}"#,
        r#"{"_typeName":"ManagedObjectReference","type":"Folder","value":"a","x":{"y":1,"z":{"y":2}}}"#,
    ] {
        assert_eq!(refused_or_lossless(input), Ok(()), "{input}");
    }
}
