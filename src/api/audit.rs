//! Audit trail routes (admin only).

use super::authentication::Caller;
use super::paging::page_params;
use crate::domain::authz::Action;
use crate::domain::pagination::SeqCursor;
use crate::error::ApiError;
use crate::service;
use crate::service::audit::AuditFilter;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListAuditQuery {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn list(
    caller: Caller,
    query: web::Query<ListAuditQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ReadAuditTrail)?;
    let query = query.into_inner();
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

pub async fn verify(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ReadAuditTrail)?;
    let verification = state.db.run(service::audit::verify).await?;
    Ok(HttpResponse::Ok().json(verification))
}
