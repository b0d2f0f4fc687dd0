//! Audit trail routes: the trail and its verification (admin only), and the signed
//! checkpoints (public, so anyone can keep copies).

use super::authentication::Caller;
use super::paging::page_params;
use super::paging::query_string;
use crate::domain::authz::Action;
use crate::domain::pagination::SeqCursor;
use crate::error::ApiError;
use crate::service;
use crate::service::audit::AuditFilter;
use crate::state::AppState;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListAuditQuery {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn list(caller: Caller, request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ReadAuditTrail)?;
    let query: ListAuditQuery = query_string(&request)?;
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), SeqCursor::decode)?;
    let filter = AuditFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
    };
    let page = state
        .db
        .run(move |connection| service::audit::list(connection, &filter, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    /// A checkpoint kept elsewhere: its sequence number...
    pub checkpoint_seq: Option<i64>,
    /// ...and its hash, in hexadecimal.
    pub checkpoint_hash: Option<String>,
}

fn given_checkpoint(query: VerifyQuery) -> Result<Option<(i64, [u8; 32])>, ApiError> {
    let invalid = |detail: &str| ApiError::BadRequest {
        code: "invalid_query",
        detail: detail.to_owned(),
    };
    match (query.checkpoint_seq, query.checkpoint_hash) {
        (None, None) => Ok(None),
        (Some(seq), Some(hash)) if seq > 0 => {
            let bytes = (0..hash.len())
                .step_by(2)
                .map(|at| hash.get(at..at + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
                .collect::<Option<Vec<u8>>>()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| invalid("checkpoint_hash must be 64 hexadecimal digits."))?;
            Ok(Some((seq, bytes)))
        }
        (Some(_), Some(_)) => Err(invalid("checkpoint_seq must be a positive whole number.")),
        _ => Err(ApiError::BadRequest {
            code: "parameter_combination",
            detail: "Give checkpoint_seq and checkpoint_hash together.".to_owned(),
        }),
    }
}

pub async fn verify(
    caller: Caller,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ReadAuditTrail)?;
    let query: VerifyQuery = query_string(&request)?;
    let given = given_checkpoint(query)?;
    let verification = state
        .db
        .run(move |connection| service::audit::verify(connection, given))
        .await?;
    Ok(HttpResponse::Ok().json(verification))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointsQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Public: the signed checkpoints, oldest first, for anyone to keep.
pub async fn checkpoints(
    query: web::Query<CheckpointsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = page_params(query.limit, query.cursor.as_deref(), SeqCursor::decode)?;
    let page = state
        .db
        .run(move |connection| service::audit::checkpoints(connection, after, limit))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=10"))
        .json(page))
}
