//! Rust names for wire names. Wire names are never changed on the wire; only the Rust side is
//! made idiomatic, and every clash is resolved deterministically.
//!
//! Type names keep the document's spelling (acronyms included) and enum variants are plain
//! UpperCamelCase. Everything else (members, request parameters, handle methods, property
//! reads, module names) is snake_case made by [`snake`] from words found by these rules, in
//! this order:
//!
//! 1. Anything but an ASCII letter or digit separates words (`CloneVM_Task`).
//! 2. An acronym from [`ACRONYMS`] is one word where it begins a word (one beginning with a
//!    digit also right after a letter: `enable3DSupport` is `enable_3d_support`) and ends at a
//!    word boundary: the end of the name, a digit (digits stay with the word before them), or
//!    a capital that begins a capitalised word or another acronym (`USBXHCI` is `usb_xhci`). A
//!    plural `s` or a version `v` right after it (and before a boundary) belongs to it:
//!    `numCPUs` is `num_cpus`, `IPv6` is `ipv6`, `NFSv41` is `nfsv41`. A run of capitals not
//!    made of acronyms is left to rule 3 (`supportsVMI` is `supports_vmi`).
//! 3. Otherwise words split on case: before a capital that follows a lower-case letter or
//!    digit, and before the last capital of a run of capitals when a lower-case letter follows
//!    (`memoryMB` is `memory_mb`, `VMFSVolume` is `vmfs_volume`). Digits stay with the word
//!    before them (`vmxnet3`, `sha1`).
//! 4. VMware's product prefix joins the word after it: a single lower-case letter opening a
//!    name (`vAppConfig` is `vapp_config`, `vPMCEnabled` is `vpmc_enabled`, `iScsiName` is
//!    `iscsi_name`, `pMemSupported` is `pmem_supported`), and a capital `V` standing alone
//!    before a capitalised word (`QueryVMotionCompatibility` is `query_vmotion_compatibility`,
//!    `RetrieveVStorageObject` is `retrieve_vstorage_object`).
//!
//! Words are then lower-cased and joined with `_`. Rules 1 and 3 are how `heck` splits words;
//! rules 2 and 4 are what it gets wrong in VMware's names (`num_cp_us`, `v_app_config`).

use heck::ToUpperCamelCase;
use std::collections::BTreeSet;

/// VMware's acronyms and units that rule 3 alone splits wrongly: those taking a plural `s` or a
/// version `v`, those written next to another acronym, and those with an inner capital or an
/// inner digit. Each is here for a name of the document (see the tests); an acronym that only
/// ever stands next to capitalised words (`VMFS`, `UUID`, `MB`) needs no entry.
pub const ACRONYMS: &[&str] = &[
    // plurals: numCPUs, numHBAs, numTDXPrivateKeyIDs, oneKVolumeAPIsSupported,
    // CnsConfigureVolumeACLs, ReplaceCACertificatesAndCRLs, VsanVitGetIscsiLUNs, lastErrorMOs
    // (`numVMs` needs no entry: rule 4 joins `V` and `Ms`)
    "ACL", "API", "CPU", "CRL", "HBA", "ID", "LUN", "MO", // versions: IPv6Properties, vmknicBindingOnNFSv41, useFeatureReqsForOldHWv
    "HW", "IP", "NFS", // next to another acronym: numUSBXHCIControllers, VirtualUSBUSBBackingInfo,
    // emulatedDIXDIFEnabled, vSANPMemInfo
    "DIF", "DIX", "SAN", "USB", "XHCI", // inner capital or digit: cpuMHz, availablePMemCapacity, enable3DSupport
    "3D", "MHz", "PMem",
];

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let",
    "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

