//! The inspector sees what they decide: an inspector of the competent authority (and an admin)
//! reads a submitted consignment in full, with its dossier; nobody else learns it exists.

use crate::fixtures::{crocodiles, departure_soon, fresh_durian, vietnam_today, world};
use serde_json::{Value, json};

fn statuses(entry: &Value) -> Vec<(String, String, String)> {
    entry["status_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|status| {
            (
                status["date"].as_str().unwrap().to_owned(),
                status["date_of"].as_str().unwrap().to_owned(),
                status["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_inspector_of_the_competent_authority_reads_a_submitted_consignment_with_its_dossier() {
    let world = world();
    let id = world.inspected(&fresh_durian());
    let response = world
        .app
        .get(&format!("/v1/consignments/{id}"), Some(&world.ppd_inspector));
    assert_eq!(response.status, 200, "{}", response.text);
    let consignment = &response.json;
    assert_eq!(consignment["id"], id.as_str());
    assert_eq!(consignment["status"], "submitted");
    assert_eq!(consignment["lots"][0]["orchard_code"], "VN-TGOR-0095");
    assert_eq!(consignment["submission_report"]["compliant"], true);
    let dossier = &consignment["dossier"];
    assert_eq!(dossier["inspections"].as_array().unwrap().len(), 1);
    assert_eq!(dossier["inspections"][0]["inspected_on"], "2025-02-28");
    assert_eq!(dossier["decisions"], json!([]));
    assert_eq!(dossier["live_compliance_report"]["compliant"], true);
    let orchard = dossier["registry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["kind"] == "orchard")
        .unwrap();
    assert_eq!(orchard["code"], "VN-TGOR-0095");
    let today = vietnam_today().to_string();
    assert_eq!(
        statuses(orchard),
        [
            (
                departure_soon().to_string(),
                "planned_departure".to_owned(),
                "approved".to_owned()
            ),
            ("2025-02-28".to_owned(), "inspection".to_owned(), "approved".to_owned()),
            (today, "today".to_owned(), "approved".to_owned()),
        ]
    );
}

#[test]
fn the_registry_in_the_dossier_shows_a_suspension_on_the_day_it_applies() {
    let world = world();
    let id = world.inspected(&fresh_durian());
    let suspended = world.app.post(
        "/v1/establishments/packing_house/VN-BTPH-036/status-changes",
        Some(&world.app.admin_key),
        &json!({"status": "suspended", "effective_from": departure_soon().to_string(),
                "effective_until": departure_soon().to_string(), "reference": "GACC notice"}),
    );
    assert_eq!(suspended.status, 201, "{}", suspended.text);
    let dossier = world
        .app
        .get(&format!("/v1/consignments/{id}"), Some(&world.ppd_inspector))
        .json["dossier"]
        .clone();
    let packing_house = dossier["registry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["kind"] == "packing_house")
        .unwrap()
        .clone();
    let by_date = statuses(&packing_house);
    assert_eq!(by_date[0].2, "suspended", "{by_date:?}");
    assert_eq!(by_date[1].2, "approved", "{by_date:?}");
    assert_eq!(dossier["live_compliance_report"]["compliant"], false);
}

#[test]
fn decisions_appear_in_the_dossier_after_approval() {
    let world = world();
    let id = world.inspected(&crocodiles());
    let approved = world.approve(&id, &world.dah_inspector);
    assert_eq!(approved.status, 200, "{}", approved.text);
    let consignment = world
        .app
        .get(&format!("/v1/consignments/{id}"), Some(&world.dah_inspector))
        .json;
    assert_eq!(consignment["status"], "approved");
    let decisions = consignment["dossier"]["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0]["decision"], "approved");
    assert_eq!(decisions[0]["compliance_report"]["compliant"], true);
}

#[test]
fn an_inspector_of_another_authority_gets_404_and_so_does_any_inspector_for_a_draft() {
    let world = world();
    let id = world.submitted(&fresh_durian());
    let other = world
        .app
        .get(&format!("/v1/consignments/{id}"), Some(&world.dah_inspector));
    assert_eq!(other.status, 404, "{}", other.text);
    let draft = world
        .app
        .post("/v1/consignments", Some(&world.exporter), &fresh_durian());
    let draft_id = draft.json["id"].as_str().unwrap();
    let hidden = world
        .app
        .get(&format!("/v1/consignments/{draft_id}"), Some(&world.ppd_inspector));
    assert_eq!(hidden.status, 404, "{}", hidden.text);
}

#[test]
fn an_admin_reads_any_consignment_with_its_dossier_and_an_exporter_reads_its_own_without_one() {
    let world = world();
    let id = world.submitted(&fresh_durian());
    let admin = world
        .app
        .get(&format!("/v1/consignments/{id}"), Some(&world.app.admin_key));
    assert_eq!(admin.status, 200, "{}", admin.text);
    assert!(admin.json["dossier"]["registry"].is_array());
    let exporter = world.app.get(&format!("/v1/consignments/{id}"), Some(&world.exporter));
    assert_eq!(exporter.status, 200);
    assert!(exporter.json.get("dossier").is_none());
}

#[test]
fn the_inspection_queue_links_to_each_consignment() {
    let world = world();
    let id = world.submitted(&fresh_durian());
    let queue = world.app.get("/v1/inspection-queue", Some(&world.ppd_inspector));
    assert_eq!(queue.status, 200, "{}", queue.text);
    let href = queue.json["items"][0]["href"].as_str().unwrap().to_owned();
    assert_eq!(href, format!("/v1/consignments/{id}"));
    assert_eq!(world.app.get(&href, Some(&world.ppd_inspector)).status, 200);
}

/// Declares a draft as the world's exporter: the answer, and the path to read it at.
fn declared(world: &crate::fixtures::World) -> (serde_json::Value, String) {
    let created = world
        .app
        .post("/v1/consignments", Some(&world.exporter), &fresh_durian());
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/v1/consignments/{}", created.json["id"].as_str().unwrap());
    (created.json, path)
}

/// Declares a draft as the world's exporter and reads it back; both must agree, with the ETag.
fn declare_and_read_back(world: &crate::fixtures::World) {
    let (created, path) = declared(world);
    let read = world.app.get(&path, Some(&world.exporter));
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json, created);
    assert_eq!(read.header("etag"), Some("\"v1\""));
}

#[test]
fn an_exporters_read_of_its_consignment_runs_on_a_connection_of_the_workers_event_loop() {
    let world = world();
    assert_eq!(world.event_loop_connections(), 0);
    declare_and_read_back(&world);
    // The creation's pooled connection, and the one the worker's reads share.
    assert_eq!(world.event_loop_connections(), 2);
    let metrics = world.app.get("/metrics", None).text;
    assert!(metrics.contains("\ndb_event_loop_connections 2\n"), "{metrics}");
}

#[test]
fn concurrent_exporter_reads_share_one_connection_of_the_workers_event_loop() {
    let world = world();
    let (created, path) = declared(&world);
    assert_eq!(world.event_loop_connections(), 1);
    let reads: Vec<_> = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..16)
            .map(|_| scope.spawn(|| world.app.get(&path, Some(&world.exporter))))
            .collect();
        readers
            .into_iter()
            .map(|reader| reader.join().expect("a reader"))
            .collect()
    });
    for read in &reads {
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(read.json, created);
    }
    assert_eq!(world.event_loop_connections(), 2);
}

#[test]
fn once_the_database_ends_the_shared_read_connection_the_next_read_opens_another() {
    let world = world();
    let (created, path) = declared(&world);
    assert_eq!(world.app.get(&path, Some(&world.exporter)).status, 200);
    let ended = world.app.db.scalar(&format!(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{}' AND application_name = 'agri-quarantine-event-loop') AS ended",
        world.app.db.name
    ));
    assert_eq!(ended, 2);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while world.event_loop_connections() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Time for the worker to read the end of the connection.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let read = world.app.get(&path, Some(&world.exporter));
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json, created);
    assert_eq!(world.event_loop_connections(), 1);
}

#[test]
fn without_event_loop_connections_an_exporter_reads_its_consignment_through_the_blocking_pool_the_same_way() {
    let world = crate::fixtures::world_with(&[("DB_LOOP_POOL_SIZE", "0")]);
    declare_and_read_back(&world);
    assert_eq!(world.event_loop_connections(), 0);
}
