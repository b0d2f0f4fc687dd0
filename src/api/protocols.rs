//! Public reference: the protocols, their versions, parameters and rules. No key needed, so
//! exporters can read the requirements before they ship.

use crate::domain::protocol::ProtocolCode;
use crate::domain::protocol::catalogue::{ProtocolVersion, latest};
use crate::domain::protocol::rule::RuleDef;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct ProtocolSummary<'a> {
    code: &'static str,
    title: &'a str,
    commodity: &'static str,
    competent_authority: &'static str,
    effective_from: chrono::NaiveDate,
    current_version: u32,
}

#[derive(Debug, Serialize)]
struct ProtocolDetail<'a> {
    code: &'static str,
    title: &'a str,
    commodity: &'static str,
    competent_authority: &'static str,
    versions: Vec<&'a ProtocolVersion>,
    rules: Vec<RuleDef>,
}

fn authority(code: ProtocolCode) -> &'static str {
    code.competent_authority().as_str()
}

pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items: Vec<ProtocolSummary> = ProtocolCode::VARIANTS
        .into_iter()
        .filter_map(|code| {
            let version = latest(&state.protocols, code)?;
            Some(ProtocolSummary {
                code: code.as_str(),
                title: version.edition.title,
                commodity: version.edition.commodity.as_str(),
                competent_authority: authority(code),
                effective_from: version.edition.effective_from,
                current_version: version.edition.version,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

pub async fn show(code: web::Path<String>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let code = ProtocolCode::parse(&code).ok_or_else(|| ApiError::not_found("No protocol has this code."))?;
    let versions: Vec<&ProtocolVersion> = state
        .protocols
        .iter()
        .filter(|version| version.edition.code == code)
        .collect();
    let first = versions
        .first()
        .ok_or_else(|| ApiError::not_found("No protocol has this code."))?;
    Ok(HttpResponse::Ok().json(ProtocolDetail {
        code: code.as_str(),
        title: first.edition.title,
        commodity: first.edition.commodity.as_str(),
        competent_authority: authority(code),
        versions,
        rules: latest(&state.protocols, code)
            .map(|version| version.rules())
            .unwrap_or_default(),
    }))
}
