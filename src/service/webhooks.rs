//! Webhook endpoints (registering, listing, removing, retrying by hand) and one delivery step:
//! claim a due endpoint, send it the next event of its organisation's feed, record the try.

use super::random::random_bytes;
use super::views::{Page, timestamp};
use super::{audit, event_feed};
use crate::config::Config;
use crate::db::audit::Actor;
use crate::db::webhooks::{self, AttemptRow, EndpointRow};
use crate::domain::audit::AuditAction;
use crate::domain::pagination::TimeIdCursor;
use crate::domain::webhook::is_internal;
use crate::domain::webhook::{DISABLE_AFTER, retry_delay, secret_from_random_bytes, signature};
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde::Serialize;
use std::net::ToSocketAddrs;
use std::time::Duration;
use uuid::Uuid;

/// How long an endpoint with nothing to deliver waits before it is looked at again; bounds
/// how late a new event reaches it.
const IDLE_RECHECK: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Serialize)]
pub struct EndpointView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub url: String,
    /// The event types sent; every type when empty.
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// After a rotation, until when the previous secret signs too.
    pub previous_secret_expires_at: Option<String>,
    /// The last event (audit seq) delivered or passed over.
    pub delivered_through_seq: i64,
    pub failed_attempts: i32,
    pub failing_since: Option<String>,
    pub next_attempt_at: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<EndpointRow> for EndpointView {
    fn from(row: EndpointRow) -> Self {
        Self {
            id: row.id,
            organization_id: row.organization_id,
            url: row.url,
            event_types: row.event_types,
            enabled: row.enabled,
            disabled_reason: row.disabled_reason,
            previous_secret_expires_at: row.previous_secret_expires_at.map(timestamp),
            delivered_through_seq: row.delivered_through_seq,
            failed_attempts: row.failed_attempts,
            failing_since: row.failing_since.map(timestamp),
            next_attempt_at: timestamp(row.next_attempt_at),
            created_at: timestamp(row.created_at),
            updated_at: timestamp(row.updated_at),
        }
    }
}

/// A new endpoint and its signing secret, shown this once.
#[derive(Debug, Serialize)]
pub struct CreatedEndpointView {
    pub endpoint: EndpointView,
    pub secret: String,
}

#[derive(Debug, Serialize)]
pub struct AttemptView {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub seq: i64,
    pub attempt: i32,
    pub succeeded: bool,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub attempted_at: String,
}

impl From<AttemptRow> for AttemptView {
    fn from(row: AttemptRow) -> Self {
        Self {
            id: row.id,
            endpoint_id: row.endpoint_id,
            event_id: row.event_id,
            event_type: row.event_type,
            seq: row.seq,
            attempt: row.attempt,
            succeeded: row.succeeded,
            status_code: row.status_code,
            error: row.error,
            latency_ms: row.latency_ms,
            attempted_at: timestamp(row.attempted_at),
        }
    }
}

fn audit_endpoint(
    connection: &mut PgConnection,
    actor: &Actor,
    action: AuditAction,
    view: &EndpointView,
) -> Result<(), ApiError> {
    audit::record(connection, actor, action, view.id, view)
}

/// Registers an endpoint that receives the organisation's events committed from now on. The URL
/// has been checked against the delivery policy. Call inside a transaction.
pub fn create(
    connection: &mut PgConnection,
    actor: &Actor,
    organization_id: Uuid,
    url: String,
    event_types: Vec<String>,
) -> Result<CreatedEndpointView, ApiError> {
    let secret = new_secret()?;
    // Events committed before now are sealed first, so the endpoint starts after all of them
    // and receives exactly what happens from its registration on.
    audit::seal_committed(connection)?;
    let (head, _) = crate::db::audit::head(connection)?;
    let now = Utc::now();
    let row = webhooks::insert(
        connection,
        &EndpointRow {
            id: Uuid::now_v7(),
            organization_id,
            url,
            event_types,
            secret: secret.clone(),
            previous_secret: None,
            previous_secret_expires_at: None,
            enabled: true,
            delivered_through_seq: head,
            failed_attempts: 0,
            next_attempt_at: now,
            failing_since: None,
            disabled_reason: None,
            created_at: now,
            updated_at: now,
        },
    )?;
    let endpoint = EndpointView::from(row);
    audit_endpoint(connection, actor, AuditAction::WebhookEndpointCreated, &endpoint)?;
    Ok(CreatedEndpointView { endpoint, secret })
}

