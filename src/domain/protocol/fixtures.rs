//! The compliant baseline of each protocol and the helpers every protocol module's tests use:
//! the baseline passes every rule, and one change makes one rule fail.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

pub use super::ProtocolCode;
pub use super::catalogue::catalogue;
pub use super::check::{ComplianceReport, Exporter, check, check_on_dates};
pub use super::facts::{DateOf, EstablishmentFact, FactsOn, JudgedDate, RegistryFacts};
pub use super::settings::ProtocolSettings;
pub use crate::domain::consignment::model::*;
pub use crate::domain::establishment::{EstablishmentKind, LabScope};
pub use crate::domain::registry_status::RegistryStatus;
use serde_json::json;
pub use uuid::Uuid;

pub const EXPORTER: Uuid = Uuid::from_u128(7);

pub fn approved(holder: Option<Uuid>) -> EstablishmentFact {
    EstablishmentFact {
        status: Some(RegistryStatus::Approved),
        holder_organization_id: holder,
        ..Default::default()
    }
}

pub fn facts() -> RegistryFacts {
    let mut facts = RegistryFacts::default();
    facts.insert(EstablishmentKind::Orchard, "VN-TGOR-0095", approved(Some(EXPORTER)));
    facts.insert(EstablishmentKind::PackingHouse, "VN-BTPH-036", approved(Some(EXPORTER)));
    facts.insert(EstablishmentKind::ProcessingPlant, "NAMDO-01", approved(Some(EXPORTER)));
    facts.insert(EstablishmentKind::CrocodileFarm, "DT-CF-01", approved(Some(EXPORTER)));
    facts.insert(
        EstablishmentKind::Laboratory,
        "VILAS-997",
        EstablishmentFact {
            scopes: [LabScope::Cadmium, LabScope::AuramineO].into(),
            ..approved(None)
        },
    );
    facts
}

pub fn durian(protocol: &str) -> ConsignmentBody {
    serde_json::from_value(json!({
        "protocol": protocol,
        "consignee": {"name": "Guangxi Fruit Co.", "address": "Pingxiang, Guangxi", "country": "CN"},
        "planned_departure_date": "2025-03-01",
        "exit_border_gate": "huu_nghi",
        "entry_point": "youyiguan",
        "conveyance": {"mode": "road", "identifier": "51C-123.45"},
        "containers": [{"number": "CSQU3054383", "seal_number": "SL-1"}],
        "botanical_name": "Durio zibethinus Murr.",
        "lots": [{"orchard_code": "VN-TGOR-0095", "packing_house_code": "VN-BTPH-036", "variety": "Ri6",
                  "net_weight_kg": 18000.0, "package_count": 1000, "package_type": "carton"}],
        "carton_label": "Fresh durian - Product of Vietnam - PUC VN-TGOR-0095 - PHC VN-BTPH-036",
        "pallet_marking": "Exported to the People's Republic of China",
        "lab_reports": [
            {"laboratory_code": "VILAS-997", "analyte": "cadmium", "matrix": "flesh", "sample_date": "2025-02-25",
             "report_number": "CD-1", "value": 0.02, "unit": "mg/kg", "lots": [0]},
            {"laboratory_code": "VILAS-997", "analyte": "auramine_o", "matrix": "peel", "sample_date": "2025-02-25",
             "report_number": "AO-1", "detected": false, "lots": [0]},
            {"laboratory_code": "VILAS-997", "analyte": "auramine_o", "matrix": "flesh", "sample_date": "2025-02-25",
             "report_number": "AO-2", "detected": false, "lots": [0]}
        ]
    }))
    .unwrap()
}

