//! Reading and verifying the audit chain.

use super::views::{AuditEventView, Page};
use crate::db::audit;
pub use crate::db::audit::AuditFilter;
use crate::domain::audit::{BrokenLink, ChainBreak, ChainVerifier, to_hex};
use crate::domain::pagination::SeqCursor;
use crate::error::ApiError;
use diesel::PgConnection;
use serde::Serialize;
use uuid::Uuid;

/// Events read per query while verifying, bounding memory for long chains.
const VERIFY_BATCH: i64 = 1000;

pub fn list(
    connection: &mut PgConnection,
    filter: &AuditFilter,
    after: Option<SeqCursor>,
    limit: i64,
) -> Result<Page<AuditEventView>, ApiError> {
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
}

/// Recomputes every hash from the first event on and stops at the first that does not match.
pub fn verify(connection: &mut PgConnection) -> Result<Verification, ApiError> {
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let batch = audit::chain_batch(connection, after, VERIFY_BATCH)?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for row in batch {
            if let Err(BrokenLink { id, seq, reason }) = verifier.check(&row.into_stored()) {
                return Ok(Verification {
                    status: "broken",
                    events_checked: verifier.events_checked(),
                    last_hash: to_hex(&verifier.last_hash()),
                    first_invalid_event: Some(InvalidEvent { id, seq, reason }),
                });
            }
        }
    }
    Ok(Verification {
        status: "ok",
        events_checked: verifier.events_checked(),
        last_hash: to_hex(&verifier.last_hash()),
        first_invalid_event: None,
    })
}
