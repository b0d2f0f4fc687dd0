//! Queries on `establishment_status_periods`: an establishment's status per commodity over time.

use super::schema::establishment_status_periods;
use crate::domain::establishment::Commodity;
use crate::domain::registry_status::{RegistryStatus, StatusPeriod};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// Rows per multi-row INSERT: PostgreSQL allows 65,535 bind parameters per statement.
const PERIOD_BATCH: usize = 6000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = establishment_status_periods)]
pub struct StatusPeriodRow {
    pub id: Uuid,
    pub establishment_id: Uuid,
    pub commodity: Commodity,
    pub status: RegistryStatus,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub reason: Option<String>,
    pub reference: String,
    pub import_id: Option<Uuid>,
    pub created_by_key_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl StatusPeriodRow {
    pub fn period(&self) -> StatusPeriod {
        StatusPeriod {
            commodity: self.commodity,
            status: self.status,
            effective_from: self.effective_from,
            effective_until: self.effective_until,
            reference: self.reference.clone(),
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = establishment_status_periods)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewStatusPeriod {
    pub id: Uuid,
    pub establishment_id: Uuid,
    pub commodity: Commodity,
    pub status: RegistryStatus,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub reason: Option<String>,
    pub reference: String,
    pub import_id: Option<Uuid>,
    pub created_by_key_id: Option<Uuid>,
}

/// Periods of one establishment in the order they apply.
pub fn periods_of(connection: &mut PgConnection, establishment_id: Uuid) -> QueryResult<Vec<StatusPeriodRow>> {
    establishment_status_periods::table
        .filter(establishment_status_periods::establishment_id.eq(establishment_id))
        .order((
            establishment_status_periods::commodity.asc(),
            establishment_status_periods::effective_from.asc(),
            establishment_status_periods::severity.asc(),
            establishment_status_periods::created_at.asc(),
        ))
        .select(StatusPeriodRow::as_select())
        .load(connection)
}

/// Periods for one commodity of many establishments.
pub fn periods_for_commodity(
    connection: &mut PgConnection,
    establishment_ids: &[Uuid],
    commodity: Commodity,
) -> QueryResult<Vec<StatusPeriodRow>> {
    establishment_status_periods::table
        .filter(establishment_status_periods::establishment_id.eq_any(establishment_ids))
        .filter(establishment_status_periods::commodity.eq(commodity))
        .select(StatusPeriodRow::as_select())
        .load(connection)
}

/// Inserts many periods at once with COPY.
pub fn copy_periods(connection: &mut PgConnection, periods: &[NewStatusPeriod]) -> QueryResult<usize> {
    if periods.is_empty() {
        return Ok(0);
    }
    diesel::copy_from(establishment_status_periods::table)
        .from_insertable(periods)
        .execute(connection)
}

pub fn insert_periods(connection: &mut PgConnection, periods: &[NewStatusPeriod]) -> QueryResult<Vec<StatusPeriodRow>> {
    let mut inserted = Vec::with_capacity(periods.len());
    for batch in periods.chunks(PERIOD_BATCH) {
        inserted.extend(
            diesel::insert_into(establishment_status_periods::table)
                .values(batch)
                .returning(StatusPeriodRow::as_returning())
                .get_results(connection)?,
        );
    }
    Ok(inserted)
}
