//! The JSON shapes of stored records, used both in responses and as the audited state.

use crate::db::api_keys::ApiKey;
use crate::db::audit::AuditEvent;
use crate::db::organizations::Organization;
use crate::domain::api_key::Role;
use crate::domain::audit::to_hex;
use crate::domain::organization::{Authority, OrganizationKind};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// A value as JSON, for responses, audited states and stored documents.
pub fn to_json<T: Serialize>(value: &T) -> Result<Value, crate::error::ApiError> {
    serde_json::to_value(value).map_err(|error| crate::error::ApiError::Internal(error.into()))
}

/// Timestamps leave the service as RFC 3339 in UTC with microseconds.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganizationView {
    pub id: Uuid,
    pub kind: OrganizationKind,
    pub name: String,
    pub tax_code: Option<String>,
    pub authority: Option<Authority>,
    pub address: Option<String>,
    pub province: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Organization> for OrganizationView {
    fn from(row: Organization) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            name: row.name,
            tax_code: row.tax_code,
            authority: row.authority,
            address: row.address,
            province: row.province,
            created_at: timestamp(row.created_at),
            updated_at: timestamp(row.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub role: Role,
    pub label: String,
    pub prefix: String,
    pub created_by_key_id: Option<Uuid>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_by_key_id: Option<Uuid>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(row: ApiKey) -> Self {
        Self {
            id: row.id,
            organization_id: row.organization_id,
            role: row.role,
            label: row.label,
            prefix: row.display_prefix,
            created_by_key_id: row.created_by_key_id,
            created_at: timestamp(row.created_at),
            last_used_at: row.last_used_at.map(timestamp),
            revoked_at: row.revoked_at.map(timestamp),
            revoked_by_key_id: row.revoked_by_key_id,
        }
    }
}

/// A key as returned once, at creation: the only time the secret leaves the service.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedApiKeyView {
    #[serde(flatten)]
    pub key: ApiKeyView,
    pub secret: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEventView {
    pub id: Uuid,
    pub seq: i64,
    pub occurred_at: String,
    pub actor_key_id: Option<Uuid>,
    pub actor_organization_id: Option<Uuid>,
    pub request_id: String,
    pub client_request_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub state: Value,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditEvent> for AuditEventView {
    fn from(row: AuditEvent) -> Self {
        Self {
            id: row.id,
            seq: row.seq,
            occurred_at: timestamp(row.occurred_at),
            actor_key_id: row.actor_key_id,
            actor_organization_id: row.actor_organization_id,
            request_id: row.request_id,
            client_request_id: row.client_request_id,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            state: row.state,
            prev_hash: to_hex(&row.prev_hash),
            hash: to_hex(&row.hash),
        }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with `limit + 1`, deriving the cursor from the last
    /// row kept when more rows follow.
    pub fn from_rows<R>(mut rows: Vec<R>, limit: i64, cursor_of: impl Fn(&R) -> String, view: impl Fn(R) -> T) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more { rows.last().map(&cursor_of) } else { None };
        Self {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}
