//! What every worker shares: configuration, the pool, metrics, the protocol catalogue, the
//! certificate signer, the verification rate limiters and the caches. Built once at start.

use crate::cache::Cache;
use crate::config::Config;
use crate::db::Database;
use crate::db::loop_pool::{LoopPool, client_config, describe};
use crate::domain::certificate::CertificateSigner;
use crate::domain::invalidation::Invalidation;
use crate::domain::protocol::catalogue::{ProtocolVersion, catalogue};
use crate::rate_limit::RateLimiter;
use crate::service::authentication::Principal;
use crate::service::verification::VerificationRecord;
use crate::telemetry::metrics::Metrics;
use actix_web::web;
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
    /// Limits lookups of unknown numbers and wrong codes, more strictly.
    pub verify_miss_limiter: Arc<RateLimiter>,
    pub caches: Arc<Caches>,
    /// How each worker's event-loop pool connects (`db::loop_pool`); `None` when requests use
    /// the blocking pool (`DB_LOOP_POOL_SIZE=0`, or a connection tokio-postgres cannot make).
    pub loop_client: Option<tokio_postgres::Config>,
}

/// Most principals and verifications kept per instance.
const CACHE_CAPACITY: usize = 50_000;

/// What requests read from memory instead of the database (see `cache`).
pub struct Caches {
    /// By the SHA-256 of the presented key, in hexadecimal.
    pub principals: Cache<Principal>,
    /// By certificate number.
    pub verifications: Cache<Arc<VerificationRecord>>,
}

impl Caches {
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            principals: Cache::new(ttl, CACHE_CAPACITY),
            verifications: Cache::new(ttl, CACHE_CAPACITY),
        }
    }

    /// Forgets what a change made stale.
    pub fn apply(&self, invalidation: &Invalidation) {
        match invalidation {
            Invalidation::ApiKey(id) => self.principals.invalidate(|_, principal| principal.key_id == *id),
            Invalidation::Certificate(number) => self.verifications.invalidate(|key, _| key == number),
        }
    }

    /// Empties both caches; they answer again only while `trusted`.
    pub fn reset(&self, trusted: bool) {
        self.principals.reset(trusted);
        self.verifications.reset(trusted);
    }
}

impl AppState {
    /// Builds the shared state; fails when the signing key cannot be read or created.
    pub fn new(config: Config) -> anyhow::Result<web::Data<Self>> {
        let metrics = Arc::new(Metrics::default());
        let db = Database::connect_lazily(&config, metrics.clone());
        let protocols = Arc::new(catalogue(&config.protocol_settings));
        let signer = Arc::new(crate::signing_key::signer(&config)?);
        let verify_limiter = Arc::new(RateLimiter::new(config.verify_rate_limit_per_minute));
        let verify_miss_limiter = Arc::new(RateLimiter::new(config.verify_miss_rate_limit_per_minute));
        let config_cache_ttl = config.cache_ttl;
        let loop_client = loop_client(&config);
        Ok(web::Data::new(Self {
            config: Arc::new(config),
            db,
            metrics,
            protocols,
            signer,
            verify_limiter,
            verify_miss_limiter,
            caches: Arc::new(Caches::new(config_cache_ttl)),
            loop_client,
        }))
    }

    /// The calling worker's own state; `build_app` calls it once per worker, on its thread.
    pub fn for_worker(&self) -> WorkerState {
        let loop_pool = self.loop_client.clone().and_then(|client| {
            LoopPool::new(
                client,
                self.config.loop_pool_per_worker(),
                &self.config,
                self.metrics.clone(),
            )
        });
        WorkerState { loop_pool }
    }
}

/// What one HTTP worker owns and no other uses.
#[derive(Clone)]
pub struct WorkerState {
    /// Connections used on this worker's event loop, if it has them (`db::loop_pool`).
    pub loop_pool: Option<LoopPool>,
}

impl WorkerState {
    /// The event-loop pool of the worker serving `request`, if it has one.
    pub fn loop_pool(request: &actix_web::HttpRequest) -> Option<&LoopPool> {
        request.app_data::<WorkerState>()?.loop_pool.as_ref()
    }
}

fn loop_client(config: &Config) -> Option<tokio_postgres::Config> {
    if config.db_loop_pool_size == 0 {
        return None;
    }
    match client_config(config, &|name| std::env::var(name).ok()) {
        Ok(client) => {
            tracing::info!(connects_to = %describe(&client), "creations and exporter reads of consignments run on the workers' event loops");
            Some(client)
        }
        Err(reason) => {
            tracing::warn!(%reason, "creations and exporter reads of consignments use the blocking pool");
            None
        }
    }
}
