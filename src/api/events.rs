//! `GET /v1/events`: the caller's organisation's events in chain order, with long polling, so a
//! client can follow the feed without webhooks.

use super::authentication::Caller;
use super::paging::query_string;
use crate::domain::audit::AuditAction;
use crate::domain::event_feed::EVENT_TYPES;
use crate::domain::field_violation::FieldViolation;
use crate::domain::pagination::{SeqCursor, page_limit};
use crate::error::ApiError;
use crate::service::event_feed;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// The longest a request may wait for an event.
const MAX_WAIT_SECONDS: u64 = 30;

/// How often a waiting request looks again: events are sealed within about the sealer's
/// interval of their commit, so a waiting client hears of one well within a second.
const RECHECK: Duration = Duration::from_millis(200);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The `next_cursor` of the previous answer; from the beginning when absent.
    pub after: Option<String>,
    /// Comma-separated event types; all when absent.
    pub types: Option<String>,
    /// Seconds to wait for an event when there is none yet (0 to 30).
    pub wait: Option<u64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize)]
struct Feed {
    items: Vec<event_feed::EventView>,
    /// Pass as `after` to continue; never null, so a client can always go on following.
    next_cursor: String,
    /// More events follow right away.
    has_more: bool,
}

fn event_types(text: Option<&str>) -> Result<Vec<&'static str>, ApiError> {
    let Some(text) = text else { return Ok(Vec::new()) };
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            AuditAction::parse(item)
                .filter(|action| EVENT_TYPES.contains(action))
                .map(AuditAction::as_str)
                .ok_or_else(|| {
                    let known: Vec<&str> = EVENT_TYPES.iter().map(|action| action.as_str()).collect();
                    ApiError::invalid(FieldViolation::new(
                        "/types",
                        "unknown_value",
                        format!("{item} is not an event type; the types are {}.", known.join(", ")),
                    ))
                })
        })
        .collect()
}

pub async fn list(caller: Caller, request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let query: EventsQuery = query_string(&request)?;
    let limit = page_limit(query.limit).map_err(ApiError::invalid)?;
    let after = match query.after.as_deref() {
        None => 0,
        Some(cursor) => SeqCursor::decode(cursor).map_err(ApiError::invalid)?.0,
    };
    let types = event_types(query.types.as_deref())?;
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECONDS {
        return Err(ApiError::invalid(FieldViolation::new(
            "/wait",
            "out_of_range",
            format!("Wait at most {MAX_WAIT_SECONDS} seconds."),
        )));
    }
    let deadline = Instant::now() + Duration::from_secs(wait);
    let organization_id = caller.principal.organization_id;
    loop {
        let types = types.clone();
        let (items, has_more) = state
            .db
            .run(move |connection| event_feed::page(connection, organization_id, &types, after, limit))
            .await?;
        if !items.is_empty() || Instant::now() + RECHECK > deadline {
            let last = items.last().map_or(after, |item| item.seq);
            return Ok(HttpResponse::Ok().json(Feed {
                items,
                next_cursor: SeqCursor(last).encode(),
                has_more,
            }));
        }
        actix_web::rt::time::sleep(RECHECK).await;
    }
}
