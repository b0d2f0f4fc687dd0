use crate::helpers::{TestApp, create_exporters_at_once, exporter_body};
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

fn events(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/v1/audit-events{query}"), Some(&app.admin_key));
    assert_eq!(response.status, 200, "{}", response.text);
    response.json
}

#[test]
fn creating_an_organisation_records_who_did_it_in_which_request_by_both_ids_and_the_new_state() {
    let app = TestApp::spawn();
    let me = app.get("/v1/me", Some(&app.admin_key)).json;
    let response = app.send_unchecked(
        "POST",
        "/v1/organizations",
        &[("X-Request-Id", "req-create-org")],
        Some(&app.admin_key),
        Some("application/json"),
        exporter_body("0312345678").to_string().as_bytes(),
    );
    assert_eq!(response.status, 201);
    let id = response.json["id"].as_str().expect("id");
    let page = events(&app, &format!("?entity_type=organization&entity_id={id}"));
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    let event = &items[0];
    assert_eq!(event["action"], "organization.created");
    assert_eq!(event["entity_type"], "organization");
    assert_eq!(event["entity_id"], id);
    assert_eq!(event["actor_key_id"], me["key"]["id"]);
    assert_eq!(event["actor_organization_id"], me["organization"]["id"]);
    assert_eq!(
        event["request_id"],
        response.header("x-request-id").expect("the service's id")
    );
    assert_eq!(event["client_request_id"], "req-create-org");
    assert_eq!(event["state"], response.json);
}

#[test]
fn issuing_and_revoking_a_key_are_audited_without_the_secret() {
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
    app.delete(&format!("/v1/api-keys/{key_id}"), Some(&app.admin_key));
    let page = events(&app, &format!("?entity_type=api_key&entity_id={key_id}"));
    let actions: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(actions, ["api_key.created", "api_key.revoked"]);
    assert!(!page.to_string().contains(&secret[11..]));
}

#[test]
fn an_admin_key_made_by_the_admin_key_command_is_audited_as_made_by_the_service() {
    let app = TestApp::spawn();
    let page = events(&app, "?limit=1");
    assert_eq!(page["items"][0]["seq"], 1);
    assert_eq!(page["items"][0]["action"], "api_key.created");
    assert_eq!(page["items"][0]["actor_key_id"], Value::Null);
    assert_eq!(page["items"][0]["request_id"], "admin-key-command");
    assert_eq!(page["items"][0]["prev_hash"], "0".repeat(64));
}

#[test]
fn audit_events_are_paged_in_chain_order() {
    let app = TestApp::spawn();
    app.create_exporter("0312345670");
    app.create_exporter("0312345671");
    let first = events(&app, "?limit=2");
    let seqs: Vec<i64> = first["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["seq"].as_i64())
        .collect();
    assert_eq!(seqs, [1, 2]);
    let second = events(
        &app,
        &format!("?limit=2&cursor={}", first["next_cursor"].as_str().expect("cursor")),
    );
    assert_eq!(second["items"][0]["seq"], 3);
    assert_eq!(second["items"][0]["prev_hash"], first["items"][1]["hash"]);
    assert_eq!(second["next_cursor"], Value::Null);
}

#[test]
fn the_chain_verifies_after_changes() {
    let app = TestApp::spawn();
    app.exporter_with_key("0312345678");
    // Reading the trail seals what has committed.
    let last_hash = events(&app, "")["items"][2]["hash"].clone();
    let response = app.get("/v1/audit-events/verification", Some(&app.admin_key));
    assert_eq!(response.status, 200);
    assert_eq!(response.json["status"], "ok");
    assert_eq!(response.json["events_checked"], 3);
    assert_eq!(response.json["first_invalid_event"], Value::Null);
    assert_eq!(response.json["unsealed_events"], 0);
    assert_eq!(response.json["last_hash"], last_hash);
}

#[test]
fn the_database_refuses_to_update_or_delete_audit_events() {
    let app = TestApp::spawn();
    events(&app, "");
    let mut connection = app.db.connect();
    // A value the column's domain allows, so that the trigger is what refuses it.
    let update = connection.batch_execute("UPDATE audit_events SET action = 'api_key.revoked'");
    assert!(update.is_err_and(|error| error.to_string().contains("append-only")));
    let delete = connection.batch_execute("DELETE FROM audit_events");
    assert!(delete.is_err_and(|error| error.to_string().contains("append-only")));
    let truncate = connection.batch_execute("TRUNCATE audit_events");
    assert!(truncate.is_err_and(|error| error.to_string().contains("append-only")));
    assert_eq!(app.db.scalar("SELECT count(*) FROM audit_events"), 1);
}

#[test]
fn verification_names_the_first_event_altered_behind_the_triggers_back() {
    let app = TestApp::spawn();
    app.create_exporter("0312345670");
    app.create_exporter("0312345671");
    let altered = events(&app, "")["items"][1].clone();
    app.db
        .connect()
        .batch_execute(&format!(
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete;
             UPDATE audit_events SET state = jsonb_set(state, '{{name}}', '\"Forged Co\"') WHERE seq = {};
             ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete;",
            altered["seq"]
        ))
        .expect("tamper with one event");
    let response = app.get("/v1/audit-events/verification", Some(&app.admin_key));
    assert_eq!(response.status, 200);
    assert_eq!(response.json["status"], "broken");
    assert_eq!(response.json["events_checked"], 1);
    assert_eq!(
        response.json["first_invalid_event"],
        json!({"id": altered["id"], "seq": altered["seq"], "reason": "hash_mismatch"})
    );
}

#[test]
fn verification_names_the_event_after_a_deleted_one() {
    let app = TestApp::spawn();
    app.create_exporter("0312345670");
    app.create_exporter("0312345671");
    let after = events(&app, "")["items"][2].clone();
    app.db
        .connect()
        .batch_execute(
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete;
             DELETE FROM audit_events WHERE seq = 2;
             ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete;",
        )
        .expect("remove one event");
    let response = app.get("/v1/audit-events/verification", Some(&app.admin_key));
    assert_eq!(response.json["status"], "broken");
    assert_eq!(
        response.json["first_invalid_event"],
        json!({"id": after["id"], "seq": 3, "reason": "sequence_gap"})
    );
}

#[test]
fn concurrent_changes_extend_one_chain_without_forks_or_gaps() {
    let app = TestApp::spawn_with(&[("DB_POOL_SIZE", "4")]);
    create_exporters_at_once([&app, &app, &app, &app]);
    let page = events(&app, "?limit=200");
    let verification = app.get("/v1/audit-events/verification", Some(&app.admin_key));
    assert_eq!(verification.json["status"], "ok", "{}", verification.text);
    assert_eq!(verification.json["events_checked"], 21);
    let seqs: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["seq"].as_i64())
        .collect();
    assert_eq!(seqs, (1..=21).collect::<Vec<i64>>());
}
