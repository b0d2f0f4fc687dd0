//! Turning JSON into typed input: syntax errors are 400; well-formed JSON of the wrong shape, or
//! breaking a `validator` rule, is 422 with each field's JSON pointer. Shared by the HTTP layer
//! (request bodies) and the services (merge-patched declarations).

use crate::domain::field_violation::{FieldViolation, escape_pointer_token};
use crate::error::ApiError;
use serde::Deserialize;
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
/// wrong shape is 422 with the field's pointer, and so is text that breaks the text policy
/// (control characters; line breaks outside free-text fields).
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let malformed = |inner: &serde_json::Error| ApiError::BadRequest {
        code: "malformed_json",
        detail: format!("The body is not valid JSON: {inner}"),
    };
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize(&mut *deserializer);
    let value = match parsed {
        Ok(value) => {
            deserializer.end().map_err(|error| malformed(&error))?;
            value
        }
        Err(error) if error.inner().is_syntax() || error.inner().is_eof() || error.inner().is_io() => {
            return Err(malformed(error.inner()));
        }
        // JSON has one number type: 12.0 is the integer 12 (as JSON Schema says), which serde
        // refuses for an integer field. Only then is the body read again with such numbers
        // written as integers.
        Err(error) if error.inner().to_string().starts_with("invalid type: floating point") => {
            let mut document: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| malformed(&error))?;
            integral_floats_as_integers(&mut document);
            serde_path_to_error::deserialize(document)
                .map_err(|error| shape_error(error.path(), &error.inner().to_string()))?
        }
        Err(error) => return Err(shape_error(error.path(), &error.inner().to_string())),
    };
    refuse_bad_text(bytes)?;
    Ok(value)
}

/// Rewrites every number with no fractional part within I-JSON's exact integers (RFC 7493,
/// up to 2^53 - 1), such as 12.0 or 1e3, as that integer.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() <= 9_007_199_254_740_991.0
            {
                // Exact up to 2^53 - 1; the cast cannot truncate.
                #[allow(clippy::cast_possible_truncation)]
                let integer = float as i64;
                *value = Value::from(integer);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// Fields of free text where a line break or a tab belongs; everywhere else text is one line.
const MULTI_LINE_FIELDS: &[&str] = &[
    "reason",
    "address",
    "notes",
    "remarks",
    "description",
    "additional_declaration",
];

/// What a string may not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BadText {
    /// PostgreSQL text cannot store it at all.
    Nul,
    /// Other control characters (C0 but tab and line breaks, DEL, C1): invisible, and they
    /// break printed certificates and XML.
    Control,
    /// A line break or tab in a single-line field.
    LineBreak,
}

impl BadText {
    fn message(self) -> &'static str {
        match self {
            Self::Nul => "Text may not contain the NUL character (\\u0000).",
            Self::Control => "Text may not contain control characters.",
            Self::LineBreak => "This field is one line of text: remove line breaks and tabs.",
        }
    }
}

fn bad_char(character: char, multi_line: bool) -> Option<BadText> {
    match character {
        '\0' => Some(BadText::Nul),
        '\t' | '\n' | '\r' if multi_line => None,
        '\t' | '\n' | '\r' => Some(BadText::LineBreak),
        character if character.is_control() => Some(BadText::Control),
        _ => None,
    }
}

/// Refuses a body whose text breaks the text policy, naming the first such field. Control
/// characters reach JSON text only escaped (`\u0001`, `\n`) or as DEL and C1 characters, so
/// a body without any of those is not read twice.
fn refuse_bad_text(bytes: &[u8]) -> Result<(), ApiError> {
    let escaped = bytes
        .windows(2)
        .any(|pair| pair[0] == b'\\' && matches!(pair[1], b'u' | b'U' | b'b' | b'f' | b'n' | b'r' | b't'));
    let raw = bytes.contains(&0x7f)
        || bytes
            .windows(2)
            .any(|pair| pair[0] == 0xc2 && (0x80..=0x9f).contains(&pair[1]));
    if !escaped && !raw {
        return Ok(());
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| ApiError::BadRequest {
        code: "malformed_json",
        detail: format!("The body is not valid JSON: {error}"),
    })?;
    let Some((pointer, bad)) = bad_text(&value, String::new(), false) else {
        return Ok(());
    };
    Err(ApiError::invalid(FieldViolation::new(
        pointer,
        "invalid_characters",
        bad.message(),
    )))
}

