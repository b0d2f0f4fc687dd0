//! Webhook endpoints and the record of every delivery try.

use super::audit::AuditEvent;
use super::schema::{audit_events, event_recipients, webhook_attempts, webhook_endpoints};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
#[diesel(treat_none_as_default_value = false)]
pub struct EndpointRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub enabled: bool,
    pub delivered_through_seq: i64,
    pub failed_attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
#[diesel(treat_none_as_default_value = false)]
pub struct AttemptRow {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub seq: i64,
    pub event_id: Uuid,
    pub event_type: String,
    pub attempt: i32,
    pub succeeded: bool,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub attempted_at: DateTime<Utc>,
}

pub fn insert(connection: &mut PgConnection, row: &EndpointRow) -> QueryResult<EndpointRow> {
    diesel::insert_into(webhook_endpoints::table)
        .values(row)
        .returning(EndpointRow::as_returning())
        .get_result(connection)
}

pub fn find(connection: &mut PgConnection, id: Uuid) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .first(connection)
        .optional()
}

/// An organisation's endpoints (every organisation's when `organization_id` is `None`), oldest
/// first, after a `(created_at, id)` position, one page plus one row.
pub fn list(
    connection: &mut PgConnection,
    organization_id: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<EndpointRow>> {
    let mut query = webhook_endpoints::table.select(EndpointRow::as_select()).into_boxed();
    if let Some(organization_id) = organization_id {
        query = query.filter(webhook_endpoints::organization_id.eq(organization_id));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            webhook_endpoints::created_at
                .gt(at)
                .or(webhook_endpoints::created_at.eq(at).and(webhook_endpoints::id.gt(id))),
        );
    }
    query
        .order((webhook_endpoints::created_at.asc(), webhook_endpoints::id.asc()))
        .limit(limit + 1)
        .load(connection)
}

pub fn delete(connection: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(webhook_endpoints::table.find(id)).execute(connection)
}

/// Claims one enabled endpoint whose next try is due, locked until the transaction ends;
/// endpoints another instance is delivering to are skipped, so none is sent to twice at once.
pub fn claim_due(connection: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .filter(webhook_endpoints::next_attempt_at.le(now))
        .order(webhook_endpoints::next_attempt_at.asc())
        .select(EndpointRow::as_select())
        .for_update()
        .skip_locked()
        .first(connection)
        .optional()
}

/// The endpoint organisation's next feed event after the endpoint's position, of its types.
pub fn next_event(connection: &mut PgConnection, endpoint: &EndpointRow) -> QueryResult<Option<AuditEvent>> {
    let mut query = event_recipients::table
        .inner_join(audit_events::table.on(audit_events::seq.eq(event_recipients::seq)))
        .filter(event_recipients::organization_id.eq(endpoint.organization_id))
        .filter(event_recipients::seq.gt(endpoint.delivered_through_seq))
        .select(AuditEvent::as_select())
        .into_boxed();
    if !endpoint.event_types.is_empty() {
        query = query.filter(audit_events::action.eq_any(endpoint.event_types.clone()));
    }
    query.order(event_recipients::seq.asc()).first(connection).optional()
}

/// After a delivery: the endpoint moves past `seq`, with its failures forgotten.
pub fn mark_delivered(connection: &mut PgConnection, id: Uuid, seq: i64, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(webhook_endpoints::table.find(id))
        .set((
            webhook_endpoints::delivered_through_seq.eq(seq),
            webhook_endpoints::failed_attempts.eq(0),
            webhook_endpoints::failing_since.eq(None::<DateTime<Utc>>),
            webhook_endpoints::next_attempt_at.eq(now),
            webhook_endpoints::updated_at.eq(now),
        ))
        .execute(connection)
}

/// Nothing to deliver: look again after `idle_until`.
pub fn rest_until(connection: &mut PgConnection, id: Uuid, idle_until: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(webhook_endpoints::table.find(id))
        .set(webhook_endpoints::next_attempt_at.eq(idle_until))
        .execute(connection)
}

/// After a failed try: when to try again, or the endpoint disabled with a reason. Returns the
/// endpoint as it now is.
pub fn mark_failed(
    connection: &mut PgConnection,
    endpoint: &EndpointRow,
    now: DateTime<Utc>,
    retry_at: DateTime<Utc>,
    disabled_reason: Option<String>,
) -> QueryResult<EndpointRow> {
    diesel::update(webhook_endpoints::table.find(endpoint.id))
        .set((
            webhook_endpoints::failed_attempts.eq(endpoint.failed_attempts.saturating_add(1)),
            webhook_endpoints::failing_since.eq(endpoint.failing_since.or(Some(now))),
            webhook_endpoints::next_attempt_at.eq(retry_at),
            webhook_endpoints::enabled.eq(disabled_reason.is_none()),
            webhook_endpoints::disabled_reason.eq(disabled_reason),
            webhook_endpoints::updated_at.eq(now),
        ))
        .returning(EndpointRow::as_returning())
        .get_result(connection)
}

/// A new secret; the old one keeps signing until `previous_until`.
pub fn rotate_secret(
    connection: &mut PgConnection,
    endpoint: &EndpointRow,
    secret: &str,
    previous_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<EndpointRow> {
    diesel::update(webhook_endpoints::table.find(endpoint.id))
        .set((
            webhook_endpoints::secret.eq(secret),
            webhook_endpoints::previous_secret.eq(Some(&endpoint.secret)),
            webhook_endpoints::previous_secret_expires_at.eq(Some(previous_until)),
            webhook_endpoints::updated_at.eq(now),
        ))
        .returning(EndpointRow::as_returning())
        .get_result(connection)
}

/// A retry by hand: due now, enabled again.
pub fn retry_now(connection: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<Option<EndpointRow>> {
    diesel::update(webhook_endpoints::table.find(id))
        .set((
            webhook_endpoints::enabled.eq(true),
            webhook_endpoints::disabled_reason.eq(None::<String>),
            webhook_endpoints::next_attempt_at.eq(now),
            webhook_endpoints::updated_at.eq(now),
        ))
        .returning(EndpointRow::as_returning())
        .get_result(connection)
        .optional()
}

pub fn record_attempt(connection: &mut PgConnection, row: &AttemptRow) -> QueryResult<usize> {
    diesel::insert_into(webhook_attempts::table)
        .values(row)
        .execute(connection)
}

/// Tries for the endpoints of an organisation (every organisation's when `None`), newest
/// first, optionally of one endpoint, before an `(attempted_at, id)` position.
pub fn attempts(
    connection: &mut PgConnection,
    organization_id: Option<Uuid>,
    endpoint_id: Option<Uuid>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<AttemptRow>> {
    let mut query = webhook_attempts::table
        .inner_join(webhook_endpoints::table)
        .select(AttemptRow::as_select())
        .into_boxed();
    if let Some(organization_id) = organization_id {
        query = query.filter(webhook_endpoints::organization_id.eq(organization_id));
    }
    if let Some(endpoint_id) = endpoint_id {
        query = query.filter(webhook_attempts::endpoint_id.eq(endpoint_id));
    }
    if let Some((at, id)) = before {
        query = query.filter(
            webhook_attempts::attempted_at
                .lt(at)
                .or(webhook_attempts::attempted_at.eq(at).and(webhook_attempts::id.lt(id))),
        );
    }
    query
        .order((webhook_attempts::attempted_at.desc(), webhook_attempts::id.desc()))
        .limit(limit + 1)
        .load(connection)
}
