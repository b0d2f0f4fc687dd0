//! The event feed: each organisation sees the events that concern it, in chain order, and
//! long polling answers soon after an event is committed.

use crate::fixtures::{coconut, world};
use crate::helpers::TestApp;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn feed(app: &TestApp, key: &str, query: &str) -> Value {
    let response = app.get(&format!("/v1/events{query}"), Some(key));
    assert_eq!(response.status, 200, "{}", response.text);
    response.json
}

/// The consignment and certificate events for `key` so far (waiting until `count` have been
/// sealed), by type. The world's registry set-up also gives its holder status-change events.
fn types_seen(app: &TestApp, key: &str, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let types = "consignment.submitted,consignment.returned,consignment.approved,consignment.rejected,\
                 certificate.issued,certificate.revoked,certificate.replaced";
    loop {
        let page = feed(app, key, &format!("?limit=200&types={types}"));
        let types: Vec<String> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|event| event["type"].as_str().unwrap_or_default().to_owned())
            .collect();
        if types.len() >= count || Instant::now() > deadline {
            return types;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_exporter_and_the_authority_each_see_the_events_that_concern_them_in_order() {
    let world = world();
    let number = world.approved_certificate(&coconut());
    let revoked = world.app.post(
        &format!("/v1/certificates/{number}/revoke"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Issued in error"}),
    );
    assert_eq!(revoked.status, 200);
    assert_eq!(
        types_seen(&world.app, &world.exporter, 3),
        ["certificate.issued", "consignment.approved", "certificate.revoked"]
    );
    assert_eq!(
        types_seen(&world.app, &world.ppd_inspector, 4),
        [
            "consignment.submitted",
            "certificate.issued",
            "consignment.approved",
            "certificate.revoked"
        ]
    );
    // DAH is not competent for coconut; another exporter is not concerned at all.
    assert_eq!(types_seen(&world.app, &world.dah_inspector, 0), Vec::<String>::new());
    let (_, stranger) = world.app.exporter_with_key("0312345679");
    assert_eq!(types_seen(&world.app, &stranger, 0), Vec::<String>::new());
}

#[test]
fn an_event_carries_the_object_as_the_api_returned_it_and_where_it_is() {
    let world = world();
    let id = world.submitted(&coconut());
    types_seen(&world.app, &world.ppd_inspector, 1);
    let page = feed(&world.app, &world.ppd_inspector, "?types=consignment.submitted");
    let event = &page["items"][0];
    assert_eq!(event["type"], "consignment.submitted");
    assert_eq!(event["href"], format!("/v1/consignments/{id}"));
    assert_eq!(event["object"]["id"], id.as_str());
    assert_eq!(event["object"]["status"], "submitted");
    let inspector = world.app.get("/v1/me", Some(&world.ppd_inspector)).json;
    assert_eq!(event["organization_id"], inspector["organization"]["id"]);
}

#[test]
fn following_the_cursor_gives_each_event_once_and_filters_by_type() {
    let world = world();
    world.approved_certificate(&coconut());
    types_seen(&world.app, &world.exporter, 2);
    let all = feed(&world.app, &world.exporter, "?limit=200");
    let everything: Vec<Value> = all["items"].as_array().expect("items").clone();
    // One at a time, following the cursor, gives the same events in the same order.
    let mut followed = Vec::new();
    let mut cursor = String::new();
    loop {
        let query = if cursor.is_empty() {
            "?limit=1".to_owned()
        } else {
            format!("?limit=1&after={cursor}")
        };
        let page = feed(&world.app, &world.exporter, &query);
        followed.extend(page["items"].as_array().expect("items").iter().cloned());
        cursor = page["next_cursor"].as_str().expect("a cursor").to_owned();
        if page["has_more"] == false {
            break;
        }
    }
    assert_eq!(followed, everything);
    let done = feed(&world.app, &world.exporter, &format!("?after={cursor}"));
    assert_eq!(done["items"], json!([]));
    assert_eq!(done["next_cursor"], cursor.as_str());
    let only = feed(&world.app, &world.exporter, "?types=certificate.issued");
    assert_eq!(only["items"].as_array().map(Vec::len), Some(1));
}

#[test]
fn long_polling_answers_within_a_second_of_the_commit() {
    let world = world();
    let id = world.inspected(&coconut());
    types_seen(&world.app, &world.ppd_inspector, 1);
    let cursor = feed(&world.app, &world.exporter, "")["next_cursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    std::thread::scope(|scope| {
        let waiting = scope.spawn(|| {
            let started = Instant::now();
            let answer = feed(&world.app, &world.exporter, &format!("?after={cursor}&wait=20"));
            (answer, started.elapsed())
        });
        std::thread::sleep(Duration::from_millis(1500));
        let approved = world.approve(&id, &world.ppd_inspector);
        assert_eq!(approved.status, 200, "{}", approved.text);
        let committed = Instant::now();
        let (answer, waited) = waiting.join().expect("the waiting request");
        assert!(
            waited >= Duration::from_millis(1400),
            "it waited for the event: {waited:?}"
        );
        assert!(
            committed.elapsed() < Duration::from_secs(1),
            "answered {:?} after the commit",
            committed.elapsed()
        );
        let types: Vec<&str> = answer["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|e| e["type"].as_str())
            .collect();
        assert!(
            types.contains(&"consignment.approved") || types.contains(&"certificate.issued"),
            "{types:?}"
        );
    });
}

#[test]
fn an_unknown_event_type_or_too_long_a_wait_is_refused() {
    let app = TestApp::spawn();
    let unknown = app.get("/v1/events?types=consignment.created", Some(&app.admin_key));
    assert_eq!(unknown.status, 422, "{}", unknown.text);
    assert_eq!(unknown.json["errors"][0]["pointer"], "/types");
    let long = app.get("/v1/events?wait=31", Some(&app.admin_key));
    assert_eq!(long.status, 422);
    assert_eq!(app.get("/v1/events", None).status, 401);
}
