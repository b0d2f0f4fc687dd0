//! The event feed's storage: recipients recorded when events are sealed, and each
//! organisation's events read back in chain order.

use super::audit::AuditEvent;
use super::schema::{audit_events, consignments, establishments, event_recipients, organizations};
use crate::domain::audit::AuditAction;
use crate::domain::event_feed::{Audience, audiences};
use crate::domain::protocol::ProtocolCode;
use diesel::prelude::*;
use std::collections::BTreeSet;
use uuid::Uuid;

/// The consignment an event is about: the consignment itself, or the one a certificate was
/// issued for.
fn consignment_of(event: &AuditEvent) -> Option<Uuid> {
    match event.entity_type.as_str() {
        "consignment" => Uuid::parse_str(&event.entity_id).ok(),
        "certificate" => event.state["consignment_id"]
            .as_str()
            .and_then(|id| Uuid::parse_str(id).ok()),
        _ => None,
    }
}

/// Records whom each sealed feed event is for. Runs in the sealing transaction.
pub fn record_recipients(connection: &mut PgConnection, sealed: &[AuditEvent]) -> QueryResult<()> {
    let mut rows: BTreeSet<(Uuid, i64)> = BTreeSet::new();
    for event in sealed {
        let Some(action) = AuditAction::parse(&event.action) else {
            continue;
        };
        for audience in audiences(action) {
            for organization in recipients(connection, event, *audience)? {
                rows.insert((organization, event.seq));
            }
        }
    }
    let values: Vec<_> = rows
        .into_iter()
        .map(|(organization, seq)| {
            (
                event_recipients::organization_id.eq(organization),
                event_recipients::seq.eq(seq),
            )
        })
        .collect();
    for chunk in values.chunks(10_000) {
        diesel::insert_into(event_recipients::table)
            .values(chunk)
            .on_conflict_do_nothing()
            .execute(connection)?;
    }
    Ok(())
}

fn recipients(connection: &mut PgConnection, event: &AuditEvent, audience: Audience) -> QueryResult<Vec<Uuid>> {
    match audience {
        Audience::Holder => {
            let Ok(id) = Uuid::parse_str(&event.entity_id) else {
                return Ok(Vec::new());
            };
            let holder: Option<Option<Uuid>> = establishments::table
                .find(id)
                .select(establishments::holder_organization_id)
                .first(connection)
                .optional()?;
            Ok(holder.flatten().into_iter().collect())
        }
        // The endpoint may be gone by the time the event is sealed; its state names the owner.
        Audience::EndpointOwner => Ok(event.state["organization_id"]
            .as_str()
            .and_then(|id| Uuid::parse_str(id).ok())
            .into_iter()
            .collect()),
        Audience::Exporter | Audience::Authority => {
            let Some(consignment) = consignment_of(event) else {
                return Ok(Vec::new());
            };
            let found: Option<(Uuid, String)> = consignments::table
                .find(consignment)
                .select((consignments::organization_id, consignments::protocol))
                .first(connection)
                .optional()?;
            let Some((exporter, protocol)) = found else {
                return Ok(Vec::new());
            };
            if audience == Audience::Exporter {
                return Ok(vec![exporter]);
            }
            let Some(protocol) = ProtocolCode::parse(&protocol) else {
                return Ok(Vec::new());
            };
            organizations::table
                .filter(organizations::kind.eq("authority"))
                .filter(organizations::authority.eq(protocol.competent_authority().as_str()))
                .select(organizations::id)
                .load(connection)
        }
    }
}

/// An organisation's feed events after `after_seq`, in chain order, one page plus one row.
pub fn page(
    connection: &mut PgConnection,
    organization_id: Uuid,
    types: &[&str],
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    let mut query = event_recipients::table
        .inner_join(audit_events::table.on(audit_events::seq.eq(event_recipients::seq)))
        .filter(event_recipients::organization_id.eq(organization_id))
        .filter(event_recipients::seq.gt(after_seq))
        .select(AuditEvent::as_select())
        .into_boxed();
    if !types.is_empty() {
        query = query.filter(audit_events::action.eq_any(types.to_vec()));
    }
    query
        .order(event_recipients::seq.asc())
        .limit(limit + 1)
        .load(connection)
}
