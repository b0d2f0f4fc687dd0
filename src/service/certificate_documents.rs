//! A certificate's documents: the ePhyto XML, the printable PDF (rendered once per status and
//! number of copies, then cached) and the verification URL its QR code encodes.

use super::certificates::load_visible;
use super::issuance::stored_content;
use crate::db::certificates::{self as store, Visibility};
use crate::db::inspections;
use crate::domain::audit::to_hex;
use crate::domain::certificate::{CertificateContent, CertificateKind, CertificateStatus, code_matches, sha256};
use crate::domain::ephyto::{Examination, Issue, spscertificate};
use crate::error::ApiError;
use diesel::PgConnection;

/// The ePhyto XML of a phytosanitary certificate the caller may see.
pub fn ephyto_xml(connection: &mut PgConnection, visibility: &Visibility, number: &str) -> Result<String, ApiError> {
    let certificate = load_visible(connection, visibility, number)?;
    if certificate.certificate_kind != CertificateKind::Phytosanitary {
        return Err(ApiError::not_found(format!(
            "{number} is a veterinary certificate; ePhyto covers phytosanitary certificates only."
        )));
    }
    // The inspection the approval rested on: the consignment's latest.
    let examination = inspections::of_consignment(connection, certificate.consignment_id)?
        .pop()
        .map(|inspection| Examination {
            date: inspection.inspected_on,
            place: inspection.record["place"].as_str().unwrap_or_default().to_owned(),
        });
    let issue = Issue {
        issued_at: certificate.issued_at,
        withdrawn: certificate.status != CertificateStatus::Valid,
        examination,
    };
    match stored_content(&certificate)? {
        CertificateContent::Phytosanitary(content) => Ok(spscertificate(&content, &issue)),
        CertificateContent::Veterinary(_) => Err(ApiError::Internal(anyhow::anyhow!(
            "phytosanitary certificate {number} holds veterinary content"
        ))),
    }
}

/// The public verification URL of a certificate: with its code, it opens the full verification.
pub fn verification_url(public_base_url: &str, number: &str, code: &str) -> String {
    format!("{public_base_url}/v1/verify/{number}?code={code}")
}

/// The verification URL of a certificate the caller may see (what its QR code encodes).
pub fn qr_url(
    connection: &mut PgConnection,
    visibility: &Visibility,
    number: &str,
    public_base_url: &str,
) -> Result<String, ApiError> {
    let certificate = load_visible(connection, visibility, number)?;
    let code = code_of(connection, &certificate.number)?;
    Ok(verification_url(public_base_url, &certificate.number, &code))
}

fn code_of(connection: &mut PgConnection, number: &str) -> Result<String, ApiError> {
    store::verification_code(connection, number)?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("certificate {number} has no verification code")))
}

/// Whether a PDF came from the cache or was rendered for this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendered {
    Cached,
    Fresh,
}

/// The PDF of a certificate the caller may see, rendered once per status and number of copies.
pub fn pdf(
    connection: &mut PgConnection,
    visibility: &Visibility,
    number: &str,
    copies: u8,
    public_base_url: &str,
) -> Result<(Vec<u8>, Rendered), ApiError> {
    let certificate = load_visible(connection, visibility, number)?;
    rendered_pdf(connection, &certificate, copies, public_base_url)
}

/// The PDF (original only) of a certificate whose verification code the caller gives; an
/// unknown number and a wrong code are the same 404, as in verification.
pub fn pdf_by_code(
    connection: &mut PgConnection,
    number: &str,
    code: &str,
    public_base_url: &str,
) -> Result<(Vec<u8>, Rendered), ApiError> {
    let unknown = || {
        ApiError::not_found(format!(
            "No certificate {number} with this verification code was issued by this service."
        ))
    };
    let certificate = store::find(connection, number)?.ok_or_else(unknown)?;
    if !code_matches(&code_of(connection, &certificate.number)?, code) {
        return Err(unknown());
    }
    rendered_pdf(connection, &certificate, 0, public_base_url)
}

fn rendered_pdf(
    connection: &mut PgConnection,
    certificate: &store::Certificate,
    copies: u8,
    public_base_url: &str,
) -> Result<(Vec<u8>, Rendered), ApiError> {
    let variant = format!("{}-copies-{copies}", certificate.status);
    if let Some(bytes) = store::cached_document(connection, &certificate.number, &variant)? {
        return Ok((bytes, Rendered::Cached));
    }
    let content = stored_content(certificate)?;
    let code = code_of(connection, &certificate.number)?;
    let url = verification_url(public_base_url, &certificate.number, &code);
    let hash = to_hex(&certificate.payload_sha256);
    let bytes = crate::documents::pdf::render(&crate::documents::pdf::Rendering {
        content: &content,
        status: certificate.status.as_str(),
        replaced_by: certificate.replaced_by_number.as_deref(),
        verification_url: &url,
        verification_code: Some(&code),
        key_id: &certificate.key_id,
        payload_sha256: &hash,
        copies,
    })
    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the embedded fonts could not be read")))?;
    store::store_document(connection, &certificate.number, &variant, &bytes, &sha256(&bytes))?;
    Ok((bytes, Rendered::Fresh))
}
