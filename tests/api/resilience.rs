use crate::flaky_proxy::FlakyProxy;
use crate::helpers::{TestApp, create_admin_key, test_config};
use crate::test_db::TestDatabase;
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

#[test]
fn under_concurrent_load_every_request_gets_503_within_the_pool_timeout_while_the_database_is_cut() {
    let proxy = FlakyProxy::start();
    let db = TestDatabase::migrated();
    let admin_key = create_admin_key(&mut db.connect());
    let config = test_config(
        &proxy.url_for(&db.name),
        &[
            ("DB_POOL_TIMEOUT_MS", "1500"),
            ("DB_CONNECT_TIMEOUT_SECS", "1"),
            ("DB_POOL_SIZE", "2"),
        ],
    );
    let app = TestApp::serve(db, admin_key.clone(), config);
    assert_eq!(app.get("/v1/organizations", Some(&admin_key)).status, 200);
    proxy.cut();
    // Four blocking threads for twenty requests at once: most of them wait for a thread first.
    let answers: Vec<(u16, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                scope.spawn(|| {
                    let started = Instant::now();
                    let status = app.get("/v1/organizations", Some(&admin_key)).status;
                    (status, started.elapsed())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a request thread"))
            .collect()
    });
    for (status, took) in &answers {
        assert_eq!(*status, 503);
        assert!(
            *took < Duration::from_millis(2500),
            "answered after {took:?}: {answers:?}"
        );
    }
    proxy.restore();
    assert_eq!(eventually_ok(&app, "/v1/organizations", &admin_key), 200);
}

#[test]
fn under_concurrent_load_every_request_is_answered_within_the_pool_and_statement_timeouts_while_the_network_is_silent()
{
    let proxy = FlakyProxy::start();
    let db = TestDatabase::migrated();
    let admin_key = create_admin_key(&mut db.connect());
    let config = test_config(
        &proxy.url_for(&db.name),
        &[
            ("DB_POOL_TIMEOUT_MS", "1000"),
            ("DB_STATEMENT_TIMEOUT_MS", "1000"),
            ("DB_CONNECT_TIMEOUT_SECS", "1"),
            ("DB_POOL_SIZE", "2"),
        ],
    );
    let app = TestApp::serve(db, admin_key.clone(), config);
    assert_eq!(app.get("/v1/organizations", Some(&admin_key)).status, 200);
    proxy.silence();
    // Some requests hold a pooled connection whose query is never answered; the rest wait for
    // a connection or a thread. Reads and writes alike.
    let answers: Vec<(u16, String, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|index| {
                let (app, admin_key) = (&app, &admin_key);
                scope.spawn(move || {
                    let started = Instant::now();
                    let response = if index % 4 == 0 {
                        let body = crate::helpers::exporter_body(&format!("03{index:08}"));
                        app.post("/v1/organizations", Some(admin_key), &body)
                    } else {
                        app.get("/v1/organizations", Some(admin_key))
                    };
                    (response.status, response.json["code"].to_string(), started.elapsed())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a request thread"))
            .collect()
    });
    for (status, code, took) in &answers {
        assert_eq!(
            (*status, code.as_str()),
            (503, "\"service_unavailable\""),
            "{answers:?}"
        );
        assert!(
            *took < Duration::from_millis(2000 + 1000),
            "answered after {took:?}: {answers:?}"
        );
    }
    proxy.restore();
    assert_eq!(eventually_ok(&app, "/v1/organizations", &admin_key), 200);
}

#[test]
fn while_the_database_is_unreachable_database_routes_answer_503_within_5_seconds_and_recover_without_a_restart() {
    let proxy = FlakyProxy::start();
    let db = TestDatabase::migrated();
    let admin_key = create_admin_key(&mut db.connect());
    let config = test_config(
        &proxy.url_for(&db.name),
        &[("DB_POOL_TIMEOUT_MS", "2000"), ("DB_CONNECT_TIMEOUT_SECS", "1")],
    );
    let app = TestApp::serve(db, admin_key.clone(), config);
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
