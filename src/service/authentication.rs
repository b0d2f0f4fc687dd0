//! Turning a presented bearer key into a principal.

use crate::db::api_keys;
use crate::domain::api_key::{Role, hash_key, looks_like_key};
use crate::domain::organization::OrganizationKind;
use crate::error::ApiError;
use diesel::PgConnection;
use uuid::Uuid;

/// The key a request was made with, and what it stands for.
#[derive(Debug, Clone)]
pub struct Principal {
    pub key_id: Uuid,
    pub organization_id: Uuid,
    pub organization_kind: OrganizationKind,
    pub role: Role,
}

/// Looks the key up by its hash; `None` for an unknown or revoked key.
pub fn authenticate(connection: &mut PgConnection, token: &str) -> Result<Option<Principal>, ApiError> {
    if !looks_like_key(token) {
        return Ok(None);
    }
    let Some(key) = api_keys::find_active_by_hash(connection, &hash_key(token))? else {
        return Ok(None);
    };
    // Keys issued before roles were tied to organisation kinds (admin keys in exporter or
    // authority organisations) no longer authenticate; the database refuses new ones.
    if !key.role.allowed_in(key.organization_kind) {
        return Ok(None);
    }
    let stale = key
        .last_used_at
        .is_none_or(|at| chrono::Utc::now() - at > chrono::Duration::minutes(1));
    if stale {
        api_keys::touch_last_used(connection, key.id)?;
    }
    Ok(Some(Principal {
        key_id: key.id,
        organization_id: key.organization_id,
        organization_kind: key.organization_kind,
        role: key.role,
    }))
}
