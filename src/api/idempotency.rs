//! The `Idempotency-Key` header on state-changing POSTs: read and checked here, applied by
//! `service::idempotency` inside the request's transaction.

use crate::error::ApiError;
use crate::service::Connection;
use crate::service::idempotency::{self, KeyedRequest, Reply};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, LOCATION};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Sent with a stored response given again.
const REPLAYED: &str = "idempotent-replayed";

/// The key a request carries: `None` without the header, 400 when it is not 1 to 255
/// printable ASCII characters.
pub fn idempotency_key(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|text| !text.is_empty() && text.len() <= 255 && text.bytes().all(|byte| byte.is_ascii_graphic()));
    text.map(|text| Some(text.to_owned())).ok_or(ApiError::BadRequest {
        code: "invalid_idempotency_key",
        detail: "Idempotency-Key must be 1 to 255 printable ASCII characters.".into(),
    })
}

/// A state-changing request, with its key if it carried one.
pub struct Idempotent {
    keyed: Option<KeyedRequest>,
}

impl Idempotent {
    /// `body` is the request body as received (empty for requests without one).
    pub fn new(request: &HttpRequest, organization_id: Uuid, body: &[u8]) -> Result<Self, ApiError> {
        let Some(key) = idempotency_key(request)? else {
            return Ok(Self { keyed: None });
        };
        // The body was already read as JSON by the handler; an empty one is no body.
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        Ok(Self {
            keyed: Some(KeyedRequest {
                organization_id,
                key,
                fingerprint: idempotency::fingerprint(request.method().as_str(), request.path(), &value),
            }),
        })
    }

    /// For a body that is not JSON (a CSV list): the request is identified by its path with the
    /// query string and the SHA-256 of its bytes.
    pub fn for_content(
        request: &HttpRequest,
        organization_id: Uuid,
        content_sha256: &[u8; 32],
    ) -> Result<Self, ApiError> {
        let Some(key) = idempotency_key(request)? else {
            return Ok(Self { keyed: None });
        };
        let target = request
            .uri()
            .path_and_query()
            .map_or(request.path(), |target| target.as_str());
        let digest = Value::String(crate::domain::audit::to_hex(content_sha256));
        Ok(Self {
            keyed: Some(KeyedRequest {
                organization_id,
                key,
                fingerprint: idempotency::fingerprint(request.method().as_str(), target, &digest),
            }),
        })
    }

    /// Runs `work` in one transaction and answers with its reply; with a key already used by
    /// the same request, answers with the stored reply instead. When the work fails and a
    /// concurrent duplicate meanwhile committed (so this one found the state changed, or the
    /// key taken), the duplicate's reply is the answer.
    pub async fn transaction<F>(self, state: &AppState, work: F) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce(&mut Connection) -> Result<Reply, ApiError> + Send + 'static,
    {
        let keyed = self.keyed.clone();
        let outcome = state
            .db
            .transaction(move |connection| idempotency::run(connection, keyed.as_ref(), work))
            .await;
        match (outcome, self.keyed) {
            (Ok((reply, replayed)), _) => Ok(respond(reply, replayed)),
            (Err(error @ (ApiError::Conflict { .. } | ApiError::IdempotencyKeyInUse)), Some(keyed)) => {
                let stored = state
                    .db
                    .run(move |connection| idempotency::stored(connection, &keyed))
                    .await?;
                match stored {
                    Some(reply) => Ok(respond(reply, true)),
                    None => Err(error),
                }
            }
            (Err(error), _) => Err(error),
        }
    }
}

fn respond(reply: Reply, replayed: bool) -> HttpResponse {
    let mut builder = HttpResponse::build(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK));
    if let Some(location) = reply.location {
        builder.insert_header((LOCATION, location));
    }
    if let Some(etag) = reply.etag {
        builder.insert_header((ETAG, etag));
    }
    if replayed {
        builder.insert_header((REPLAYED, "true"));
    }
    builder.json(reply.body)
}
