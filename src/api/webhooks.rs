//! Webhook endpoints and their deliveries. Every role registers endpoints for its own
//! organisation; admins for any organisation, and they see every endpoint.

use super::authentication::Caller;
use super::idempotency::idempotency_key;
use super::json_body::read_json;
use super::paging::{page_params, query_string};
use crate::domain::api_key::Role;
use crate::domain::audit::AuditAction;
use crate::domain::authz::Action;
use crate::domain::event_feed::EVENT_TYPES;
use crate::domain::field_violation::FieldViolation;
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
pub struct CreateEndpointRequest {
    #[validate(length(min = 10, max = 2000))]
    pub url: String,
    /// Every type when absent or empty.
    #[serde(default)]
    #[validate(length(max = 9))]
    pub event_types: Vec<String>,
    /// Admins only: whose endpoint it is.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
}

/// The organisation a caller acts for: its own, or for an admin every organisation (`None`).
fn scope(caller: &Caller) -> Option<Uuid> {
    (caller.principal.role != Role::Admin).then_some(caller.principal.organization_id)
}

fn event_types(items: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut violations = Vec::new();
    let mut types = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match AuditAction::parse(item.trim()).filter(|action| EVENT_TYPES.contains(action)) {
            Some(action) if !types.contains(&action.as_str().to_owned()) => types.push(action.as_str().to_owned()),
            Some(_) => {}
            None => violations.push(FieldViolation::new(
                format!("/event_types/{index}"),
                "unknown_value",
                format!("{item} is not an event type; see GET /v1/events for the types."),
            )),
        }
    }
    if violations.is_empty() {
        Ok(types)
    } else {
        Err(ApiError::Validation(violations))
    }
}

pub async fn create(
    caller: Caller,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    refuse_idempotency_key(&request)?;
    let body: CreateEndpointRequest = read_json(&request, payload).await?;
    let organization_id = match (scope(&caller), body.organization_id) {
        (Some(own), None) => own,
        (None, Some(chosen)) => chosen,
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(FieldViolation::new(
                "/organization_id",
                "admins_only",
                "Endpoints are registered for your own organisation; remove this field.",
            )));
        }
        (None, None) => {
            return Err(ApiError::invalid(FieldViolation::new(
                "/organization_id",
                "required_for_admins",
                "An admin names the organisation whose events the endpoint receives.",
            )));
        }
    };
    let types = event_types(body.event_types)?;
    let url = body.url.trim().to_owned();
    let config = state.config.clone();
    let checked = url.clone();
    // Resolving the host may take a moment: off the async workers.
    let refused = web::block(move || service::webhooks::refusal(&checked, &config))
        .await
        .map_err(|error| anyhow::anyhow!("the URL check did not finish: {error}"))?;
    if let Some(reason) = refused {
        return Err(ApiError::invalid(FieldViolation::new(
            "/url",
            "url_not_allowed",
            reason,
        )));
    }
    let actor = caller.actor();
    let created = state
        .db
        .transaction(move |connection| service::webhooks::create(connection, &actor, organization_id, url, types))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn list(caller: Caller, request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    let query: PageQuery = query_string(&request)?;
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), TimeIdCursor::decode)?;
    let organization_id = scope(&caller);
    let page = state
        .db
        .run(move |connection| service::webhooks::list(connection, organization_id, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn delete(caller: Caller, id: web::Path<Uuid>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    let (id, organization_id, actor) = (id.into_inner(), scope(&caller), caller.actor());
    state
        .db
        .transaction(move |connection| service::webhooks::delete(connection, &actor, id, organization_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn retry(caller: Caller, id: web::Path<Uuid>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    let (id, organization_id) = (id.into_inner(), scope(&caller));
    let endpoint = state
        .db
        .run(move |connection| service::webhooks::retry(connection, id, organization_id))
        .await?;
    Ok(HttpResponse::Ok().json(endpoint))
}

pub async fn rotate_secret(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    refuse_idempotency_key(&request)?;
    let (id, organization_id, actor) = (id.into_inner(), scope(&caller), caller.actor());
    let rotated = state
        .db
        .transaction(move |connection| service::webhooks::rotate_secret(connection, &actor, id, organization_id))
        .await?;
    Ok(HttpResponse::Ok().json(rotated))
}

/// A secret is shown once and a replay would have to store it.
fn refuse_idempotency_key(request: &HttpRequest) -> Result<(), ApiError> {
    if idempotency_key(request)?.is_some() {
        return Err(ApiError::BadRequest {
            code: "idempotency_not_supported",
            detail: "A webhook secret is shown once and a replay would have to store it: send no Idempotency-Key. If the response is lost, rotate the secret again (or delete the endpoint and register it again).".to_owned(),
        });
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    pub endpoint_id: Option<Uuid>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn deliveries(
    caller: Caller,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    let query: DeliveriesQuery = query_string(&request)?;
    let (limit, before) = page_params(query.limit, query.cursor.as_deref(), TimeIdCursor::decode)?;
    let (organization_id, endpoint_id) = (scope(&caller), query.endpoint_id);
    let page = state
        .db
        .run(move |connection| service::webhooks::attempts(connection, organization_id, endpoint_id, before, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
