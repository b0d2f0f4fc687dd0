//! Issuing, reading, revoking, replacing and verifying certificates.

use super::inspections::InspectorContext;
use super::views::{Page, timestamp};
use crate::db::audit::{self, Actor, Change};
use crate::db::certificates::{self as store, Certificate, Visibility};
use crate::db::consignments::Consignment;
use crate::db::establishments;
use crate::db::organizations;
use crate::domain::api_key::Role;
use crate::domain::calendar::vietnam_date;
use crate::domain::certificate::{
    CertificateEvent, CertificateInput, CertificateKind, CertificateSigner, CertificateStatus, FarmOfOrigin, Party,
    content, format_number, payload_bytes, sha256, verify_signature,
};
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::establishment::{EstablishmentKind, normalize_code};
use crate::domain::inspection::InspectionInput;
use crate::domain::pagination::TimeIdCursor;
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
    let kind = CertificateKind::for_protocol(request.version.code);
    let year = request.today.year();
    let serial = store::next_serial(connection, kind.as_str(), year)?;
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
    let payload = payload_bytes(&document);
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
        certificate_kind: kind.as_str().to_owned(),
        year,
        serial,
        consignment_id: request.consignment.id,
        organization_id: request.consignment.organization_id,
        authority: request.context.authority.as_str().to_owned(),
        authority_organization_id: request.context.authority_organization_id,
        issued_at: Utc::now(),
        payload_sha256: sha256(&payload).to_vec(),
        payload,
        signature: signature.to_vec(),
        key_id: request.signer.key_id.clone(),
        status: CertificateStatus::Valid.as_str().to_owned(),
        revoked_at: None,
        revocation_reason: None,
        replaces_number: request.replaces.clone(),
        replaced_by_number: None,
    };
    store::insert(connection, &certificate)?;
    let view = certificate_view(&certificate);
    audit::append(
        connection,
        &request.context.actor,
        Change {
            action: "certificate.issued",
            entity_type: "certificate",
            entity_id: number,
            state: summary_state(&certificate),
        },
    )?;
    Ok(view)
}

/// What the audit trail keeps of a certificate: everything but the (large) payload itself.
fn summary_state(certificate: &Certificate) -> Value {
    json!({
        "number": certificate.number,
        "kind": certificate.certificate_kind,
        "status": certificate.status,
        "consignment_id": certificate.consignment_id,
        "payload_sha256": crate::domain::audit::to_hex(&certificate.payload_sha256),
        "key_id": certificate.key_id,
        "revocation_reason": certificate.revocation_reason,
        "replaces": certificate.replaces_number,
        "replaced_by": certificate.replaced_by_number,
    })
}

fn parsed_content(certificate: &Certificate) -> Value {
    serde_json::from_slice(&certificate.payload).unwrap_or(Value::Null)
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
        "payload_sha256": crate::domain::audit::to_hex(&certificate.payload_sha256),
        "signature": STANDARD.encode(&certificate.signature),
        "content": parsed_content(certificate),
    })
}

fn visible(certificate: &Certificate, visibility: &Visibility) -> bool {
    match visibility {
        Visibility::Exporter(organization_id) => certificate.organization_id == *organization_id,
        Visibility::Authority(authority) => &certificate.authority == authority,
        Visibility::All => true,
    }
}

pub fn list(
    connection: &mut PgConnection,
    visibility: &Visibility,
    after: Option<TimeIdCursor>,
    limit: i64,
) -> Result<Page<Value>, ApiError> {
    let rows = store::list_page(
        connection,
        visibility,
        after.map(|cursor| (cursor.created_at, cursor.id)),
        limit,
    )?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| {
            TimeIdCursor {
                created_at: row.issued_at,
                id: row.id,
            }
            .encode()
        },
        |row| certificate_view(&row),
    ))
}

/// A certificate the caller may see; 404 otherwise.
pub fn load_visible(
    connection: &mut PgConnection,
    visibility: &Visibility,
    number: &str,
) -> Result<Certificate, ApiError> {
    store::find(connection, number)?
        .filter(|certificate| visible(certificate, visibility))
        .ok_or_else(|| ApiError::not_found(format!("No certificate {number} of yours exists.")))
}

pub fn get(connection: &mut PgConnection, visibility: &Visibility, number: &str) -> Result<Value, ApiError> {
    Ok(certificate_view(&load_visible(connection, visibility, number)?))
}

/// A certificate an inspector may revoke or replace: its own authority's, still valid.
fn load_for_change(
    connection: &mut PgConnection,
    context: &InspectorContext,
    number: &str,
    event: CertificateEvent,
) -> Result<Certificate, ApiError> {
    let certificate = store::find(connection, number)?
        .ok_or_else(|| ApiError::not_found(format!("No certificate {number} exists.")))?;
    if certificate.authority != context.authority.as_str() {
        return Err(ApiError::forbidden(format!(
            "Only {} may change certificate {number}.",
            certificate.authority
        )));
    }
    let status = CertificateStatus::parse(&certificate.status).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "certificate {number} has unknown status {}",
            certificate.status
        ))
    })?;
    if status.after(event).is_none() {
        return Err(ApiError::Conflict {
            code: "invalid_state",
            detail: format!(
                "Certificate {number} is {}; it can no longer change.",
                certificate.status
            ),
        });
    }
    Ok(certificate)
}

