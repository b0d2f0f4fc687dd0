//! Unauthenticated operational routes: liveness, readiness, metrics and the contract.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// The OpenAPI contract, compiled into the binary so it always matches the running code.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// The process is up and serving.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers within the pool timeout; 503 otherwise.
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.ping().await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(crate::telemetry::metrics::CONTENT_TYPE)
        .body(state.metrics.render(state.db.pool_snapshot()))
}

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml; charset=utf-8")
        .body(OPENAPI_YAML)
}
