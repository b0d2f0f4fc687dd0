//! Prometheus metrics kept in memory by the service itself: request counts by route and
//! status, request latency by route, and connection-pool waits. The exposition text format is
//! simple enough that an exporter crate would add more than it saves.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bucket, bound) in self.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let separator = if labels.is_empty() { "" } else { "," };
        for (bucket, bound) in self.counts.iter().zip(BUCKETS) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{separator}le=\"{bound}\"}} {bucket}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}{separator}le=\"+Inf\"}} {}", self.count);
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

/// Connection-pool figures read at scrape time.
#[derive(Debug, Clone, Copy)]
pub struct PoolSnapshot {
    pub max_size: u32,
    pub connections: u32,
    pub idle_connections: u32,
}

#[derive(Debug, Default)]
struct Requests {
    /// (method, route, status) → count
    counts: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → latency
    latency: BTreeMap<(String, String), Histogram>,
}

/// All metrics of one running service.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<Requests>,
    pool_wait: Mutex<Histogram>,
    pool_timeouts: AtomicU64,
}

impl Metrics {
    /// Records one finished request. `route` is the matched pattern (for example
    /// `/v1/organizations/{id}`), never the raw path, to keep the label set bounded.
    pub fn record_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .counts
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
            requests
                .latency
                .entry((method.to_owned(), route.to_owned()))
                .or_default()
                .observe(elapsed.as_secs_f64());
        }
    }

    /// Records how long a request waited for a database connection.
    pub fn record_pool_wait(&self, waited: Duration, timed_out: bool) {
        if let Ok(mut histogram) = self.pool_wait.lock() {
            histogram.observe(waited.as_secs_f64());
        }
        if timed_out {
            self.pool_timeouts.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The Prometheus text exposition (version 0.0.4).
    pub fn render(&self, pool: PoolSnapshot) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP http_requests_total HTTP requests by method, matched route and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), count) in &requests.counts {
                let _ = writeln!(
                    out,
                    "http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                    escape_label(route)
                );
            }
            out.push_str(
                "# HELP http_request_duration_seconds Time from request to response, by method and matched route.\n",
            );
            out.push_str("# TYPE http_request_duration_seconds histogram\n");
            for ((method, route), histogram) in &requests.latency {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape_label(route));
                histogram.render(&mut out, "http_request_duration_seconds", &labels);
            }
        }
        out.push_str("# HELP db_pool_max_connections Configured size of the database connection pool.\n");
        out.push_str("# TYPE db_pool_max_connections gauge\n");
        let _ = writeln!(out, "db_pool_max_connections {}", pool.max_size);
        out.push_str("# HELP db_pool_connections Open database connections.\n");
        out.push_str("# TYPE db_pool_connections gauge\n");
        let _ = writeln!(out, "db_pool_connections {}", pool.connections);
        out.push_str("# HELP db_pool_idle_connections Open database connections not in use.\n");
        out.push_str("# TYPE db_pool_idle_connections gauge\n");
        let _ = writeln!(out, "db_pool_idle_connections {}", pool.idle_connections);
        out.push_str("# HELP db_pool_wait_seconds Time spent waiting for a database connection.\n");
        out.push_str("# TYPE db_pool_wait_seconds histogram\n");
        if let Ok(histogram) = self.pool_wait.lock() {
            histogram.render(&mut out, "db_pool_wait_seconds", "");
        }
        out.push_str(
            "# HELP db_pool_timeouts_total Requests that got no database connection within the pool timeout.\n",
        );
        out.push_str("# TYPE db_pool_timeouts_total counter\n");
        let _ = writeln!(
            out,
            "db_pool_timeouts_total {}",
            self.pool_timeouts.load(Ordering::Relaxed)
        );
        out
    }
}

fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
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
            text.contains("http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/me\",le=\"0.005\"} 2\n")
        );
        assert!(text.contains("http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/me\",le=\"+Inf\"} 3\n"));
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
}
