//! `POST /v1/establishment-imports`: a published list as JSON, or as CSV with the list's
//! description in the query string.

use super::authentication::Caller;
use super::establishment_csv;
use super::idempotency::Idempotent;
use super::json_body::{is_json_content_type, media_type, read_body};
use super::paging::query_string;
use crate::domain::authz::Action;
use crate::domain::establishment::{Commodity, EstablishmentKind};
use crate::domain::establishment_import::ListFormat;
use crate::domain::establishment_import::{ImportRow, ListMeta, MAX_ROWS, validate_rows};
use crate::domain::field_violation::FieldViolation;
use crate::error::ApiError;
use crate::service::establishment_imports;
use crate::service::idempotency::Reply;
use crate::service::input::not_null;
use crate::service::input::parse_json;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use validator::Validate;

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ImportRowBody {
    #[validate(length(max = 60))]
    pub code: String,
    #[validate(length(max = 300))]
    pub name: String,
    #[validate(length(max = 500))]
    pub address: String,
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "not_null")]
    pub province: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub area_hectares: Option<f64>,
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "not_null")]
    pub cites_registration: Option<String>,
    #[validate(length(max = 2))]
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The tax code of the exporter that holds the code.
    #[validate(length(max = 20))]
    #[serde(default, deserialize_with = "not_null")]
    pub holder_tax_code: Option<String>,
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    #[validate(length(min = 1, max = 30))]
    pub kind: String,
    #[validate(length(min = 1, max = 20))]
    pub commodity: String,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub list_date: NaiveDate,
    #[validate(length(min = 1, max = 300))]
    pub source: String,
    #[serde(default)]
    pub complete: bool,
    #[validate(nested)]
    pub rows: Vec<ImportRowBody>,
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct CsvImportQuery {
    pub kind: Option<String>,
    pub commodity: Option<String>,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub list_date: Option<NaiveDate>,
    pub source: Option<String>,
    #[serde(default)]
    pub complete: bool,
}

fn list_meta(
    kind: &str,
    commodity: &str,
    list_date: NaiveDate,
    source: &str,
    complete: bool,
) -> Result<ListMeta, ApiError> {
    let mut violations = Vec::new();
    let kind = EstablishmentKind::parse(kind);
    if kind.is_none() {
        violations.push(FieldViolation::new(
            "/kind",
            "unknown_value",
            "The kind must be orchard, packing_house, processing_plant, crocodile_farm or laboratory.",
        ));
    }
    let commodity = Commodity::parse(commodity);
    if commodity.is_none() {
        violations.push(FieldViolation::new(
            "/commodity",
            "unknown_value",
            "A commodity is durian, coconut or crocodile.",
        ));
    }
    let source = source.trim();
    if source.is_empty() || source.chars().count() > 300 {
        violations.push(FieldViolation::new(
            "/source",
            "length",
            "Name the published list in 1 to 300 characters.",
        ));
    }
    match (kind, commodity, violations.is_empty()) {
        (Some(kind), Some(commodity), true) => Ok(ListMeta {
            kind,
            commodity,
            list_date,
            source: source.to_owned(),
            complete,
        }),
        _ => Err(ApiError::Validation(violations)),
    }
}

fn required_with_csv(pointer: &str, message: &str) -> FieldViolation {
    FieldViolation::new(pointer, "required_with_csv", message)
}

pub async fn create(
    caller: Caller,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageRegistry)?;
    let query: CsvImportQuery = query_string(&request)?;
    super::paging::valid_query(&query)?;
    let is_csv = media_type(&request).as_deref() == Some("text/csv");
    if !is_csv && !is_json_content_type(&request) {
        return Err(ApiError::BadRequest {
            code: "unsupported_content_type",
            detail: "Send the list as application/json, or as text/csv with kind, commodity, list_date and source in the query."
                .to_owned(),
        });
    }
    let bytes = read_body(&request, payload, state.config.import_body_limit_bytes).await?;
    let content_sha256: [u8; 32] = Sha256::digest(&bytes).into();
    let idempotent = Idempotent::for_content(&request, caller.principal.organization_id, &content_sha256)?;
    let patterns = state.config.code_patterns.clone();
    // Parsing and checking 100,000 rows takes a while; keep it off the async workers.
    let (meta, drafts, holders, format) = web::block(move || -> Result<_, ApiError> {
        let (meta, rows, format) = if is_csv {
            let missing: Vec<FieldViolation> = [
                query
                    .kind
                    .is_none()
                    .then(|| required_with_csv("/kind", "Give the kind in the query string.")),
                query
                    .commodity
                    .is_none()
                    .then(|| required_with_csv("/commodity", "Give the commodity in the query string.")),
                query
                    .list_date
                    .is_none()
                    .then(|| required_with_csv("/list_date", "Give the list date in the query string.")),
                query
                    .source
                    .is_none()
                    .then(|| required_with_csv("/source", "Name the published list in the query string.")),
            ]
            .into_iter()
            .flatten()
            .collect();
            let (Some(kind), Some(commodity), Some(list_date), Some(source), true) = (
                query.kind,
                query.commodity,
                query.list_date,
                query.source,
                missing.is_empty(),
            ) else {
                return Err(ApiError::Validation(missing));
            };
            let meta = list_meta(&kind, &commodity, list_date, &source, query.complete)?;
            let rows = establishment_csv::parse_rows(&bytes).map_err(ApiError::Validation)?;
            (meta, rows, ListFormat::Csv)
        } else {
            if query.kind.is_some() || query.commodity.is_some() || query.list_date.is_some() || query.source.is_some()
            {
                return Err(ApiError::BadRequest {
                    code: "parameter_combination",
                    detail: "A JSON list carries its description in the body; remove the query parameters.".to_owned(),
                });
            }
            let body: ImportBody = parse_json(&bytes)?;
            let meta = list_meta(&body.kind, &body.commodity, body.list_date, &body.source, body.complete)?;
            let rows = body
                .rows
                .into_iter()
                .map(|row| ImportRow {
                    code: row.code,
                    name: row.name,
                    address: row.address,
                    province: row.province,
                    area_hectares: row.area_hectares,
                    cites_registration: row.cites_registration,
                    scopes: row.scopes,
                    holder_tax_code: row.holder_tax_code,
                })
                .collect::<Vec<_>>();
            (meta, rows, ListFormat::Json)
        };
        if rows.len() > MAX_ROWS {
            return Err(ApiError::invalid(FieldViolation::new(
                "/rows",
                "too_many_rows",
                format!("A list may hold at most {MAX_ROWS} rows; split it."),
            )));
        }
        let drafts = validate_rows(&meta, &rows, &patterns).map_err(ApiError::Validation)?;
        let holders: Vec<Option<String>> = rows.into_iter().map(|row| row.holder_tax_code).collect();
        Ok((meta, drafts, holders, format))
    })
    .await??;
    let actor = caller.actor();
    idempotent
        .transaction(&state, move |connection| {
            let result =
                establishment_imports::import(connection, &actor, &meta, drafts, &holders, format, content_sha256)?;
            Reply::json(201, &result)
        })
        .await
}
