//! Work each instance does beside serving requests: sealing the audit chain, listening
//! for cache invalidations, removing expired idempotent responses and delivering webhooks. Each runs as a task on
//! the runtime that serves, so they stop with it.

pub mod housekeeping;
pub mod listener;
pub mod sealer;
pub mod webhook_sender;
pub mod webhooks;

use crate::state::AppState;
use actix_web::web;

/// Starts the sealer and the listener on the current runtime.
pub fn spawn(state: &web::Data<AppState>) {
    actix_web::rt::spawn(sealer::run(state.clone()));
    actix_web::rt::spawn(listener::run(state.clone()));
    actix_web::rt::spawn(housekeeping::run(state.clone()));
    actix_web::rt::spawn(webhooks::run(state.clone()));
}
