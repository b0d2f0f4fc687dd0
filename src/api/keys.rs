//! API key routes (admin only).

use super::authentication::Caller;
use super::idempotency::idempotency_key;
use super::json_body::read_json;
use super::paging::page_params;
use super::paging::query_string;
use crate::domain::api_key::Role;
use crate::domain::authz::Action;
use crate::domain::field_violation::FieldViolation;
use crate::domain::invalidation::Invalidation;
use crate::domain::pagination::TimeIdCursor;
use crate::error::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    #[validate(length(min = 1, max = 20))]
    pub role: String,
    #[validate(length(min = 1, max = 100))]
    pub label: String,
}

pub async fn create(
    caller: Caller,
    organization_id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageApiKeys)?;
    if idempotency_key(&request)?.is_some() {
        // Replaying would mean storing the secret; it is shown once and never kept.
        return Err(ApiError::BadRequest {
            code: "idempotency_not_supported",
            detail: "A key's secret is never stored, so its creation cannot be replayed: send no Idempotency-Key, and if the response is lost, revoke the key (it is listed with its label) and issue another.".to_owned(),
        });
    }
    let body: CreateApiKeyRequest = read_json(&request, payload).await?;
    let role = Role::parse(&body.role).ok_or_else(|| {
        ApiError::invalid(FieldViolation::new(
            "/role",
            "unknown_value",
            "The role must be admin, exporter or inspector.",
        ))
    })?;
    let label = body.label.trim().to_owned();
    if label.is_empty() {
        return Err(ApiError::invalid(FieldViolation::new(
            "/label",
            "required",
            "Give the key a label that says who or what uses it.",
        )));
    }
    let organization_id = organization_id.into_inner();
    let actor = caller.actor();
    let created = state
        .db
        .transaction(move |connection| service::api_keys::create(connection, &actor, organization_id, role, label))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListKeysQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn list(
    caller: Caller,
    organization_id: web::Path<Uuid>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageApiKeys)?;
    let query: ListKeysQuery = query_string(&request)?;
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), TimeIdCursor::decode)?;
    let organization_id = organization_id.into_inner();
    let page = state
        .db
        .run(move |connection| service::api_keys::list_for_organization(connection, organization_id, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn revoke(caller: Caller, id: web::Path<Uuid>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageApiKeys)?;
    let id = id.into_inner();
    let actor = caller.actor();
    let revoked = state
        .db
        .transaction(move |connection| service::api_keys::revoke(connection, &actor, id))
        .await?;
    // Other instances forget through the notification; this one at once.
    state.caches.apply(&Invalidation::ApiKey(id));
    Ok(HttpResponse::Ok().json(revoked))
}
