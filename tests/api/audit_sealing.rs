//! Audit events are recorded with their change and sealed into the chain shortly after, by
//! whichever instance's sealer gets there; signed checkpoints make removing the newest events
//! detectable.

use crate::establishment_imports::{import, list};
use crate::helpers::{TestApp, create_exporters_at_once, exporter_body};
use agri_quarantine::domain::certificate::verify_signature;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::connection::SimpleConnection;
use serde_json::Value;
use std::time::{Duration, Instant};

fn verification(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/v1/audit-events/verification{query}"), Some(&app.admin_key));
    assert_eq!(response.status, 200, "{}", response.text);
    response.json
}

/// Polls `check` until it holds or ten seconds pass.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn committed_events_are_sealed_into_the_chain_without_anyone_reading_it() {
    let app = TestApp::spawn();
    app.create_exporter("0312345670");
    eventually("both events sealed", || {
        let outcome = verification(&app, "");
        outcome["unsealed_events"] == 0 && outcome["events_checked"] == 2
    });
    assert_eq!(app.db.scalar("SELECT count(*) FROM audit_pending"), 0);
    assert_eq!(verification(&app, "")["status"], "ok");
}

#[test]
fn verification_reports_the_unsealed_backlog_and_its_age() {
    // A sealer that looks only once a minute leaves the new event waiting.
    let app = TestApp::spawn_with(&[("AUDIT_SEAL_INTERVAL_MS", "60000")]);
    eventually("the first pass sealed the admin key's event", || {
        verification(&app, "")["events_checked"] == 1
    });
    app.create_exporter("0312345670");
    std::thread::sleep(Duration::from_millis(20));
    let outcome = verification(&app, "");
    assert_eq!(outcome["status"], "ok");
    assert_eq!(outcome["events_checked"], 1);
    assert_eq!(outcome["unsealed_events"], 1);
    assert!(outcome["sealing_lag_seconds"].as_f64().is_some_and(|lag| lag > 0.0));
    let metrics = app.get("/metrics", None).text;
    assert!(metrics.contains("# TYPE audit_unsealed_events gauge"), "{metrics}");
    assert!(metrics.contains("# TYPE audit_sealing_lag_seconds gauge"), "{metrics}");
}

