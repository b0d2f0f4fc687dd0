//! Creating and reading organisations.

use super::views::{OrganizationView, Page, to_json};
use crate::db::audit::{self, Actor, Change};
use crate::db::organizations::{self, NewOrganization};
use crate::domain::audit::AuditAction;
use crate::domain::organization::{OrganizationKind, ValidOrganization};
use crate::domain::pagination::TimeIdCursor;
use crate::error::ApiError;
use diesel::PgConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use uuid::Uuid;

/// Stores a validated organisation and audits it. Call inside a transaction.
pub fn create(
    connection: &mut PgConnection,
    actor: &Actor,
    organization: ValidOrganization,
) -> Result<OrganizationView, ApiError> {
    let new = match organization {
        ValidOrganization::Exporter {
            name,
            tax_code,
            address,
            province,
        } => NewOrganization {
            id: Uuid::now_v7(),
            kind: OrganizationKind::Exporter,
            name,
            tax_code: Some(tax_code.as_str().to_owned()),
            authority: None,
            address: Some(address),
            province: Some(province),
        },
        ValidOrganization::Authority {
            name,
            authority,
            address,
            province,
        } => NewOrganization {
            id: Uuid::now_v7(),
            kind: OrganizationKind::Authority,
            name,
            tax_code: None,
            authority: Some(authority),
            address,
            province,
        },
    };
    let row = organizations::insert(connection, &new).map_err(|error| match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict {
            code: "tax_code_taken",
            detail: format!(
                "An organisation with tax code {} is already registered.",
                new.tax_code.as_deref().unwrap_or_default()
            ),
        },
        other => other.into(),
    })?;
    let view = OrganizationView::from(row);
    audit::append(
        connection,
        actor,
        Change {
            action: AuditAction::OrganizationCreated,
            entity_id: view.id.to_string(),
            state: to_json(&view)?,
        },
    )?;
    Ok(view)
}

pub fn get(connection: &mut PgConnection, id: Uuid) -> Result<OrganizationView, ApiError> {
    organizations::find(connection, id)?
        .map(OrganizationView::from)
        .ok_or_else(|| ApiError::not_found(format!("No organisation has id {id}.")))
}

pub fn list(
    connection: &mut PgConnection,
    kind: Option<&str>,
    after: Option<TimeIdCursor>,
    limit: i64,
) -> Result<Page<OrganizationView>, ApiError> {
    let rows = organizations::list_page(connection, kind, after, limit)?;
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
        OrganizationView::from,
    ))
}
