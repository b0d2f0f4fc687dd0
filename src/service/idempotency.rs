//! Idempotent state-changing requests: the first request with a key stores its response in the
//! transaction that makes its change; a repeat of the same request gets that response back
//! instead of acting twice, and the same key with another request is refused.

use crate::db::idempotency::{self as store, StoredResponse};
use crate::domain::canonical_json::to_canonical_bytes;
use crate::domain::certificate::sha256;
use crate::domain::field_violation::FieldViolation;
use crate::error::ApiError;
use diesel::PgConnection;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// A successful answer as it is sent and, with a key, stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: Value,
}

impl Reply {
    pub fn new(status: u16, body: Value) -> Self {
        Self {
            status,
            location: None,
            etag: None,
            body,
        }
    }

    pub fn json(status: u16, body: &impl Serialize) -> Result<Self, ApiError> {
        let body = serde_json::to_value(body)
            .map_err(|error| ApiError::Internal(anyhow::anyhow!("a response does not serialise: {error}")))?;
        Ok(Self::new(status, body))
    }

    pub fn with_location(self, location: String) -> Self {
        Self {
            location: Some(location),
            ..self
        }
    }

    pub fn with_etag(self, etag: String) -> Self {
        Self {
            etag: Some(etag),
            ..self
        }
    }
}

/// A request that carried an Idempotency-Key.
#[derive(Debug, Clone)]
pub struct KeyedRequest {
    pub organization_id: Uuid,
    pub key: String,
    pub fingerprint: [u8; 32],
}

/// What identifies "the same request": method, path and the body's canonical JSON (so key
/// order and spacing do not matter).
pub fn fingerprint(method: &str, path: &str, body: &Value) -> [u8; 32] {
    let mut bytes = Vec::with_capacity(256);
    bytes.extend_from_slice(method.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(path.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(&to_canonical_bytes(body));
    sha256(&bytes)
}

/// The stored reply to an earlier use of the key; 422 when that was another request.
pub fn stored(connection: &mut PgConnection, request: &KeyedRequest) -> Result<Option<Reply>, ApiError> {
    let Some(stored) = store::find(connection, request.organization_id, &request.key)? else {
        return Ok(None);
    };
    if stored.request_sha256.as_slice() != request.fingerprint.as_slice() {
        return Err(ApiError::invalid(FieldViolation::new(
            "",
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request; use a new key for a new request.",
        )));
    }
    Ok(Some(Reply {
        status: u16::try_from(stored.status).unwrap_or(200),
        location: stored.location,
        etag: stored.etag,
        body: stored.body,
    }))
}

/// Runs `work` inside the caller's transaction, unless the key was used before: then the
/// stored reply, marked as a replay. With a key, the reply is stored before commit; a
/// concurrent request that claimed the key first makes this fail with `IdempotencyKeyInUse`.
pub fn run(
    connection: &mut PgConnection,
    request: Option<&KeyedRequest>,
    work: impl FnOnce(&mut PgConnection) -> Result<Reply, ApiError>,
) -> Result<(Reply, bool), ApiError> {
    let Some(request) = request else {
        return work(connection).map(|reply| (reply, false));
    };
    if let Some(reply) = stored(connection, request)? {
        return Ok((reply, true));
    }
    let reply = work(connection)?;
    let claimed = store::claim(
        connection,
        &StoredResponse {
            organization_id: request.organization_id,
            idempotency_key: request.key.clone(),
            request_sha256: request.fingerprint.to_vec(),
            status: i16::try_from(reply.status).unwrap_or(200),
            location: reply.location.clone(),
            etag: reply.etag.clone(),
            body: reply.body.clone(),
        },
    )?;
    if !claimed {
        return Err(ApiError::IdempotencyKeyInUse);
    }
    Ok((reply, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_fingerprint_ignores_key_order_but_not_the_path_or_the_values() {
        let one = fingerprint("POST", "/v1/a", &json!({"a": 1, "b": 2}));
        assert_eq!(one, fingerprint("POST", "/v1/a", &json!({"b": 2, "a": 1})));
        assert_ne!(one, fingerprint("POST", "/v1/b", &json!({"a": 1, "b": 2})));
        assert_ne!(one, fingerprint("POST", "/v1/a", &json!({"a": 1, "b": 3})));
    }
}
