//! JSON shapes of the establishment registry, used in responses and audited states.

use super::views::timestamp;
use crate::db::authorizations::Authorization;
use crate::db::establishments::Establishment;
use crate::db::status_periods::StatusPeriodRow;
use crate::domain::establishment::{Commodity, EstablishmentKind, LabScope, Source};
use crate::domain::registry_status::{RegistryStatus, StatusPeriod, deciding_period};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct EstablishmentView {
    pub id: Uuid,
    pub kind: EstablishmentKind,
    pub code: String,
    pub name: String,
    pub address: String,
    pub province: Option<String>,
    pub commodities: Vec<Commodity>,
    pub holder_organization_id: Option<Uuid>,
    pub area_hectares: Option<f64>,
    pub cites_registration: Option<String>,
    pub scopes: Vec<LabScope>,
    pub source: Source,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Establishment> for EstablishmentView {
    fn from(row: Establishment) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            code: row.code,
            name: row.name,
            address: row.address,
            province: row.province,
            commodities: row.commodities.into_iter().flatten().collect(),
            holder_organization_id: row.holder_organization_id,
            area_hectares: row.area_hectares,
            cites_registration: row.cites_registration,
            scopes: row.scopes.into_iter().flatten().collect(),
            source: Source {
                list: row.source_list,
                date: row.source_date,
            },
            created_at: timestamp(row.created_at),
            updated_at: timestamp(row.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusPeriodView {
    pub id: Uuid,
    pub commodity: Commodity,
    pub status: RegistryStatus,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub reason: Option<String>,
    pub reference: String,
    pub import_id: Option<Uuid>,
    pub created_at: String,
}

impl From<&StatusPeriodRow> for StatusPeriodView {
    fn from(row: &StatusPeriodRow) -> Self {
        Self {
            id: row.id,
            commodity: row.commodity,
            status: row.status,
            effective_from: row.effective_from,
            effective_until: row.effective_until,
            reason: row.reason.clone(),
            reference: row.reference.clone(),
            import_id: row.import_id,
            created_at: timestamp(row.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorizationView {
    pub id: Uuid,
    pub establishment_id: Uuid,
    pub holder_organization_id: Uuid,
    pub authorized_organization_id: Uuid,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub document_reference: String,
}

impl From<Authorization> for AuthorizationView {
    fn from(row: Authorization) -> Self {
        Self {
            id: row.id,
            establishment_id: row.establishment_id,
            holder_organization_id: row.holder_organization_id,
            authorized_organization_id: row.authorized_organization_id,
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            document_reference: row.document_reference,
        }
    }
}

/// The status of one commodity on the asked date, and the period that decides it.
#[derive(Debug, Clone, Serialize)]
pub struct CommodityStatusView {
    pub commodity: String,
    /// `approved`, `suspended`, `revoked`, or `not_registered` when no period covers the date.
    pub status: String,
    pub decided_by: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusOnView {
    pub date: NaiveDate,
    pub commodities: Vec<CommodityStatusView>,
}

/// An establishment with its status history, its authorisations and its status on a date.
#[derive(Debug, Clone, Serialize)]
pub struct EstablishmentDetailView {
    #[serde(flatten)]
    pub establishment: EstablishmentView,
    pub status_on: StatusOnView,
    pub status_history: Vec<StatusPeriodView>,
    pub authorizations: Vec<AuthorizationView>,
}

/// Computes the per-commodity status on `date` with the domain rule.
pub fn status_on_view(commodities: &[Commodity], periods: &[StatusPeriodRow], date: NaiveDate) -> StatusOnView {
    let parsed: Vec<(Uuid, StatusPeriod)> = periods.iter().map(|row| (row.id, row.period())).collect();
    let commodities = commodities
        .iter()
        .map(|&commodity| {
            let deciding = deciding_period(parsed.iter().map(|(_, period)| period), commodity, date);
            let decided_by =
                deciding.and_then(|period| parsed.iter().find(|(_, p)| std::ptr::eq(p, period)).map(|(id, _)| *id));
            CommodityStatusView {
                commodity: commodity.as_str().to_owned(),
                status: deciding
                    .map_or("not_registered", |period| period.status.as_str())
                    .to_owned(),
                decided_by,
            }
        })
        .collect();
    StatusOnView { date, commodities }
}
