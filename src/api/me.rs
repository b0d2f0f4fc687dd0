//! `GET /v1/me`: which key is calling, for whom.

use super::authentication::Caller;
use crate::error::ApiError;
use crate::service;
use crate::service::views::{ApiKeyView, OrganizationView};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct MeResponse {
    role: &'static str,
    key: ApiKeyView,
    organization: OrganizationView,
}

pub async fn show(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let key_id = caller.principal.key_id;
    let organization_id = caller.principal.organization_id;
    let (key, organization) = state
        .db
        .run(move |connection| service::api_keys::whoami(connection, key_id, organization_id))
        .await?;
    Ok(HttpResponse::Ok().json(MeResponse {
        role: caller.role().as_str(),
        key,
        organization,
    }))
}
