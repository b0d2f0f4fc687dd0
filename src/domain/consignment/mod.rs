//! Consignments: what an exporter declares, their shape limits, and their lifecycle.

pub mod iso6346;
pub mod model;
pub mod status;
