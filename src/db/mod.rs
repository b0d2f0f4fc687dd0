//! Database access: the pool, start-up (database creation and migrations) and the queries of
//! each table. Nothing outside this module writes SQL.
//!
//! Every `Insertable` writes `None` as NULL (`treat_none_as_default_value = false`; no nullable
//! column has a default, so this stores the same): with diesel's default, `None` becomes
//! `DEFAULT` in the SQL text, which keeps the insert out of the prepared-statement cache and
//! has PostgreSQL parse and plan it on every request.

pub mod api_keys;
pub mod audit;
pub mod authorizations;
pub mod bootstrap;
pub mod certificates;
pub mod consignments;
pub mod establishment_imports;
pub mod establishments;
pub mod event_feed;
pub mod idempotency;
pub mod inspections;
pub mod json_text;
pub mod loop_pool;
pub mod notifications;
pub mod organizations;
pub mod pool;
pub mod schema;
pub mod status_periods;
pub mod webhooks;

pub use pool::Database;
