//! Reading and verifying the audit chain, and its signed checkpoints.

use super::views::{AuditEventView, Page, timestamp, to_json};
pub use crate::db::audit::AuditFilter;
use crate::db::audit::{Actor, Change};
use crate::db::{audit, event_feed};
use crate::domain::audit::AuditAction;
use crate::domain::audit::{BrokenLink, ChainBreak, ChainVerifier, to_hex};
use crate::domain::audit_checkpoint::{CheckpointComparison, FailedCheckpoint};
use crate::domain::pagination::SeqCursor;
use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use diesel::PgConnection;
use serde::Serialize;
use uuid::Uuid;

/// Events read per query while verifying, bounding memory for long chains.
const VERIFY_BATCH: i64 = 1000;

/// Events sealed per transaction when a reader seals the backlog itself.
const READER_SEAL_BATCH: i64 = 5000;

/// Seals every event committed so far (with the feed's recipients), so what follows sees each
/// change made before it in the chain.
pub fn seal_committed(connection: &mut PgConnection) -> Result<(), ApiError> {
    audit::seal_all(connection, READER_SEAL_BATCH, event_feed::record_recipients)?;
    Ok(())
}

/// Records a change to the entity `entity_id`, its state after the change being `state` as
/// the API shows it. Call in the change's transaction.
pub fn record<T: Serialize>(
    connection: &mut PgConnection,
    actor: &Actor,
    action: AuditAction,
    entity_id: impl ToString,
    state: &T,
) -> Result<(), ApiError> {
    audit::append(
        connection,
        actor,
        Change {
            action,
            entity_id: entity_id.to_string(),
            state: to_json(state)?,
        },
    )?;
    Ok(())
}

/// A page of the chain. Whatever has committed is sealed first, so a reader sees every
/// change made before it asked, in the order of the chain.
pub fn list(
    connection: &mut PgConnection,
    filter: &AuditFilter,
    after: Option<SeqCursor>,
    limit: i64,
) -> Result<Page<AuditEventView>, ApiError> {
    seal_committed(connection)?;
    let rows = audit::list_page(connection, filter, after.map_or(0, |cursor| cursor.0), limit)?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| SeqCursor(row.seq).encode(),
        AuditEventView::from,
    ))
}

#[derive(Debug, Clone, Serialize)]
pub struct InvalidEvent {
    pub id: Uuid,
    pub seq: i64,
    pub reason: ChainBreak,
}

/// The outcome of recomputing the chain.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// `ok` or `broken`.
    pub status: &'static str,
    /// Events that verified before the first broken one (all of them when `ok`).
    pub events_checked: u64,
    /// Hash of the last verified event (all zeros for an empty chain).
    pub last_hash: String,
    pub first_invalid_event: Option<InvalidEvent>,
    /// Checkpoints compared with the chain: every stored one, and the one given, if any.
    pub checkpoints_checked: u64,
    pub failed_checkpoint: Option<FailedCheckpoint>,
    /// Events committed but not yet sealed into the chain (not covered by this verification).
    pub unsealed_events: i64,
    /// Age in seconds of the oldest unsealed event; 0 when none.
    pub sealing_lag_seconds: f64,
}

/// Recomputes every hash from the first event on, stops at the first that does not match,
/// and compares the chain with every stored checkpoint and with `given`, a checkpoint
/// (position and hash) a third party kept.
pub fn verify(connection: &mut PgConnection, given: Option<(i64, [u8; 32])>) -> Result<Verification, ApiError> {
    let mut checkpoints = CheckpointComparison::default();
    for (seq, hash) in audit::checkpoint_hashes(connection)? {
        if let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) {
            checkpoints.expect(seq, hash);
        }
    }
    if let Some((seq, hash)) = given {
        checkpoints.expect(seq, hash);
    }
    let (unsealed_events, oldest) = audit::backlog(connection)?;
    let sealing_lag_seconds = oldest
        .and_then(|at| (Utc::now() - at).to_std().ok())
        .map_or(0.0, |lag| lag.as_secs_f64());
    let mut verifier = ChainVerifier::default();
    let mut first_invalid_event = None;
    let mut after = 0;
    'walk: loop {
        let batch = audit::chain_batch(connection, after, VERIFY_BATCH)?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for row in batch {
            let stored = row.into_stored();
            if let Err(BrokenLink { id, seq, reason }) = verifier.check(&stored) {
                first_invalid_event = Some(InvalidEvent { id, seq, reason });
                break 'walk;
            }
            checkpoints.observe(stored.content.seq, &stored.hash);
        }
    }
    let (checkpoints_checked, failed_checkpoint) = if first_invalid_event.is_some() {
        (0, None)
    } else {
        checkpoints.finish()
    };
    let ok = first_invalid_event.is_none() && failed_checkpoint.is_none();
    Ok(Verification {
        status: if ok { "ok" } else { "broken" },
        events_checked: verifier.events_checked(),
        last_hash: to_hex(&verifier.last_hash()),
        first_invalid_event,
        checkpoints_checked,
        failed_checkpoint,
        unsealed_events,
        sealing_lag_seconds,
    })
}

/// A published checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointView {
    pub seq: i64,
    pub hash: String,
    pub signed_at: String,
    pub key_id: String,
    /// Base64 of the Ed25519 signature over `signed_bytes`.
    pub signature: String,
    /// Exactly the bytes that were signed (canonical JSON), to check with the key at
    /// GET /v1/signing-keys.
    pub signed_bytes: String,
}

impl From<audit::CheckpointRow> for CheckpointView {
    fn from(row: audit::CheckpointRow) -> Self {
        let checkpoint = crate::domain::audit_checkpoint::Checkpoint {
            seq: row.seq,
            hash: row.hash.as_slice().try_into().unwrap_or([0; 32]),
            signed_at: row.signed_at,
            key_id: row.key_id.clone(),
        };
        Self {
            seq: row.seq,
            hash: to_hex(&row.hash),
            signed_at: timestamp(row.signed_at),
            key_id: row.key_id,
            signature: STANDARD.encode(&row.signature),
            signed_bytes: String::from_utf8_lossy(&checkpoint.signed_bytes()).into_owned(),
        }
    }
}

/// Checkpoints in chain order.
pub fn checkpoints(
    connection: &mut PgConnection,
    after: Option<SeqCursor>,
    limit: i64,
) -> Result<Page<CheckpointView>, ApiError> {
    let rows = audit::checkpoints_page(connection, after.map_or(0, |cursor| cursor.0), limit)?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| SeqCursor(row.seq).encode(),
        CheckpointView::from,
    ))
}
