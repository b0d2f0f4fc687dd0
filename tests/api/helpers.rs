//! `TestApp`: the real service on a loopback port with a database of its own, an HTTP client,
//! and a check of every response against `openapi.yaml`.

use crate::contract;
use crate::test_db::TestDatabase;
use actix_web::HttpServer;
use agri_quarantine::config::Config;
use agri_quarantine::startup::build_app;
use agri_quarantine::state::AppState;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::Duration;

/// Creates an admin key as the `admin-key` command does and returns its secret.
pub fn create_admin_key(connection: &mut diesel::PgConnection) -> String {
    agri_quarantine::service::api_keys::create_admin_key_from_command(connection, "test admin")
        .expect("create an admin key")
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub text: String,
    pub json: Value,
    /// The raw body.
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

pub struct TestApp {
    pub address: String,
    pub admin_key: String,
    agent: ureq::Agent,
    handle: Option<actix_web::dev::ServerHandle>,
    thread: Option<JoinHandle<()>>,
    // Dropped last, after the server and its pool are gone.
    pub db: TestDatabase,
}

/// Configuration for a test server on `database_url`, with `overrides` applied.
pub fn test_config(database_url: &str, overrides: &[(&str, &str)]) -> Config {
    let mut values: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", database_url.to_owned()),
        ("DB_POOL_SIZE", "2".to_owned()),
        // The test server runs one worker (`serve`); the configuration says so too, since the
        // event-loop connections are shared out by it.
        ("WORKERS", "1".to_owned()),
        ("DB_POOL_TIMEOUT_MS", "3000".to_owned()),
        // A fixed test key, so no key file is written.
        ("SIGNING_KEY", "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=".to_owned()),
        ("SIGNING_KEY_ID", "test-key-1".to_owned()),
    ]);
    for (name, value) in overrides {
        values.insert(name, (*value).to_owned());
    }
    Config::from_lookup(|name| values.get(name).cloned()).expect("a valid test configuration")
}

impl TestApp {
    /// A server on a freshly migrated database, with a first admin key.
    pub fn spawn() -> Self {
        Self::spawn_with(&[])
    }

    pub fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        let db = TestDatabase::migrated();
        let admin_key = create_admin_key(&mut db.connect());
        let config = test_config(&db.url(), overrides);
        Self::serve(db, admin_key, config)
    }

    /// Serves `config` (whose database may differ from `db`, for example through a proxy).
    pub fn serve(db: TestDatabase, admin_key: String, config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let (sender, receiver) = std::sync::mpsc::channel();
        let blocking_threads = agri_quarantine::startup::blocking_threads(&config);
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            let outcome = system.block_on(async move {
                let state = AppState::new(config).map_err(std::io::Error::other)?;
                agri_quarantine::background::spawn(&state);
                let server = HttpServer::new(move || build_app(state.clone()))
                    .workers(1)
                    .worker_max_blocking_threads(blocking_threads)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .listen(listener)?
                    .run();
                let _ = sender.send(server.handle());
                server.await
            });
            if let Err(error) = outcome {
                eprintln!("test server failed: {error}");
            }
        });
        let handle = receiver.recv().expect("the test server starts");
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build(),
        );
        Self {
            address,
            admin_key,
            agent,
            handle: Some(handle),
            thread: Some(thread),
            db,
        }
    }

    /// Sends a request and checks the response against the contract.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> TestResponse {
        let response = self.send_unchecked(method, path, &[], key, content_type, body);
        contract::check_response(method, path, &response);
        response
    }

    /// Sends a request with extra headers, without checking the response against the contract.
    pub fn send_unchecked(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        key: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> TestResponse {
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.address));
        if let Some(key) = key {
            builder = builder.header("Authorization", format!("Bearer {key}"));
        }
        if let Some(content_type) = content_type {
            builder = builder.header("Content-Type", content_type);
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(body.to_vec()).expect("a well-formed request");
        let mut response = self.agent.run(request).expect("the server answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
            .collect();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("a readable body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            text,
            json,
            bytes,
        }
    }

    pub fn get(&self, path: &str, key: Option<&str>) -> TestResponse {
        self.request("GET", path, key, None, b"")
    }

    /// A GET as a phone's browser sends it (HTML first), checked against the contract.
    pub fn get_as_browser(&self, path: &str) -> TestResponse {
        let accept = [(
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )];
        let response = self.send_unchecked("GET", path, &accept, None, None, b"");
        contract::check_response("GET", path, &response);
        response
    }

    pub fn post(&self, path: &str, key: Option<&str>, body: &Value) -> TestResponse {
        self.request("POST", path, key, Some("application/json"), body.to_string().as_bytes())
    }

    pub fn delete(&self, path: &str, key: Option<&str>) -> TestResponse {
        self.request("DELETE", path, key, None, b"")
    }

    /// Creates an exporter organisation as admin and returns it.
    pub fn create_exporter(&self, tax_code: &str) -> Value {
        let response = self.post("/v1/organizations", Some(&self.admin_key), &exporter_body(tax_code));
        assert_eq!(response.status, 201, "{}", response.text);
        response.json
    }

    /// Creates an authority organisation as admin and returns it.
    pub fn create_authority(&self, authority: &str) -> Value {
        let body = json!({"kind": "authority", "name": format!("{authority} (Bộ Nông nghiệp và Môi trường)"), "authority": authority});
        let response = self.post("/v1/organizations", Some(&self.admin_key), &body);
        assert_eq!(response.status, 201, "{}", response.text);
        response.json
    }

    /// Issues a key as admin and returns the whole response body (with `secret`).
    pub fn create_key(&self, organization_id: &str, role: &str) -> Value {
        let body = json!({"role": role, "label": format!("{role} key for tests")});
        let response = self.post(
            &format!("/v1/organizations/{organization_id}/api-keys"),
            Some(&self.admin_key),
            &body,
        );
        assert_eq!(response.status, 201, "{}", response.text);
        response.json
    }

    /// An exporter organisation with one exporter key; returns (organisation, key secret).
    pub fn exporter_with_key(&self, tax_code: &str) -> (Value, String) {
        let organization = self.create_exporter(tax_code);
        let key = self.create_key(organization["id"].as_str().expect("id"), "exporter");
        (organization, key["secret"].as_str().expect("secret").to_owned())
    }
}

