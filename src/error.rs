//! The one error type of the HTTP surface and its mapping to RFC 9457 problem+json.
//!
//! Policy: `domain` returns `FieldViolation`s and plain enums; `db` returns
//! `diesel::result::Error`; `service` and `api` return `ApiError`, converting with `From` or
//! explicitly where a constraint deserves a better message. Internal errors carry their cause
//! for the log only: the client sees an opaque 500.

use crate::domain::field_violation::FieldViolation;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
const PROBLEM_TYPE_BASE: &str = "https://agri-quarantine.dev/problems/";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{detail}")]
    Unauthorized { detail: &'static str },
    #[error("{detail}")]
    Forbidden { detail: String },
    #[error("{detail}")]
    NotFound { detail: String },
    #[error("method not allowed")]
    MethodNotAllowed { allowed: &'static [&'static str] },
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("validation failed")]
    Validation(Vec<FieldViolation>),
    /// The consignment breaks error-level protocol rules.
    #[error("compliance check failed")]
    ComplianceFailed(Box<crate::domain::protocol::check::ComplianceReport>),
    /// Approval is blocked by inspections or by the protocol rules re-run at decision time.
    #[error("approval blocked")]
    ApprovalBlocked {
        reasons: Vec<FieldViolation>,
        report: Option<Box<crate::domain::protocol::check::ComplianceReport>>,
    },
    #[error("{detail}")]
    TooManyRequests {
        detail: &'static str,
        retry_after_seconds: u64,
    },
    #[error("{detail}")]
    PreconditionRequired { detail: &'static str },
    #[error("{detail}")]
    PreconditionFailed { detail: String },
    /// A conditional change named a version that is no longer current.
    #[error("The {entity} is at {}, not {}; reload it and apply your change again.", version_tag(*.current), version_tag(*.expected))]
    StaleVersion {
        entity: &'static str,
        current: i32,
        expected: i32,
    },
    /// A concurrent request with the same idempotency key committed first; its response is the
    /// answer to this one.
    #[error("A request with this Idempotency-Key completed while this one ran; repeat it to get that response.")]
    IdempotencyKeyInUse,
    #[error("{detail}")]
    ServiceUnavailable { detail: &'static str },
    /// The request line or the header fields are over the service's limits (414 or 431).
    #[error("{detail}")]
    RequestHeadTooLarge { uri: bool, detail: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The RFC 9457 body. `code` is the stable machine-readable identifier clients switch on.
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldViolation>>,
    /// For `compliance_failed`: the full report, warnings included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance_report: Option<serde_json::Value>,
}

impl ApiError {
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { detail: what.into() }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden { detail: detail.into() }
    }

    /// 503 for work the database did not answer within the statement timeout: it may or may
    /// not have been done.
    pub fn outcome_unknown() -> Self {
        Self::ServiceUnavailable {
            detail: "The database did not answer in time, so whether the change was made is unknown; repeat the request with the same Idempotency-Key to find out.",
        }
    }

    pub fn database_unavailable() -> Self {
        Self::ServiceUnavailable {
            detail: "The database is unavailable or busy; retry shortly.",
        }
    }

    pub fn invalid(violation: FieldViolation) -> Self {
        Self::Validation(vec![violation])
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. } | Self::Conflict { code, .. } => code,
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::Validation(_) => "validation_failed",
            Self::ComplianceFailed(_) => "compliance_failed",
            Self::ApprovalBlocked { .. } => "approval_blocked",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::PreconditionRequired { .. } => "precondition_required",
            Self::PreconditionFailed { .. } | Self::StaleVersion { .. } => "precondition_failed",
            Self::IdempotencyKeyInUse => "idempotency_key_in_use",
            Self::ServiceUnavailable { .. } => "service_unavailable",
            Self::RequestHeadTooLarge { uri: true, .. } => "uri_too_long",
            Self::RequestHeadTooLarge { uri: false, .. } => "request_header_fields_too_large",
            Self::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "Bad request",
            Self::Unauthorized { .. } => "Unauthorized",
            Self::Forbidden { .. } => "Forbidden",
            Self::NotFound { .. } => "Not found",
            Self::MethodNotAllowed { .. } => "Method not allowed",
            Self::Conflict { .. } => "Conflict",
            Self::PayloadTooLarge { .. } => "Payload too large",
            Self::Validation(_) => "Validation failed",
            Self::ComplianceFailed(_) => "Protocol requirements not met",
            Self::ApprovalBlocked { .. } => "Approval blocked",
            Self::TooManyRequests { .. } => "Too many requests",
            Self::PreconditionRequired { .. } => "Precondition required",
            Self::PreconditionFailed { .. } | Self::StaleVersion { .. } => "Precondition failed",
            Self::IdempotencyKeyInUse => "Conflict",
            Self::ServiceUnavailable { .. } => "Service unavailable",
            Self::RequestHeadTooLarge { uri: true, .. } => "URI too long",
            Self::RequestHeadTooLarge { uri: false, .. } => "Request header fields too large",
            Self::Internal(_) => "Internal server error",
        }
    }

    pub fn to_problem(&self) -> Problem {
        let detail = match self {
            Self::Validation(violations) => {
                format!("{} field(s) need correcting; see errors.", violations.len())
            }
            Self::ApprovalBlocked { reasons, .. } => {
                format!(
                    "{} reason(s) stand in the way of approval; see errors. Nothing was changed.",
                    reasons.len()
                )
            }
            Self::ComplianceFailed(report) => format!(
                "{} protocol requirement(s) of {} are not met; see errors. Nothing was changed.",
                report.errors,
                report.protocol.as_str()
            ),
            Self::MethodNotAllowed { .. } => "This route does not accept that method.".to_owned(),
            Self::PayloadTooLarge { limit } => {
                format!("The request body is larger than the limit of {limit} bytes.")
            }
            Self::Internal(_) => {
                "An unexpected error occurred. Quote the X-Request-Id header when reporting it.".to_owned()
            }
            other => other.to_string(),
        };
        Problem {
            problem_type: format!("{PROBLEM_TYPE_BASE}{}", self.code().replace('_', "-")),
            title: self.title(),
            status: self.status_code().as_u16(),
            detail,
            code: self.code(),
            errors: match self {
                Self::Validation(violations) => Some(violations.clone()),
                Self::ApprovalBlocked { reasons, .. } => Some(reasons.clone()),
                Self::ComplianceFailed(report) => Some(
                    report
                        .violations
                        .iter()
                        .filter(|violation| violation.severity == crate::domain::protocol::rule::Severity::Error)
                        .map(|violation| FieldViolation::new(&violation.pointer, violation.rule_id, &violation.message))
                        .collect(),
                ),
                _ => None,
            },
            compliance_report: match self {
                Self::ComplianceFailed(report)
                | Self::ApprovalBlocked {
                    report: Some(report), ..
                } => serde_json::to_value(report).ok(),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation(_) | Self::ComplianceFailed(_) | Self::ApprovalBlocked { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PreconditionRequired { .. } => StatusCode::PRECONDITION_REQUIRED,
            Self::PreconditionFailed { .. } | Self::StaleVersion { .. } => StatusCode::PRECONDITION_FAILED,
            Self::IdempotencyKeyInUse => StatusCode::CONFLICT,
            Self::ServiceUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::RequestHeadTooLarge { uri: true, .. } => StatusCode::URI_TOO_LONG,
            Self::RequestHeadTooLarge { uri: false, .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "request failed with an internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE)));
        match self {
            Self::Unauthorized { .. } => {
                response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::ServiceUnavailable { .. } => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
            }
            Self::TooManyRequests {
                retry_after_seconds, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            Self::MethodNotAllowed { allowed } => {
                if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            _ => {}
        }
        let body = serde_json::to_vec(&self.to_problem()).unwrap_or_default();
        response.body(body)
    }
}

impl From<DieselError> for ApiError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::not_found("The requested resource does not exist."),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => Self::Conflict {
                code: "conflict",
                detail: match key_columns(info.details()) {
                    Some(columns) => format!("A record with this {} already exists.", columns.join(", ")),
                    None => "This conflicts with an existing record.".to_owned(),
                },
            },
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                let column = key_columns(info.details())
                    .and_then(|columns| columns.into_iter().next())
                    .unwrap_or_default();
                Self::invalid(FieldViolation::new(
                    if column.is_empty() {
                        String::new()
                    } else {
                        format!("/{column}")
                    },
                    "unknown_reference",
                    if column.is_empty() {
                        "The request refers to a record that does not exist.".to_owned()
                    } else {
                        format!("{column} refers to a record that does not exist.")
                    },
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Self::database_unavailable(),
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::Conflict {
                code: "concurrent_update",
                detail: "Another change was made at the same time; retry the request.".to_owned(),
            },
            other => Self::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

/// The entity tag of a version, as `ETag` and `If-Match` carry it.
pub fn version_tag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// The columns PostgreSQL names in a key violation's detail: `Key (a, b)=(…) …`. Only the
/// column names are kept; the values may belong to someone else.
fn key_columns(details: Option<&str>) -> Option<Vec<String>> {
    let inside = details?.strip_prefix("Key (")?;
    let columns = &inside[..inside.find(")=")?];
    let names: Vec<String> = columns
        .split(',')
        .map(|name| name.trim().trim_matches('"').to_owned())
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    (!names.is_empty()).then_some(names)
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_problem_lists_every_field() {
        let error = ApiError::Validation(vec![
            FieldViolation::new("/name", "required", "Give a name."),
            FieldViolation::new("/tax_code", "invalid_format", "Ten digits."),
        ]);
        let problem = serde_json::to_value(error.to_problem()).unwrap();
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["code"], "validation_failed");
        assert_eq!(
            problem["type"],
            "https://agri-quarantine.dev/problems/validation-failed"
        );
        assert_eq!(problem["errors"][1]["pointer"], "/tax_code");
    }

    #[test]
    fn an_internal_error_hides_its_cause() {
        let error = ApiError::Internal(anyhow::anyhow!("password=secret in a connection string"));
        let problem = serde_json::to_value(error.to_problem()).unwrap();
        assert_eq!(problem["status"], 500);
        assert!(!problem["detail"].as_str().unwrap().contains("secret"));
        assert!(problem.get("errors").is_none());
    }

    #[test]
    fn a_closed_connection_is_a_503() {
        struct Info;
        impl diesel::result::DatabaseErrorInformation for Info {
            fn message(&self) -> &str {
                "server closed the connection unexpectedly"
            }
            fn details(&self) -> Option<&str> {
                None
            }
            fn hint(&self) -> Option<&str> {
                None
            }
            fn table_name(&self) -> Option<&str> {
                None
            }
            fn column_name(&self) -> Option<&str> {
                None
            }
            fn constraint_name(&self) -> Option<&str> {
                None
            }
            fn statement_position(&self) -> Option<i32> {
                None
            }
        }
        let error: ApiError = DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, Box::new(Info)).into();
        assert_eq!(error.status_code(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn a_key_violation_names_its_columns_and_never_its_values() {
        assert_eq!(
            key_columns(Some("Key (kind, code)=(orchard, VN-A) already exists.")),
            Some(vec!["kind".to_owned(), "code".to_owned()])
        );
        assert_eq!(
            key_columns(Some(
                "Key (organization_id)=(0190…) is not present in table \"organizations\"."
            )),
            Some(vec!["organization_id".to_owned()])
        );
        assert_eq!(key_columns(Some("something else")), None);
        assert_eq!(key_columns(None), None);
    }
}
