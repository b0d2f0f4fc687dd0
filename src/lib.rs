//! agri-quarantine: quarantine inspections and certificates for agricultural exports from
//! Vietnam to China.

pub mod api;
pub mod background;
pub mod cache;
pub mod config;
pub mod db;
pub mod documents;
pub mod domain;
pub mod error;
pub mod rate_limit;
pub mod service;
pub mod signing_key;
pub mod startup;
pub mod state;
pub mod telemetry;
