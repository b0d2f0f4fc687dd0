//! Organisations: who an API key speaks for. Exporters are Vietnamese companies identified by
//! their tax code; authorities are the competent MARD departments (PPD for plant products, DAH
//! for animals); the single operator organisation runs the service and holds the bootstrap
//! admin key.

use super::field_violation::FieldViolation;
use super::text_enum::text_enum;

text_enum! {
    /// What kind of body an organisation is. Stored as text with a CHECK constraint.
    pub enum OrganizationKind {
        /// The body that runs this service; exactly one exists, created by the first migration.
        Operator = "operator",
        /// A Vietnamese exporting company.
        Exporter = "exporter",
        /// A competent authority of MARD.
        Authority = "authority",
    }
}

text_enum! {
    /// The competent authority an `authority` organisation stands for.
    pub enum Authority {
        /// Plant Protection Department: fresh durian, frozen durian and coconut.
        Ppd = "PPD",
        /// Department of Animal Health: farmed crocodiles.
        Dah = "DAH",
    }
}

/// A Vietnamese enterprise tax code: 10 digits, or 10 digits, a dash and 3 digits for a
/// dependent unit (branch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxCode(String);

impl TaxCode {
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let ten_digits = |slice: &[u8]| slice.len() == 10 && slice.iter().all(u8::is_ascii_digit);
        let valid = match bytes.len() {
            10 => ten_digits(bytes),
            14 => ten_digits(&bytes[..10]) && bytes[10] == b'-' && bytes[11..].iter().all(u8::is_ascii_digit),
            _ => false,
        };
        valid.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a client asked to create, after shape validation, before the kind-specific rules.
#[derive(Debug, Clone, Default)]
pub struct OrganizationRequest {
    pub kind: String,
    pub name: String,
    pub tax_code: Option<String>,
    pub address: Option<String>,
    pub province: Option<String>,
    pub authority: Option<String>,
}

/// An organisation that satisfies every rule and may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidOrganization {
    Exporter {
        name: String,
        tax_code: TaxCode,
        address: String,
        province: String,
    },
    Authority {
        name: String,
        authority: Authority,
        address: Option<String>,
        province: Option<String>,
    },
}

