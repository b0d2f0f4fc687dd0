use crate::helpers::{TestApp, TestResponse};
use serde_json::{Value, json};

pub(crate) fn list(rows: &[(&str, &str)], complete: bool, date: &str) -> Value {
    json!({
        "kind": "packing_house",
        "commodity": "durian",
        "list_date": date,
        "source": format!("GACC list of durian packing houses {date}"),
        "complete": complete,
        "rows": rows.iter().map(|(code, name)| json!({"code": code, "name": name, "address": "Bến Tre", "province": "Bến Tre"})).collect::<Vec<_>>()
    })
}

pub(crate) fn import(app: &TestApp, body: &Value) -> TestResponse {
    app.post("/v1/establishment-imports", Some(&app.admin_key), body)
}

fn status(app: &TestApp, code: &str, date: &str) -> String {
    let response = app.get(
        &format!("/v1/establishments/packing_house/{code}?on={date}"),
        Some(&app.admin_key),
    );
    assert_eq!(response.status, 200, "{}", response.text);
    response.json["status_on"]["commodities"][0]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

const TWO: [(&str, &str); 2] = [
    ("VN-BTPH-001", "Cơ sở đóng gói Một"),
    ("VN-BTPH-002", "Cơ sở đóng gói Hai"),
];

/// Events are sealed into the chain shortly after commit; count them wherever they are.
const AUDIT_EVENTS_SEALED_OR_NOT: &str =
    "SELECT (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM audit_pending)";

#[test]
fn a_json_list_adds_its_establishments_approved_from_the_list_date() {
    let app = TestApp::spawn();
    let response = import(&app, &list(&TWO, false, "2024-05-01"));
    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(
        response.json["summary"],
        json!({"added": 2, "updated": 0, "unchanged": 0, "revoked": 0})
    );
    assert_eq!(response.json["rows"], 2);
    assert_eq!(status(&app, "VN-BTPH-001", "2024-04-30"), "not_registered");
    assert_eq!(status(&app, "VN-BTPH-001", "2024-05-01"), "approved");
    assert_eq!(app.db.scalar("SELECT count(*) FROM establishment_imports"), 1);
}

#[test]
fn importing_the_same_list_twice_changes_nothing_the_second_time() {
    let app = TestApp::spawn();
    import(&app, &list(&TWO, true, "2024-05-01"));
    let counts = |app: &TestApp| {
        (
            app.db.scalar("SELECT count(*) FROM establishments"),
            app.db.scalar("SELECT count(*) FROM establishment_status_periods"),
            app.db.scalar(AUDIT_EVENTS_SEALED_OR_NOT),
        )
    };
    let before = counts(&app);
    let again = import(&app, &list(&TWO, true, "2024-05-01"));
    assert_eq!(again.status, 201);
    assert_eq!(
        again.json["summary"],
        json!({"added": 0, "updated": 0, "unchanged": 2, "revoked": 0})
    );
    let after = counts(&app);
    assert_eq!((after.0, after.1), (before.0, before.1));
    assert_eq!(after.2, before.2 + 1, "only the import itself is audited");
}

#[test]
fn a_complete_list_revokes_the_establishments_it_omits_from_its_date() {
    let app = TestApp::spawn();
    import(&app, &list(&TWO, true, "2024-05-01"));
    let response = import(&app, &list(&TWO[..1], true, "2024-07-01"));
    // The kept row repeats its details, so it is unchanged and keeps the source it came from.
    assert_eq!(
        response.json["summary"],
        json!({"added": 0, "updated": 0, "unchanged": 1, "revoked": 1})
    );
    assert_eq!(status(&app, "VN-BTPH-002", "2024-06-30"), "approved");
    assert_eq!(status(&app, "VN-BTPH-002", "2024-07-01"), "revoked");
    assert_eq!(status(&app, "VN-BTPH-001", "2024-07-01"), "approved");
    let detail = app
        .get("/v1/establishments/packing_house/VN-BTPH-002", Some(&app.admin_key))
        .json;
    let revocation = &detail["status_history"][1];
    assert_eq!(
        revocation["reference"],
        format!("import {}", response.json["id"].as_str().unwrap())
    );
    assert_eq!(revocation["import_id"], response.json["id"]);
}

#[test]
fn a_list_not_declared_complete_revokes_nothing() {
    let app = TestApp::spawn();
    import(&app, &list(&TWO, false, "2024-05-01"));
    let response = import(&app, &list(&TWO[..1], false, "2024-05-01"));
    assert_eq!(
        response.json["summary"],
        json!({"added": 0, "updated": 0, "unchanged": 1, "revoked": 0})
    );
    assert_eq!(status(&app, "VN-BTPH-002", "2024-07-01"), "approved");
}

#[test]
fn a_list_with_one_bad_row_is_refused_whole_and_nothing_is_applied() {
    let app = TestApp::spawn();
    let audit_before = app.db.scalar(AUDIT_EVENTS_SEALED_OR_NOT);
    let response = import(
        &app,
        &list(
            &[("VN-BTPH-001", "Một"), ("PH-2", "Hai"), ("VN-BTPH-003", "Ba")],
            true,
            "2024-05-01",
        ),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"].as_array().unwrap().len(), 1);
    assert_eq!(response.json["errors"][0]["pointer"], "/rows/1/code");
    assert!(
        response.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Row 2: ")
    );
    assert_eq!(app.db.scalar("SELECT count(*) FROM establishments"), 0);
    assert_eq!(app.db.scalar("SELECT count(*) FROM establishment_imports"), 0);
    assert_eq!(app.db.scalar(AUDIT_EVENTS_SEALED_OR_NOT), audit_before);
}

#[test]
fn a_code_listed_twice_is_refused() {
    let app = TestApp::spawn();
    let response = import(
        &app,
        &list(&[("VN-BTPH-001", "Một"), ("vn-btph-001", "Một")], false, "2024-05-01"),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "duplicate_code");
}

#[test]
fn a_renamed_establishment_in_a_later_list_is_updated() {
    let app = TestApp::spawn();
    import(&app, &list(&TWO, false, "2024-05-01"));
    let response = import(
        &app,
        &list(&[("VN-BTPH-001", "Cơ sở Một (đổi tên)")], false, "2024-05-01"),
    );
    assert_eq!(
        response.json["summary"],
        json!({"added": 0, "updated": 1, "unchanged": 0, "revoked": 0})
    );
    let detail = app
        .get("/v1/establishments/packing_house/VN-BTPH-001", Some(&app.admin_key))
        .json;
    assert_eq!(detail["name"], "Cơ sở Một (đổi tên)");
    assert_eq!(detail["status_history"].as_array().unwrap().len(), 1);
}

#[test]
fn a_csv_list_is_imported_with_its_description_in_the_query() {
    let app = TestApp::spawn();
    let csv = "code,name,address,province\nvn-btph-036,\"Vina T&T, Bến Tre\",Chợ Lách,Bến Tre\nVN-BTPH-037,Mekong,Chợ Lách,\n";
    let response = app.request(
        "POST",
        "/v1/establishment-imports?kind=packing_house&commodity=durian&list_date=2024-05-01&source=GACC%20list&complete=true",
        Some(&app.admin_key),
        Some("text/csv; charset=utf-8"),
        csv.as_bytes(),
    );
    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(response.json["summary"]["added"], 2);
    let detail = app
        .get("/v1/establishments/packing_house/VN-BTPH-036", Some(&app.admin_key))
        .json;
    assert_eq!(detail["name"], "Vina T&T, Bến Tre");
    assert_eq!(detail["source"], json!({"list": "GACC list", "date": "2024-05-01"}));
}

#[test]
fn a_csv_list_without_its_description_gets_422() {
    let app = TestApp::spawn();
    let response = app.request(
        "POST",
        "/v1/establishment-imports?kind=packing_house",
        Some(&app.admin_key),
        Some("text/csv"),
        b"code,name,address\nVN-BTPH-036,A,B\n",
    );
    assert_eq!(response.status, 422);
    let pointers: Vec<&str> = response.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/commodity", "/list_date", "/source"]);
}

#[test]
fn a_csv_row_with_a_missing_field_is_named() {
    let app = TestApp::spawn();
    let response = app.request(
        "POST",
        "/v1/establishment-imports?kind=packing_house&commodity=durian&list_date=2024-05-01&source=GACC",
        Some(&app.admin_key),
        Some("text/csv"),
        b"code,name,address\nVN-BTPH-036,A,B\nVN-BTPH-037,C\n",
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/rows/1");
    assert_eq!(app.db.scalar("SELECT count(*) FROM establishments"), 0);
}

#[test]
fn an_exporter_cannot_import_a_list() {
    let app = TestApp::spawn();
    let (_, exporter) = app.exporter_with_key("0312345678");
    let response = app.post(
        "/v1/establishment-imports",
        Some(&exporter),
        &list(&TWO, false, "2024-05-01"),
    );
    assert_eq!(response.status, 403);
}

#[test]
fn an_import_is_audited_per_establishment_and_the_chain_still_verifies() {
    let app = TestApp::spawn();
    import(&app, &list(&TWO, false, "2024-05-01"));
    let events = app.get("/v1/audit-events?limit=200", Some(&app.admin_key)).json;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "api_key.created",
            "establishment_import.applied",
            "establishment.created",
            "establishment.created"
        ]
    );
    assert_eq!(
        app.get("/v1/audit-events/verification", Some(&app.admin_key)).json["status"],
        "ok"
    );
}

#[test]
fn a_list_does_not_lift_a_suspension_recorded_by_a_status_change_and_reports_it_as_a_conflict() {
    let app = TestApp::spawn();
    import(&app, &list(&TWO, false, "2024-05-01"));
    let suspended = app.post(
        "/v1/establishments/packing_house/VN-BTPH-001/status-changes",
        Some(&app.admin_key),
        &json!({"status": "suspended", "effective_from": "2024-06-12", "reason": "cadmium", "reference": "GACC notice 2024-06"}),
    );
    assert_eq!(suspended.status, 201, "{}", suspended.text);
    let response = import(&app, &list(&TWO, false, "2024-07-01"));
    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(
        response.json["conflicts"],
        json!([{"code": "VN-BTPH-001", "status": "suspended", "effective_from": "2024-06-12",
                "effective_until": null, "reference": "GACC notice 2024-06"}])
    );
    assert_eq!(status(&app, "VN-BTPH-001", "2024-07-01"), "suspended");
    assert_eq!(status(&app, "VN-BTPH-001", "2025-01-01"), "suspended");
    assert_eq!(status(&app, "VN-BTPH-002", "2024-07-01"), "approved");
}

#[test]
fn a_list_names_each_codes_holder_by_tax_code_and_an_unknown_tax_code_is_refused() {
    let app = TestApp::spawn();
    let exporter = app.create_exporter("0312345678");
    let mut body = list(&TWO, false, "2024-05-01");
    body["rows"][0]["holder_tax_code"] = json!("0312345678");
    let response = import(&app, &body);
    assert_eq!(response.status, 201, "{}", response.text);
    let detail = app.get("/v1/establishments/packing_house/VN-BTPH-001", Some(&app.admin_key));
    assert_eq!(detail.json["holder_organization_id"], exporter["id"]);

    body["rows"][1]["holder_tax_code"] = json!("0399999999");
    let refused = import(&app, &body);
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json["errors"][0]["pointer"], "/rows/1/holder_tax_code");
    assert_eq!(refused.json["errors"][0]["code"], "unknown_exporter");
}

#[test]
fn a_code_imported_with_its_holder_cannot_be_borrowed_by_another_exporter() {
    let world = crate::fixtures::world();
    let mut body = list(&[("VN-BTPH-040", "Cơ sở đóng gói Bốn Mươi")], false, "2024-05-01");
    body["rows"][0]["holder_tax_code"] = json!("0312345678");
    assert_eq!(import(&world.app, &body).status, 201);
    let (_, other_exporter) = world.app.exporter_with_key("0312345679");
    let mut declaration = crate::fixtures::fresh_durian();
    declaration["lots"][0]["packing_house_code"] = json!("VN-BTPH-040");
    declaration["carton_label"] = json!("Product of Vietnam - VN-TGOR-0095 - VN-BTPH-040");
    let report = world
        .app
        .post("/v1/compliance-checks", Some(&other_exporter), &declaration);
    assert_eq!(report.status, 200, "{}", report.text);
    let borrowed = report.json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|violation| violation["pointer"] == "/lots/0/packing_house_code")
        .unwrap()
        .clone();
    assert_eq!(borrowed["rule_id"], "PLANT-CODE-USE-AUTHORIZED");
    assert_eq!(borrowed["severity"], "error");
}
