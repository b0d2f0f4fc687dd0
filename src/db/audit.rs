//! The audit trail in the database. A request's transaction records its event in
//! `audit_pending` with a plain insert, so writes never wait for one another; the sealer
//! (`seal_pending`) moves committed events into the hash chain (`audit_events`) in batches,
//! one sealer at a time under a transaction-scoped advisory lock.

use super::schema::{audit_checkpoints, audit_events, audit_pending};
pub use crate::domain::audit::{Actor, Change};
use crate::domain::audit::{AuditContent, GENESIS_HASH, StoredEvent, seal};
use crate::domain::audit_checkpoint::Checkpoint;
use chrono::{DateTime, SubsecRound, Utc};
use diesel::dsl::{count_star, min};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use serde_json::Value;
use uuid::Uuid;

/// Held by the one sealer at work ("aq_audit").
const SEALER_LOCK_KEY: i64 = 0x6171_5f61_7564_6974;

/// A sealed event as stored. Only read through diesel: the sealer writes the chain by copying
/// pending rows inside the server (`insert_sealed`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
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
    pub client_request_id: Option<String>,
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
                client_request_id: self.client_request_id,
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

impl From<StoredEvent> for AuditEvent {
    fn from(event: StoredEvent) -> Self {
        let content = event.content;
        Self {
            id: content.id,
            seq: content.seq,
            occurred_at: content.occurred_at,
            actor_key_id: content.actor_key_id,
            actor_organization_id: content.actor_organization_id,
            request_id: content.request_id,
            client_request_id: content.client_request_id,
            action: content.action,
            entity_type: content.entity_type,
            entity_id: content.entity_id,
            state: content.state,
            prev_hash: event.prev_hash,
            hash: event.hash,
        }
    }
}

/// An event recorded with its change, waiting to be sealed.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_pending)]
#[diesel(treat_none_as_default_value = false)]
struct PendingEvent {
    id: Uuid,
    occurred_at: DateTime<Utc>,
    actor_key_id: Option<Uuid>,
    actor_organization_id: Option<Uuid>,
    request_id: String,
    action: String,
    entity_type: String,
    entity_id: String,
    state: Value,
    client_request_id: Option<String>,
}

impl PendingEvent {
    fn new(actor: &Actor, change: Change, occurred_at: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            occurred_at,
            actor_key_id: actor.key_id,
            actor_organization_id: actor.organization_id,
            request_id: actor.request_id.clone(),
            client_request_id: actor.client_request_id.clone(),
            action: change.action.as_str().to_owned(),
            entity_type: change.action.entity_type().to_owned(),
            entity_id: change.entity_id,
            state: change.state,
        }
    }

    fn into_content(self) -> AuditContent {
        AuditContent {
            seq: 0,
            id: self.id,
            occurred_at: self.occurred_at,
            actor_key_id: self.actor_key_id,
            actor_organization_id: self.actor_organization_id,
            request_id: self.request_id,
            client_request_id: self.client_request_id,
            action: self.action,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            state: self.state,
        }
    }
}

/// Records one event. Call it inside the transaction that makes the change: the event
/// commits with the change or not at all.
pub fn append(connection: &mut PgConnection, actor: &Actor, change: Change) -> QueryResult<()> {
    append_many(connection, actor, vec![change])
}

/// Records events in order, in one insert.
pub fn append_many(connection: &mut PgConnection, actor: &Actor, changes: Vec<Change>) -> QueryResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let occurred_at = Utc::now().trunc_subsecs(6);
    let events: Vec<PendingEvent> = changes
        .into_iter()
        .map(|change| PendingEvent::new(actor, change, occurred_at))
        .collect();
    // One event (nearly every request) goes as a single-row insert, which diesel prepares once
    // per connection; a multi-row insert is planned anew each time.
    if let [event] = events.as_slice() {
        diesel::insert_into(audit_pending::table)
            .values(event)
            .execute(connection)?;
        return Ok(());
    }
    // Bulk imports record thousands of events at once: stay under the bind-parameter limit.
    for chunk in events.chunks(INSERT_CHUNK) {
        diesel::insert_into(audit_pending::table)
            .values(chunk)
            .execute(connection)?;
    }
    Ok(())
}

/// A write that records its audit event in the same statement,
/// `WITH audit_event AS (INSERT INTO audit_pending ...) <write>`: both commit or neither, with
/// no transaction around them and in one round trip. For writes whose resulting state is
/// known before they run (an insert of values made here).
pub struct Audited<E, A, Q> {
    event: E,
    also: A,
    write: Q,
}

/// `write` with the event recording `change`.
pub fn audited<Q>(
    actor: &Actor,
    change: Change,
    write: Q,
) -> Audited<impl QueryFragment<Pg> + Send + use<Q>, NoMore, Q> {
    let event = PendingEvent::new(actor, change, Utc::now().trunc_subsecs(6));
    Audited {
        event: diesel::insert_into(audit_pending::table).values(event),
        also: NoMore,
        write,
    }
}

