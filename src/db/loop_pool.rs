//! Connections owned by one HTTP worker and used on its own event loop, for the hottest
//! requests: an exporter's creation and read of a consignment.
//!
//! `Database::run` hands each request's work to a blocking thread and back, and the thread
//! then waits on libpq: on a read that costs the service about twice PostgreSQL's CPU, half of
//! it in the kernel's futex waits and task switches. Here the query is sent and its answer
//! awaited by the worker that parsed the request (diesel's query builder over tokio-postgres,
//! through diesel-async): no thread is woken, and the connection's driver task runs on the same
//! loop. Each worker builds its own pool (`build_app` runs once per worker), so a connection
//! never crosses threads.
//!
//! Reads that are one statement (`LoopPool::read`) share one connection per worker rather than
//! taking one each: tokio-postgres pipelines the statements of concurrent requests on it, so
//! PostgreSQL reads several from one wake-up and the worker reads several answers from one
//! `recv`. With a connection each, every read cost both processes a wake-up and a task switch:
//! at 16 concurrent reads on 2 cores that was 12-14k reads/s, shared 18-19k. A write keeps a
//! connection to itself (`LoopPool::run`): its commit waits for the WAL flush, and writes on
//! separate connections are flushed together.
//!
//! tokio-postgres is not libpq: it reads no `PG*` variable and has no TLS connector here.
//! `client_config` fills in what libpq would have taken from the environment; where that is
//! not enough (a server that requires TLS, an option tokio-postgres does not know) the pool is
//! not built and those requests go through `Database::run` like every other. Only single
//! statements run here: transactions stay on the blocking pool.

use super::pool::has_option;
use crate::config::Config;
use crate::error::ApiError;
use crate::telemetry::metrics::Metrics;
use diesel::ConnectionError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio_postgres::config::{Host, SslMode};

/// One worker's connections.
#[derive(Clone)]
pub struct LoopPool {
    pool: Pool<AsyncPgConnection>,
    reads: Rc<Pipeline>,
    metrics: Arc<Metrics>,
    pool_timeout: Duration,
    work_timeout: Duration,
}

/// The libpq variables `client_config` reads, looked up by name.
pub type Environment<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The tokio-postgres settings equivalent to what libpq makes of `DATABASE_URL` and the `PG*`
/// variables, with the same timeouts, keepalives and `statement_timeout` as the blocking pool;
/// `Err` says why the event-loop pool cannot be used.
pub fn client_config(config: &Config, environment: Environment) -> Result<tokio_postgres::Config, String> {
    let url: &str = &config.database_url;
    let mut client: tokio_postgres::Config = url
        .parse()
        .map_err(|error| format!("tokio-postgres cannot read DATABASE_URL: {error}"))?;
    let sslmode = environment("PGSSLMODE");
    if !has_option(url, "sslmode")
        && sslmode
            .as_deref()
            .is_some_and(|mode| mode != "disable" && mode != "prefer")
    {
        return Err(format!("PGSSLMODE={} needs TLS", sslmode.unwrap_or_default()));
    }
    if client.get_ssl_mode() == SslMode::Require {
        return Err("sslmode=require needs TLS".to_owned());
    }
    let port = match (client.get_ports().is_empty(), environment("PGPORT")) {
        (true, Some(port)) => {
            let port = port
                .trim()
                .parse()
                .map_err(|_| format!("PGPORT={port} is not a port"))?;
            client.port(port);
            port
        }
        _ => client.get_ports().first().copied().unwrap_or(5432),
    };
    if client.get_hosts().is_empty() && client.get_hostaddrs().is_empty() {
        match environment("PGHOST").or_else(|| environment("PGHOSTADDR")) {
            Some(hosts) => {
                for host in hosts.split(',') {
                    client.host(host.trim());
                }
            }
            None => {
                client.host(default_socket_directory(port));
            }
        }
    }
    if client.get_user().is_none()
        && let Some(user) = environment("PGUSER")
    {
        client.user(user);
    }
    if client.get_password().is_none()
        && let Some(password) = environment("PGPASSWORD")
    {
        client.password(password);
    }
    if client.get_dbname().is_none()
        && let Some(dbname) = environment("PGDATABASE")
    {
        client.dbname(dbname);
    }
    if client.get_application_name().is_none() {
        // Told apart from the blocking pool's `agri-quarantine` in `pg_stat_activity`.
        client.application_name("agri-quarantine-event-loop");
    }
    let timeout = format!("-c statement_timeout={}", config.db_statement_timeout.as_millis());
    let options = match client.get_options() {
        Some(options) => format!("{options} {timeout}"),
        None => timeout,
    };
    client.options(options);
    if client.get_connect_timeout().is_none() {
        client.connect_timeout(config.db_connect_timeout);
    }
    // The same guard against a silent network as the blocking pool's libpq options.
    if !has_option(url, "keepalives") {
        client.keepalives(true);
    }
    if !has_option(url, "keepalives_idle") {
        client.keepalives_idle(Duration::from_secs(1));
    }
    if !has_option(url, "keepalives_interval") {
        client.keepalives_interval(Duration::from_secs(1));
    }
    if !has_option(url, "keepalives_retries") {
        client.keepalives_retries(1);
    }
    if client.get_tcp_user_timeout().is_none() {
        client.tcp_user_timeout(config.db_pool_timeout.max(Duration::from_secs(1)));
    }
    Ok(client)
}

