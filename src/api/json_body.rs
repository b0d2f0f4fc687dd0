//! Reading a JSON request body: content type and size limit here, then syntax, types and
//! shape rules from `validator` in `service::input`. Handlers call `read_json` after authorisation, so an unauthorised client learns
//! nothing about what a valid body looks like.

use crate::error::ApiError;
use crate::service::input::parse_json;
use crate::state::AppState;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, web};
use serde::de::DeserializeOwned;
use validator::Validate;

const DEFAULT_LIMIT: usize = 1_048_576;

pub fn is_json_content_type(request: &HttpRequest) -> bool {
    let Some(value) = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads, parses and validates the body as `T`, and gives the bytes too (for an
/// Idempotency-Key's request fingerprint).
pub async fn read_json_keeping_bytes<T>(
    request: &HttpRequest,
    payload: web::Payload,
) -> Result<(T, web::Bytes), ApiError>
where
    T: DeserializeOwned + Validate,
{
    let bytes = read_json_bytes(request, payload).await?;
    Ok((parse_json(&bytes)?, bytes))
}

/// Reads, parses and validates the body as `T`.
pub async fn read_json<T>(request: &HttpRequest, payload: web::Payload) -> Result<T, ApiError>
where
    T: DeserializeOwned + Validate,
{
    let bytes = read_json_bytes(request, payload).await?;
    parse_json(&bytes)
}

/// Checks the content type and reads the body within the request body limit.
pub async fn read_json_bytes(request: &HttpRequest, payload: web::Payload) -> Result<web::Bytes, ApiError> {
    if !is_json_content_type(request) {
        return Err(ApiError::BadRequest {
            code: "unsupported_content_type",
            detail: "Send the body as JSON with Content-Type: application/json.".to_owned(),
        });
    }
    let limit = request
        .app_data::<web::Data<AppState>>()
        .map_or(DEFAULT_LIMIT, |state| state.config.request_body_limit_bytes);
    read_body(request, payload, limit).await
}

/// Reads the whole body, refusing more than `limit` bytes.
pub async fn read_body(request: &HttpRequest, payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    let declared_length = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<usize>().ok());
    if declared_length.is_some_and(|length| length > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| ApiError::PayloadTooLarge { limit })?
        .map_err(|error| ApiError::BadRequest {
            code: "unreadable_body",
            detail: format!("The body could not be read: {error}"),
        })
}

/// The media type of the request body, lower case, without parameters.
pub fn media_type(request: &HttpRequest) -> Option<String> {
    let value = request.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
}
