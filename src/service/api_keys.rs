//! Issuing, listing and revoking API keys.

use super::audit;
use super::random::random_bytes;
use super::views::{ApiKeyView, CreatedApiKeyView, OrganizationView, Page};
use crate::db::api_keys::{self, NewApiKey};
use crate::db::audit::Actor;
use crate::db::notifications;
use crate::db::organizations::{self, OPERATOR_ORGANIZATION_ID};
use crate::domain::api_key::{Role, key_from_random_bytes};
use crate::domain::audit::AuditAction;
use crate::domain::field_violation::FieldViolation;
use crate::domain::invalidation::Invalidation;
use crate::domain::pagination::TimeIdCursor;
use crate::error::ApiError;
use diesel::{Connection, PgConnection};
use uuid::Uuid;

/// Issues a key with `role` for an organisation. Call inside a transaction.
pub fn create(
    connection: &mut PgConnection,
    actor: &Actor,
    organization_id: Uuid,
    role: Role,
    label: String,
) -> Result<CreatedApiKeyView, ApiError> {
    let organization = organizations::find(connection, organization_id)?
        .ok_or_else(|| ApiError::not_found(format!("No organisation has id {organization_id}.")))?;
    let kind = organization.kind;
    if !role.allowed_in(kind) {
        return Err(ApiError::invalid(FieldViolation::new(
            "/role",
            "role_not_allowed_for_organization",
            format!(
                "A {} organisation cannot hold a {} key: admin keys belong to the operator, exporter keys to exporters, inspector keys to authorities.",
                kind.as_str(),
                role.as_str()
            ),
        )));
    }
    let generated = key_from_random_bytes(random_bytes()?);
    let row = api_keys::insert(
        connection,
        &NewApiKey {
            id: Uuid::now_v7(),
            organization_id,
            organization_kind: organization.kind,
            role,
            label,
            display_prefix: generated.display_prefix,
            key_hash: generated.hash.to_vec(),
            created_by_key_id: actor.key_id,
        },
    )?;
    let view = ApiKeyView::from(row);
    audit::record(connection, actor, AuditAction::ApiKeyCreated, view.id, &view)?;
    Ok(CreatedApiKeyView {
        key: view,
        secret: generated.secret,
    })
}

/// Issues an admin key of the operator organisation for the command line or the first start.
pub fn create_operator_admin(
    connection: &mut PgConnection,
    actor: &Actor,
    label: &str,
) -> Result<CreatedApiKeyView, ApiError> {
    create(
        connection,
        actor,
        OPERATOR_ORGANIZATION_ID,
        Role::Admin,
        label.to_owned(),
    )
}

/// Revokes an active key. Call inside a transaction.
pub fn revoke(connection: &mut PgConnection, actor: &Actor, id: Uuid) -> Result<ApiKeyView, ApiError> {
    match api_keys::revoke(connection, id, actor.key_id)? {
        Some(row) => {
            let view = ApiKeyView::from(row);
            audit::record(connection, actor, AuditAction::ApiKeyRevoked, view.id, &view)?;
            notifications::publish(connection, &Invalidation::ApiKey(id))?;
            Ok(view)
        }
        None => match api_keys::find(connection, id)? {
            Some(_) => Err(ApiError::Conflict {
                code: "already_revoked",
                detail: format!("API key {id} is already revoked."),
            }),
            None => Err(ApiError::not_found(format!("No API key has id {id}."))),
        },
    }
}

pub fn list_for_organization(
    connection: &mut PgConnection,
    organization_id: Uuid,
    after: Option<TimeIdCursor>,
    limit: i64,
) -> Result<Page<ApiKeyView>, ApiError> {
    if organizations::find(connection, organization_id)?.is_none() {
        return Err(ApiError::not_found(format!(
            "No organisation has id {organization_id}."
        )));
    }
    let rows = api_keys::list_for_organization(connection, organization_id, after, limit)?;
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
        ApiKeyView::from,
    ))
}

/// Creates an admin key for the `admin-key` command (and test setup): no key acts, so the
/// audit event names the service itself. Returns the secret, shown this once.
pub fn create_admin_key_from_command(connection: &mut PgConnection, label: &str) -> Result<String, ApiError> {
    let actor = Actor {
        key_id: None,
        organization_id: None,
        request_id: "admin-key-command".to_owned(),
        client_request_id: None,
    };
    connection
        .transaction(|connection| create_operator_admin(connection, &actor, label))
        .map(|created| created.secret)
}

/// The calling key and its organisation, for `GET /v1/me`.
pub fn whoami(
    connection: &mut PgConnection,
    key_id: Uuid,
    organization_id: Uuid,
) -> Result<(ApiKeyView, OrganizationView), ApiError> {
    let key =
        api_keys::find(connection, key_id)?.ok_or_else(|| ApiError::not_found("The calling key no longer exists."))?;
    let organization = super::organizations::get(connection, organization_id)?;
    Ok((ApiKeyView::from(key), organization))
}