fn is_plain_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A type name: kept as written when it already is UpperCamelCase (so `VirtualMachineVMIROM`
/// keeps its acronym), otherwise converted (`setCustomValueRequestType` -> `SetCustomValueRequestType`).
pub fn type_name(wire: &str) -> String {
    let base = if is_plain_ident(wire) && !wire.contains('_') && wire.starts_with(|c: char| c.is_ascii_uppercase()) {
        wire.to_owned()
    } else {
        let mut s: String = wire.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        if let Some(first) = s.get(..1) {
            let upper = first.to_ascii_uppercase();
            s.replace_range(..1, &upper);
        }
        let camel = s.to_upper_camel_case();
        if camel.starts_with(|c: char| c.is_ascii_digit()) || camel.is_empty() {
            format!("T{camel}")
        } else {
            camel
        }
    };
    if base == "Self" {
        "Self_".into()
    } else {
        base
    }
}

/// An identifier in snake_case (fields, methods, modules), by the rules of the module doc.
pub fn snake(wire: &str) -> String {
    let mut s = words(wire, ACRONYMS).join("_").to_ascii_lowercase();
    if s.is_empty() {
        s = "value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// The words of a wire name, as written, with `table` as the acronyms (see the module doc).
fn words(wire: &str, table: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for part in wire.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let b = part.as_bytes();
        let mut found: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let end = acronym_at(table, b, i).unwrap_or_else(|| case_word_end(table, b, i));
            found.push(&part[i..end]);
            i = end;
        }
        // rule 4: product prefixes
        let mut joined: Vec<String> = Vec::with_capacity(found.len());
        for (k, w) in found.iter().enumerate() {
            let opening_letter = k == 1 && found[0].len() == 1 && found[0].as_bytes()[0].is_ascii_lowercase();
            let after_v = joined.last().is_some_and(|p| p == "V") && is_capitalised(w.as_bytes());
            match joined.last_mut() {
                Some(prev) if opening_letter || after_v => prev.push_str(w),
                _ => joined.push((*w).to_owned()),
            }
        }
        out.extend(joined);
    }
    out
}

/// A capital followed by a lower-case letter.
fn is_capitalised(b: &[u8]) -> bool {
    b.len() > 1 && b[0].is_ascii_uppercase() && b[1].is_ascii_lowercase()
}

/// Where the word beginning at `i` ends when an acronym of [`ACRONYMS`] is that word (rule 2).
fn acronym_at(table: &[&str], b: &[u8], i: usize) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for a in table.iter().map(|a| a.as_bytes()) {
        if b[i..].starts_with(a) && best.is_none_or(|(len, _)| a.len() > len) {
            if let Some(end) = acronym_end(table, b, i + a.len(), a[a.len() - 1]) {
                best = Some((a.len(), end));
            }
        }
    }
    best.map(|(_, end)| end)
}

/// Whether an acronym ending (exclusive) at `j` with the character `last` ends at a word
/// boundary, and where the word ends with the digits or suffix that stay with it.
fn acronym_end(table: &[&str], b: &[u8], j: usize, last: u8) -> Option<usize> {
    let digits_from = |k: usize| k + b[k..].iter().take_while(|c| c.is_ascii_digit()).count();
    let Some(&c) = b.get(j) else { return Some(j) };
    if c.is_ascii_digit() {
        return Some(digits_from(j));
    }
    if !last.is_ascii_uppercase() {
        // ends in a lower-case letter or digit: any capital begins the next word
        return (!c.is_ascii_lowercase()).then_some(j);
    }
    if c.is_ascii_uppercase() {
        return (is_capitalised(&b[j..]) || acronym_at(table, b, j).is_some()).then_some(j);
    }
    if (c == b's' || c == b'v') && !b.get(j + 1).is_some_and(u8::is_ascii_lowercase) {
        return Some(digits_from(j + 1));
    }
    None
}

