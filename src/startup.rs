//! Building the application and running the server. `build_app` is shared by `main` and the
//! tests, so the tests exercise exactly the middleware, error handlers and routes that serve.

use crate::api;
use crate::api::request_context::request_context;
use crate::config::Config;
use crate::db::bootstrap::{ensure_database_exists, run_migrations};
use crate::db::pool::with_connect_timeout;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use diesel::{Connection, PgConnection};

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
        .app_data(state.for_worker())
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(|error, _| api::paging::invalid_query(error).into()))
        .app_data(
            web::PathConfig::default()
                .error_handler(|_, _| ApiError::not_found("No resource has this identifier.").into()),
        )
        .configure(api::configure)
        .default_service(web::to(api::route_not_found))
        .wrap(from_fn(request_context))
}

/// Blocking threads per worker: more than pooled connections would only queue inside the pool.
/// Requests beyond them wait for a thread, within the pool timeout (`Database::run`).
pub fn blocking_threads(config: &Config) -> usize {
    (config.db_pool_size as usize * 2).max(4)
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

/// Prepares the database, then serves until SIGINT or SIGTERM; in-flight requests finish
/// within the shutdown timeout.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let database_config = config.clone();
    let has_admin_key = web::block(move || -> anyhow::Result<bool> {
        let mut connection = prepare_database(&database_config)?;
        crate::db::api_keys::any_admin_key(&mut connection)
            .map_err(|error| anyhow::anyhow!("cannot look for an admin key: {error}"))
    })
    .await??;
    if !has_admin_key {
        // A secret in a log outlives the moment it was needed: say how to get one instead.
        tracing::warn!(
            "no admin key exists yet; create one with `agri-quarantine admin-key`, which prints it on stdout only"
        );
    }
    let bind_address = config.bind_address;
    let workers = config.workers;
    let shutdown_timeout = config.shutdown_timeout.as_secs();
    let blocking_threads = blocking_threads(&config);
    let state = AppState::new(config)?;
    crate::background::spawn(&state);
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