#[test]
fn stopping_the_service_in_the_middle_of_writes_and_starting_another_leaves_every_committed_event_sealed() {
    // A sealer that looks once a minute leaves what the writers commit waiting.
    let mut first = TestApp::spawn_with(&[("AUDIT_SEAL_INTERVAL_MS", "60000"), ("DB_POOL_SIZE", "4")]);
    let acknowledged = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for worker in 0..4 {
            let (first, acknowledged) = (&first, &acknowledged);
            scope.spawn(move || {
                // Writes until the server stops answering.
                for index in 0..100 {
                    let body = exporter_body(&format!("0312{worker}{index:05}"));
                    match first.try_post("/v1/organizations", &first.admin_key, &body) {
                        Some(201) => {
                            acknowledged.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        Some(status) => panic!("creation answered {status}"),
                        None => break,
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_millis(300));
        first.halt();
    });
    first.stop();
    let acknowledged = acknowledged.into_inner();
    assert!(acknowledged > 0, "some writes were acknowledged before the stop");
    assert!(acknowledged < 400, "the stop came while the writers were still writing");
    assert!(
        first.db.scalar("SELECT count(*) FROM audit_pending") > 0,
        "events were left waiting"
    );
    let second = first.another_instance(&[]);
    eventually("the new instance sealed the backlog", || {
        verification(&second, "")["unsealed_events"] == 0
    });
    let committed = first
        .db
        .scalar("SELECT count(*) FROM organizations WHERE kind = 'exporter'");
    assert!(
        committed >= acknowledged as i64,
        "{committed} committed, {acknowledged} acknowledged"
    );
    let outcome = verification(&second, "");
    assert_eq!(outcome["status"], "ok", "{outcome}");
    // The admin key's event and one per committed organisation, acknowledged or not.
    assert_eq!(outcome["events_checked"], committed + 1);
    let unaudited = "SELECT count(*) FROM organizations o WHERE o.kind = 'exporter' AND NOT EXISTS \
        (SELECT 1 FROM audit_events e WHERE e.action = 'organization.created' AND e.entity_id = o.id::text)";
    assert_eq!(first.db.scalar(unaudited), 0);
}

#[test]
fn two_instances_sealing_at_once_extend_one_chain() {
    let first = TestApp::spawn_with(&[("AUDIT_SEAL_INTERVAL_MS", "10")]);
    let second = first.another_instance(&[("AUDIT_SEAL_INTERVAL_MS", "10")]);
    create_exporters_at_once([&first, &second, &first, &second]);
    eventually("everything sealed", || verification(&first, "")["unsealed_events"] == 0);
    let outcome = verification(&second, "");
    assert_eq!(
        (outcome["status"].clone(), outcome["events_checked"].clone()),
        ("ok".into(), 21.into())
    );
}

fn latest_checkpoint(app: &TestApp) -> Value {
    let page = app.get("/v1/audit-checkpoints?limit=200", None);
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.header("cache-control"), Some("public, max-age=10"));
    page.json["items"]
        .as_array()
        .and_then(|items| items.last().cloned())
        .unwrap_or(Value::Null)
}

#[test]
fn checkpoints_are_signed_with_the_published_key() {
    let app = TestApp::spawn_with(&[("AUDIT_CHECKPOINT_EVERY_EVENTS", "1")]);
    app.create_exporter("0312345670");
    eventually("a checkpoint of both events", || latest_checkpoint(&app)["seq"] == 2);
    let checkpoint = latest_checkpoint(&app);
    let keys = app.get("/v1/signing-keys", None).json;
    let key = keys["items"]
        .as_array()
        .and_then(|items| items.iter().find(|key| key["key_id"] == checkpoint["key_id"]))
        .expect("the checkpoint's key is published");
    let public_key = STANDARD.decode(key["public_key"].as_str().unwrap()).unwrap();
    let signature = STANDARD.decode(checkpoint["signature"].as_str().unwrap()).unwrap();
    let signed = checkpoint["signed_bytes"].as_str().unwrap();
    assert!(verify_signature(&public_key, signed.as_bytes(), &signature));
    let statement: Value = serde_json::from_str(signed).unwrap();
    assert_eq!(statement["seq"], 2);
    assert_eq!(statement["hash"], checkpoint["hash"]);
    assert_eq!(statement["purpose"], "audit-checkpoint");
    let head = app.get("/v1/audit-events?limit=200", Some(&app.admin_key)).json;
    assert_eq!(head["items"][1]["hash"], checkpoint["hash"]);
}

#[test]
fn a_checkpoint_kept_elsewhere_detects_the_removal_of_the_newest_events() {
    let app = TestApp::spawn_with(&[("AUDIT_CHECKPOINT_EVERY_EVENTS", "1")]);
    app.create_exporter("0312345670");
    app.create_exporter("0312345671");
    eventually("a checkpoint of all three events", || {
        latest_checkpoint(&app)["seq"] == 3
    });
    let kept = latest_checkpoint(&app);
    // Someone with the database's superuser removes the last two events and every checkpoint.
    app.db
        .connect()
        .batch_execute(
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete;
             DELETE FROM audit_events WHERE seq > 1;
             ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete;
             DELETE FROM audit_checkpoints;",
        )
        .expect("remove the newest events");
    assert_eq!(verification(&app, "")["status"], "ok", "the chain alone cannot tell");
    let query = format!("?checkpoint_seq=3&checkpoint_hash={}", kept["hash"].as_str().unwrap());
    let outcome = verification(&app, &query);
    assert_eq!(outcome["status"], "broken");
    assert_eq!(outcome["first_invalid_event"], Value::Null);
    assert_eq!(outcome["failed_checkpoint"]["seq"], 3);
    assert_eq!(outcome["failed_checkpoint"]["reason"], "events_missing");
}

#[test]
fn a_checkpoint_whose_hash_the_chain_does_not_pass_through_is_reported() {
    let app = TestApp::spawn();
    app.create_exporter("0312345670");
    eventually("both events sealed", || verification(&app, "")["events_checked"] == 2);
    let outcome = verification(&app, &format!("?checkpoint_seq=2&checkpoint_hash={}", "ab".repeat(32)));
    assert_eq!(outcome["status"], "broken");
    assert_eq!(outcome["failed_checkpoint"]["reason"], "hash_mismatch");
    assert_eq!(outcome["failed_checkpoint"]["hash"], "ab".repeat(32));
}

#[test]
fn a_malformed_checkpoint_is_a_bad_request() {
    let app = TestApp::spawn();
    for (query, code) in [
        ("?checkpoint_seq=3", "parameter_combination"),
        ("?checkpoint_seq=3&checkpoint_hash=zz", "invalid_query"),
        ("?checkpoint_seq=0&checkpoint_hash=00", "invalid_query"),
    ] {
        let response = app.get(&format!("/v1/audit-events/verification{query}"), Some(&app.admin_key));
        assert_eq!(response.status, 400, "{query}: {}", response.text);
        assert_eq!(response.json["code"], code);
    }
}

#[test]
fn the_sealer_vacuums_the_queue_it_empties_once_a_thousand_events_are_sealed() {
    let app = TestApp::spawn();
    let rows: Vec<(String, String)> = (1..=1000)
        .map(|n| (format!("VN-BTPH-{n:04}"), format!("Packing house {n}")))
        .collect();
    let rows: Vec<(&str, &str)> = rows.iter().map(|(code, name)| (code.as_str(), name.as_str())).collect();
    let imported = import(&app, &list(&rows, false, "2024-05-01"));
    assert_eq!(imported.status, 201, "{}", imported.text);
    // Autovacuum's runs are counted apart (autovacuum_count): this one is the sealer's.
    eventually("the sealer vacuumed audit_pending", || {
        app.db
            .scalar("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'audit_pending'")
            >= 1
    });
    assert_eq!(app.db.scalar("SELECT count(*) FROM audit_pending"), 0);
    assert_eq!(verification(&app, "")["status"], "ok");
}
