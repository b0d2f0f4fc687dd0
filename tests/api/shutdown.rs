//! SIGTERM lets the requests in flight finish, then the process exits 0.

use crate::helpers::create_admin_key;
use crate::test_db::TestDatabase;
use diesel::connection::SimpleConnection;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The advisory lock the audit sealer takes (`db::audit`); reading the trail waits for it.
const SEALER_LOCK_KEY: i64 = 0x6171_5f61_7564_6974;

#[test]
fn sigterm_during_a_slow_request_lets_it_answer_and_then_the_process_exits_0() {
    let db = TestDatabase::migrated();
    let admin_key = create_admin_key(&mut db.connect());
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_agri-quarantine"))
        .env("DATABASE_URL", db.url())
        .env("BIND_ADDRESS", format!("127.0.0.1:{port}"))
        .env("LOG_LEVEL", "warn")
        .env("SIGNING_KEY", "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")
        .env("SHUTDOWN_TIMEOUT_SECS", "20")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the service");
    let base = format!("http://127.0.0.1:{port}");
    let agent = ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    );
    let started = Instant::now();
    while agent.get(format!("{base}/health/live")).call().is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the service did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Holding the sealer's lock makes reading the audit trail wait: a slow request.
    let mut holder = db.connect();
    holder
        .batch_execute(&format!("SELECT pg_advisory_lock({SEALER_LOCK_KEY})"))
        .expect("take the lock");
    let slow = std::thread::spawn({
        let (agent, url, key) = (agent.clone(), format!("{base}/v1/audit-events"), admin_key.clone());
        move || {
            agent
                .get(url)
                .header("Authorization", format!("Bearer {key}"))
                .call()
                .map(|response| response.status().as_u16())
        }
    });
    std::thread::sleep(Duration::from_millis(500));
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    kill(pid, Signal::SIGTERM).expect("signal the service");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().expect("the child's state").is_none(),
        "it waits for the request in flight"
    );
    holder
        .batch_execute(&format!("SELECT pg_advisory_unlock({SEALER_LOCK_KEY})"))
        .expect("release the lock");
    assert_eq!(slow.join().expect("the request thread").expect("an answer"), 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child's state") {
            break status;
        }
        assert!(Instant::now() < deadline, "the process did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}
