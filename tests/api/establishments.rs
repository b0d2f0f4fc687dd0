use crate::helpers::{TestApp, TestResponse};
use diesel::prelude::*;
use serde_json::{Value, json};

fn packing_house(code: &str) -> Value {
    json!({
        "kind": "packing_house",
        "code": code,
        "name": "Vina T&T",
        "address": "Chợ Lách, Bến Tre",
        "province": "Bến Tre",
        "commodities": ["durian"],
        "source": {"list": "GACC approved durian packing houses", "date": "2023-01-01"}
    })
}

fn register(app: &TestApp, body: &Value) -> Value {
    let response = app.post("/v1/establishments", Some(&app.admin_key), body);
    assert_eq!(response.status, 201, "{}", response.text);
    response.json
}

fn change_status(app: &TestApp, path: &str, body: Value) -> TestResponse {
    app.post(&format!("{path}/status-changes"), Some(&app.admin_key), &body)
}

fn status_on(app: &TestApp, path: &str, date: &str) -> String {
    let response = app.get(&format!("{path}?on={date}"), Some(&app.admin_key));
    assert_eq!(response.status, 200, "{}", response.text);
    response.json["status_on"]["commodities"][0]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

const PATH: &str = "/v1/establishments/packing_house/VN-BTPH-036";

/// Approved from 2023-01-01, suspended from 2024-06-12 to 2024-08-31 over cadmium.
fn suspended_over_summer(app: &TestApp) {
    register(app, &packing_house("VN-BTPH-036"));
    let approved = change_status(
        app,
        PATH,
        json!({"status": "approved", "effective_from": "2023-01-01", "reference": "GACC list 2023"}),
    );
    assert_eq!(approved.status, 201, "{}", approved.text);
    let suspended = change_status(
        app,
        PATH,
        json!({"status": "suspended", "effective_from": "2024-06-12", "effective_until": "2024-08-31",
               "reason": "cadmium above limit", "reference": "GACC notice 11/06/2024"}),
    );
    assert_eq!(suspended.status, 201, "{}", suspended.text);
}

#[test]
fn an_admin_registers_a_packing_house_under_its_normalised_code() {
    let app = TestApp::spawn();
    let created = register(&app, &packing_house(" vn-btph-036 "));
    assert_eq!(created["code"], "VN-BTPH-036");
    assert_eq!(created["kind"], "packing_house");
    assert_eq!(created["commodities"], json!(["durian"]));
    assert_eq!(
        created["source"],
        json!({"list": "GACC approved durian packing houses", "date": "2023-01-01"})
    );
    let stored: Vec<String> = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "(SELECT string_agg(kind || ' ' || code, ',') FROM establishments)",
    ))
    .load(&mut app.db.connect())
    .unwrap();
    assert_eq!(stored, ["packing_house VN-BTPH-036"]);
}

#[test]
fn a_code_that_breaks_the_pattern_of_its_kind_is_refused() {
    let app = TestApp::spawn();
    let response = app.post("/v1/establishments", Some(&app.admin_key), &packing_house("BTPH36"));
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/code");
    assert_eq!(response.json["errors"][0]["code"], "invalid_format");
    assert!(
        response.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("VN-BTPH-036")
    );
}

#[test]
fn the_same_code_in_other_case_and_spacing_gets_409() {
    let app = TestApp::spawn();
    register(&app, &packing_house("VN-BTPH-036"));
    let response = app.post(
        "/v1/establishments",
        Some(&app.admin_key),
        &packing_house("vn-btph- 036"),
    );
    assert_eq!(response.status, 409);
    assert_eq!(response.json["code"], "establishment_exists");
}

#[test]
fn a_processing_plant_cannot_be_registered_for_coconut() {
    let app = TestApp::spawn();
    let mut body = packing_house("NAMDO-01");
    body["kind"] = json!("processing_plant");
    body["commodities"] = json!(["coconut"]);
    let response = app.post("/v1/establishments", Some(&app.admin_key), &body);
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/commodities/0");
}

