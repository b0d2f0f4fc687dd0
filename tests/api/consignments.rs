use crate::fixtures::{World as Setup, fresh_durian, world as setup};
use crate::helpers::{TestApp, TestResponse};
use diesel::prelude::*;
use serde_json::{Value, json};

fn create(setup: &Setup, body: &Value) -> Value {
    let response = setup.app.post("/v1/consignments", Some(&setup.exporter), body);
    assert_eq!(response.status, 201, "{}", response.text);
    response.json
}

fn patch(setup: &Setup, id: &str, if_match: Option<&str>, body: &Value) -> TestResponse {
    let headers: Vec<(&str, &str)> = if_match.map(|tag| vec![("If-Match", tag)]).unwrap_or_default();
    let response = setup.app.send_unchecked(
        "PATCH",
        &format!("/v1/consignments/{id}"),
        &headers,
        Some(&setup.exporter),
        Some("application/merge-patch+json"),
        body.to_string().as_bytes(),
    );
    crate::contract::check_response("PATCH", &format!("/v1/consignments/{id}"), &response);
    response
}

fn post_empty(setup: &Setup, path: &str, key: &str) -> TestResponse {
    setup.app.request("POST", path, Some(key), None, b"")
}

#[test]
fn an_exporter_declares_a_draft_and_reads_it_back_with_its_etag() {
    let setup = setup();
    let created = setup
        .app
        .post("/v1/consignments", Some(&setup.exporter), &fresh_durian());
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/consignments/{id}").as_str())
    );
    assert_eq!(created.header("etag"), Some("\"v1\""));
    assert_eq!(created.json["status"], "draft");
    assert_eq!(created.json["organization_id"], setup.organization_id);
    assert_eq!(created.json["lots"], fresh_durian()["lots"]);
    let read = setup.app.get(&format!("/v1/consignments/{id}"), Some(&setup.exporter));
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag"), Some("\"v1\""));
    assert_eq!(read.json, created.json);
}

#[test]
fn a_container_number_with_a_wrong_check_digit_gets_422_at_its_pointer() {
    let setup = setup();
    let mut body = fresh_durian();
    body["containers"][0]["number"] = json!("CSQU3054384");
    let response = setup.app.post("/v1/consignments", Some(&setup.exporter), &body);
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/containers/0/number");
    assert_eq!(response.json["errors"][0]["code"], "iso6346");
    assert_eq!(setup.app.db.scalar("SELECT count(*) FROM consignments"), 0);
}

#[test]
fn an_unknown_protocol_gets_422() {
    let setup = setup();
    let mut body = fresh_durian();
    body["protocol"] = json!("vn-cn-mango-2030");
    let response = setup.app.post("/v1/consignments", Some(&setup.exporter), &body);
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/protocol");
}

#[test]
fn another_organisation_can_neither_see_nor_change_the_consignment() {
    let setup = setup();
    let id = create(&setup, &fresh_durian())["id"].as_str().unwrap().to_owned();
    let (_, intruder) = setup.app.exporter_with_key("0398765432");
    assert_eq!(
        setup.app.get(&format!("/v1/consignments/{id}"), Some(&intruder)).status,
        404
    );
    assert_eq!(
        post_empty(&setup, &format!("/v1/consignments/{id}/submit"), &intruder).status,
        404
    );
    assert_eq!(
        post_empty(&setup, &format!("/v1/consignments/{id}/cancel"), &intruder).status,
        404
    );
    assert_eq!(
        post_empty(&setup, &format!("/v1/consignments/{id}/compliance-check"), &intruder).status,
        404
    );
    let edit = setup.app.send_unchecked(
        "PATCH",
        &format!("/v1/consignments/{id}"),
        &[("If-Match", "\"v1\"")],
        Some(&intruder),
        Some("application/json"),
        b"{\"exit_border_gate\": \"tan_thanh\"}",
    );
    assert_eq!(edit.status, 404);
    let listed = setup.app.get("/v1/consignments", Some(&intruder));
    assert_eq!(listed.json["items"], json!([]));
    let own = setup.app.get(&format!("/v1/consignments/{id}"), Some(&setup.exporter));
    assert_eq!(own.json["version"], 1);
}