/// libpq's compiled-in socket directory: Debian's where it has a socket for `port`, else the
/// upstream default.
fn default_socket_directory(port: u16) -> String {
    let debian = "/var/run/postgresql";
    if Path::new(debian).join(format!(".s.PGSQL.{port}")).exists() {
        debian.to_owned()
    } else {
        "/tmp".to_owned()
    }
}

/// Where a configuration connects, for the log line that says which pool is used.
pub fn describe(client: &tokio_postgres::Config) -> String {
    let host = match client.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => String::new(),
    };
    format!(
        "host={host} port={} dbname={}",
        client.get_ports().first().copied().unwrap_or(5432),
        client.get_dbname().unwrap_or("(the user name)")
    )
}

impl LoopPool {
    /// A pool of at most `size` connections for the calling worker; none is opened before a
    /// request needs one.
    pub fn new(client: tokio_postgres::Config, size: usize, config: &Config, metrics: Arc<Metrics>) -> Option<Self> {
        let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
        // A checkout costs no round trip; a connection whose work failed is checked in `run`.
        manager_config.recycling_method = RecyclingMethod::Fast;
        let reads = Rc::new(Pipeline {
            client: client.clone(),
            metrics: metrics.clone(),
            open: RefCell::new(None),
            opening: tokio::sync::Mutex::new(()),
        });
        let counted = metrics.clone();
        manager_config.custom_setup = Box::new(move |_| {
            let (client, metrics) = (client.clone(), counted.clone());
            Box::pin(async move { open(&client, &metrics, Arc::new(AtomicBool::new(false))).await })
        });
        let manager = AsyncDieselConnectionManager::new_with_config("", manager_config);
        match Pool::builder(manager).max_size(size).build() {
            Ok(pool) => Some(Self {
                pool,
                reads,
                metrics,
                pool_timeout: config.db_pool_timeout,
                work_timeout: config.db_statement_timeout,
            }),
            Err(error) => {
                tracing::warn!(error = %error, "cannot build the event-loop pool; the blocking pool serves every request");
                None
            }
        }
    }