#[test]
fn an_exporter_reads_the_registry_but_cannot_change_it() {
    let app = TestApp::spawn();
    suspended_over_summer(&app);
    let (_, exporter) = app.exporter_with_key("0312345678");
    assert_eq!(app.get(PATH, Some(&exporter)).status, 200);
    assert_eq!(app.get("/v1/establishments", Some(&exporter)).status, 200);
    assert_eq!(
        app.post("/v1/establishments", Some(&exporter), &packing_house("VN-BTPH-037"))
            .status,
        403
    );
    assert_eq!(change_status_as(&app, &exporter).status, 403);
    assert_eq!(app.get(PATH, None).status, 401);
}

fn change_status_as(app: &TestApp, key: &str) -> TestResponse {
    app.post(
        &format!("{PATH}/status-changes"),
        Some(key),
        &json!({"status": "revoked", "effective_from": "2025-01-01", "reference": "x"}),
    )
}

#[test]
fn a_new_establishment_is_not_registered_until_it_has_a_status() {
    let app = TestApp::spawn();
    register(&app, &packing_house("VN-BTPH-036"));
    assert_eq!(status_on(&app, PATH, "2024-01-01"), "not_registered");
}

#[test]
fn a_bounded_suspension_applies_from_its_first_to_its_last_day() {
    let app = TestApp::spawn();
    suspended_over_summer(&app);
    assert_eq!(status_on(&app, PATH, "2022-12-31"), "not_registered");
    assert_eq!(status_on(&app, PATH, "2023-01-01"), "approved");
    assert_eq!(status_on(&app, PATH, "2024-06-11"), "approved");
    assert_eq!(status_on(&app, PATH, "2024-06-12"), "suspended");
    assert_eq!(status_on(&app, PATH, "2024-08-31"), "suspended");
    assert_eq!(status_on(&app, PATH, "2024-09-01"), "approved");
}

