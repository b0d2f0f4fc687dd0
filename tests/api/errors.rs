use crate::helpers::{TestApp, exporter_body};
use serde_json::{Value, json};

#[test]
fn malformed_json_gets_400_malformed_json() {
    let app = TestApp::spawn();
    let response = app.request(
        "POST",
        "/v1/organizations",
        Some(&app.admin_key),
        Some("application/json"),
        b"{\"kind\": ",
    );
    assert_eq!(response.status, 400);
    assert_eq!(response.header("content-type"), Some("application/problem+json"));
    assert_eq!(response.json["code"], "malformed_json");
    assert_eq!(response.json["status"], 400);
}

#[test]
fn a_body_that_is_not_declared_as_json_gets_400() {
    let app = TestApp::spawn();
    let body = exporter_body("0312345678").to_string();
    let response = app.request(
        "POST",
        "/v1/organizations",
        Some(&app.admin_key),
        Some("text/plain"),
        body.as_bytes(),
    );
    assert_eq!(response.status, 400);
    assert_eq!(response.json["code"], "unsupported_content_type");
}

#[test]
fn a_body_over_the_limit_gets_413() {
    let app = TestApp::spawn_with(&[("REQUEST_BODY_LIMIT_BYTES", "2048")]);
    let mut body = exporter_body("0312345678");
    body["address"] = json!("x".repeat(4096));
    let response = app.post("/v1/organizations", Some(&app.admin_key), &body);
    assert_eq!(response.status, 413);
    assert_eq!(response.json["code"], "payload_too_large");
}

#[test]
fn a_field_of_the_wrong_type_gets_422_pointing_at_it() {
    let app = TestApp::spawn();
    let mut body = exporter_body("0312345678");
    body["name"] = json!(42);
    let response = app.post("/v1/organizations", Some(&app.admin_key), &body);
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/name");
    assert_eq!(response.json["errors"][0]["code"], "invalid_type");
}

#[test]
fn an_unknown_field_gets_422() {
    let app = TestApp::spawn();
    let mut body = exporter_body("0312345678");
    body["tax_id"] = json!("0312345678");
    let response = app.post("/v1/organizations", Some(&app.admin_key), &body);
    assert_eq!(response.status, 422);
    assert_eq!(response.json["code"], "validation_failed");
}

#[test]
fn an_unknown_route_gets_a_404_problem() {
    let app = TestApp::spawn();
    let response = app.get("/v1/nothing-here", Some(&app.admin_key));
    assert_eq!(response.status, 404);
    assert_eq!(response.header("content-type"), Some("application/problem+json"));
    assert_eq!(response.json["code"], "not_found");
}

#[test]
fn a_method_the_route_does_not_take_gets_405_with_allow() {
    let app = TestApp::spawn();
    let response = app.request(
        "PUT",
        "/v1/organizations",
        Some(&app.admin_key),
        Some("application/json"),
        b"{}",
    );
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("GET, POST"));
    assert_eq!(response.json["code"], "method_not_allowed");
}

#[test]
fn an_unknown_query_parameter_gets_400() {
    let app = TestApp::spawn();
    let response = app.get("/v1/organizations?kinds=exporter", Some(&app.admin_key));
    assert_eq!(response.status, 400);
    assert_eq!(response.json["code"], "invalid_query");
}

#[test]
fn anything_after_the_json_body_gets_400_malformed_json_and_nothing_is_stored() {
    let app = TestApp::spawn();
    let body = format!("{} {{\"kind\":\"exporter\"}}", exporter_body("0312345678"));
    let response = app.request(
        "POST",
        "/v1/organizations",
        Some(&app.admin_key),
        Some("application/json"),
        body.as_bytes(),
    );
    assert_eq!(response.status, 400, "{}", response.text);
    assert_eq!(response.json["code"], "malformed_json");
    assert_eq!(
        app.db
            .scalar("SELECT count(*) FROM organizations WHERE kind = 'exporter'"),
        0
    );
}

#[test]
fn a_nul_character_in_a_json_string_gets_422_naming_the_field() {
    let app = TestApp::spawn();
    let mut body = exporter_body("0312345678");
    body["name"] = json!("Công ty\u{0}TNHH");
    let response = app.post("/v1/organizations", Some(&app.admin_key), &body);
    assert_eq!(response.status, 422, "{}", response.text);
    assert_eq!(response.json["errors"][0]["pointer"], "/name");
    assert_eq!(response.json["errors"][0]["code"], "invalid_characters");
}

