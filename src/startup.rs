//! Building the application and running the server. `build_app` is shared by `main` and the
//! tests, so the tests exercise exactly the middleware, error handlers and routes that serve.

use crate::api;
use crate::api::rate_limit::RateLimiter;
use crate::api::request_context::request_context;
use crate::config::Config;
use crate::db::Database;
use crate::db::bootstrap::{ensure_database_exists, run_migrations};
use crate::db::pool::with_connect_timeout;
use crate::domain::certificate::CertificateSigner;
use crate::domain::protocol::catalogue::{ProtocolVersion, catalogue};
use crate::error::ApiError;
use crate::service::api_keys::create_operator_admin;
use crate::telemetry::metrics::Metrics;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use diesel::{Connection, PgConnection, RunQueryDsl};
use std::sync::Arc;

/// Shared by every worker.
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Database,
    pub metrics: Arc<Metrics>,
    /// The protocol versions, built once from the configuration.
    pub protocols: Arc<Vec<ProtocolVersion>>,
    pub signer: Arc<CertificateSigner>,
    /// Limits the public verification endpoint per client address.
    pub verify_limiter: Arc<RateLimiter>,
}

impl AppState {
    /// Builds the shared state; fails when the signing key cannot be read or created.
    pub fn new(config: Config) -> anyhow::Result<web::Data<Self>> {
        let metrics = Arc::new(Metrics::default());
        let db = Database::connect_lazily(&config, metrics.clone());
        let protocols = Arc::new(catalogue(&config.protocol_settings));
        let signer = Arc::new(crate::signing_key::signer(&config)?);
        let verify_limiter = Arc::new(RateLimiter::new(config.verify_rate_limit_per_minute));
        Ok(web::Data::new(Self {
            config: Arc::new(config),
            db,
            metrics,
            protocols,
            signer,
            verify_limiter,
        }))
    }
}

/// The actix application with every route, extractor configuration and middleware.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            ApiError::BadRequest {
                code: "invalid_query",
                detail: format!("The query string is invalid: {error}"),
            }
            .into()
        }))
        .app_data(
            web::PathConfig::default()
                .error_handler(|_, _| ApiError::not_found("No resource has this identifier.").into()),
        )
        .configure(api::configure)
        .default_service(web::to(api::route_not_found))
        .wrap(from_fn(request_context))
}

/// Creates the database if needed and applies pending migrations.
pub fn prepare_database(config: &Config) -> anyhow::Result<PgConnection> {
    let url = with_connect_timeout(&config.database_url, config.db_connect_timeout);
    ensure_database_exists(&url)?;
    let mut connection =
        PgConnection::establish(&url).map_err(|error| anyhow::anyhow!("cannot connect to the database: {error}"))?;
    let applied = run_migrations(&mut connection)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied migrations");
    }
    Ok(connection)
}

/// Serialises first-start admin creation across instances ("aq_boot").
const BOOTSTRAP_LOCK_KEY: i64 = 0x0061_715f_626f_6f74;

/// On the very first start (no admin key has ever existed) creates one and returns its secret.
pub fn bootstrap_admin_key(connection: &mut PgConnection) -> Result<Option<String>, ApiError> {
    use crate::db::audit::Actor;
    connection.transaction(|connection| {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({BOOTSTRAP_LOCK_KEY})")).execute(connection)?;
        if crate::db::api_keys::any_admin_key(connection)? {
            return Ok(None);
        }
        let actor = Actor {
            key_id: None,
            organization_id: None,
            request_id: "first-start".to_owned(),
        };
        let created = create_operator_admin(connection, &actor, "created at first start")?;
        Ok(Some(created.secret))
    })
}

/// Prepares the database, then serves until SIGINT or SIGTERM; in-flight requests finish
/// within the shutdown timeout.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let database_config = config.clone();
    let first_key = web::block(move || -> anyhow::Result<Option<String>> {
        let mut connection = prepare_database(&database_config)?;
        bootstrap_admin_key(&mut connection)
            .map_err(|error| anyhow::anyhow!("cannot create the first admin key: {error:?}"))
    })
    .await??;
    if let Some(secret) = first_key {
        tracing::warn!(
            admin_key = %secret,
            "no admin key existed, so one was created; store it now, it is not shown again"
        );
    }
    let bind_address = config.bind_address;
    let workers = config.workers;
    let shutdown_timeout = config.shutdown_timeout.as_secs();
    // More blocking threads than pooled connections would only queue inside the pool.
    let blocking_threads = (config.db_pool_size as usize * 2).max(4);
    let state = AppState::new(config)?;
    let mut server = HttpServer::new(move || build_app(state.clone()))
        .shutdown_timeout(shutdown_timeout)
        .worker_max_blocking_threads(blocking_threads);
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    let server = server
        .bind(bind_address)
        .map_err(|error| anyhow::anyhow!("cannot listen on {bind_address}: {error}"))?;
    tracing::info!(address = %bind_address, "serving");
    server.run().await?;
    tracing::info!("stopped");
    Ok(())
}
