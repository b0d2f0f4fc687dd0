//! Each rule: the compliant baseline passes it, and one change makes it fail.

use super::*;
use crate::domain::consignment::model::*;
use crate::domain::protocol::catalogue::{ProtocolSettings, catalogue};
use crate::domain::protocol::facts::EstablishmentFact;
use serde_json::json;

const EXPORTER: Uuid = Uuid::from_u128(7);

fn approved(holder: Option<Uuid>) -> EstablishmentFact {
    EstablishmentFact {
        status: Some(RegistryStatus::Approved),
        holder_organization_id: holder,
        ..Default::default()
    }
}

fn facts() -> RegistryFacts {
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

fn durian(protocol: &str) -> ConsignmentBody {
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

fn frozen() -> ConsignmentBody {
    let mut body = durian("vn-cn-durian-frozen-2024");
    body.frozen_durian = Some(
        serde_json::from_value(json!({
            "product_form": "whole_with_shell",
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

fn coconut() -> ConsignmentBody {
    let mut body = durian("vn-cn-coconut-fresh-2024");
    body.botanical_name = Some("Cocos nucifera".into());
    body.lab_reports.clear();
    body.coconut = Some(Coconut {
        form: CoconutForm::GreenWithStalk,
        max_stalk_length_cm: Some(4.5),
    });
    body
}

fn crocodile() -> ConsignmentBody {
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
                {"animal_code": "CR-0001", "agent": "Salmonella", "method": "PCR", "sample_date": "2025-02-10", "result": "negative"},
                {"animal_code": "CR-0002", "agent": "Salmonella", "method": "PCR", "sample_date": "2025-02-10", "result": "negative"}
            ]
        }
    }))
    .unwrap()
}

fn run(body: &ConsignmentBody, facts: &RegistryFacts) -> ComplianceReport {
    run_with(body, facts, &ProtocolSettings::default())
}

fn run_with(body: &ConsignmentBody, facts: &RegistryFacts, settings: &ProtocolSettings) -> ComplianceReport {
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

fn ids(report: &ComplianceReport) -> Vec<&'static str> {
    report.violations.iter().map(|violation| violation.rule_id).collect()
}

#[test]
fn the_baselines_of_all_four_protocols_are_compliant() {
    for body in [durian("vn-cn-durian-fresh-2022"), frozen(), coconut(), crocodile()] {
        let report = run(&body, &facts());
        assert!(
            report.violations.is_empty(),
            "{}: {:?}",
            body.protocol,
            report.violations
        );
        assert!(report.compliant);
    }
}

/// Applies `change` to `body` and expects `rule` (and only rules in `also`) to be reported at `pointer`.
fn fails(
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

fn fresh() -> ConsignmentBody {
    durian("vn-cn-durian-fresh-2022")
}

#[test]
fn a_departure_before_the_protocol_took_effect_is_refused() {
    fails(
        coconut(),
        facts(),
        |b, _| b.planned_departure_date = "2024-08-18".parse().unwrap(),
        "GEN-PROTOCOL-IN-FORCE",
        "/planned_departure_date",
    );
}

#[test]
fn details_of_another_protocol_are_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.coconut = coconut().coconut,
        "GEN-PROTOCOL-FIELDS",
        "/coconut",
    );
}

#[test]
fn a_consignee_outside_china_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.consignee.country = "TH".into(),
        "GEN-CONSIGNEE-IN-CHINA",
        "/consignee/country",
    );
}

#[test]
fn an_undesignated_point_of_entry_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.entry_point = "shanghai_pudong".into(),
        "GEN-ENTRY-POINT-DESIGNATED",
        "/entry_point",
    );
}

#[test]
fn an_undesignated_gate_of_exit_is_refused() {
    fails(
        crocodile(),
        facts(),
        |b, _| b.exit_border_gate = "tan_thanh".into(),
        "GEN-EXIT-GATE-DESIGNATED",
        "/exit_border_gate",
    );
}

#[test]
fn a_crocodile_consignment_without_an_import_permit_is_refused() {
    fails(
        crocodile(),
        facts(),
        |b, _| b.import_permit_number = None,
        "CROCODILE-IMPORT-PERMIT",
        "/import_permit_number",
    );
}

#[test]
fn a_wrong_botanical_name_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.botanical_name = Some("Durio kutejensis".into()),
        "PLANT-BOTANICAL-NAME",
        "/botanical_name",
    );
}

#[test]
fn a_plant_consignment_without_lots_is_refused() {
    fails(coconut(), facts(), |b, _| b.lots.clear(), "PLANT-LOTS-PRESENT", "/lots");
}

