//! Use cases: each loads what it needs, applies the domain rules, writes, and appends the
//! audit event in the same transaction. Functions here take a connection and are called
//! through `Database::run` or `Database::transaction`.

pub mod api_keys;
pub mod audit;
pub mod audit_sealer;
pub mod authentication;
pub mod certificate_documents;
pub mod certificates;
pub mod compliance;
pub mod consignment_dossier;
pub mod consignments;
pub mod establishment_imports;
pub mod establishment_views;
pub mod establishments;
pub mod input;
pub mod inspections;
pub mod inspector;
pub mod issuance;
pub mod organizations;
pub mod replacement;
pub mod verification;
pub mod views;