    /// Runs `work` on one of this worker's connections, with `Database::run`'s limits: a
    /// connection within the pool timeout, an answer within the statement timeout, else 503.
    /// A connection that timed out, or failed and no longer answers, is discarded.
    pub async fn run<T>(
        &self,
        work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let requested = Instant::now();
        let mut connection = self.checkout(requested, self.pool.get()).await?;
        match actix_web::rt::time::timeout(self.work_timeout, work(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                let ping = actix_web::rt::time::timeout(self.pool_timeout, connection.batch_execute("SELECT 1")).await;
                if matches!(ping, Ok(Ok(()))) {
                    Err(error)
                } else {
                    discard(connection);
                    Err(ApiError::database_unavailable())
                }
            }
            Err(_) => {
                discard(connection);
                tracing::error!(
                    waited_ms = requested.elapsed().as_millis(),
                    "the database did not answer within the statement timeout"
                );
                Err(ApiError::outcome_unknown())
            }
        }
    }

    /// A connection within the pool timeout, else 503; the wait is recorded either way.
    async fn checkout<C, E>(
        &self,
        requested: Instant,
        connection: impl Future<Output = Result<C, E>>,
    ) -> Result<C, ApiError> {
        let checkout = actix_web::rt::time::timeout(self.pool_timeout, connection).await;
        let timed_out = !matches!(checkout, Ok(Ok(_)));
        self.metrics.record_pool_wait(requested.elapsed(), timed_out);
        match checkout {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(_)) | Err(_) => Err(ApiError::database_unavailable()),
        }
    }

    /// Runs a read on the worker's shared connection, pipelined with the others in flight, with
    /// `run`'s limits and answers. The connection is replaced if it closed (its driver ended)
    /// or the read timed out; an error on a connection still open is the read's own (no ping).
    pub async fn read<T>(
        &self,
        work: impl AsyncFnOnce(&AsyncPgConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let requested = Instant::now();
        let shared = self.checkout(requested, self.reads.get()).await?;
        match actix_web::rt::time::timeout(self.work_timeout, work(&shared.connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                if shared.usable() {
                    Err(error)
                } else {
                    self.reads.forget(&shared);
                    Err(ApiError::database_unavailable())
                }
            }
            Err(_) => {
                self.reads.forget(&shared);
                tracing::error!(
                    waited_ms = requested.elapsed().as_millis(),
                    "the database did not answer a read within the statement timeout"
                );
                // A read changed nothing, so "retry shortly" is the whole answer.
                Err(ApiError::database_unavailable())
            }
        }
    }
}

/// Opens a connection whose driver runs on the calling worker's loop and sets `closed` when the
/// connection ends; `metrics` counts it while it is open.
async fn open(
    client: &tokio_postgres::Config,
    metrics: &Arc<Metrics>,
    closed: Arc<AtomicBool>,
) -> Result<AsyncPgConnection, ConnectionError> {
    let (connection, driver) = client.connect(tokio_postgres::NoTls).await.map_err(|error| {
        tracing::warn!(error = %error, "database connection failed");
        ConnectionError::BadConnection(error.to_string())
    })?;
    metrics.event_loop_connection_opened();
    let metrics = metrics.clone();
    actix_web::rt::spawn(async move {
        if let Err(error) = driver.await {
            tracing::warn!(error = %error, "database connection lost");
        }
        closed.store(true, Ordering::Release);
        metrics.event_loop_connection_closed();
    });
    AsyncPgConnection::try_from(connection).await
}

/// One connection that all of a worker's concurrent reads share, opened when a read needs it
/// and replaced once it closes or a read on it times out.
struct Pipeline {
    client: tokio_postgres::Config,
    metrics: Arc<Metrics>,
    open: RefCell<Option<Shared>>,
    opening: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct Shared {
    connection: Rc<AsyncPgConnection>,
    closed: Arc<AtomicBool>,
}

impl Shared {
    fn usable(&self) -> bool {
        !self.closed.load(Ordering::Acquire)
    }
}

impl Pipeline {
    fn current(&self) -> Option<Shared> {
        self.open.borrow().as_ref().filter(|shared| shared.usable()).cloned()
    }

