//! API keys: the secret format, its hash, and which roles an organisation kind may hold.
//!
//! A key is `aq_` followed by 43 base64url characters carrying 32 random bytes (256 bits).
//! Only its SHA-256 is stored: the key is checked on every request, so a slow password hash
//! would cost tens of milliseconds each time, and a 256-bit random secret needs no stretching.

use super::organization::OrganizationKind;
use super::text_enum::text_enum;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

const KEY_PREFIX: &str = "aq_";
/// Characters of the key kept in clear (`aq_` and 8 more) so people can tell keys apart.
const DISPLAY_PREFIX_LEN: usize = 11;

text_enum! {
    /// What a key may do.
    pub enum Role {
        Admin = "admin",
        Exporter = "exporter",
        Inspector = "inspector",
    }
}

impl Role {
    /// Admin keys live only in the operator organisation (an admin key elsewhere would act
    /// across every tenant from inside one), exporter keys only in exporter organisations and
    /// inspector keys only in authorities.
    pub fn allowed_in(self, kind: OrganizationKind) -> bool {
        match self {
            Self::Admin => kind == OrganizationKind::Operator,
            Self::Exporter => kind == OrganizationKind::Exporter,
            Self::Inspector => kind == OrganizationKind::Authority,
        }
    }
}

/// A freshly generated key: the secret to show once, and what is stored.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    pub secret: String,
    pub display_prefix: String,
    pub hash: [u8; 32],
}

/// Builds a key from 32 bytes of randomness supplied by the caller (the shell owns the RNG).
pub fn key_from_random_bytes(random: [u8; 32]) -> GeneratedKey {
    let secret = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(random));
    GeneratedKey {
        display_prefix: secret.chars().take(DISPLAY_PREFIX_LEN).collect(),
        hash: hash_key(&secret),
        secret,
    }
}

/// The SHA-256 under which a presented key is looked up.
/// The part of a presented key that may be logged: its public prefix, as shown in key
/// listings, when it has the shape of a key; nothing of anything else.
pub fn public_prefix(presented: &str) -> Option<&str> {
    looks_like_key(presented)
        .then(|| presented.get(..DISPLAY_PREFIX_LEN))
        .flatten()
}

pub fn hash_key(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Whether a presented bearer token has the shape of one of our keys; anything else is
/// refused without a database lookup.
pub fn looks_like_key(token: &str) -> bool {
    token.len() == KEY_PREFIX.len() + 43
        && token.starts_with(KEY_PREFIX)
        && token[KEY_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_public_prefix_of_a_key_shaped_token_may_be_logged() {
        let key = key_from_random_bytes([7; 32]);
        assert_eq!(public_prefix(&key.secret), Some(key.display_prefix.as_str()));
        assert_eq!(public_prefix("password123"), None);
    }

    #[test]
    fn a_key_carries_256_bits_in_a_recognisable_shape() {
        let key = key_from_random_bytes([7; 32]);
        assert_eq!(key.secret.len(), 46);
        assert!(looks_like_key(&key.secret));
        assert_eq!(key.display_prefix, key.secret[..11]);
    }

    #[test]
    fn different_randomness_gives_different_keys_and_hashes() {
        let first = key_from_random_bytes([1; 32]);
        let second = key_from_random_bytes([2; 32]);
        assert_ne!(first.secret, second.secret);
        assert_ne!(first.hash, second.hash);
    }

    #[test]
    fn the_stored_hash_is_the_sha256_of_the_key_text() {
        let key = key_from_random_bytes([0; 32]);
        assert_eq!(key.hash, hash_key(&key.secret));
        // SHA-256("abc"), a published test vector.
        let abc = hash_key("abc");
        assert_eq!(abc[..4], [0xba, 0x78, 0x16, 0xbf]);
    }

    #[test]
    fn tokens_of_another_shape_are_not_keys() {
        for token in [
            "",
            "aq_",
            "Bearer x",
            "aq_short",
            &format!("xx_{}", "a".repeat(43)),
            &format!("aq_{}", "+".repeat(43)),
        ] {
            assert!(!looks_like_key(token), "{token}");
        }
    }

    #[test]
    fn roles_are_limited_by_organisation_kind() {
        use OrganizationKind::*;
        let allowed: Vec<(Role, OrganizationKind)> = Role::VARIANTS
            .into_iter()
            .flat_map(|role| OrganizationKind::VARIANTS.into_iter().map(move |kind| (role, kind)))
            .filter(|(role, kind)| role.allowed_in(*kind))
            .collect();
        assert_eq!(
            allowed,
            [
                (Role::Admin, Operator),
                (Role::Exporter, Exporter),
                (Role::Inspector, Authority)
            ]
        );
    }
}
