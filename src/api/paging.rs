//! The `limit` and `cursor` query parameters every listing takes, and the `validator` rules of
//! query strings (dates within range).

use crate::domain::field_violation::FieldViolation;
use crate::domain::pagination::page_limit;
use crate::error::ApiError;
use crate::service::input::violations_from;
use validator::Validate;

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