pub fn revoke(
    connection: &mut PgConnection,
    context: &InspectorContext,
    number: &str,
    reason: &str,
) -> Result<Value, ApiError> {
    load_for_change(connection, context, number, CertificateEvent::Revoke)?;
    let revoked = store::revoke(connection, number, reason)?.ok_or_else(|| ApiError::Conflict {
        code: "concurrent_update",
        detail: "The certificate changed meanwhile.".into(),
    })?;
    audit::append(
        connection,
        &context.actor,
        Change {
            action: "certificate.revoked",
            entity_type: "certificate",
            entity_id: number.to_owned(),
            state: summary_state(&revoked),
        },
    )?;
    Ok(certificate_view(&revoked))
}

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
/// `validate` checks the shape of the corrected declaration.
pub fn replace(
    connection: &mut PgConnection,
    context: &InspectorContext,
    number: &str,
    replacement: Replacement,
    validate: impl FnOnce(Value) -> Result<ConsignmentBody, ApiError>,
) -> Result<Value, ApiError> {
    let old = load_for_change(connection, context, number, CertificateEvent::Replace)?;
    let mut consignment = crate::db::consignments::find_any(connection, old.consignment_id)?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("consignment of certificate {number} is missing")))?;
    let stored = super::consignments::stored_declaration(&consignment)?;
    let corrected = match &replacement.corrections {
        None => None,
        Some(patch) => {
            let mut merged = consignment.body.clone();
            crate::domain::consignment::merge_patch::apply(&mut merged, patch);
            Some(validate(merged)?)
        }
    };
    let body = match corrected {
        Some(corrected) => {
            let declaration = super::consignments::declaration(corrected)?;
            if declaration.protocol != stored.protocol {
                return Err(ApiError::invalid(crate::domain::field_violation::FieldViolation::new(
                    "/corrections/protocol",
                    "not_allowed",
                    "A replacement cannot change the protocol.",
                )));
            }
            let report = super::compliance::run(
                connection,
                replacement.versions,
                declaration.protocol,
                &declaration.body,
                consignment.organization_id,
            )?;
            if !report.compliant {
                return Err(ApiError::ComplianceFailed(Box::new(report)));
            }
            let json = super::consignments::body_json(&declaration.body)?;
            consignment = crate::db::consignments::update_body(
                connection,
                consignment.id,
                consignment.version,
                &["approved"],
                &consignment.protocol,
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
                    action: "consignment.corrected",
                    entity_type: "consignment",
                    entity_id: consignment.id.to_string(),
                    state: super::consignments::view(&consignment),
                },
            )?;
            declaration.body
        }
        None => stored.body,
    };
    let protocol = stored.protocol;
    let version = super::compliance::version_for(replacement.versions, protocol, body.planned_departure_date)?;
    let inspections: Vec<InspectionInput> = super::inspections::inspections_of(connection, consignment.id)?
        .into_iter()
        .map(|record| record.input)
        .collect();
    // The old certificate steps aside first: one consignment has at most one valid certificate.
    let today = vietnam_date(Utc::now());
    let kind = CertificateKind::for_protocol(protocol);
    let upcoming = format_number(
        kind,
        today.year(),
        store::peek_next_serial(connection, kind.as_str(), today.year())?,
    );
    let replaced = store::mark_replaced(connection, number, &upcoming)?.ok_or_else(|| ApiError::Conflict {
        code: "concurrent_update",
        detail: "The certificate changed meanwhile.".into(),
    })?;
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
            action: "certificate.replaced",
            entity_type: "certificate",
            entity_id: number.to_owned(),
            state,
        },
    )?;
    Ok(json!({"replaced": certificate_view(&replaced), "certificate": issued}))
}

