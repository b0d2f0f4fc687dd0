use crate::helpers::{TestApp, exporter_body};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use serde_json::json;

#[derive(QueryableByName, Debug, PartialEq)]
struct OrganizationRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    tax_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    authority: Option<String>,
}

fn stored(app: &TestApp, id: &str) -> Vec<OrganizationRow> {
    diesel::sql_query("SELECT kind, name, tax_code, authority FROM organizations WHERE id = $1::uuid")
        .bind::<Text, _>(id)
        .load(&mut app.db.connect())
        .expect("query organizations")
}

#[test]
fn an_admin_creates_an_exporter_organisation() {
    let app = TestApp::spawn();
    let response = app.post("/v1/organizations", Some(&app.admin_key), &exporter_body("0312345678"));
    assert_eq!(response.status, 201, "{}", response.text);
    let id = response.json["id"].as_str().expect("id").to_owned();
    assert_eq!(
        response.header("location"),
        Some(format!("/v1/organizations/{id}").as_str())
    );
    assert_eq!(response.json["kind"], "exporter");
    assert_eq!(response.json["name"], "Công ty TNHH Xuất khẩu Sầu Riêng Cái Mơn");
    assert_eq!(response.json["tax_code"], "0312345678");
    assert_eq!(response.json["province"], "Bến Tre");
    assert_eq!(response.json["authority"], serde_json::Value::Null);
    assert_eq!(
        stored(&app, &id),
        [OrganizationRow {
            kind: "exporter".into(),
            name: "Công ty TNHH Xuất khẩu Sầu Riêng Cái Mơn".into(),
            tax_code: Some("0312345678".into()),
            authority: None
        }]
    );
    assert_eq!(
        app.get(&format!("/v1/organizations/{id}"), Some(&app.admin_key)).json,
        response.json
    );
}

#[test]
fn an_admin_creates_an_authority_organisation() {
    let app = TestApp::spawn();
    let organization = app.create_authority("DAH");
    assert_eq!(organization["kind"], "authority");
    assert_eq!(organization["authority"], "DAH");
    assert_eq!(organization["tax_code"], serde_json::Value::Null);
}

#[test]
fn a_branch_tax_code_of_ten_plus_three_digits_is_accepted() {
    let app = TestApp::spawn();
    assert_eq!(app.create_exporter("0312345678-001")["tax_code"], "0312345678-001");
}

#[test]
fn an_exporter_with_a_malformed_tax_code_and_no_province_is_refused_with_both_pointers() {
    let app = TestApp::spawn();
    let mut body = exporter_body("12345");
    body.as_object_mut().expect("object").remove("province");
    let response = app.post("/v1/organizations", Some(&app.admin_key), &body);
    assert_eq!(response.status, 422);
    assert_eq!(response.header("content-type"), Some("application/problem+json"));
    assert_eq!(response.json["code"], "validation_failed");
    let pointers: Vec<&str> = response.json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["pointer"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(pointers, ["/tax_code", "/province"]);
    assert_eq!(response.json["errors"][0]["code"], "invalid_format");
    assert_eq!(
        app.db
            .scalar("SELECT count(*) FROM organizations WHERE kind = 'exporter'"),
        0
    );
}

#[test]
fn an_authority_other_than_ppd_or_dah_is_refused() {
    let app = TestApp::spawn();
    let response = app.post(
        "/v1/organizations",
        Some(&app.admin_key),
        &json!({"kind": "authority", "name": "GACC", "authority": "GACC"}),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/authority");
    assert_eq!(response.json["errors"][0]["code"], "unknown_value");
}

#[test]
fn a_name_longer_than_200_characters_is_refused() {
    let app = TestApp::spawn();
    let mut body = exporter_body("0312345678");
    body["name"] = json!("ư".repeat(201));
    let response = app.post("/v1/organizations", Some(&app.admin_key), &body);
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/name");
    assert_eq!(response.json["errors"][0]["code"], "length");
}

#[test]
fn a_second_organisation_with_the_same_tax_code_gets_409() {
    let app = TestApp::spawn();
    app.create_exporter("0312345678");
    let response = app.post("/v1/organizations", Some(&app.admin_key), &exporter_body("0312345678"));
    assert_eq!(response.status, 409);
    assert_eq!(response.json["code"], "tax_code_taken");
}

#[test]
fn organisations_are_listed_in_pages_linked_by_a_cursor() {
    let app = TestApp::spawn();
    for index in 0..3 {
        app.create_exporter(&format!("031234567{index}"));
    }
    let first = app.get("/v1/organizations?kind=exporter&limit=2", Some(&app.admin_key));
    assert_eq!(first.status, 200);
    let items = first.json["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["tax_code"], "0312345670");
    assert_eq!(items[1]["tax_code"], "0312345671");
    let cursor = first.json["next_cursor"].as_str().expect("a cursor");
    let second = app.get(
        &format!("/v1/organizations?kind=exporter&limit=2&cursor={cursor}"),
        Some(&app.admin_key),
    );
    assert_eq!(second.json["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(second.json["items"][0]["tax_code"], "0312345672");
    assert_eq!(second.json["next_cursor"], serde_json::Value::Null);
}

#[test]
fn a_page_limit_above_the_maximum_is_refused() {
    let app = TestApp::spawn();
    let response = app.get("/v1/organizations?limit=500", Some(&app.admin_key));
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/limit");
}

#[test]
fn a_forged_cursor_is_refused() {
    let app = TestApp::spawn();
    let response = app.get("/v1/organizations?cursor=bm9wZQ", Some(&app.admin_key));
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "invalid_cursor");
}

#[test]
fn an_unknown_organisation_gets_404() {
    let app = TestApp::spawn();
    let response = app.get(
        "/v1/organizations/0190f3a1-0000-7000-8000-000000000000",
        Some(&app.admin_key),
    );
    assert_eq!(response.status, 404);
    assert_eq!(response.json["code"], "not_found");
}

#[test]
fn a_malformed_organisation_id_gets_404() {
    let app = TestApp::spawn();
    let response = app.get("/v1/organizations/not-a-uuid", Some(&app.admin_key));
    assert_eq!(response.status, 404);
    assert_eq!(response.json["code"], "not_found");
}