#[test]
fn a_suspended_orchard_is_refused() {
    fails(
        fresh(),
        facts(),
        |_, f| {
            f.insert(
                EstablishmentKind::Orchard,
                "VN-TGOR-0095",
                EstablishmentFact {
                    status: Some(RegistryStatus::Suspended),
                    ..approved(Some(EXPORTER))
                },
            )
        },
        "PLANT-ORCHARD-APPROVED",
        "/lots/0/orchard_code",
    );
}

#[test]
fn an_unregistered_packing_house_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.lots[0].packing_house_code = "VN-BTPH-999".into(),
        "PLANT-PACKING-HOUSE-APPROVED",
        "/lots/0/packing_house_code",
    );
}

#[test]
fn another_exporters_code_without_authorisation_is_refused_and_with_one_is_accepted() {
    let other = Some(Uuid::from_u128(99));
    fails(
        fresh(),
        facts(),
        |_, f| f.insert(EstablishmentKind::PackingHouse, "VN-BTPH-036", approved(other)),
        "PLANT-CODE-USE-AUTHORIZED",
        "/lots/0/packing_house_code",
    );
    let mut authorised = facts();
    authorised.insert(
        EstablishmentKind::PackingHouse,
        "VN-BTPH-036",
        EstablishmentFact {
            authorized_organization_ids: vec![EXPORTER],
            ..approved(other)
        },
    );
    assert!(run(&fresh(), &authorised).violations.is_empty());
}

#[test]
fn a_code_without_a_recorded_holder_is_a_warning_only() {
    let mut facts = facts();
    facts.insert(EstablishmentKind::Orchard, "VN-TGOR-0095", approved(None));
    let report = run(&fresh(), &facts);
    assert_eq!(ids(&report), ["PLANT-CODE-HOLDER-UNKNOWN"]);
    assert!(report.compliant);
    assert_eq!(report.warnings, 1);
}

#[test]
fn a_carton_label_without_the_packing_house_code_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.carton_label = Some("Product of Vietnam, PUC VN-TGOR-0095".into()),
        "PLANT-CARTON-LABEL",
        "/carton_label",
    );
}

#[test]
fn a_carton_label_without_the_origin_is_refused() {
    fails(
        coconut(),
        facts(),
        |b, _| b.carton_label = Some("VN-TGOR-0095 VN-BTPH-036".into()),
        "PLANT-CARTON-LABEL",
        "/carton_label",
    );
}

#[test]
fn a_pallet_marking_without_the_export_phrase_is_refused_and_the_chinese_one_is_accepted() {
    fails(
        fresh(),
        facts(),
        |b, _| b.pallet_marking = Some("Export to China".into()),
        "PLANT-PALLET-MARKING",
        "/pallet_marking",
    );
    let mut body = fresh();
    body.pallet_marking = Some("输往中华人民共和国".into());
    assert!(run(&body, &facts()).violations.is_empty());
}

#[test]
fn a_lab_report_for_a_missing_lot_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.lab_reports[0].lots = vec![0, 3],
        "DURIAN-LAB-REPORT-LOTS",
        "/lab_reports/0/lots/1",
    );
}

#[test]
fn a_laboratory_not_recognised_for_the_analyte_is_refused() {
    fails(
        fresh(),
        facts(),
        |_, f| {
            f.insert(
                EstablishmentKind::Laboratory,
                "VILAS-997",
                EstablishmentFact {
                    scopes: [LabScope::Cadmium].into(),
                    ..approved(None)
                },
            )
        },
        "DURIAN-LAB-RECOGNISED",
        "/lab_reports/1/laboratory_code",
    );
}

#[test]
fn cadmium_above_the_limit_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.lab_reports[0].value = Some(0.08),
        "DURIAN-LAB-CADMIUM",
        "/lab_reports/0/value",
    );
}

#[test]
fn cadmium_in_micrograms_is_converted() {
    let mut body = fresh();
    body.lab_reports[0].value = Some(30.0);
    body.lab_reports[0].unit = Some("µg/kg".into());
    assert!(run(&body, &facts()).violations.is_empty());
}

#[test]
fn a_lot_without_a_cadmium_result_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| {
            b.lab_reports.remove(0);
        },
        "DURIAN-LAB-CADMIUM",
        "/lots/0",
    );
}

#[test]
fn the_cadmium_limit_is_a_parameter() {
    let mut body = fresh();
    body.lab_reports[0].value = Some(0.08);
    let settings = ProtocolSettings {
        cadmium_limit_mg_per_kg: 0.1,
        ..Default::default()
    };
    assert!(run_with(&body, &facts(), &settings).violations.is_empty());
}

#[test]
fn auramine_o_must_be_tested_in_peel_and_flesh() {
    fails(
        fresh(),
        facts(),
        |b, _| {
            b.lab_reports.remove(1);
        },
        "DURIAN-LAB-AURAMINE-O",
        "/lots/0",
    );
}

