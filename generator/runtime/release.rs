//! vSphere API releases (`8.0.2.0`, `9.1.1.0`): comparing them, and refusing, before anything is
//! sent, a call to an operation or property that is newer than the session's release.
//!
//! Every operation and property read knows the release that introduced it, from the document's
//! `***Since:***` text; those without one are as old as vi-json itself.

use crate::client::Error;
use std::cmp::Ordering;

/// Whether `text` is a release: two or more dot-separated decimal numbers.
pub fn is_release(text: &str) -> bool {
    let mut parts = 0;
    for part in text.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

/// Orders releases by their numbers (`8.0.10.0` after `8.0.2.0`); missing trailing parts
/// count as 0, so `8.0` equals `8.0.0.0`. Parts that are not numbers order as 0.
pub fn compare(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let mut right = b.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (l, r) => match l.unwrap_or(0).cmp(&r.unwrap_or(0)) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_number() {
        assert_eq!(compare("8.0.10.0", "8.0.2.0"), Ordering::Greater);
        assert_eq!(compare("8.0", "8.0.0.0"), Ordering::Equal);
        assert_eq!(compare("7.0.3.0", "8.0.1.0"), Ordering::Less);
        assert!(is_release("9.1.1.0") && is_release("8.0") && !is_release("8") && !is_release("v8.0") && !is_release("8..0"));
    }

    #[test]
    fn refuses_newer_members_only() {
        assert!(check("8.0.2.0", "", "/Folder", "CreateVM_Task").is_ok());
        assert!(check("8.0.2.0", "8.0.2.0", "/Folder", "CreateVM_Task").is_ok());
        assert!(check("test", "9.1.0.0", "/Folder", "CreateVM_Task").is_ok());
        let e = check("8.0.2.0", "9.1.0.0", "/DistributedVirtualSwitchManager", "GetVpcNetworkSpan").unwrap_err();
        assert_eq!(e.to_string(), "DistributedVirtualSwitchManager.GetVpcNetworkSpan is new in release 9.1.0.0, and this session speaks 8.0.2.0");
    }
}
