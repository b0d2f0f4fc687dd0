//! Queries on `api_keys`.

use super::schema::api_keys;
use crate::domain::api_key::Role;
use crate::domain::organization::OrganizationKind;
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use uuid::Uuid;

/// A stored key, without its hash: nothing outside this module needs the hash back.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_kind: OrganizationKind,
    pub role: Role,
    pub label: String,
    pub display_prefix: String,
    pub created_by_key_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by_key_id: Option<Uuid>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = api_keys)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewApiKey {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_kind: OrganizationKind,
    pub role: Role,
    pub label: String,
    pub display_prefix: String,
    pub key_hash: Vec<u8>,
    pub created_by_key_id: Option<Uuid>,
}

pub fn insert(connection: &mut PgConnection, new: &NewApiKey) -> QueryResult<ApiKey> {
    diesel::insert_into(api_keys::table)
        .values(new)
        .returning(ApiKey::as_returning())
        .get_result(connection)
}

pub fn find(connection: &mut PgConnection, id: Uuid) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .find(id)
        .select(ApiKey::as_select())
        .first(connection)
        .optional()
}

/// The unrevoked key with this hash, if any.
pub fn find_active_by_hash(connection: &mut PgConnection, hash: &[u8]) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(hash))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKey::as_select())
        .first(connection)
        .optional()
}

/// Records use of a key, at most once a minute, so authentication does not write on every request.
pub fn touch_last_used(connection: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    let cutoff = Utc::now() - chrono::Duration::minutes(1);
    diesel::update(api_keys::table.find(id))
        .filter(api_keys::last_used_at.is_null().or(api_keys::last_used_at.lt(cutoff)))
        .set(api_keys::last_used_at.eq(now))
        .execute(connection)
}

/// Revokes the key if it is still active; `None` when it was already revoked (or missing).
pub fn revoke(connection: &mut PgConnection, id: Uuid, revoked_by: Option<Uuid>) -> QueryResult<Option<ApiKey>> {
    diesel::update(api_keys::table.find(id))
        .filter(api_keys::revoked_at.is_null())
        .set((api_keys::revoked_at.eq(now), api_keys::revoked_by_key_id.eq(revoked_by)))
        .returning(ApiKey::as_returning())
        .get_result(connection)
        .optional()
}

/// Whether an admin key has ever been created, revoked or not.
pub fn any_admin_key(connection: &mut PgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        api_keys::table.filter(api_keys::role.eq(Role::Admin)),
    ))
    .get_result(connection)
}

/// Keys of one organisation, oldest first, one page plus one row.
pub fn list_for_organization(
    connection: &mut PgConnection,
    organization_id: Uuid,
    after: Option<crate::domain::pagination::TimeIdCursor>,
    limit: i64,
) -> QueryResult<Vec<ApiKey>> {
    let mut query = api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .select(ApiKey::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(
            api_keys::created_at
                .gt(after.created_at)
                .or(api_keys::created_at.eq(after.created_at).and(api_keys::id.gt(after.id))),
        );
    }
    query
        .order((api_keys::created_at.asc(), api_keys::id.asc()))
        .limit(limit + 1)
        .load(connection)
}
