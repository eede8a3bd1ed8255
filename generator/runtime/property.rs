//! property: written by the client-runtime work (issue 23).
