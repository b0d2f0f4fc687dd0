//! Reading a JSON request body: content type, size limit, syntax, types, then shape rules from
//! `validator`. Handlers call `read_json` after authorisation, so an unauthorised client learns
//! nothing about what a valid body looks like.

use crate::domain::field_violation::{FieldViolation, escape_pointer_token};
use crate::error::ApiError;
use crate::startup::AppState;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, web};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

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

/// Parses JSON bytes as `T` and applies its `validator` rules.
pub fn parse_json<T>(bytes: &[u8]) -> Result<T, ApiError>
where
    T: DeserializeOwned + Validate,
{
    let value: T = parse(bytes)?;
    value
        .validate()
        .map_err(|errors| ApiError::Validation(violations_from(&errors)))?;
    Ok(value)
}

/// The media type of the request body, lower case, without parameters.
pub fn media_type(request: &HttpRequest) -> Option<String> {
    let value = request.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
}

/// Syntax errors are 400; well-formed JSON of the wrong shape is 422 with the field's pointer.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let inner = error.inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return ApiError::BadRequest {
                code: "malformed_json",
                detail: format!("The body is not valid JSON: {inner}"),
            };
        }
        shape_error(error.path(), &inner.to_string())
    })
}

fn shape_error(path: &serde_path_to_error::Path, message: &str) -> ApiError {
    let mut pointer = String::new();
    for segment in path.iter() {
        use serde_path_to_error::Segment;
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{}", escape_pointer_token(key))),
            Segment::Enum { variant } => pointer.push_str(&format!("/{}", escape_pointer_token(variant))),
            Segment::Unknown => {}
        }
    }
    ApiError::invalid(FieldViolation::new(
        pointer,
        "invalid_type",
        describe_data_error(message),
    ))
}

/// Reads an already-parsed JSON value as `T` and applies its `validator` rules.
pub fn from_value<T>(value: serde_json::Value) -> Result<T, ApiError>
where
    T: DeserializeOwned + Validate,
{
    let parsed: T = serde_path_to_error::deserialize(value)
        .map_err(|error| shape_error(error.path(), &error.inner().to_string()))?;
    parsed
        .validate()
        .map_err(|errors| ApiError::Validation(violations_from(&errors)))?;
    Ok(parsed)
}

/// Parses bytes as any JSON value (400 when they are not JSON).
pub fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|error| ApiError::BadRequest {
        code: "malformed_json",
        detail: format!("The body is not valid JSON: {error}"),
    })
}

/// serde's messages end with " at line L column C", which means nothing to a field pointer.
fn describe_data_error(message: &str) -> String {
    let trimmed = message.split(" at line ").next().unwrap_or(message);
    let mut text = trimmed.to_owned();
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{text}.")
}

/// Flattens validator's nested errors into pointer-addressed violations, sorted by pointer.
pub fn violations_from(errors: &ValidationErrors) -> Vec<FieldViolation> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldViolation>) {
    for (field, kind) in errors.errors() {
        let pointer = if field == "__all__" {
            prefix.to_owned()
        } else {
            format!("{prefix}/{}", escape_pointer_token(field))
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    let message = error
                        .message
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_else(|| default_message(error));
                    out.push(FieldViolation::new(pointer.clone(), error.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &pointer, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{pointer}/{index}"), out);
                }
            }
        }
    }
}

fn default_message(error: &validator::ValidationError) -> String {
    let param = |name: &str| error.params.get(name).map(ToString::to_string);
    match error.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => {
                format!("Must be between {min} and {max} characters (or items) long.")
            }
            (Some(min), None) => format!("Must be at least {min} characters (or items) long."),
            (None, Some(max)) => format!("Must be at most {max} characters (or items) long."),
            _ => "Has the wrong length.".to_owned(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("Must be between {min} and {max}."),
            _ => "Is out of range.".to_owned(),
        },
        "required" => "Is required.".to_owned(),
        other => format!("Is invalid ({other})."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[validate(length(min = 1, max = 3))]
        name: String,
        #[validate(nested)]
        #[serde(default)]
        lines: Vec<Line>,
    }

    #[derive(Debug, Deserialize, Validate, serde::Serialize)]
    struct Line {
        #[validate(range(min = 1, max = 10))]
        count: i64,
    }

    #[test]
    fn a_syntax_error_is_a_bad_request() {
        assert!(matches!(
            parse::<Sample>(b"{\"name\": "),
            Err(ApiError::BadRequest {
                code: "malformed_json",
                ..
            })
        ));
    }

    #[test]
    fn a_wrong_type_points_at_the_field() {
        let Err(ApiError::Validation(violations)) = parse::<Sample>(br#"{"name":"a","lines":[{"count":"x"}]}"#) else {
            panic!("expected a validation error");
        };
        assert_eq!(violations[0].pointer, "/lines/0/count");
        assert_eq!(violations[0].code, "invalid_type");
        assert!(!violations[0].message.contains("line 1"), "{}", violations[0].message);
    }

    #[test]
    fn validator_errors_become_sorted_pointers() {
        let sample: Sample = parse(br#"{"name":"abcd","lines":[{"count":1},{"count":11}]}"#).unwrap();
        let violations = violations_from(&sample.validate().unwrap_err());
        let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(pointers, ["/lines/1/count", "/name"]);
        assert_eq!(
            violations[1].message,
            "Must be between 1 and 3 characters (or items) long."
        );
    }
}
