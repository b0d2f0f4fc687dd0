//! Consignment routes for exporters.

use super::authentication::Caller;
use super::idempotency::Idempotent;
use super::idempotency::idempotency_key;
use super::json_body::read_json_bytes;
use super::paging::query_string;
use super::paging::{page_params, valid_query};
use crate::domain::api_key::Role;
use crate::domain::authz::Action;
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::consignment::status::ConsignmentStatus;
use crate::domain::field_violation::FieldViolation;
use crate::domain::pagination::TimeIdCursor;
use crate::domain::protocol::ProtocolCode;
use crate::error::{ApiError, version_tag};
use crate::service::consignment_dossier::{self, ConsignmentReader};
use crate::service::consignments::ConsignmentFilter;
use crate::service::consignments::{self, Created, declaration, replay, request_fingerprint};
use crate::service::idempotency::Reply;
use crate::service::input::{parse_json, parse_value};
use crate::service::inspector::Inspector;
use crate::state::{AppState, WorkerState};
use actix_web::http::header::{ContentType, ETAG, HeaderValue, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;
use validator::Validate;

/// `None` for `If-Match: *`; the version for `"vN"`.
fn if_match(request: &HttpRequest) -> Result<Option<Option<i32>>, ApiError> {
    let Some(value) = request.headers().get("if-match") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(Some(None));
    }
    let version = text
        .strip_prefix("\"v")
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(|number| number.parse::<i32>().ok());
    match version {
        Some(version) => Ok(Some(Some(version))),
        None => Err(ApiError::PreconditionFailed {
            detail: format!("If-Match {text} is not an ETag of this service (\"vN\")."),
        }),
    }
}

fn with_etag(mut builder: actix_web::HttpResponseBuilder, version: i32, body: Value) -> HttpResponse {
    tag(&mut builder, version);
    builder.json(body)
}

fn tag(builder: &mut actix_web::HttpResponseBuilder, version: i32) {
    if let Ok(value) = HeaderValue::from_str(&version_tag(version)) {
        builder.insert_header((ETAG, value));
    }
}

fn created_response(body: Value) -> HttpResponse {
    let id = body.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let version = body
        .get("version")
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or(1);
    let mut builder = HttpResponse::Created();
    builder.insert_header((LOCATION, format!("/v1/consignments/{id}")));
    with_etag(builder, version, body)
}

pub async fn create(
    caller: Caller,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::DeclareConsignments)?;
    let key = idempotency_key(&request)?;
    let bytes = read_json_bytes(&request, payload).await?;
    // The fingerprint matches a repeated key to its first body; without a key it is not needed.
    let keyed = match key {
        Some(key) => Some((key, request_fingerprint(&parse_value(&bytes)?))),
        None => None,
    };
    let organization_id = caller.principal.organization_id;
    let body: ConsignmentBody = match parse_json(&bytes) {
        Ok(body) => body,
        Err(error) => {
            // A key already used with another body is reported as such, whatever this body's shape.
            if let Some((key, fingerprint)) = keyed {
                state
                    .db
                    .run(move |connection| replay(connection, organization_id, &key, &fingerprint))
                    .await?;
            }
            return Err(error);
        }
    };
    let declaration = declaration(body)?;
    let actor = caller.actor();
    let creation = consignments::creation(&actor, organization_id, declaration, keyed.clone())?;
    let outcome = match WorkerState::loop_pool(&request) {
        Some(pool) => {
            pool.run(async |connection| consignments::create_on_loop(connection, &actor, creation).await)
                .await
        }
        None => {
            state
                .db
                .run(move |connection| consignments::create(connection, &actor, creation))
                .await
        }
    };
    let created = match (outcome, keyed) {
        (Err(ApiError::IdempotencyKeyInUse), Some((key, fingerprint))) => {
            // The key was used before, or by a concurrent duplicate that committed first:
            // answer with that response (or 422 if the bodies differ).
            state
                .db
                .run(move |connection| replay(connection, organization_id, &key, &fingerprint))
                .await?
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("idempotency key vanished after a conflict")))?
        }
        (outcome, _) => outcome?,
    };
    Ok(match created {
        Created::New(body) | Created::Replayed(body) => created_response(body),
    })
}

/// Exporters read their own consignment; inspectors of the competent authority and admins read
/// any submitted one with its dossier.
pub async fn show(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ReadConsignments)?;
    let reader = match caller.role() {
        Role::Exporter => return show_own(caller.principal.organization_id, *id, &request, &state).await,
        Role::Inspector => ConsignmentReader::Inspector(Inspector {
            actor: caller.actor(),
            organization_id: caller.principal.organization_id,
        }),
        Role::Admin => ConsignmentReader::Admin,
    };
    let (id, versions) = (id.into_inner(), state.protocols.clone());
    let (body, version) = state
        .db
        .run(move |connection| consignment_dossier::read(connection, &reader, &versions, id))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), version, body))
}