/// Where the word beginning at `i` ends by letter case (rule 3).
fn case_word_end(table: &[&str], b: &[u8], i: usize) -> usize {
    let n = b.len();
    if b[i].is_ascii_uppercase() && b.get(i + 1).is_some_and(u8::is_ascii_uppercase) {
        // a run of capitals and digits; before a lower-case letter, its last capital begins
        // the next word
        let mut j = i + 1;
        while j < n && (b[j].is_ascii_uppercase() || b[j].is_ascii_digit()) {
            j += 1;
        }
        if j < n && b[j].is_ascii_lowercase() && b[j - 1].is_ascii_uppercase() {
            j -= 1;
        }
        return j;
    }
    // one character, then lower-case letters and digits; an acronym beginning with a digit
    // (`3D`) ends the word before it
    let mut j = i + 1;
    while j < n && (b[j].is_ascii_lowercase() || b[j].is_ascii_digit()) {
        if b[j].is_ascii_digit() && !b[j - 1].is_ascii_digit() && acronym_at(table, b, j).is_some() {
            break;
        }
        j += 1;
    }
    j
}

/// Makes an identifier usable: `type` -> `r#type`, `self` -> `self_`.
pub fn escape(ident: &str) -> String {
    if NOT_RAW.contains(&ident) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else {
        ident.to_owned()
    }
}

/// An enum variant for a wire value (`poweredOn` -> `PoweredOn`, `3des` -> `V3des`).
pub fn variant(wire: &str) -> String {
    let cleaned: String = wire.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let camel = cleaned.to_upper_camel_case();
    let camel = if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) { format!("V{camel}") } else { camel };
    if camel == "Self" {
        "SelfValue".into()
    } else {
        camel
    }
}

