//! The `limit` and `cursor` query parameters every listing takes, and the `validator` rules of
//! query strings (dates within range).

use crate::domain::field_violation::FieldViolation;
use crate::domain::pagination::page_limit;
use crate::error::ApiError;
use crate::service::input::violations_from;
use actix_web::{HttpRequest, web};
use serde::de::DeserializeOwned;
use validator::Validate;

/// The query string as `T`, or 400 `invalid_query`. Handlers that check a role read their query
/// with this after the check, so a caller without the role gets 403 and learns nothing about
/// the parameters.
pub fn query_string<T: DeserializeOwned>(request: &HttpRequest) -> Result<T, ApiError> {
    web::Query::<T>::from_query(request.query_string())
        .map(web::Query::into_inner)
        .map_err(invalid_query)
}

/// 400 for a query string that does not fit its parameters.
pub fn invalid_query(error: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_query",
        detail: format!("The query string is invalid: {error}"),
    }
}

/// The page size within its bounds and the decoded cursor, or 422 naming the bad parameter.
pub fn page_params<C>(
    limit: Option<i64>,
    cursor: Option<&str>,
    decode: impl Fn(&str) -> Result<C, FieldViolation>,
) -> Result<(i64, Option<C>), ApiError> {
    let limit = page_limit(limit).map_err(ApiError::invalid)?;
    let after = cursor.map(decode).transpose().map_err(ApiError::invalid)?;
    Ok((limit, after))
}

/// 422 naming each query parameter that breaks its rule.
pub fn valid_query<T: Validate>(query: &T) -> Result<(), ApiError> {
    query
        .validate()
        .map_err(|errors| ApiError::Validation(violations_from(&errors)))
}
