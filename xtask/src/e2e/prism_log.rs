//! Reading prism's log into the counts of the e2e summary.
//!
//! Prism 5.16 in proxy mode without `--errors` forwards every request and logs, through
//! signale, one line per event (colours off with `FORCE_COLOR=0`):
//!
//! ```text
//! [1:59:02 PM] › [HTTP SERVER] post /sdk/vim25/9.1.1.0/SessionManager/SessionManager/Login ℹ  info      Request received
//! [1:59:02 PM] ›     [PROXY] ℹ  info      > Forwarding "post" request to http://127.0.0.1:56745/...
//! [1:59:02 PM] ›     [VALIDATOR] ✖  error     Violation: request.body Request body must have required property 'password'
//! [1:59:02 PM] ›     [VALIDATOR] ⚠  warning   Violation: request Selected route not found
//! [1:59:07 PM] ›     [VALIDATOR] ✖  error     Violation: response.body Response body must have required property 'faultToleranceState'
//! ```
//!
//! Only "Request received" names the request; the violations that follow belong to it, which
//! holds because the suite sends one request at a time. `--errors` is not used: it would
//! answer a request with violations 422 instead of forwarding it, and it turns violations of
//! the *responses* (vcsim leaves out required members) into errors the client would see.

use std::collections::{BTreeMap, BTreeSet};

/// One request prism received, with what it said about it.
#[derive(Debug, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Error-level violations of the request (its body, parameters, security).
    pub request_errors: Vec<String>,
    /// The document has no operation for this method and path.
    pub unrouted: bool,
    /// Prism could not handle the request at all (`Request terminated with error`).
    pub terminated: Option<String>,
    /// Error-level violations of the response.
    pub response_errors: Vec<String>,
}

impl Request {
    /// Whether prism found a fault with the request itself.
    pub fn rejected(&self) -> bool {
        !self.request_errors.is_empty() || self.unrouted || self.terminated.is_some()
    }

    /// `Type.member` of a vi-json path `/sdk/vim25/{release}/{Type}/{moId}/{member}`.
    pub fn operation(&self) -> Option<String> {
        let rest = self.path.strip_prefix("/sdk/vim25/")?;
        let segments: Vec<&str> = rest.split('/').collect();
        match segments.as_slice() {
            [_release, ty, _id, member] => Some(format!("{ty}.{member}")),
            _ => None,
        }
    }
}

/// Splits prism's log into requests.
pub fn parse(log: &str) -> Vec<Request> {
    let mut requests: Vec<Request> = Vec::new();
    for line in log.lines() {
        if let Some(rest) = line.split_once("[HTTP SERVER] ").map(|(_, r)| r) {
            let mut words = rest.split_whitespace();
            let (method, path) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
            if rest.contains("Request received") {
                requests.push(Request { method: method.to_uppercase(), path: path.to_owned(), ..Default::default() });
            } else if let Some((_, error)) = rest.split_once("Request terminated with error: ") {
                match requests.last_mut() {
                    Some(last) if last.path == path => last.terminated = Some(error.to_owned()),
                    _ => requests.push(Request {
                        method: method.to_uppercase(),
                        path: path.to_owned(),
                        terminated: Some(error.to_owned()),
                        ..Default::default()
                    }),
                }
            }
        } else if let Some((head, violation)) = line.split_once("Violation: ") {
            let Some(current) = requests.last_mut() else { continue };
            let error = head.contains(" error ");
            if violation.starts_with("request Selected route not found") {
                current.unrouted = true;
            } else if violation.starts_with("request") && error {
                current.request_errors.push(violation.to_owned());
            } else if violation.starts_with("response") && error {
                current.response_errors.push(violation.to_owned());
            }
        }
    }
    requests
}

