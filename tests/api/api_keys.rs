use crate::helpers::TestApp;
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Nullable, Text, Timestamptz};
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(QueryableByName, Debug)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Bytea)]
    key_hash: Vec<u8>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn stored_key(app: &TestApp, id: &str) -> KeyRow {
    diesel::sql_query("SELECT role, key_hash, last_used_at, revoked_at FROM api_keys WHERE id = $1::uuid")
        .bind::<Text, _>(id)
        .get_result(&mut app.db.connect())
        .expect("the key row")
}

#[test]
fn an_admin_issues_an_exporter_key_that_identifies_its_organisation() {
    let app = TestApp::spawn();
    let organization = app.create_exporter("0312345678");
    let key = app.create_key(organization["id"].as_str().expect("id"), "exporter");
    let secret = key["secret"].as_str().expect("secret");
    assert!(secret.starts_with("aq_") && secret.len() == 46, "{secret}");
    assert_eq!(key["prefix"], &secret[..11]);
    assert_eq!(key["role"], "exporter");
    assert_eq!(key["organization_id"], organization["id"]);
    let me = app.get("/v1/me", Some(secret));
    assert_eq!(me.status, 200);
    assert_eq!(me.json["role"], "exporter");
    assert_eq!(me.json["organization"], organization);
    assert_eq!(me.json["key"]["id"], key["id"]);
}

#[test]
fn a_key_is_stored_only_as_the_sha256_of_its_text() {
    let app = TestApp::spawn();
    let organization = app.create_exporter("0312345678");
    let key = app.create_key(organization["id"].as_str().expect("id"), "exporter");
    let row = stored_key(&app, key["id"].as_str().expect("id"));
    let secret = key["secret"].as_str().expect("secret");
    assert_eq!(row.key_hash, Sha256::digest(secret.as_bytes()).to_vec());
    assert_eq!(row.role, "exporter");
    let dump = app.db.scalar(&format!(
        "SELECT count(*) FROM api_keys WHERE encode(key_hash, 'escape') LIKE '%{}%' OR label LIKE '%{}%'",
        &secret[11..],
        &secret[11..]
    ));
    assert_eq!(dump, 0);
}

#[test]
fn using_a_key_records_when_it_was_last_used() {
    let app = TestApp::spawn();
    let (_, secret) = app.exporter_with_key("0312345678");
    let id = app.get("/v1/me", Some(&secret)).json["key"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(stored_key(&app, &id).last_used_at.is_some());
}

#[test]
fn an_inspector_key_is_issued_to_an_authority() {
    let app = TestApp::spawn();
    let authority = app.create_authority("PPD");
    let key = app.create_key(authority["id"].as_str().expect("id"), "inspector");
    let me = app.get("/v1/me", Some(key["secret"].as_str().expect("secret")));
    assert_eq!(me.json["role"], "inspector");
    assert_eq!(me.json["organization"]["authority"], "PPD");
}

#[test]
fn an_inspector_key_cannot_be_issued_to_an_exporter_organisation() {
    let app = TestApp::spawn();
    let organization = app.create_exporter("0312345678");
    refused_for_its_organisation(&app, &organization, "inspector");
}

/// Asks for a `role` key in `organization` and expects the role-for-kind refusal.
fn refused_for_its_organisation(app: &TestApp, organization: &serde_json::Value, role: &str) {
    let path = format!(
        "/v1/organizations/{}/api-keys",
        organization["id"].as_str().expect("id")
    );
    let response = app.post(&path, Some(&app.admin_key), &json!({"role": role, "label": "borrowed"}));
    assert_eq!(response.status, 422, "{}", response.text);
    assert_eq!(response.json["errors"][0]["pointer"], "/role");
    assert_eq!(response.json["errors"][0]["code"], "role_not_allowed_for_organization");
}

#[test]
fn an_unknown_role_is_refused() {
    let app = TestApp::spawn();
    let organization = app.create_exporter("0312345678");
    let path = format!(
        "/v1/organizations/{}/api-keys",
        organization["id"].as_str().expect("id")
    );
    let response = app.post(&path, Some(&app.admin_key), &json!({"role": "superuser", "label": "x"}));
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["code"], "unknown_value");
}

#[test]
fn a_key_for_an_unknown_organisation_gets_404() {
    let app = TestApp::spawn();
    let response = app.post(
        "/v1/organizations/0190f3a1-0000-7000-8000-000000000000/api-keys",
        Some(&app.admin_key),
        &json!({"role": "admin", "label": "x"}),
    );
    assert_eq!(response.status, 404);
}

#[test]
fn a_request_without_a_key_gets_401() {
    let app = TestApp::spawn();
    let response = app.get("/v1/me", None);
    assert_eq!(response.status, 401);
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    assert_eq!(response.json["code"], "unauthorized");
}

#[test]
fn an_unknown_key_gets_401() {
    let app = TestApp::spawn();
    let forged = format!("aq_{}", "A".repeat(43));
    assert_eq!(app.get("/v1/me", Some(&forged)).status, 401);
    assert_eq!(app.get("/v1/me", Some("not-even-a-key")).status, 401);
}

