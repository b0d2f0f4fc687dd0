//! Inspectors' use cases: the queue, inspections, and decisions. An inspector acts only on
//! protocols its authority is competent for (PPD: plant products; DAH: crocodiles).

use super::certificates::{IssueRequest, issue};
use super::compliance;
use super::consignments::{stored_declaration, view};
use super::views::{Page, timestamp, to_json};
use crate::db::audit::{self, Actor, Change};
use crate::db::consignments::{self as consignment_store, Consignment};
use crate::db::inspections::{self as store, DecisionRecord, Inspection};
use crate::db::organizations;
use crate::domain::certificate::CertificateSigner;
use crate::domain::consignment::status::{ConsignmentStatus, Decision};
use crate::domain::field_violation::FieldViolation;
use crate::domain::inspection::{
    ExporterHistory, InspectionInput, InspectionRecord, approval_blockers, check_inspection, required_sampling_rate,
};
use crate::domain::organization::Authority;
use crate::domain::protocol::ProtocolCode;
use crate::domain::protocol::catalogue::ProtocolVersion;
use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// The inspector behind a request and the authority it speaks for.
#[derive(Debug, Clone)]
pub struct InspectorContext {
    pub actor: Actor,
    pub authority: Authority,
    pub authority_organization_id: Uuid,
    pub authority_name: String,
}

/// The protocols an authority is competent for.
pub fn competent_protocols(authority: Authority) -> Vec<&'static str> {
    ProtocolCode::VARIANTS
        .into_iter()
        .filter(|code| code.is_plant() == (authority == Authority::Ppd))
        .map(ProtocolCode::as_str)
        .collect()
}

/// Loads the authority of an inspector's organisation.
pub fn context(
    connection: &mut PgConnection,
    actor: Actor,
    organization_id: Uuid,
) -> Result<InspectorContext, ApiError> {
    let organization = organizations::find(connection, organization_id)?
        .ok_or_else(|| ApiError::forbidden("The key's organisation no longer exists."))?;
    let authority = organization
        .authority
        .as_deref()
        .and_then(Authority::parse)
        .ok_or_else(|| ApiError::forbidden("Only inspectors of PPD or DAH may inspect and decide."))?;
    Ok(InspectorContext {
        actor,
        authority,
        authority_organization_id: organization.id,
        authority_name: organization.name,
    })
}

/// A consignment this inspector may act on: 404 when it does not exist, 403 when another
/// authority is competent for it.
fn load(connection: &mut PgConnection, context: &InspectorContext, id: Uuid) -> Result<Consignment, ApiError> {
    let row = consignment_store::find_any(connection, id)?
        .ok_or_else(|| ApiError::not_found(format!("No consignment {id} exists.")))?;
    if !competent_protocols(context.authority).contains(&row.protocol.as_str()) {
        return Err(ApiError::forbidden(format!(
            "{} is not competent for {}.",
            context.authority.as_str(),
            row.protocol
        )));
    }
    Ok(row)
}

fn require_submitted(row: &Consignment, what: &str) -> Result<(), ApiError> {
    if ConsignmentStatus::parse(&row.status) == Some(ConsignmentStatus::Submitted) {
        Ok(())
    } else {
        Err(ApiError::Conflict {
            code: "invalid_state",
            detail: format!("A {} consignment cannot be {what}.", row.status),
        })
    }
}

/// A queue entry: enough to pick the next consignment.
#[derive(Debug, Serialize)]
pub struct QueueEntry {
    pub id: Uuid,
    pub protocol: String,
    pub organization_id: Uuid,
    pub planned_departure_date: NaiveDate,
    pub submitted_at: Option<String>,
    pub compliance: Value,
}

pub fn queue(
    connection: &mut PgConnection,
    context: &InspectorContext,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Page<QueueEntry>, ApiError> {
    let rows = store::queue_page(connection, &competent_protocols(context.authority), after, limit)?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| {
            crate::domain::pagination::TimeIdCursor {
                created_at: row.submitted_at.unwrap_or(row.created_at),
                id: row.id,
            }
            .encode()
        },
        |row| {
            let report = row.submission_report.clone().unwrap_or(Value::Null);
            QueueEntry {
                id: row.id,
                protocol: row.protocol,
                organization_id: row.organization_id,
                planned_departure_date: row.planned_departure_date,
                submitted_at: row.submitted_at.map(timestamp),
                compliance: json!({"compliant": report["compliant"], "errors": report["errors"], "warnings": report["warnings"]}),
            }
        },
    ))
}