pub fn frozen() -> ConsignmentBody {
    let mut body = durian("vn-cn-durian-frozen-2024");
    body.frozen_durian = Some(
        serde_json::from_value(json!({
            "product_form": "whole_with_shell",
            "production_date": "2025-02-20",
            "processing_plant_code": "NAMDO-01",
            "raw_material_orchard_codes": ["VN-TGOR-0095"],
            "freezing": {"medium_temperature_c": -40.0, "duration_minutes": 75.0, "core_temperature_c": -20.0},
            "cold_chain": [{"at": "2025-02-28T08:00:00Z", "temperature_c": -21.0}, {"at": "2025-03-01T08:00:00Z", "temperature_c": -19.5}]
        }))
        .unwrap(),
    );
    body.exit_border_gate = "mong_cai".into();
    body.entry_point = "dongxing".into();
    body
}

pub fn coconut() -> ConsignmentBody {
    let mut body = durian("vn-cn-coconut-fresh-2024");
    body.botanical_name = Some("Cocos nucifera".into());
    body.lab_reports.clear();
    body.coconut = Some(Coconut {
        form: CoconutForm::GreenWithStalk,
        max_stalk_length_cm: Some(4.5),
    });
    body
}

pub fn crocodile() -> ConsignmentBody {
    serde_json::from_value(json!({
        "protocol": "vn-cn-crocodile-farmed-2024",
        "consignee": {"name": "Guangdong Reptile Co.", "address": "Dongxing", "country": "CN"},
        "import_permit_number": "GD-2025-0001",
        "planned_departure_date": "2025-03-01",
        "exit_border_gate": "mong_cai",
        "entry_point": "dongxing",
        "conveyance": {"mode": "road", "identifier": "14C-555.66"},
        "crocodiles": {
            "species": "Crocodylus siamensis",
            "declared_quantity": 2,
            "animals": [
                {"identification_code": "CR-0001", "farm_code": "DT-CF-01", "born_in": "VN", "raised_in": "VN"},
                {"identification_code": "CR-0002", "farm_code": "DT-CF-01", "born_in": "VN", "raised_in": "VN"}
            ],
            "cites_permit": {"number": "VN-CITES-25-001", "valid_from": "2025-01-01", "valid_until": "2025-06-30", "source_code": "D"},
            "tests": [
                {"animal_code": "CR-0001", "agent": "Salmonella", "method": "PCR", "sample_date": "2025-02-10", "test_date": "2025-02-12", "result": "negative"},
                {"animal_code": "CR-0002", "agent": "Salmonella", "method": "PCR", "sample_date": "2025-02-10", "test_date": "2025-02-12", "result": "negative"}
            ]
        }
    }))
    .unwrap()
}

pub fn run(body: &ConsignmentBody, facts: &RegistryFacts) -> ComplianceReport {
    run_with(body, facts, &ProtocolSettings::default())
}

pub fn run_with(body: &ConsignmentBody, facts: &RegistryFacts, settings: &ProtocolSettings) -> ComplianceReport {
    let protocol = ProtocolCode::parse(&body.protocol).unwrap();
    check(
        &catalogue(settings),
        protocol,
        body,
        facts,
        Exporter {
            organization_id: EXPORTER,
        },
    )
    .unwrap()
}

pub fn ids(report: &ComplianceReport) -> Vec<&'static str> {
    report.violations.iter().map(|violation| violation.rule_id).collect()
}

/// Applies `change` to `body` and expects `rule` (and only rules in `also`) to be reported at `pointer`.
pub fn fails(
    mut body: ConsignmentBody,
    facts: RegistryFacts,
    change: impl FnOnce(&mut ConsignmentBody, &mut RegistryFacts),
    rule: &str,
    pointer: &str,
) {
    let mut facts = facts;
    change(&mut body, &mut facts);
    let report = run(&body, &facts);
    assert!(
        report
            .violations
            .iter()
            .any(|violation| violation.rule_id == rule && violation.pointer == pointer),
        "expected {rule} at {pointer}, got {:?}",
        report.violations
    );
}

pub fn fresh() -> ConsignmentBody {
    let mut body = durian("vn-cn-durian-fresh-2022");
    body.fresh_durian = Some(FreshDurian {
        product_form: FreshDurianForm::WholeFruit,
    });
    body
}