/// The public verification of a certificate number.
pub fn verify(connection: &mut PgConnection, number: &str) -> Result<(Value, String), ApiError> {
    let certificate = store::find(connection, number)?
        .ok_or_else(|| ApiError::not_found(format!("No certificate {number} was issued by this service.")))?;
    let public_key = store::public_key(connection, &certificate.key_id)?.unwrap_or_default();
    let hash_matches = sha256(&certificate.payload).as_slice() == certificate.payload_sha256.as_slice();
    let signature_valid = hash_matches && verify_signature(&public_key, &certificate.payload, &certificate.signature);
    let document = parsed_content(&certificate);
    let description = &document["description_of_consignment"];
    let (exporter, quantity, point_of_entry, authority, date_of_issue) = if certificate.certificate_kind == "veterinary"
    {
        (
            document["2_exporter_and_importer"]["exporter"]["name"].clone(),
            json!({"animals": document["4_animals"]["number"]}),
            document["3_departure"]["point_of_entry"].clone(),
            document["7_issue"]["veterinary_authority"].clone(),
            document["7_issue"]["date_of_issue"].clone(),
        )
    } else {
        (
            description["exporter"]["name"].clone(),
            description["quantity"].clone(),
            description["point_of_entry"].clone(),
            document["issuing_authority"].clone(),
            document["date_of_issue"].clone(),
        )
    };
    let hash_hex = crate::domain::audit::to_hex(&certificate.payload_sha256);
    let body = json!({
        "number": certificate.number,
        "kind": certificate.certificate_kind,
        "status": certificate.status,
        "revocation": certificate.revoked_at.map(|at| json!({"revoked_at": timestamp(at), "reason": certificate.revocation_reason})),
        "replaced_by": certificate.replaced_by_number,
        "replaces": certificate.replaces_number,
        "date_of_issue": date_of_issue,
        "issuing_authority": authority,
        "exporter": exporter,
        "commodity": document["protocol"]["title"],
        "protocol": document["protocol"]["code"],
        "quantity": quantity,
        "point_of_entry": point_of_entry,
        "payload": String::from_utf8_lossy(&certificate.payload),
        "payload_sha256": hash_hex,
        "signature": STANDARD.encode(&certificate.signature),
        "key_id": certificate.key_id,
        "signature_valid": signature_valid,
    });
    let etag = format!("\"{}-{}\"", hash_hex.get(..16).unwrap_or_default(), certificate.status);
    Ok((body, etag))
}

/// Every published signing key.
pub fn signing_keys(connection: &mut PgConnection) -> Result<Value, ApiError> {
    let items: Vec<Value> = store::keys(connection)?
        .into_iter()
        .map(|row| {
            let pem = <[u8; 32]>::try_from(row.public_key.as_slice())
                .map(|key| crate::domain::certificate::public_key_pem(&key))
                .unwrap_or_default();
            json!({
                "key_id": row.key_id,
                "algorithm": "Ed25519",
                "public_key": STANDARD.encode(&row.public_key),
                "public_key_pem": pem,
                "created_at": timestamp(row.created_at),
            })
        })
        .collect();
    Ok(json!({"items": items}))
}

/// Which certificates a caller may see: exporters their own, inspectors their authority's,
/// admins all.
pub fn visibility(connection: &mut PgConnection, role: Role, actor: &Actor) -> Result<Visibility, ApiError> {
    let organization_id = actor
        .organization_id
        .ok_or_else(|| ApiError::forbidden("The key belongs to no organisation."))?;
    Ok(match role {
        Role::Admin => Visibility::All,
        Role::Exporter => Visibility::Exporter(organization_id),
        Role::Inspector => {
            let context = super::inspections::context(connection, actor.clone(), organization_id)?;
            Visibility::Authority(context.authority.as_str().to_owned())
        }
    })
}

/// The ePhyto XML of a phytosanitary certificate the caller may see.
pub fn ephyto_xml(connection: &mut PgConnection, visibility: &Visibility, number: &str) -> Result<String, ApiError> {
    let certificate = load_visible(connection, visibility, number)?;
    if certificate.certificate_kind != CertificateKind::Phytosanitary.as_str() {
        return Err(ApiError::not_found(format!(
            "{number} is a veterinary certificate; ePhyto covers phytosanitary certificates only."
        )));
    }
    let withdrawn = certificate.status != CertificateStatus::Valid.as_str();
    Ok(crate::domain::ephyto::spscertificate(
        &parsed_content(&certificate),
        withdrawn,
    ))
}

/// The public verification URL of a certificate.
pub fn verification_url(public_base_url: &str, number: &str) -> String {
    format!("{public_base_url}/v1/verify/{number}")
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
    let variant = format!("{}-copies-{copies}", certificate.status);
    if let Some(bytes) = store::cached_document(connection, &certificate.number, &variant)? {
        return Ok((bytes, Rendered::Cached));
    }
    let content = parsed_content(&certificate);
    let url = verification_url(public_base_url, &certificate.number);
    let hash = crate::domain::audit::to_hex(&certificate.payload_sha256);
    let bytes = crate::documents::pdf::render(&crate::documents::pdf::Rendering {
        content: &content,
        status: &certificate.status,
        replaced_by: certificate.replaced_by_number.as_deref(),
        verification_url: &url,
        key_id: &certificate.key_id,
        payload_sha256: &hash,
        copies,
    })
    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the embedded fonts could not be read")))?;
    store::store_document(connection, &certificate.number, &variant, &bytes, &sha256(&bytes))?;
    Ok((bytes, Rendered::Fresh))
}
