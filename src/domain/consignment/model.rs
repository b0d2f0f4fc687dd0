//! The consignment as an exporter describes it. Shape limits (lengths, ranges, array sizes,
//! required fields, container check digits) are `validator` rules answered with 422 and a
//! pointer; the protocol rules in `domain::protocol` judge the content afterwards.

use super::iso6346;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

fn iso6346_number(number: &str) -> Result<(), ValidationError> {
    if iso6346::is_valid(&iso6346::normalize(number)) {
        Ok(())
    } else {
        let mut error = ValidationError::new("iso6346");
        error.message = Some(
            "Not an ISO 6346 container number: 3-letter owner code, U/J/Z, 6 digits and a check digit that must match."
                .into(),
        );
        Err(error)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ConsignmentBody {
    /// One of the four protocol codes.
    #[validate(length(min = 1, max = 60))]
    pub protocol: String,
    #[validate(nested)]
    pub consignee: Consignee,
    /// Chinese entry quarantine permit (required for crocodiles).
    #[validate(length(min = 1, max = 60))]
    pub import_permit_number: Option<String>,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub planned_departure_date: NaiveDate,
    /// Vietnamese border gate of exit, e.g. `huu_nghi`.
    #[validate(length(min = 1, max = 40))]
    pub exit_border_gate: String,
    /// Declared point of entry into China, from the configured list for the commodity class.
    #[validate(length(min = 1, max = 40))]
    pub entry_point: String,
    #[validate(nested)]
    pub conveyance: Conveyance,
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    pub containers: Vec<Container>,
    /// Plant products: the botanical name as declared.
    #[validate(length(min = 1, max = 200))]
    pub botanical_name: Option<String>,
    /// Plant products: the lots.
    #[serde(default)]
    #[validate(length(max = 500), nested)]
    pub lots: Vec<Lot>,
    /// Plant products: carton label text as printed.
    #[validate(length(max = 4000))]
    pub carton_label: Option<String>,
    /// Plant products: pallet marking text as printed.
    #[validate(length(max = 1000))]
    pub pallet_marking: Option<String>,
    #[serde(default)]
    #[validate(length(max = 500), nested)]
    pub lab_reports: Vec<LabReport>,
    /// Fresh durian: what is shipped (the protocol covers fresh whole fruit).
    pub fresh_durian: Option<FreshDurian>,
    #[validate(nested)]
    pub frozen_durian: Option<FrozenDurian>,
    #[validate(nested)]
    pub coconut: Option<Coconut>,
    #[validate(nested)]
    pub crocodiles: Option<Crocodiles>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Consignee {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    #[validate(length(min = 1, max = 500))]
    pub address: String,
    /// ISO 3166 alpha-2; the protocols cover China only.
    #[validate(length(equal = 2))]
    pub country: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConveyanceMode {
    Road,
    Rail,
    Sea,
    Air,
}

impl ConveyanceMode {
    /// The mode as words on a certificate.
    pub fn name(self) -> &'static str {
        match self {
            Self::Road => "road",
            Self::Rail => "rail",
            Self::Sea => "sea",
            Self::Air => "air",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Conveyance {
    pub mode: ConveyanceMode,
    /// Vehicle plate, train, vessel or flight.
    #[validate(length(min = 1, max = 60))]
    pub identifier: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Container {
    #[validate(custom(function = "iso6346_number"))]
    pub number: String,
    #[validate(length(min = 1, max = 40))]
    pub seal_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Lot {
    #[validate(length(min = 1, max = 60))]
    pub orchard_code: String,
    #[validate(length(min = 1, max = 60))]
    pub packing_house_code: String,
    #[validate(length(min = 1, max = 100))]
    pub variety: String,
    #[validate(range(exclusive_min = 0.0, max = 1_000_000.0))]
    pub net_weight_kg: f64,
    #[validate(range(min = 1, max = 1_000_000))]
    pub package_count: u32,
    #[validate(length(min = 1, max = 60))]
    pub package_type: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Analyte {
    Cadmium,
    AuramineO,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Matrix {
    Peel,
    Flesh,
    Pulp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct LabReport {
    #[validate(length(min = 1, max = 60))]
    pub laboratory_code: String,
    pub analyte: Analyte,
    pub matrix: Matrix,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub sample_date: NaiveDate,
    #[validate(length(min = 1, max = 60))]
    pub report_number: String,
    /// A measured value, with `unit` (`mg/kg` or `µg/kg`).
    #[validate(range(min = 0.0, max = 1_000_000.0))]
    pub value: Option<f64>,
    #[validate(length(min = 1, max = 10))]
    pub unit: Option<String>,
    /// A qualitative result.
    pub detected: Option<bool>,
    /// Indexes into `lots` of the lots this report covers. An index past the last lot is a
    /// protocol finding (the report covers nothing declared); past I-JSON's exact integers it
    /// is not a number a client can mean.
    #[validate(length(min = 1, max = 500), custom(function = "exact_json_integers"))]
    pub lots: Vec<usize>,
}

/// The largest integer every JSON reader holds exactly (RFC 7493: 2^53 - 1).
const MAX_EXACT_JSON_INTEGER: usize = 9_007_199_254_740_991;

fn exact_json_integers(indexes: &[usize]) -> Result<(), validator::ValidationError> {
    if indexes.iter().all(|index| *index <= MAX_EXACT_JSON_INTEGER) {
        return Ok(());
    }
    let mut error = validator::ValidationError::new("range");
    error.message = Some(format!("Lot indexes are at most {MAX_EXACT_JSON_INTEGER}.").into());
    Err(error)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FreshDurianForm {
    WholeFruit,
    /// Flesh out of the shell: not fresh whole fruit.
    Pulp,
    /// Segments (arils) out of the shell: not fresh whole fruit.
    Segments,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreshDurian {
    pub product_form: FreshDurianForm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrozenForm {
    WholeWithShell,
    PureeWithoutShell,
    PulpWithoutShell,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct FrozenDurian {
    pub product_form: FrozenForm,
    /// The day the durian was frozen; the plant and the orchards must be approved that day too.
    /// Optional in the shape so stored declarations from before still read; the check asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub production_date: Option<NaiveDate>,
    #[validate(length(min = 1, max = 60))]
    pub processing_plant_code: String,
    #[validate(length(min = 1, max = 200))]
    pub raw_material_orchard_codes: Vec<String>,
    #[validate(nested)]
    pub freezing: FreezingRecord,
    #[serde(default)]
    #[validate(length(max = 10_000), nested)]
    pub cold_chain: Vec<TemperatureReading>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct FreezingRecord {
    #[validate(range(min = -200.0, max = 50.0))]
    pub medium_temperature_c: f64,
    #[validate(range(min = 0.0, max = 100_000.0))]
    pub duration_minutes: f64,
    #[validate(range(min = -200.0, max = 50.0))]
    pub core_temperature_c: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct TemperatureReading {
    #[validate(custom(function = "crate::domain::calendar::instant_in_range"))]
    pub at: DateTime<Utc>,
    #[validate(range(min = -200.0, max = 60.0))]
    pub temperature_c: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoconutForm {
    GreenWithStalk,
    Dehusked,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Coconut {
    pub form: CoconutForm,
    #[validate(range(min = 0.0, max = 100.0))]
    pub max_stalk_length_cm: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Crocodiles {
    #[validate(length(min = 1, max = 100))]
    pub species: String,
    #[validate(range(min = 1, max = 100_000))]
    pub declared_quantity: u32,
    #[validate(length(min = 1, max = 10_000), nested)]
    pub animals: Vec<Animal>,
    #[validate(nested)]
    pub cites_permit: Option<CitesPermit>,
    #[serde(default)]
    #[validate(length(max = 100_000), nested)]
    pub tests: Vec<AnimalTest>,
    #[serde(default)]
    #[validate(length(max = 1000), nested)]
    pub treatments: Vec<Treatment>,
    #[serde(default)]
    #[validate(length(max = 1000), nested)]
    pub vaccinations: Vec<Vaccination>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Animal {
    #[validate(length(min = 1, max = 60))]
    pub identification_code: String,
    #[validate(length(min = 1, max = 60))]
    pub farm_code: String,
    #[validate(length(equal = 2))]
    pub born_in: String,
    #[validate(length(equal = 2))]
    pub raised_in: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct CitesPermit {
    #[validate(length(min = 1, max = 60))]
    pub number: String,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub valid_from: NaiveDate,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub valid_until: NaiveDate,
    /// CITES source code, e.g. `D` for Appendix-I animals bred in registered operations.
    #[validate(length(min = 1, max = 2))]
    pub source_code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestResult {
    Negative,
    Positive,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct AnimalTest {
    #[validate(length(min = 1, max = 60))]
    pub animal_code: String,
    #[validate(length(min = 1, max = 100))]
    pub agent: String,
    #[validate(length(min = 1, max = 100))]
    pub method: String,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub sample_date: NaiveDate,
    /// When the laboratory tested the sample (the certificate's item 5 states both dates).
    /// Optional in the shape so stored declarations and issued certificates from before still
    /// read; the protocol check requires it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub test_date: Option<NaiveDate>,
    pub result: TestResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Treatment {
    #[validate(length(min = 1, max = 100))]
    pub product: String,
    #[validate(length(min = 1, max = 60))]
    pub dose: String,
    #[validate(length(min = 1, max = 100))]
    pub manufacturer: String,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub date: NaiveDate,
    #[validate(length(min = 1, max = 200))]
    pub place: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Vaccination {
    #[validate(length(min = 1, max = 100))]
    pub vaccine: String,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub valid_until: Option<NaiveDate>,
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub date: NaiveDate,
    #[validate(length(min = 1, max = 200))]
    pub place: String,
}
