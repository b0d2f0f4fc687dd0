//! Reading an organisation's event feed.

use super::views::timestamp;
use crate::db::audit::AuditEvent;
use crate::db::event_feed;
use crate::error::ApiError;
use diesel::PgConnection;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// One event as the feed shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    pub occurred_at: String,
    /// The organisation the event is for: the caller's.
    pub organization_id: Uuid,
    /// The object after the change, as the API returned it then.
    pub object: Value,
    /// Where the object is now.
    pub href: Option<String>,
    /// Position in the audit chain; what cursors count in.
    pub seq: i64,
}

fn href(event: &AuditEvent) -> Option<String> {
    match event.entity_type.as_str() {
        "consignment" => Some(format!("/v1/consignments/{}", event.entity_id)),
        "certificate" => Some(format!("/v1/certificates/{}", event.entity_id)),
        _ => None,
    }
}

/// A page of the feed after `after_seq`, and whether more follow.
pub fn page(
    connection: &mut PgConnection,
    organization_id: Uuid,
    types: &[&str],
    after_seq: i64,
    limit: i64,
) -> Result<(Vec<EventView>, bool), ApiError> {
    let mut rows = event_feed::page(connection, organization_id, types, after_seq, limit)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let items = rows.into_iter().map(|event| view(event, organization_id)).collect();
    Ok((items, more))
}

/// An event as the feed (and a webhook delivery) shows it to `organization_id`.
pub fn view(event: AuditEvent, organization_id: Uuid) -> EventView {
    EventView {
        id: event.id,
        href: href(&event),
        event_type: event.action,
        occurred_at: timestamp(event.occurred_at),
        organization_id,
        object: event.state,
        seq: event.seq,
    }
}
