//! Queries on `inspections`, `consignment_decisions` and the inspection queue.

use super::consignments::Consignment;
use super::schema::{consignment_decisions, consignments, inspections};
use crate::domain::consignment::status::{ConsignmentStatus, Decision, RejectionReason};
use crate::domain::protocol::ProtocolCode;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = inspections)]
#[diesel(treat_none_as_default_value = false)]
pub struct Inspection {
    pub id: Uuid,
    pub consignment_id: Uuid,
    pub authority_organization_id: Uuid,
    pub inspector_key_id: Option<Uuid>,
    pub inspected_on: NaiveDate,
    pub units_in_lot: i32,
    pub units_sampled: i32,
    pub required_sampling_rate: Option<f64>,
    pub record: Value,
}

pub fn insert(connection: &mut PgConnection, inspection: &Inspection) -> QueryResult<Inspection> {
    diesel::insert_into(inspections::table)
        .values(inspection)
        .returning(Inspection::as_returning())
        .get_result(connection)
}

pub fn of_consignment(connection: &mut PgConnection, consignment_id: Uuid) -> QueryResult<Vec<Inspection>> {
    inspections::table
        .filter(inspections::consignment_id.eq(consignment_id))
        .order((inspections::created_at.asc(), inspections::id.asc()))
        .select(Inspection::as_select())
        .load(connection)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consignment_decisions)]
#[diesel(treat_none_as_default_value = false)]
pub struct DecisionRecord {
    pub id: Uuid,
    pub consignment_id: Uuid,
    pub decision: Decision,
    pub reason_code: Option<RejectionReason>,
    pub reason: Option<String>,
    pub authority_organization_id: Uuid,
    pub decided_by_key_id: Option<Uuid>,
    pub compliance_report: Option<Value>,
}

/// The decisions on a consignment with when each was made, oldest first.
pub fn decisions_of(
    connection: &mut PgConnection,
    consignment_id: Uuid,
) -> QueryResult<Vec<(DecisionRecord, DateTime<Utc>)>> {
    consignment_decisions::table
        .filter(consignment_decisions::consignment_id.eq(consignment_id))
        .order((consignment_decisions::created_at.asc(), consignment_decisions::id.asc()))
        .select((DecisionRecord::as_select(), consignment_decisions::created_at))
        .load(connection)
}

pub fn insert_decision(connection: &mut PgConnection, decision: &DecisionRecord) -> QueryResult<()> {
    diesel::insert_into(consignment_decisions::table)
        .values(decision)
        .execute(connection)
        .map(|_| ())
}

/// Submitted consignments of `protocols`, oldest submission first, one page plus one row.
pub fn queue_page(
    connection: &mut PgConnection,
    protocols: &[ProtocolCode],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Consignment>> {
    let mut query = consignments::table
        .filter(consignments::status.eq(ConsignmentStatus::Submitted))
        .filter(consignments::protocol.eq_any(protocols))
        .select(Consignment::as_select())
        .into_boxed();
    if let Some((submitted_at, id)) = after {
        query = query.filter(
            consignments::submitted_at
                .gt(submitted_at)
                .or(consignments::submitted_at.eq(submitted_at).and(consignments::id.gt(id))),
        );
    }
    query
        .order((consignments::submitted_at.asc(), consignments::id.asc()))
        .limit(limit + 1)
        .load(connection)
}

/// The exporter's first submission and last rejection under a protocol, from its own history.
pub fn exporter_history(
    connection: &mut PgConnection,
    organization_id: Uuid,
    protocol: ProtocolCode,
) -> QueryResult<(Option<NaiveDate>, Option<NaiveDate>)> {
    let first: Option<DateTime<Utc>> = consignments::table
        .filter(consignments::organization_id.eq(organization_id))
        .filter(consignments::protocol.eq(protocol))
        .select(diesel::dsl::min(consignments::submitted_at))
        .first(connection)?;
    let last_rejection: Option<DateTime<Utc>> = consignment_decisions::table
        .inner_join(consignments::table)
        .filter(consignments::organization_id.eq(organization_id))
        .filter(consignments::protocol.eq(protocol))
        .filter(consignment_decisions::decision.eq(Decision::Reject))
        .select(diesel::dsl::max(consignment_decisions::created_at))
        .first(connection)?;
    Ok((
        first.map(|at| at.date_naive()),
        last_rejection.map(|at| at.date_naive()),
    ))
}
