//! Telling other instances what to forget: `pg_notify` inside the changing transaction.

use crate::domain::invalidation::{CHANNEL, Invalidation};
use diesel::prelude::*;
use diesel::sql_types::Text;

/// Queues the notification; PostgreSQL delivers it when (and only if) the transaction commits.
pub fn publish(connection: &mut PgConnection, invalidation: &Invalidation) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(invalidation.payload())
        .execute(connection)?;
    Ok(())
}
