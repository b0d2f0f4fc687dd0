//! Public verification: by number (and the code printed on the certificate) as JSON for
//! systems, as a page for people, and the certificate's PDF for whoever holds its code.

use crate::documents::verification_page;
use crate::domain::calendar::vietnam_date;
use crate::domain::client_address::client_address;
use crate::error::ApiError;
use crate::service::{certificate_documents, verification};
use crate::state::AppState;
use actix_web::http::header::{ACCEPT, CACHE_CONTROL, ETAG, VARY};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    /// The verification code printed on the certificate; without it the answer is minimal.
    pub code: Option<String>,
}

/// Public: anyone, such as a border officer, checks a certificate by its number (and, for its
/// content and signature, the code printed on it). Every lookup counts against the address's
/// allowance; unknown numbers and wrong codes also against a stricter one, so walking numbers or
/// guessing codes soon stops.
pub async fn verify(
    request: HttpRequest,
    number: web::Path<String>,
    query: web::Query<VerifyQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lookup = Lookup::start(&request, &state)?;
    let (number, code) = (number.into_inner(), query.into_inner().code);
    let html = wants_html(&request);
    let given_code = code.clone();
    let shown_number = number.clone();
    let record = match state.caches.verifications.get(&number) {
        Some(record) => Some(record),
        None => {
            let (cache, key, lookup_key) = (state.caches.clone(), number.clone(), number.clone());
            let ticket = cache.verifications.ticket();
            state
                .db
                .run(move |connection| verification::load(connection, &lookup_key))
                .await?
                .map(|record| {
                    let record = Arc::new(record);
                    cache.verifications.insert(ticket, key, record.clone());
                    record
                })
        }
    };
    let outcome = verification::answer(record.as_deref(), &number, code.as_deref(), vietnam_date(Utc::now()));
    let (body, etag) = match outcome {
        Err(miss @ ApiError::NotFound { .. }) => {
            lookup.missed(&state)?;
            if html {
                return Ok(HttpResponse::NotFound()
                    .insert_header((VARY, "Accept"))
                    .content_type("text/html; charset=utf-8")
                    .body(verification_page::not_found(&shown_number)));
            }
            return Err(miss);
        }
        other => other?,
    };
    let etag = if html {
        format!("{}-html\"", etag.trim_end_matches('"'))
    } else {
        etag
    };
    let not_modified = request
        .headers()
        .get("if-none-match")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((ETAG, etag))
        .insert_header((VARY, "Accept"))
        .insert_header((CACHE_CONTROL, "public, max-age=60"));
    Ok(if not_modified {
        response.finish()
    } else if html {
        response
            .content_type("text/html; charset=utf-8")
            .body(verification_page::page(&body, given_code.as_deref()))
    } else {
        response.json(body)
    })
}

/// A browser (a phone that scanned the QR code) asks for HTML first; API clients ask for JSON
/// or anything.
fn wants_html(request: &HttpRequest) -> bool {
    let accept = request
        .headers()
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let position = |media: &str| accept.find(media);
    match (position("text/html"), position("application/json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeQuery {
    /// The verification code printed on the certificate.
    pub code: String,
}

/// Public with the code: the certificate's PDF, which the verification page links to, so the
/// officer holding the printed certificate can compare it with the issued one.
pub async fn pdf(
    request: HttpRequest,
    number: web::Path<String>,
    query: web::Query<CodeQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lookup = Lookup::start(&request, &state)?;
    let (number, code, base) = (
        number.into_inner(),
        query.into_inner().code,
        state.config.public_base_url.clone(),
    );
    let outcome = state
        .db
        .run(move |connection| certificate_documents::pdf_by_code(connection, &number, &code, &base))
        .await;
    let (bytes, _) = match outcome {
        Err(miss @ ApiError::NotFound { .. }) => {
            lookup.missed(&state)?;
            return Err(miss);
        }
        other => other?,
    };
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((CACHE_CONTROL, "private, max-age=60"))
        .body(bytes))
}

/// One public lookup from one client address: it counts against the address's allowance, and
/// a miss (unknown number or wrong code) also against the stricter one.
struct Lookup {
    client: Option<IpAddr>,
}

impl Lookup {
    fn start(request: &HttpRequest, state: &AppState) -> Result<Self, ApiError> {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .collect();
        let client = request
            .peer_addr()
            .map(|address| client_address(address.ip(), &forwarded, &state.config.trusted_proxies));
        if let Some(client) = client {
            state.verify_limiter.check(client).map_err(too_many)?;
        }
        Ok(Self { client })
    }

    fn missed(&self, state: &AppState) -> Result<(), ApiError> {
        match self.client {
            Some(client) => state.verify_miss_limiter.check(client).map_err(too_many),
            None => Ok(()),
        }
    }
}

fn too_many(wait: std::time::Duration) -> ApiError {
    ApiError::TooManyRequests {
        detail: "Too many verification requests from this address; retry shortly.",
        retry_after_seconds: wait.as_secs().max(1),
    }
}
