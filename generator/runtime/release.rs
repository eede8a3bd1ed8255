//! vSphere API releases (`8.0.2.0`, `9.1.1.0`): comparing them, and refusing, before anything is
//! sent, a call to an operation or property that is newer than the session's release.
//!
//! Every operation and property read knows the release that introduced it, from the document's
//! `***Since:***` text; those without one are as old as vi-json itself.

use crate::client::Error;
use std::cmp::Ordering;

pub use vim25_base::release::{compare, is_release};

/// `Ok` when a session at `release` has the member introduced in `since` (`""`: always). A
/// session whose release is not a release number (a test server's) is not checked.
pub fn check(release: &str, since: &'static str, type_path: &str, member: &str) -> Result<(), Error> {
    if since.is_empty() || !is_release(release) || compare(since, release) != Ordering::Greater {
        return Ok(());
    }
    Err(Error::UnsupportedRelease {
        member: format!("{}.{member}", type_path.trim_start_matches('/')),
        since,
        release: release.to_owned(),
    })
}

/// `Ok` when a session at `release` knows the newest type a request body holds.
pub fn check_type(release: &str, newest: crate::ser::Newest) -> Result<(), Error> {
    if !is_release(release) || compare(newest.since, release) != Ordering::Greater {
        return Ok(());
    }
    Err(Error::UnsupportedRelease { member: newest.type_name.to_owned(), since: newest.since, release: release.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_newer_members_only() {
        assert!(check("8.0.2.0", "", "/Folder", "CreateVM_Task").is_ok());
        assert!(check("8.0.2.0", "8.0.2.0", "/Folder", "CreateVM_Task").is_ok());
        assert!(check("test", "9.1.0.0", "/Folder", "CreateVM_Task").is_ok());
        let e = check("8.0.2.0", "9.1.0.0", "/DistributedVirtualSwitchManager", "GetVpcNetworkSpan").unwrap_err();
        assert_eq!(e.to_string(), "DistributedVirtualSwitchManager.GetVpcNetworkSpan is new in release 9.1.0.0, and this session speaks 8.0.2.0");
    }
}
