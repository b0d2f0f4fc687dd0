//! Where the certificate signing key comes from: `SIGNING_KEY` (a base64 Ed25519 seed) in
//! production; otherwise a key generated on first start and kept in `SIGNING_KEY_FILE`, for
//! development.

use crate::config::{Config, Seed, decode_seed};
use crate::domain::certificate::CertificateSigner;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::Path;

fn load_or_create(path: &Path) -> anyhow::Result<[u8; 32]> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|error| anyhow::anyhow!("cannot read {}: {error}", path.display()))?;
        return decode_seed(&text)
            .ok_or_else(|| anyhow::anyhow!("{} does not hold a base64 32-byte Ed25519 seed", path.display()));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| anyhow::anyhow!("the system random generator failed: {error}"))?;
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    write_private(path, &STANDARD.encode(seed))?;
    tracing::warn!(file = %path.display(), "no SIGNING_KEY configured: generated a development signing key and kept it in this file");
    Ok(seed)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)?;
    Ok(())
}

/// The signer the configuration describes.
pub fn signer(config: &Config) -> anyhow::Result<CertificateSigner> {
    let seed = match config.signing_key {
        Some(Seed(seed)) => seed,
        None => load_or_create(&config.signing_key_file)?,
    };
    Ok(CertificateSigner::from_seed(seed, config.signing_key_id.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_round_trips_through_base64() {
        assert_eq!(decode_seed(&STANDARD.encode([5u8; 32])), Some([5; 32]));
        assert_eq!(decode_seed("too short"), None);
    }

    #[test]
    fn a_generated_key_is_kept_and_reused() {
        let directory = std::env::temp_dir().join(format!("aq-key-{}", uuid::Uuid::new_v4()));
        let path = directory.join("signing.key");
        let first = load_or_create(&path).unwrap();
        let second = load_or_create(&path).unwrap();
        assert_eq!(first, second);
        let _ = std::fs::remove_dir_all(directory);
    }
}
