//! `GET /v1/me`: which key is calling, for whom.

use super::authentication::Caller;
use crate::error::ApiError;
use crate::service::views::{ApiKeyView, OrganizationView};
use crate::startup::AppState;
use crate::{db, service};
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
        .run(move |connection| {
            let key = db::api_keys::find(connection, key_id)?
                .ok_or_else(|| ApiError::not_found("The calling key no longer exists."))?;
            let organization = service::organizations::get(connection, organization_id)?;
            Ok((ApiKeyView::from(key), organization))
        })
        .await?;
    Ok(HttpResponse::Ok().json(MeResponse {
        role: caller.role().as_str(),
        key,
        organization,
    }))
}
