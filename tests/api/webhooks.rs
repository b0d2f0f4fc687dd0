//! Webhooks: a real HTTP receiver inside the test gets the organisation's events, signed per
//! the Standard Webhooks specification, in feed order, and again after it was down.

use crate::fixtures::{World, coconut, fresh_durian, world_with};
use crate::helpers::TestApp;
use agri_quarantine::domain::webhook::signature;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
struct Delivery {
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Delivery {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A small HTTP receiver: records what it accepts; while down it answers 503.
struct Receiver {
    url: String,
    accepted: Arc<Mutex<Vec<Delivery>>>,
    up: Arc<AtomicBool>,
}

fn read_request(stream: &mut TcpStream) -> Option<Delivery> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
        if let Some(at) = bytes.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let headers: BTreeMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length")?.parse().ok()?;
    while bytes.len() < head_end + length {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    }
    Some(Delivery {
        headers,
        body: bytes[head_end..head_end + length].to_vec(),
    })
}

impl Receiver {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
        let url = format!(
            "http://127.0.0.1:{}/hooks",
            listener.local_addr().expect("address").port()
        );
        let accepted: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let up = Arc::new(AtomicBool::new(true));
        let (log, flag) = (accepted.clone(), up.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(delivery) = read_request(&mut stream) else {
                    continue;
                };
                let answer: &[u8] = if flag.load(Ordering::SeqCst) {
                    log.lock().expect("the log").push(delivery);
                    b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                } else {
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                };
                let _ = stream.write_all(answer);
            }
        });
        Self { url, accepted, up }
    }

    /// What it accepted once `count` deliveries arrived (or after 30 seconds).
    fn wait_for(&self, count: usize) -> Vec<Delivery> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let seen = self.accepted.lock().expect("the log").clone();
            if seen.len() >= count || Instant::now() > deadline {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

const PERMISSIVE: [(&str, &str); 2] = [("WEBHOOK_ALLOW_HTTP", "1"), ("WEBHOOK_ALLOW_INTERNAL", "1")];

/// Registers `receiver` for the organisation of `key`; returns the endpoint and its secret.
fn subscribe(app: &TestApp, key: &str, receiver: &Receiver, types: &[&str]) -> (Value, String) {
    let created = app.post(
        "/v1/webhook-endpoints",
        Some(key),
        &json!({"url": receiver.url, "event_types": types}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.json["secret"].as_str().expect("a secret").to_owned();
    (created.json["endpoint"].clone(), secret)
}

fn assert_signed(delivery: &Delivery, secret: &str) {
    let id = &delivery.headers["webhook-id"];
    let timestamp: i64 = delivery.headers["webhook-timestamp"].parse().expect("Unix seconds");
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    assert_eq!(
        Some(delivery.headers["webhook-signature"].clone()),
        signature(secret, id, timestamp, &delivery.body)
    );
    assert_eq!(delivery.json()["id"].as_str(), Some(id.as_str()));
    assert_eq!(delivery.headers["content-type"], "application/json");
}

fn types(deliveries: &[Delivery]) -> Vec<String> {
    deliveries
        .iter()
        .map(|delivery| delivery.json()["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn revoke(world: &World, number: &str) {
    let revoked = world.app.post(
        &format!("/v1/certificates/{number}/revoke"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Issued in error"}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
}

#[test]
fn each_organisation_receives_its_events_signed_in_feed_order_and_no_other_organisations() {
    let world = world_with(&PERMISSIVE);
    let (exporter_receiver, authority_receiver, stranger_receiver) =
        (Receiver::start(), Receiver::start(), Receiver::start());
    let decisions = [
        "consignment.submitted",
        "consignment.approved",
        "certificate.issued",
        "certificate.revoked",
    ];
    let (_, exporter_secret) = subscribe(&world.app, &world.exporter, &exporter_receiver, &decisions);
    let (_, authority_secret) = subscribe(&world.app, &world.ppd_inspector, &authority_receiver, &decisions);
    let (_, stranger) = world.app.exporter_with_key("0398765432");
    subscribe(&world.app, &stranger, &stranger_receiver, &[]);

    let number = world.approved_certificate(&coconut());
    revoke(&world, &number);

    let exporter_got = exporter_receiver.wait_for(3);
    assert_eq!(
        types(&exporter_got),
        ["certificate.issued", "consignment.approved", "certificate.revoked"]
    );
    exporter_got
        .iter()
        .for_each(|delivery| assert_signed(delivery, &exporter_secret));
    let authority_got = authority_receiver.wait_for(4);
    assert_eq!(
        types(&authority_got),
        [
            "consignment.submitted",
            "certificate.issued",
            "consignment.approved",
            "certificate.revoked"
        ]
    );
    authority_got
        .iter()
        .for_each(|delivery| assert_signed(delivery, &authority_secret));
    // The same events, in the same order, as the exporter's feed.
    let feed = world.app.get(
        &format!("/v1/events?types={}", decisions.join(",")),
        Some(&world.exporter),
    );
    let feed_ids: Vec<Value> = feed.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|event| event["id"].clone())
        .collect();
    let delivered_ids: Vec<Value> = exporter_got
        .iter()
        .map(|delivery| delivery.json()["id"].clone())
        .collect();
    assert_eq!(feed_ids, delivered_ids);
    assert_eq!(exporter_got[0].json(), feed.json["items"][0]);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        stranger_receiver.wait_for(0).is_empty(),
        "another organisation's receiver got events"
    );
}

#[test]
fn a_receiver_that_was_down_gets_every_event_in_order_once_it_is_up_and_every_try_is_listed() {
    let world = world_with(&PERMISSIVE);
    let receiver = Receiver::start();
    receiver.up.store(false, Ordering::SeqCst);
    let decisions = ["consignment.approved", "certificate.issued", "certificate.revoked"];
    let (endpoint, secret) = subscribe(&world.app, &world.exporter, &receiver, &decisions);
    let id = endpoint["id"].as_str().expect("an id").to_owned();
    let number = world.approved_certificate(&coconut());

    // Refused while down: the failure is recorded and the event waits.
    let failed = first_tries(&world.app, &world.exporter, &id);
    assert_eq!(failed[0]["succeeded"], false);
    assert_eq!(failed[0]["status_code"], 503);
    assert_eq!(failed[0]["attempt"], 1);
    let shown = world.app.get("/v1/webhook-endpoints", Some(&world.exporter));
    assert_eq!(
        shown.json["items"][0]["failed_attempts"]
            .as_i64()
            .map(|count| count >= 1),
        Some(true)
    );

    receiver.up.store(true, Ordering::SeqCst);
    revoke(&world, &number);
    // Not waiting out the back-off: a retry by hand sends the pending event at once.
    let retried = world.app.post(
        &format!("/v1/webhook-endpoints/{id}/retry"),
        Some(&world.exporter),
        &json!({}),
    );
    assert_eq!(retried.status, 200, "{}", retried.text);
    let got = receiver.wait_for(3);
    assert_eq!(
        types(&got),
        ["certificate.issued", "consignment.approved", "certificate.revoked"]
    );
    got.iter().for_each(|delivery| assert_signed(delivery, &secret));
    let seqs: Vec<i64> = got
        .iter()
        .map(|delivery| delivery.json()["seq"].as_i64().unwrap_or(0))
        .collect();
    assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "{seqs:?}");
}

/// The endpoint's tries so far, once there is at least one (or after 20 seconds).
fn first_tries(app: &TestApp, key: &str, endpoint_id: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let tries = app.get(&format!("/v1/webhook-deliveries?endpoint_id={endpoint_id}"), Some(key));
        assert_eq!(tries.status, 200, "{}", tries.text);
        let items = tries.json["items"].as_array().expect("items").clone();
        if !items.is_empty() || Instant::now() > deadline {
            return items;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn events_pending_when_the_service_stops_are_delivered_by_the_next_instance_in_order() {
    let mut world = world_with(&PERMISSIVE);
    let receiver = Receiver::start();
    receiver.up.store(false, Ordering::SeqCst);
    let decisions = ["consignment.approved", "certificate.issued"];
    let (endpoint, secret) = subscribe(&world.app, &world.exporter, &receiver, &decisions);
    let id = endpoint["id"].as_str().expect("an id").to_owned();
    world.approved_certificate(&coconut());
    assert!(!first_tries(&world.app, &world.exporter, &id).is_empty());

    world.app.stop();
    receiver.up.store(true, Ordering::SeqCst);
    let next = world.app.another_instance(&PERMISSIVE);
    // No retry by hand: the new instance resumes on the back-off schedule.
    let got = receiver.wait_for(2);
    assert_eq!(types(&got), ["certificate.issued", "consignment.approved"]);
    got.iter().for_each(|delivery| assert_signed(delivery, &secret));
    let tries = next.get(
        &format!("/v1/webhook-deliveries?endpoint_id={id}"),
        Some(&world.exporter),
    );
    let succeeded = tries.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|item| item["succeeded"] == true)
        .count();
    assert_eq!(succeeded, 2, "{}", tries.text);
}

#[test]
fn an_endpoint_must_be_https_and_reach_outside_unless_the_operator_allows_it() {
    let app = TestApp::spawn();
    let (_, exporter) = app.exporter_with_key("0312345678");
    for url in [
        "http://example.com/hooks",
        "https://127.0.0.1/hooks",
        "https://user:pw@example.com/x",
    ] {
        let refused = app.post("/v1/webhook-endpoints", Some(&exporter), &json!({"url": url}));
        assert_eq!(refused.status, 422, "{url}: {}", refused.text);
        assert_eq!(refused.json["errors"][0]["pointer"], "/url");
        assert_eq!(refused.json["errors"][0]["code"], "url_not_allowed");
    }
    assert_eq!(
        app.get("/v1/webhook-endpoints", Some(&exporter)).json["items"],
        json!([])
    );
}

#[test]
fn an_organisation_cannot_see_or_remove_another_organisations_endpoint() {
    let world = world_with(&PERMISSIVE);
    let receiver = Receiver::start();
    let (endpoint, _) = subscribe(&world.app, &world.exporter, &receiver, &[]);
    let id = endpoint["id"].as_str().expect("an id");
    let (_, stranger) = world.app.exporter_with_key("0398765432");
    assert_eq!(
        world.app.get("/v1/webhook-endpoints", Some(&stranger)).json["items"],
        json!([])
    );
    assert_eq!(
        world
            .app
            .delete(&format!("/v1/webhook-endpoints/{id}"), Some(&stranger))
            .status,
        404
    );
    assert_eq!(
        world
            .app
            .delete(&format!("/v1/webhook-endpoints/{id}"), Some(&world.exporter))
            .status,
        204
    );
    assert_eq!(
        world.app.get("/v1/webhook-endpoints", Some(&world.exporter)).json["items"],
        json!([])
    );
}

#[test]
fn after_a_rotation_deliveries_carry_a_signature_with_each_secret_for_a_day() {
    let world = world_with(&PERMISSIVE);
    let receiver = Receiver::start();
    let (endpoint, old_secret) = subscribe(&world.app, &world.exporter, &receiver, &["certificate.issued"]);
    let id = endpoint["id"].as_str().expect("an id");
    let rotated = world.app.post(
        &format!("/v1/webhook-endpoints/{id}/rotate-secret"),
        Some(&world.exporter),
        &json!({}),
    );
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = rotated.json["secret"].as_str().expect("a new secret").to_owned();
    assert_ne!(new_secret, old_secret);
    assert!(rotated.json["endpoint"]["previous_secret_expires_at"].is_string());

    world.approved_certificate(&coconut());
    let got = receiver.wait_for(1);
    let delivery = &got[0];
    let (id, timestamp) = (
        &delivery.headers["webhook-id"],
        delivery.headers["webhook-timestamp"].parse().expect("seconds"),
    );
    let expected =
        [&new_secret, &old_secret].map(|secret| signature(secret, id, timestamp, &delivery.body).expect("signed"));
    assert_eq!(delivery.headers["webhook-signature"], expected.join(" "));
}

#[test]
fn an_endpoint_failing_for_three_days_is_disabled_and_its_organisation_hears_of_it_in_the_feed() {
    use diesel::RunQueryDsl;
    let world = world_with(&PERMISSIVE);
    let receiver = Receiver::start();
    receiver.up.store(false, Ordering::SeqCst);
    let (endpoint, _) = subscribe(&world.app, &world.exporter, &receiver, &["certificate.issued"]);
    let id = endpoint["id"].as_str().expect("an id").to_owned();
    world.approved_certificate(&coconut());
    assert!(!first_tries(&world.app, &world.exporter, &id).is_empty());
    // Three days of failures, without waiting them out.
    diesel::sql_query(format!(
        "UPDATE webhook_endpoints SET failing_since = now() - interval '3 days 1 minute', next_attempt_at = now() WHERE id = '{id}'"
    ))
    .execute(&mut world.app.db.connect())
    .expect("backdate the failures");

    let deadline = Instant::now() + Duration::from_secs(20);
    let disabled = loop {
        let feed = world
            .app
            .get("/v1/events?types=webhook_endpoint.disabled", Some(&world.exporter));
        let items = feed.json["items"].as_array().expect("items").clone();
        if !items.is_empty() || Instant::now() > deadline {
            break items;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(disabled.len(), 1, "no webhook_endpoint.disabled event");
    assert_eq!(disabled[0]["object"]["id"], json!(id));
    assert_eq!(disabled[0]["object"]["enabled"], false);
    let shown = world.app.get("/v1/webhook-endpoints", Some(&world.exporter));
    assert_eq!(shown.json["items"][0]["enabled"], false);
    assert!(
        shown.json["items"][0]["disabled_reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("3 days"))
    );
    // A retry by hand enables it again.
    let retried = world.app.post(
        &format!("/v1/webhook-endpoints/{id}/retry"),
        Some(&world.exporter),
        &json!({}),
    );
    assert_eq!(retried.json["enabled"], true);
}

#[test]
fn returns_rejections_replacements_and_status_changes_arrive_signed_like_every_other_event() {
    let world = world_with(&PERMISSIVE);
    let receiver = Receiver::start();
    let kinds = [
        "consignment.returned",
        "consignment.rejected",
        "certificate.replaced",
        "establishment.status_changed",
    ];
    let (_, secret) = subscribe(&world.app, &world.exporter, &receiver, &kinds);
    let returned = world.submitted(&fresh_durian());
    let answer = world.app.post(
        &format!("/v1/consignments/{returned}/return"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Seal number unreadable; re-declare it."}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let rejected = world.submitted(&coconut());
    let answer = world.app.post(
        &format!("/v1/consignments/{rejected}/reject"),
        Some(&world.ppd_inspector),
        &json!({"reason_code": "quarantine_pest_found", "reason": "Live scale insects on 3 nuts"}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let number = world.approved_certificate(&coconut());
    let answer = world.app.post(
        &format!("/v1/certificates/{number}/replace"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Consignee address corrected", "authorized_officer": "Trần Thị Bình", "place_of_issue": "Hà Nội",
                "corrections": {"consignee": {"address": "No. 8 Youyi Road, Pingxiang, Guangxi"}}}),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    let answer = world.app.post(
        "/v1/establishments/orchard/VN-TGOR-0096/status-changes",
        Some(&world.app.admin_key),
        &json!({"status": "suspended", "effective_from": "2026-01-01", "reference": "GACC notice 12/2026"}),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);

    // The orchard is registered for durian and coconut: one status change each.
    let got = receiver.wait_for(5);
    assert_eq!(types(&got), [&kinds[..], &kinds[3..]].concat());
    got.iter().for_each(|delivery| assert_signed(delivery, &secret));
}
