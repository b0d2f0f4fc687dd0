//! Use cases: each loads what it needs, applies the domain rules, writes, and appends the
//! audit event in the same transaction. Functions here take a connection and are called
//! through `Database::run` or `Database::transaction`.

pub mod api_keys;
pub mod audit;
pub mod authentication;
pub mod certificates;
pub mod compliance;
pub mod consignments;
pub mod establishment_views;
pub mod establishments;
pub mod inspections;
pub mod organizations;
pub mod views;
