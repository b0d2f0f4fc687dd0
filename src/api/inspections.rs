//! Inspector routes: the queue, inspections and decisions.

use super::authentication::Caller;
use super::idempotency::Idempotent;
use super::json_body::read_json_keeping_bytes;
use super::paging::page_params;
use super::paging::query_string;
use crate::domain::authz::Action;
use crate::domain::calendar::vietnam_date;
use crate::domain::consignment::status::{Decision, RejectionReason};
use crate::domain::field_violation::FieldViolation;
use crate::domain::inspection::InspectionInput;
use crate::domain::pagination::TimeIdCursor;
use crate::error::ApiError;
use crate::service::idempotency::Reply;
use crate::service::inspections::{self, Signatory};
use crate::service::inspector::Inspector;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;
use validator::Validate;

/// The caller as an inspector. The role is checked at once; the authority is read inside the
/// request's own database work, so an inspector's request takes one pooled connection, not two.
pub fn inspector(caller: &Caller) -> Result<Inspector, ApiError> {
    caller.require(Action::Inspect)?;
    Ok(Inspector {
        actor: caller.actor(),
        organization_id: caller.principal.organization_id,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn queue(caller: Caller, request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let inspector = inspector(&caller)?;
    let query: QueueQuery = query_string(&request)?;
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), TimeIdCursor::decode)?;
    let page = state
        .db
        .run(move |connection| {
            let context = inspector.context(connection)?;
            inspections::queue(connection, &context, after.map(|c| (c.created_at, c.id)), limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn inspect(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let inspector = inspector(&caller)?;
    let (input, bytes): (InspectionInput, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let (id, versions) = (id.into_inner(), state.protocols.clone());
    idempotent
        .transaction(&state, move |connection| {
            let context = inspector.context(connection)?;
            let inspection = inspections::record_inspection(connection, &context, &versions, id, input)?;
            Reply::json(201, &inspection)
        })
        .await
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// Name of the authorised officer, as printed on the certificate.
    #[validate(length(min = 1, max = 200))]
    pub authorized_officer: String,
    #[validate(length(min = 1, max = 200))]
    pub place_of_issue: String,
}

pub async fn approve(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let inspector = inspector(&caller)?;
    let (body, bytes): (ApproveBody, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let (id, versions, signer) = (id.into_inner(), state.protocols.clone(), state.signer.clone());
    let today = vietnam_date(Utc::now());
    idempotent
        .transaction(&state, move |connection| {
            let context = inspector.context(connection)?;
            let signatory = Signatory {
                officer: body.authorized_officer.trim().to_owned(),
                place_of_issue: body.place_of_issue.trim().to_owned(),
                today,
            };
            let outcome = inspections::approve(connection, &context, &versions, &signer, id, signatory)?;
            Reply::json(200, &outcome)
        })
        .await
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    #[validate(length(min = 1, max = 60))]
    pub reason_code: String,
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
}

pub async fn reject(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let inspector = inspector(&caller)?;
    let (body, bytes): (RejectBody, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let reason_code = RejectionReason::parse(&body.reason_code).ok_or_else(|| {
        ApiError::invalid(FieldViolation::new(
            "/reason_code",
            "unknown_value",
            format!("The reason code must be one of: {}.", RejectionReason::TEXTS.join(", ")),
        ))
    })?;
    let id = id.into_inner();
    idempotent
        .transaction(&state, move |connection| {
            let context = inspector.context(connection)?;
            let outcome = inspections::reject_or_return(
                connection,
                &context,
                id,
                Decision::Reject,
                Some(reason_code),
                body.reason,
            )?;
            Reply::json(200, &outcome)
        })
        .await
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    /// What the exporter must correct.
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
}

pub async fn return_for_correction(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let inspector = inspector(&caller)?;
    let (body, bytes): (ReturnBody, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let id = id.into_inner();
    idempotent
        .transaction(&state, move |connection| {
            let context = inspector.context(connection)?;
            let outcome = inspections::reject_or_return(connection, &context, id, Decision::Return, None, body.reason)?;
            Reply::json(200, &outcome)
        })
        .await
}