#[test]
fn detected_auramine_o_is_refused() {
    fails(
        fresh(),
        facts(),
        |b, _| b.lab_reports[2].detected = Some(true),
        "DURIAN-LAB-AURAMINE-O",
        "/lab_reports/2/detected",
    );
}

#[test]
fn lab_results_are_not_required_before_10_january_2025() {
    let mut body = fresh();
    body.planned_departure_date = "2025-01-09".parse().unwrap();
    body.lab_reports.clear();
    assert!(run(&body, &facts()).violations.is_empty());
    body.planned_departure_date = "2025-01-10".parse().unwrap();
    assert_eq!(
        ids(&run(&body, &facts())),
        ["DURIAN-LAB-CADMIUM", "DURIAN-LAB-AURAMINE-O"]
    );
}

#[test]
fn shell_less_frozen_durian_needs_only_the_flesh_tested() {
    let mut body = frozen();
    body.lab_reports.remove(1);
    assert_eq!(ids(&run(&body, &facts())), ["DURIAN-LAB-AURAMINE-O"]);
    if let Some(frozen) = body.frozen_durian.as_mut() {
        frozen.product_form = FrozenForm::PulpWithoutShell;
    }
    assert!(run(&body, &facts()).violations.is_empty());
}

#[test]
fn frozen_durian_without_its_details_is_refused() {
    fails(
        frozen(),
        facts(),
        |b, _| b.frozen_durian = None,
        "FROZEN-DETAILS-PRESENT",
        "/frozen_durian",
    );
}

#[test]
fn an_unapproved_processing_plant_is_refused() {
    fails(
        frozen(),
        facts(),
        |_, f| {
            f.insert(
                EstablishmentKind::ProcessingPlant,
                "NAMDO-01",
                EstablishmentFact {
                    status: Some(RegistryStatus::Revoked),
                    ..approved(None)
                },
            )
        },
        "FROZEN-PLANT-APPROVED",
        "/frozen_durian/processing_plant_code",
    );
}

#[test]
fn an_unregistered_raw_material_orchard_is_refused() {
    fails(
        frozen(),
        facts(),
        |b, _| {
            if let Some(f) = b.frozen_durian.as_mut() {
                f.raw_material_orchard_codes.push("VN-XXOR-0001".into())
            }
        },
        "FROZEN-RAW-MATERIAL-ORCHARDS",
        "/frozen_durian/raw_material_orchard_codes/1",
    );
}

fn freezing(change: impl FnOnce(&mut FreezingRecord)) -> impl FnOnce(&mut ConsignmentBody, &mut RegistryFacts) {
    move |b, _| {
        if let Some(frozen) = b.frozen_durian.as_mut() {
            change(&mut frozen.freezing);
        }
    }
}

#[test]
fn freezing_above_minus_35_is_refused_and_exactly_minus_35_is_accepted() {
    fails(
        frozen(),
        facts(),
        freezing(|f| f.medium_temperature_c = -34.9),
        "FROZEN-FREEZING-MEDIUM",
        "/frozen_durian/freezing/medium_temperature_c",
    );
    let mut body = frozen();
    freezing(|f| f.medium_temperature_c = -35.0)(&mut body, &mut facts());
    assert!(run(&body, &facts()).violations.is_empty());
}

#[test]
fn freezing_shorter_than_an_hour_is_refused() {
    fails(
        frozen(),
        facts(),
        freezing(|f| f.duration_minutes = 59.0),
        "FROZEN-FREEZING-DURATION",
        "/frozen_durian/freezing/duration_minutes",
    );
}

#[test]
fn a_core_warmer_than_minus_18_is_refused() {
    fails(
        frozen(),
        facts(),
        freezing(|f| f.core_temperature_c = -17.5),
        "FROZEN-CORE-TEMPERATURE",
        "/frozen_durian/freezing/core_temperature_c",
    );
}

#[test]
fn a_warm_cold_chain_reading_is_refused() {
    fails(
        frozen(),
        facts(),
        |b, _| {
            if let Some(f) = b.frozen_durian.as_mut() {
                f.cold_chain[1].temperature_c = -15.0
            }
        },
        "FROZEN-COLD-CHAIN",
        "/frozen_durian/cold_chain/1/temperature_c",
    );
}

#[test]
fn a_missing_cold_chain_log_is_refused() {
    fails(
        frozen(),
        facts(),
        |b, _| {
            if let Some(f) = b.frozen_durian.as_mut() {
                f.cold_chain.clear()
            }
        },
        "FROZEN-COLD-CHAIN",
        "/frozen_durian/cold_chain",
    );
}

#[test]
fn coconut_without_its_form_is_refused() {
    fails(
        coconut(),
        facts(),
        |b, _| b.coconut = None,
        "COCONUT-DETAILS-PRESENT",
        "/coconut",
    );
}

