//! Keys and verifications are served from each instance's memory; a revocation made on one
//! instance reaches every other within a second.

use crate::fixtures::{World, coconut, world};
use crate::helpers::TestApp;
use serde_json::json;
use std::time::{Duration, Instant};

/// How long another instance may take to learn of a change.
const PROPAGATION: Duration = Duration::from_secs(1);

/// Polls until `check` holds, failing after `PROPAGATION` (plus slack for a loaded machine).
fn within_a_second(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < PROPAGATION + Duration::from_millis(500),
            "not within a second: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn second_instance(world: &World) -> TestApp {
    let other = world.app.another_instance(&[]);
    // The other instance caches only once its listener is connected.
    std::thread::sleep(Duration::from_millis(300));
    other
}

#[test]
fn a_key_revoked_on_one_instance_stops_working_on_another_within_a_second() {
    let world = world();
    let other = second_instance(&world);
    assert_eq!(other.get("/v1/me", Some(&world.exporter)).status, 200);
    assert_eq!(
        other.get("/v1/me", Some(&world.exporter)).status,
        200,
        "now from memory"
    );
    let me = world.app.get("/v1/me", Some(&world.exporter)).json;
    let key_id = me["key"]["id"].as_str().expect("key id");
    let revoked = world
        .app
        .delete(&format!("/v1/api-keys/{key_id}"), Some(&world.app.admin_key));
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(world.app.get("/v1/me", Some(&world.exporter)).status, 401);
    within_a_second("the other instance refuses the key", || {
        other.get("/v1/me", Some(&world.exporter)).status == 401
    });
}

#[test]
fn a_certificate_revoked_on_one_instance_verifies_as_revoked_on_another_within_a_second() {
    let world = world();
    let other = second_instance(&world);
    let number = world.approved_certificate(&coconut());
    let code = world.verification_code(&number);
    let path = format!("/v1/verify/{number}?code={code}");
    assert_eq!(other.get(&path, None).json["status"], "valid");
    assert_eq!(other.get(&path, None).json["status"], "valid", "now from memory");
    let revoked = world.app.post(
        &format!("/v1/certificates/{number}/revoke"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Issued in error"}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(world.app.get(&path, None).json["status"], "revoked");
    within_a_second("the other instance answers revoked", || {
        let answer = other.get(&path, None).json;
        answer["status"] == "revoked" && answer["revocation"]["reason"] == "Issued in error"
    });
}

#[test]
fn a_summary_from_memory_still_refuses_a_wrong_code() {
    let world = world();
    let number = world.approved_certificate(&coconut());
    assert_eq!(world.app.get(&format!("/v1/verify/{number}"), None).status, 200);
    let wrong = world.app.get(&format!("/v1/verify/{number}?code=AAAA-AAAA-AAAA"), None);
    assert_eq!(wrong.status, 404, "{}", wrong.text);
}
