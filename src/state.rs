//! What every worker shares: configuration, the pool, metrics, the protocol catalogue, the
//! certificate signer and the verification rate limiter. Built once at start.

use crate::config::Config;
use crate::db::Database;
use crate::domain::certificate::CertificateSigner;
use crate::domain::protocol::catalogue::{ProtocolVersion, catalogue};
use crate::rate_limit::RateLimiter;
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
        Ok(web::Data::new(Self {
            config: Arc::new(config),
            db,
            metrics,
            protocols,
            signer,
            verify_limiter,
            verify_miss_limiter,
        }))
    }
}