#[test]
fn a_stalk_longer_than_5_cm_is_refused_and_dehusked_coconut_needs_none() {
    fails(
        coconut(),
        facts(),
        |b, _| {
            b.coconut = Some(Coconut {
                form: CoconutForm::GreenWithStalk,
                max_stalk_length_cm: Some(5.1),
            })
        },
        "COCONUT-STALK-LENGTH",
        "/coconut/max_stalk_length_cm",
    );
    let mut body = coconut();
    body.coconut = Some(Coconut {
        form: CoconutForm::Dehusked,
        max_stalk_length_cm: None,
    });
    assert!(run(&body, &facts()).violations.is_empty());
}

fn animals(change: impl FnOnce(&mut Crocodiles)) -> impl FnOnce(&mut ConsignmentBody, &mut RegistryFacts) {
    move |b, _| {
        if let Some(crocodiles) = b.crocodiles.as_mut() {
            change(crocodiles);
        }
    }
}

#[test]
fn crocodiles_without_details_are_refused() {
    fails(
        crocodile(),
        facts(),
        |b, _| b.crocodiles = None,
        "CROCODILE-DETAILS-PRESENT",
        "/crocodiles",
    );
}

#[test]
fn an_unknown_species_is_a_warning() {
    let mut body = crocodile();
    animals(|c| c.species = "Alligator mississippiensis".into())(&mut body, &mut facts());
    let report = run(&body, &facts());
    assert_eq!(ids(&report), ["CROCODILE-SPECIES"]);
    assert!(report.compliant);
}

#[test]
fn an_animal_raised_abroad_is_refused() {
    fails(
        crocodile(),
        facts(),
        animals(|c| c.animals[1].raised_in = "KH".into()),
        "CROCODILE-BORN-AND-RAISED-IN-VIETNAM",
        "/crocodiles/animals/1/raised_in",
    );
}

#[test]
fn a_repeated_identification_code_is_refused() {
    fails(
        crocodile(),
        facts(),
        animals(|c| c.animals[1].identification_code = "cr-0001".into()),
        "CROCODILE-IDENTIFICATION",
        "/crocodiles/animals/1/identification_code",
    );
}

#[test]
fn a_count_that_differs_from_the_declared_quantity_is_refused() {
    fails(
        crocodile(),
        facts(),
        animals(|c| c.declared_quantity = 3),
        "CROCODILE-IDENTIFICATION",
        "/crocodiles/declared_quantity",
    );
}

#[test]
fn an_unapproved_farm_is_refused() {
    fails(
        crocodile(),
        facts(),
        animals(|c| c.animals[0].farm_code = "DT-CF-99".into()),
        "CROCODILE-FARM-APPROVED",
        "/crocodiles/animals/0/farm_code",
    );
}

#[test]
fn a_cites_permit_that_expired_before_departure_is_refused() {
    fails(
        crocodile(),
        facts(),
        animals(|c| {
            if let Some(p) = c.cites_permit.as_mut() {
                p.valid_until = "2025-02-28".parse().unwrap()
            }
        }),
        "CROCODILE-CITES-PERMIT",
        "/crocodiles/cites_permit/valid_until",
    );
}

#[test]
fn a_missing_cites_permit_is_refused() {
    fails(
        crocodile(),
        facts(),
        animals(|c| c.cites_permit = None),
        "CROCODILE-CITES-PERMIT",
        "/crocodiles/cites_permit",
    );
}

#[test]
fn a_positive_test_is_refused() {
    fails(
        crocodile(),
        facts(),
        animals(|c| c.tests[0].result = TestResult::Positive),
        "CROCODILE-TESTS-NEGATIVE",
        "/crocodiles/tests/0/result",
    );
}

#[test]
fn an_untested_animal_is_refused() {
    fails(
        crocodile(),
        facts(),
        animals(|c| {
            c.tests.remove(1);
        }),
        "CROCODILE-TESTS-NEGATIVE",
        "/crocodiles/animals/1",
    );
}

#[test]
fn a_required_agent_without_a_result_is_refused() {
    let settings = ProtocolSettings {
        crocodile_required_agents: vec!["Salmonella".into(), "Chlamydia".into()],
        ..Default::default()
    };
    let report = run_with(&crocodile(), &facts(), &settings);
    assert_eq!(ids(&report), ["CROCODILE-TESTS-NEGATIVE", "CROCODILE-TESTS-NEGATIVE"]);
    assert!(report.violations[0].message.contains("Chlamydia"));
}

#[test]
fn every_violation_is_reported_not_only_the_first() {
    let mut body = fresh();
    body.consignee.country = "TH".into();
    body.entry_point = "nowhere".into();
    body.lots[0].orchard_code = "VN-XXOR-0000".into();
    let report = run(&body, &facts());
    assert!(report.errors >= 4, "{:?}", report.violations);
    assert!(!report.compliant);
}
