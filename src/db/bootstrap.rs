//! Start-up work on the database: create it when it does not exist yet, then apply the
//! embedded migrations under an advisory lock so several instances may start at once.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
/// Serialises migration runs of concurrently starting instances ("aq_migr").
const MIGRATION_LOCK_KEY: i64 = 0x0061_715f_6d69_6772;

/// The database a connection string names, and a string for the `postgres` maintenance
/// database on the same server with the same credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseTarget {
    pub name: String,
    pub maintenance_url: String,
}

/// Reads the database name from a URL (`postgres://…/name?…`) or a keyword string
/// (`… dbname=name …`). `None` when the string leaves it to libpq's defaults.
pub fn database_target(database_url: &str) -> Option<DatabaseTarget> {
    if let Some(rest) = database_url
        .strip_prefix("postgres://")
        .or_else(|| database_url.strip_prefix("postgresql://"))
    {
        let scheme_len = database_url.len() - rest.len();
        let slash = rest.find('/')?;
        let after_slash = &rest[slash + 1..];
        let name_end = after_slash.find('?').unwrap_or(after_slash.len());
        let name = percent_decode(&after_slash[..name_end]);
        if name.is_empty() {
            return None;
        }
        let maintenance_url = format!(
            "{}postgres{}",
            &database_url[..scheme_len + slash + 1],
            &after_slash[name_end..]
        );
        return Some(DatabaseTarget { name, maintenance_url });
    }
    let name = database_url
        .split_whitespace()
        .rev()
        .find_map(|pair| pair.strip_prefix("dbname="))?;
    let name = name.trim_matches('\'').to_owned();
    // libpq lets the last occurrence of a keyword win.
    Some(DatabaseTarget {
        name,
        maintenance_url: format!("{database_url} dbname=postgres"),
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let decoded = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Quotes an SQL identifier.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the database named by `database_url` if connecting fails because it is missing.
pub fn ensure_database_exists(database_url: &str) -> anyhow::Result<()> {
    match PgConnection::establish(database_url) {
        Ok(_) => return Ok(()),
        Err(error) if !error.to_string().contains("does not exist") => {
            return Err(anyhow::anyhow!("cannot connect to the database: {error}"));
        }
        Err(_) => {}
    }
    let target = database_target(database_url)
        .ok_or_else(|| anyhow::anyhow!("the database does not exist and the connection string names none to create"))?;
    let mut maintenance = PgConnection::establish(&target.maintenance_url).map_err(|error| {
        anyhow::anyhow!(
            "cannot connect to the maintenance database to create {}: {error}",
            target.name
        )
    })?;
    match maintenance.batch_execute(&format!("CREATE DATABASE {}", quote_identifier(&target.name))) {
        Ok(()) => {
            tracing::info!(database = %target.name, "created the database");
            Ok(())
        }
        // Another instance created it between our two attempts.
        Err(error) if error.to_string().contains("already exists") => Ok(()),
        Err(error) => Err(anyhow::anyhow!("cannot create database {}: {error}", target.name)),
    }
}

fn pending_migrations(connection: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    match connection.run_pending_migrations(MIGRATIONS) {
        Ok(versions) => Ok(versions.iter().map(ToString::to_string).collect()),
        Err(error) => Err(anyhow::anyhow!("migration failed: {error}")),
    }
}

/// Applies every pending migration; returns the versions applied.
pub fn run_migrations(connection: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(connection)?;
    let applied = pending_migrations(connection);
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(connection)?;
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_read_from_urls() {
        let target = database_target("postgres://u:p@localhost:5432/agri_quarantine?sslmode=disable").unwrap();
        assert_eq!(target.name, "agri_quarantine");
        assert_eq!(
            target.maintenance_url,
            "postgres://u:p@localhost:5432/postgres?sslmode=disable"
        );
        assert_eq!(database_target("postgresql://h/a%20b").unwrap().name, "a b");
        assert_eq!(database_target("postgres://localhost"), None);
        assert_eq!(database_target("postgres://localhost/"), None);
    }

    #[test]
    fn the_database_name_is_read_from_keyword_strings() {
        let target = database_target("host=/run/postgresql dbname=agri_quarantine").unwrap();
        assert_eq!(target.name, "agri_quarantine");
        assert_eq!(
            target.maintenance_url,
            "host=/run/postgresql dbname=agri_quarantine dbname=postgres"
        );
        assert_eq!(database_target("host=localhost"), None);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
