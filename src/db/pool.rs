//! The r2d2 pool of synchronous diesel connections, and `Database::run`, which runs a closure
//! on a pooled connection on actix's blocking thread pool.
//!
//! Two deliberate departures from the defaults: connections are not pinged on every checkout
//! (that costs a round trip per request), and a connection whose work failed is pinged once
//! afterwards and, if the server no longer answers, discarded instead of returned to the pool.
//! Together they keep the fast path fast and let the service recover by itself after
//! PostgreSQL restarts.

use crate::config::Config;
use crate::error::ApiError;
use crate::telemetry::metrics::{Metrics, PoolSnapshot};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ConnectionManager, ManageConnection};
use diesel::{Connection, PgConnection};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A pooled connection that can be marked broken.
pub struct TrackedConnection {
    connection: PgConnection,
    broken: bool,
}

impl Deref for TrackedConnection {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.connection
    }
}

impl DerefMut for TrackedConnection {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.connection
    }
}

/// Opens connections with the configured timeouts and discards those marked broken.
#[derive(Debug)]
pub struct Manager {
    inner: ConnectionManager<PgConnection>,
    statement_timeout_ms: u128,
}

impl ManageConnection for Manager {
    type Connection = TrackedConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<TrackedConnection, r2d2::Error> {
        let mut connection = self.inner.connect()?;
        connection
            .batch_execute(&format!(
                "SET statement_timeout = {}; SET application_name = 'agri-quarantine'",
                self.statement_timeout_ms
            ))
            .map_err(r2d2::Error::QueryError)?;
        Ok(TrackedConnection {
            connection,
            broken: false,
        })
    }

    fn is_valid(&self, connection: &mut TrackedConnection) -> Result<(), r2d2::Error> {
        connection
            .connection
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, connection: &mut TrackedConnection) -> bool {
        connection.broken || self.inner.has_broken(&mut connection.connection)
    }
}

/// Adds libpq's `connect_timeout` to a connection string unless it already sets one, so that
/// opening a connection to an unreachable server fails within the configured time.
pub fn with_connect_timeout(database_url: &str, timeout: Duration) -> String {
    if database_url.contains("connect_timeout") {
        return database_url.to_owned();
    }
    let seconds = timeout.as_secs().max(1);
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        let separator = if database_url.contains('?') { '&' } else { '?' };
        format!("{database_url}{separator}connect_timeout={seconds}")
    } else {
        format!("{database_url} connect_timeout={seconds}")
    }
}

#[derive(Debug)]
struct LogPoolErrors;

impl r2d2::HandleError<r2d2::Error> for LogPoolErrors {
    fn handle_error(&self, error: r2d2::Error) {
        tracing::warn!(error = %error, "database connection failed");
    }
}

/// The shared handle on the database.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
    metrics: Arc<Metrics>,
}

impl Database {
    /// Builds the pool without waiting for connections, so the service starts answering
    /// (with 503 where the database is needed) even while PostgreSQL is down.
    pub fn connect_lazily(config: &Config, metrics: Arc<Metrics>) -> Self {
        let manager = Manager {
            inner: ConnectionManager::new(with_connect_timeout(&config.database_url, config.db_connect_timeout)),
            statement_timeout_ms: config.db_statement_timeout.as_millis(),
        };
        let pool = r2d2::Pool::builder()
            .max_size(config.db_pool_size)
            .min_idle(Some(config.db_pool_size.min(2)))
            .test_on_check_out(false)
            .connection_timeout(config.db_pool_timeout)
            .error_handler(Box::new(LogPoolErrors))
            .build_unchecked(manager);
        Self { pool, metrics }
    }

    /// Runs `work` on a pooled connection on the blocking thread pool. A request that gets no
    /// connection within the pool timeout fails with 503 rather than waiting indefinitely.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let metrics = self.metrics.clone();
        // The blocking thread has no span of its own: carry the request's, so every log line
        // written during the work names its request id.
        let span = tracing::Span::current();
        actix_web::web::block(move || {
            let _entered = span.enter();
            let started = Instant::now();
            let checkout = pool.get();
            metrics.record_pool_wait(started.elapsed(), checkout.is_err());
            let mut pooled = checkout.map_err(|_| ApiError::database_unavailable())?;
            let result = work(&mut pooled.connection);
            if result.is_err() && pooled.connection.batch_execute("SELECT 1").is_err() {
                pooled.broken = true;
                return Err(ApiError::database_unavailable());
            }
            result
        })
        .await?
    }

    /// Runs `work` inside one transaction; everything it writes commits or nothing does.
    pub async fn transaction<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |connection| connection.transaction(work)).await
    }

    /// Whether the database answers within the pool timeout.
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.run(|connection| connection.batch_execute("SELECT 1").map_err(ApiError::from))
            .await
    }

    pub fn pool_snapshot(&self) -> PoolSnapshot {
        let state = self.pool.state();
        PoolSnapshot {
            max_size: self.pool.max_size(),
            connections: state.connections,
            idle_connections: state.idle_connections,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connect_timeout_is_added_to_urls_and_keyword_strings() {
        let two = Duration::from_secs(2);
        assert_eq!(with_connect_timeout("dbname=x", two), "dbname=x connect_timeout=2");
        assert_eq!(
            with_connect_timeout("postgres://h/db", two),
            "postgres://h/db?connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?sslmode=disable", two),
            "postgres://h/db?sslmode=disable&connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("dbname=x connect_timeout=9", two),
            "dbname=x connect_timeout=9"
        );
    }
}