    async fn get(&self) -> Result<Shared, ConnectionError> {
        if let Some(shared) = self.current() {
            return Ok(shared);
        }
        let _one_at_a_time = self.opening.lock().await;
        if let Some(shared) = self.current() {
            return Ok(shared);
        }
        let closed = Arc::new(AtomicBool::new(false));
        let connection = open(&self.client, &self.metrics, closed.clone()).await?;
        let shared = Shared {
            connection: Rc::new(connection),
            closed,
        };
        *self.open.borrow_mut() = Some(shared.clone());
        Ok(shared)
    }

    /// Stops handing out `broken`; reads already on it finish or time out on their own.
    fn forget(&self, broken: &Shared) {
        let mut open = self.open.borrow_mut();
        if open
            .as_ref()
            .is_some_and(|current| Rc::ptr_eq(&current.connection, &broken.connection))
        {
            *open = None;
        }
    }
}

/// Closes a connection instead of returning it to the pool.
fn discard(connection: Object<AsyncPgConnection>) {
    drop(Object::take(connection));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(url: &str) -> Config {
        let mut config = Config::from_lookup(|_| None).expect("defaults");
        config.database_url = crate::config::DatabaseUrl(url.to_owned());
        config
    }

    fn resolve(url: &str, variables: &[(&str, &str)]) -> Result<tokio_postgres::Config, String> {
        let variables: HashMap<String, String> = variables
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        client_config(&config(url), &|name| variables.get(name).cloned())
    }

    #[test]
    fn the_pg_variables_fill_in_what_the_url_leaves_out() {
        let client = resolve(
            "dbname=aq",
            &[
                ("PGHOST", "db.example"),
                ("PGPORT", "6432"),
                ("PGUSER", "svc"),
                ("PGPASSWORD", "pw"),
                ("PGDATABASE", "other"),
            ],
        )
        .expect("usable");
        assert_eq!(client.get_hosts(), &[Host::Tcp("db.example".into())]);
        assert_eq!(client.get_ports(), &[6432]);
        assert_eq!(client.get_user(), Some("svc"));
        assert_eq!(client.get_password(), Some(&b"pw"[..]));
        assert_eq!(client.get_dbname(), Some("aq"));
        assert_eq!(client.get_application_name(), Some("agri-quarantine-event-loop"));
        assert_eq!(client.get_options(), Some("-c statement_timeout=30000"));
        assert_eq!(client.get_connect_timeout(), Some(&Duration::from_secs(2)));
        assert_eq!(client.get_keepalives_retries(), Some(1));
        assert_eq!(client.get_tcp_user_timeout(), Some(&Duration::from_secs(3)));
    }

    #[test]
    fn what_the_url_says_wins_over_the_variables_and_defaults() {
        let client = resolve(
            "postgres://u@h:7/d?options=-c%20work_mem%3D8MB&connect_timeout=9&application_name=x",
            &[("PGHOST", "other"), ("PGUSER", "other")],
        )
        .expect("usable");
        assert_eq!(client.get_hosts(), &[Host::Tcp("h".into())]);
        assert_eq!(client.get_ports(), &[7]);
        assert_eq!(client.get_user(), Some("u"));
        assert_eq!(client.get_application_name(), Some("x"));
        assert_eq!(client.get_options(), Some("-c work_mem=8MB -c statement_timeout=30000"));
        assert_eq!(client.get_connect_timeout(), Some(&Duration::from_secs(9)));
    }

    #[test]
    fn without_a_host_the_local_socket_directory_is_used() {
        let client = resolve("dbname=aq", &[]).expect("usable");
        assert!(
            matches!(client.get_hosts(), [Host::Unix(_)]),
            "{:?}",
            client.get_hosts()
        );
    }

    #[test]
    fn a_server_that_requires_tls_or_an_unknown_option_keeps_everything_on_the_blocking_pool() {
        assert!(resolve("host=h sslmode=require", &[]).is_err());
        assert!(resolve("host=h", &[("PGSSLMODE", "verify-full")]).is_err());
        assert!(resolve("host=h keepalives_count=3", &[]).is_err());
        assert!(resolve("host=h", &[("PGSSLMODE", "prefer")]).is_ok());
    }
}
