//! Configuration from environment variables. Every variable has a default so that a bare
//! `cargo run --release` works against the local PostgreSQL server (or the one `pg_virtualenv`
//! points the libpq `PG*` variables at). The README's configuration table lists them all.

use crate::domain::client_address::Network;
use crate::domain::establishment::{CodePatterns, EstablishmentKind};
use crate::domain::protocol::settings::{ConfiguredList, ENFORCE_UNCERTAIN_RULES, ENFORCEABLE_RULES, ProtocolSettings};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::net::SocketAddr;
use std::time::Duration;

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the service reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// libpq connection string or URL. The default names only the database, so host, port,
    /// user and password come from the `PG*` variables and libpq's own defaults.
    pub database_url: DatabaseUrl,
    pub bind_address: SocketAddr,
    /// A `tracing` filter directive such as `info` or `agri_quarantine=debug,info`.
    pub log_level: String,
    pub log_format: LogFormat,
    pub db_pool_size: u32,
    /// Connections the HTTP workers keep, shared out among them, for the writes they run on
    /// their own event loops (`db::loop_pool`); each worker also keeps one its reads share. 0
    /// sends both through the blocking pool.
    pub db_loop_pool_size: usize,
    /// How long a request waits for a free connection before it gets 503.
    pub db_pool_timeout: Duration,
    /// libpq `connect_timeout`: how long opening a connection may take.
    pub db_connect_timeout: Duration,
    /// Server-side `statement_timeout` set on every connection.
    pub db_statement_timeout: Duration,
    pub request_body_limit_bytes: usize,
    /// How long in-flight requests may take to finish after SIGINT or SIGTERM.
    pub shutdown_timeout: Duration,
    /// HTTP worker threads; defaults to the number of CPUs.
    pub workers: Option<usize>,
    /// Largest establishment list accepted by `POST /v1/establishment-imports`.
    pub import_body_limit_bytes: usize,
    /// Establishment code pattern per kind (`CODE_PATTERN_<KIND>`), defaults otherwise.
    pub code_patterns: CodePatterns,
    /// Protocol values the sources leave uncertain.
    pub protocol_settings: ProtocolSettings,
    /// Ed25519 seed for certificate signatures (`SIGNING_KEY`, base64 of 32 bytes).
    pub signing_key: Option<Seed>,
    /// Published id of that key; derived from the public key when absent.
    pub signing_key_id: Option<String>,
    /// Where a development key is kept when `SIGNING_KEY` is not set.
    pub signing_key_file: std::path::PathBuf,
    /// Requests per minute each client address may make to the public verification endpoint.
    pub verify_rate_limit_per_minute: u32,
    /// Lookups of unknown numbers or wrong codes per minute each client address may make.
    pub verify_miss_rate_limit_per_minute: u32,
    /// The address the public reaches this service at; QR codes encode
    /// `<PUBLIC_BASE_URL>/v1/verify/<number>`.
    pub public_base_url: String,
    /// How often the audit sealer looks for committed events when it found none.
    pub audit_seal_interval: Duration,
    /// Most events sealed in one transaction.
    pub audit_seal_batch: i64,
    /// A signed checkpoint after this many sealed events...
    pub audit_checkpoint_every_events: i64,
    /// ...or after this long, if any event was sealed since the last one.
    pub audit_checkpoint_interval: Duration,
    /// How long an authenticated key and a verification stay in memory; 0 turns the caches
    /// off. Revocations reach every instance at once through PostgreSQL notifications; this
    /// bounds staleness should a notification be lost.
    pub cache_ttl: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the rate limiters).
    pub trusted_proxies: Vec<Network>,
    /// Webhook endpoints may use `http` (for a receiver on the same host in tests and
    /// development); otherwise `https` only.
    pub webhook_allow_http: bool,
    /// Webhook endpoints may resolve to loopback, private or link-local addresses.
    pub webhook_allow_internal: bool,
    /// How long one webhook delivery may take, connection and response together.
    pub webhook_timeout: Duration,
}

pub const DEFAULT_DATABASE_URL: &str = "dbname=agri_quarantine";

