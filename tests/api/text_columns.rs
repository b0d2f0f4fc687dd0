//! Every text enum of the service and the CHECK constraint of each column that stores it list
//! the same values, read from `pg_constraint` of a migrated database.

use crate::test_db::TestDatabase;
use agri_quarantine::domain::api_key::Role;
use agri_quarantine::domain::audit::AuditAction;
use agri_quarantine::domain::certificate::{CertificateKind, CertificateStatus};
use agri_quarantine::domain::consignment::status::{ConsignmentStatus, Decision, RejectionReason};
use agri_quarantine::domain::establishment::{Commodity, EstablishmentKind, LabScope};
use agri_quarantine::domain::establishment_import::ListFormat;
use agri_quarantine::domain::organization::{Authority, OrganizationKind};
use agri_quarantine::domain::protocol::ProtocolCode;
use agri_quarantine::domain::registry_status::RegistryStatus;
use diesel::prelude::*;
use diesel::sql_types::Text;
use std::collections::BTreeSet;

#[derive(QueryableByName)]
struct Definition {
    #[diesel(sql_type = Text)]
    definition: String,
}

/// The values a CHECK constraint of `table` (or of the column's domain) allows in `column`: the quoted literals of its
/// `column = ANY (ARRAY[...])` (from `IN (...)`) or `column <@ ARRAY[...]` (for arrays).
fn allowed_values(connection: &mut PgConnection, table: &str, column: &str) -> BTreeSet<String> {
    // A column's rule is a CHECK of its table or of its domain (whose VALUE is the column).
    let definitions: Vec<Definition> = diesel::sql_query(
        "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint \
         WHERE conrelid = $1::regclass AND contype = 'c' \
         UNION ALL \
         SELECT replace(pg_get_constraintdef(c.oid), 'VALUE', $2) FROM pg_constraint c \
         JOIN pg_attribute a ON a.atttypid = c.contypid \
         WHERE a.attrelid = $1::regclass AND a.attname = $2 AND c.contype = 'c'",
    )
    .bind::<Text, _>(table)
    .bind::<Text, _>(column)
    .load(connection)
    .unwrap();
    let markers = [format!("({column} = ANY (ARRAY["), format!("({column} <@ ARRAY[")];
    let lists: Vec<BTreeSet<String>> = definitions
        .iter()
        .filter_map(|row| {
            let start = markers
                .iter()
                .find_map(|marker| row.definition.find(marker.as_str()).map(|at| at + marker.len()))?;
            let list = &row.definition[start..start + row.definition[start..].find(']')?];
            Some(
                list.split(',')
                    .map(|item| item.trim().trim_end_matches("::text").trim_matches('\'').to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        lists.len(),
        1,
        "{table}.{column}: expected one CHECK listing its values, found {}",
        lists.len()
    );
    lists.into_iter().next().unwrap()
}

fn texts(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

#[test]
fn every_text_enum_lists_the_values_its_columns_check_constraint_allows() {
    let db = TestDatabase::migrated();
    let mut connection = db.connect();
    let columns: &[(&str, &str, &[&str])] = &[
        ("organizations", "kind", &OrganizationKind::TEXTS),
        ("organizations", "authority", &Authority::TEXTS),
        ("api_keys", "role", &Role::TEXTS),
        ("establishments", "kind", &EstablishmentKind::TEXTS),
        ("establishments", "commodities", &Commodity::TEXTS),
        ("establishments", "scopes", &LabScope::TEXTS),
        ("establishment_status_periods", "commodity", &Commodity::TEXTS),
        ("establishment_status_periods", "status", &RegistryStatus::TEXTS),
        ("establishment_imports", "kind", &EstablishmentKind::TEXTS),
        ("establishment_imports", "commodity", &Commodity::TEXTS),
        ("establishment_imports", "format", &ListFormat::TEXTS),
        ("consignments", "protocol", &ProtocolCode::TEXTS),
        ("consignments", "status", &ConsignmentStatus::TEXTS),
        ("consignment_decisions", "decision", &Decision::TEXTS),
        ("consignment_decisions", "reason_code", &RejectionReason::TEXTS),
        ("certificate_counters", "certificate_kind", &CertificateKind::TEXTS),
        ("certificates", "certificate_kind", &CertificateKind::TEXTS),
        ("certificates", "authority", &Authority::TEXTS),
        ("certificates", "status", &CertificateStatus::TEXTS),
        ("audit_events", "action", &AuditAction::TEXTS),
        ("audit_pending", "action", &AuditAction::TEXTS),
    ];
    let mismatches: Vec<String> = columns
        .iter()
        .filter_map(|(table, column, values)| {
            let allowed = allowed_values(&mut connection, table, column);
            let expected = texts(values);
            (allowed != expected).then(|| format!("{table}.{column}: database {allowed:?}, code {expected:?}"))
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
