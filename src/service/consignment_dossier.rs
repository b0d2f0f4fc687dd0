//! Reading a consignment. Exporters read their own; an inspector reads every consignment of
//! their authority's competence once submitted (submitted, returned or decided) with what they
//! decide on: the inspections and decisions, a live compliance report, and the registry status
//! of every code it names on each date that matters. Admins read any, the same way. Anyone
//! else gets 404, so a consignment's existence is not revealed.

use super::compliance;
use super::consignments::{stored_declaration, view, view_text};
use super::inspections::inspection_view;
use super::inspector::Inspector;
use super::views::{timestamp, to_json};
use crate::db::consignments::{self as store, Consignment, ConsignmentText};
use crate::db::inspections as inspection_store;
use crate::domain::calendar::vietnam_date;
use crate::domain::consignment::status::ConsignmentStatus;
use crate::domain::protocol::catalogue::ProtocolVersion;
use crate::domain::protocol::facts::referenced_codes;
use crate::error::ApiError;
use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// Who is reading, besides an exporter (`read_own`).
#[derive(Debug, Clone)]
pub enum ConsignmentReader {
    Inspector(Inspector),
    Admin,
}

/// A date a registry status is judged on, and why it matters.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DateThatMatters {
    pub date: NaiveDate,
    /// `planned_departure`, `inspection` or `today` (the day an approval would be issued).
    pub date_of: &'static str,
}

#[derive(Debug, Serialize)]
struct CodeStatus {
    date: NaiveDate,
    date_of: &'static str,
    /// `approved`, `suspended`, `revoked`, `not_approved` (registered, no approval that day) or
    /// `not_registered`.
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct RegistryEntry {
    kind: &'static str,
    code: String,
    status_on: Vec<CodeStatus>,
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found(format!("No consignment {id} of yours exists."))
}

/// The consignment and its version, as `reader` may see it.
pub fn read(
    connection: &mut PgConnection,
    reader: &ConsignmentReader,
    versions: &[ProtocolVersion],
    id: Uuid,
) -> Result<(Value, i32), ApiError> {
    let row = match reader {
        ConsignmentReader::Admin => store::find_any(connection, id)?.ok_or_else(|| not_found(id))?,
        ConsignmentReader::Inspector(inspector) => {
            let context = inspector.context(connection)?;
            store::find_any(connection, id)?
                .filter(|row| row.protocol.competent_authority() == context.authority)
                .filter(|row| {
                    matches!(
                        row.status,
                        ConsignmentStatus::Submitted
                            | ConsignmentStatus::Returned
                            | ConsignmentStatus::Approved
                            | ConsignmentStatus::Rejected
                    )
                })
                .ok_or_else(|| not_found(id))?
        }
    };
    let mut body = view(&row);
    if let Value::Object(map) = &mut body {
        map.insert("dossier".into(), dossier(connection, versions, &row)?);
    }
    Ok((body, row.version))
}

/// An exporter's read of its own consignment, as JSON text and its version.
pub fn read_own(connection: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<(Vec<u8>, i32), ApiError> {
    own(store::find_owned_text(connection, organization_id, id)?, id)
}

/// `read_own` on a worker's event loop (`db::loop_pool`), the most frequent read.
pub async fn read_own_on_loop(
    connection: &AsyncPgConnection,
    organization_id: Uuid,
    id: Uuid,
) -> Result<(Vec<u8>, i32), ApiError> {
    own(
        store::find_owned_text_on_loop(connection, organization_id, id).await?,
        id,
    )
}

fn own(row: Option<ConsignmentText>, id: Uuid) -> Result<(Vec<u8>, i32), ApiError> {
    let row = row.ok_or_else(|| not_found(id))?;
    Ok((view_text(&row)?, row.version))
}

/// What an authority decides on.
fn dossier(connection: &mut PgConnection, versions: &[ProtocolVersion], row: &Consignment) -> Result<Value, ApiError> {
    let declaration = stored_declaration(row)?;
    let inspections = inspection_store::of_consignment(connection, row.id)?;
    let decisions: Vec<Value> = inspection_store::decisions_of(connection, row.id)?
        .into_iter()
        .map(|(decision, at)| {
            json!({
                "decision": decision.decision,
                "reason_code": decision.reason_code,
                "reason": decision.reason,
                "authority_organization_id": decision.authority_organization_id,
                "decided_by_key_id": decision.decided_by_key_id,
                "decided_at": timestamp(at),
                "compliance_report": decision.compliance_report,
            })
        })
        .collect();
    let live = compliance::run(
        connection,
        versions,
        declaration.protocol,
        &declaration.body,
        row.organization_id,
    )?;
    let mut dates = vec![DateThatMatters {
        date: declaration.body.planned_departure_date,
        date_of: "planned_departure",
    }];
    dates.extend(inspections.iter().map(|inspection| DateThatMatters {
        date: inspection.inspected_on,
        date_of: "inspection",
    }));
    dates.push(DateThatMatters {
        date: vietnam_date(Utc::now()),
        date_of: "today",
    });
    let registry = registry_on(connection, &declaration, &dates)?;
    Ok(json!({
        "inspections": inspections.iter().map(inspection_view).collect::<Vec<_>>(),
        "decisions": decisions,
        "live_compliance_report": to_json(&live)?,
        "registry": to_json(&registry)?,
    }))
}

/// The registry status of every code the declaration names, on each date.
fn registry_on(
    connection: &mut PgConnection,
    declaration: &super::consignments::Declaration,
    dates: &[DateThatMatters],
) -> Result<Vec<RegistryEntry>, ApiError> {
    let codes = referenced_codes(&declaration.body);
    let mut entries: Vec<RegistryEntry> = codes
        .iter()
        .map(|(kind, code)| RegistryEntry {
            kind: kind.as_str(),
            code: code.clone(),
            status_on: Vec::with_capacity(dates.len()),
        })
        .collect();
    for date in dates {
        let facts = compliance::load_facts_on(connection, declaration.protocol, &declaration.body, date.date)?;
        for (entry, (kind, code)) in entries.iter_mut().zip(&codes) {
            let status = match facts.get(*kind, code) {
                None => "not_registered",
                Some(fact) => fact.status.map_or("not_approved", |status| status.as_str()),
            };
            entry.status_on.push(CodeStatus {
                date: date.date,
                date_of: date.date_of,
                status,
            });
        }
    }
    Ok(entries)
}
