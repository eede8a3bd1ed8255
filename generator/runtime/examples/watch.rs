//! Watches power states (to be written).

fn main() {}
