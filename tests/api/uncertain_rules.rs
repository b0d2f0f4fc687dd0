//! Uncertain data never blocks: a rule whose basis the sources leave uncertain (the list of
//! gates and ports, the crocodile farm registration) warns until an operator configures its data
//! or enforces it, and every rule and violation says how well it is backed.

use crate::fixtures::{coconut, crocodiles, fresh_durian, world, world_with};
use serde_json::{Value, json};

fn check(world: &crate::fixtures::World, body: &Value) -> Value {
    let response = world.app.post("/v1/compliance-checks", Some(&world.exporter), body);
    assert_eq!(response.status, 200, "{}", response.text);
    response.json
}

fn only_violation(report: &Value) -> &Value {
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{report}");
    &violations[0]
}

#[test]
fn a_point_of_entry_off_the_suggested_list_is_only_a_warning() {
    let world = world();
    let mut body = fresh_durian();
    body["entry_point"] = json!("shanghai_pudong");
    let report = check(&world, &body);
    assert_eq!(report["compliant"], true);
    assert_eq!(
        (report["errors"].clone(), report["warnings"].clone()),
        (json!(0), json!(1))
    );
    let violation = only_violation(&report);
    assert_eq!(violation["rule_id"], "GEN-ENTRY-POINT-DESIGNATED");
    assert_eq!(violation["severity"], "warning");
    assert_eq!(violation["confidence"], "uncertain");
    assert_eq!(violation["configured_by"], Value::Null);
    assert_eq!(violation["pointer"], "/entry_point");
}

#[test]
fn a_point_of_entry_off_a_list_the_operator_configured_is_an_error_naming_the_setting() {
    let world = world_with(&[("ENTRY_POINTS_FRUIT", "youyiguan, pingxiang_rail")]);
    let mut body = coconut();
    body["entry_point"] = json!("shanghai_pudong");
    let report = check(&world, &body);
    assert_eq!(report["compliant"], false);
    let violation = only_violation(&report);
    assert_eq!(violation["rule_id"], "GEN-ENTRY-POINT-DESIGNATED");
    assert_eq!(violation["severity"], "error");
    assert_eq!(violation["configured_by"], "ENTRY_POINTS_FRUIT");
    let submitted = world.app.post("/v1/consignments", Some(&world.exporter), &body);
    assert_eq!(submitted.status, 201, "{}", submitted.text);
    let id = submitted.json["id"].as_str().unwrap();
    let refused = world.app.post(
        &format!("/v1/consignments/{id}/submit"),
        Some(&world.exporter),
        &json!({}),
    );
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json["code"], "compliance_failed");
    assert_eq!(
        refused.json["compliance_report"]["violations"][0]["configured_by"],
        "ENTRY_POINTS_FRUIT"
    );
}

#[test]
fn crocodiles_from_a_farm_missing_from_the_registry_warn_unless_the_operator_enforces_the_rule() {
    let mut body = crocodiles();
    body["crocodiles"]["animals"][1]["farm_code"] = json!("DT-CF-77");
    let world = world();
    let report = check(&world, &body);
    assert_eq!(report["compliant"], true);
    let violation = only_violation(&report);
    assert_eq!(violation["rule_id"], "CROCODILE-FARM-APPROVED");
    assert_eq!(violation["severity"], "warning");
    assert_eq!(violation["confidence"], "uncertain");
    assert_eq!(violation["pointer"], "/crocodiles/animals/1/farm_code");

    let enforcing = world_with(&[("ENFORCE_UNCERTAIN_RULES", "CROCODILE-FARM-APPROVED")]);
    let report = check(&enforcing, &body);
    assert_eq!(report["compliant"], false);
    let violation = only_violation(&report);
    assert_eq!(violation["severity"], "error");
    assert_eq!(violation["configured_by"], "ENFORCE_UNCERTAIN_RULES");
}

#[test]
fn cadmium_above_the_limit_names_the_uncertain_limit_it_was_judged_against() {
    let world = world();
    let mut body = fresh_durian();
    body["lab_reports"][0]["value"] = json!(0.06);
    let report = check(&world, &body);
    let over = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|violation| violation["pointer"] == "/lab_reports/0/value")
        .unwrap();
    assert_eq!(over["rule_id"], "DURIAN-LAB-CADMIUM");
    assert_eq!(over["severity"], "error");
    assert_eq!(over["confidence"], "confirmed");
    assert_eq!(over["judged_against"]["parameter"], "cadmium_limit");
    assert_eq!(over["judged_against"]["confidence"], "uncertain");
    assert!(over["judged_against"]["source"].as_str().unwrap().contains("GB 2762"));
}

#[test]
fn every_published_rule_and_parameter_states_its_confidence_and_source() {
    let world = world();
    for code in [
        "vn-cn-durian-fresh-2022",
        "vn-cn-durian-frozen-2024",
        "vn-cn-coconut-fresh-2024",
        "vn-cn-crocodile-farmed-2024",
    ] {
        let page = world.app.get(&format!("/v1/protocols/{code}"), None).json;
        for rule in page["rules"].as_array().unwrap() {
            assert!(
                matches!(rule["confidence"].as_str(), Some("confirmed" | "uncertain")),
                "{rule}"
            );
            assert!(!rule["source"].as_str().unwrap().is_empty(), "{rule}");
            if rule["confidence"] == "uncertain" && rule["configured_by"].is_null() {
                assert_eq!(rule["severity"], "warning", "{code}: {rule}");
            }
        }
        for parameter in page["versions"][0]["parameters"].as_array().unwrap() {
            assert!(matches!(
                parameter["confidence"].as_str(),
                Some("confirmed" | "uncertain")
            ));
            assert!(!parameter["source"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn the_coconut_sampling_reduction_is_published_only_when_configured() {
    let names = |world: &crate::fixtures::World| -> Vec<String> {
        world.app.get("/v1/protocols/vn-cn-coconut-fresh-2024", None).json["versions"][0]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|parameter| parameter["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!names(&world()).contains(&"reduced_sampling_rate".to_owned()));
    let configured = world_with(&[("COCONUT_REDUCED_SAMPLING_RATE", "0.01")]);
    assert!(names(&configured).contains(&"reduced_sampling_rate".to_owned()));
}
