//! Removing what the service promised to keep only for a while: stored responses to
//! idempotent requests, kept at least 24 hours (48 in fact, so a retry late on the second day
//! still finds its answer).

use crate::db::idempotency;
use crate::state::AppState;
use actix_web::web;
use std::time::Duration;

/// How long a stored response is kept.
const RETENTION_HOURS: i64 = 48;

/// How often old responses are removed.
const EVERY: Duration = Duration::from_secs(600);

pub async fn run(state: web::Data<AppState>) {
    loop {
        let cutoff = chrono::Utc::now() - chrono::Duration::hours(RETENTION_HOURS);
        let removed = state
            .db
            .run(move |connection| idempotency::remove_older_than(connection, cutoff).map_err(Into::into))
            .await;
        match removed {
            Ok(count) if count > 0 => tracing::info!(count, "removed stored idempotent responses past their retention"),
            Ok(_) => {}
            Err(error) => {
                tracing::debug!(error = %error, "housekeeping could not reach the database; it tries again later")
            }
        }
        actix_web::rt::time::sleep(EVERY).await;
    }
}