impl<E, Q> Audited<E, NoMore, Q> {
    /// Runs `statement`, when there is one, as the named common table expression of the same
    /// statement (the SQL differs with and without it; each is prepared once per connection).
    pub fn also<S>(self, name: &'static str, statement: Option<S>) -> Audited<E, Option<Also<S>>, Q> {
        Audited {
            event: self.event,
            also: statement.map(|statement| Also { name, statement }),
            write: self.write,
        }
    }
}

/// No further statement.
pub struct NoMore;

impl QueryFragment<Pg> for NoMore {
    fn walk_ast<'b>(&'b self, _: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Ok(())
    }
}

/// A further data-modifying statement of the `WITH` list.
pub struct Also<S> {
    name: &'static str,
    statement: S,
}

impl<S: QueryFragment<Pg>> QueryFragment<Pg> for Also<S> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(", ");
        out.push_identifier(self.name)?;
        out.push_sql(" AS (");
        self.statement.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl<E: QueryFragment<Pg>, A: QueryFragment<Pg>, Q: QueryFragment<Pg>> QueryFragment<Pg> for Audited<E, A, Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH audit_event AS (");
        self.event.walk_ast(out.reborrow())?;
        out.push_sql(")");
        self.also.walk_ast(out.reborrow())?;
        out.push_sql(" ");
        self.write.walk_ast(out.reborrow())
    }
}

// Cached by its SQL text, like any statement without a type-level identity: still prepared
// once per connection.
impl<E, A, Q> QueryId for Audited<E, A, Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// Nine columns per row keep one insert under PostgreSQL's 65,535 parameters.
const INSERT_CHUNK: usize = 5000;

/// Work done in the sealing transaction with the events it sealed.
pub type OnSealed = fn(&mut PgConnection, &[AuditEvent]) -> QueryResult<()>;

/// Whether this call sealed, or another sealer held the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealOutcome {
    Sealed(usize),
    Busy,
}

/// Moves up to `limit` committed pending events into the chain in one transaction. With
/// `wait`, queues behind another sealer instead of returning `Busy`.
pub fn seal_pending(
    connection: &mut PgConnection,
    limit: i64,
    wait: bool,
    on_sealed: OnSealed,
) -> QueryResult<SealOutcome> {
    connection.transaction(|connection| {
        if wait {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({SEALER_LOCK_KEY})")).execute(connection)?;
        } else {
            let locked: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                "pg_try_advisory_xact_lock({SEALER_LOCK_KEY})"
            )))
            .get_result(connection)?;
            if !locked {
                return Ok(SealOutcome::Busy);
            }
        }
        let pending: Vec<(i64, PendingEvent)> = audit_pending::table
            .order(audit_pending::pending_id.asc())
            .limit(limit)
            .select((audit_pending::pending_id, PendingEvent::as_select()))
            .load(connection)?;
        if pending.is_empty() {
            return Ok(SealOutcome::Sealed(0));
        }
        let (last_seq, last_hash) = head(connection)?;
        let count = pending.len();
        // By identity, never by range: an event with a lower pending_id whose transaction
        // commits while this one runs must stay for the next batch.
        let sealed_ids: Vec<i64> = pending.iter().map(|(pending_id, _)| *pending_id).collect();
        let sealed: Vec<AuditEvent> = seal(
            last_seq,
            last_hash,
            pending.into_iter().map(|(_, event)| event.into_content()).collect(),
        )
        .into_iter()
        .map(AuditEvent::from)
        .collect();
        for (events, pending_ids) in sealed.chunks(SEAL_CHUNK).zip(sealed_ids.chunks(SEAL_CHUNK)) {
            insert_sealed(connection, events, pending_ids)?;
        }
        // In the same transaction: whatever must never miss a sealed event (the event feed's
        // recipients) is written with it.
        on_sealed(connection, &sealed)?;
        diesel::delete(audit_pending::table.filter(audit_pending::pending_id.eq_any(&sealed_ids)))
            .execute(connection)?;
        Ok(SealOutcome::Sealed(count))
    })
}

/// Four arrays of one element per event; any length fits one statement, this bounds its size.
const SEAL_CHUNK: usize = 5000;

