//! The public verification of a certificate. By number alone it answers what a stranger may
//! know: status, kind, date of issue, issuing authority, produce and total quantity. With the
//! verification code printed on the certificate (and carried by its QR code) it answers the
//! essentials of the content, the signed payload and whether the signature holds. A wrong code
//! answers as an unknown number does.

use super::issuance::stored_content;
use super::views::timestamp;
use crate::db::certificates as store;
use crate::domain::audit::to_hex;
use crate::domain::certificate::{
    CertificateContent, CertificateStatus, code_matches, sha256, verified_status, verify_signature,
};
use crate::domain::places;
use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::NaiveDate;
use diesel::PgConnection;
use serde_json::{Map, Value, json};

/// Everything verification answers from, read once per certificate. Only the status and the
/// revocation and replacement fields ever change (on revoke and replace, which notify every
/// instance), so a record can be kept in memory until then; whether the certificate has
/// expired is worked out at each answer.
#[derive(Debug, Clone)]
pub struct VerificationRecord {
    code: String,
    status: CertificateStatus,
    valid_until: Option<NaiveDate>,
    hash_prefix: String,
    /// The answer by number alone, without its status.
    summary: Map<String, Value>,
    /// The answer with the right code, without its status.
    full: Map<String, Value>,
}

/// Reads what verification of `number` needs; `None` for a number this service never issued.
pub fn load(connection: &mut PgConnection, number: &str) -> Result<Option<VerificationRecord>, ApiError> {
    let Some(certificate) = store::find(connection, number)? else {
        return Ok(None);
    };
    let code = store::verification_code(connection, number)?.unwrap_or_default();
    let public_key = store::public_key(connection, &certificate.key_id)?.unwrap_or_default();
    let hash_matches = sha256(&certificate.payload).as_slice() == certificate.payload_sha256.as_slice();
    let signature_valid = hash_matches && verify_signature(&public_key, &certificate.payload, &certificate.signature);
    let document = stored_content(&certificate)?;
    let quantity = match &document {
        CertificateContent::Phytosanitary(content) => json!(content.description_of_consignment.quantity),
        CertificateContent::Veterinary(content) => json!({"animals": content.animals.number}),
    };
    let hash_hex = to_hex(&certificate.payload_sha256);
    let object = |value: Value| match value {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let summary = object(json!({
        "number": certificate.number,
        "kind": certificate.certificate_kind,
        "valid_until": document.valid_until(),
        "date_of_issue": document.date_of_issue(),
        "issuing_authority": document.issuing_authority(),
        "commodity": document.protocol().title,
        "produce": document.name_of_produce(),
        "quantity": quantity,
        "more": "Give the verification code printed on the certificate (?code=…) for its content and signature.",
    }));
    let full = object(json!({
        "number": certificate.number,
        "kind": certificate.certificate_kind,
        "valid_until": document.valid_until(),
        "revocation": certificate.revoked_at.map(|at| json!({"revoked_at": timestamp(at), "reason": certificate.revocation_reason})),
        "replaced_by": certificate.replaced_by_number,
        "replaces": certificate.replaces_number,
        "date_of_issue": document.date_of_issue(),
        "issuing_authority": document.issuing_authority(),
        "exporter": document.exporter().name,
        "commodity": document.protocol().title,
        "produce": document.name_of_produce(),
        "protocol": document.protocol().code,
        "quantity": quantity,
        "point_of_entry": document.point_of_entry(),
        "point_of_entry_place": places::find(document.point_of_entry()),
        "payload": String::from_utf8_lossy(&certificate.payload),
        "payload_sha256": hash_hex,
        "signature": STANDARD.encode(&certificate.signature),
        "key_id": certificate.key_id,
        "signature_valid": signature_valid,
    }));
    Ok(Some(VerificationRecord {
        code,
        status: certificate.status,
        valid_until: document.valid_until(),
        hash_prefix: hash_hex.get(..16).unwrap_or_default().to_owned(),
        summary,
        full,
    }))
}

/// The verification of `number` on `today`, in full when `code` is the certificate's, with its
/// entity tag; 404 for an unknown number or a wrong code.
pub fn answer(
    record: Option<&VerificationRecord>,
    number: &str,
    code: Option<&str>,
    today: NaiveDate,
) -> Result<(Value, String), ApiError> {
    let unknown = || {
        ApiError::not_found(format!(
            "No certificate {number} with this verification code was issued by this service."
        ))
    };
    let record = record.ok_or_else(unknown)?;
    let full = match code {
        None => false,
        Some(given) if code_matches(&record.code, given) => true,
        Some(_) => return Err(unknown()),
    };
    let status = verified_status(record.status, record.valid_until, today);
    let (mut body, etag) = if full {
        (record.full.clone(), format!("\"{}-{status}\"", record.hash_prefix))
    } else {
        (
            record.summary.clone(),
            format!("\"{}-{status}-public\"", record.hash_prefix),
        )
    };
    body.insert("status".to_owned(), json!(status));
    Ok((Value::Object(body), etag))
}
