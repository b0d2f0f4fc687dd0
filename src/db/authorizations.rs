//! Queries on `code_use_authorizations`: a code's holder lets another exporter ship under it.

use super::schema::code_use_authorizations;
use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = code_use_authorizations)]
#[diesel(treat_none_as_default_value = false)]
pub struct Authorization {
    pub id: Uuid,
    pub establishment_id: Uuid,
    pub holder_organization_id: Uuid,
    pub authorized_organization_id: Uuid,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub document_reference: String,
    pub created_by_key_id: Option<Uuid>,
}

pub fn authorizations_of(connection: &mut PgConnection, establishment_id: Uuid) -> QueryResult<Vec<Authorization>> {
    code_use_authorizations::table
        .filter(code_use_authorizations::establishment_id.eq(establishment_id))
        .order((
            code_use_authorizations::valid_from.asc(),
            code_use_authorizations::id.asc(),
        ))
        .select(Authorization::as_select())
        .load(connection)
}

pub fn insert_authorization(
    connection: &mut PgConnection,
    authorization: &Authorization,
) -> QueryResult<Authorization> {
    diesel::insert_into(code_use_authorizations::table)
        .values(authorization)
        .returning(Authorization::as_returning())
        .get_result(connection)
}

/// Authorisations of these establishments valid on `date`.
pub fn authorizations_valid_on(
    connection: &mut PgConnection,
    establishment_ids: &[Uuid],
    date: NaiveDate,
) -> QueryResult<Vec<Authorization>> {
    code_use_authorizations::table
        .filter(code_use_authorizations::establishment_id.eq_any(establishment_ids))
        .filter(code_use_authorizations::valid_from.le(date))
        .filter(code_use_authorizations::valid_until.ge(date))
        .select(Authorization::as_select())
        .load(connection)
}
