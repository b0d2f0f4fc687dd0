//! Certificate routes: reading (exporters their own, inspectors their authority's), revocation
//! and replacement (inspectors of the issuing authority), and the public verification.

use super::authentication::Caller;
use super::idempotency::Idempotent;
use super::inspections::inspector;
use super::json_body::read_json_keeping_bytes;
use super::paging::page_params;
use crate::domain::invalidation::Invalidation;
use crate::domain::pagination::TimeIdCursor;
use crate::error::ApiError;
use crate::service::certificate_documents::{self, Rendered};
use crate::service::certificates::{self, Reader};
use crate::service::idempotency::Reply;
use crate::service::replacement::{self, Replacement};
use crate::state::AppState;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;
use validator::Validate;

fn reader(caller: &Caller) -> Reader {
    Reader {
        role: caller.role(),
        actor: caller.actor(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn list(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reader = reader(&caller);
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), TimeIdCursor::decode)?;
    let page = state
        .db
        .run(move |connection| {
            let visibility = reader.visibility(connection)?;
            certificates::list(connection, &visibility, after, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn show(
    caller: Caller,
    number: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reader = reader(&caller);
    let number = number.into_inner();
    let certificate = state
        .db
        .run(move |connection| {
            let visibility = reader.visibility(connection)?;
            certificates::get(connection, &visibility, &number)
        })
        .await?;
    Ok(HttpResponse::Ok().json(certificate))
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
}

pub async fn revoke(
    caller: Caller,
    number: web::Path<String>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let inspector = inspector(&caller)?;
    let (body, bytes): (RevokeBody, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let number = number.into_inner();
    let changed = Invalidation::Certificate(number.clone());
    let response = idempotent
        .transaction(&state, move |connection| {
            let context = inspector.context(connection)?;
            let revoked = certificates::revoke(connection, &context, &number, body.reason.trim())?;
            Reply::json(200, &revoked)
        })
        .await?;
    // Other instances forget through the notification; this one at once.
    state.caches.apply(&changed);
    Ok(response)
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplaceBody {
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
    #[validate(length(min = 1, max = 200))]
    pub authorized_officer: String,
    #[validate(length(min = 1, max = 200))]
    pub place_of_issue: String,
    /// A JSON merge patch of the consignment's declaration with the corrections.
    pub corrections: Option<Value>,
}

pub async fn replace(
    caller: Caller,
    number: web::Path<String>,
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let inspector = inspector(&caller)?;
    let (body, bytes): (ReplaceBody, _) = read_json_keeping_bytes(&request, payload).await?;
    let idempotent = Idempotent::new(&request, caller.principal.organization_id, &bytes)?;
    let number = number.into_inner();
    let changed = Invalidation::Certificate(number.clone());
    let (versions, signer) = (state.protocols.clone(), state.signer.clone());
    let response = idempotent
        .transaction(&state, move |connection| {
            let context = inspector.context(connection)?;
            let replacement = Replacement {
                versions: &versions,
                signer: &signer,
                officer: body.authorized_officer.trim().to_owned(),
                place_of_issue: body.place_of_issue.trim().to_owned(),
                reason: body.reason.trim().to_owned(),
                corrections: body.corrections,
            };
            let outcome = replacement::replace(connection, &context, &number, replacement)?;
            Reply::json(201, &outcome)
        })
        .await?;
    state.caches.apply(&changed);
    Ok(response)
}

/// Public: the keys that verify certificate signatures.
pub async fn signing_keys(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let keys = state.db.run(certificates::signing_keys).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .json(keys))
}

/// The certificate as UN/CEFACT SPSCertificate XML (phytosanitary certificates only).
pub async fn ephyto(
    caller: Caller,
    number: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reader = reader(&caller);
    let number = number.into_inner();
    let xml = state
        .db
        .run(move |connection| {
            let visibility = reader.visibility(connection)?;
            certificate_documents::ephyto_xml(connection, &visibility, &number)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(xml))
}

/// The QR code of the certificate's public verification URL.
pub async fn qr(
    caller: Caller,
    number: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reader = reader(&caller);
    let (number, base) = (number.into_inner(), state.config.public_base_url.clone());
    let url = state
        .db
        .run(move |connection| {
            let visibility = reader.visibility(connection)?;
            certificate_documents::qr_url(connection, &visibility, &number, &base)
        })
        .await?;
    let svg = crate::domain::qr::svg(&url)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("verification URL too long for a QR code: {url}")))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((CACHE_CONTROL, "private, max-age=86400"))
        .body(svg))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfQuery {
    /// Copies after the original, each marked COPY (the crocodile protocol asks for two).
    pub copies: Option<u8>,
}

/// The printable certificate, rendered once per status and number of copies and then cached.
pub async fn pdf(
    caller: Caller,
    number: web::Path<String>,
    query: web::Query<PdfQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reader = reader(&caller);
    let copies = query.copies.unwrap_or(0);
    if copies > 2 {
        return Err(ApiError::invalid(crate::domain::field_violation::FieldViolation::new(
            "/copies",
            "out_of_range",
            "At most 2 copies: one original and two copies.",
        )));
    }
    let (number, base) = (number.into_inner(), state.config.public_base_url.clone());
    let (bytes, rendered) = state
        .db
        .run(move |connection| {
            let visibility = reader.visibility(connection)?;
            certificate_documents::pdf(connection, &visibility, &number, copies, &base)
        })
        .await?;
    let cache = match rendered {
        Rendered::Cached => "hit",
        Rendered::Fresh => "miss",
    };
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("X-Document-Cache", cache))
        .insert_header((CACHE_CONTROL, "private, max-age=60"))
        .body(bytes))
}
