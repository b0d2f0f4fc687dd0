//! Certificates: numbering and lifecycle here; the typed content in `content`, how it is built
//! in `build`, and its Ed25519 signature in `signing`. The content is serialised once as
//! canonical JSON; those exact bytes are signed and stored, and never change.

pub mod build;
pub mod content;
pub mod signing;

pub use build::content;
pub use content::CertificateContent;
pub use signing::{CertificateSigner, derived_key_id, public_key_pem, sha256, verify_signature};

use super::consignment::model::ConsignmentBody;
use super::inspection::InspectionInput;
use super::protocol::ProtocolCode;
use super::protocol::catalogue::ProtocolVersion;
use super::text_enum::text_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

text_enum! {
    pub enum CertificateKind {
        Phytosanitary = "phytosanitary",
        Veterinary = "veterinary",
    }
}

impl CertificateKind {
    pub fn for_protocol(protocol: ProtocolCode) -> Self {
        if protocol.is_plant() {
            Self::Phytosanitary
        } else {
            Self::Veterinary
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Phytosanitary => "PC",
            Self::Veterinary => "VC",
        }
    }
}

/// `VN-PC-2026-000123`: type, year of issue and a serial without gaps within them.
pub fn format_number(kind: CertificateKind, year: i32, serial: i64) -> String {
    format!("VN-{}-{year}-{serial:06}", kind.prefix())
}

text_enum! {
    pub enum CertificateStatus {
        Valid = "valid",
        Revoked = "revoked",
        Replaced = "replaced",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateEvent {
    Revoke,
    Replace,
}

impl CertificateStatus {
    /// Only a valid certificate can be revoked or replaced; both are final.
    pub fn after(self, event: CertificateEvent) -> Option<Self> {
        match (self, event) {
            (Self::Valid, CertificateEvent::Revoke) => Some(Self::Revoked),
            (Self::Valid, CertificateEvent::Replace) => Some(Self::Replaced),
            (Self::Revoked | Self::Replaced, _) => None,
        }
    }
}

/// A certificate's verification code: 80 random bits (supplied by the shell, which owns the
/// random source) as 20 lowercase hex digits.
pub fn verification_code(random: [u8; 10]) -> String {
    crate::domain::audit::to_hex(&random)
}

/// Whether a code someone typed or scanned is the certificate's: case, spaces and dashes
/// ignored, compared in time independent of where they differ.
pub fn code_matches(stored: &str, given: &str) -> bool {
    let given: Vec<u8> = given
        .bytes()
        .filter(|byte| !matches!(byte, b' ' | b'-'))
        .map(|byte| byte.to_ascii_lowercase())
        .collect();
    given.len() == stored.len()
        && stored
            .bytes()
            .zip(given)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// What verification reports: the stored status, or `expired` for a valid certificate past the
/// last day of its stated validity.
pub fn verified_status(status: CertificateStatus, valid_until: Option<NaiveDate>, today: NaiveDate) -> &'static str {
    match (status, valid_until) {
        (CertificateStatus::Valid, Some(until)) if today > until => "expired",
        (status, _) => status.as_str(),
    }
}

/// A name and an address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    pub address: String,
}

/// A crocodile farm as the certificate names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FarmOfOrigin {
    pub code: String,
    pub name: String,
    pub province: Option<String>,
}

/// Everything the certificate is made from.
#[derive(Debug, Clone)]
pub struct CertificateInput<'a> {
    pub number: String,
    pub replaces: Option<String>,
    pub consignment_id: Uuid,
    pub version: &'a ProtocolVersion,
    pub body: &'a ConsignmentBody,
    pub exporter: Party,
    pub issuing_authority: String,
    pub authorized_officer: String,
    pub place_of_issue: String,
    pub date_of_issue: NaiveDate,
    pub inspections: &'a [InspectionInput],
    pub farms: Vec<FarmOfOrigin>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_type_year_and_a_six_digit_serial() {
        assert_eq!(
            format_number(CertificateKind::Phytosanitary, 2026, 123),
            "VN-PC-2026-000123"
        );
        assert_eq!(
            format_number(CertificateKind::Veterinary, 2026, 45),
            "VN-VC-2026-000045"
        );
    }

    #[test]
    fn a_verification_code_is_20_hex_digits_and_matches_however_it_is_typed() {
        let code = verification_code([0xab; 10]);
        assert_eq!(code, "abababababababababab");
        assert!(code_matches(&code, "ABAB-ABAB ABAB-ABAB-ABAB"));
        assert!(!code_matches(&code, "abababababababababaa"));
        assert!(!code_matches(&code, "abab"));
    }

    #[test]
    fn a_valid_certificate_past_its_last_day_verifies_as_expired() {
        let until: NaiveDate = "2025-08-27".parse().unwrap();
        let day = |text: &str| text.parse::<NaiveDate>().unwrap();
        assert_eq!(
            verified_status(CertificateStatus::Valid, Some(until), day("2025-08-27")),
            "valid"
        );
        assert_eq!(
            verified_status(CertificateStatus::Valid, Some(until), day("2025-08-28")),
            "expired"
        );
        assert_eq!(
            verified_status(CertificateStatus::Revoked, Some(until), day("2025-08-28")),
            "revoked"
        );
        assert_eq!(
            verified_status(CertificateStatus::Valid, None, day("2099-01-01")),
            "valid"
        );
    }

    #[test]
    fn every_status_and_event_pair_has_a_defined_outcome() {
        use CertificateEvent::*;
        use CertificateStatus::*;
        let table = [
            (Valid, Revoke, Some(Revoked)),
            (Valid, Replace, Some(Replaced)),
            (Revoked, Revoke, None),
            (Revoked, Replace, None),
            (Replaced, Revoke, None),
            (Replaced, Replace, None),
        ];
        for (status, event, expected) in table {
            assert_eq!(status.after(event), expected, "{status:?} {event:?}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod golden_tests;
