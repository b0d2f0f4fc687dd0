//! One database per test, cloned from a migrated template and dropped when the test ends.
//!
//! The template is named after a hash of the migration files, built once (under an advisory
//! lock, so parallel test processes cooperate) and reused until the migrations change. The
//! server the tests use is the one the libpq defaults and `PG*` variables point at, so the
//! suite runs against the machine's PostgreSQL or inside `pg_virtualenv` alike.

use agri_quarantine::db::bootstrap::{quote_identifier, run_migrations};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::OnceLock;

/// A connection string for `database` on the test server.
pub fn url_for(database: &str) -> String {
    format!("dbname={database}")
}

pub fn connect(database: &str) -> PgConnection {
    PgConnection::establish(&url_for(database))
        .unwrap_or_else(|error| panic!("cannot connect to test database {database}: {error}"))
}

fn migrations_fingerprint() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&root);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).expect("read a migration file"));
    }
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn walk(directory: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(directory)
        .expect("read the migrations directory")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

fn database_exists(connection: &mut PgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(name)
        .load::<Name>(connection)
        .map(|rows| !rows.is_empty())
        .expect("query pg_database")
}

fn build_template() -> String {
    let name = format!("aq_template_{}", migrations_fingerprint());
    let mut maintenance = connect("postgres");
    maintenance
        .batch_execute("SELECT pg_advisory_lock(4242001)")
        .expect("take the template lock");
    if !database_exists(&mut maintenance, &name) {
        let building = format!("{name}_building");
        maintenance
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_identifier(&building)
            ))
            .expect("drop a half-built template");
        maintenance
            .batch_execute(&format!("CREATE DATABASE {}", quote_identifier(&building)))
            .expect("create the template");
        {
            let mut template = connect(&building);
            run_migrations(&mut template).expect("migrate the template");
        }
        maintenance
            .batch_execute(&format!(
                "ALTER DATABASE {} RENAME TO {}",
                quote_identifier(&building),
                quote_identifier(&name)
            ))
            .expect("publish the template");
        // Templates of older migrations are of no further use.
        let stale: Vec<Name> = diesel::sql_query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'aq\\_template\\_%' AND datname <> $1",
        )
        .bind::<Text, _>(&name)
        .load(&mut maintenance)
        .unwrap_or_default();
        for old in stale {
            let _ = maintenance.batch_execute(&format!("DROP DATABASE IF EXISTS {}", quote_identifier(&old.datname)));
        }
    }
    maintenance
        .batch_execute("SELECT pg_advisory_unlock(4242001)")
        .expect("release the template lock");
    name
}

fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(build_template)
}

/// A database of its own for one test.
pub struct TestDatabase {
    pub name: String,
    /// Only the owner drops the database.
    owned: bool,
}

impl TestDatabase {
    /// A fresh copy of the migrated template.
    pub fn migrated() -> Self {
        let name = format!("aq_test_{}", uuid::Uuid::new_v4().simple());
        let mut maintenance = connect("postgres");
        maintenance
            .batch_execute(&format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_identifier(&name),
                quote_identifier(template())
            ))
            .expect("clone the template");
        Self { name, owned: true }
    }

    /// A database with no tables at all, for migration tests.
    pub fn empty() -> Self {
        let name = format!("aq_test_{}", uuid::Uuid::new_v4().simple());
        connect("postgres")
            .batch_execute(&format!("CREATE DATABASE {}", quote_identifier(&name)))
            .expect("create a database");
        Self { name, owned: true }
    }

    /// A name for a database something else creates; dropped at the end like the others.
    pub fn named(name: String) -> Self {
        Self { name, owned: true }
    }

    /// The same database for a second server (another instance); the owner still drops it.
    pub fn shared(&self) -> Self {
        Self {
            name: self.name.clone(),
            owned: false,
        }
    }

    pub fn url(&self) -> String {
        url_for(&self.name)
    }

    pub fn connect(&self) -> PgConnection {
        connect(&self.name)
    }

    /// The one integer a query returns, such as a row count.
    pub fn scalar(&self, query: &str) -> i64 {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!("({query})")))
            .get_result(&mut self.connect())
            .unwrap_or_else(|error| panic!("{query}: {error}"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        if let Ok(mut maintenance) = PgConnection::establish(&url_for("postgres")) {
            let _ = maintenance.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_identifier(&self.name)
            ));
        }
    }
}
