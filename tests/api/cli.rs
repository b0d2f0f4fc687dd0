use crate::helpers::{TestApp, test_config};
use crate::test_db::TestDatabase;
use std::process::Command;

#[test]
fn the_admin_key_command_prints_only_a_working_admin_key() {
    let db = TestDatabase::migrated();
    let output = Command::new(env!("CARGO_BIN_EXE_agri-quarantine"))
        .arg("admin-key")
        .env("DATABASE_URL", db.url())
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("run the binary");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let key = stdout.trim_end_matches('\n');
    assert_eq!(stdout.lines().count(), 1);
    let config = test_config(&db.url(), &[]);
    let app = TestApp::serve(db, key.to_owned(), config);
    let me = app.get("/v1/me", Some(key));
    assert_eq!(me.status, 200);
    assert_eq!(me.json["role"], "admin");
    assert_eq!(me.json["organization"]["kind"], "operator");
}

#[test]
fn the_admin_key_command_creates_and_migrates_a_missing_database() {
    let name = format!("aq_test_{}", uuid::Uuid::new_v4().simple());
    let db = TestDatabase::named(name.clone());
    let output = Command::new(env!("CARGO_BIN_EXE_agri-quarantine"))
        .arg("admin-key")
        .env("DATABASE_URL", db.url())
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("run the binary");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(db.scalar("SELECT count(*) FROM api_keys WHERE role = 'admin'"), 1);
}

#[test]
fn an_unknown_subcommand_prints_usage_and_fails() {
    let output = Command::new(env!("CARGO_BIN_EXE_agri-quarantine"))
        .arg("frobnicate")
        .output()
        .expect("run the binary");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: agri-quarantine"));
}
