//! A host's configuration as a server sends it (`generator/tests/data/vcsim`): the members that
//! link to another data object by its key (`HostScsiTopologyInterface.adapter`,
//! `HostMultipathInfoPath.adapter` and `.lun`, `HostScsiTopologyLun.scsiLun`) are strings on the
//! wire, and the whole body decodes and re-encodes to equal JSON.

use std::path::PathBuf;
use vim25::types::HostConfigInfo;

fn body() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/vcsim/hostsystem-config.json");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_host_configuration_decodes_with_its_links_by_key() {
    let bytes = body();
    let config: HostConfigInfo = vim25::from_slice_strict(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let storage = config.storage_device.as_ref().expect("storageDevice");

    let topology = storage.scsi_topology.as_ref().expect("scsiTopology");
    let adapters = topology.adapter.as_deref().expect("scsiTopology.adapter");
    assert_eq!(adapters.len(), 3);
    assert_eq!(adapters[0].adapter.as_str(), "key-vim.host.ParallelScsiHba-vmhba0");
    let lun = &adapters[0].target.as_deref().expect("target")[0].lun.as_deref().expect("lun")[0];
    assert_eq!(lun.scsi_lun.as_str(), "key-vim.host.ScsiDisk-0000000000766d686261303a303a30");

    let multipath = storage.multipath_info.as_ref().expect("multipathInfo");
    let path = &multipath.lun.as_deref().expect("multipathInfo.lun")[0].path[0];
    assert_eq!(path.adapter.as_str(), "key-vim.host.BlockHba-vmhba1");
    assert_eq!(path.lun.as_str(), "key-vim.host.MultipathInfo.LogicalUnit-0005000000766d686261313a303a30");

    let again = vim25::to_vec(&config).expect("encodes");
    let (sent, echoed): (serde_json::Value, serde_json::Value) =
        (serde_json::from_slice(&bytes).expect("JSON"), serde_json::from_slice(&again).expect("JSON"));
    assert_eq!(sent, echoed);
}
