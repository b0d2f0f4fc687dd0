//! Stored responses of state-changing POSTs sent with an Idempotency-Key.

use super::schema::idempotent_responses;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotent_responses)]
#[diesel(treat_none_as_default_value = false)]
pub struct StoredResponse {
    pub organization_id: Uuid,
    pub idempotency_key: String,
    pub request_sha256: Vec<u8>,
    pub status: i16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: Value,
}

pub fn find(connection: &mut PgConnection, organization_id: Uuid, key: &str) -> QueryResult<Option<StoredResponse>> {
    idempotent_responses::table
        .find((organization_id, key))
        .select(StoredResponse::as_select())
        .first(connection)
        .optional()
}

/// Stores the response unless the key is taken; `false` when another request holds it. While
/// that request is in flight, PostgreSQL makes this wait for it to commit or roll back.
pub fn claim(connection: &mut PgConnection, response: &StoredResponse) -> QueryResult<bool> {
    diesel::insert_into(idempotent_responses::table)
        .values(response)
        .on_conflict_do_nothing()
        .execute(connection)
        .map(|inserted| inserted == 1)
}

/// Forgets responses stored before `cutoff`.
pub fn remove_older_than(connection: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(idempotent_responses::table)
        .filter(idempotent_responses::created_at.lt(cutoff))
        .execute(connection)
}
