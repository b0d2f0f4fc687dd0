use crate::test_db::TestDatabase;
use agri_quarantine::db::bootstrap::{MIGRATIONS, run_migrations};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    table_name: String,
}

fn tables(connection: &mut PgConnection, query: &str) -> Vec<String> {
    diesel::sql_query(query)
        .load::<TableName>(connection)
        .expect("list tables")
        .into_iter()
        .map(|row| row.table_name)
        .collect()
}

const OUR_TABLES: &str = "SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__diesel_schema_migrations' ORDER BY 1";

#[test]
fn every_migration_runs_down_and_up_again() {
    let db = TestDatabase::empty();
    let mut connection = db.connect();
    run_migrations(&mut connection).expect("migrate up");
    let migrated = tables(&mut connection, OUR_TABLES);
    assert_eq!(
        migrated,
        [
            "api_keys",
            "audit_checkpoints",
            "audit_events",
            "audit_pending",
            "certificate_counters",
            "certificate_documents",
            "certificate_verification_codes",
            "certificates",
            "code_use_authorizations",
            "consignment_decisions",
            "consignments",
            "establishment_imports",
            "establishment_status_periods",
            "establishments",
            "event_recipients",
            "idempotency_keys",
            "idempotent_responses",
            "inspections",
            "organizations",
            "signing_keys",
            "webhook_attempts",
            "webhook_endpoints"
        ]
    );
    connection.revert_all_migrations(MIGRATIONS).expect("migrate down");
    assert_eq!(tables(&mut connection, OUR_TABLES), Vec::<String>::new());
    run_migrations(&mut connection).expect("migrate up again");
    assert_eq!(tables(&mut connection, OUR_TABLES), migrated);
}

#[test]
fn every_table_has_a_comment() {
    let db = TestDatabase::migrated();
    let uncommented = tables(
        &mut db.connect(),
        "SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__diesel_schema_migrations' \
         AND obj_description(c.oid, 'pg_class') IS NULL",
    );
    assert_eq!(uncommented, Vec::<String>::new());
}
