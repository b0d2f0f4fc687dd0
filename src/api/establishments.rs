//! Establishment registry routes: reads for any key, writes for admins.

use super::authentication::Caller;
use super::idempotency::Idempotent;
use super::json_body::{read_json, read_json_keeping_bytes};
use super::paging::{page_params, valid_query};
use crate::domain::authz::Action;
use crate::domain::calendar::vietnam_date;
use crate::domain::establishment::{Commodity, EstablishmentInput, EstablishmentKind, validate_establishment};
use crate::domain::field_violation::FieldViolation;
use crate::domain::pagination::KindCodeCursor;
use crate::domain::registry_status::RegistryStatus;
use crate::error::ApiError;
use crate::service::establishments::EstablishmentFilter;
use crate::service::establishments::{self, AuthorizationRequest, EstablishmentPatch, StatusChange};
use crate::service::idempotency::Reply;
use crate::service::input::not_null;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;
use validator::Validate;

/// Distinguishes an absent field (`None`) from an explicit null (`Some(None)`).
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn kind_from_path(text: &str) -> Result<EstablishmentKind, ApiError> {
    EstablishmentKind::parse(text).ok_or_else(|| {
        ApiError::not_found("The kind must be orchard, packing_house, processing_plant, crocodile_farm or laboratory.")
    })
}

fn unknown(pointer: &str, message: &str) -> ApiError {
    ApiError::invalid(FieldViolation::new(pointer, "unknown_value", message))
}

#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SourceBody {
    #[validate(length(min = 1, max = 300))]
    pub list: String,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub date: NaiveDate,
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateEstablishmentRequest {
    #[validate(length(min = 1, max = 30))]
    pub kind: String,
    #[validate(length(min = 1, max = 60))]
    pub code: String,
    #[validate(length(min = 1, max = 300))]
    pub name: String,
    #[validate(length(min = 1, max = 500))]
    pub address: String,
    #[validate(length(min = 1, max = 100))]
    #[serde(default, deserialize_with = "not_null")]
    pub province: Option<String>,
    #[validate(length(min = 1, max = 3))]
    pub commodities: Vec<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub holder_organization_id: Option<Uuid>,
    #[serde(default, deserialize_with = "not_null")]
    pub area_hectares: Option<f64>,
    #[validate(length(min = 1, max = 100))]
    #[serde(default, deserialize_with = "not_null")]
    pub cites_registration: Option<String>,
    #[validate(length(max = 2))]
    #[serde(default)]
    pub scopes: Vec<String>,
    #[validate(nested)]
    pub source: SourceBody,
}

