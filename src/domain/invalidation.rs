//! What one instance tells the others to forget from their caches, as the payload of a
//! PostgreSQL notification sent in the transaction that makes the change (so it is delivered
//! only if the change commits).

use uuid::Uuid;

/// The notification channel every instance listens on.
pub const CHANNEL: &str = "aq_invalidate";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    /// A key was revoked: forget its principal.
    ApiKey(Uuid),
    /// A certificate was revoked or replaced: forget its verification.
    Certificate(String),
}

impl Invalidation {
    pub fn payload(&self) -> String {
        match self {
            Self::ApiKey(id) => format!("api_key:{id}"),
            Self::Certificate(number) => format!("certificate:{number}"),
        }
    }

    pub fn parse(payload: &str) -> Option<Self> {
        let (kind, value) = payload.split_once(':')?;
        match kind {
            "api_key" => Uuid::parse_str(value).ok().map(Self::ApiKey),
            "certificate" if !value.is_empty() => Some(Self::Certificate(value.to_owned())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back_as_what_they_were_made_from() {
        for invalidation in [
            Invalidation::ApiKey(Uuid::from_u128(7)),
            Invalidation::Certificate("VN-PC-2026-000001".into()),
        ] {
            assert_eq!(Invalidation::parse(&invalidation.payload()), Some(invalidation));
        }
    }

    #[test]
    fn unknown_payloads_are_ignored() {
        assert_eq!(Invalidation::parse("organization:1"), None);
        assert_eq!(Invalidation::parse("certificate:"), None);
        assert_eq!(Invalidation::parse("nonsense"), None);
    }
}
