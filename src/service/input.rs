//! Turning JSON into typed input: syntax errors are 400; well-formed JSON of the wrong shape, or
//! breaking a `validator` rule, is 422 with each field's JSON pointer. Shared by the HTTP layer
//! (request bodies) and the services (merge-patched declarations).

use crate::domain::field_violation::{FieldViolation, escape_pointer_token};
use crate::error::ApiError;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

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

/// Syntax errors (including anything after the JSON value) are 400; well-formed JSON of the
/// wrong shape is 422 with the field's pointer, and so is a NUL character in any string.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let malformed = |inner: &serde_json::Error| ApiError::BadRequest {
        code: "malformed_json",
        detail: format!("The body is not valid JSON: {inner}"),
    };
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *deserializer).map_err(|error| {
        let inner = error.inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return malformed(inner);
        }
        shape_error(error.path(), &inner.to_string())
    })?;
    deserializer.end().map_err(|error| malformed(&error))?;
    refuse_nul(bytes)?;
    Ok(value)
}

/// JSON can carry a NUL only as the escape `\u0000`; PostgreSQL text cannot store one. The
/// (rare) body that holds one is read again to name the field.
fn refuse_nul(bytes: &[u8]) -> Result<(), ApiError> {
    let escaped = bytes.windows(6).any(|window| window.eq_ignore_ascii_case(b"\\u0000"));
    if !escaped {
        return Ok(());
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| ApiError::BadRequest {
        code: "malformed_json",
        detail: format!("The body is not valid JSON: {error}"),
    })?;
    match nul_pointer(&value, String::new()) {
        None => Ok(()),
        Some(pointer) => Err(ApiError::invalid(FieldViolation::new(
            pointer,
            "invalid_characters",
            "Text may not contain the NUL character (\\u0000).",
        ))),
    }
}

fn nul_pointer(value: &serde_json::Value, pointer: String) -> Option<String> {
    match value {
        serde_json::Value::String(text) if text.contains('\0') => Some(pointer),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| nul_pointer(item, format!("{pointer}/{index}"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                return Some(format!("{pointer}/{}", escape_pointer_token(key)));
            }
            nul_pointer(item, format!("{pointer}/{}", escape_pointer_token(key)))
        }),
        _ => None,
    }
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
    if let Some(pointer) = nul_pointer(&value, String::new()) {
        return Err(ApiError::invalid(FieldViolation::new(
            pointer,
            "invalid_characters",
            "Text may not contain the NUL character (\\u0000).",
        )));
    }
    let parsed: T = serde_path_to_error::deserialize(value)
        .map_err(|error| shape_error(error.path(), &error.inner().to_string()))?;
    parsed
        .validate()
        .map_err(|errors| ApiError::Validation(violations_from(&errors)))?;
    Ok(parsed)
}

/// Parses bytes as any JSON value (400 when they are not JSON, 422 naming a string that holds
/// a NUL).
pub fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    let value = serde_json::from_slice(bytes).map_err(|error| ApiError::BadRequest {
        code: "malformed_json",
        detail: format!("The body is not valid JSON: {error}"),
    })?;
    refuse_nul(bytes)?;
    Ok(value)
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

    #[test]
    fn anything_after_the_json_value_is_a_bad_request() {
        assert!(matches!(
            parse::<Sample>(br#"{"name":"a"} {"name":"b"}"#),
            Err(ApiError::BadRequest {
                code: "malformed_json",
                ..
            })
        ));
        assert!(parse::<Sample>(b"{\"name\":\"a\"}\n  ").is_ok());
    }

    #[test]
    fn a_nul_character_is_refused_naming_its_field() {
        let Err(ApiError::Validation(violations)) = parse::<Sample>(br#"{"name":"a\u0000b"}"#) else {
            panic!("expected a validation error");
        };
        assert_eq!(
            (violations[0].pointer.as_str(), violations[0].code.as_str()),
            ("/name", "invalid_characters")
        );
        let Err(ApiError::Validation(violations)) = parse_value(br#"{"lines":[{"note":"\u0000"}]}"#) else {
            panic!("expected a validation error");
        };
        assert_eq!(violations[0].pointer, "/lines/0/note");
    }
}