/// A variable that is set but cannot be understood.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name} has an invalid value {value:?}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub reason: &'static str,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let parse_number = |name: &'static str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(value) => match value.trim().parse::<u64>() {
                    Ok(number) if (min..=max).contains(&number) => Ok(number),
                    _ => Err(ConfigError {
                        name,
                        value,
                        reason: "expected a whole number in the documented range",
                    }),
                },
            }
        };
        let bind_address = match get("BIND_ADDRESS") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(value) => value.trim().parse().map_err(|_| ConfigError {
                name: "BIND_ADDRESS",
                value,
                reason: "expected host:port, for example 127.0.0.1:8080",
            })?,
        };
        let log_format = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    name: "LOG_FORMAT",
                    value: other.to_owned(),
                    reason: "expected text or json",
                });
            }
        };
        let workers = match parse_number("WORKERS", 0, 0, 256)? {
            0 => None,
            count => Some(count as usize),
        };
        let mut pattern_overrides = Vec::new();
        for kind in EstablishmentKind::VARIANTS {
            if let Some(pattern) = get(&format!("CODE_PATTERN_{}", kind.as_str().to_ascii_uppercase())) {
                pattern_overrides.push((kind, pattern));
            }
        }
        let code_patterns = CodePatterns::new(&pattern_overrides).map_err(|reason| ConfigError {
            name: "CODE_PATTERN_*",
            value: reason,
            reason: "expected a regular expression",
        })?;
        let defaults = ProtocolSettings::default();
        let list = |name: &str, default: Vec<String>| match get(name) {
            None => default,
            Some(text) => text
                .split(',')
                .map(|item| item.trim().to_owned())
                .filter(|item| !item.is_empty())
                .collect(),
        };
        // A list the operator set is configured data: the rules checking it become errors.
        let places = |name: &'static str, default: ConfiguredList| match get(name) {
            None => default,
            Some(_) => ConfiguredList {
                values: list(name, Vec::new()),
                configured_by: Some(name),
            },
        };
        let coconut_reduced_sampling_rate = match get("COCONUT_REDUCED_SAMPLING_RATE") {
            None => None,
            Some(value) => match value.trim().parse::<f64>() {
                Ok(rate) if rate > 0.0 && rate <= 1.0 => Some(rate),
                _ => {
                    return Err(ConfigError {
                        name: "COCONUT_REDUCED_SAMPLING_RATE",
                        value,
                        reason: "expected a fraction of units between 0 and 1, e.g. 0.01",
                    });
                }
            },
        };
        let enforced_uncertain_rules = list(ENFORCE_UNCERTAIN_RULES, Vec::new());
        if let Some(unknown) = enforced_uncertain_rules
            .iter()
            .find(|id| !ENFORCEABLE_RULES.iter().any(|rule| rule.eq_ignore_ascii_case(id)))
        {
            return Err(ConfigError {
                name: ENFORCE_UNCERTAIN_RULES,
                value: unknown.clone(),
                reason: "expected rule IDs among: CROCODILE-FARM-APPROVED, CROCODILE-FARM-CODE-USE, FROZEN-PLANT-CODE-USE",
            });
        }
        let cadmium_limit_mg_per_kg = match get("CADMIUM_LIMIT_MG_PER_KG") {
            None => defaults.cadmium_limit_mg_per_kg,
            Some(value) => match value.trim().parse::<f64>() {
                Ok(limit) if limit > 0.0 && limit < 100.0 => limit,
                _ => {
                    return Err(ConfigError {
                        name: "CADMIUM_LIMIT_MG_PER_KG",
                        value,
                        reason: "expected a positive number of mg/kg",
                    });
                }
            },
        };
        let protocol_settings = ProtocolSettings {
            cadmium_limit_mg_per_kg,
            fruit_exit_gates: places("EXIT_GATES_FRUIT", defaults.fruit_exit_gates),
            fruit_entry_points: places("ENTRY_POINTS_FRUIT", defaults.fruit_entry_points),
            frozen_exit_gates: places("EXIT_GATES_FROZEN", defaults.frozen_exit_gates),
            frozen_entry_points: places("ENTRY_POINTS_FROZEN", defaults.frozen_entry_points),
            animal_exit_gates: places("EXIT_GATES_ANIMAL", defaults.animal_exit_gates),
            animal_entry_points: places("ENTRY_POINTS_ANIMAL", defaults.animal_entry_points),
            crocodile_required_agents: list("CROCODILE_REQUIRED_AGENTS", defaults.crocodile_required_agents),
            extra_coconut_pests: list("EXTRA_COCONUT_PESTS", defaults.extra_coconut_pests),
            frozen_durian_pests: list("FROZEN_DURIAN_PESTS", defaults.frozen_durian_pests),
            coconut_reduced_sampling_rate,
            enforced_uncertain_rules,
        };
        let mut trusted_proxies = Vec::new();
        for item in list("TRUSTED_PROXIES", Vec::new()) {
            trusted_proxies.push(Network::parse(&item).ok_or(ConfigError {
                name: "TRUSTED_PROXIES",
                value: item.clone(),
                reason: "expected IP addresses or networks such as 10.0.0.0/8, separated by commas",
            })?);
        }
        let signing_key = match get("SIGNING_KEY") {
            None => None,
            Some(value) => Some(decode_seed(&value).map(Seed).ok_or(ConfigError {
                name: "SIGNING_KEY",
                value: "(hidden)".to_owned(),
                reason: "expected the base64 encoding of a 32-byte Ed25519 seed",
            })?),
        };
        Ok(Self {
            database_url: DatabaseUrl(get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())),
            bind_address,
            log_level: get("LOG_LEVEL").unwrap_or_else(|| "info".to_owned()),
            log_format,
            db_pool_size: parse_number("DB_POOL_SIZE", 4, 1, 100)? as u32,
            db_loop_pool_size: parse_number("DB_LOOP_POOL_SIZE", 16, 0, 200)? as usize,
            db_pool_timeout: Duration::from_millis(parse_number("DB_POOL_TIMEOUT_MS", 3000, 100, 60_000)?),
            db_connect_timeout: Duration::from_secs(parse_number("DB_CONNECT_TIMEOUT_SECS", 2, 1, 60)?),
            db_statement_timeout: Duration::from_millis(parse_number(
                "DB_STATEMENT_TIMEOUT_MS",
                30_000,
                100,
                3_600_000,
            )?),
            request_body_limit_bytes: parse_number("REQUEST_BODY_LIMIT_BYTES", 1_048_576, 1024, 64 * 1_048_576)?
                as usize,
            shutdown_timeout: Duration::from_secs(parse_number("SHUTDOWN_TIMEOUT_SECS", 30, 0, 3600)?),
            workers,
            import_body_limit_bytes: parse_number("IMPORT_BODY_LIMIT_BYTES", 64 * 1_048_576, 1024, 1024 * 1_048_576)?
                as usize,
            code_patterns,
            protocol_settings,
            signing_key,
            signing_key_id: get("SIGNING_KEY_ID").map(|id| id.trim().to_owned()),
            signing_key_file: get("SIGNING_KEY_FILE")
                .unwrap_or_else(|| "agri-quarantine-signing.key".to_owned())
                .into(),
            verify_rate_limit_per_minute: parse_number("VERIFY_RATE_LIMIT_PER_MINUTE", 120, 1, 1_000_000)? as u32,
            verify_miss_rate_limit_per_minute: parse_number("VERIFY_MISS_RATE_LIMIT_PER_MINUTE", 10, 1, 1_000_000)?
                as u32,
            public_base_url: get("PUBLIC_BASE_URL")
                .map(|url| url.trim().trim_end_matches('/').to_owned())
                .unwrap_or_else(|| format!("http://{bind_address}")),
            audit_seal_interval: Duration::from_millis(parse_number("AUDIT_SEAL_INTERVAL_MS", 100, 10, 60_000)?),
            audit_seal_batch: parse_number("AUDIT_SEAL_BATCH", 1000, 1, 10_000)? as i64,
            audit_checkpoint_every_events: parse_number("AUDIT_CHECKPOINT_EVERY_EVENTS", 1000, 1, 10_000_000)? as i64,
            audit_checkpoint_interval: Duration::from_secs(parse_number(
                "AUDIT_CHECKPOINT_INTERVAL_SECS",
                60,
                1,
                86_400,
            )?),
            cache_ttl: Duration::from_secs(parse_number("CACHE_TTL_SECS", 60, 0, 3600)?),
            trusted_proxies,
            webhook_allow_http: parse_number("WEBHOOK_ALLOW_HTTP", 0, 0, 1)? == 1,
            webhook_allow_internal: parse_number("WEBHOOK_ALLOW_INTERNAL", 0, 0, 1)? == 1,
            webhook_timeout: Duration::from_millis(parse_number("WEBHOOK_TIMEOUT_MS", 10_000, 100, 60_000)?),
        })
    }

    /// HTTP worker threads: `WORKERS`, else one per CPU as actix chooses.
    pub fn worker_count(&self) -> usize {
        self.workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
    }

    /// Each worker's share of `db_loop_pool_size`, at least one unless that is 0, so that the
    /// connections of an instance stay bounded however many CPUs it has.
    pub fn loop_pool_per_worker(&self) -> usize {
        match self.db_loop_pool_size {
            0 => 0,
            total => total.div_ceil(self.worker_count().max(1)),
        }
    }
}

