//! What every worker shares: configuration, the pool, metrics, the protocol catalogue, the
//! certificate signer, the verification rate limiters and the caches. Built once at start.

use crate::cache::Cache;
use crate::config::Config;
use crate::db::Database;
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
        Ok(web::Data::new(Self {
            config: Arc::new(config),
            db,
            metrics,
            protocols,
            signer,
            verify_limiter,
            verify_miss_limiter,
            caches: Arc::new(Caches::new(config_cache_ttl)),
        }))
    }
}