/// An exporter's read of its own consignment: the most frequent request, answered with the
/// stored declaration's text as it is (`consignments::view_text`).
async fn show_own(
    organization_id: Uuid,
    id: Uuid,
    request: &HttpRequest,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let (body, version) = match WorkerState::loop_pool(request) {
        Some(reads) => {
            reads
                .read(async |connection| consignment_dossier::read_own_on_loop(connection, organization_id, id).await)
                .await?
        }
        None => {
            state
                .db
                .run(move |connection| consignment_dossier::read_own(connection, organization_id, id))
                .await?
        }
    };
    let mut builder = HttpResponse::Ok();
    tag(&mut builder, version);
    Ok(builder.content_type(ContentType::json()).body(body))
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    pub protocol: Option<String>,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub departure_from: Option<NaiveDate>,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub departure_to: Option<NaiveDate>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn list(caller: Caller, request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::DeclareConsignments)?;
    let query: ListQuery = query_string(&request)?;
    valid_query(&query)?;
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), TimeIdCursor::decode)?;
    let status = query
        .status
        .as_deref()
        .map(|status| {
            ConsignmentStatus::parse(status).ok_or_else(|| {
                ApiError::invalid(FieldViolation::new(
                    "/status",
                    "unknown_value",
                    format!("{status} is not a consignment status."),
                ))
            })
        })
        .transpose()?;
    let protocol = query
        .protocol
        .as_deref()
        .map(|protocol| {
            ProtocolCode::parse(protocol).ok_or_else(|| {
                ApiError::invalid(FieldViolation::new(
                    "/protocol",
                    "unknown_value",
                    format!("{protocol} is not a protocol code."),
                ))
            })
        })
        .transpose()?;
    let filter = ConsignmentFilter {
        status,
        protocol,
        departure_from: query.departure_from,
        departure_to: query.departure_to,
    };
    let organization_id = caller.principal.organization_id;
    let page = state
        .db
        .run(move |connection| consignments::list(connection, organization_id, &filter, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn update(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::DeclareConsignments)?;
    let expected = if_match(&request)?.ok_or(ApiError::PreconditionRequired {
        detail: "Send If-Match with the ETag you last read, so a concurrent change is not overwritten.",
    })?;
    let patch = parse_value(&read_json_bytes(&request, payload).await?)?;
    if !patch.is_object() {
        return Err(ApiError::invalid(FieldViolation::new(
            "",
            "invalid_type",
            "A merge patch is a JSON object.",
        )));
    }
    let (organization_id, id, actor) = (caller.principal.organization_id, id.into_inner(), caller.actor());
    let (body, version) = state
        .db
        .transaction(move |connection| {
            let current = match expected {
                Some(version) => version,
                None => consignments::get(connection, organization_id, id)?.1,
            };
            consignments::patch(connection, &actor, organization_id, id, current, &patch)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), version, body))
}

pub async fn check(caller: Caller, id: web::Path<Uuid>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::DeclareConsignments)?;
    let (organization_id, id, versions) = (
        caller.principal.organization_id,
        id.into_inner(),
        state.protocols.clone(),
    );
    let report = state
        .db
        .run(move |connection| consignments::check_stored(connection, &versions, organization_id, id))
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

pub async fn check_unsaved(
    caller: Caller,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::DeclareConsignments)?;
    let body: ConsignmentBody = parse_json(&read_json_bytes(&request, payload).await?)?;
    let declaration = declaration(body)?;
    let (organization_id, versions) = (caller.principal.organization_id, state.protocols.clone());
    let report = state
        .db
        .run(move |connection| {
            crate::service::compliance::run(
                connection,
                &versions,
                declaration.protocol,
                &declaration.body,
                organization_id,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

pub async fn submit(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::DeclareConsignments)?;
    let expected = if_match(&request)?.flatten();
    let (organization_id, id, actor, versions) = (
        caller.principal.organization_id,
        id.into_inner(),
        caller.actor(),
        state.protocols.clone(),
    );
    Idempotent::new(&request, organization_id, b"")?
        .transaction(&state, move |connection| {
            let (body, version) = consignments::submit(connection, &actor, &versions, organization_id, id, expected)?;
            Ok(Reply::new(200, body).with_etag(version_tag(version)))
        })
        .await
}

pub async fn cancel(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::DeclareConsignments)?;
    let (organization_id, id, actor) = (caller.principal.organization_id, id.into_inner(), caller.actor());
    Idempotent::new(&request, organization_id, b"")?
        .transaction(&state, move |connection| {
            let (body, version) = consignments::cancel(connection, &actor, organization_id, id)?;
            Ok(Reply::new(200, body).with_etag(version_tag(version)))
        })
        .await
}
