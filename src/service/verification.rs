//! The public verification of a certificate. By number alone it answers what a stranger may
//! know: status, kind, date of issue, issuing authority, produce and total quantity. With the
//! verification code printed on the certificate (and carried by its QR code) it answers the
//! essentials of the content, the signed payload and whether the signature holds. A wrong code
//! answers as an unknown number does.

use super::issuance::stored_content;
use super::views::timestamp;
use crate::db::certificates as store;
use crate::domain::audit::to_hex;
use crate::domain::calendar::vietnam_date;
use crate::domain::certificate::{CertificateContent, code_matches, sha256, verified_status, verify_signature};
use crate::domain::places;
use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use diesel::PgConnection;
use serde_json::{Value, json};

/// The verification of `number`, in full when `code` is the certificate's; 404 for an unknown
/// number or a wrong code.
pub fn verify(connection: &mut PgConnection, number: &str, code: Option<&str>) -> Result<(Value, String), ApiError> {
    let unknown = || {
        ApiError::not_found(format!(
            "No certificate {number} with this verification code was issued by this service."
        ))
    };
    let certificate = store::find(connection, number)?.ok_or_else(unknown)?;
    let stored_code = store::verification_code(connection, number)?.unwrap_or_default();
    let full = match code {
        None => false,
        Some(given) if code_matches(&stored_code, given) => true,
        Some(_) => return Err(unknown()),
    };
    let public_key = store::public_key(connection, &certificate.key_id)?.unwrap_or_default();
    let hash_matches = sha256(&certificate.payload).as_slice() == certificate.payload_sha256.as_slice();
    let signature_valid = hash_matches && verify_signature(&public_key, &certificate.payload, &certificate.signature);
    let document = stored_content(&certificate)?;
    let quantity = match &document {
        CertificateContent::Phytosanitary(content) => json!(content.description_of_consignment.quantity),
        CertificateContent::Veterinary(content) => json!({"animals": content.animals.number}),
    };
    let hash_hex = to_hex(&certificate.payload_sha256);
    let status = verified_status(certificate.status, document.valid_until(), vietnam_date(Utc::now()));
    if !full {
        let body = json!({
            "number": certificate.number,
            "kind": certificate.certificate_kind,
            "status": status,
            "valid_until": document.valid_until(),
            "date_of_issue": document.date_of_issue(),
            "issuing_authority": document.issuing_authority(),
            "commodity": document.protocol().title,
            "produce": document.name_of_produce(),
            "quantity": quantity,
            "more": "Give the verification code printed on the certificate (?code=…) for its content and signature.",
        });
        let etag = format!("\"{}-{status}-public\"", hash_hex.get(..16).unwrap_or_default());
        return Ok((body, etag));
    }
    let body = json!({
        "number": certificate.number,
        "kind": certificate.certificate_kind,
        "status": status,
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
    });
    let etag = format!("\"{}-{status}\"", hash_hex.get(..16).unwrap_or_default());
    Ok((body, etag))
}
