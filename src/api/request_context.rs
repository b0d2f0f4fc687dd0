//! Per-request plumbing: accept or generate the request id, echo it, write one log line and
//! record the request in the metrics.

use crate::domain::api_key::public_prefix;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, web};
use std::future::{Ready, ready};
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
const MAX_REQUEST_ID_LEN: usize = 128;

/// The service's own id of the current request, sent back in `X-Request-Id` and stored in
/// audit events.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The `X-Request-Id` the client sent, when it is usable: kept beside the service's own id in
/// audit events and logs and sent back in `X-Client-Request-Id`, never in its place (a client
/// could otherwise give many requests one id, or another request's).
#[derive(Debug, Clone)]
pub struct ClientRequestId(pub String);

pub const CLIENT_REQUEST_ID_HEADER: &str = "x-client-request-id";

impl FromRequest for RequestId {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(request
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId(new_request_id()))))
    }
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A client's id is kept when it is short printable ASCII, so it is safe in logs and headers.
fn accepted_request_id(request: &ServiceRequest) -> Option<String> {
    let value = request.headers().get(REQUEST_ID_HEADER)?.to_str().ok()?;
    let valid =
        !value.is_empty() && value.len() <= MAX_REQUEST_ID_LEN && value.bytes().all(|byte| byte.is_ascii_graphic());
    valid.then(|| value.to_owned())
}

/// Below the HTTP layer's own 32 KiB buffer, whose refusals carry no body: a head between the
/// two limits gets a problem that says which limit it broke.
const MAX_URI_BYTES: usize = 8 * 1024;
const MAX_HEADER_BYTES: usize = 16 * 1024;

fn oversized_head(request: &ServiceRequest) -> Option<ApiError> {
    let uri_bytes = request.uri().path_and_query().map_or(0, |path| path.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return Some(ApiError::RequestHeadTooLarge {
            uri: true,
            detail: format!("The path and query are {uri_bytes} bytes; the limit is {MAX_URI_BYTES}."),
        });
    }
    // Each field as it travels: name, ": ", value, CRLF.
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (header_bytes > MAX_HEADER_BYTES).then(|| ApiError::RequestHeadTooLarge {
        uri: false,
        detail: format!("The header fields are {header_bytes} bytes; the limit is {MAX_HEADER_BYTES}."),
    })
}

fn has_encoded_nul(uri: &actix_web::http::Uri) -> bool {
    let text = uri.path_and_query().map_or("", |path| path.as_str());
    text.as_bytes()
        .windows(3)
        .any(|window| window[0] == b'%' && window[1] == b'0' && window[2] == b'0')
}

/// The middleware function.
pub async fn request_context(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = new_request_id();
    let client_request_id = accepted_request_id(&request);
    request.extensions_mut().insert(RequestId(request_id.clone()));
    if let Some(client) = &client_request_id {
        request.extensions_mut().insert(ClientRequestId(client.clone()));
    }
    let method = request.method().to_string();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        client_request_id = client_request_id.as_deref().unwrap_or_default()
    );

    // Handlers' and extractors' errors arrive here already turned into responses; an `Err` can
    // only come from the framework itself and is passed on as it is. The request must not be
    // cloned before routing, which needs sole ownership of it.
    // A NUL in the path or the query cannot reach PostgreSQL text: refuse it here, once.
    let result = if let Some(refused) = oversized_head(&request) {
        Ok(request.error_response(refused))
    } else if has_encoded_nul(request.uri()) {
        let refused = ApiError::BadRequest {
            code: "invalid_characters",
            detail: "The path and the query may not contain the NUL character (%00).".to_owned(),
        };
        Ok(request.error_response(refused))
    } else {
        next.call(request)
            .instrument(span.clone())
            .await
            .map(ServiceResponse::map_into_boxed_body)
    };
    let status = match &result {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.as_response_error().status_code().as_u16(),
    };
    let mut response = result?;
    // Read after routing, which has recorded the matched resource; before it, actix would try
    // every pattern again.
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    if let Some(value) = client_request_id.and_then(|client| HeaderValue::from_str(&client).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(CLIENT_REQUEST_ID_HEADER), value);
    }
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state.metrics.record_request(&method, &route, status, elapsed);
        if status == 401 || status == 403 {
            state.metrics.record_denied(status);
        }
    }
    if status == 401 || status == 403 {
        // Who was refused: the key's public prefix (as key listings show it), never more of it.
        let key_prefix = response
            .request()
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().split_once(' '))
            .and_then(|(_, token)| public_prefix(token.trim()))
            .unwrap_or("none")
            .to_owned();
        span.in_scope(
            || tracing::warn!(method = %method, route = %route, status, key_prefix = %key_prefix, "request denied"),
        );
    }
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            route = %route,
            status,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    Ok(response)
}
