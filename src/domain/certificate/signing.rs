//! The Ed25519 signature over a certificate's canonical bytes, the key ids under which public
//! keys are published, and their PEM form for `openssl pkeyutl -verify`.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A signing key with the id under which its public half is published.
#[derive(Clone)]
pub struct CertificateSigner {
    key: SigningKey,
    pub key_id: String,
}

impl std::fmt::Debug for CertificateSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CertificateSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl CertificateSigner {
    /// From a 32-byte Ed25519 seed. Without an explicit id, the id is derived from the public key.
    pub fn from_seed(seed: [u8; 32], key_id: Option<String>) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let key_id = key_id.unwrap_or_else(|| derived_key_id(&key.verifying_key().to_bytes()));
        Self { key, key_id }
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn sign(&self, payload: &[u8]) -> [u8; 64] {
        self.key.sign(payload).to_bytes()
    }
}

/// `ed25519-` and the first 16 hex digits of the public key's SHA-256.
pub fn derived_key_id(public_key: &[u8; 32]) -> String {
    let digest = sha256(public_key);
    format!(
        "ed25519-{}",
        crate::domain::audit::to_hex(digest.get(..8).unwrap_or_default())
    )
}

/// Whether `signature` is a valid Ed25519 signature of `payload` by `public_key`.
pub fn verify_signature(public_key: &[u8], payload: &[u8], signature: &[u8]) -> bool {
    let (Ok(public_key), Ok(signature)) = (<[u8; 32]>::try_from(public_key), <[u8; 64]>::try_from(signature)) else {
        return false;
    };
    match VerifyingKey::from_bytes(&public_key) {
        Ok(key) => key.verify(payload, &Signature::from_bytes(&signature)).is_ok(),
        Err(_) => false,
    }
}

/// The public key as a PEM SubjectPublicKeyInfo, for `openssl pkeyutl -verify`.
pub fn public_key_pem(public_key: &[u8; 32]) -> String {
    use base64::Engine;
    // DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410).
    let mut der = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
    der.extend_from_slice(public_key);
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_over_the_exact_bytes_only() {
        let signer = CertificateSigner::from_seed([9; 32], None);
        let payload = br#"{"net_weight_kg":18000.0,"number":"VN-PC-2026-000001"}"#.to_vec();
        let signature = signer.sign(&payload);
        assert!(verify_signature(&signer.public_key(), &payload, &signature));
        let mut altered = payload.clone();
        if let Some(byte) = altered.last_mut() {
            *byte ^= 1;
        }
        assert!(!verify_signature(&signer.public_key(), &altered, &signature));
        assert!(!verify_signature(&[0; 31], &payload, &signature));
        assert!(signer.key_id.starts_with("ed25519-") && signer.key_id.len() == 24);
    }

    #[test]
    fn the_pem_wraps_the_rfc_8410_encoding() {
        let pem = public_key_pem(&[1; 32]);
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    }
}
