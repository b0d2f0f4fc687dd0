//! Certificates: numbering, lifecycle, the frozen content document and its Ed25519 signature.
//!
//! Phytosanitary certificates (plant protocols) follow the ISPM 12 model fields with the
//! protocol's additional declaration; veterinary certificates (crocodiles) carry the nine
//! contents the protocol lists (protocols.md §4.2). The content is serialised once as canonical
//! JSON; those exact bytes are signed and stored, and never change.

use super::canonical_json::to_canonical_bytes;
use super::consignment::model::ConsignmentBody;
use super::inspection::InspectionInput;
use super::protocol::ProtocolCode;
use super::protocol::catalogue::ProtocolVersion;
use super::text_enum::text_enum;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

text_enum! {
    pub enum CertificateKind {
        Phytosanitary = "phytosanitary",
        Veterinary = "veterinary",
    }
}

impl CertificateKind {
    pub fn for_protocol(protocol: ProtocolCode) -> Self {
        if protocol.is_plant() {
            Self::Phytosanitary
        } else {
            Self::Veterinary
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Phytosanitary => "PC",
            Self::Veterinary => "VC",
        }
    }
}

/// `VN-PC-2026-000123`: type, year of issue and a serial without gaps within them.
pub fn format_number(kind: CertificateKind, year: i32, serial: i64) -> String {
    format!("VN-{}-{year}-{serial:06}", kind.prefix())
}

text_enum! {
    pub enum CertificateStatus {
        Valid = "valid",
        Revoked = "revoked",
        Replaced = "replaced",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateEvent {
    Revoke,
    Replace,
}

impl CertificateStatus {
    /// Only a valid certificate can be revoked or replaced; both are final.
    pub fn after(self, event: CertificateEvent) -> Option<Self> {
        match (self, event) {
            (Self::Valid, CertificateEvent::Revoke) => Some(Self::Revoked),
            (Self::Valid, CertificateEvent::Replace) => Some(Self::Replaced),
            (Self::Revoked | Self::Replaced, _) => None,
        }
    }
}

/// A name and an address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Party {
    pub name: String,
    pub address: String,
}

/// A crocodile farm as the certificate names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FarmOfOrigin {
    pub code: String,
    pub name: String,
    pub province: Option<String>,
}

/// Everything the certificate is made from.
#[derive(Debug, Clone)]
pub struct CertificateInput<'a> {
    pub number: String,
    pub replaces: Option<String>,
    pub consignment_id: Uuid,
    pub version: &'a ProtocolVersion,
    pub body: &'a ConsignmentBody,
    pub exporter: Party,
    pub issuing_authority: String,
    pub authorized_officer: String,
    pub place_of_issue: String,
    pub date_of_issue: NaiveDate,
    pub inspections: &'a [InspectionInput],
    pub farms: Vec<FarmOfOrigin>,
}

const ISPM12_CERTIFYING_STATEMENT: &str = "This is to certify that the plants, plant products or other regulated articles described herein have been inspected and/or tested according to appropriate official procedures and are considered to be free from the quarantine pests specified by the importing contracting party and to conform with the current phytosanitary requirements of the importing contracting party, including those for regulated non-quarantine pests.";

/// The content document of a certificate.
pub fn content(input: &CertificateInput) -> Value {
    match CertificateKind::for_protocol(input.version.edition.code) {
        CertificateKind::Phytosanitary => phytosanitary(input),
        CertificateKind::Veterinary => veterinary(input),
    }
}

fn conveyance(body: &ConsignmentBody) -> String {
    format!("{} {}", body.conveyance.mode.name(), body.conveyance.identifier)
}

