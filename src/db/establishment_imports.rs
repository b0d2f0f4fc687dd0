//! Queries on `establishment_imports`: the record of each list import.

use super::schema::establishment_imports;
use crate::domain::establishment::{Commodity, EstablishmentKind};
use crate::domain::establishment_import::ListFormat;
use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = establishment_imports)]
#[diesel(treat_none_as_default_value = false)]
pub struct ImportRecord {
    pub id: Uuid,
    pub kind: EstablishmentKind,
    pub commodity: Commodity,
    pub list_date: NaiveDate,
    pub source: String,
    pub complete: bool,
    pub format: ListFormat,
    pub row_count: i32,
    pub content_sha256: Vec<u8>,
    pub added: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub revoked: i32,
    pub imported_by_key_id: Option<Uuid>,
}

pub fn insert_import(connection: &mut PgConnection, record: &ImportRecord) -> QueryResult<()> {
    diesel::insert_into(establishment_imports::table)
        .values(record)
        .execute(connection)
        .map(|_| ())
}