fn bad_text(value: &serde_json::Value, pointer: String, multi_line: bool) -> Option<(String, BadText)> {
    let first_bad = |text: &str, multi_line: bool| text.chars().find_map(|character| bad_char(character, multi_line));
    match value {
        serde_json::Value::String(text) => first_bad(text, multi_line).map(|bad| (pointer, bad)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| bad_text(item, format!("{pointer}/{index}"), multi_line)),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            let here = format!("{pointer}/{}", escape_pointer_token(key));
            if let Some(bad) = first_bad(key, false) {
                return Some((here, bad));
            }
            bad_text(item, here, MULTI_LINE_FIELDS.contains(&key.as_str()))
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

/// For an optional field the contract does not type as nullable: leaving it out is fine, an
/// explicit `null` is refused (422 naming the field). Use with `#[serde(default)]`, which
/// covers the absent field, so this runs only for a field that is present.
pub fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        None => Err(serde::de::Error::custom(
            "null is not allowed here; leave the field out instead",
        )),
        present => Ok(present),
    }
}

/// Reads an already-parsed JSON value as `T` and applies its `validator` rules.
pub fn from_value<T>(value: serde_json::Value) -> Result<T, ApiError>
where
    T: DeserializeOwned + Validate,
{
    if let Some((pointer, bad)) = bad_text(&value, String::new(), false) {
        return Err(ApiError::invalid(FieldViolation::new(
            pointer,
            "invalid_characters",
            bad.message(),
        )));
    }
    let parsed: T = serde_path_to_error::deserialize(value)
        .map_err(|error| shape_error(error.path(), &error.inner().to_string()))?;
    parsed
        .validate()
        .map_err(|errors| ApiError::Validation(violations_from(&errors)))?;
    Ok(parsed)
}

/// Parses bytes as any JSON value (400 when they are not JSON, 422 naming a string that breaks
/// the text policy).
pub fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    let value = serde_json::from_slice(bytes).map_err(|error| ApiError::BadRequest {
        code: "malformed_json",
        detail: format!("The body is not valid JSON: {error}"),
    })?;
    refuse_bad_text(bytes)?;
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
    fn a_whole_number_written_with_a_fraction_is_an_integer_and_a_real_fraction_is_not() {
        let sample: Sample =
            parse_json(br#"{"name": "a", "lines": [{"count": 4.0}, {"count": 1e1}]}"#).expect("12.0 is the integer 12");
        assert_eq!(sample.lines.iter().map(|line| line.count).collect::<Vec<_>>(), [4, 10]);
        // Read exactly (serde_json's float_roundtrip), not as 2135179896673532.8.
        let big: Sample = parse(br#"{"name": "a", "lines": [{"count": 2135179896673533.0}]}"#).expect("exact");
        assert_eq!(big.lines[0].count, 2_135_179_896_673_533);
        let Err(ApiError::Validation(violations)) =
            parse_json::<Sample>(br#"{"name": "a", "lines": [{"count": 4.5}]}"#)
        else {
            panic!("4.5 is not an integer");
        };
        assert_eq!(violations[0].pointer, "/lines/0/count");
        assert!(matches!(
            parse::<Sample>(br#"{"name": "a", "lines": [{"count": 4.0}]} x"#),
            Err(ApiError::BadRequest {
                code: "malformed_json",
                ..
            })
        ));
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

    fn refused_pointer(body: &[u8]) -> Option<(String, String)> {
        match parse_value(body) {
            Err(ApiError::Validation(violations)) => {
                Some((violations[0].pointer.clone(), violations[0].message.clone()))
            }
            _ => None,
        }
    }

    #[test]
    fn control_characters_are_refused_anywhere() {
        let (pointer, message) = refused_pointer(br#"{"name":"a\u0007b"}"#).unwrap();
        assert_eq!(
            (pointer.as_str(), message.as_str()),
            ("/name", "Text may not contain control characters.")
        );
        assert!(refused_pointer("{\"name\":\"a\u{85}b\"}".as_bytes()).is_some(), "C1");
        assert!(refused_pointer("{\"reason\":\"a\u{7f}\"}".as_bytes()).is_some(), "DEL");
    }

    #[test]
    fn line_breaks_belong_in_free_text_fields_only() {
        assert_eq!(refused_pointer(br#"{"reason":"line one\nline two\ttab"}"#), None);
        assert_eq!(refused_pointer(br#"{"consignee":{"address":"street\r\ncity"}}"#), None);
        let (pointer, _) = refused_pointer(br#"{"consignee":{"name":"two\nlines"}}"#).unwrap();
        assert_eq!(pointer, "/consignee/name");
    }
}