/// Hands out names unique within one scope, suffixing a clash with a number.
#[derive(Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn with_reserved(names: &[&str]) -> Self {
        Self { taken: names.iter().map(|s| s.to_string()).collect() }
    }

    pub fn claim(&mut self, wanted: String) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        let sep =
            if wanted.contains(|c: char| c.is_ascii_lowercase()) && wanted.chars().next().is_some_and(|c| c.is_ascii_lowercase()) { "_" } else { "" };
        // an escaping underscore (`Self_`, `self_`) is dropped before the number: `Self_2`
        // is not UpperCamelCase and `self__2` not snake_case
        let stem = match wanted.trim_end_matches('_') {
            "" => wanted.as_str(),
            stem => stem,
        };
        (2..).map(|n| format!("{stem}{sep}{n}")).find(|cand| self.taken.insert(cand.clone())).expect("an unused suffix exists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_keep_acronyms_and_fix_case() {
        assert_eq!(type_name("VirtualMachineCloneSpec"), "VirtualMachineCloneSpec");
        assert_eq!(type_name("VirtualMachineVMIROM"), "VirtualMachineVMIROM");
        assert_eq!(type_name("setCustomValueRequestType"), "SetCustomValueRequestType");
        assert_eq!(type_name("Foo_Bar"), "FooBar");
        assert_eq!(type_name("Self"), "Self_");
    }

    /// Real names of the vi-json 9.1.1.0 document (members, parameters, operations), wire -> Rust.
    const PINNED: &[(&str, &str)] = &[
        // names without acronyms split on case alone
        ("vmPathName", "vm_path_name"),
        ("instanceUuid", "instance_uuid"),
        ("ipAddress", "ip_address"),
        ("numCpuPackages", "num_cpu_packages"),
        ("numVmxnet3EthernetCards", "num_vmxnet3_ethernet_cards"),
        ("vmDirectPathGen2Supported", "vm_direct_path_gen2_supported"),
        ("use3dRenderer", "use3d_renderer"),
        ("ipv6Enabled", "ipv6_enabled"),
        ("dhcpV6Enabled", "dhcp_v6_enabled"),
        ("FindAllByDnsName", "find_all_by_dns_name"),
        // acronyms next to capitalised words, at the end, before `_`
        ("memoryMB", "memory_mb"),
        ("memorySizeMB", "memory_size_mb"),
        ("biosUUID", "bios_uuid"),
        ("netBIOSConfig", "net_bios_config"),
        ("maxEVCModeKey", "max_evc_mode_key"),
        ("LoginBySSPI", "login_by_sspi"),
        ("DVSManagerLookupDvPortGroup", "dvs_manager_lookup_dv_port_group"),
        ("CloneVM_Task", "clone_vm_task"),
        ("PowerOnVM_Task", "power_on_vm_task"),
        ("CreateSecondaryVMEx_Task", "create_secondary_vm_ex_task"),
        ("ConfigureDatastoreIORM_Task", "configure_datastore_iorm_task"),
        ("QueryIORMConfigOption", "query_iorm_config_option"),
        ("recommendedTPM20", "recommended_tpm20"),
        ("virtualICH7MPresent", "virtual_ich7m_present"),
        // a run that is not made of acronyms stays one word
        ("supportsVMI", "supports_vmi"),
        ("numIDEControllers", "num_ide_controllers"),
        ("erspanCOS", "erspan_cos"),
        ("partialMMId", "partial_mm_id"),
        ("VSANIsWitnessVirtualAppliance", "vsan_is_witness_virtual_appliance"),
        // plurals
        ("numCPUs", "num_cpus"),
        ("supportedMaxCPUs", "supported_max_cpus"),
        ("numVMs", "num_vms"),
        ("GetSystemVMsRestrictedDatastores", "get_system_vms_restricted_datastores"),
        ("numHBAs", "num_hbas"),
        ("numTDXPrivateKeyIDs", "num_tdx_private_key_ids"),
        ("oneKVolumeAPIsSupported", "one_k_volume_apis_supported"),
        ("CnsConfigureVolumeACLs", "cns_configure_volume_acls"),
        ("ReplaceCACertificatesAndCRLs", "replace_ca_certificates_and_crls"),
        ("VsanVitGetIscsiLUNs", "vsan_vit_get_iscsi_luns"),
        ("lastErrorMOs", "last_error_mos"),
        // versions
        ("vmknicBindingOnNFSv41", "vmknic_binding_on_nfsv41"),
        ("useFeatureReqsForOldHWv", "use_feature_reqs_for_old_hwv"),
        ("HostInternetScsiHbaIPv6Properties", "host_internet_scsi_hba_ipv6_properties"),
        // acronyms side by side
        ("numUSBXHCIControllers", "num_usb_xhci_controllers"),
        ("VirtualUSBUSBBackingInfo", "virtual_usb_usb_backing_info"),
        ("emulatedDIXDIFEnabled", "emulated_dix_dif_enabled"),
        ("vSANPMemInfo", "vsan_pmem_info"),
        // inner capital or digit
        ("cpuMHz", "cpu_mhz"),
        ("availablePMemCapacity", "available_pmem_capacity"),
        ("vsanPMemConfig", "vsan_pmem_config"),
        ("CreateNvdimmPMemNamespace_Task", "create_nvdimm_pmem_namespace_task"),
        ("enable3DSupport", "enable_3d_support"),
        ("recommended3D", "recommended_3d"),
        // product prefixes
        ("vAppConfig", "vapp_config"),
        ("vPMCEnabled", "vpmc_enabled"),
        ("vFlashCacheConfigInfo", "vflash_cache_config_info"),
        ("vDiskId", "vdisk_id"),
        ("vSANDirectDisks", "vsan_direct_disks"),
        ("vSphereUser", "vsphere_user"),
        ("vStorageObjectManager", "vstorage_object_manager"),
        ("vRAMSizeInKB", "vram_size_in_kb"),
        ("vClockTime", "vclock_time"),
        ("pMemAvailableMB", "pmem_available_mb"),
        ("iScsiName", "iscsi_name"),
        ("iSnsDiscoveryEnabled", "isns_discovery_enabled"),
        ("iWarpCapable", "iwarp_capable"),
        ("nConnectSupported", "nconnect_supported"),
        ("hBDatastoreCandidatePolicy", "hb_datastore_candidate_policy"),
        ("QueryVMotionCompatibility", "query_vmotion_compatibility"),
        ("storageVMotionSupported", "storage_vmotion_supported"),
        ("supportedVDiskFormats", "supported_vdisk_formats"),
        ("RetrieveVStorageObject", "retrieve_vstorage_object"),
        ("UpdateVVolVirtualMachineFiles_Task", "update_vvol_virtual_machine_files_task"),
        ("VCenterUpdateVStorageObjectMetadataEx_Task", "vcenter_update_vstorage_object_metadata_ex_task"),
        ("PbmResetVSanDefaultProfile", "pbm_reset_vsan_default_profile"),
        ("VMwareDVSConfigInfo", "vmware_dvs_config_info"),
    ];

    #[test]
    fn real_names_become_the_snake_case_a_reader_expects() {
        let wrong: Vec<String> = PINNED
            .iter()
            .filter(|(wire, rust)| snake(wire) != *rust)
            .map(|(wire, rust)| format!("{wire}: {} (expected {rust})", snake(wire)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// Each acronym is there for a name: without it, some pinned name comes out differently.
    #[test]
    fn every_acronym_is_needed() {
        for a in ACRONYMS {
            let without: Vec<&str> = ACRONYMS.iter().copied().filter(|x| x != a).collect();
            let needed = PINNED.iter().any(|(wire, rust)| words(wire, &without).join("_").to_ascii_lowercase() != *rust);
            assert!(needed, "no pinned name needs `{a}`");
        }
    }

    #[test]
    fn snake_names_are_lower_case_words() {
        for (wire, _) in PINNED {
            let s = snake(wire);
            assert!(s.split('_').all(|w| !w.is_empty() && w.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())), "{wire}: {s}");
        }
        assert_eq!(snake("__a__b__"), "a_b");
        assert_eq!(snake("MB"), "mb");
        assert_eq!(snake("CPUs"), "cpus");
        assert_eq!(snake("v"), "v");
        assert_eq!(snake("V"), "v");
        assert_eq!(snake("x1"), "x1");
        assert_eq!(snake("ABC2def"), "abc2_def");
        assert_eq!(snake("é"), "value");
    }

    #[test]
    fn snake_and_keywords() {
        assert_eq!(snake("CloneVM_Task"), "clone_vm_task");
        assert_eq!(snake("PowerOnVM_Task"), "power_on_vm_task");
        assert_eq!(snake("vmPathName"), "vm_path_name");
        assert_eq!(escape(&snake("type")), "r#type");
        assert_eq!(escape(&snake("self")), "self_");
        assert_eq!(escape(&snake("match")), "r#match");
        assert_eq!(snake("3d"), "_3d");
    }

    #[test]
    fn variants() {
        assert_eq!(variant("poweredOn"), "PoweredOn");
        assert_eq!(variant("3des"), "V3des");
        assert_eq!(variant(""), "V");
        assert_eq!(variant("self"), "SelfValue");
        assert_eq!(variant("vmx-20"), "Vmx20");
    }

    #[test]
    fn scope_suffixes_clashes() {
        let mut s = Scope::with_reserved(&["extra"]);
        assert_eq!(s.claim("extra".into()), "extra_2");
        assert_eq!(s.claim("Foo".into()), "Foo");
        assert_eq!(s.claim("Foo".into()), "Foo2");
        assert_eq!(s.claim("Self_".into()), "Self_");
        assert_eq!(s.claim("Self_".into()), "Self2");
        assert_eq!(s.claim("self_".into()), "self_");
        assert_eq!(s.claim("self_".into()), "self_2");
        assert_eq!(s.claim("_".into()), "_");
        assert_eq!(s.claim("_".into()), "_2");
    }
}
