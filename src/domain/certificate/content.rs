//! The content of a certificate as typed data: the single source for the signed payload
//! (canonical JSON), the PDF, the ePhyto XML and the public verification. Field names are the
//! JSON keys of the signed documents; every certificate already issued decodes into these types
//! and re-encodes to the same bytes (the golden tests keep it so).

use super::{FarmOfOrigin, Party};
use crate::domain::canonical_json::to_canonical_bytes;
use crate::domain::consignment::model::{AnimalTest, CitesPermit, Treatment, Vaccination};
use crate::domain::inspection::ClinicalResult;
use crate::domain::produce;
use crate::domain::protocol::ProtocolCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A certificate's content, tagged by its `document` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "document")]
pub enum CertificateContent {
    #[serde(rename = "phytosanitary_certificate")]
    Phytosanitary(PhytosanitaryContent),
    #[serde(rename = "veterinary_certificate")]
    Veterinary(VeterinaryContent),
}

/// The protocol a certificate was issued under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolReference {
    pub code: ProtocolCode,
    pub version: u32,
    pub title: String,
}

/// A name, an address and a country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyInCountry {
    pub name: String,
    pub address: String,
    pub country: String,
}

/// The ISPM 12 phytosanitary certificate of the plant protocols.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhytosanitaryContent {
    pub number: String,
    pub replaces: Option<String>,
    pub consignment_id: Uuid,
    pub protocol: ProtocolReference,
    /// The exporting country's plant protection organisation.
    pub from: String,
    /// The importing country's plant protection organisation.
    pub to: String,
    pub description_of_consignment: ConsignmentDescription,
    pub certifying_statement: String,
    pub additional_declaration: Option<String>,
    pub treatment: Option<FreezingTreatment>,
    pub place_of_issue: String,
    pub date_of_issue: NaiveDate,
    pub issuing_authority: String,
    pub authorized_officer: String,
}

