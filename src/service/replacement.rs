//! Replacing a certificate: an inspector of the issuing authority corrects the declaration
//! (a merge patch, checked again) and issues a new certificate that references the old one,
//! which becomes `replaced`.

use super::certificates::{changed_meanwhile, load_for_change};
use super::compliance;
use super::consignments::{body_json, declaration, stored_declaration, view};
use super::input::from_value;
use super::inspections::inspections_of;
use super::inspector::InspectorContext;
use super::issuance::{IssueRequest, certificate_view, issue, summary_state};
use crate::db::audit::{self, Change};
use crate::db::certificates as store;
use crate::db::consignments as consignment_store;
use crate::db::notifications;
use crate::domain::audit::AuditAction;
use crate::domain::calendar::vietnam_date;
use crate::domain::certificate::{CertificateEvent, CertificateKind, CertificateSigner, format_number};
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::field_violation::FieldViolation;
use crate::domain::inspection::InspectionInput;
use crate::domain::invalidation::Invalidation;
use crate::domain::protocol::catalogue::ProtocolVersion;
use crate::error::ApiError;
use chrono::{Datelike, Utc};
use diesel::PgConnection;
use serde_json::{Value, json};

/// What a replacement needs besides the certificate it replaces.
pub struct Replacement<'a> {
    pub versions: &'a [ProtocolVersion],
    pub signer: &'a CertificateSigner,
    pub officer: String,
    pub place_of_issue: String,
    pub reason: String,
    /// A JSON merge patch of the consignment's declaration, when the correction changes it.
    pub corrections: Option<Value>,
}

/// Issues a corrected certificate that references the one it replaces, which becomes `replaced`.
pub fn replace(
    connection: &mut PgConnection,
    context: &InspectorContext,
    number: &str,
    replacement: Replacement,
) -> Result<Value, ApiError> {
    let (old, replaced_status) = load_for_change(connection, context, number, CertificateEvent::Replace)?;
    let mut consignment = consignment_store::find_any(connection, old.consignment_id)?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("consignment of certificate {number} is missing")))?;
    let stored = stored_declaration(&consignment)?;
    let corrected = match &replacement.corrections {
        None => None,
        Some(patch) => {
            let mut merged = consignment.body.clone();
            json_patch::merge(&mut merged, patch);
            Some(from_value::<ConsignmentBody>(merged)?)
        }
    };
    let body = match corrected {
        Some(corrected) => {
            let declaration = declaration(corrected)?;
            if declaration.protocol != stored.protocol {
                return Err(ApiError::invalid(FieldViolation::new(
                    "/corrections/protocol",
                    "not_allowed",
                    "A replacement cannot change the protocol.",
                )));
            }
            let report = compliance::run(
                connection,
                replacement.versions,
                declaration.protocol,
                &declaration.body,
                consignment.organization_id,
            )?;
            if !report.compliant {
                return Err(ApiError::ComplianceFailed(Box::new(report)));
            }
            let json = body_json(&declaration.body)?;
            consignment = consignment_store::update_body(
                connection,
                consignment.id,
                consignment.version,
                consignment.status,
                consignment.protocol,
                declaration.body.planned_departure_date,
                &json,
            )?
            .ok_or_else(|| ApiError::Conflict {
                code: "concurrent_update",
                detail: "The consignment changed meanwhile.".into(),
            })?;
            audit::append(
                connection,
                &context.actor,
                Change {
                    action: AuditAction::ConsignmentCorrected,
                    entity_id: consignment.id.to_string(),
                    state: view(&consignment),
                },
            )?;
            declaration.body
        }
        None => stored.body,
    };
    let protocol = stored.protocol;
    let version = compliance::version_for(replacement.versions, protocol, body.planned_departure_date)?;
    let inspections: Vec<InspectionInput> = inspections_of(connection, consignment.id)?
        .into_iter()
        .map(|record| record.input)
        .collect();
    // The old certificate steps aside first: one consignment has at most one valid certificate.
    let today = vietnam_date(Utc::now());
    let kind = CertificateKind::for_protocol(protocol);
    let upcoming = format_number(
        kind,
        today.year(),
        store::peek_next_serial(connection, kind, today.year())?,
    );
    let replaced = store::transition(connection, number, old.status, replaced_status, None, Some(&upcoming))?
        .ok_or_else(changed_meanwhile)?;
    let issued = issue(
        connection,
        &IssueRequest {
            context,
            signer: replacement.signer,
            consignment: &consignment,
            version,
            body: &body,
            inspections: &inspections,
            officer: replacement.officer,
            place_of_issue: replacement.place_of_issue,
            today,
            replaces: Some(number.to_owned()),
        },
    )?;
    if issued["number"] != json!(upcoming) {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "replacement number {} differs from the reserved {upcoming}",
            issued["number"]
        )));
    }
    let mut state = summary_state(&replaced);
    if let Value::Object(map) = &mut state {
        map.insert("reason".into(), json!(replacement.reason));
    }
    audit::append(
        connection,
        &context.actor,
        Change {
            action: AuditAction::CertificateReplaced,
            entity_id: number.to_owned(),
            state,
        },
    )?;
    notifications::publish(connection, &Invalidation::Certificate(number.to_owned()))?;
    Ok(json!({"replaced": certificate_view(&replaced), "certificate": issued}))
}
