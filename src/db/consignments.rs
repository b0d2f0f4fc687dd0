//! Queries on `consignments` and `idempotency_keys`. Every query is scoped to the owning
//! organisation, so one exporter can never read or change another's consignments.

use super::audit::{Actor, Change, audited};
use super::json_text::JsonText;
use super::schema::{consignments, idempotency_keys};
use crate::domain::consignment::status::ConsignmentStatus;
use crate::domain::protocol::ProtocolCode;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::{self, now};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{QueryFragment, QueryId};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::result::DatabaseErrorKind;
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consignments)]
pub struct Consignment {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub protocol: ProtocolCode,
    pub status: ConsignmentStatus,
    pub planned_departure_date: NaiveDate,
    pub body: Value,
    pub version: i32,
    pub submission_report: Option<Value>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_by_key_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an exporter's read answers with: the row's fields, with the declaration and the
/// submission report as the JSON text stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consignments)]
pub struct ConsignmentText {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub status: ConsignmentStatus,
    pub body: JsonText,
    pub version: i32,
    pub submission_report: Option<JsonText>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = consignments)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewConsignment {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub protocol: ProtocolCode,
    pub status: ConsignmentStatus,
    pub planned_departure_date: NaiveDate,
    pub body: Value,
    pub version: i32,
    pub created_by_key_id: Option<Uuid>,
    /// Set here rather than by the database, so the audit event, written by the same
    /// statement, can hold the row as stored.
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl NewConsignment {
    /// The row this insert stores: the columns it does not set start empty.
    pub fn stored(&self) -> Consignment {
        Consignment {
            id: self.id,
            organization_id: self.organization_id,
            protocol: self.protocol,
            status: self.status,
            planned_departure_date: self.planned_departure_date,
            body: self.body.clone(),
            version: self.version,
            submission_report: None,
            submitted_at: None,
            cancelled_at: None,
            decided_at: None,
            created_by_key_id: self.created_by_key_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// Whether an insert made it, or its idempotency key was already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    Done,
    KeyTaken,
}

/// Inserts a consignment and its audit event, and claims its idempotency key when it has one,
/// all in one statement. The row stored is `new.stored()`, so nothing is read back. A key
/// already recorded fails the whole statement (`KeyTaken`); while another request holding it
/// is in flight, PostgreSQL makes this wait for that one to commit or roll back.
pub fn insert(
    connection: &mut PgConnection,
    new: &NewConsignment,
    actor: &Actor,
    change: Change,
    claim: Option<&IdempotencyRecord>,
) -> QueryResult<Insert> {
    key_taken(ExecuteDsl::execute(
        insert_statement(new, actor, change, claim),
        connection,
    ))
}

/// `insert` on a worker's event loop (`db::loop_pool`): the same statement.
pub async fn insert_on_loop(
    connection: &mut AsyncPgConnection,
    new: &NewConsignment,
    actor: &Actor,
    change: Change,
    claim: Option<&IdempotencyRecord>,
) -> QueryResult<Insert> {
    key_taken(diesel_async::methods::ExecuteDsl::execute(insert_statement(new, actor, change, claim), connection).await)
}

/// The one statement of `insert`, for either driver.
fn insert_statement<'a>(
    new: &'a NewConsignment,
    actor: &Actor,
    change: Change,
    claim: Option<&'a IdempotencyRecord>,
) -> impl QueryFragment<Pg> + QueryId + Send + 'a {
    audited(actor, change, diesel::insert_into(consignments::table).values(new)).also(
        IDEMPOTENCY_CLAIM,
        claim.map(|record| diesel::insert_into(idempotency_keys::table).values(record)),
    )
}

const IDEMPOTENCY_CLAIM: &str = "idempotency_claim";

/// A unique violation on the idempotency key means another request holds it.
fn key_taken(outcome: QueryResult<usize>) -> QueryResult<Insert> {
    match outcome {
        Ok(_) => Ok(Insert::Done),
        Err(diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info))
            if info.constraint_name() == Some("idempotency_keys_pkey") =>
        {
            Ok(Insert::KeyTaken)
        }
        Err(error) => Err(error),
    }
}

/// The organisation's consignment, if it exists and is theirs.
pub fn find_owned(connection: &mut PgConnection, organization_id: Uuid, id: Uuid) -> QueryResult<Option<Consignment>> {
    owned(organization_id, id)
        .select(Consignment::as_select())
        .first(connection)
        .optional()
}

/// The organisation's consignment as an exporter's read answers it.
pub fn find_owned_text(
    connection: &mut PgConnection,
    organization_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<ConsignmentText>> {
    owned(organization_id, id)
        .select(ConsignmentText::as_select())
        .first(connection)
        .optional()
}

/// `find_owned_text` on a worker's event loop (`db::loop_pool`), through a shared connection
/// (`&AsyncPgConnection`), so that concurrent reads are pipelined on it.
pub async fn find_owned_text_on_loop(
    mut connection: &AsyncPgConnection,
    organization_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<ConsignmentText>> {
    let query = owned(organization_id, id).select(ConsignmentText::as_select());
    diesel_async::RunQueryDsl::first(query, &mut connection)
        .await
        .optional()
}

type OwnedRow = dsl::Filter<
    dsl::Filter<consignments::table, dsl::Eq<consignments::id, Uuid>>,
    dsl::Eq<consignments::organization_id, Uuid>,
>;

/// The consignment `id` if `organization_id` owns it: one filter for every read of it.
fn owned(organization_id: Uuid, id: Uuid) -> OwnedRow {
    consignments::table
        .filter(consignments::id.eq(id))
        .filter(consignments::organization_id.eq(organization_id))
}

/// Replaces the declaration if the consignment is still at `expected_version` and `status`
/// (which it keeps); `None` when another change came first.
pub fn update_body(
    connection: &mut PgConnection,
    id: Uuid,
    expected_version: i32,
    status: ConsignmentStatus,
    protocol: ProtocolCode,
    planned_departure_date: NaiveDate,
    body: &Value,
) -> QueryResult<Option<Consignment>> {
    diesel::update(consignments::table.find(id))
        .filter(consignments::version.eq(expected_version))
        .filter(consignments::status.eq(status))
        .set((
            consignments::protocol.eq(protocol),
            consignments::planned_departure_date.eq(planned_departure_date),
            consignments::body.eq(body),
            consignments::version.eq(expected_version + 1),
            consignments::updated_at.eq(now),
        ))
        .returning(Consignment::as_returning())
        .get_result(connection)
        .optional()
}

/// The one way a consignment's status changes: from `from` to `to` (which the domain state
/// machine computed), if it is still at `expected_version` and `from`. The status decides which
/// timestamp is stamped: submission (with its report), cancellation, or decision (cleared when
/// returned for correction). `None` when another change came first.
pub fn transition(
    connection: &mut PgConnection,
    id: Uuid,
    expected_version: i32,
    from: ConsignmentStatus,
    to: ConsignmentStatus,
    submission_report: Option<&Value>,
) -> QueryResult<Option<Consignment>> {
    let at = Utc::now();
    let submitted = to == ConsignmentStatus::Submitted;
    let decided_at = match to {
        ConsignmentStatus::Approved | ConsignmentStatus::Rejected => Some(Some(at)),
        ConsignmentStatus::Returned => Some(None),
        ConsignmentStatus::Draft | ConsignmentStatus::Submitted | ConsignmentStatus::Cancelled => None,
    };
    diesel::update(consignments::table.find(id))
        .filter(consignments::version.eq(expected_version))
        .filter(consignments::status.eq(from))
        .set((
            consignments::status.eq(to),
            consignments::version.eq(expected_version + 1),
            consignments::updated_at.eq(at),
            submission_report
                .filter(|_| submitted)
                .map(|report| consignments::submission_report.eq(report)),
            submitted.then(|| consignments::submitted_at.eq(at)),
            (to == ConsignmentStatus::Cancelled).then(|| consignments::cancelled_at.eq(at)),
            decided_at.map(|value| consignments::decided_at.eq(value)),
        ))
        .returning(Consignment::as_returning())
        .get_result(connection)
        .optional()
}

/// Filters of the consignment listing.
#[derive(Debug, Clone, Default)]
pub struct ConsignmentFilter {
    pub status: Option<ConsignmentStatus>,
    pub protocol: Option<ProtocolCode>,
    pub departure_from: Option<NaiveDate>,
    pub departure_to: Option<NaiveDate>,
}

/// One page of the organisation's consignments, oldest first, one extra row.
pub fn list_page(
    connection: &mut PgConnection,
    organization_id: Uuid,
    filter: &ConsignmentFilter,
    after: Option<crate::domain::pagination::TimeIdCursor>,
    limit: i64,
) -> QueryResult<Vec<Consignment>> {
    let mut query = consignments::table
        .filter(consignments::organization_id.eq(organization_id))
        .select(Consignment::as_select())
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(consignments::status.eq(*status));
    }
    if let Some(protocol) = &filter.protocol {
        query = query.filter(consignments::protocol.eq(*protocol));
    }
    if let Some(from) = filter.departure_from {
        query = query.filter(consignments::planned_departure_date.ge(from));
    }
    if let Some(to) = filter.departure_to {
        query = query.filter(consignments::planned_departure_date.le(to));
    }
    if let Some(after) = after {
        query = query.filter(
            consignments::created_at
                .gt(after.created_at)
                .or(consignments::created_at
                    .eq(after.created_at)
                    .and(consignments::id.gt(after.id))),
        );
    }
    query
        .order((consignments::created_at.asc(), consignments::id.asc()))
        .limit(limit + 1)
        .load(connection)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
#[diesel(treat_none_as_default_value = false)]
pub struct IdempotencyRecord {
    pub organization_id: Uuid,
    pub idempotency_key: String,
    pub request_sha256: Vec<u8>,
    pub consignment_id: Uuid,
    pub response_body: Value,
}

pub fn find_idempotency_key(
    connection: &mut PgConnection,
    organization_id: Uuid,
    key: &str,
) -> QueryResult<Option<IdempotencyRecord>> {
    idempotency_keys::table
        .find((organization_id, key))
        .select(IdempotencyRecord::as_select())
        .first(connection)
        .optional()
}

/// A consignment by id whoever owns it, for inspectors.
pub fn find_any(connection: &mut PgConnection, id: Uuid) -> QueryResult<Option<Consignment>> {
    consignments::table
        .find(id)
        .select(Consignment::as_select())
        .first(connection)
        .optional()
}