#[test]
fn admin_and_inspector_keys_cannot_declare_consignments() {
    let setup = setup();
    let authority = setup.app.create_authority("PPD");
    let inspector = setup.app.create_key(authority["id"].as_str().unwrap(), "inspector");
    for key in [setup.app.admin_key.as_str(), inspector["secret"].as_str().unwrap()] {
        let response = setup.app.post("/v1/consignments", Some(key), &fresh_durian());
        assert_eq!(response.status, 403);
    }
}

fn create_with_key(setup: &Setup, key: &str, body: &Value) -> TestResponse {
    let response = setup.app.send_unchecked(
        "POST",
        "/v1/consignments",
        &[("Idempotency-Key", key)],
        Some(&setup.exporter),
        Some("application/json"),
        body.to_string().as_bytes(),
    );
    crate::contract::check_response("POST", "/v1/consignments", &response);
    response
}

#[test]
fn the_same_idempotency_key_and_body_replay_the_first_response_without_a_duplicate() {
    let setup = setup();
    let first = create_with_key(&setup, "order-2025-001", &fresh_durian());
    let second = create_with_key(&setup, "order-2025-001", &fresh_durian());
    assert_eq!(first.status, 201);
    assert_eq!(second.status, 201);
    assert_eq!(second.json, first.json);
    assert_eq!(setup.app.db.scalar("SELECT count(*) FROM consignments"), 1);
    assert_eq!(setup.app.db.scalar(CREATIONS_AUDITED), 1);
}

/// Creation events, sealed or still pending.
const CREATIONS_AUDITED: &str = "SELECT (SELECT count(*) FROM audit_events WHERE action = 'consignment.created') \
     + (SELECT count(*) FROM audit_pending WHERE action = 'consignment.created')";

#[test]
fn the_same_idempotency_key_with_another_body_gets_422() {
    let setup = setup();
    create_with_key(&setup, "order-2025-001", &fresh_durian());
    let mut other = fresh_durian();
    other["exit_border_gate"] = json!("tan_thanh");
    let response = create_with_key(&setup, "order-2025-001", &other);
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "idempotency_key_reused");
    assert_eq!(setup.app.db.scalar("SELECT count(*) FROM consignments"), 1);
}

#[test]
fn concurrent_duplicates_with_one_idempotency_key_create_exactly_one_consignment() {
    exactly_one_of_concurrent_duplicates(&setup());
}

#[test]
fn without_event_loop_connections_concurrent_duplicates_still_create_exactly_one_consignment() {
    let setup = crate::fixtures::world_with(&[("DB_LOOP_POOL_SIZE", "0")]);
    exactly_one_of_concurrent_duplicates(&setup);
    assert_eq!(setup.event_loop_connections(), 0);
}

#[test]
fn a_creation_runs_on_a_connection_of_the_workers_event_loop() {
    let setup = setup();
    assert_eq!(setup.event_loop_connections(), 0);
    let created = setup
        .app
        .post("/v1/consignments", Some(&setup.exporter), &fresh_durian());
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(setup.event_loop_connections(), 1);
    assert_eq!(setup.app.db.scalar(CREATIONS_AUDITED), 1);
}

fn exactly_one_of_concurrent_duplicates(setup: &Setup) {
    let responses: Vec<TestResponse> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| create_with_key(setup, "burst-1", &fresh_durian())))
            .collect();
        handles.into_iter().map(|handle| handle.join().unwrap()).collect()
    });
    for response in &responses {
        assert_eq!(response.status, 201, "{}", response.text);
        assert_eq!(response.json["id"], responses[0].json["id"]);
    }
    assert_eq!(setup.app.db.scalar("SELECT count(*) FROM consignments"), 1);
    assert_eq!(setup.app.db.scalar(CREATIONS_AUDITED), 1);
}

#[test]
fn an_edit_without_if_match_gets_428_and_with_a_stale_etag_gets_412() {
    let setup = setup();
    let id = create(&setup, &fresh_durian())["id"].as_str().unwrap().to_owned();
    let missing = patch(&setup, &id, None, &json!({"exit_border_gate": "tan_thanh"}));
    assert_eq!(missing.status, 428);
    assert_eq!(missing.json["code"], "precondition_required");
    let ok = patch(&setup, &id, Some("\"v1\""), &json!({"exit_border_gate": "tan_thanh"}));
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.header("etag"), Some("\"v2\""));
    assert_eq!(ok.json["exit_border_gate"], "tan_thanh");
    let stale = patch(&setup, &id, Some("\"v1\""), &json!({"exit_border_gate": "mong_cai"}));
    assert_eq!(stale.status, 412);
    assert_eq!(stale.json["code"], "precondition_failed");
    let read = setup.app.get(&format!("/v1/consignments/{id}"), Some(&setup.exporter));
    assert_eq!(read.json["exit_border_gate"], "tan_thanh");
}

