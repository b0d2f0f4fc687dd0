//! The audit sealer's loop: a pass, then a short sleep unless the pass filled a whole batch
//! (a backlog is drained at full speed). After every thousand sealed events it vacuums the
//! queue they left (`audit::vacuum_pending`).

use crate::db::audit;
use crate::domain::audit_checkpoint::CheckpointPolicy;
use crate::service::audit_sealer;
use crate::state::AppState;
use actix_web::web;

/// Dead rows left in `audit_pending` before the sealer vacuums it: at a few thousand writes a
/// second, a vacuum every few hundred milliseconds keeps the table to a few hundred pages.
const VACUUM_AFTER_SEALED: usize = 1000;

pub async fn run(state: web::Data<AppState>) {
    let config = state.config.clone();
    let policy = CheckpointPolicy {
        every_events: config.audit_checkpoint_every_events,
        interval: chrono::Duration::from_std(config.audit_checkpoint_interval).unwrap_or(chrono::Duration::MAX),
    };
    let batch = config.audit_seal_batch;
    let mut failing = false;
    let mut sealed_since_vacuum = 0;
    loop {
        let signer = state.signer.clone();
        let outcome = state
            .db
            .run(move |connection| audit_sealer::pass(connection, &signer, batch, policy))
            .await;
        let drained = match outcome {
            Ok(pass) => {
                if failing {
                    tracing::info!("the audit sealer works again");
                    failing = false;
                }
                state.metrics.record_sealing(pass.sealed, pass.unsealed, pass.lag);
                if pass.checkpoint_signed {
                    state.metrics.record_checkpoint();
                }
                sealed_since_vacuum += pass.sealed;
                (pass.sealed as i64) < batch
            }
            Err(error) => {
                // Once per outage, not every pass: the database may be down for a while.
                if !failing {
                    tracing::warn!(error = %error, "the audit sealer cannot reach the database; events wait, committed, until it can");
                    failing = true;
                }
                true
            }
        };
        if sealed_since_vacuum >= VACUUM_AFTER_SEALED {
            sealed_since_vacuum = 0;
            // A failure here is the database's, and the next pass reports it.
            if let Err(error) = state.db.run(|connection| Ok(audit::vacuum_pending(connection)?)).await {
                tracing::debug!(error = %error, "vacuuming the audit queue failed");
            }
        }
        if drained {
            actix_web::rt::time::sleep(config.audit_seal_interval).await;
        }
    }
}