/// The JSON shape of a recorded inspection.
pub fn inspection_view(row: &Inspection) -> Value {
    let mut view = row.record.clone();
    if let Value::Object(map) = &mut view {
        map.insert("id".into(), json!(row.id));
        map.insert("consignment_id".into(), json!(row.consignment_id));
        map.insert("authority_organization_id".into(), json!(row.authority_organization_id));
        map.insert("inspector_key_id".into(), json!(row.inspector_key_id));
        map.insert("required_sampling_rate".into(), json!(row.required_sampling_rate));
        let sampled = f64::from(row.units_sampled) / f64::from(row.units_in_lot.max(1));
        map.insert("sampling_rate".into(), json!(sampled));
    }
    view
}

pub fn record_inspection(
    connection: &mut PgConnection,
    context: &InspectorContext,
    versions: &[ProtocolVersion],
    id: Uuid,
    input: InspectionInput,
) -> Result<Value, ApiError> {
    let row = load(connection, context, id)?;
    require_submitted(&row, "inspected")?;
    let declaration = stored_declaration(&row)?;
    let version = compliance::version_for(versions, declaration.protocol, declaration.body.planned_departure_date)?;
    check_inspection(version, &declaration.body, &input).map_err(ApiError::Validation)?;
    let required_rate = if declaration.protocol.is_plant() {
        let (first_submission, last_rejection) =
            store::exporter_history(connection, row.organization_id, &row.protocol)?;
        required_sampling_rate(
            version,
            ExporterHistory {
                first_submission,
                last_rejection,
            },
            input.inspected_on,
        )
    } else {
        None
    };
    let to_i32 = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
    let inserted = store::insert(
        connection,
        &Inspection {
            id: Uuid::now_v7(),
            consignment_id: row.id,
            authority_organization_id: context.authority_organization_id,
            inspector_key_id: context.actor.key_id,
            inspected_on: input.inspected_on,
            units_in_lot: to_i32(input.units_in_lot),
            units_sampled: to_i32(input.units_sampled),
            required_sampling_rate: required_rate,
            record: to_json(&input)?,
        },
    )?;
    let view = inspection_view(&inserted);
    audit::append(
        connection,
        &context.actor,
        Change {
            action: "consignment.inspected",
            entity_type: "consignment",
            entity_id: row.id.to_string(),
            state: view.clone(),
        },
    )?;
    Ok(view)
}

/// The inspections recorded for a consignment, oldest first.
pub fn inspections_of(connection: &mut PgConnection, id: Uuid) -> Result<Vec<InspectionRecord>, ApiError> {
    store::of_consignment(connection, id)?
        .into_iter()
        .map(|row| {
            let input: InspectionInput = serde_json::from_value(row.record).map_err(|error| {
                ApiError::Internal(anyhow::anyhow!(
                    "stored inspection {} no longer parses: {error}",
                    row.id
                ))
            })?;
            Ok(InspectionRecord {
                input,
                required_rate: row.required_sampling_rate,
            })
        })
        .collect()
}

/// Reasons a rejection may give.
pub const REJECTION_REASONS: [&str; 8] = [
    "quarantine_pest_found",
    "soil_or_plant_debris",
    "registry_not_approved",
    "lab_results_non_compliant",
    "cold_chain_breach",
    "animal_health",
    "documents_non_compliant",
    "other",
];

/// Who signs a certificate off, where and when.
#[derive(Debug, Clone)]
pub struct Signatory {
    pub officer: String,
    pub place_of_issue: String,
    /// The date of issue (Vietnam).
    pub today: NaiveDate,
}

