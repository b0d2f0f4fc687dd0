//! Reading and revoking certificates: exporters see their own, inspectors their authority's,
//! admins all. Issuing, replacement, verification and documents have modules of their own.

use super::inspector::{InspectorContext, context};
use super::issuance::{certificate_view, summary_state, with_verification_code};
use super::views::{Page, timestamp};
use crate::db::audit::{self, Change};
use crate::db::certificates::{self as store, Certificate, Visibility};
use crate::db::notifications;
use crate::domain::api_key::Role;
use crate::domain::audit::Actor;
use crate::domain::audit::AuditAction;
use crate::domain::certificate::{CertificateEvent, CertificateStatus};
use crate::domain::invalidation::Invalidation;
use crate::domain::pagination::TimeIdCursor;
use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::PgConnection;
use serde_json::{Value, json};

/// Who is reading; what they may see is worked out inside the request's own database work.
#[derive(Debug, Clone)]
pub struct Reader {
    pub role: Role,
    pub actor: Actor,
}

impl Reader {
    pub fn visibility(&self, connection: &mut PgConnection) -> Result<Visibility, ApiError> {
        visibility(connection, self.role, &self.actor)
    }
}

fn visible(certificate: &Certificate, visibility: &Visibility) -> bool {
    match visibility {
        Visibility::Exporter(organization_id) => certificate.organization_id == *organization_id,
        Visibility::Authority(authority) => certificate.authority == *authority,
        Visibility::All => true,
    }
}

pub fn list(
    connection: &mut PgConnection,
    visibility: &Visibility,
    after: Option<TimeIdCursor>,
    limit: i64,
) -> Result<Page<Value>, ApiError> {
    let rows = store::list_page(
        connection,
        visibility,
        after.map(|cursor| (cursor.created_at, cursor.id)),
        limit,
    )?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| {
            TimeIdCursor {
                created_at: row.issued_at,
                id: row.id,
            }
            .encode()
        },
        |row| certificate_view(&row),
    ))
}

/// A certificate the caller may see; 404 otherwise.
pub fn load_visible(
    connection: &mut PgConnection,
    visibility: &Visibility,
    number: &str,
) -> Result<Certificate, ApiError> {
    store::find(connection, number)?
        .filter(|certificate| visible(certificate, visibility))
        .ok_or_else(|| ApiError::not_found(format!("No certificate {number} of yours exists.")))
}

/// One certificate, with its verification code.
pub fn get(connection: &mut PgConnection, visibility: &Visibility, number: &str) -> Result<Value, ApiError> {
    let certificate = load_visible(connection, visibility, number)?;
    let code = store::verification_code(connection, &certificate.number)?;
    Ok(with_verification_code(certificate_view(&certificate), code))
}

/// A certificate an inspector may revoke or replace (issued by the inspector's own authority
/// organisation, still valid), and
/// the status `event` moves it to.
pub fn load_for_change(
    connection: &mut PgConnection,
    context: &InspectorContext,
    number: &str,
    event: CertificateEvent,
) -> Result<(Certificate, CertificateStatus), ApiError> {
    let certificate = store::find(connection, number)?
        .ok_or_else(|| ApiError::not_found(format!("No certificate {number} exists.")))?;
    // Competence by organisation, not by authority code: a second organisation registered
    // under the same code must not change the first one's certificates.
    if certificate.authority_organization_id != context.authority_organization_id {
        return Err(ApiError::forbidden(format!(
            "Only the {} organisation that issued certificate {number} may change it.",
            certificate.authority
        )));
    }
    let to = certificate.status.after(event).ok_or_else(|| ApiError::Conflict {
        code: "invalid_state",
        detail: format!(
            "Certificate {number} is {}; it can no longer change.",
            certificate.status
        ),
    })?;
    Ok((certificate, to))
}

/// 409 when another change to the certificate committed first.
pub fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        code: "concurrent_update",
        detail: "The certificate changed meanwhile.".into(),
    }
}

pub fn revoke(
    connection: &mut PgConnection,
    context: &InspectorContext,
    number: &str,
    reason: &str,
) -> Result<Value, ApiError> {
    let (certificate, to) = load_for_change(connection, context, number, CertificateEvent::Revoke)?;
    let revoked = store::transition(connection, number, certificate.status, to, Some(reason), None)?
        .ok_or_else(changed_meanwhile)?;
    audit::append(
        connection,
        &context.actor,
        Change {
            action: AuditAction::CertificateRevoked,
            entity_id: number.to_owned(),
            state: summary_state(&revoked),
        },
    )?;
    notifications::publish(connection, &Invalidation::Certificate(number.to_owned()))?;
    Ok(certificate_view(&revoked))
}

/// Every published signing key.
pub fn signing_keys(connection: &mut PgConnection) -> Result<Value, ApiError> {
    let items: Vec<Value> = store::keys(connection)?
        .into_iter()
        .map(|row| {
            let pem = <[u8; 32]>::try_from(row.public_key.as_slice())
                .map(|key| crate::domain::certificate::public_key_pem(&key))
                .unwrap_or_default();
            json!({
                "key_id": row.key_id,
                "algorithm": "Ed25519",
                "public_key": STANDARD.encode(&row.public_key),
                "public_key_pem": pem,
                "created_at": timestamp(row.created_at),
            })
        })
        .collect();
    Ok(json!({"items": items}))
}

/// Which certificates a caller may see: exporters their own, inspectors their authority's,
/// admins all.
pub fn visibility(connection: &mut PgConnection, role: Role, actor: &Actor) -> Result<Visibility, ApiError> {
    let organization_id = actor
        .organization_id
        .ok_or_else(|| ApiError::forbidden("The key belongs to no organisation."))?;
    Ok(match role {
        Role::Admin => Visibility::All,
        Role::Exporter => Visibility::Exporter(organization_id),
        Role::Inspector => {
            let context = context(connection, actor.clone(), organization_id)?;
            Visibility::Authority(context.authority)
        }
    })
}