/// Applies the kind-specific rules and returns every violation at once.
pub fn validate_new_organization(request: &OrganizationRequest) -> Result<ValidOrganization, Vec<FieldViolation>> {
    let mut violations = Vec::new();
    let name = request.name.trim().to_owned();
    if name.is_empty() {
        violations.push(FieldViolation::new(
            "/name",
            "required",
            "Give the organisation's registered name.",
        ));
    }
    let non_blank = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    match OrganizationKind::parse(&request.kind) {
        Some(OrganizationKind::Exporter) => {
            if request.authority.is_some() {
                violations.push(FieldViolation::new(
                    "/authority",
                    "not_allowed",
                    "Only an authority organisation names an authority; remove this field.",
                ));
            }
            let tax_code = match request.tax_code.as_deref().map(str::trim) {
                None | Some("") => {
                    violations.push(FieldViolation::new(
                        "/tax_code",
                        "required",
                        "An exporter needs its Vietnamese tax code (10 digits, or 10 digits-3 digits for a branch).",
                    ));
                    None
                }
                Some(text) => {
                    let parsed = TaxCode::parse(text);
                    if parsed.is_none() {
                        violations.push(FieldViolation::new(
                            "/tax_code",
                            "invalid_format",
                            "A tax code is 10 digits, or 10 digits, a dash and 3 digits (for example 0312345678-001).",
                        ));
                    }
                    parsed
                }
            };
            let address = non_blank(&request.address);
            if address.is_none() {
                violations.push(FieldViolation::new(
                    "/address",
                    "required",
                    "An exporter needs its registered address.",
                ));
            }
            let province = non_blank(&request.province);
            if province.is_none() {
                violations.push(FieldViolation::new(
                    "/province",
                    "required",
                    "An exporter needs the province of its registered address.",
                ));
            }
            match (tax_code, address, province, violations.is_empty()) {
                (Some(tax_code), Some(address), Some(province), true) => Ok(ValidOrganization::Exporter {
                    name,
                    tax_code,
                    address,
                    province,
                }),
                _ => Err(violations),
            }
        }
        Some(OrganizationKind::Authority) => {
            if request.tax_code.is_some() {
                violations.push(FieldViolation::new(
                    "/tax_code",
                    "not_allowed",
                    "An authority has no exporter tax code; remove this field.",
                ));
            }
            let authority = match request.authority.as_deref() {
                None => {
                    violations.push(FieldViolation::new(
                        "/authority",
                        "required",
                        "Say which authority this is: PPD (plant products) or DAH (animals).",
                    ));
                    None
                }
                Some(text) => {
                    let parsed = Authority::parse(text);
                    if parsed.is_none() {
                        violations.push(FieldViolation::new(
                            "/authority",
                            "unknown_value",
                            "The authority must be PPD (plant products) or DAH (animals).",
                        ));
                    }
                    parsed
                }
            };
            match (authority, violations.is_empty()) {
                (Some(authority), true) => Ok(ValidOrganization::Authority {
                    name,
                    authority,
                    address: non_blank(&request.address),
                    province: non_blank(&request.province),
                }),
                _ => Err(violations),
            }
        }
        Some(OrganizationKind::Operator) => {
            violations.push(FieldViolation::new(
                "/kind",
                "not_allowed",
                "The operator organisation exists once and is created by the service; create an exporter or an authority.",
            ));
            Err(violations)
        }
        None => {
            violations.push(FieldViolation::new(
                "/kind",
                "unknown_value",
                "The kind must be exporter or authority.",
            ));
            Err(violations)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exporter() -> OrganizationRequest {
        OrganizationRequest {
            kind: "exporter".into(),
            name: "Công ty TNHH Sầu Riêng Miền Tây".into(),
            tax_code: Some("0312345678".into()),
            address: Some("12 Đường 30/4, Cái Bè".into()),
            province: Some("Tiền Giang".into()),
            authority: None,
        }
    }

    fn pointers(result: Result<ValidOrganization, Vec<FieldViolation>>) -> Vec<String> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|violation| violation.pointer)
            .collect()
    }

    #[test]
    fn tax_codes_of_ten_digits_or_ten_plus_three_are_accepted() {
        assert!(TaxCode::parse("0312345678").is_some());
        assert!(TaxCode::parse("0312345678-001").is_some());
    }

    #[test]
    fn tax_codes_of_other_shapes_are_refused() {
        for text in [
            "031234567",
            "03123456789",
            "0312345678-01",
            "0312345678_001",
            "03123A5678",
            "0312345678-0012",
            "",
        ] {
            assert!(TaxCode::parse(text).is_none(), "{text} should be refused");
        }
    }

    #[test]
    fn a_complete_exporter_is_valid() {
        assert!(matches!(
            validate_new_organization(&exporter()),
            Ok(ValidOrganization::Exporter { .. })
        ));
    }

    #[test]
    fn an_exporter_without_tax_code_address_and_province_gets_three_violations() {
        let request = OrganizationRequest {
            tax_code: None,
            address: Some("  ".into()),
            province: None,
            ..exporter()
        };
        assert_eq!(
            pointers(validate_new_organization(&request)),
            ["/tax_code", "/address", "/province"]
        );
    }

    #[test]
    fn an_exporter_may_not_name_an_authority() {
        let request = OrganizationRequest {
            authority: Some("PPD".into()),
            ..exporter()
        };
        assert_eq!(pointers(validate_new_organization(&request)), ["/authority"]);
    }

    #[test]
    fn an_authority_must_be_ppd_or_dah() {
        let request = OrganizationRequest {
            kind: "authority".into(),
            name: "Cục Bảo vệ thực vật".into(),
            authority: Some("GACC".into()),
            ..Default::default()
        };
        assert_eq!(pointers(validate_new_organization(&request)), ["/authority"]);
    }

    #[test]
    fn an_authority_with_a_tax_code_is_refused() {
        let request = OrganizationRequest {
            kind: "authority".into(),
            name: "Cục Thú y".into(),
            authority: Some("DAH".into()),
            tax_code: Some("0312345678".into()),
            ..Default::default()
        };
        assert_eq!(pointers(validate_new_organization(&request)), ["/tax_code"]);
    }

    #[test]
    fn the_operator_kind_cannot_be_created() {
        let request = OrganizationRequest {
            kind: "operator".into(),
            name: "x".into(),
            ..Default::default()
        };
        assert_eq!(pointers(validate_new_organization(&request)), ["/kind"]);
    }

    #[test]
    fn kinds_and_authorities_round_trip_through_text() {
        for kind in OrganizationKind::VARIANTS {
            assert_eq!(OrganizationKind::parse(kind.as_str()), Some(kind));
        }
        for authority in Authority::VARIANTS {
            assert_eq!(Authority::parse(authority.as_str()), Some(authority));
        }
    }
}
