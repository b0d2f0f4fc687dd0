//! The webhook deliverer: in every instance, endpoints are claimed one at a time (row locks,
//! skipping those another instance holds), so each receives its events in order and none is
//! sent to by two instances at once. Deliveries run off the request path, on the blocking pool.

use super::webhook_sender::{agent, jitter, send};
use crate::service::webhooks::deliver_next;
use crate::state::AppState;
use actix_web::web;
use diesel::Connection;
use std::time::Duration;

/// How long the deliverer waits when no endpoint is due.
const IDLE_POLL: Duration = Duration::from_millis(200);

pub async fn run(state: web::Data<AppState>) {
    let mut failing = false;
    let client = agent(&state.config);
    loop {
        let (config, client) = (state.config.clone(), client.clone());
        let spread = jitter();
        let outcome = state
            .db
            .run(move |connection| {
                connection.transaction(|connection| {
                    deliver_next(connection, spread, &mut |outgoing| send(&client, &config, outgoing))
                })
            })
            .await;
        match outcome {
            Ok(true) => {
                failing = false;
                // Another endpoint may be due: look again at once, letting other tasks run.
                actix_web::rt::task::yield_now().await;
            }
            Ok(false) => {
                failing = false;
                actix_web::rt::time::sleep(IDLE_POLL).await;
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(error = %error, "the webhook deliverer cannot reach the database; deliveries wait");
                    failing = true;
                }
                actix_web::rt::time::sleep(IDLE_POLL * 5).await;
            }
        }
    }
}