fn phytosanitary(input: &CertificateInput) -> Value {
    let body = input.body;
    let net_weight: f64 = body.lots.iter().map(|lot| lot.net_weight_kg).sum();
    let packages: u64 = body.lots.iter().map(|lot| u64::from(lot.package_count)).sum();
    let treatment = body.frozen_durian.as_ref().map(|frozen| {
        json!({
            "type": "freezing",
            "temperature_c": frozen.freezing.medium_temperature_c,
            "duration_minutes": frozen.freezing.duration_minutes,
            "core_temperature_c": frozen.freezing.core_temperature_c,
        })
    });
    json!({
        "document": "phytosanitary_certificate",
        "number": input.number,
        "replaces": input.replaces,
        "consignment_id": input.consignment_id,
        "protocol": {"code": input.version.edition.code.as_str(), "version": input.version.edition.version, "title": input.version.edition.title},
        "from": "Plant Protection Organization of Viet Nam",
        "to": "Plant Protection Organization of the People's Republic of China",
        "description_of_consignment": {
            "exporter": input.exporter,
            "consignee": {"name": body.consignee.name, "address": body.consignee.address, "country": body.consignee.country},
            "packages": body.lots.iter().map(|lot| json!({"number": lot.package_count, "description": lot.package_type})).collect::<Vec<_>>(),
            "lots": body.lots.iter().map(|lot| json!({
                "orchard_code": lot.orchard_code,
                "packing_house_code": lot.packing_house_code,
                "variety": lot.variety,
                "net_weight_kg": lot.net_weight_kg,
                "packages": lot.package_count,
                "package_type": lot.package_type,
            })).collect::<Vec<_>>(),
            "distinguishing_marks": {
                "carton_label": body.carton_label,
                "pallet_marking": body.pallet_marking,
                "containers": body.containers.iter().map(|c| json!({"number": c.number, "seal_number": c.seal_number})).collect::<Vec<_>>(),
            },
            "place_of_origin": {
                "country": "VN",
                "orchards": body.lots.iter().map(|lot| lot.orchard_code.clone()).collect::<Vec<_>>(),
                "packing_houses": body.lots.iter().map(|lot| lot.packing_house_code.clone()).collect::<Vec<_>>(),
            },
            "means_of_conveyance": conveyance(body),
            "border_gate_of_exit": body.exit_border_gate,
            "point_of_entry": body.entry_point,
            "produce": input.version.edition.title,
            "quantity": {"net_weight_kg": net_weight, "packages": packages},
            "botanical_name": body.botanical_name,
        },
        "certifying_statement": ISPM12_CERTIFYING_STATEMENT,
        "additional_declaration": input.version.terms.additional_declaration().map(|declaration| &declaration.value),
        "treatment": treatment,
        "place_of_issue": input.place_of_issue,
        "date_of_issue": input.date_of_issue,
        "issuing_authority": input.issuing_authority,
        "authorized_officer": input.authorized_officer,
    })
}

fn veterinary(input: &CertificateInput) -> Value {
    let body = input.body;
    let crocodiles = body.crocodiles.as_ref();
    let clinical: Vec<Value> = input
        .inspections
        .iter()
        .flat_map(|inspection| {
            inspection.clinical_exams.iter().map(move |exam| {
                json!({"animal_code": exam.animal_code, "date": inspection.inspected_on, "result": exam.result, "note": exam.note})
            })
        })
        .collect();
    json!({
        "document": "veterinary_certificate",
        "number": input.number,
        "replaces": input.replaces,
        "consignment_id": input.consignment_id,
        "protocol": {"code": input.version.edition.code.as_str(), "version": input.version.edition.version, "title": input.version.edition.title},
        "1_compliance_statement": format!("The animals described herein meet all inspection and quarantine requirements of the {}.", input.version.edition.title),
        "2_exporter_and_importer": {
            "exporter": input.exporter,
            "importer": {"name": body.consignee.name, "address": body.consignee.address, "country": body.consignee.country},
        },
        "3_departure": {
            "date": body.planned_departure_date,
            "port": body.exit_border_gate,
            "means_of_transport": conveyance(body),
            "point_of_entry": body.entry_point,
        },
        "4_animals": {
            "number": crocodiles.map(|c| c.animals.len()),
            "species": crocodiles.map(|c| c.species.clone()),
            "identification_codes": crocodiles.map(|c| c.animals.iter().map(|a| a.identification_code.clone()).collect::<Vec<_>>()),
        },
        "5_examinations_and_tests": {
            "clinical_examinations": clinical,
            "tests": crocodiles.map(|c| c.tests.clone()),
        },
        "6_treatments": crocodiles.map(|c| c.treatments.clone()),
        "7_issue": {
            "date_of_issue": input.date_of_issue,
            "veterinary_authority": input.issuing_authority,
            "quarantine_officer": input.authorized_officer,
            "place_of_issue": input.place_of_issue,
            "signature": "Ed25519 signature of the service over this document",
        },
        "8_origin": {"farms": input.farms, "country": "VN"},
        "9_vaccinations": crocodiles.map(|c| c.vaccinations.clone()),
        "cites_permit": crocodiles.and_then(|c| c.cites_permit.clone()),
        "import_permit_number": body.import_permit_number,
        "copies": {"originals": 1, "copies": 2},
    })
}

