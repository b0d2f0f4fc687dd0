//! Every state-changing POST takes an Idempotency-Key: a repeat of the same request answers
//! the first response again and changes nothing; the same key with another request is 422.

use crate::contract::check_response;
use crate::fixtures::{World, coconut, passing_inspection, world, world_with};
use crate::helpers::{TestApp, TestResponse, exporter_body};
use serde_json::{Value, json};

fn send(app: &TestApp, path: &str, key: &str, idempotency_key: &str, body: Option<&Value>) -> TestResponse {
    let bytes = body.map(Value::to_string).unwrap_or_default();
    let content_type = body.map(|_| "application/json");
    let headers = [("Idempotency-Key", idempotency_key)];
    let response = app.send_unchecked("POST", path, &headers, Some(key), content_type, bytes.as_bytes());
    check_response("POST", path, &response);
    response
}

/// Sends the request twice with one key; asserts the second is the first replayed.
fn sent_twice(app: &TestApp, path: &str, key: &str, body: Option<&Value>) -> TestResponse {
    let first = send(app, path, key, "retry-1", body);
    assert!((200..300).contains(&first.status), "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);
    let second = send(app, path, key, "retry-1", body);
    assert_eq!(second.status, first.status, "{}", second.text);
    assert_eq!(second.json, first.json);
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    first
}

fn count(app: &TestApp, query: &str) -> i64 {
    app.db.scalar(query)
}

#[test]
fn a_repeated_organisation_creation_answers_the_first_response_and_creates_one() {
    let app = TestApp::spawn();
    sent_twice(
        &app,
        "/v1/organizations",
        &app.admin_key,
        Some(&exporter_body("0312345678")),
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM organizations WHERE kind = 'exporter'"),
        1
    );
}

#[test]
fn the_same_key_with_another_body_is_refused_and_changes_nothing() {
    let app = TestApp::spawn();
    send(
        &app,
        "/v1/organizations",
        &app.admin_key,
        "k",
        Some(&exporter_body("0312345678")),
    );
    let other = send(
        &app,
        "/v1/organizations",
        &app.admin_key,
        "k",
        Some(&exporter_body("0312345679")),
    );
    assert_eq!(other.status, 422, "{}", other.text);
    assert_eq!(other.json["errors"][0]["code"], "idempotency_key_reused");
    assert_eq!(
        count(&app, "SELECT count(*) FROM organizations WHERE kind = 'exporter'"),
        1
    );
}

#[test]
fn the_same_body_with_keys_in_another_order_is_the_same_request() {
    let app = TestApp::spawn();
    let first = send(
        &app,
        "/v1/organizations",
        &app.admin_key,
        "k",
        Some(&exporter_body("0312345678")),
    );
    let reordered = r#"{"province":"Bến Tre","address":"Ấp 3, xã Vĩnh Thành, huyện Chợ Lách","tax_code":"0312345678","name":"Công ty TNHH Xuất khẩu Sầu Riêng Cái Mơn","kind":"exporter"}"#;
    let headers = [("Idempotency-Key", "k")];
    let again = app.send_unchecked(
        "POST",
        "/v1/organizations",
        &headers,
        Some(&app.admin_key),
        Some("application/json"),
        reordered.as_bytes(),
    );
    assert_eq!((again.status, again.json.clone()), (201, first.json));
}

#[test]
fn keys_are_scoped_to_the_organisation_that_sent_them() {
    let world = world();
    let (_, other_exporter) = world.app.exporter_with_key("0312345679");
    let declaration = crate::fixtures::departing_soon(&coconut());
    let mine = send(
        &world.app,
        "/v1/consignments",
        &world.exporter,
        "shared",
        Some(&declaration),
    );
    let theirs = send(
        &world.app,
        "/v1/consignments",
        &other_exporter,
        "shared",
        Some(&declaration),
    );
    assert_eq!((mine.status, theirs.status), (201, 201));
    assert_ne!(mine.json["id"], theirs.json["id"]);
}

#[test]
fn a_malformed_key_is_a_bad_request() {
    let app = TestApp::spawn();
    let response = send(
        &app,
        "/v1/organizations",
        &app.admin_key,
        "two words",
        Some(&exporter_body("0312345678")),
    );
    assert_eq!(response.status, 400);
    assert_eq!(response.json["code"], "invalid_idempotency_key");
}

#[test]
fn a_key_creation_refuses_an_idempotency_key_because_its_secret_is_never_kept() {
    let app = TestApp::spawn();
    let organization = app.create_exporter("0312345678");
    let path = format!("/v1/organizations/{}/api-keys", organization["id"].as_str().unwrap());
    let response = send(
        &app,
        &path,
        &app.admin_key,
        "k",
        Some(&json!({"role": "exporter", "label": "erp"})),
    );
    assert_eq!(response.status, 400, "{}", response.text);
    assert_eq!(response.json["code"], "idempotency_not_supported");
    assert_eq!(count(&app, "SELECT count(*) FROM api_keys WHERE label = 'erp'"), 0);
}

fn registry_body() -> Value {
    json!({"kind": "packing_house", "code": "VN-BTPH-099", "name": "Packing house 99", "address": "Ấp 1",
           "province": "Bến Tre", "commodities": ["durian"], "source": {"list": "GACC list", "date": "2024-05-01"}})
}

#[test]
fn a_repeated_establishment_registration_answers_the_first_response() {
    let app = TestApp::spawn();
    sent_twice(&app, "/v1/establishments", &app.admin_key, Some(&registry_body()));
    assert_eq!(count(&app, "SELECT count(*) FROM establishments"), 1);
}

#[test]
fn a_repeated_status_change_records_one_period() {
    let app = TestApp::spawn();
    app.post("/v1/establishments", Some(&app.admin_key), &registry_body());
    let body = json!({"status": "approved", "effective_from": "2024-05-01", "reference": "GACC list"});
    let path = "/v1/establishments/packing_house/VN-BTPH-099/status-changes";
    sent_twice(&app, path, &app.admin_key, Some(&body));
    assert_eq!(count(&app, "SELECT count(*) FROM establishment_status_periods"), 1);
}

#[test]
fn a_repeated_code_use_authorisation_records_one() {
    let world = world();
    let app = &world.app;
    let (packer, _) = app.exporter_with_key("0312345679");
    let body = json!({"authorized_organization_id": packer["id"], "valid_from": "2024-01-01",
                      "valid_until": "2030-12-31", "document_reference": "Contract 12/2024"});
    let path = "/v1/establishments/orchard/VN-TGOR-0095/authorizations";
    let before = count(app, "SELECT count(*) FROM code_use_authorizations");
    sent_twice(app, path, &app.admin_key, Some(&body));
    assert_eq!(count(app, "SELECT count(*) FROM code_use_authorizations"), before + 1);
}

#[test]
fn a_repeated_list_import_applies_once() {
    let app = TestApp::spawn();
    let body = json!({"kind": "packing_house", "commodity": "durian", "list_date": "2024-05-01", "source": "GACC list",
                      "rows": [{"code": "VN-BTPH-012", "name": "Packing house 12", "address": "Ấp 2", "province": "Tiền Giang"}]});
    sent_twice(&app, "/v1/establishment-imports", &app.admin_key, Some(&body));
    assert_eq!(count(&app, "SELECT count(*) FROM establishment_imports"), 1);
}

fn draft(world: &World) -> String {
    let created = world.app.post(
        "/v1/consignments",
        Some(&world.exporter),
        &crate::fixtures::departing_soon(&coconut()),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    created.json["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_repeated_submission_answers_the_first_response_with_its_etag() {
    let world = world();
    let id = draft(&world);
    let first = sent_twice(
        &world.app,
        &format!("/v1/consignments/{id}/submit"),
        &world.exporter,
        None,
    );
    assert_eq!(first.json["status"], "submitted");
}

#[test]
fn a_repeated_cancellation_answers_the_first_response() {
    let world = world();
    let id = draft(&world);
    let first = sent_twice(
        &world.app,
        &format!("/v1/consignments/{id}/cancel"),
        &world.exporter,
        None,
    );
    assert_eq!(first.json["status"], "cancelled");
}

#[test]
fn a_repeated_inspection_records_one() {
    let world = world();
    let id = world.submitted(&coconut());
    let path = format!("/v1/consignments/{id}/inspections");
    sent_twice(
        &world.app,
        &path,
        &world.ppd_inspector,
        Some(&passing_inspection(&coconut())),
    );
    assert_eq!(count(&world.app, "SELECT count(*) FROM inspections"), 1);
}

#[test]
fn a_repeated_approval_issues_one_certificate() {
    let world = world();
    let id = world.inspected(&coconut());
    let body = json!({"authorized_officer": "Nguyễn Văn An", "place_of_issue": "Hà Nội"});
    let first = sent_twice(
        &world.app,
        &format!("/v1/consignments/{id}/approve"),
        &world.ppd_inspector,
        Some(&body),
    );
    assert!(first.json["certificate"]["number"].is_string());
    assert_eq!(count(&world.app, "SELECT count(*) FROM certificates"), 1);
}

#[test]
fn a_repeated_rejection_answers_the_first_response() {
    let world = world();
    let id = world.submitted(&coconut());
    let body = json!({"reason_code": "documents_non_compliant", "reason": "The carton labels are missing."});
    let first = sent_twice(
        &world.app,
        &format!("/v1/consignments/{id}/reject"),
        &world.ppd_inspector,
        Some(&body),
    );
    assert_eq!(first.json["status"], "rejected");
    assert_eq!(count(&world.app, "SELECT count(*) FROM consignment_decisions"), 1);
}

#[test]
fn a_repeated_return_answers_the_first_response() {
    let world = world();
    let id = world.submitted(&coconut());
    let body = json!({"reason": "Add the carton labels."});
    let first = sent_twice(
        &world.app,
        &format!("/v1/consignments/{id}/return"),
        &world.ppd_inspector,
        Some(&body),
    );
    assert_eq!(first.json["status"], "returned");
    assert_eq!(count(&world.app, "SELECT count(*) FROM consignment_decisions"), 1);
}

#[test]
fn a_repeated_revocation_answers_the_first_response_instead_of_409() {
    let world = world();
    let number = world.approved_certificate(&coconut());
    let path = format!("/v1/certificates/{number}/revoke");
    let first = sent_twice(
        &world.app,
        &path,
        &world.ppd_inspector,
        Some(&json!({"reason": "Issued in error"})),
    );
    assert_eq!(first.json["status"], "revoked");
}

#[test]
fn a_repeated_replacement_issues_one_replacement() {
    let world = world();
    let number = world.approved_certificate(&coconut());
    let body = json!({"reason": "Consignee address corrected", "authorized_officer": "Nguyễn Văn An", "place_of_issue": "Hà Nội"});
    let path = format!("/v1/certificates/{number}/replace");
    sent_twice(&world.app, &path, &world.ppd_inspector, Some(&body));
    assert_eq!(count(&world.app, "SELECT count(*) FROM certificates"), 2);
}

#[test]
fn concurrent_duplicate_approvals_with_one_key_issue_one_certificate_and_both_get_its_response() {
    let world = world_with(&[("DB_POOL_SIZE", "4")]);
    let id = world.inspected(&coconut());
    let body = json!({"authorized_officer": "Nguyễn Văn An", "place_of_issue": "Hà Nội"});
    let path = format!("/v1/consignments/{id}/approve");
    let answers: Vec<TestResponse> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| send(&world.app, &path, &world.ppd_inspector, "approve-once", Some(&body))))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a request thread"))
            .collect()
    });
    for answer in &answers {
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json, answers[0].json);
    }
    assert_eq!(count(&world.app, "SELECT count(*) FROM certificates"), 1);
}