#[test]
fn an_exporter_key_gets_403_on_admin_routes() {
    let app = TestApp::spawn();
    let (organization, secret) = app.exporter_with_key("0312345678");
    let id = organization["id"].as_str().expect("id");
    for response in [
        app.get("/v1/organizations", Some(&secret)),
        app.get(&format!("/v1/organizations/{id}"), Some(&secret)),
        app.post("/v1/organizations", Some(&secret), &json!({})),
        app.post(
            &format!("/v1/organizations/{id}/api-keys"),
            Some(&secret),
            &json!({"role": "admin", "label": "escalate"}),
        ),
        app.get(&format!("/v1/organizations/{id}/api-keys"), Some(&secret)),
        app.get("/v1/audit-events", Some(&secret)),
        app.get("/v1/audit-events/verification", Some(&secret)),
    ] {
        assert_eq!(response.status, 403, "{}", response.text);
        assert_eq!(response.json["code"], "forbidden");
    }
}

#[test]
fn a_key_without_the_role_gets_403_before_its_query_string_is_read() {
    let app = TestApp::spawn();
    let (organization, secret) = app.exporter_with_key("0312345678");
    let id = organization["id"].as_str().expect("id");
    for path in [
        "/v1/organizations?limit=many".to_owned(),
        format!("/v1/organizations/{id}/api-keys?cursor=x&unknown=1"),
        "/v1/audit-events?limit=-1&bogus=1".to_owned(),
        "/v1/audit-events/verification?checkpoint_seq=x".to_owned(),
        "/v1/inspection-queue?limit=x".to_owned(),
    ] {
        let response = app.get(&path, Some(&secret));
        assert_eq!(response.status, 403, "{path}: {}", response.text);
    }
}

#[test]
fn a_revoked_key_gets_401() {
    let app = TestApp::spawn();
    let (organization, secret) = app.exporter_with_key("0312345678");
    let keys = app.get(
        &format!(
            "/v1/organizations/{}/api-keys",
            organization["id"].as_str().expect("id")
        ),
        Some(&app.admin_key),
    );
    let key_id = keys.json["items"][0]["id"].as_str().expect("key id").to_owned();
    let revoked = app.delete(&format!("/v1/api-keys/{key_id}"), Some(&app.admin_key));
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert!(revoked.json["revoked_at"].is_string());
    assert!(stored_key(&app, &key_id).revoked_at.is_some());
    let response = app.get("/v1/me", Some(&secret));
    assert_eq!(response.status, 401);
}

#[test]
fn revoking_a_revoked_key_gets_409() {
    let app = TestApp::spawn();
    let (organization, _) = app.exporter_with_key("0312345678");
    let keys = app.get(
        &format!(
            "/v1/organizations/{}/api-keys",
            organization["id"].as_str().expect("id")
        ),
        Some(&app.admin_key),
    );
    let path = format!("/v1/api-keys/{}", keys.json["items"][0]["id"].as_str().expect("key id"));
    assert_eq!(app.delete(&path, Some(&app.admin_key)).status, 200);
    let again = app.delete(&path, Some(&app.admin_key));
    assert_eq!(again.status, 409);
    assert_eq!(again.json["code"], "already_revoked");
}

#[test]
fn an_organisation_lists_its_keys_without_secrets() {
    let app = TestApp::spawn();
    let (organization, secret) = app.exporter_with_key("0312345678");
    let keys = app.get(
        &format!(
            "/v1/organizations/{}/api-keys",
            organization["id"].as_str().expect("id")
        ),
        Some(&app.admin_key),
    );
    assert_eq!(keys.status, 200);
    assert_eq!(keys.json["items"].as_array().map(Vec::len), Some(1));
    assert!(keys.json["items"][0].get("secret").is_none());
    assert!(!keys.text.contains(&secret[11..]));
}

#[test]
fn an_admin_key_cannot_be_issued_to_an_exporter_or_an_authority() {
    let app = TestApp::spawn();
    let exporter = app.create_exporter("0312345678");
    let authority = app.create_authority("PPD");
    for organization in [exporter, authority] {
        refused_for_its_organisation(&app, &organization, "admin");
    }
    assert_eq!(app.db.scalar("SELECT count(*) FROM api_keys WHERE role = 'admin'"), 1);
}

#[test]
fn the_database_refuses_an_admin_key_outside_the_operator_and_such_an_old_key_no_longer_works() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn();
    let (organization, exporter_key) = app.exporter_with_key("0312345678");
    let id = organization["id"].as_str().expect("id");
    let mut connection = app.db.connect();
    let promote = format!("UPDATE api_keys SET role = 'admin' WHERE organization_id = '{id}'");
    let refused = connection.batch_execute(&promote).unwrap_err().to_string();
    assert!(refused.contains("api_keys_admin_only_in_operator"), "{refused}");
    // A key from before the rule: written with the constraint lifted for this one statement.
    connection
        .batch_execute(&format!(
            "ALTER TABLE api_keys DROP CONSTRAINT api_keys_admin_only_in_operator; {promote}; \
             ALTER TABLE api_keys ADD CONSTRAINT api_keys_admin_only_in_operator \
             CHECK (role <> 'admin' OR organization_kind = 'operator') NOT VALID;"
        ))
        .expect("an old key written");
    assert_eq!(app.get("/v1/me", Some(&exporter_key)).status, 401);
}