/// The counts of a run, from the requests prism saw.
#[derive(Debug, Default)]
pub struct Tally {
    /// Requests routed to an operation of the document and validated (rejected ones included).
    pub validated: usize,
    /// Requests prism found fault with.
    pub rejected: Vec<String>,
    /// Requests outside the vi-json paths (the Hello endpoint), passed through unvalidated.
    pub bypassed: usize,
    /// Distinct operations (`Type.member`) validated.
    pub operations: BTreeSet<String>,
    /// Response violations by operation and message, with their number.
    pub response_violations: BTreeMap<(String, String), usize>,
}

/// Counts `requests`. A request outside `/sdk/vim25/` that the document has no route for (the
/// Hello endpoint) is passed through, not validated; every other request is validated.
pub fn tally(requests: &[Request]) -> Tally {
    let mut t = Tally::default();
    for r in requests {
        if r.unrouted && !r.path.starts_with("/sdk/vim25/") && r.request_errors.is_empty() && r.terminated.is_none() {
            t.bypassed += 1;
            continue;
        }
        t.validated += 1;
        let operation = r.operation().unwrap_or_else(|| r.path.clone());
        if r.rejected() {
            let why = match (&r.terminated, r.unrouted) {
                (Some(e), _) => e.clone(),
                (None, true) => "no such operation in the pruned document (xtask/e2e/operations.txt)".to_owned(),
                (None, false) => r.request_errors.join("; "),
            };
            t.rejected.push(format!("{} {}: {why}", r.method, r.path));
        } else {
            t.operations.insert(format!("{} {operation}", r.method));
        }
        for v in &r.response_errors {
            *t.response_violations.entry((operation.clone(), v.clone())).or_default() += 1;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
[1:58:59 PM] › [CLI] ▶  start     Prism is listening on http://127.0.0.1:4099
[1:58:59 PM] › [HTTP SERVER] post /sdk/vim25/9.1.1.0/ServiceInstance/ServiceInstance/RetrieveServiceContent ℹ  info      Request received
[1:59:00 PM] ›     [PROXY] ℹ  info      The upstream call to /sdk/vim25/9.1.1.0/ServiceInstance/ServiceInstance/RetrieveServiceContent has returned 200
[1:59:02 PM] › [HTTP SERVER] post /api/vcenter/system ℹ  info      Request received
[1:59:02 PM] ›     [VALIDATOR] ⚠  warning   Violation: request Selected route not found
[1:59:02 PM] › [HTTP SERVER] post /sdk/vim25/9.1.1.0/SessionManager/SessionManager/Login ℹ  info      Request received
[1:59:02 PM] ›     [VALIDATOR] ✖  error     Violation: request.body Request body must have required property 'password'
[1:59:07 PM] › [HTTP SERVER] get /sdk/vim25/9.1.1.0/VirtualMachine/vm-57/runtime ℹ  info      Request received
[1:59:07 PM] ›     [VALIDATOR] ✖  error     Violation: response.body Response body must have required property 'faultToleranceState'
[1:59:09 PM] ›     [VALIDATOR] ⚠  warning   Violation: response Unable to match the returned status code with those defined in the document: 200
[1:59:09 PM] › [HTTP SERVER] get /sdk/vim25/9.1.1.0/VirtualMachine/vm-57/nope ℹ  info      Request received
[1:59:09 PM] ›     [VALIDATOR] ⚠  warning   Violation: request Selected route not found
";

    #[test]
    fn counts_validated_rejected_and_bypassed_requests() {
        let t = tally(&parse(LOG));
        assert_eq!(t.validated, 4);
        assert_eq!(t.bypassed, 1);
        assert_eq!(t.rejected.len(), 2, "{:?}", t.rejected);
        assert!(t.rejected[0].contains("'password'"));
        assert!(t.rejected[1].contains("/vm-57/nope"));
        assert_eq!(
            t.operations.iter().map(String::as_str).collect::<Vec<_>>(),
            ["GET VirtualMachine.runtime", "POST ServiceInstance.RetrieveServiceContent"]
        );
        assert_eq!(t.response_violations.len(), 1);
    }
}