/// Approves and issues the certificate in the same transaction.
pub fn approve(
    connection: &mut PgConnection,
    context: &InspectorContext,
    versions: &[ProtocolVersion],
    signer: &CertificateSigner,
    id: Uuid,
    signatory: Signatory,
) -> Result<Value, ApiError> {
    let row = load(connection, context, id)?;
    require_submitted(&row, "approved")?;
    let declaration = stored_declaration(&row)?;
    let inspections = inspections_of(connection, id)?;
    let mut reasons: Vec<FieldViolation> = approval_blockers(declaration.protocol, &declaration.body, &inspections)
        .into_iter()
        .map(|blocker| FieldViolation::new("", blocker.code, blocker.message))
        .collect();
    // Registries can change between submission and decision: judge again, live.
    let report = compliance::run(
        connection,
        versions,
        declaration.protocol,
        &declaration.body,
        row.organization_id,
    )?;
    if !report.compliant {
        reasons.extend(
            report
                .violations
                .iter()
                .filter(|violation| violation.severity == crate::domain::protocol::rules::Severity::Error)
                .map(|violation| FieldViolation::new(&violation.pointer, violation.rule_id, &violation.message)),
        );
    }
    if !reasons.is_empty() {
        return Err(ApiError::ApprovalBlocked {
            reasons,
            report: Some(Box::new(report)),
        });
    }
    let decided = store::decide(connection, id, Decision::Approve.as_str())?.ok_or_else(lost_race)?;
    let version = compliance::version_for(versions, declaration.protocol, declaration.body.planned_departure_date)?;
    let inspection_inputs: Vec<InspectionInput> = inspections.into_iter().map(|record| record.input).collect();
    let certificate = issue(
        connection,
        &IssueRequest {
            context,
            signer,
            consignment: &decided,
            version,
            body: &declaration.body,
            inspections: &inspection_inputs,
            officer: signatory.officer,
            place_of_issue: signatory.place_of_issue,
            today: signatory.today,
            replaces: None,
        },
    )?;
    record_decision(
        connection,
        context,
        &decided,
        Decision::Approve,
        None,
        None,
        Some(&report),
    )?;
    Ok(json!({"consignment": view(&decided), "certificate": certificate}))
}

fn lost_race() -> ApiError {
    ApiError::Conflict {
        code: "concurrent_update",
        detail: "Another decision on this consignment came first.".into(),
    }
}

fn record_decision(
    connection: &mut PgConnection,
    context: &InspectorContext,
    row: &Consignment,
    decision: Decision,
    reason_code: Option<String>,
    reason: Option<String>,
    report: Option<&crate::domain::protocol::check::ComplianceReport>,
) -> Result<(), ApiError> {
    store::insert_decision(
        connection,
        &DecisionRecord {
            id: Uuid::now_v7(),
            consignment_id: row.id,
            decision: decision.as_str().to_owned(),
            reason_code: reason_code.clone(),
            reason: reason.clone(),
            authority_organization_id: context.authority_organization_id,
            decided_by_key_id: context.actor.key_id,
            compliance_report: report.map(to_json).transpose()?,
        },
    )?;
    let mut state = view(row);
    if let Value::Object(map) = &mut state {
        map.insert(
            "decision".into(),
            json!({"decision": decision.as_str(), "reason_code": reason_code, "reason": reason}),
        );
    }
    let action = match decision {
        Decision::Approve => "consignment.approved",
        Decision::Reject => "consignment.rejected",
        Decision::Return => "consignment.returned",
    };
    audit::append(
        connection,
        &context.actor,
        Change {
            action,
            entity_type: "consignment",
            entity_id: row.id.to_string(),
            state,
        },
    )?;
    Ok(())
}

/// Rejects (with a reason code from `REJECTION_REASONS`) or returns for correction.
pub fn reject_or_return(
    connection: &mut PgConnection,
    context: &InspectorContext,
    id: Uuid,
    decision: Decision,
    reason_code: Option<String>,
    reason: String,
) -> Result<Value, ApiError> {
    let row = load(connection, context, id)?;
    require_submitted(
        &row,
        if decision == Decision::Reject {
            "rejected"
        } else {
            "returned"
        },
    )?;
    let decided = store::decide(connection, id, decision.as_str())?.ok_or_else(lost_race)?;
    record_decision(connection, context, &decided, decision, reason_code, Some(reason), None)?;
    Ok(view(&decided))
}
