//! One pass of the audit sealer: seal what has committed, sign a checkpoint when one is due,
//! and measure what is left. `background::sealer` runs passes in every instance; the advisory
//! lock in `db::audit::seal_pending` lets one at a time seal.

use crate::db::audit::{self, CheckpointRow, SealOutcome};
use crate::db::certificates as certificate_store;
use crate::db::event_feed;
use crate::domain::audit_checkpoint::{Checkpoint, CheckpointPolicy};
use crate::domain::certificate::CertificateSigner;
use crate::error::ApiError;
use chrono::{SubsecRound, Utc};
use diesel::PgConnection;
use std::time::Duration;

/// What a pass did and saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pass {
    pub sealed: usize,
    /// Another instance's sealer held the lock.
    pub busy: bool,
    pub checkpoint_signed: bool,
    /// Events still waiting after the pass.
    pub unsealed: i64,
    /// Age of the oldest of them.
    pub lag: Duration,
}

pub fn pass(
    connection: &mut PgConnection,
    signer: &CertificateSigner,
    batch: i64,
    policy: CheckpointPolicy,
) -> Result<Pass, ApiError> {
    let (sealed, busy) = match audit::seal_pending(connection, batch, false, event_feed::record_recipients)? {
        SealOutcome::Sealed(count) => (count, false),
        SealOutcome::Busy => (0, true),
    };
    let checkpoint_signed = !busy && checkpoint_if_due(connection, signer, policy)?;
    let (unsealed, oldest) = audit::backlog(connection)?;
    let lag = oldest
        .and_then(|at| (Utc::now() - at).to_std().ok())
        .unwrap_or_default();
    Ok(Pass {
        sealed,
        busy,
        checkpoint_signed,
        unsealed,
        lag,
    })
}

/// Signs and stores a checkpoint of the chain head when the policy says one is due.
pub fn checkpoint_if_due(
    connection: &mut PgConnection,
    signer: &CertificateSigner,
    policy: CheckpointPolicy,
) -> Result<bool, ApiError> {
    let (seq, hash) = audit::head(connection)?;
    let now = Utc::now().trunc_subsecs(6);
    if !policy.due(seq, audit::latest_checkpoint(connection)?, now) {
        return Ok(false);
    }
    // Whoever checks a checkpoint finds the key at GET /v1/signing-keys.
    if !certificate_store::register_key(connection, &signer.key_id, &signer.public_key())? {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "signing key id {} is already published with another public key",
            signer.key_id
        )));
    }
    let checkpoint = Checkpoint {
        seq,
        hash,
        signed_at: now,
        key_id: signer.key_id.clone(),
    };
    let signature = signer.sign(&checkpoint.signed_bytes());
    Ok(audit::insert_checkpoint(connection, &CheckpointRow::new(checkpoint, signature))? == 1)
}
