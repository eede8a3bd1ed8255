pub mod diff;
pub mod load;
pub mod model;
