//! The `Caller` extractor: a request's authenticated key, or 401.

use super::request_context::{ClientRequestId, RequestId};
use crate::domain::api_key::{Role, hash_key};
use crate::domain::audit::Actor;
use crate::domain::audit::to_hex;
use crate::domain::authz::{Action, allows};
use crate::error::ApiError;
use crate::service::authentication::{Principal, authenticate};
use crate::state::AppState;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use std::future::Future;
use std::pin::Pin;

/// The authenticated key behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub request_id: String,
    pub client_request_id: Option<String>,
}

impl Caller {
    /// 403 unless the caller's role may perform `action`.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if allows(self.principal.role, action) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "A key with role {} may not do this.",
                self.principal.role.as_str()
            )))
        }
    }

    pub fn role(&self) -> Role {
        self.principal.role
    }

    /// The caller as recorded in audit events.
    pub fn actor(&self) -> Actor {
        Actor {
            key_id: Some(self.principal.key_id),
            organization_id: Some(self.principal.organization_id),
            request_id: self.request_id.clone(),
            client_request_id: self.client_request_id.clone(),
        }
    }
}

fn bearer_token(request: &HttpRequest) -> Result<String, ApiError> {
    let missing = ApiError::Unauthorized {
        detail: "Send an API key in the header Authorization: Bearer <key>.",
    };
    let header = request.headers().get(AUTHORIZATION).ok_or(missing)?;
    let text = header.to_str().map_err(|_| ApiError::Unauthorized {
        detail: "The Authorization header is not valid text.",
    })?;
    let (scheme, token) = text.trim().split_once(' ').ok_or(ApiError::Unauthorized {
        detail: "Use the Bearer scheme: Authorization: Bearer <key>.",
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized {
            detail: "Use the Bearer scheme: Authorization: Bearer <key>.",
        });
    }
    Ok(token.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let token = bearer_token(request);
        let state = request.app_data::<web::Data<AppState>>().cloned();
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default();
        let client_request_id = request.extensions().get::<ClientRequestId>().map(|id| id.0.clone());
        Box::pin(async move {
            let token = token?;
            let state = state.ok_or_else(|| anyhow::anyhow!("application state is not configured"))?;
            // Keys are looked up by their hash; the same hash keys the cache, so a key's
            // secret never sits in memory longer than the request.
            let key_hash = to_hex(&hash_key(&token));
            let principal = match state.caches.principals.get(&key_hash) {
                Some(principal) => Some(principal),
                None => {
                    let ticket = state.caches.principals.ticket();
                    let found = state.db.run(move |connection| authenticate(connection, &token)).await?;
                    if let Some(principal) = &found {
                        state.caches.principals.insert(ticket, key_hash, principal.clone());
                    }
                    found
                }
            };
            let principal = principal.ok_or(ApiError::Unauthorized {
                detail: "The API key is unknown or has been revoked.",
            })?;
            Ok(Caller {
                principal,
                request_id,
                client_request_id,
            })
        })
    }
}
