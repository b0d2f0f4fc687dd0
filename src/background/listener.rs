//! Listens for cache invalidations from every instance (PostgreSQL `LISTEN`) on a connection
//! of its own, outside the pool. The caches are trusted only while it is connected: on
//! connecting (after `LISTEN`, so nothing can be missed) they start empty, and when the
//! connection fails they empty and stop answering until it is back.

use crate::db::pool::with_connection_options;
use crate::domain::invalidation::{CHANNEL, Invalidation};
use crate::state::AppState;
use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use std::time::{Duration, Instant};

/// How often notifications are collected: a change on one instance reaches the others
/// within this (and well within the promised second).
const POLL: Duration = Duration::from_millis(100);

/// How often the connection is proven alive with a query; a connection that died silently
/// (a network partition) would otherwise look idle.
const PING: Duration = Duration::from_secs(1);

/// How long to wait before reconnecting.
const RECONNECT: Duration = Duration::from_secs(1);

pub async fn run(state: web::Data<AppState>) {
    let config = &state.config;
    let url = with_connection_options(&config.database_url, config.db_connect_timeout, config.db_pool_timeout);
    loop {
        let url = url.clone();
        let connected = web::block(move || -> Result<PgConnection, String> {
            let mut connection = PgConnection::establish(&url).map_err(|error| error.to_string())?;
            connection
                .batch_execute(&format!("LISTEN {CHANNEL}"))
                .map_err(|error| error.to_string())?;
            Ok(connection)
        })
        .await;
        let mut connection = match connected {
            Ok(Ok(connection)) => connection,
            Ok(Err(error)) => {
                tracing::debug!(error = %error, "the cache listener cannot connect; caches stay off");
                actix_web::rt::time::sleep(RECONNECT).await;
                continue;
            }
            Err(_) => return,
        };
        state.caches.reset(true);
        let mut last_ping = Instant::now();
        loop {
            let ping = last_ping.elapsed() >= PING;
            let polled = web::block(move || {
                let outcome = collect(&mut connection, ping);
                (connection, outcome)
            })
            .await;
            let Ok((returned, outcome)) = polled else { return };
            connection = returned;
            match outcome {
                Ok(invalidations) => {
                    for invalidation in &invalidations {
                        state.caches.apply(invalidation);
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %error, "the cache listener lost its connection; caches are off until it reconnects");
                    state.caches.reset(false);
                    break;
                }
            }
            if ping {
                last_ping = Instant::now();
            }
            actix_web::rt::time::sleep(POLL).await;
        }
    }
}

/// Reads the notifications that have arrived, after a query proving the connection alive when
/// `ping` is set.
fn collect(connection: &mut PgConnection, ping: bool) -> Result<Vec<Invalidation>, diesel::result::Error> {
    if ping {
        connection.batch_execute("SELECT 1")?;
    }
    let mut invalidations = Vec::new();
    for notification in connection.notifications_iter() {
        if let Some(invalidation) = Invalidation::parse(&notification?.payload) {
            invalidations.push(invalidation);
        }
    }
    Ok(invalidations)
}