#[test]
fn a_control_character_or_a_line_break_in_a_one_line_field_gets_422_naming_the_field() {
    let app = TestApp::spawn();
    for (name, message) in [
        ("Công ty\u{7}TNHH", "Text may not contain control characters."),
        (
            "Công ty\nTNHH",
            "This field is one line of text: remove line breaks and tabs.",
        ),
    ] {
        let mut body = exporter_body("0312345678");
        body["name"] = json!(name);
        let response = app.post("/v1/organizations", Some(&app.admin_key), &body);
        assert_eq!(response.status, 422, "{}", response.text);
        assert_eq!(response.json["errors"][0]["pointer"], "/name");
        assert_eq!(response.json["errors"][0]["message"], message);
    }
    let mut body = exporter_body("0312345678");
    body["address"] = json!("Ấp 3\nxã Vĩnh Thành");
    assert_eq!(app.post("/v1/organizations", Some(&app.admin_key), &body).status, 201);
}

#[test]
fn an_explicit_null_where_the_contract_does_not_allow_one_gets_422_naming_the_field() {
    let app = TestApp::spawn();
    let mut body = json!({"kind": "authority", "name": "Cục Thú y", "authority": "DAH"});
    body["province"] = Value::Null;
    let response = app.post("/v1/organizations", Some(&app.admin_key), &body);
    assert_eq!(response.status, 422, "{}", response.text);
    assert_eq!(response.json["errors"][0]["pointer"], "/province");
    assert_eq!(
        response.json["errors"][0]["message"],
        "Null is not allowed here; leave the field out instead."
    );
    body.as_object_mut().expect("an object").remove("province");
    let without = app.post("/v1/organizations", Some(&app.admin_key), &body);
    assert_eq!(without.status, 201, "{}", without.text);
}

#[test]
fn a_nul_character_in_the_path_or_the_query_gets_400_problem_json() {
    let app = TestApp::spawn();
    for path in [
        "/v1/establishments/orchard/VN%00X",
        "/v1/establishments?q=a%00b",
        "/v1/verify/VN-PC-2026-%0000001",
    ] {
        let response = app.get(path, Some(&app.admin_key));
        assert_eq!(response.status, 400, "{path}: {}", response.text);
        assert_eq!(response.header("content-type"), Some("application/problem+json"));
        assert_eq!(response.json["code"], "invalid_characters");
    }
}

#[test]
fn a_forged_cursor_with_a_timestamp_far_out_of_range_is_refused_not_a_500() {
    use base64::Engine;
    let app = TestApp::spawn();
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("v1|{}|00000000-0000-0000-0000-000000000001", i64::MAX / 2));
    let response = app.get(&format!("/v1/organizations?cursor={forged}"), Some(&app.admin_key));
    assert_eq!(response.status, 422, "{}", response.text);
    assert_eq!(response.json["errors"][0]["code"], "invalid_cursor");
}

#[test]
fn dates_outside_1900_to_2100_get_422_naming_the_field_not_a_500() {
    let world = crate::fixtures::world();
    let mut body = crate::fixtures::fresh_durian();
    body["planned_departure_date"] = json!("9999-12-31");
    body["lab_reports"][0]["sample_date"] = json!("-4714-01-01");
    let response = world.app.post("/v1/consignments", Some(&world.exporter), &body);
    assert_eq!(response.status, 422, "{}", response.text);
    let pointers: Vec<&str> = response.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/lab_reports/0/sample_date", "/planned_departure_date"]);
    assert_eq!(response.json["errors"][0]["code"], "out_of_range");
    let listed = world
        .app
        .get("/v1/consignments?departure_from=-4714-01-01", Some(&world.exporter));
    assert_eq!(listed.status, 422, "{}", listed.text);
    assert_eq!(listed.json["errors"][0]["pointer"], "/departure_from");
    let on = world.app.get(
        "/v1/establishments/orchard/VN-TGOR-0095?on=10000-01-01",
        Some(&world.app.admin_key),
    );
    assert!(matches!(on.status, 400 | 422), "{}", on.text);
}

#[test]
fn a_path_over_8_kib_gets_a_414_problem_and_header_fields_over_16_kib_get_a_431_problem() {
    let app = TestApp::spawn();
    let long_path = format!("/v1/establishments?q={}", "a".repeat(9 * 1024));
    let response = app.send_unchecked("GET", &long_path, &[], Some(&app.admin_key), None, b"");
    assert_eq!(response.status, 414, "{}", response.text);
    assert_eq!(response.header("content-type"), Some("application/problem+json"));
    assert_eq!(response.json["code"], "uri_too_long");

    let padding = "p".repeat(6 * 1024);
    let headers = [
        ("X-Padding-1", padding.as_str()),
        ("X-Padding-2", padding.as_str()),
        ("X-Padding-3", padding.as_str()),
    ];
    let response = app.send_unchecked("GET", "/v1/protocols", &headers, None, None, b"");
    assert_eq!(response.status, 431, "{}", response.text);
    assert_eq!(response.header("content-type"), Some("application/problem+json"));
    assert_eq!(response.json["code"], "request_header_fields_too_large");
    assert_eq!(response.json["status"], 431);
}
