//! Appending to and reading the audit chain. Appends take a transaction-scoped advisory lock
//! so that concurrent transactions chain one after another instead of forking; the lock is
//! held until the surrounding transaction commits, so the audit append should be the last
//! statement of a transaction.

use super::schema::audit_events;
pub use crate::domain::audit::{Actor, Change};
use crate::domain::audit::{AuditContent, GENESIS_HASH, StoredEvent};
use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

/// Serialises audit appends ("aq_audit").
const AUDIT_LOCK_KEY: i64 = 0x6171_5f61_7564_6974;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
#[diesel(treat_none_as_default_value = false)]
pub struct AuditEvent {
    pub id: Uuid,
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_key_id: Option<Uuid>,
    pub actor_organization_id: Option<Uuid>,
    pub request_id: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub state: Value,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

impl AuditEvent {
    pub fn into_stored(self) -> StoredEvent {
        StoredEvent {
            content: AuditContent {
                seq: self.seq,
                id: self.id,
                occurred_at: self.occurred_at,
                actor_key_id: self.actor_key_id,
                actor_organization_id: self.actor_organization_id,
                request_id: self.request_id,
                action: self.action,
                entity_type: self.entity_type,
                entity_id: self.entity_id,
                state: self.state,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// Above this many events, COPY is faster than a multi-row INSERT.
const COPY_THRESHOLD: usize = 500;

/// Appends one event to the chain. Call it inside the transaction that makes the change.
pub fn append(connection: &mut PgConnection, actor: &Actor, change: Change) -> QueryResult<AuditEvent> {
    append_many(connection, actor, vec![change])?
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

/// Appends events in order, chaining each onto the previous, with batched inserts.
pub fn append_many(connection: &mut PgConnection, actor: &Actor, changes: Vec<Change>) -> QueryResult<Vec<AuditEvent>> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    diesel::sql_query(format!("SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY})")).execute(connection)?;
    let last: Option<(i64, Vec<u8>)> = audit_events::table
        .select((audit_events::seq, audit_events::hash))
        .order(audit_events::seq.desc())
        .first(connection)
        .optional()?;
    let (mut seq, mut prev_hash) = match last {
        Some((seq, hash)) => (seq, hash.try_into().unwrap_or(GENESIS_HASH)),
        None => (0, GENESIS_HASH),
    };
    let occurred_at = Utc::now().trunc_subsecs(6);
    let mut events = Vec::with_capacity(changes.len());
    for change in changes {
        seq += 1;
        let content = AuditContent {
            seq,
            id: Uuid::now_v7(),
            occurred_at,
            actor_key_id: actor.key_id,
            actor_organization_id: actor.organization_id,
            request_id: actor.request_id.clone(),
            action: change.action.as_str().to_owned(),
            entity_type: change.action.entity_type().to_owned(),
            entity_id: change.entity_id,
            state: change.state,
        };
        let hash = content.chained_hash(&prev_hash);
        events.push(AuditEvent {
            id: content.id,
            seq: content.seq,
            occurred_at: content.occurred_at,
            actor_key_id: content.actor_key_id,
            actor_organization_id: content.actor_organization_id,
            request_id: content.request_id,
            action: content.action,
            entity_type: content.entity_type,
            entity_id: content.entity_id,
            state: content.state,
            prev_hash: prev_hash.to_vec(),
            hash: hash.to_vec(),
        });
        prev_hash = hash;
    }
    if events.len() >= COPY_THRESHOLD {
        diesel::copy_from(audit_events::table)
            .from_insertable(&events)
            .execute(connection)?;
    } else {
        diesel::insert_into(audit_events::table)
            .values(&events)
            .execute(connection)?;
    }
    Ok(events)
}

/// Filters of the audit listing.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
}

/// Events in chain order after `after_seq`, one page plus one row.
pub fn list_page(
    connection: &mut PgConnection,
    filter: &AuditFilter,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    let mut query = audit_events::table
        .filter(audit_events::seq.gt(after_seq))
        .select(AuditEvent::as_select())
        .into_boxed();
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(entity_type.clone()));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(entity_id.clone()));
    }
    query.order(audit_events::seq.asc()).limit(limit + 1).load(connection)
}

/// A batch of the whole chain for verification.
pub fn chain_batch(connection: &mut PgConnection, after_seq: i64, limit: i64) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(connection)
}
