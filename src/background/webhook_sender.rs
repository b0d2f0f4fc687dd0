//! Sending one webhook message over HTTP: the URL is checked again (the address a name
//! resolves to can change after registration, see `service::webhooks::refusal`), redirects are not followed, a slow receiver
//! times out and only the start of its answer is read.

use crate::config::Config;
use crate::service::webhooks::{Outcome, Outgoing, refusal};
use std::io::Read;
use std::time::Instant;

/// How much of a receiver's answer is read (and then dropped).
const MAX_ANSWER_BYTES: u64 = 4096;

/// The HTTP client deliveries share (its TLS set-up is built once): no redirects, the
/// configured timeout for connection and answer together.
pub fn agent(config: &Config) -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(config.webhook_timeout))
            .user_agent("agri-quarantine-webhooks/1")
            .build(),
    )
}

/// Sends one message and says what came of it.
pub fn send(agent: &ureq::Agent, config: &Config, outgoing: &Outgoing) -> Outcome {
    let started = Instant::now();
    let failed = |error: String| Outcome {
        status: None,
        error: Some(error),
        latency: started.elapsed(),
    };
    if let Some(reason) = refusal(&outgoing.url, config) {
        return failed(format!("Not sent: {reason}"));
    }
    let sent = agent
        .post(&outgoing.url)
        .header("content-type", "application/json")
        .header("webhook-id", &outgoing.message_id)
        .header("webhook-timestamp", outgoing.timestamp.to_string())
        .header("webhook-signature", &outgoing.signature)
        .send(&outgoing.body[..]);
    match sent {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let mut answer = Vec::new();
            // The answer is not used; reading a little lets the connection close cleanly.
            let _ = response
                .body_mut()
                .as_reader()
                .take(MAX_ANSWER_BYTES)
                .read_to_end(&mut answer);
            Outcome {
                status: Some(status),
                error: None,
                latency: started.elapsed(),
            }
        }
        Err(error) => failed(error.to_string()),
    }
}

/// A number in 0..1 from the system's random source, to spread retries.
pub fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX)
}