pub async fn create(
    caller: Caller,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageRegistry)?;
    let (body, bytes): (CreateEstablishmentRequest, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let input = EstablishmentInput {
        kind: body.kind,
        code: body.code,
        name: body.name,
        address: body.address,
        province: body.province,
        commodities: body.commodities,
        holder_organization_id: body.holder_organization_id,
        area_hectares: body.area_hectares,
        cites_registration: body.cites_registration,
        scopes: body.scopes,
        source_list: body.source.list,
        source_date: Some(body.source.date),
    };
    let draft = validate_establishment(&input, &state.config.code_patterns, "").map_err(ApiError::Validation)?;
    let actor = caller.actor();
    idempotent
        .transaction(&state, move |connection| {
            let created = establishments::create(connection, &actor, draft)?;
            let location = format!("/v1/establishments/{}/{}", created.kind, created.code);
            Ok(Reply::json(201, &created)?.with_location(location))
        })
        .await
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ShowQuery {
    /// The day whose status to report; today in Vietnam when absent.
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub on: Option<NaiveDate>,
}

pub async fn show(
    _caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<ShowQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    valid_query(&*query)?;
    let (kind, code) = path.into_inner();
    let kind = kind_from_path(&kind)?;
    let on = query.on.unwrap_or_else(|| vietnam_date(Utc::now()));
    let detail = state
        .db
        .run(move |connection| establishments::detail(connection, kind, &code, on))
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct PatchEstablishmentRequest {
    #[validate(length(min = 1, max = 300))]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 500))]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub province: Option<Option<String>>,
    #[validate(length(min = 1, max = 3))]
    pub commodities: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub holder_organization_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    pub area_hectares: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub cites_registration: Option<Option<String>>,
    #[validate(length(max = 2))]
    pub scopes: Option<Vec<String>>,
    #[validate(nested)]
    pub source: Option<SourceBody>,
}

pub async fn update(
    caller: Caller,
    path: web::Path<(String, String)>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageRegistry)?;
    let (kind, code) = path.into_inner();
    let kind = kind_from_path(&kind)?;
    let body: PatchEstablishmentRequest = read_json(&request, payload).await?;
    let patch = EstablishmentPatch {
        name: body.name,
        address: body.address,
        province: body.province,
        commodities: body.commodities,
        holder_organization_id: body.holder_organization_id,
        area_hectares: body.area_hectares,
        cites_registration: body.cites_registration,
        scopes: body.scopes,
        source: body.source.map(|source| (source.list, source.date)),
    };
    let actor = caller.actor();
    let config = state.config.clone();
    let updated = state
        .db
        .transaction(move |connection| {
            establishments::patch(connection, &actor, &config.code_patterns, kind, &code, patch)
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    #[validate(length(min = 1, max = 20))]
    pub status: String,
    /// The commodities concerned; all of the establishment's when absent or empty.
    #[validate(length(max = 3))]
    #[serde(default)]
    pub commodities: Vec<String>,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub effective_from: NaiveDate,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub effective_until: Option<NaiveDate>,
    #[validate(length(max = 1000))]
    #[serde(default, deserialize_with = "not_null")]
    pub reason: Option<String>,
    #[validate(length(min = 1, max = 300))]
    pub reference: String,
}

pub async fn add_status_change(
    caller: Caller,
    path: web::Path<(String, String)>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageRegistry)?;
    let (kind, code) = path.into_inner();
    let kind = kind_from_path(&kind)?;
    let (body, bytes): (StatusChangeRequest, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let status = RegistryStatus::parse(&body.status)
        .ok_or_else(|| unknown("/status", "The status must be approved, suspended or revoked."))?;
    let mut commodities = Vec::with_capacity(body.commodities.len());
    for (index, text) in body.commodities.iter().enumerate() {
        commodities.push(Commodity::parse(text).ok_or_else(|| {
            unknown(
                &format!("/commodities/{index}"),
                "A commodity is durian, coconut or crocodile.",
            )
        })?);
    }
    let change = StatusChange {
        status,
        commodities,
        effective_from: body.effective_from,
        effective_until: body.effective_until,
        reason: body
            .reason
            .map(|reason| reason.trim().to_owned())
            .filter(|reason| !reason.is_empty()),
        reference: body.reference.trim().to_owned(),
    };
    let actor = caller.actor();
    idempotent
        .transaction(&state, move |connection| {
            let periods = establishments::add_status_change(connection, &actor, kind, &code, change)?;
            Reply::json(201, &Items { items: periods })
        })
        .await
}

/// A list answered whole, without paging.
#[derive(Debug, Serialize)]
struct Items<T> {
    items: Vec<T>,
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationBody {
    pub authorized_organization_id: Uuid,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub valid_from: NaiveDate,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub valid_until: NaiveDate,
    #[validate(length(min = 1, max = 300))]
    pub document_reference: String,
}

pub async fn add_authorization(
    caller: Caller,
    path: web::Path<(String, String)>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageRegistry)?;
    let (kind, code) = path.into_inner();
    let kind = kind_from_path(&kind)?;
    let (body, bytes): (AuthorizationBody, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let authorization = AuthorizationRequest {
        authorized_organization_id: body.authorized_organization_id,
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        document_reference: body.document_reference.trim().to_owned(),
    };
    let actor = caller.actor();
    idempotent
        .transaction(&state, move |connection| {
            let created = establishments::add_authorization(connection, &actor, kind, &code, authorization)?;
            Reply::json(201, &created)
        })
        .await
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ListEstablishmentsQuery {
    pub kind: Option<String>,
    pub commodity: Option<String>,
    pub province: Option<String>,
    pub status: Option<String>,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub on: Option<NaiveDate>,
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn list(
    _caller: Caller,
    query: web::Query<ListEstablishmentsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    valid_query(&query)?;
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), KindCodeCursor::decode)?;
    let kind = query
        .kind
        .as_deref()
        .map(|text| {
            EstablishmentKind::parse(text).ok_or_else(|| {
                unknown(
                    "/kind",
                    "The kind must be orchard, packing_house, processing_plant, crocodile_farm or laboratory.",
                )
            })
        })
        .transpose()?;
    let commodity = query
        .commodity
        .as_deref()
        .map(|text| {
            Commodity::parse(text).ok_or_else(|| unknown("/commodity", "A commodity is durian, coconut or crocodile."))
        })
        .transpose()?;
    let status = query
        .status
        .as_deref()
        .map(|text| {
            RegistryStatus::parse(text)
                .ok_or_else(|| unknown("/status", "The status must be approved, suspended or revoked."))
        })
        .transpose()?;
    if status.is_some() && commodity.is_none() {
        return Err(ApiError::invalid(FieldViolation::new(
            "/commodity",
            "required_with_status",
            "Status is kept per commodity: say which commodity the status filter is for.",
        )));
    }
    if query.on.is_some() && status.is_none() {
        return Err(ApiError::invalid(FieldViolation::new(
            "/on",
            "requires_status",
            "The on date only applies to a status filter; add status.",
        )));
    }
    let text = query
        .q
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    if text.as_ref().is_some_and(|text| text.chars().count() > 100) {
        return Err(ApiError::invalid(FieldViolation::new(
            "/q",
            "length",
            "The search text is at most 100 characters.",
        )));
    }
    let on = query.on.unwrap_or_else(|| vietnam_date(Utc::now()));
    let filter = EstablishmentFilter {
        kind,
        commodity,
        province: query
            .province
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty()),
        status_on: status.map(|status| (status, on)),
        text,
    };
    let page = state
        .db
        .run(move |connection| establishments::list(connection, &filter, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
