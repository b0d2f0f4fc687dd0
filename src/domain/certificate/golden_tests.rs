//! Certificates issued before the content became typed (payloads, ePhyto XML and PDF text kept
//! in `tests/golden/certificates`, produced by the JSON-built content): they decode into the
//! typed content and re-encode to the same bytes, so their signatures still verify; the builder
//! makes the same bytes from the same consignment; and their ePhyto XML matches the reviewed
//! golden XML (rewritten, with review, when the ePhyto mapping changes on purpose).

use super::*;
use crate::domain::inspection::InspectionInput;
use crate::domain::protocol::ProtocolCode;
use crate::domain::protocol::catalogue::{catalogue, latest};
use crate::domain::protocol::fixtures;
use crate::domain::protocol::settings::ProtocolSettings;
use serde_json::json;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/certificates");
const NAMES: [&str; 4] = ["fresh-durian", "frozen-durian", "coconut", "crocodile"];

fn golden(name: &str) -> Vec<u8> {
    std::fs::read(format!("{GOLDEN}/{name}")).unwrap()
}

/// Compares a rendered document with its reviewed golden text. A deliberate template change
/// rewrites the files with `UPDATE_SNAPSHOTS=1 cargo test --lib golden`; review the diff and
/// commit it with the change.
pub(crate) fn assert_matches_golden(name: &str, rendered: &str) {
    let path = format!("{GOLDEN}/{name}");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, rendered).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(rendered, expected, "{name} differs from its golden text");
}

#[test]
fn every_golden_payload_decodes_and_re_encodes_to_the_same_bytes() {
    for name in NAMES {
        let payload = golden(&format!("{name}.json"));
        let content = CertificateContent::decode(&payload).unwrap();
        assert_eq!(
            String::from_utf8(content.payload_bytes().unwrap()).unwrap(),
            String::from_utf8(payload).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn the_ephyto_xml_of_golden_certificates_matches_its_reviewed_golden_text() {
    for name in ["fresh-durian", "frozen-durian", "coconut"] {
        let CertificateContent::Phytosanitary(content) =
            CertificateContent::decode(&golden(&format!("{name}.json"))).unwrap()
        else {
            panic!("{name} is phytosanitary");
        };
        for (withdrawn, file) in [(false, "ephyto.xml"), (true, "withdrawn.ephyto.xml")] {
            assert_matches_golden(
                &format!("{name}.{file}"),
                &crate::domain::ephyto::spscertificate(
                    &content,
                    &crate::domain::ephyto::Issue {
                        issued_at: "2025-02-28T03:15:00Z".parse().unwrap(),
                        withdrawn,
                        examination: Some(crate::domain::ephyto::Examination {
                            date: "2025-02-27".parse().unwrap(),
                            place: "Cái Mơn packing house".into(),
                        }),
                    },
                ),
            );
        }
    }
}

#[test]
fn a_stored_payload_with_a_field_the_types_do_not_know_does_not_decode() {
    let mut value: serde_json::Value = serde_json::from_slice(&golden("fresh-durian.json")).unwrap();
    value["unexpected"] = json!(1);
    assert!(CertificateContent::decode(value.to_string().as_bytes()).is_err());
}

/// The consignments, inspections and issuing details the golden payloads were made from.
#[test]
fn the_builder_makes_the_golden_bytes_from_the_same_consignment() {
    let versions = catalogue(&ProtocolSettings::default());
    let mut crocodile = fixtures::crocodile();
    if let Some(animals) = crocodile.crocodiles.as_mut() {
        // The golden certificates predate test dates on results.
        for test in &mut animals.tests {
            test.test_date = None;
        }
        animals.treatments = serde_json::from_value(json!([{"product": "Ivermectin", "date": "2025-02-01", "dose": "0.2 mg/kg", "manufacturer": "MSD", "place": "Dong Thap farm"}])).unwrap();
        animals.vaccinations = serde_json::from_value(json!([{"vaccine": "Salmonella bacterin", "valid_until": null, "date": "2025-01-15", "place": "Dong Thap farm"}])).unwrap();
    }
    let plant_inspection: InspectionInput = serde_json::from_value(json!({"inspected_on": "2025-02-27", "place": "Binh Thuan packing house", "units_in_lot": 1000, "units_sampled": 20, "findings": [], "core_temperature_c": -19.0})).unwrap();
    let animal_inspection: InspectionInput = serde_json::from_value(json!({"inspected_on": "2025-02-27", "place": "Dong Thap farm", "units_in_lot": 2, "units_sampled": 2,
        "clinical_exams": [{"animal_code": "CR-0001", "result": "normal", "note": null}, {"animal_code": "CR-0002", "result": "normal", "note": "small scar"}]})).unwrap();
    let cases = [
        (
            "fresh-durian",
            fixtures::fresh(),
            ProtocolCode::DurianFresh,
            vec![plant_inspection.clone()],
            None,
        ),
        (
            "frozen-durian",
            fixtures::frozen(),
            ProtocolCode::DurianFrozen,
            vec![plant_inspection.clone()],
            Some("VN-PC-2025-000001".to_owned()),
        ),
        (
            "coconut",
            fixtures::coconut(),
            ProtocolCode::CoconutFresh,
            vec![plant_inspection],
            None,
        ),
        (
            "crocodile",
            crocodile,
            ProtocolCode::CrocodileFarmed,
            vec![animal_inspection],
            None,
        ),
    ];
    for (serial, (name, body, code, inspections, replaces)) in cases.into_iter().enumerate() {
        let version = latest(&versions, code).unwrap();
        let input = CertificateInput {
            number: format_number(CertificateKind::for_protocol(code), 2025, serial as i64 + 2),
            replaces,
            consignment_id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001 + serial as u128),
            version,
            body: &body,
            exporter: Party {
                name: "Công ty TNHH Trái Cây Miền Tây".into(),
                address: "12 Nguyễn Huệ, Cần Thơ".into(),
            },
            issuing_authority: if code.is_plant() {
                "Plant Protection Department"
            } else {
                "Department of Animal Health"
            }
            .into(),
            authorized_officer: "Nguyễn Văn An".into(),
            place_of_issue: "Lạng Sơn".into(),
            date_of_issue: "2025-02-28".parse().unwrap(),
            inspections: &inspections,
            farms: if code.is_plant() {
                vec![]
            } else {
                vec![FarmOfOrigin {
                    code: "DT-CF-01".into(),
                    name: "Trại cá sấu Đồng Tháp".into(),
                    province: Some("Đồng Tháp".into()),
                }]
            },
        };
        let mut built = content(&input);
        if let CertificateContent::Veterinary(content) = &mut built {
            // Stated since; the golden certificates predate it (see the test below).
            assert_eq!(content.valid_until, Some("2025-08-27".parse().unwrap()));
            content.valid_until = None;
        }
        if let CertificateContent::Phytosanitary(content) = &mut built {
            // The golden certificates predate the name of produce: they state the title.
            let stated = &mut content.description_of_consignment.produce;
            assert_eq!(Some(stated.as_str()), expected_produce(name));
            *stated = version.edition.title.to_owned();
        }
        let bytes = built.payload_bytes().unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            String::from_utf8(golden(&format!("{name}.json"))).unwrap(),
            "{name}"
        );
    }
}

fn expected_produce(golden: &str) -> Option<&'static str> {
    match golden {
        "fresh-durian" => Some("Fresh durian, whole fruit"),
        "frozen-durian" => Some("Frozen durian, whole fruit with shell"),
        "coconut" => Some("Fresh coconut, green with stalk"),
        _ => None,
    }
}
