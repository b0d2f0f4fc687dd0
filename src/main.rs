//! The `agri-quarantine` binary: `agri-quarantine` (or `serve`) runs the service;
//! `agri-quarantine admin-key [--label TEXT]` prints a new admin API key on stdout.

use agri_quarantine::config::Config;
use agri_quarantine::service::api_keys::create_admin_key_from_command;
use agri_quarantine::startup::{prepare_database, serve};
use agri_quarantine::telemetry::init_logging;
use std::process::ExitCode;

// glibc's allocator took about a third of the request threads' user time under load (many
// threads, short-lived JSON buffers); mimalloc keeps per-thread free lists. Built without
// transparent huge pages (feature `no_thp`): with them its peak RSS doubled, to over 100 MB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: agri-quarantine [serve]\n       agri-quarantine admin-key [--label TEXT]\n\nConfiguration comes from environment variables; see README.md.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = init_logging(&config) {
        eprintln!("{error}");
        return ExitCode::from(2);
    }
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["serve"] => actix_web::rt::System::new().block_on(serve(config)),
        ["admin-key"] => admin_key(&config, "created with the admin-key command"),
        ["admin-key", "--label", label] => admin_key(&config, label),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "agri-quarantine failed");
            ExitCode::FAILURE
        }
    }
}

/// Creates an admin key of the operator organisation and prints only the key on stdout.
fn admin_key(config: &Config, label: &str) -> anyhow::Result<()> {
    let mut connection = prepare_database(config)?;
    let secret = create_admin_key_from_command(&mut connection, label)
        .map_err(|error| anyhow::anyhow!("cannot create the admin key: {error:?}"))?;
    println!("{secret}");
    Ok(())
}
