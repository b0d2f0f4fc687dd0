//! The request examples in openapi.yaml work against the service: each is sent, as the
//! contract states it, to its operation in a world where what it names exists. Only the
//! placeholder organisation id is swapped for a real one, and an inspection date for today
//! (an inspection cannot be dated in the future).

use crate::contract::{check_response, request_example};
use crate::fixtures::{coconut, vietnam_today, world};
use crate::helpers::{TestApp, TestResponse};
use serde_json::Value;

/// The organisation id the examples use.
const PLACEHOLDER: &str = "0193a5b0-7e1f-7c3a-9d2e-5f6a7b8c9d0e";

fn example(operation_id: &str, media: &str, organization_id: &str) -> Value {
    let text = request_example(operation_id, media)
        .to_string()
        .replace(PLACEHOLDER, organization_id);
    serde_json::from_str(&text).expect("an example is JSON")
}

fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    key: &str,
    media: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> TestResponse {
    let response = app.send_unchecked(
        method,
        path,
        headers,
        Some(key),
        Some(media),
        body.to_string().as_bytes(),
    );
    check_response(method, path, &response);
    response
}

fn created(response: &TestResponse, status: u16) {
    assert_eq!(response.status, status, "{}", response.text);
}

#[test]
fn the_registry_examples_work_against_the_service() {
    let world = world();
    let (app, admin, holder) = (&world.app, world.app.admin_key.as_str(), world.organization_id.as_str());
    let json = "application/json";
    let keys = format!("/v1/organizations/{holder}/api-keys");
    created(
        &send(
            app,
            "POST",
            &keys,
            admin,
            json,
            &example("createApiKey", json, holder),
            &[],
        ),
        201,
    );
    created(
        &send(
            app,
            "POST",
            "/v1/establishments",
            admin,
            json,
            &example("createEstablishment", json, holder),
            &[],
        ),
        201,
    );
    let packing_house = "/v1/establishments/packing_house/VN-TGPH-012";
    for media in [json, "application/merge-patch+json"] {
        created(
            &send(
                app,
                "PATCH",
                packing_house,
                admin,
                media,
                &example("updateEstablishment", media, holder),
                &[],
            ),
            200,
        );
    }
    let changes = format!("{packing_house}/status-changes");
    created(
        &send(
            app,
            "POST",
            &changes,
            admin,
            json,
            &example("addStatusChange", json, holder),
            &[],
        ),
        201,
    );
    // A code's holder needs no authorisation: the example authorises another exporter.
    let (other, _) = app.exporter_with_key("0312345679");
    let other = other["id"].as_str().expect("id");
    let authorizations = "/v1/establishments/orchard/VN-TGOR-0095/authorizations";
    created(
        &send(
            app,
            "POST",
            authorizations,
            admin,
            json,
            &example("addCodeUseAuthorization", json, other),
            &[],
        ),
        201,
    );
    let import = example("importEstablishmentList", json, holder);
    created(
        &send(app, "POST", "/v1/establishment-imports", admin, json, &import, &[]),
        201,
    );
}

#[test]
fn the_consignment_examples_work_against_the_service() {
    let world = world();
    let (app, exporter, holder) = (&world.app, world.exporter.as_str(), world.organization_id.as_str());
    let json = "application/json";
    let check = example("checkUnsavedConsignment", json, holder);
    created(
        &send(app, "POST", "/v1/compliance-checks", exporter, json, &check, &[]),
        200,
    );
    let draft = send(
        app,
        "POST",
        "/v1/consignments",
        exporter,
        json,
        &example("createConsignment", json, holder),
        &[],
    );
    created(&draft, 201);
    let path = format!("/v1/consignments/{}", draft.json["id"].as_str().expect("id"));
    let mut etag = draft.header("etag").expect("an etag").to_owned();
    for media in [json, "application/merge-patch+json"] {
        let patch = example("updateConsignment", media, holder);
        let patched = send(app, "PATCH", &path, exporter, media, &patch, &[("If-Match", &etag)]);
        created(&patched, 200);
        etag = patched.header("etag").expect("an etag").to_owned();
    }
}

#[test]
fn the_decision_examples_work_against_the_service() {
    let world = world();
    let (app, inspector, holder) = (&world.app, world.ppd_inspector.as_str(), world.organization_id.as_str());
    let json = "application/json";
    let id = world.submitted(&coconut());
    let mut inspection = example("recordInspection", json, holder);
    inspection["inspected_on"] = Value::String(vietnam_today().to_string());
    let inspections = format!("/v1/consignments/{id}/inspections");
    created(&send(app, "POST", &inspections, inspector, json, &inspection, &[]), 201);
    let approve = format!("/v1/consignments/{id}/approve");
    let approved = send(
        app,
        "POST",
        &approve,
        inspector,
        json,
        &example("approveConsignment", json, holder),
        &[],
    );
    created(&approved, 200);
    for (operation, action) in [("rejectConsignment", "reject"), ("returnConsignment", "return")] {
        let path = format!("/v1/consignments/{}/{action}", world.submitted(&coconut()));
        created(
            &send(
                app,
                "POST",
                &path,
                inspector,
                json,
                &example(operation, json, holder),
                &[],
            ),
            200,
        );
    }
    let number = approved.json["certificate"]["number"]
        .as_str()
        .expect("a number")
        .to_owned();
    let replace = format!("/v1/certificates/{number}/replace");
    let replacement = send(
        app,
        "POST",
        &replace,
        inspector,
        json,
        &example("replaceCertificate", json, holder),
        &[],
    );
    created(&replacement, 201);
    let new_number = replacement.json["certificate"]["number"].as_str().expect("a number");
    let revoke = format!("/v1/certificates/{new_number}/revoke");
    created(
        &send(
            app,
            "POST",
            &revoke,
            inspector,
            json,
            &example("revokeCertificate", json, holder),
            &[],
        ),
        200,
    );
}