fn new_secret() -> Result<String, ApiError> {
    Ok(secret_from_random_bytes(random_bytes()?))
}

/// How long the previous secret keeps signing after a rotation.
const ROTATION_OVERLAP: Duration = Duration::from_secs(24 * 3600);

/// Gives the endpoint a new secret, shown this once; for a day deliveries carry a signature
/// with each, so the receiver can switch without losing any. Call inside a transaction.
pub fn rotate_secret(
    connection: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    organization_id: Option<Uuid>,
) -> Result<CreatedEndpointView, ApiError> {
    let endpoint = visible(connection, id, organization_id)?;
    let secret = new_secret()?;
    let now = Utc::now();
    let row = webhooks::rotate_secret(connection, &endpoint, &secret, later(now, ROTATION_OVERLAP), now)?;
    let endpoint = EndpointView::from(row);
    audit_endpoint(connection, actor, AuditAction::WebhookEndpointSecretRotated, &endpoint)?;
    Ok(CreatedEndpointView { endpoint, secret })
}

/// The `webhook-signature` value: one signature per secret in force, space-separated.
fn signatures(
    endpoint: &EndpointRow,
    message_id: &str,
    sent_at: i64,
    body: &[u8],
    now: DateTime<Utc>,
) -> Option<String> {
    let mut signed = vec![signature(&endpoint.secret, message_id, sent_at, body)?];
    if let (Some(previous), Some(until)) = (&endpoint.previous_secret, endpoint.previous_secret_expires_at)
        && until > now
    {
        signed.push(signature(previous, message_id, sent_at, body)?);
    }
    Some(signed.join(" "))
}

/// The endpoint with `id` if `organization_id` (or an admin, with `None`) may see it.
fn visible(connection: &mut PgConnection, id: Uuid, organization_id: Option<Uuid>) -> Result<EndpointRow, ApiError> {
    webhooks::find(connection, id)?
        .filter(|row| organization_id.is_none_or(|organization| organization == row.organization_id))
        .ok_or_else(|| ApiError::not_found(format!("No webhook endpoint of yours has id {id}.")))
}

pub fn list(
    connection: &mut PgConnection,
    organization_id: Option<Uuid>,
    after: Option<TimeIdCursor>,
    limit: i64,
) -> Result<Page<EndpointView>, ApiError> {
    let rows = webhooks::list(
        connection,
        organization_id,
        after.map(|cursor| (cursor.created_at, cursor.id)),
        limit,
    )?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| {
            TimeIdCursor {
                created_at: row.created_at,
                id: row.id,
            }
            .encode()
        },
        EndpointView::from,
    ))
}

/// Removes an endpoint and its record of tries. Call inside a transaction.
pub fn delete(
    connection: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    organization_id: Option<Uuid>,
) -> Result<(), ApiError> {
    let row = visible(connection, id, organization_id)?;
    webhooks::delete(connection, id)?;
    audit_endpoint(
        connection,
        actor,
        AuditAction::WebhookEndpointDeleted,
        &EndpointView::from(row),
    )
}

/// Makes the endpoint due now and enabled again (after it was disabled for failing).
pub fn retry(connection: &mut PgConnection, id: Uuid, organization_id: Option<Uuid>) -> Result<EndpointView, ApiError> {
    visible(connection, id, organization_id)?;
    let row = webhooks::retry_now(connection, id, Utc::now())?
        .ok_or_else(|| ApiError::not_found(format!("No webhook endpoint of yours has id {id}.")))?;
    Ok(EndpointView::from(row))
}

pub fn attempts(
    connection: &mut PgConnection,
    organization_id: Option<Uuid>,
    endpoint_id: Option<Uuid>,
    before: Option<TimeIdCursor>,
    limit: i64,
) -> Result<Page<AttemptView>, ApiError> {
    let rows = webhooks::attempts(
        connection,
        organization_id,
        endpoint_id,
        before.map(|cursor| (cursor.created_at, cursor.id)),
        limit,
    )?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| {
            TimeIdCursor {
                created_at: row.attempted_at,
                id: row.id,
            }
            .encode()
        },
        AttemptView::from,
    ))
}

/// One message to send, signed per the Standard Webhooks specification.
#[derive(Debug)]
pub struct Outgoing {
    pub url: String,
    pub message_id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: Vec<u8>,
}

/// What came of sending it: the status the receiver answered, or why there was none.
#[derive(Debug)]
pub struct Outcome {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency: Duration,
}

impl Outcome {
    fn succeeded(&self) -> bool {
        self.status.is_some_and(|status| (200..300).contains(&status))
    }
}