#[test]
fn an_edit_that_breaks_the_shape_gets_422_and_changes_nothing() {
    let setup = setup();
    let id = create(&setup, &fresh_durian())["id"].as_str().unwrap().to_owned();
    let response = patch(
        &setup,
        &id,
        Some("\"v1\""),
        &json!({"lots": [{"orchard_code": "VN-TGOR-0095"}]}),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/lots/0");
    let status_field = patch(&setup, &id, Some("\"v1\""), &json!({"status": "submitted"}));
    assert_eq!(status_field.status, 422);
    assert_eq!(
        setup
            .app
            .get(&format!("/v1/consignments/{id}"), Some(&setup.exporter))
            .json["version"],
        1
    );
}

#[test]
fn the_compliance_check_reports_without_changing_anything() {
    let setup = setup();
    let id = create(&setup, &fresh_durian())["id"].as_str().unwrap().to_owned();
    let report = post_empty(
        &setup,
        &format!("/v1/consignments/{id}/compliance-check"),
        &setup.exporter,
    );
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.json["compliant"], true);
    assert_eq!(report.json["protocol"], "vn-cn-durian-fresh-2022");
    assert_eq!(report.json["as_of"], "2025-03-01");
    assert_eq!(
        setup
            .app
            .get(&format!("/v1/consignments/{id}"), Some(&setup.exporter))
            .json["version"],
        1
    );
}

#[test]
fn an_unsaved_declaration_can_be_checked_without_storing_it() {
    let setup = setup();
    let mut body = fresh_durian();
    body["lots"][0]["orchard_code"] = json!("VN-XXOR-0001");
    let report = setup.app.post("/v1/compliance-checks", Some(&setup.exporter), &body);
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.json["compliant"], false);
    let ids: Vec<&str> = report.json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["PLANT-ORCHARD-APPROVED", "PLANT-CARTON-LABEL"]);
    assert_eq!(setup.app.db.scalar("SELECT count(*) FROM consignments"), 0);
}

#[test]
fn a_consignment_from_a_suspended_orchard_is_refused_then_corrected_and_submitted() {
    let setup = setup();
    let suspended = setup.app.post(
        "/v1/establishments/orchard/VN-TGOR-0095/status-changes",
        Some(&setup.app.admin_key),
        &json!({"status": "suspended", "effective_from": "2025-02-01", "reference": "GACC notice 2025-01"}),
    );
    assert_eq!(suspended.status, 201);
    let id = create(&setup, &fresh_durian())["id"].as_str().unwrap().to_owned();
    let refused = post_empty(&setup, &format!("/v1/consignments/{id}/submit"), &setup.exporter);
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json["code"], "compliance_failed");
    assert_eq!(refused.json["errors"][0]["code"], "PLANT-ORCHARD-APPROVED");
    assert_eq!(refused.json["errors"][0]["pointer"], "/lots/0/orchard_code");
    assert_eq!(refused.json["compliance_report"]["compliant"], false);
    assert_eq!(
        setup
            .app
            .get(&format!("/v1/consignments/{id}"), Some(&setup.exporter))
            .json["status"],
        "draft"
    );

    let corrected = patch(
        &setup,
        &id,
        Some("\"v1\""),
        &json!({"lots": [{"orchard_code": "VN-TGOR-0096", "packing_house_code": "VN-BTPH-036", "variety": "Ri6",
                          "net_weight_kg": 18000.0, "package_count": 1000, "package_type": "carton"}],
                 "carton_label": "Fresh durian - Product of Vietnam - VN-TGOR-0096 - VN-BTPH-036"}),
    );
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    let submitted = post_empty(&setup, &format!("/v1/consignments/{id}/submit"), &setup.exporter);
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert_eq!(submitted.json["status"], "submitted");
    assert_eq!(submitted.json["submission_report"]["compliant"], true);
    assert_eq!(submitted.header("etag"), Some("\"v3\""));
    let stored: Vec<String> = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "(SELECT status || ' ' || (submission_report->>'compliant') FROM consignments)",
    ))
    .load(&mut setup.app.db.connect())
    .unwrap();
    assert_eq!(stored, ["submitted true"]);
}

