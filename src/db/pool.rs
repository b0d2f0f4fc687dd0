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
use std::sync::atomic::{AtomicBool, Ordering};
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
    with_option(database_url, "connect_timeout", &timeout.as_secs().max(1).to_string())
}

/// The connection string the pool uses: `connect_timeout`, and TCP keepalives and a TCP user
/// timeout so that a network gone silent (no reset, no answer) fails a connection within about
/// `silence` instead of leaving a query waiting for the whole outage. Options the operator
/// set are kept; over a Unix socket libpq ignores the TCP ones.
pub fn with_connection_options(database_url: &str, connect_timeout: Duration, silence: Duration) -> String {
    let silence_ms = silence.as_millis().max(1000);
    let mut url = with_connect_timeout(database_url, connect_timeout);
    for (name, value) in [
        ("keepalives", "1".to_owned()),
        // An idle connection is probed after a second of quiet and given up after one more.
        ("keepalives_idle", "1".to_owned()),
        ("keepalives_interval", "1".to_owned()),
        ("keepalives_count", "1".to_owned()),
        // Data sent and not acknowledged within this fails the connection.
        ("tcp_user_timeout", silence_ms.to_string()),
    ] {
        url = with_option(&url, name, &value);
    }
    url
}

/// Whether a connection string (URL or keyword form) sets the option `name`.
pub fn has_option(database_url: &str, name: &str) -> bool {
    database_url
        .split(['?', '&', ' '])
        .any(|part| part.trim().split('=').next() == Some(name))
}

fn with_option(database_url: &str, name: &str, value: &str) -> String {
    if has_option(database_url, name) {
        return database_url.to_owned();
    }
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        let separator = if database_url.contains('?') { '&' } else { '?' };
        format!("{database_url}{separator}{name}={value}")
    } else {
        format!("{database_url} {name}={value}")
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
    /// How long a request may wait for a blocking thread and a connection together.
    pool_timeout: Duration,
    /// How long work that has started is waited for: the server cancels any statement that runs
    /// longer, so past it the server or the network has gone silent.
    work_timeout: Duration,
}

impl Database {
    /// Builds the pool without waiting for connections, so the service starts answering
    /// (with 503 where the database is needed) even while PostgreSQL is down.
    pub fn connect_lazily(config: &Config, metrics: Arc<Metrics>) -> Self {
        let manager = Manager {
            inner: ConnectionManager::new(with_connection_options(
                &config.database_url,
                config.db_connect_timeout,
                config.db_pool_timeout,
            )),
            statement_timeout_ms: config.db_statement_timeout.as_millis(),
        };
        let pool_timeout = config.db_pool_timeout;
        let pool = r2d2::Pool::builder()
            .max_size(config.db_pool_size)
            .min_idle(Some(config.db_pool_size.min(2)))
            .test_on_check_out(false)
            .connection_timeout(config.db_pool_timeout)
            .error_handler(Box::new(LogPoolErrors))
            .build_unchecked(manager);
        Self {
            pool,
            metrics,
            pool_timeout,
            work_timeout: config.db_statement_timeout,
        }
    }

    /// Runs `work` on a pooled connection on the blocking thread pool. Waiting for a blocking
    /// thread and then for a connection together take at most the pool timeout: past it the
    /// request fails with 503, and work still queued is dropped unstarted, so nothing is
    /// written after its request was told it failed. Work that has started is waited for as
    /// long as the statement timeout: a database that has not answered by then (a network gone
    /// silent, a hung server) gets the request a 503 saying the outcome is unknown, which a
    /// retry with the same `Idempotency-Key` settles.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let metrics = self.metrics.clone();
        let requested = Instant::now();
        let deadline = requested + self.pool_timeout;
        let started = Arc::new(AtomicBool::new(false));
        let started_flag = started.clone();
        // The blocking thread has no span of its own: carry the request's, so every log line
        // written during the work names its request id.
        let span = tracing::Span::current();
        let mut blocking = std::pin::pin!(actix_web::web::block(move || {
            let _entered = span.enter();
            let remaining = deadline.saturating_duration_since(Instant::now());
            // Claimed atomically: either this thread starts the work or the caller gave up.
            if remaining.is_zero() || started_flag.swap(true, Ordering::SeqCst) {
                metrics.record_pool_wait(requested.elapsed(), true);
                return Err(ApiError::database_unavailable());
            }
            let checkout = pool.get_timeout(remaining);
            metrics.record_pool_wait(requested.elapsed(), checkout.is_err());
            let mut pooled = checkout.map_err(|_| ApiError::database_unavailable())?;
            let result = work(&mut pooled.connection);
            if result.is_err() && pooled.connection.batch_execute("SELECT 1").is_err() {
                pooled.broken = true;
                return Err(ApiError::database_unavailable());
            }
            result
        }));
        let waited = actix_web::rt::time::timeout(self.pool_timeout, &mut blocking).await;
        match waited {
            Ok(outcome) => outcome?,
            // Every blocking thread is busy: unless one has just picked the work up, give up.
            Err(_) if !started.swap(true, Ordering::SeqCst) => Err(ApiError::database_unavailable()),
            Err(_) => match actix_web::rt::time::timeout(self.work_timeout, &mut blocking).await {
                Ok(outcome) => outcome?,
                Err(_) => {
                    tracing::error!(
                        waited_ms = requested.elapsed().as_millis(),
                        "the database did not answer within the statement timeout"
                    );
                    Err(ApiError::outcome_unknown())
                }
            },
        }
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
    fn keepalives_and_a_user_timeout_are_added_unless_set() {
        let url = with_connection_options(
            "dbname=x keepalives_idle=9",
            Duration::from_secs(2),
            Duration::from_secs(3),
        );
        assert_eq!(
            url,
            "dbname=x keepalives_idle=9 connect_timeout=2 keepalives=1 keepalives_interval=1 keepalives_count=1 tcp_user_timeout=3000"
        );
        assert_eq!(
            with_connection_options("postgres://h/db", Duration::from_secs(2), Duration::from_millis(500)),
            "postgres://h/db?connect_timeout=2&keepalives=1&keepalives_idle=1&keepalives_interval=1&keepalives_count=1&tcp_user_timeout=1000"
        );
    }

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
