//! Organisation routes (admin only).

use super::authentication::Caller;
use super::idempotency::Idempotent;
use super::json_body::read_json_keeping_bytes;
use super::paging::page_params;
use super::paging::query_string;
use crate::domain::authz::Action;
use crate::domain::organization::{OrganizationKind, OrganizationRequest, validate_new_organization};
use crate::domain::pagination::TimeIdCursor;
use crate::error::ApiError;
use crate::service;
use crate::service::idempotency::Reply;
use crate::service::input::not_null;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganizationRequest {
    #[validate(length(min = 1, max = 20))]
    pub kind: String,
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    #[validate(length(min = 1, max = 20))]
    #[serde(default, deserialize_with = "not_null")]
    pub tax_code: Option<String>,
    #[validate(length(min = 1, max = 10))]
    #[serde(default, deserialize_with = "not_null")]
    pub authority: Option<String>,
    #[validate(length(min = 1, max = 500))]
    #[serde(default, deserialize_with = "not_null")]
    pub address: Option<String>,
    #[validate(length(min = 1, max = 100))]
    #[serde(default, deserialize_with = "not_null")]
    pub province: Option<String>,
}

pub async fn create(
    caller: Caller,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageOrganizations)?;
    let (body, bytes): (CreateOrganizationRequest, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let valid = validate_new_organization(&OrganizationRequest {
        kind: body.kind,
        name: body.name,
        tax_code: body.tax_code,
        address: body.address,
        province: body.province,
        authority: body.authority,
    })
    .map_err(ApiError::Validation)?;
    let actor = caller.actor();
    idempotent
        .transaction(&state, move |connection| {
            let created = service::organizations::create(connection, &actor, valid)?;
            Ok(Reply::json(201, &created)?.with_location(format!("/v1/organizations/{}", created.id)))
        })
        .await
}

pub async fn show(caller: Caller, id: web::Path<Uuid>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageOrganizations)?;
    let id = id.into_inner();
    let organization = state
        .db
        .run(move |connection| service::organizations::get(connection, id))
        .await?;
    Ok(HttpResponse::Ok().json(organization))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListOrganizationsQuery {
    pub kind: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn list(caller: Caller, request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageOrganizations)?;
    let query: ListOrganizationsQuery = query_string(&request)?;
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), TimeIdCursor::decode)?;
    let kind = match query.kind {
        None => None,
        Some(text) => Some(
            OrganizationKind::parse(&text)
                .ok_or_else(|| {
                    ApiError::invalid(crate::domain::field_violation::FieldViolation::new(
                        "/kind",
                        "unknown_value",
                        "The kind filter must be operator, exporter or authority.",
                    ))
                })?
                .as_str(),
        ),
    };
    let page = state
        .db
        .run(move |connection| service::organizations::list(connection, kind, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