#[test]
fn a_submitted_consignment_cannot_be_edited_or_submitted_again() {
    let setup = setup();
    let id = create(&setup, &fresh_durian())["id"].as_str().unwrap().to_owned();
    assert_eq!(
        post_empty(&setup, &format!("/v1/consignments/{id}/submit"), &setup.exporter).status,
        200
    );
    let again = post_empty(&setup, &format!("/v1/consignments/{id}/submit"), &setup.exporter);
    assert_eq!(again.status, 409);
    assert_eq!(again.json["code"], "invalid_state");
    assert_eq!(
        patch(&setup, &id, Some("\"v2\""), &json!({"exit_border_gate": "tan_thanh"})).status,
        409
    );
}

#[test]
fn a_consignment_is_cancelled_once() {
    let setup = setup();
    let id = create(&setup, &fresh_durian())["id"].as_str().unwrap().to_owned();
    let cancelled = post_empty(&setup, &format!("/v1/consignments/{id}/cancel"), &setup.exporter);
    assert_eq!(cancelled.status, 200);
    assert_eq!(cancelled.json["status"], "cancelled");
    assert!(cancelled.json["cancelled_at"].is_string());
    assert_eq!(
        post_empty(&setup, &format!("/v1/consignments/{id}/cancel"), &setup.exporter).status,
        409
    );
}

#[test]
fn every_change_to_a_consignment_is_audited() {
    let setup = setup();
    let id = create(&setup, &fresh_durian())["id"].as_str().unwrap().to_owned();
    patch(&setup, &id, Some("\"v1\""), &json!({"exit_border_gate": "tan_thanh"}));
    post_empty(&setup, &format!("/v1/consignments/{id}/submit"), &setup.exporter);
    let events = setup.app.get(
        &format!("/v1/audit-events?entity_type=consignment&entity_id={id}"),
        Some(&setup.app.admin_key),
    );
    let actions: Vec<&str> = events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["consignment.created", "consignment.updated", "consignment.submitted"]
    );
    assert_eq!(events.json["items"][2]["state"]["status"], "submitted");
}

#[test]
fn the_list_shows_own_consignments_filtered_by_status_protocol_and_departure() {
    let setup = setup();
    let first = create(&setup, &fresh_durian());
    let mut later = fresh_durian();
    later["planned_departure_date"] = json!("2025-04-15");
    let second = create(&setup, &later);
    post_empty(
        &setup,
        &format!("/v1/consignments/{}/cancel", second["id"].as_str().unwrap()),
        &setup.exporter,
    );
    let ids = |query: &str| -> Vec<Value> {
        let response = setup
            .app
            .get(&format!("/v1/consignments?{query}"), Some(&setup.exporter));
        assert_eq!(response.status, 200, "{}", response.text);
        response.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].clone())
            .collect()
    };
    assert_eq!(ids("status=draft"), [first["id"].clone()]);
    assert_eq!(ids("departure_from=2025-04-01"), [second["id"].clone()]);
    assert_eq!(ids("protocol=vn-cn-durian-fresh-2022").len(), 2);
    assert_eq!(ids("protocol=vn-cn-coconut-fresh-2024").len(), 0);
    assert_eq!(
        setup
            .app
            .get("/v1/consignments?status=shipped", Some(&setup.exporter))
            .status,
        422
    );
}

#[test]
fn the_protocols_and_their_rules_are_public() {
    let app = TestApp::spawn();
    let list = app.get("/v1/protocols", None);
    assert_eq!(list.status, 200);
    assert_eq!(list.json["items"].as_array().unwrap().len(), 4);
    let durian = app.get("/v1/protocols/vn-cn-durian-fresh-2022", None);
    assert_eq!(durian.status, 200);
    assert_eq!(durian.json["competent_authority"], "PPD");
    let rules: Vec<&str> = durian.json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"PLANT-ORCHARD-APPROVED") && rules.contains(&"DURIAN-LAB-CADMIUM"));
    assert!(!rules.contains(&"CROCODILE-CITES-PERMIT"));
    let cadmium = durian.json["versions"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cadmium_limit")
        .unwrap()
        .clone();
    assert_eq!(cadmium["value"], 0.05);
    assert_eq!(cadmium["confidence"], "uncertain");
    assert_eq!(app.get("/v1/protocols/vn-cn-mango-2030", None).status, 404);
}