/// Stores sealed events, copying each one's content from its pending row inside the server:
/// the JSON state is neither sent back nor parsed and compressed again, and the chain holds
/// exactly the bytes that were hashed.
fn insert_sealed(connection: &mut PgConnection, events: &[AuditEvent], pending_ids: &[i64]) -> QueryResult<()> {
    use diesel::sql_types::{Array, BigInt, Bytea};
    let seqs: Vec<i64> = events.iter().map(|event| event.seq).collect();
    let prev_hashes: Vec<&[u8]> = events.iter().map(|event| event.prev_hash.as_slice()).collect();
    let hashes: Vec<&[u8]> = events.iter().map(|event| event.hash.as_slice()).collect();
    let inserted = diesel::sql_query(
        "INSERT INTO audit_events (id, seq, occurred_at, actor_key_id, actor_organization_id, request_id, \
         client_request_id, action, entity_type, entity_id, state, prev_hash, hash) \
         SELECT p.id, s.seq, p.occurred_at, p.actor_key_id, p.actor_organization_id, p.request_id, \
         p.client_request_id, p.action, p.entity_type, p.entity_id, p.state, s.prev_hash, s.hash \
         FROM unnest($1, $2, $3, $4) AS s (pending_id, seq, prev_hash, hash) \
         JOIN audit_pending p ON p.pending_id = s.pending_id",
    )
    .bind::<Array<BigInt>, _>(pending_ids)
    .bind::<Array<BigInt>, _>(&seqs)
    .bind::<Array<Bytea>, _>(&prev_hashes)
    .bind::<Array<Bytea>, _>(&hashes)
    .execute(connection)?;
    // Only the sealer, holding the lock, deletes pending rows: every one read is still there.
    if inserted != events.len() {
        return Err(diesel::result::Error::RollbackTransaction);
    }
    Ok(())
}

/// Clears the rows the sealer deleted from `audit_pending`. The table is a queue: every event
/// passes through it once, and autovacuum visits it about once a minute, by which time a busy
/// minute has left it tens of megabytes of dead rows that every pass and every backlog count
/// reads through. Skipped when another vacuum holds the table; the file keeps its size (the
/// freed space takes the next events rather than being given back and extended again).
pub fn vacuum_pending(connection: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query("VACUUM (SKIP_LOCKED, TRUNCATE false) audit_pending").execute(connection)?;
    Ok(())
}

/// Seals everything committed so far, waiting for a running sealer; for readers of the
/// trail, who expect to see every change made before they asked.
pub fn seal_all(connection: &mut PgConnection, batch: i64, on_sealed: OnSealed) -> QueryResult<()> {
    while let SealOutcome::Sealed(count) = seal_pending(connection, batch, true, on_sealed)? {
        if (count as i64) < batch {
            break;
        }
    }
    Ok(())
}

/// The sequence number and hash of the newest sealed event (0 and the genesis hash for none).
pub fn head(connection: &mut PgConnection) -> QueryResult<(i64, [u8; 32])> {
    let last: Option<(i64, Vec<u8>)> = audit_events::table
        .select((audit_events::seq, audit_events::hash))
        .order(audit_events::seq.desc())
        .first(connection)
        .optional()?;
    Ok(match last {
        Some((seq, hash)) => (seq, hash.try_into().unwrap_or(GENESIS_HASH)),
        None => (0, GENESIS_HASH),
    })
}

/// How many events wait to be sealed, and when the oldest of them happened.
pub fn backlog(connection: &mut PgConnection) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    audit_pending::table
        .select((count_star(), min(audit_pending::occurred_at)))
        .first(connection)
}

/// A stored checkpoint with its signature.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_checkpoints)]
#[diesel(treat_none_as_default_value = false)]
pub struct CheckpointRow {
    pub seq: i64,
    pub hash: Vec<u8>,
    pub signed_at: DateTime<Utc>,
    pub key_id: String,
    pub signature: Vec<u8>,
}

impl CheckpointRow {
    pub fn new(checkpoint: Checkpoint, signature: [u8; 64]) -> Self {
        Self {
            seq: checkpoint.seq,
            hash: checkpoint.hash.to_vec(),
            signed_at: checkpoint.signed_at,
            key_id: checkpoint.key_id,
            signature: signature.to_vec(),
        }
    }
}

/// Stores a checkpoint; a second one for the same head (another sealer was quicker) is ignored.
pub fn insert_checkpoint(connection: &mut PgConnection, row: &CheckpointRow) -> QueryResult<usize> {
    diesel::insert_into(audit_checkpoints::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(connection)
}

/// The newest checkpoint's position and time.
pub fn latest_checkpoint(connection: &mut PgConnection) -> QueryResult<Option<(i64, DateTime<Utc>)>> {
    audit_checkpoints::table
        .select((audit_checkpoints::seq, audit_checkpoints::signed_at))
        .order(audit_checkpoints::seq.desc())
        .first(connection)
        .optional()
}

/// Checkpoints after `after_seq`, oldest first, one page plus one row.
pub fn checkpoints_page(connection: &mut PgConnection, after_seq: i64, limit: i64) -> QueryResult<Vec<CheckpointRow>> {
    audit_checkpoints::table
        .filter(audit_checkpoints::seq.gt(after_seq))
        .order(audit_checkpoints::seq.asc())
        .limit(limit + 1)
        .select(CheckpointRow::as_select())
        .load(connection)
}

/// Every stored checkpoint's position and hash, for verification.
pub fn checkpoint_hashes(connection: &mut PgConnection) -> QueryResult<Vec<(i64, Vec<u8>)>> {
    audit_checkpoints::table
        .select((audit_checkpoints::seq, audit_checkpoints::hash))
        .order(audit_checkpoints::seq.asc())
        .load(connection)
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
