//! Protocol rules judged over HTTP at their exact limits: what passes at the limit, what fails
//! just past it, and the rule ID and pointer of each violation.

use crate::fixtures::{World, coconut, crocodiles, fresh_durian, frozen_durian, world};
use serde_json::{Value, json};

fn violations(world: &World, body: &Value) -> Vec<(String, String, String)> {
    let response = world.app.post("/v1/compliance-checks", Some(&world.exporter), body);
    assert_eq!(response.status, 200, "{}", response.text);
    response.json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|violation| {
            (
                violation["rule_id"].as_str().unwrap().to_owned(),
                violation["pointer"].as_str().unwrap().to_owned(),
                violation["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn error(rule: &str, pointer: &str) -> (String, String, String) {
    (rule.to_owned(), pointer.to_owned(), "error".to_owned())
}

#[test]
fn durian_pulp_under_the_fresh_protocol_is_refused() {
    let world = world();
    let mut body = fresh_durian();
    body["fresh_durian"]["product_form"] = json!("pulp");
    assert_eq!(
        violations(&world, &body),
        [error("FRESH-DURIAN-WHOLE-FRUIT", "/fresh_durian/product_form")]
    );
    body.as_object_mut().unwrap().remove("fresh_durian");
    assert_eq!(
        violations(&world, &body),
        [error("FRESH-DURIAN-WHOLE-FRUIT", "/fresh_durian/product_form")]
    );
}

#[test]
fn freezing_of_exactly_60_minutes_and_a_core_of_exactly_minus_18_pass_and_a_hair_beyond_fails() {
    let world = world();
    let mut body = frozen_durian();
    body["frozen_durian"]["freezing"] =
        json!({"medium_temperature_c": -35.0, "duration_minutes": 60.0, "core_temperature_c": -18.0});
    body["frozen_durian"]["cold_chain"] = json!([{"at": "2025-02-28T08:00:00Z", "temperature_c": -18.0}]);
    assert_eq!(violations(&world, &body), []);
    body["frozen_durian"]["freezing"] =
        json!({"medium_temperature_c": -34.9, "duration_minutes": 59.9, "core_temperature_c": -17.9});
    body["frozen_durian"]["cold_chain"] = json!([{"at": "2025-02-28T08:00:00Z", "temperature_c": -17.9}]);
    assert_eq!(
        violations(&world, &body),
        [
            error("FROZEN-FREEZING-MEDIUM", "/frozen_durian/freezing/medium_temperature_c"),
            error("FROZEN-FREEZING-DURATION", "/frozen_durian/freezing/duration_minutes"),
            error("FROZEN-CORE-TEMPERATURE", "/frozen_durian/freezing/core_temperature_c"),
            error("FROZEN-COLD-CHAIN", "/frozen_durian/cold_chain/0/temperature_c"),
        ]
    );
}

#[test]
fn a_stalk_of_exactly_5_cm_passes_and_5_1_cm_fails() {
    let world = world();
    let mut body = coconut();
    body["coconut"]["max_stalk_length_cm"] = json!(5.0);
    assert_eq!(violations(&world, &body), []);
    body["coconut"]["max_stalk_length_cm"] = json!(5.1);
    assert_eq!(
        violations(&world, &body),
        [error("COCONUT-STALK-LENGTH", "/coconut/max_stalk_length_cm")]
    );
}

#[test]
fn cadmium_exactly_at_the_limit_passes_and_just_above_fails() {
    let world = world();
    let mut body = fresh_durian();
    body["lab_reports"][0]["value"] = json!(0.05);
    assert_eq!(violations(&world, &body), []);
    body["lab_reports"][0]["value"] = json!(0.0501);
    assert_eq!(
        violations(&world, &body),
        [
            error("DURIAN-LAB-CADMIUM", "/lab_reports/0/value"),
            error("DURIAN-LAB-CADMIUM", "/lots/0"),
        ]
    );
}

#[test]
fn a_cites_permit_valid_only_from_after_the_departure_is_refused() {
    let world = world();
    let mut body = crocodiles();
    body["crocodiles"]["cites_permit"]["valid_from"] = json!("2025-03-02");
    assert_eq!(
        violations(&world, &body),
        [error("CROCODILE-CITES-PERMIT", "/crocodiles/cites_permit/valid_from")]
    );
    body["crocodiles"]["cites_permit"]["valid_from"] = json!("2025-03-01");
    assert_eq!(violations(&world, &body), []);
}

#[test]
fn each_protocol_applies_from_its_first_day_and_not_the_day_before() {
    let world = world();
    // The registry approves everything from 2023; these establishments were approved in 2022.
    for (kind, code) in [
        ("orchard", "VN-TGOR-0095"),
        ("packing_house", "VN-BTPH-036"),
        ("processing_plant", "NAMDO-01"),
        ("crocodile_farm", "DT-CF-01"),
    ] {
        let approved = world.app.post(
            &format!("/v1/establishments/{kind}/{code}/status-changes"),
            Some(&world.app.admin_key),
            &json!({"status": "approved", "effective_from": "2022-01-01", "reference": "GACC list 2022"}),
        );
        assert_eq!(approved.status, 201, "{}", approved.text);
    }
    for (mut body, first_day, day_before) in [
        (fresh_durian(), "2022-07-11", "2022-07-10"),
        (frozen_durian(), "2024-08-19", "2024-08-18"),
        (coconut(), "2024-08-19", "2024-08-18"),
        (crocodiles(), "2024-08-19", "2024-08-18"),
    ] {
        // Laboratory results are required only from 2025-01-10.
        if body["lab_reports"].is_array() {
            body["lab_reports"] = json!([]);
        }
        if body["frozen_durian"].is_object() {
            body["frozen_durian"]["production_date"] = json!("2024-08-01");
        }
        if body["crocodiles"].is_object() {
            body["crocodiles"]["cites_permit"]["valid_from"] = json!("2024-01-01");
            for test in body["crocodiles"]["tests"].as_array_mut().unwrap() {
                test["sample_date"] = json!("2024-08-01");
                test["test_date"] = json!("2024-08-03");
            }
        }
        body["planned_departure_date"] = json!(first_day);
        assert_eq!(violations(&world, &body), [], "{} on {first_day}", body["protocol"]);
        body["planned_departure_date"] = json!(day_before);
        assert_eq!(
            violations(&world, &body),
            [error("GEN-PROTOCOL-IN-FORCE", "/planned_departure_date")],
            "{} on {day_before}",
            body["protocol"]
        );
    }
}

#[test]
fn a_lab_sample_taken_after_the_planned_departure_is_refused() {
    let world = world();
    let mut body = fresh_durian();
    body["lab_reports"][1]["sample_date"] = json!("2025-03-02");
    assert_eq!(
        violations(&world, &body),
        [error("DURIAN-LAB-SAMPLE-DATE", "/lab_reports/1/sample_date")]
    );
}

#[test]
fn a_fresh_durian_departure_after_the_reported_three_year_term_is_a_warning() {
    let world = world();
    let mut body = fresh_durian();
    body["planned_departure_date"] = json!("2025-07-11");
    assert_eq!(
        violations(&world, &body),
        [(
            "GEN-PROTOCOL-TERM".to_owned(),
            "/planned_departure_date".to_owned(),
            "warning".to_owned()
        )]
    );
    body["planned_departure_date"] = json!("2025-07-10");
    assert_eq!(violations(&world, &body), []);
}

#[test]
fn an_inspection_dated_after_the_departure_or_in_the_future_is_refused() {
    let world = world();
    // A consignment whose planned departure (2025-03-01) has passed.
    let created = world
        .app
        .post("/v1/consignments", Some(&world.exporter), &fresh_durian());
    let id = created.json["id"].as_str().unwrap().to_owned();
    let submitted = world.app.request(
        "POST",
        &format!("/v1/consignments/{id}/submit"),
        Some(&world.exporter),
        None,
        b"",
    );
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    for (date, code) in [("2025-03-02", "after_departure"), ("2099-01-01", "in_future")] {
        let refused = world.app.post(
            &format!("/v1/consignments/{id}/inspections"),
            Some(&world.ppd_inspector),
            &json!({"inspected_on": date, "place": "x", "units_in_lot": 1000, "units_sampled": 20}),
        );
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(refused.json["errors"][0]["pointer"], "/inspected_on");
        assert_eq!(refused.json["errors"][0]["code"], code);
    }
}

#[test]
fn a_crocodile_test_result_needs_its_test_date_after_sampling_and_before_departure() {
    let world = world();
    let mut body = crocodiles();
    body["crocodiles"]["tests"][0]
        .as_object_mut()
        .unwrap()
        .remove("test_date");
    body["crocodiles"]["tests"][1]["test_date"] = json!("2025-02-09");
    assert_eq!(
        violations(&world, &body),
        [
            error("CROCODILE-TEST-DATES", "/crocodiles/tests/0/test_date"),
            error("CROCODILE-TEST-DATES", "/crocodiles/tests/1/test_date"),
        ]
    );
    body["crocodiles"]["tests"][0]["test_date"] = json!("2025-03-02");
    body["crocodiles"]["tests"][1]["test_date"] = json!("2025-03-01");
    assert_eq!(
        violations(&world, &body),
        [error("CROCODILE-TEST-DATES", "/crocodiles/tests/0/test_date")]
    );
}

fn suspend(world: &World, kind: &str, code: &str, from: &str, until: &str) {
    let suspended = world.app.post(
        &format!("/v1/establishments/{kind}/{code}/status-changes"),
        Some(&world.app.admin_key),
        &json!({"status": "suspended", "effective_from": from, "effective_until": until, "reference": "GACC notice"}),
    );
    assert_eq!(suspended.status, 201, "{}", suspended.text);
}

fn blocked_by(response: &crate::helpers::TestResponse, rule: &str) -> String {
    assert_eq!(response.status, 422, "{}", response.text);
    assert_eq!(response.json["code"], "approval_blocked");
    response.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|error| error["code"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {}", response.text))["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_packing_house_suspended_on_the_inspection_date_blocks_approval_naming_that_date() {
    let world = world();
    let id = world.inspected(&fresh_durian());
    suspend(&world, "packing_house", "VN-BTPH-036", "2025-02-27", "2025-02-28");
    let message = blocked_by(
        &world.approve(&id, &world.ppd_inspector),
        "PLANT-PACKING-HOUSE-APPROVED",
    );
    assert!(message.contains("2025-02-28, the inspection date"), "{message}");
}

#[test]
fn an_orchard_suspended_on_the_day_of_approval_blocks_it_naming_that_date() {
    let world = world();
    let id = world.inspected(&fresh_durian());
    let today = (chrono::Utc::now() + chrono::Duration::hours(7))
        .date_naive()
        .to_string();
    suspend(&world, "orchard", "VN-TGOR-0095", &today, &today);
    let message = blocked_by(&world.approve(&id, &world.ppd_inspector), "PLANT-ORCHARD-APPROVED");
    assert!(message.contains(&format!("{today}, the approval date")), "{message}");
}

#[test]
fn a_processing_plant_suspended_on_the_production_date_is_refused_naming_that_date() {
    let world = world();
    suspend(&world, "processing_plant", "NAMDO-01", "2025-02-15", "2025-02-25");
    let response = world
        .app
        .post("/v1/compliance-checks", Some(&world.exporter), &frozen_durian());
    assert_eq!(response.status, 200, "{}", response.text);
    let violations = response.json["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{}", response.text);
    assert_eq!(violations[0]["rule_id"], "FROZEN-PLANT-APPROVED");
    assert_eq!(violations[0]["pointer"], "/frozen_durian/processing_plant_code");
    assert!(
        violations[0]["message"]
            .as_str()
            .unwrap()
            .contains("2025-02-20, the production date")
    );
}

#[test]
fn approval_after_the_planned_departure_has_passed_is_refused_until_the_exporter_corrects_the_date() {
    let world = world();
    let created = world
        .app
        .post("/v1/consignments", Some(&world.exporter), &fresh_durian());
    let id = created.json["id"].as_str().unwrap().to_owned();
    let submitted = world.app.request(
        "POST",
        &format!("/v1/consignments/{id}/submit"),
        Some(&world.exporter),
        None,
        b"",
    );
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    let inspected = world.app.post(
        &format!("/v1/consignments/{id}/inspections"),
        Some(&world.ppd_inspector),
        &crate::fixtures::passing_inspection(&fresh_durian()),
    );
    assert_eq!(inspected.status, 201, "{}", inspected.text);
    let message = blocked_by(&world.approve(&id, &world.ppd_inspector), "departure_passed");
    assert!(message.contains("2025-03-01 has passed"), "{message}");
    let returned = world.app.post(
        &format!("/v1/consignments/{id}/return"),
        Some(&world.ppd_inspector),
        &json!({"reason": "The planned departure has passed; give the new date."}),
    );
    assert_eq!(returned.status, 200, "{}", returned.text);
    let version = returned.json["version"].as_i64().unwrap();
    let path = format!("/v1/consignments/{id}");
    let corrected = world.app.send_unchecked(
        "PATCH",
        &path,
        &[("If-Match", &format!("\"v{version}\""))],
        Some(&world.exporter),
        Some("application/merge-patch+json"),
        json!({"planned_departure_date": crate::fixtures::departure_soon().to_string()})
            .to_string()
            .as_bytes(),
    );
    crate::contract::check_response("PATCH", &path, &corrected);
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    let resubmitted = world.app.request(
        "POST",
        &format!("/v1/consignments/{id}/submit"),
        Some(&world.exporter),
        None,
        b"",
    );
    assert_eq!(resubmitted.status, 200, "{}", resubmitted.text);
    assert_eq!(world.approve(&id, &world.ppd_inspector).status, 200);
}

#[test]
fn a_laboratory_is_judged_on_the_date_of_its_sample_not_the_departure() {
    let world = world();
    suspend(&world, "laboratory", "VILAS-997", "2025-02-20", "2025-02-26");
    let response = world
        .app
        .post("/v1/compliance-checks", Some(&world.exporter), &fresh_durian());
    assert_eq!(response.status, 200, "{}", response.text);
    let violations = response.json["violations"].as_array().unwrap();
    let recognised: Vec<&Value> = violations
        .iter()
        .filter(|violation| violation["rule_id"] == "DURIAN-LAB-RECOGNISED")
        .collect();
    assert_eq!(recognised.len(), 3, "{}", response.text);
    assert_eq!(recognised[0]["pointer"], "/lab_reports/0/laboratory_code");
    assert!(
        recognised[0]["message"]
            .as_str()
            .unwrap()
            .contains("on 2025-02-25, the date of the sample")
    );
}
