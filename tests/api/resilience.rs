use crate::fixtures::fresh_durian;
use crate::flaky_proxy::FlakyProxy;
use crate::helpers::{TestApp, TestResponse, create_admin_key, test_config};
use crate::test_db::TestDatabase;
use serde_json::Value;
use std::time::{Duration, Instant};

fn eventually_ok(app: &TestApp, path: &str, key: &str) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = app.get(path, Some(key)).status;
        if status == 200 || Instant::now() > deadline {
            return status;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A server whose database connections go through a proxy the test can cut or silence, with
/// `settings`; returns the proxy, the server and its admin key.
fn behind_proxy(settings: &[(&str, &str)]) -> (FlakyProxy, TestApp, String) {
    let proxy = FlakyProxy::start();
    let db = TestDatabase::migrated();
    let admin_key = create_admin_key(&mut db.connect());
    let config = test_config(&proxy.url_for(&db.name), settings);
    let app = TestApp::serve(db, admin_key.clone(), config);
    (proxy, app, admin_key)
}

/// What one of the requests sent at once got, and how long it took.
#[derive(Debug)]
struct Answer {
    status: u16,
    code: String,
    detail: Value,
    took: Duration,
}

/// Sends `count` requests at once, `send(index)` each, and returns every answer.
fn at_once(count: usize, send: impl Fn(usize) -> TestResponse + Sync) -> Vec<Answer> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .map(|index| {
                let send = &send;
                scope.spawn(move || {
                    let started = Instant::now();
                    let response = send(index);
                    Answer {
                        status: response.status,
                        code: response.json["code"].to_string(),
                        detail: response.json["detail"].clone(),
                        took: started.elapsed(),
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a request thread"))
            .collect()
    })
}

/// Every answer is a 503 `service_unavailable` within `limit`.
fn all_unavailable_within(answers: &[Answer], limit: Duration) {
    for answer in answers {
        assert_eq!(
            (answer.status, answer.code.as_str()),
            (503, "\"service_unavailable\""),
            "{answers:?}"
        );
        assert!(answer.took < limit, "answered after {:?}: {answers:?}", answer.took);
    }
}

#[test]
fn under_concurrent_load_every_request_gets_503_within_the_pool_timeout_while_the_database_is_cut() {
    let (proxy, app, admin_key) = behind_proxy(&[
        ("DB_POOL_TIMEOUT_MS", "1500"),
        ("DB_CONNECT_TIMEOUT_SECS", "1"),
        ("DB_POOL_SIZE", "2"),
    ]);
    assert_eq!(app.get("/v1/organizations", Some(&admin_key)).status, 200);
    proxy.cut();
    // Four blocking threads for twenty requests at once: most of them wait for a thread first.
    let answers = at_once(20, |_| app.get("/v1/organizations", Some(&admin_key)));
    all_unavailable_within(&answers, Duration::from_millis(2500));
    proxy.restore();
    assert_eq!(eventually_ok(&app, "/v1/organizations", &admin_key), 200);
}

#[test]
fn under_concurrent_load_every_request_is_answered_within_the_pool_and_statement_timeouts_while_the_network_is_silent()
{
    let (proxy, app, admin_key) = behind_proxy(&[
        ("DB_POOL_TIMEOUT_MS", "1000"),
        ("DB_STATEMENT_TIMEOUT_MS", "1000"),
        ("DB_CONNECT_TIMEOUT_SECS", "1"),
        ("DB_POOL_SIZE", "2"),
    ]);
    assert_eq!(app.get("/v1/organizations", Some(&admin_key)).status, 200);
    proxy.silence();
    // Some requests hold a pooled connection whose query is never answered; the rest wait for
    // a connection or a thread. Reads and writes alike.
    let answers = at_once(20, |index| {
        if index % 4 == 0 {
            let body = crate::helpers::exporter_body(&format!("03{index:08}"));
            app.post("/v1/organizations", Some(&admin_key), &body)
        } else {
            app.get("/v1/organizations", Some(&admin_key))
        }
    });
    all_unavailable_within(&answers, Duration::from_millis(2000 + 1000));
    proxy.restore();
    assert_eq!(eventually_ok(&app, "/v1/organizations", &admin_key), 200);
}

#[test]
fn while_the_database_is_unreachable_database_routes_answer_503_within_5_seconds_and_recover_without_a_restart() {
    let (proxy, app, admin_key) = behind_proxy(&[("DB_POOL_TIMEOUT_MS", "2000"), ("DB_CONNECT_TIMEOUT_SECS", "1")]);
    assert_eq!(app.get("/health/ready", None).status, 200);
    assert_eq!(app.get("/v1/me", Some(&admin_key)).status, 200);

    proxy.cut();
    for path in ["/health/ready", "/v1/me", "/v1/organizations", "/v1/audit-events"] {
        let started = Instant::now();
        let response = app.get(path, Some(&admin_key));
        assert_eq!(response.status, 503, "{path}: {}", response.text);
        assert_eq!(response.json["code"], "service_unavailable");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    assert_eq!(app.get("/health/live", None).status, 200);

    proxy.restore();
    assert_eq!(eventually_ok(&app, "/health/ready", &admin_key), 200);
    assert_eq!(eventually_ok(&app, "/v1/me", &admin_key), 200);
}

#[test]
fn an_exporters_read_on_the_event_loop_gets_503_within_the_timeouts_while_the_network_is_silent_and_its_answer_after() {
    let (proxy, app, _) = behind_proxy(&[
        ("DB_POOL_TIMEOUT_MS", "1000"),
        ("DB_STATEMENT_TIMEOUT_MS", "1000"),
        ("DB_CONNECT_TIMEOUT_SECS", "1"),
        ("DB_LOOP_POOL_SIZE", "2"),
    ]);
    let (_, exporter) = app.exporter_with_key("0312345678");
    let created = app.post("/v1/consignments", Some(&exporter), &fresh_durian());
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/v1/consignments/{}", created.json["id"].as_str().unwrap());
    // Opens the worker's connections and puts the key in the cache, so that during the silence
    // only the read itself needs the database.
    assert_eq!(app.get(&path, Some(&exporter)).json, created.json);
    proxy.silence();
    // All twelve are sent on the worker's shared read connection and never answered.
    let answers = at_once(12, |_| app.get(&path, Some(&exporter)));
    all_unavailable_within(&answers, Duration::from_millis(2000 + 1000));
    // A read changed nothing: its 503 says to retry, not to repeat with an Idempotency-Key.
    for answer in &answers {
        assert_eq!(answer.detail, "The database is unavailable or busy; retry shortly.");
    }
    proxy.restore();
    assert_eq!(eventually_ok(&app, &path, &exporter), 200);
    assert_eq!(app.get(&path, Some(&exporter)).json, created.json);
}
