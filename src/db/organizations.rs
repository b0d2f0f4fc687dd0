//! Queries on `organizations`.

use super::schema::organizations;
use crate::domain::organization::{Authority, OrganizationKind};
use crate::domain::pagination::TimeIdCursor;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// The operator organisation created by the first migration.
pub const OPERATOR_ORGANIZATION_ID: Uuid = Uuid::from_u128(1);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: Uuid,
    pub kind: OrganizationKind,
    pub name: String,
    pub tax_code: Option<String>,
    pub authority: Option<Authority>,
    pub address: Option<String>,
    pub province: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organizations)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewOrganization {
    pub id: Uuid,
    pub kind: OrganizationKind,
    pub name: String,
    pub tax_code: Option<String>,
    pub authority: Option<Authority>,
    pub address: Option<String>,
    pub province: Option<String>,
}

pub fn insert(connection: &mut PgConnection, new: &NewOrganization) -> QueryResult<Organization> {
    diesel::insert_into(organizations::table)
        .values(new)
        .returning(Organization::as_returning())
        .get_result(connection)
}

pub fn find(connection: &mut PgConnection, id: Uuid) -> QueryResult<Option<Organization>> {
    organizations::table
        .find(id)
        .select(Organization::as_select())
        .first(connection)
        .optional()
}

/// One page in (created_at, id) order, with one extra row to tell whether more follow.
pub fn list_page(
    connection: &mut PgConnection,
    kind: Option<&str>,
    after: Option<TimeIdCursor>,
    limit: i64,
) -> QueryResult<Vec<Organization>> {
    let mut query = organizations::table.select(Organization::as_select()).into_boxed();
    if let Some(kind) = kind {
        query = query.filter(organizations::kind.eq(kind.to_owned()));
    }
    if let Some(after) = after {
        query = query.filter(
            organizations::created_at
                .gt(after.created_at)
                .or(organizations::created_at
                    .eq(after.created_at)
                    .and(organizations::id.gt(after.id))),
        );
    }
    query
        .order((organizations::created_at.asc(), organizations::id.asc()))
        .limit(limit + 1)
        .load(connection)
}

/// The exporters with these tax codes, as (tax code, id).
pub fn exporters_by_tax_code(connection: &mut PgConnection, tax_codes: &[String]) -> QueryResult<Vec<(String, Uuid)>> {
    organizations::table
        .filter(organizations::kind.eq(OrganizationKind::Exporter))
        .filter(organizations::tax_code.eq_any(tax_codes))
        .select((organizations::tax_code.assume_not_null(), organizations::id))
        .load(connection)
}
