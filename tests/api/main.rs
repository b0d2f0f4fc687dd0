#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

//! Black-box HTTP tests: each test runs the real service on a loopback port against a
//! PostgreSQL database of its own.

mod api_keys;
mod architecture;
mod audit;
mod audit_sealing;
mod caches;
mod certificates;
mod cli;
mod consignment_reading;
mod consignments;
mod contract;
mod contract_examples;
mod documents;
mod errors;
mod establishment_imports;
mod establishments;
mod events;
mod fixtures;
mod flaky_proxy;
mod health;
mod helpers;
mod idempotency;
mod migrations;
mod organizations;
mod protocol_reference;
mod protocol_rules;
mod resilience;
mod shutdown;
mod test_db;
mod text_columns;
mod uncertain_rules;
mod verification_page;
mod webhooks;
