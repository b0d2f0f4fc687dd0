//! The public protocol reference (`GET /v1/protocols` and each protocol's page) against a
//! snapshot kept in `tests/api/snapshots/protocols.json`, so any change to a rule, a parameter or
//! a source shows up in review. After an intended change, regenerate it with
//! `UPDATE_SNAPSHOTS=1 cargo test --test api protocol_reference` and review the diff.

use crate::helpers::TestApp;
use agri_quarantine::domain::protocol::ProtocolCode;
use serde_json::{Value, json};
use std::collections::HashSet;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/snapshots/protocols.json");

fn reference(app: &TestApp) -> Value {
    let list = app.get("/v1/protocols", None);
    assert_eq!(list.status, 200, "{}", list.text);
    let mut pages = serde_json::Map::new();
    for code in ProtocolCode::VARIANTS {
        let page = app.get(&format!("/v1/protocols/{code}"), None);
        assert_eq!(page.status, 200, "{}", page.text);
        pages.insert(code.to_string(), page.json);
    }
    json!({"list": list.json, "protocols": pages})
}

#[test]
fn the_protocol_reference_matches_its_reviewed_snapshot() {
    let app = TestApp::spawn();
    let actual = reference(&app);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
        std::fs::write(SNAPSHOT, text).unwrap();
    }
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(SNAPSHOT).unwrap()).unwrap();
    assert!(
        actual == expected,
        "the protocol reference changed; review and regenerate the snapshot:\n{}",
        serde_json::to_string_pretty(&actual).unwrap()
    );
}

#[test]
fn every_rule_id_is_unique_across_all_protocols() {
    let app = TestApp::spawn();
    let reference = reference(&app);
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (code, page) in reference["protocols"].as_object().unwrap() {
        let ids: Vec<&str> = page["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|rule| rule["id"].as_str().unwrap())
            .collect();
        let distinct: HashSet<&&str> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "{code} lists a rule twice");
        for rule in page["rules"].as_array().unwrap() {
            seen.insert((
                rule["id"].as_str().unwrap().to_owned(),
                rule["severity"].as_str().unwrap().to_owned(),
            ));
        }
    }
    let ids: HashSet<&String> = seen.iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), seen.len(), "one rule id is used with two severities");
}