#[test]
fn the_detail_names_the_deciding_period_and_lists_the_whole_history() {
    let app = TestApp::spawn();
    suspended_over_summer(&app);
    let detail = app.get(&format!("{PATH}?on=2024-07-01"), Some(&app.admin_key)).json;
    let history = detail["status_history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["status"], "suspended");
    assert_eq!(history[1]["effective_until"], "2024-08-31");
    assert_eq!(history[1]["reason"], "cadmium above limit");
    assert_eq!(detail["status_on"]["date"], "2024-07-01");
    assert_eq!(detail["status_on"]["commodities"][0]["decided_by"], history[1]["id"]);
}

#[test]
fn an_open_ended_suspension_is_lifted_by_a_later_approval() {
    let app = TestApp::spawn();
    register(&app, &packing_house("VN-BTPH-036"));
    change_status(
        &app,
        PATH,
        json!({"status": "approved", "effective_from": "2023-01-01", "reference": "list"}),
    );
    change_status(
        &app,
        PATH,
        json!({"status": "suspended", "effective_from": "2024-06-12", "reference": "notice A"}),
    );
    assert_eq!(status_on(&app, PATH, "2030-01-01"), "suspended");
    change_status(
        &app,
        PATH,
        json!({"status": "approved", "effective_from": "2024-10-15", "reference": "notice B"}),
    );
    assert_eq!(status_on(&app, PATH, "2024-10-14"), "suspended");
    assert_eq!(status_on(&app, PATH, "2024-10-15"), "approved");
}

#[test]
fn a_suspension_in_the_future_applies_only_from_its_first_day() {
    let app = TestApp::spawn();
    suspended_over_summer(&app);
    change_status(
        &app,
        PATH,
        json!({"status": "suspended", "effective_from": "2099-01-01", "reference": "notice Z"}),
    );
    assert_eq!(status_on(&app, PATH, "2098-12-31"), "approved");
    assert_eq!(status_on(&app, PATH, "2099-01-01"), "suspended");
}

#[test]
fn overlapping_windows_with_different_statuses_from_one_reference_get_422_and_nothing_is_stored() {
    let app = TestApp::spawn();
    suspended_over_summer(&app);
    let before = app.db.scalar("SELECT count(*) FROM establishment_status_periods");
    let response = change_status(
        &app,
        PATH,
        json!({"status": "approved", "effective_from": "2024-08-01", "reference": "GACC notice 11/06/2024"}),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "contradicts_reference");
    assert_eq!(
        app.db.scalar("SELECT count(*) FROM establishment_status_periods"),
        before
    );
}

#[test]
fn a_window_that_ends_before_it_starts_gets_422() {
    let app = TestApp::spawn();
    register(&app, &packing_house("VN-BTPH-036"));
    let response = change_status(
        &app,
        PATH,
        json!({"status": "suspended", "effective_from": "2024-06-12", "effective_until": "2024-06-11", "reference": "n"}),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/effective_until");
}

#[test]
fn a_status_for_a_commodity_the_establishment_is_not_registered_for_gets_422() {
    let app = TestApp::spawn();
    register(&app, &packing_house("VN-BTPH-036"));
    let response = change_status(
        &app,
        PATH,
        json!({"status": "approved", "commodities": ["coconut"], "effective_from": "2024-01-01", "reference": "n"}),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "not_registered_for_commodity");
}

#[test]
fn an_unknown_kind_or_code_gets_404() {
    let app = TestApp::spawn();
    assert_eq!(
        app.get("/v1/establishments/warehouse/X1", Some(&app.admin_key)).status,
        404
    );
    assert_eq!(app.get(PATH, Some(&app.admin_key)).status, 404);
}

#[test]
fn the_list_filters_on_the_status_for_a_commodity_on_a_date() {
    let app = TestApp::spawn();
    suspended_over_summer(&app);
    register(&app, &packing_house("VN-BTPH-037"));
    change_status(
        &app,
        "/v1/establishments/packing_house/VN-BTPH-037",
        json!({"status": "approved", "effective_from": "2023-01-01", "reference": "GACC list 2023"}),
    );
    let codes = |query: &str| -> Vec<String> {
        let response = app.get(&format!("/v1/establishments?{query}"), Some(&app.admin_key));
        assert_eq!(response.status, 200, "{}", response.text);
        response.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(codes("commodity=durian&status=approved&on=2024-07-01"), ["VN-BTPH-037"]);
    assert_eq!(
        codes("commodity=durian&status=suspended&on=2024-07-01"),
        ["VN-BTPH-036"]
    );
    assert_eq!(
        codes("commodity=durian&status=approved&on=2024-09-01"),
        ["VN-BTPH-036", "VN-BTPH-037"]
    );
    assert_eq!(
        codes("commodity=coconut&status=approved&on=2024-09-01"),
        Vec::<String>::new()
    );
}

#[test]
fn a_status_filter_without_a_commodity_gets_422() {
    let app = TestApp::spawn();
    let response = app.get("/v1/establishments?status=approved", Some(&app.admin_key));
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "required_with_status");
}

#[test]
fn the_list_searches_code_and_name_filters_by_province_and_pages_with_a_cursor() {
    let app = TestApp::spawn();
    for (code, name, province) in [
        ("VN-BTPH-001", "Chợ Lách Fruit", "Bến Tre"),
        ("VN-BTPH-002", "Mekong Durian", "Bến Tre"),
        ("VN-TGPH-003", "Cái Bè Packing", "Tiền Giang"),
    ] {
        let mut body = packing_house(code);
        body["name"] = json!(name);
        body["province"] = json!(province);
        register(&app, &body);
    }
    let codes = |query: &str| -> Value {
        app.get(&format!("/v1/establishments?{query}"), Some(&app.admin_key))
            .json
    };
    assert_eq!(codes("q=durian")["items"][0]["code"], "VN-BTPH-002");
    assert_eq!(codes("q=tgph")["items"][0]["code"], "VN-TGPH-003");
    assert_eq!(
        codes("province=Ti%E1%BB%81n%20Giang")["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let first = codes("kind=packing_house&limit=2");
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let second = codes(&format!(
        "kind=packing_house&limit=2&cursor={}",
        first["next_cursor"].as_str().unwrap()
    ));
    assert_eq!(second["items"][0]["code"], "VN-TGPH-003");
    assert_eq!(second["next_cursor"], Value::Null);
}

#[test]
fn a_patch_changes_descriptive_fields_clears_nullable_ones_and_is_audited() {
    let app = TestApp::spawn();
    let created = register(&app, &packing_house("VN-BTPH-036"));
    let response = app.request(
        "PATCH",
        PATH,
        Some(&app.admin_key),
        Some("application/merge-patch+json"),
        json!({"name": "Vina T&T Co., Ltd", "province": null})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(response.json["name"], "Vina T&T Co., Ltd");
    assert_eq!(response.json["province"], Value::Null);
    assert_eq!(response.json["code"], "VN-BTPH-036");
    let events = app.get(
        &format!(
            "/v1/audit-events?entity_type=establishment&entity_id={}",
            created["id"].as_str().unwrap()
        ),
        Some(&app.admin_key),
    );
    let actions: Vec<&str> = events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["establishment.created", "establishment.updated"]);
}

#[test]
fn a_code_use_authorisation_is_recorded_for_the_holder_and_another_exporter() {
    let app = TestApp::spawn();
    let holder = app.create_exporter("0312345678");
    let borrower = app.create_exporter("0398765432");
    let mut body = packing_house("VN-BTPH-036");
    body["holder_organization_id"] = holder["id"].clone();
    register(&app, &body);
    let response = app.post(
        &format!("{PATH}/authorizations"),
        Some(&app.admin_key),
        &json!({"authorized_organization_id": borrower["id"], "valid_from": "2025-02-01", "valid_until": "2025-07-31",
                "document_reference": "CV 15/2025 to Sở NN&PTNT Bến Tre"}),
    );
    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(response.json["holder_organization_id"], holder["id"]);
    let detail = app.get(PATH, Some(&app.admin_key)).json;
    assert_eq!(detail["authorizations"], json!([response.json]));
}

#[test]
fn an_authorisation_needs_a_recorded_holder() {
    let app = TestApp::spawn();
    let borrower = app.create_exporter("0398765432");
    register(&app, &packing_house("VN-BTPH-036"));
    let response = app.post(
        &format!("{PATH}/authorizations"),
        Some(&app.admin_key),
        &json!({"authorized_organization_id": borrower["id"], "valid_from": "2025-02-01", "valid_until": "2025-07-31",
                "document_reference": "CV 15/2025"}),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "holder_unknown");
    assert_eq!(app.db.scalar("SELECT count(*) FROM code_use_authorizations"), 0);
}

#[test]
fn an_authorisation_for_an_authority_is_refused() {
    let app = TestApp::spawn();
    let holder = app.create_exporter("0312345678");
    let authority = app.create_authority("PPD");
    let mut body = packing_house("VN-BTPH-036");
    body["holder_organization_id"] = holder["id"].clone();
    register(&app, &body);
    let response = app.post(
        &format!("{PATH}/authorizations"),
        Some(&app.admin_key),
        &json!({"authorized_organization_id": authority["id"], "valid_from": "2025-02-01", "valid_until": "2025-07-31",
                "document_reference": "CV 15/2025"}),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "not_an_exporter");
}

#[test]
fn status_changes_are_audited() {
    let app = TestApp::spawn();
    suspended_over_summer(&app);
    let events = app.get("/v1/audit-events?entity_type=establishment", Some(&app.admin_key));
    let actions: Vec<&str> = events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "establishment.created",
            "establishment.status_changed",
            "establishment.status_changed"
        ]
    );
    assert_eq!(events.json["items"][2]["state"]["reference"], "GACC notice 11/06/2024");
}