/// ISPM 12 section "Description of consignment".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsignmentDescription {
    pub exporter: Party,
    pub consignee: PartyInCountry,
    pub packages: Vec<PackageCount>,
    pub lots: Vec<CertifiedLot>,
    pub distinguishing_marks: DistinguishingMarks,
    pub place_of_origin: PlaceOfOrigin,
    pub means_of_conveyance: String,
    pub border_gate_of_exit: String,
    pub point_of_entry: String,
    pub produce: String,
    pub quantity: Quantity,
    pub botanical_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageCount {
    pub number: u32,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertifiedLot {
    pub orchard_code: String,
    pub packing_house_code: String,
    pub variety: String,
    pub net_weight_kg: f64,
    pub packages: u32,
    pub package_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistinguishingMarks {
    pub carton_label: Option<String>,
    pub pallet_marking: Option<String>,
    pub containers: Vec<SealedContainer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedContainer {
    pub number: String,
    pub seal_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceOfOrigin {
    pub country: String,
    pub orchards: Vec<String>,
    pub packing_houses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    pub net_weight_kg: f64,
    pub packages: u64,
}

/// The only treatment a phytosanitary certificate of ours states: freezing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatmentKind {
    Freezing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreezingTreatment {
    #[serde(rename = "type")]
    pub kind: TreatmentKind,
    pub temperature_c: f64,
    pub duration_minutes: f64,
    pub core_temperature_c: f64,
}

/// The veterinary certificate of the crocodile protocol: the nine contents it lists
/// (protocols.md §4.2), numbered as the protocol numbers them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VeterinaryContent {
    pub number: String,
    pub replaces: Option<String>,
    pub consignment_id: Uuid,
    pub protocol: ProtocolReference,
    #[serde(rename = "1_compliance_statement")]
    pub compliance_statement: String,
    #[serde(rename = "2_exporter_and_importer")]
    pub exporter_and_importer: ExporterAndImporter,
    #[serde(rename = "3_departure")]
    pub departure: Departure,
    #[serde(rename = "4_animals")]
    pub animals: Animals,
    #[serde(rename = "5_examinations_and_tests")]
    pub examinations_and_tests: ExaminationsAndTests,
    #[serde(rename = "6_treatments")]
    pub treatments: Option<Vec<Treatment>>,
    #[serde(rename = "7_issue")]
    pub issue: VeterinaryIssue,
    /// The last day the certificate is valid (issue plus the validity period). Absent from
    /// certificates issued before it was stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    #[serde(rename = "8_origin")]
    pub origin: Origin,
    #[serde(rename = "9_vaccinations")]
    pub vaccinations: Option<Vec<Vaccination>>,
    pub cites_permit: Option<CitesPermit>,
    pub import_permit_number: Option<String>,
    pub copies: Copies,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExporterAndImporter {
    pub exporter: Party,
    pub importer: PartyInCountry,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Departure {
    pub date: NaiveDate,
    pub port: String,
    pub means_of_transport: String,
    pub point_of_entry: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Animals {
    pub number: Option<u64>,
    pub species: Option<String>,
    pub identification_codes: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExaminationsAndTests {
    pub clinical_examinations: Vec<ClinicalExamination>,
    pub tests: Option<Vec<AnimalTest>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicalExamination {
    pub animal_code: String,
    pub date: NaiveDate,
    pub result: ClinicalResult,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VeterinaryIssue {
    pub date_of_issue: NaiveDate,
    pub veterinary_authority: String,
    pub quarantine_officer: String,
    pub place_of_issue: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    pub farms: Vec<FarmOfOrigin>,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Copies {
    pub originals: u8,
    pub copies: u8,
}

/// Why stored content could not be read back.
#[derive(Debug, thiserror::Error)]
#[error("certificate content does not decode: {0}")]
pub struct UndecodableContent(#[from] serde_json::Error);

impl CertificateContent {
    /// Reads signed payload bytes.
    pub fn decode(payload: &[u8]) -> Result<Self, UndecodableContent> {
        Ok(serde_json::from_slice(payload)?)
    }

    /// The canonical JSON bytes that are signed and stored.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        Ok(to_canonical_bytes(&serde_json::to_value(self)?))
    }

    pub fn number(&self) -> &str {
        match self {
            Self::Phytosanitary(content) => &content.number,
            Self::Veterinary(content) => &content.number,
        }
    }

    pub fn protocol(&self) -> &ProtocolReference {
        match self {
            Self::Phytosanitary(content) => &content.protocol,
            Self::Veterinary(content) => &content.protocol,
        }
    }

    /// The exporter as the certificate names it.
    pub fn exporter(&self) -> &Party {
        match self {
            Self::Phytosanitary(content) => &content.description_of_consignment.exporter,
            Self::Veterinary(content) => &content.exporter_and_importer.exporter,
        }
    }

    pub fn point_of_entry(&self) -> &str {
        match self {
            Self::Phytosanitary(content) => &content.description_of_consignment.point_of_entry,
            Self::Veterinary(content) => &content.departure.point_of_entry,
        }
    }

    /// The name of produce: the commodity in its declared form (certificates issued before it
    /// was stated name the protocol instead).
    pub fn name_of_produce(&self) -> &str {
        match self {
            Self::Phytosanitary(content) => &content.description_of_consignment.produce,
            Self::Veterinary(content) => content
                .animals
                .species
                .as_deref()
                .and_then(produce::of_crocodiles)
                .map_or(content.protocol.title.as_str(), |name| name.english),
        }
    }

    pub fn issuing_authority(&self) -> &str {
        match self {
            Self::Phytosanitary(content) => &content.issuing_authority,
            Self::Veterinary(content) => &content.issue.veterinary_authority,
        }
    }

    /// The last day a certificate is valid, where it states one.
    pub fn valid_until(&self) -> Option<NaiveDate> {
        match self {
            Self::Phytosanitary(_) => None,
            Self::Veterinary(content) => content.valid_until,
        }
    }

    pub fn date_of_issue(&self) -> NaiveDate {
        match self {
            Self::Phytosanitary(content) => content.date_of_issue,
            Self::Veterinary(content) => content.issue.date_of_issue,
        }
    }
}
