//! Random bytes for secrets, from the operating system.

use crate::error::ApiError;

/// 32 bytes from the system's random source.
pub fn random_bytes() -> Result<[u8; 32], ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("the system random generator failed: {error}"))?;
    Ok(bytes)
}
