//! The pure core: rules, identities and the audit chain, with no I/O, no actix and no diesel.
//! Everything here is unit-tested in place; the shell (`service`, `db`, `api`) loads facts,
//! calls into this module, and writes the outcome.

pub mod api_key;
pub mod audit;
pub mod audit_checkpoint;
pub mod authz;
pub mod calendar;
pub mod canonical_json;
pub mod certificate;
pub mod client_address;
pub mod consignment;
pub mod ephyto;
pub mod establishment;
pub mod establishment_import;
pub mod event_feed;
pub mod field_violation;
pub mod inspection;
pub mod invalidation;
pub mod organization;
pub mod pagination;
pub mod places;
pub mod produce;
pub mod protocol;
pub mod qr;
pub mod registry_status;
pub mod text_enum;
pub mod webhook;
