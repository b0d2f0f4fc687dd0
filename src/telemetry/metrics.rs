//! Prometheus metrics kept in memory by the service itself, with `prometheus-client`: request
//! counts by route and status, request latency by route, connection-pool figures and waits,
//! and the audit sealer's backlog and lag. Exposed in the OpenMetrics text format.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// The content type of `render`'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// Connection-pool figures read at scrape time.
#[derive(Debug, Clone, Copy)]
pub struct PoolSnapshot {
    pub max_size: u32,
    pub connections: u32,
    pub idle_connections: u32,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeniedLabels {
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// All metrics of one running service.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool_max: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_wait: Histogram,
    pool_timeouts: Counter,
    event_loop_connections: Gauge,
    denied: Family<DeniedLabels, Counter>,
    audit_unsealed: Gauge,
    audit_lag: Gauge<f64, AtomicU64>,
    audit_sealed: Counter,
    audit_checkpoints: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let metrics = Self {
            registry: Registry::default(),
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            pool_max: Gauge::default(),
            pool_connections: Gauge::default(),
            pool_idle: Gauge::default(),
            pool_wait: latency_histogram(),
            pool_timeouts: Counter::default(),
            event_loop_connections: Gauge::default(),
            denied: Family::default(),
            audit_unsealed: Gauge::default(),
            audit_lag: Gauge::default(),
            audit_sealed: Counter::default(),
            audit_checkpoints: Counter::default(),
        };
        let mut registry = Registry::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, matched route and status",
            metrics.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response, by method and matched route",
            metrics.latency.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "Configured size of the database connection pool",
            metrics.pool_max.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections",
            metrics.pool_connections.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Open database connections not in use",
            metrics.pool_idle.clone(),
        );
        registry.register(
            "db_pool_wait_seconds",
            "Time spent waiting for a database connection",
            metrics.pool_wait.clone(),
        );
        registry.register(
            "db_pool_timeouts",
            "Requests that got no database connection within the pool timeout",
            metrics.pool_timeouts.clone(),
        );
        registry.register(
            "db_event_loop_connections",
            "Open database connections of the HTTP workers' event loops (the writes' pools and the connections reads share)",
            metrics.event_loop_connections.clone(),
        );
        registry.register(
            "http_denied_requests",
            "Requests refused for want of a valid key (401) or of the role (403)",
            metrics.denied.clone(),
        );
        registry.register(
            "audit_unsealed_events",
            "Audit events committed but not yet sealed into the hash chain, as the sealer last saw",
            metrics.audit_unsealed.clone(),
        );
        registry.register(
            "audit_sealing_lag_seconds",
            "Age of the oldest unsealed audit event, as the sealer last saw (0 when none)",
            metrics.audit_lag.clone(),
        );
        registry.register(
            "audit_sealed_events",
            "Audit events this instance sealed into the hash chain",
            metrics.audit_sealed.clone(),
        );
        registry.register(
            "audit_checkpoints_signed",
            "Signed audit checkpoints this instance made",
            metrics.audit_checkpoints.clone(),
        );
        Self { registry, ..metrics }
    }
}

impl Metrics {
    /// Records one finished request. `route` is the matched pattern (for example
    /// `/v1/organizations/{id}`), never the raw path, to keep the label set bounded.
    pub fn record_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Records how long a request waited for a database connection.
    pub fn record_pool_wait(&self, waited: Duration, timed_out: bool) {
        self.pool_wait.observe(waited.as_secs_f64());
        if timed_out {
            self.pool_timeouts.inc();
        }
    }

    /// Counts a connection of an HTTP worker's event loop from when it opens...
    pub fn event_loop_connection_opened(&self) {
        self.event_loop_connections.inc();
    }

    /// ...until it ends.
    pub fn event_loop_connection_closed(&self) {
        self.event_loop_connections.dec();
    }

    /// Records a request refused with 401 or 403.
    pub fn record_denied(&self, status: u16) {
        self.denied.get_or_create(&DeniedLabels { status }).inc();
    }

    /// Records one pass of the audit sealer.
    pub fn record_sealing(&self, sealed: usize, unsealed: i64, lag: Duration) {
        self.audit_sealed.inc_by(sealed as u64);
        self.audit_unsealed.set(unsealed);
        self.audit_lag.set(lag.as_secs_f64());
    }

    pub fn record_checkpoint(&self) {
        self.audit_checkpoints.inc();
    }

    /// The OpenMetrics text exposition, with the pool figures as of now.
    pub fn render(&self, pool: PoolSnapshot) -> String {
        self.pool_max.set(i64::from(pool.max_size));
        self.pool_connections.set(i64::from(pool.connections));
        self.pool_idle.set(i64::from(pool.idle_connections));
        let mut out = String::with_capacity(4096);
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: PoolSnapshot = PoolSnapshot {
        max_size: 4,
        connections: 3,
        idle_connections: 2,
    };

    #[test]
    fn requests_are_counted_by_route_and_status() {
        let metrics = Metrics::default();
        metrics.record_request("GET", "/v1/me", 200, Duration::from_millis(3));
        metrics.record_request("GET", "/v1/me", 200, Duration::from_millis(30));
        metrics.record_request("GET", "/v1/me", 401, Duration::from_millis(1));
        let text = metrics.render(POOL);
        assert!(text.contains("http_requests_total{method=\"GET\",route=\"/v1/me\",status=\"200\"} 2\n"));
        assert!(text.contains("http_requests_total{method=\"GET\",route=\"/v1/me\",status=\"401\"} 1\n"));
        assert!(
            text.contains("http_request_duration_seconds_bucket{le=\"0.005\",method=\"GET\",route=\"/v1/me\"} 2\n")
        );
        assert!(text.contains("http_request_duration_seconds_bucket{le=\"+Inf\",method=\"GET\",route=\"/v1/me\"} 3\n"));
        assert!(text.contains("http_request_duration_seconds_count{method=\"GET\",route=\"/v1/me\"} 3\n"));
    }

    #[test]
    fn pool_figures_and_waits_are_exposed() {
        let metrics = Metrics::default();
        metrics.record_pool_wait(Duration::from_millis(2), false);
        metrics.record_pool_wait(Duration::from_secs(3), true);
        let text = metrics.render(POOL);
        assert!(text.contains("db_pool_connections 3\n"));
        assert!(text.contains("db_pool_idle_connections 2\n"));
        assert!(text.contains("db_pool_wait_seconds_count 2\n"));
        assert!(text.contains("db_pool_wait_seconds_bucket{le=\"0.0025\"} 1\n"));
        assert!(text.contains("db_pool_timeouts_total 1\n"));
    }

    #[test]
    fn event_loop_connections_are_counted_while_open() {
        let metrics = Metrics::default();
        metrics.event_loop_connection_opened();
        metrics.event_loop_connection_opened();
        metrics.event_loop_connection_closed();
        assert!(metrics.render(POOL).contains("db_event_loop_connections 1\n"));
    }

    #[test]
    fn the_audit_backlog_and_lag_are_exposed() {
        let metrics = Metrics::default();
        metrics.record_sealing(5, 2, Duration::from_millis(1500));
        let text = metrics.render(POOL);
        assert!(text.contains("audit_unsealed_events 2\n"), "{text}");
        assert!(text.contains("audit_sealing_lag_seconds 1.5\n"), "{text}");
        assert!(text.contains("audit_sealed_events_total 5\n"), "{text}");
    }
}
