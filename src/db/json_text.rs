//! A `jsonb` value read as the JSON text PostgreSQL sends, unparsed: for answers that pass a
//! stored document through unchanged (an exporter's read of its consignment), parsing it into
//! a `serde_json::Value` and writing it out again was a tenth of the service's CPU.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Jsonb;

/// JSON text as PostgreSQL wrote it (UTF-8: the connection's client encoding).
#[derive(Debug, Clone, PartialEq, Eq, FromSqlRow)]
pub struct JsonText(pub Vec<u8>);

/// The only version of `jsonb`'s binary format: a version byte, then the text.
const JSONB_FORMAT_VERSION: u8 = 1;

impl FromSql<Jsonb, Pg> for JsonText {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        match value.as_bytes().split_first() {
            Some((&JSONB_FORMAT_VERSION, text)) => Ok(JsonText(text.to_vec())),
            _ => Err("unsupported jsonb binary format version".into()),
        }
    }
}