/// Claims one due endpoint and sends it its next event, in one transaction that holds the
/// endpoint's row, so no other instance sends to it meanwhile. `jitter` (0..1) spreads the
/// retry. Whether an endpoint was due (the caller looks again at once if so).
pub fn deliver_next(
    connection: &mut PgConnection,
    jitter: f64,
    send: &mut dyn FnMut(&Outgoing) -> Outcome,
) -> Result<bool, ApiError> {
    let now = Utc::now();
    let Some(endpoint) = webhooks::claim_due(connection, now)? else {
        return Ok(false);
    };
    let Some(event) = webhooks::next_event(connection, &endpoint)? else {
        webhooks::rest_until(connection, endpoint.id, later(now, IDLE_RECHECK))?;
        return Ok(true);
    };
    let (seq, event_id, event_type) = (event.seq, event.id, event.action.clone());
    let body = serde_json::to_vec(&event_feed::view(event, endpoint.organization_id))
        .map_err(|error| anyhow::anyhow!("an event could not be written as JSON: {error}"))?;
    let message_id = event_id.to_string();
    let sent_at = now.timestamp();
    let signed = signatures(&endpoint, &message_id, sent_at, &body, now)
        .ok_or_else(|| anyhow::anyhow!("webhook endpoint {} has a malformed secret", endpoint.id))?;
    let outcome = send(&Outgoing {
        url: endpoint.url.clone(),
        message_id,
        timestamp: sent_at,
        signature: signed,
        body,
    });
    webhooks::record_attempt(
        connection,
        &AttemptRow {
            id: Uuid::now_v7(),
            endpoint_id: endpoint.id,
            seq,
            event_id,
            event_type,
            attempt: endpoint.failed_attempts.saturating_add(1),
            succeeded: outcome.succeeded(),
            status_code: outcome.status.map(i32::from),
            error: outcome.error.as_ref().map(|error| error.chars().take(1000).collect()),
            latency_ms: i32::try_from(outcome.latency.as_millis()).unwrap_or(i32::MAX),
            attempted_at: Utc::now(),
        },
    )?;
    let finished = Utc::now();
    if outcome.succeeded() {
        webhooks::mark_delivered(connection, endpoint.id, seq, finished)?;
        return Ok(true);
    }
    let failures = u32::try_from(endpoint.failed_attempts).unwrap_or(0).saturating_add(1);
    let failing_since = endpoint.failing_since.unwrap_or(now);
    let given_up = finished
        .signed_duration_since(failing_since)
        .to_std()
        .unwrap_or_default()
        >= DISABLE_AFTER;
    let reason = given_up.then(|| {
        format!(
            "Every delivery failed from {} for 3 days; fix the receiver, then retry it by hand.",
            timestamp(failing_since)
        )
    });
    let row = webhooks::mark_failed(
        connection,
        &endpoint,
        finished,
        later(finished, retry_delay(failures, jitter)),
        reason,
    )?;
    if !row.enabled {
        // The organisation hears of it in its feed (and on any other endpoint it has).
        let deliverer = Actor {
            key_id: None,
            organization_id: None,
            request_id: "webhook-deliverer".to_owned(),
            client_request_id: None,
        };
        audit_endpoint(
            connection,
            &deliverer,
            AuditAction::WebhookEndpointDisabled,
            &EndpointView::from(row),
        )?;
    }
    Ok(true)
}

fn later(at: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    at + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX)
}

/// Why `url` may not be delivered to under the operator's policy, if it may not.
pub fn refusal(url: &str, config: &Config) -> Option<String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Some("The URL is not an absolute URL.".to_owned());
    };
    match parsed.scheme() {
        "https" => {}
        "http" if config.webhook_allow_http => {}
        _ => return Some("Webhook URLs use https.".to_owned()),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some("A webhook URL carries no user name or password; authenticate the signature instead.".to_owned());
    }
    let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else {
        return Some("The URL names no host.".to_owned());
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<_> = match (host, port).to_socket_addrs() {
        Ok(addresses) => addresses.collect(),
        Err(_) => return Some(format!("{host} does not resolve.")),
    };
    if addresses.is_empty() {
        return Some(format!("{host} does not resolve."));
    }
    if !config.webhook_allow_internal && addresses.iter().any(|address| is_internal(address.ip())) {
        return Some(format!(
            "{host} resolves to a loopback, private or link-local address, which webhooks may not reach."
        ));
    }
    None
}