/// An Ed25519 seed whose Debug output hides it, so configuration can be printed safely.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Seed(pub [u8; 32]);

impl std::fmt::Debug for Seed {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Seed(hidden)")
    }
}

/// Decodes a base64 32-byte seed.
pub fn decode_seed(text: &str) -> Option<[u8; 32]> {
    STANDARD.decode(text.trim()).ok()?.try_into().ok()
}

/// A libpq connection string or URL. It may hold a password, so `Debug` shows it redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl std::ops::Deref for DatabaseUrl {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:?}", redact_password(&self.0))
    }
}

/// Hides the password of a `postgres://user:password@host` URL or a `password=...` keyword.
fn redact_password(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@')
            && let Some(colon) = rest[..at].find(':')
        {
            return format!("{}{}:***{}", &url[..scheme_end + 3], &rest[..colon], &rest[at..]);
        }
        return url.to_owned();
    }
    url.split_whitespace()
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn the_event_loop_connections_are_shared_out_among_the_workers() {
        let share = |pairs: &[(&str, &str)]| config(pairs).expect("valid").loop_pool_per_worker();
        assert_eq!(share(&[("WORKERS", "2")]), 8);
        assert_eq!(share(&[("WORKERS", "3")]), 6);
        assert_eq!(share(&[("WORKERS", "32")]), 1);
        assert_eq!(share(&[("WORKERS", "1"), ("DB_LOOP_POOL_SIZE", "2")]), 2);
        assert_eq!(share(&[("WORKERS", "4"), ("DB_LOOP_POOL_SIZE", "0")]), 0);
    }

    #[test]
    fn an_empty_environment_gives_the_documented_defaults() {
        let config = config(&[]).unwrap();
        assert_eq!(&*config.database_url, "dbname=agri_quarantine");
        assert_eq!(config.bind_address.to_string(), "127.0.0.1:8080");
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.db_pool_size, 4);
        assert_eq!(config.db_loop_pool_size, 16);
        assert_eq!(config.db_pool_timeout, Duration::from_secs(3));
        assert_eq!(config.request_body_limit_bytes, 1_048_576);
        assert_eq!(config.workers, None);
    }

    #[test]
    fn values_are_read_and_checked() {
        let config = config(&[
            ("DB_POOL_SIZE", "8"),
            ("LOG_FORMAT", "json"),
            ("BIND_ADDRESS", "0.0.0.0:9000"),
        ])
        .unwrap();
        assert_eq!(config.db_pool_size, 8);
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.bind_address.port(), 9000);
    }

    #[test]
    fn code_patterns_can_be_configured_per_kind() {
        let config = config(&[("CODE_PATTERN_ORCHARD", "^PUC-[0-9]+$")]).unwrap();
        assert!(
            config
                .code_patterns
                .mismatch(EstablishmentKind::Orchard, "PUC-12")
                .is_none()
        );
        assert!(
            config
                .code_patterns
                .mismatch(EstablishmentKind::Orchard, "VN-TGOR-0095")
                .is_some()
        );
        assert_eq!(
            super::tests::config(&[("CODE_PATTERN_LABORATORY", "(")])
                .unwrap_err()
                .name,
            "CODE_PATTERN_*"
        );
    }

    #[test]
    fn uncertain_protocol_values_can_be_configured() {
        let config = config(&[
            ("CADMIUM_LIMIT_MG_PER_KG", "0.1"),
            ("CROCODILE_REQUIRED_AGENTS", "Salmonella, Chlamydia"),
        ])
        .unwrap();
        assert_eq!(config.protocol_settings.cadmium_limit_mg_per_kg, 0.1);
        assert_eq!(
            config.protocol_settings.crocodile_required_agents,
            ["Salmonella", "Chlamydia"]
        );
        assert_eq!(
            super::tests::config(&[("CADMIUM_LIMIT_MG_PER_KG", "-1")])
                .unwrap_err()
                .name,
            "CADMIUM_LIMIT_MG_PER_KG"
        );
    }

    #[test]
    fn an_invalid_value_names_the_variable() {
        assert_eq!(
            super::tests::config(&[("DB_POOL_SIZE", "0")]).unwrap_err().name,
            "DB_POOL_SIZE"
        );
        assert_eq!(
            super::tests::config(&[("LOG_FORMAT", "xml")]).unwrap_err().name,
            "LOG_FORMAT"
        );
        assert_eq!(
            super::tests::config(&[("BIND_ADDRESS", "localhost")]).unwrap_err().name,
            "BIND_ADDRESS"
        );
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let url = DatabaseUrl("postgres://aq:s3cret@db:5432/aq?sslmode=require".into());
        assert_eq!(format!("{url:?}"), "\"postgres://aq:***@db:5432/aq?sslmode=require\"");
        let keywords = DatabaseUrl("host=db password=s3cret dbname=aq".into());
        assert_eq!(format!("{keywords:?}"), "\"host=db password=*** dbname=aq\"");
        let config = config(&[
            ("DATABASE_URL", "postgresql://u:pw@h/d"),
            ("SIGNING_KEY", &STANDARD.encode([1u8; 32])),
        ])
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("pw@"), "{printed}");
        assert!(printed.contains("Seed(hidden)"), "{printed}");
    }
}