/// The bytes that are signed and stored.
pub fn payload_bytes(content: &Value) -> Vec<u8> {
    to_canonical_bytes(content)
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A signing key with the id under which its public half is published.
#[derive(Clone)]
pub struct CertificateSigner {
    key: SigningKey,
    pub key_id: String,
}

impl std::fmt::Debug for CertificateSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CertificateSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl CertificateSigner {
    /// From a 32-byte Ed25519 seed. Without an explicit id, the id is derived from the public key.
    pub fn from_seed(seed: [u8; 32], key_id: Option<String>) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let key_id = key_id.unwrap_or_else(|| derived_key_id(&key.verifying_key().to_bytes()));
        Self { key, key_id }
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn sign(&self, payload: &[u8]) -> [u8; 64] {
        self.key.sign(payload).to_bytes()
    }
}

/// `ed25519-` and the first 16 hex digits of the public key's SHA-256.
pub fn derived_key_id(public_key: &[u8; 32]) -> String {
    let digest = sha256(public_key);
    format!("ed25519-{}", super::audit::to_hex(digest.get(..8).unwrap_or_default()))
}

/// Whether `signature` is a valid Ed25519 signature of `payload` by `public_key`.
pub fn verify_signature(public_key: &[u8], payload: &[u8], signature: &[u8]) -> bool {
    let (Ok(public_key), Ok(signature)) = (<[u8; 32]>::try_from(public_key), <[u8; 64]>::try_from(signature)) else {
        return false;
    };
    match VerifyingKey::from_bytes(&public_key) {
        Ok(key) => key.verify(payload, &Signature::from_bytes(&signature)).is_ok(),
        Err(_) => false,
    }
}

/// The public key as a PEM SubjectPublicKeyInfo, for `openssl pkeyutl -verify`.
pub fn public_key_pem(public_key: &[u8; 32]) -> String {
    use base64::Engine;
    // DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410).
    let mut der = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
    der.extend_from_slice(public_key);
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_type_year_and_a_six_digit_serial() {
        assert_eq!(
            format_number(CertificateKind::Phytosanitary, 2026, 123),
            "VN-PC-2026-000123"
        );
        assert_eq!(
            format_number(CertificateKind::Veterinary, 2026, 45),
            "VN-VC-2026-000045"
        );
    }

    #[test]
    fn every_status_and_event_pair_has_a_defined_outcome() {
        use CertificateEvent::*;
        use CertificateStatus::*;
        let table = [
            (Valid, Revoke, Some(Revoked)),
            (Valid, Replace, Some(Replaced)),
            (Revoked, Revoke, None),
            (Revoked, Replace, None),
            (Replaced, Revoke, None),
            (Replaced, Replace, None),
        ];
        for (status, event, expected) in table {
            assert_eq!(status.after(event), expected, "{status:?} {event:?}");
        }
    }

    #[test]
    fn a_signature_verifies_over_the_exact_bytes_only() {
        let signer = CertificateSigner::from_seed([9; 32], None);
        let payload = payload_bytes(&json!({"number": "VN-PC-2026-000001", "net_weight_kg": 18000.0}));
        let signature = signer.sign(&payload);
        assert!(verify_signature(&signer.public_key(), &payload, &signature));
        let mut altered = payload.clone();
        if let Some(byte) = altered.last_mut() {
            *byte ^= 1;
        }
        assert!(!verify_signature(&signer.public_key(), &altered, &signature));
        assert!(!verify_signature(&[0; 31], &payload, &signature));
        assert!(signer.key_id.starts_with("ed25519-") && signer.key_id.len() == 24);
    }

    #[test]
    fn the_pem_wraps_the_rfc_8410_encoding() {
        let pem = public_key_pem(&[1; 32]);
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    }
}
