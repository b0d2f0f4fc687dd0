//! Issuing a certificate: numbering, the signed content, storage and the audit event, inside
//! the approving (or replacing) transaction. Also the certificate's JSON view, shared by every
//! reader.

use super::inspector::InspectorContext;
use super::views::timestamp;
use crate::db::audit::{self, Change};
use crate::db::certificates::{self as store, Certificate};
use crate::db::consignments::Consignment;
use crate::db::establishments;
use crate::db::organizations;
use crate::domain::audit::AuditAction;
use crate::domain::audit::to_hex;
use crate::domain::certificate::{
    CertificateContent, CertificateInput, CertificateKind, CertificateSigner, CertificateStatus, FarmOfOrigin, Party,
    content, format_number, sha256, verification_code,
};
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::establishment::{EstablishmentKind, normalize_code};
use crate::domain::inspection::InspectionInput;
use crate::domain::protocol::catalogue::ProtocolVersion;
use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Datelike, NaiveDate, Utc};
use diesel::PgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

/// What issuing needs.
pub struct IssueRequest<'a> {
    pub context: &'a InspectorContext,
    pub signer: &'a CertificateSigner,
    pub consignment: &'a Consignment,
    pub version: &'a ProtocolVersion,
    pub body: &'a ConsignmentBody,
    pub inspections: &'a [InspectionInput],
    pub officer: String,
    pub place_of_issue: String,
    pub today: NaiveDate,
    pub replaces: Option<String>,
}

fn farms(connection: &mut PgConnection, body: &ConsignmentBody) -> Result<Vec<FarmOfOrigin>, ApiError> {
    let Some(crocodiles) = &body.crocodiles else {
        return Ok(Vec::new());
    };
    let mut codes: Vec<String> = crocodiles
        .animals
        .iter()
        .map(|animal| normalize_code(&animal.farm_code))
        .collect();
    codes.sort();
    codes.dedup();
    Ok(
        establishments::with_codes(connection, EstablishmentKind::CrocodileFarm, &codes)?
            .into_iter()
            .map(|row| FarmOfOrigin {
                code: row.code,
                name: row.name,
                province: row.province,
            })
            .collect(),
    )
}

/// Numbers, signs and stores a certificate for an approved consignment. Call inside the
/// approving (or replacing) transaction: the counter's row lock keeps numbers gap-free.
pub fn issue(connection: &mut PgConnection, request: &IssueRequest) -> Result<Value, ApiError> {
    let kind = CertificateKind::for_protocol(request.version.edition.code);
    let year = request.today.year();
    let serial = store::next_serial(connection, kind, year)?;
    let number = format_number(kind, year, serial);
    let exporter = organizations::find(connection, request.consignment.organization_id)?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "exporter of consignment {} is missing",
            request.consignment.id
        ))
    })?;
    let document = content(&CertificateInput {
        number: number.clone(),
        replaces: request.replaces.clone(),
        consignment_id: request.consignment.id,
        version: request.version,
        body: request.body,
        exporter: Party {
            name: exporter.name,
            address: exporter.address.unwrap_or_default(),
        },
        issuing_authority: request.context.authority_name.clone(),
        authorized_officer: request.officer.clone(),
        place_of_issue: request.place_of_issue.clone(),
        date_of_issue: request.today,
        inspections: request.inspections,
        farms: farms(connection, request.body)?,
    });
    let payload = document
        .payload_bytes()
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("certificate {number} does not serialise: {error}")))?;
    let signature = request.signer.sign(&payload);
    if !store::register_key(connection, &request.signer.key_id, &request.signer.public_key())? {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "signing key id {} is already published with another public key",
            request.signer.key_id
        )));
    }
    let certificate = Certificate {
        id: Uuid::now_v7(),
        number: number.clone(),
        certificate_kind: kind,
        year,
        serial,
        consignment_id: request.consignment.id,
        organization_id: request.consignment.organization_id,
        authority: request.context.authority,
        authority_organization_id: request.context.authority_organization_id,
        issued_at: Utc::now(),
        payload_sha256: sha256(&payload).to_vec(),
        payload,
        signature: signature.to_vec(),
        key_id: request.signer.key_id.clone(),
        status: CertificateStatus::Valid,
        revoked_at: None,
        revocation_reason: None,
        replaces_number: request.replaces.clone(),
        replaced_by_number: None,
    };
    store::insert(connection, &certificate)?;
    let mut random = [0u8; 10];
    getrandom::fill(&mut random)
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("the system random generator failed: {error}")))?;
    let code = verification_code(random);
    store::insert_verification_code(connection, &number, &code)?;
    let view = with_verification_code(certificate_view(&certificate), Some(code));
    audit::append(
        connection,
        &request.context.actor,
        Change {
            action: AuditAction::CertificateIssued,
            entity_id: number,
            state: summary_state(&certificate),
        },
    )?;
    Ok(view)
}

/// What the audit trail keeps of a certificate: everything but the (large) payload itself.
pub fn summary_state(certificate: &Certificate) -> Value {
    json!({
        "number": certificate.number,
        "kind": certificate.certificate_kind,
        "status": certificate.status,
        "consignment_id": certificate.consignment_id,
        "payload_sha256": to_hex(&certificate.payload_sha256),
        "key_id": certificate.key_id,
        "revocation_reason": certificate.revocation_reason,
        "replaces": certificate.replaces_number,
        "replaced_by": certificate.replaced_by_number,
    })
}

/// The signed payload as JSON, exactly as signed: what the certificate view shows.
fn signed_json(certificate: &Certificate) -> Value {
    serde_json::from_slice(&certificate.payload).unwrap_or(Value::Null)
}

/// The certificate's content as typed data, decoded from the signed payload.
pub fn stored_content(certificate: &Certificate) -> Result<CertificateContent, ApiError> {
    CertificateContent::decode(&certificate.payload)
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("certificate {}: {error}", certificate.number)))
}

/// The view with the code that unlocks the full public verification, for those who may share
/// it (the exporter and the authority); never in the audit trail.
pub fn with_verification_code(mut view: Value, code: Option<String>) -> Value {
    if let (Value::Object(map), Some(code)) = (&mut view, code) {
        map.insert("verification_code".into(), Value::String(code));
    }
    view
}

/// A certificate as its exporter and authority see it.
pub fn certificate_view(certificate: &Certificate) -> Value {
    json!({
        "number": certificate.number,
        "kind": certificate.certificate_kind,
        "status": certificate.status,
        "consignment_id": certificate.consignment_id,
        "organization_id": certificate.organization_id,
        "authority": certificate.authority,
        "issued_at": timestamp(certificate.issued_at),
        "revoked_at": certificate.revoked_at.map(timestamp),
        "revocation_reason": certificate.revocation_reason,
        "replaces": certificate.replaces_number,
        "replaced_by": certificate.replaced_by_number,
        "key_id": certificate.key_id,
        "payload_sha256": to_hex(&certificate.payload_sha256),
        "signature": STANDARD.encode(&certificate.signature),
        "content": signed_json(certificate),
    })
}
