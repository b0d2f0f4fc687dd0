use crate::helpers::TestApp;
use serde_json::json;

#[test]
fn liveness_answers_ok_without_a_key() {
    let app = TestApp::spawn();
    let response = app.get("/health/live", None);
    assert_eq!(response.status, 200);
    assert_eq!(response.json, json!({"status": "ok"}));
}

#[test]
fn readiness_answers_ready_when_the_database_is_reachable() {
    let app = TestApp::spawn();
    let response = app.get("/health/ready", None);
    assert_eq!(response.status, 200);
    assert_eq!(response.json, json!({"status": "ready"}));
}

#[test]
fn metrics_count_requests_by_matched_route_and_status() {
    let app = TestApp::spawn();
    app.get("/v1/me", None);
    app.get("/v1/me", Some(&app.admin_key));
    let response = app.get("/metrics", None);
    assert_eq!(response.status, 200);
    assert!(
        response
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/openmetrics-text; version=1.0.0")
    );
    assert!(
        response
            .text
            .contains("http_requests_total{method=\"GET\",route=\"/v1/me\",status=\"401\"} 1\n"),
        "{}",
        response.text
    );
    assert!(
        response
            .text
            .contains("http_requests_total{method=\"GET\",route=\"/v1/me\",status=\"200\"} 1\n")
    );
    assert!(
        response
            .text
            .contains("http_request_duration_seconds_count{method=\"GET\",route=\"/v1/me\"} 2\n")
    );
    assert!(response.text.contains("db_pool_max_connections 2\n"));
    assert!(response.text.contains("db_pool_wait_seconds_count"));
}

#[test]
fn a_request_id_sent_by_the_client_comes_back_beside_the_services_own() {
    let app = TestApp::spawn();
    let response = app.send_unchecked("GET", "/health/live", &[("X-Request-Id", "trace-42")], None, None, b"");
    assert_eq!(response.header("x-client-request-id"), Some("trace-42"));
    let own = response.header("x-request-id").expect("the service's id");
    assert!(uuid::Uuid::parse_str(own).is_ok(), "{own}");
}

#[test]
fn a_request_without_an_id_gets_a_generated_one() {
    let app = TestApp::spawn();
    let response = app.get("/health/live", None);
    let id = response.header("x-request-id").expect("a request id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[test]
fn an_unprintable_request_id_is_replaced() {
    let app = TestApp::spawn();
    let long = "x".repeat(200);
    let response = app.send_unchecked("GET", "/health/live", &[("X-Request-Id", &long)], None, None, b"");
    assert_eq!(response.header("x-client-request-id"), None);
    assert!(response.header("x-request-id").is_some_and(|id| id != long));
}

#[test]
fn refused_requests_are_counted_by_status_in_the_metrics() {
    let app = TestApp::spawn();
    let (_, exporter) = app.exporter_with_key("0312345678");
    assert_eq!(app.get("/v1/me", None).status, 401);
    assert_eq!(
        app.get("/v1/me", Some("aq_not_a_real_key_at_all_000000000000000"))
            .status,
        401
    );
    assert_eq!(app.get("/v1/organizations", Some(&exporter)).status, 403);
    let metrics = app.get("/metrics", None).text;
    assert!(
        metrics.contains("http_denied_requests_total{status=\"401\"} 2\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("http_denied_requests_total{status=\"403\"} 1\n"),
        "{metrics}"
    );
}