impl TestApp {
    /// Stops the server at once, dropping requests in flight, with its background work; the
    /// database stays.
    pub fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            actix_web::rt::System::new().block_on(handle.stop(false));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Stops the server at once, dropping requests in flight, while other threads may still be
    /// sending to it; `stop` (or dropping the app) then waits for it to end.
    pub fn halt(&self) {
        if let Some(handle) = &self.handle {
            actix_web::rt::System::new().block_on(handle.stop(false));
        }
    }

    /// A POST's status, or `None` when the server did not answer (it was stopped).
    pub fn try_post(&self, path: &str, key: &str, body: &Value) -> Option<u16> {
        let request = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}{path}", self.address))
            .header("Authorization", format!("Bearer {key}"))
            .header("Content-Type", "application/json")
            .body(body.to_string().into_bytes())
            .ok()?;
        self.agent.run(request).ok().map(|response| response.status().as_u16())
    }

    /// Another instance of the service on this test's database.
    pub fn another_instance(&self, overrides: &[(&str, &str)]) -> TestApp {
        let config = test_config(&self.db.url(), overrides);
        Self::serve(self.db.shared(), self.admin_key.clone(), config)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Four workers, one per app given (the same app or several instances), each create five
/// exporters at once; every creation must answer 201.
pub fn create_exporters_at_once(apps: [&TestApp; 4]) {
    std::thread::scope(|scope| {
        for (worker, app) in apps.into_iter().enumerate() {
            scope.spawn(move || {
                for index in 0..5 {
                    let response = app.post(
                        "/v1/organizations",
                        Some(&app.admin_key),
                        &exporter_body(&format!("03123456{worker}{index}")),
                    );
                    assert_eq!(response.status, 201, "{}", response.text);
                }
            });
        }
    });
}

pub fn exporter_body(tax_code: &str) -> Value {
    json!({
        "kind": "exporter",
        "name": "Công ty TNHH Xuất khẩu Sầu Riêng Cái Mơn",
        "tax_code": tax_code,
        "address": "Ấp 3, xã Vĩnh Thành, huyện Chợ Lách",
        "province": "Bến Tre"
    })
}
