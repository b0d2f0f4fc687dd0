//! Use cases: each loads what it needs, applies the domain rules, writes, and appends the
//! audit event in the same transaction. Functions here take a connection and are called
//! through `Database::run` or `Database::transaction`.

/// The connection use cases take. Handlers only pass it through to them, in the closures they
/// give to `Database::run` and `Database::transaction`, and name it in bounds.
pub use diesel::PgConnection as Connection;

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
pub mod event_feed;
pub mod idempotency;
pub mod input;
pub mod inspections;
pub mod inspector;
pub mod issuance;
pub mod organizations;
pub mod random;
pub mod replacement;
pub mod verification;
pub mod views;
pub mod webhooks;
