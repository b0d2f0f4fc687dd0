//! Inspectors' use cases: the queue, inspections, and decisions. An inspector acts only on
//! protocols its authority is competent for (PPD: plant products; DAH: crocodiles).

use super::compliance;
use super::consignments::{not_now, stored_declaration, view};
use super::inspector::{InspectorContext, competent_protocols};
use super::issuance::{IssueRequest, issue};
use super::views::{Page, timestamp, to_json};
use crate::db::audit::{self, Change};
use crate::db::consignments::{self as consignment_store, Consignment};
use crate::db::inspections::{self as store, DecisionRecord, Inspection};
use crate::domain::audit::AuditAction;
use crate::domain::calendar::vietnam_date;
use crate::domain::certificate::CertificateSigner;
use crate::domain::consignment::status::{ConsignmentStatus, Decision, RejectionReason};
use crate::domain::field_violation::FieldViolation;
use crate::domain::inspection::{
    ExporterHistory, InspectionInput, InspectionRecord, approval_blockers, check_inspection, required_sampling_rate,
};
use crate::domain::protocol::ProtocolCode;
use crate::domain::protocol::catalogue::ProtocolVersion;
use crate::domain::protocol::facts::{DateOf, JudgedDate};
use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// A consignment this inspector may act on: 404 when it does not exist, 403 when another
/// authority is competent for it.
fn load(connection: &mut PgConnection, context: &InspectorContext, id: Uuid) -> Result<Consignment, ApiError> {
    let row = consignment_store::find_any(connection, id)?
        .ok_or_else(|| ApiError::not_found(format!("No consignment {id} exists.")))?;
    if row.protocol.competent_authority() != context.authority {
        return Err(ApiError::forbidden(format!(
            "{} is not competent for {}.",
            context.authority.as_str(),
            row.protocol
        )));
    }
    Ok(row)
}

/// The status `decision` leads to; 409 when the consignment cannot be decided now.
fn target_status(row: &Consignment, decision: Decision) -> Result<ConsignmentStatus, ApiError> {
    row.status
        .decided(decision)
        .ok_or_else(|| not_now(row, decision.as_str()))
}

/// Moves the consignment to the decided status, conditionally on its version and status.
fn decide(connection: &mut PgConnection, row: &Consignment, to: ConsignmentStatus) -> Result<Consignment, ApiError> {
    consignment_store::transition(connection, row.id, row.version, row.status, to, None)?.ok_or_else(lost_race)
}

/// A queue entry: enough to pick the next consignment.
#[derive(Debug, Serialize)]
pub struct QueueEntry {
    pub id: Uuid,
    /// Where the inspector reads the consignment in full.
    pub href: String,
    pub protocol: ProtocolCode,
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
                href: format!("/v1/consignments/{}", row.id),
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
    if !row.status.accepts_inspection() {
        return Err(not_now(&row, "inspected"));
    }
    let declaration = stored_declaration(&row)?;
    let version = compliance::version_for(versions, declaration.protocol, declaration.body.planned_departure_date)?;
    check_inspection(version, &declaration.body, &input, vietnam_date(Utc::now())).map_err(ApiError::Validation)?;
    let required_rate = if declaration.protocol.is_plant() {
        let (first_submission, last_rejection) =
            store::exporter_history(connection, row.organization_id, row.protocol)?;
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
            action: AuditAction::ConsignmentInspected,
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
    let approved = target_status(&row, Decision::Approve)?;
    let declaration = stored_declaration(&row)?;
    let inspections = inspections_of(connection, id)?;
    let version = compliance::version_for(versions, declaration.protocol, declaration.body.planned_departure_date)?;
    let mut reasons: Vec<FieldViolation> = approval_blockers(version, &declaration.body, &inspections, signatory.today)
        .into_iter()
        .map(|blocker| FieldViolation::new("", blocker.code, blocker.message))
        .collect();
    // Registries can change between submission and decision: judge again, live.
    // Judged on the departure date, each inspection date and today, the day of issue.
    let mut dates: Vec<JudgedDate> = inspections
        .iter()
        .map(|record| JudgedDate {
            date: record.input.inspected_on,
            date_of: DateOf::Inspection,
        })
        .collect();
    dates.push(JudgedDate {
        date: signatory.today,
        date_of: DateOf::Approval,
    });
    let report = compliance::run_on(
        connection,
        versions,
        declaration.protocol,
        &declaration.body,
        row.organization_id,
        &dates,
    )?;
    if !report.compliant {
        reasons.extend(
            report
                .violations
                .iter()
                .filter(|violation| violation.severity == crate::domain::protocol::rule::Severity::Error)
                .map(|violation| FieldViolation::new(&violation.pointer, violation.rule_id, &violation.message)),
        );
    }
    if !reasons.is_empty() {
        return Err(ApiError::ApprovalBlocked {
            reasons,
            report: Some(Box::new(report)),
        });
    }
    let decided = decide(connection, &row, approved)?;
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
    reason_code: Option<RejectionReason>,
    reason: Option<String>,
    report: Option<&crate::domain::protocol::check::ComplianceReport>,
) -> Result<(), ApiError> {
    store::insert_decision(
        connection,
        &DecisionRecord {
            id: Uuid::now_v7(),
            consignment_id: row.id,
            decision,
            reason_code,
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
        Decision::Approve => AuditAction::ConsignmentApproved,
        Decision::Reject => AuditAction::ConsignmentRejected,
        Decision::Return => AuditAction::ConsignmentReturned,
    };
    audit::append(
        connection,
        &context.actor,
        Change {
            action,
            entity_id: row.id.to_string(),
            state,
        },
    )?;
    Ok(())
}

/// Rejects (with a reason code) or returns for correction.
pub fn reject_or_return(
    connection: &mut PgConnection,
    context: &InspectorContext,
    id: Uuid,
    decision: Decision,
    reason_code: Option<RejectionReason>,
    reason: String,
) -> Result<Value, ApiError> {
    let row = load(connection, context, id)?;
    let to = target_status(&row, decision)?;
    let decided = decide(connection, &row, to)?;
    record_decision(connection, context, &decided, decision, reason_code, Some(reason), None)?;
    Ok(view(&decided))
}
