//! Logs and metrics.

pub mod metrics;

use crate::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global log subscriber: one line per event on stderr, text or JSON. Returns
/// an error when a subscriber is already installed (as happens in tests).
pub fn init_logging(config: &Config) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&config.log_level)
        .map_err(|error| anyhow::anyhow!("LOG_LEVEL {:?} is not a valid filter: {error}", config.log_level))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        // Colour codes only help a person at a terminal; they garble files and log collectors.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let result = match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    result.map_err(|error| anyhow::anyhow!("could not install the log subscriber: {error}"))
}
