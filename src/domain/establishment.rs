//! Registered establishments: orchards (PUC), packing houses (PHC), frozen-durian processing
//! plants, crocodile farms and laboratories. Codes are normalised (upper case, no spaces) and
//! checked against a per-kind pattern that is configuration, because only one real code format
//! is confirmed (`VN-BTPH-036`, a packing house; protocols.md §1.2).

use super::field_violation::FieldViolation;
use super::text_enum::text_enum;
use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

text_enum! {
    pub enum EstablishmentKind {
        Orchard = "orchard",
        PackingHouse = "packing_house",
        ProcessingPlant = "processing_plant",
        CrocodileFarm = "crocodile_farm",
        Laboratory = "laboratory",
    }
}

impl EstablishmentKind {
    /// The commodities an establishment of this kind can be approved for.
    pub fn allowed_commodities(self) -> &'static [Commodity] {
        match self {
            Self::Orchard | Self::PackingHouse | Self::Laboratory => &[Commodity::Durian, Commodity::Coconut],
            Self::ProcessingPlant => &[Commodity::Durian],
            Self::CrocodileFarm => &[Commodity::Crocodile],
        }
    }

    /// The default code pattern and where it comes from.
    pub fn default_code_pattern(self) -> (&'static str, &'static str) {
        match self {
            Self::PackingHouse => (
                r"^VN-[A-Z]{2,3}PH-[0-9]{3,4}$",
                "protocols.md §1.2: the one documented PHC code, VN-BTPH-036 (VnExpress, Dec 2024)",
            ),
            _ => (
                r"^[A-Z0-9][A-Z0-9./-]{1,39}$",
                "no official format found (protocols.md §1.2, §2.2, §4.3): any code of letters, digits, '.', '/' and '-'",
            ),
        }
    }
}

text_enum! {
    pub enum Commodity {
        Durian = "durian",
        Coconut = "coconut",
        Crocodile = "crocodile",
    }
}

text_enum! {
    /// What a GACC-recognised laboratory may test.
    pub enum LabScope {
        Cadmium = "cadmium",
        AuramineO = "auramine_o",
    }
}

/// Upper case with every whitespace character removed: `vn-btph 036` → `VN-BTPH036`.
pub fn normalize_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The configured code pattern of each kind, with its source.
#[derive(Debug, Clone)]
pub struct CodePatterns {
    patterns: Vec<(EstablishmentKind, Regex, String)>,
}

impl CodePatterns {
    /// Builds the patterns from overrides (kind → regex), defaulting the rest.
    pub fn new(overrides: &[(EstablishmentKind, String)]) -> Result<Self, String> {
        let mut patterns = Vec::new();
        for kind in EstablishmentKind::VARIANTS {
            let (pattern, source) = match overrides.iter().find(|(k, _)| *k == kind) {
                Some((_, pattern)) => (pattern.as_str(), "configured by the operator".to_owned()),
                None => {
                    let (pattern, source) = kind.default_code_pattern();
                    (pattern, source.to_owned())
                }
            };
            let regex = Regex::new(pattern).map_err(|error| format!("code pattern for {}: {error}", kind.as_str()))?;
            patterns.push((kind, regex, source));
        }
        Ok(Self { patterns })
    }

    pub fn defaults() -> Self {
        Self::new(&[]).unwrap_or(Self { patterns: Vec::new() })
    }

    /// `None` when the code fits; otherwise the pattern it should fit.
    pub fn mismatch(&self, kind: EstablishmentKind, code: &str) -> Option<String> {
        let (_, regex, source) = self.patterns.iter().find(|(k, _, _)| *k == kind)?;
        (!regex.is_match(code)).then(|| format!("{} (source: {source})", regex.as_str()))
    }
}

/// Which published list or notice an establishment comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub list: String,
    pub date: NaiveDate,
}

/// An establishment's descriptive fields, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct EstablishmentFields {
    pub name: String,
    pub address: String,
    pub province: Option<String>,
    pub commodities: BTreeSet<Commodity>,
    pub holder_organization_id: Option<Uuid>,
    pub area_hectares: Option<f64>,
    pub cites_registration: Option<String>,
    pub scopes: BTreeSet<LabScope>,
    pub source: Source,
}

/// A checked establishment ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct EstablishmentDraft {
    pub kind: EstablishmentKind,
    pub code: String,
    pub fields: EstablishmentFields,
}

/// An establishment as a client describes it, before checking.
#[derive(Debug, Clone, Default)]
pub struct EstablishmentInput {
    pub kind: String,
    pub code: String,
    pub name: String,
    pub address: String,
    pub province: Option<String>,
    pub commodities: Vec<String>,
    pub holder_organization_id: Option<Uuid>,
    pub area_hectares: Option<f64>,
    pub cites_registration: Option<String>,
    pub scopes: Vec<String>,
    pub source_list: String,
    pub source_date: Option<NaiveDate>,
}

fn trimmed(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Checks an establishment; every violation is reported, with pointers under `prefix`.
pub fn validate_establishment(
    input: &EstablishmentInput,
    patterns: &CodePatterns,
    prefix: &str,
) -> Result<EstablishmentDraft, Vec<FieldViolation>> {
    let mut violations = Vec::new();
    let at = |field: &str| format!("{prefix}/{field}");
    let kind = EstablishmentKind::parse(&input.kind);
    if kind.is_none() {
        violations.push(FieldViolation::new(
            at("kind"),
            "unknown_value",
            "The kind must be orchard, packing_house, processing_plant, crocodile_farm or laboratory.",
        ));
    }
    let code = normalize_code(&input.code);
    if code.is_empty() {
        violations.push(FieldViolation::new(
            at("code"),
            "required",
            "Give the registration code.",
        ));
    } else if let Some(expected) = kind.and_then(|kind| patterns.mismatch(kind, &code)) {
        violations.push(FieldViolation::new(
            at("code"),
            "invalid_format",
            format!("The code {code} does not match the pattern for this kind: {expected}."),
        ));
    }
    let name = trimmed(&input.name);
    if name.is_none() {
        violations.push(FieldViolation::new(
            at("name"),
            "required",
            "Give the establishment's name.",
        ));
    }
    let address = trimmed(&input.address);
    if address.is_none() {
        violations.push(FieldViolation::new(
            at("address"),
            "required",
            "Give the establishment's address.",
        ));
    }
    let mut commodities = BTreeSet::new();
    for (index, text) in input.commodities.iter().enumerate() {
        match Commodity::parse(text.trim()) {
            None => violations.push(FieldViolation::new(
                at(&format!("commodities/{index}")),
                "unknown_value",
                "A commodity is durian, coconut or crocodile.",
            )),
            Some(commodity) if kind.is_some_and(|kind| !kind.allowed_commodities().contains(&commodity)) => violations
                .push(FieldViolation::new(
                    at(&format!("commodities/{index}")),
                    "not_allowed",
                    format!(
                        "A {} cannot be approved for {}.",
                        kind.map_or("", EstablishmentKind::as_str),
                        commodity.as_str()
                    ),
                )),
            Some(commodity) => {
                commodities.insert(commodity);
            }
        }
    }
    if input.commodities.is_empty() {
        violations.push(FieldViolation::new(
            at("commodities"),
            "required",
            "List the commodities the establishment is approved for.",
        ));
    }
    match (kind, input.area_hectares) {
        (Some(EstablishmentKind::Orchard), Some(area)) if !(area > 0.0 && area <= 1_000_000.0) => {
            violations.push(FieldViolation::new(
                at("area_hectares"),
                "out_of_range",
                "The area must be more than 0 and at most 1,000,000 hectares.",
            ));
        }
        (Some(kind), Some(_)) if kind != EstablishmentKind::Orchard => violations.push(FieldViolation::new(
            at("area_hectares"),
            "not_allowed",
            "Only orchards have an area; remove this field.",
        )),
        _ => {}
    }
    let cites_registration = input.cites_registration.as_deref().and_then(trimmed);
    if input.cites_registration.is_some() && kind.is_some_and(|kind| kind != EstablishmentKind::CrocodileFarm) {
        violations.push(FieldViolation::new(
            at("cites_registration"),
            "not_allowed",
            "Only crocodile farms have a CITES registration; remove this field.",
        ));
    }
    let mut scopes = BTreeSet::new();
    for (index, text) in input.scopes.iter().enumerate() {
        match LabScope::parse(text.trim()) {
            Some(scope) => {
                scopes.insert(scope);
            }
            None => violations.push(FieldViolation::new(
                at(&format!("scopes/{index}")),
                "unknown_value",
                "A laboratory scope is cadmium or auramine_o.",
            )),
        }
    }
    match kind {
        Some(EstablishmentKind::Laboratory) if input.scopes.is_empty() => violations.push(FieldViolation::new(
            at("scopes"),
            "required",
            "List what the laboratory is recognised to test: cadmium, auramine_o.",
        )),
        Some(kind) if kind != EstablishmentKind::Laboratory && !input.scopes.is_empty() => {
            violations.push(FieldViolation::new(
                at("scopes"),
                "not_allowed",
                "Only laboratories have scopes; remove this field.",
            ))
        }
        _ => {}
    }
    let source_list = trimmed(&input.source_list);
    if source_list.is_none() {
        violations.push(FieldViolation::new(
            at("source/list"),
            "required",
            "Name the published list or notice this establishment comes from.",
        ));
    }
    if input.source_date.is_none() {
        violations.push(FieldViolation::new(
            at("source/date"),
            "required",
            "Give the date of the list or notice.",
        ));
    }
    match (
        kind,
        name,
        address,
        source_list,
        input.source_date,
        violations.is_empty(),
    ) {
        (Some(kind), Some(name), Some(address), Some(list), Some(date), true) => Ok(EstablishmentDraft {
            kind,
            code,
            fields: EstablishmentFields {
                name,
                address,
                province: input.province.as_deref().and_then(trimmed),
                commodities,
                holder_organization_id: input.holder_organization_id,
                area_hectares: input.area_hectares,
                cites_registration,
                scopes,
                source: Source { list, date },
            },
        }),
        _ => Err(violations),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packing_house() -> EstablishmentInput {
        EstablishmentInput {
            kind: "packing_house".into(),
            code: " vn-btph-036 ".into(),
            name: "Vina T&T".into(),
            address: "Chợ Lách, Bến Tre".into(),
            province: Some("Bến Tre".into()),
            commodities: vec!["durian".into()],
            source_list: "GACC list of approved durian packing houses".into(),
            source_date: NaiveDate::from_ymd_opt(2024, 4, 1),
            ..Default::default()
        }
    }

    fn pointers(result: Result<EstablishmentDraft, Vec<FieldViolation>>) -> Vec<String> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.pointer)
            .collect()
    }

    #[test]
    fn codes_are_normalised_for_case_and_spaces() {
        assert_eq!(normalize_code(" vn-btph 036\t"), "VN-BTPH036");
        let draft = validate_establishment(&packing_house(), &CodePatterns::defaults(), "").unwrap();
        assert_eq!(draft.code, "VN-BTPH-036");
    }

    #[test]
    fn a_packing_house_code_must_follow_the_documented_pattern() {
        let input = EstablishmentInput {
            code: "BT-036".into(),
            ..packing_house()
        };
        assert_eq!(
            pointers(validate_establishment(&input, &CodePatterns::defaults(), "")),
            ["/code"]
        );
    }

    #[test]
    fn a_configured_pattern_replaces_the_default() {
        let patterns = CodePatterns::new(&[(EstablishmentKind::PackingHouse, "^BT-[0-9]+$".into())]).unwrap();
        let input = EstablishmentInput {
            code: "bt-036".into(),
            ..packing_house()
        };
        assert!(validate_establishment(&input, &patterns, "").is_ok());
        assert!(CodePatterns::new(&[(EstablishmentKind::Orchard, "(".into())]).is_err());
    }

    #[test]
    fn a_processing_plant_cannot_be_approved_for_coconut() {
        let input = EstablishmentInput {
            kind: "processing_plant".into(),
            code: "NAMDO-01".into(),
            commodities: vec!["coconut".into()],
            ..packing_house()
        };
        assert_eq!(
            pointers(validate_establishment(&input, &CodePatterns::defaults(), "/rows/3")),
            ["/rows/3/commodities/0"]
        );
    }

    #[test]
    fn kind_specific_fields_are_refused_on_other_kinds() {
        let input = EstablishmentInput {
            area_hectares: Some(2.5),
            cites_registration: Some("VN-502".into()),
            scopes: vec!["cadmium".into()],
            ..packing_house()
        };
        assert_eq!(
            pointers(validate_establishment(&input, &CodePatterns::defaults(), "")),
            ["/area_hectares", "/cites_registration", "/scopes"]
        );
    }

    #[test]
    fn a_laboratory_needs_known_scopes() {
        let input = EstablishmentInput {
            kind: "laboratory".into(),
            code: "VILAS-997".into(),
            scopes: vec![],
            ..packing_house()
        };
        assert_eq!(
            pointers(validate_establishment(&input, &CodePatterns::defaults(), "")),
            ["/scopes"]
        );
        let input = EstablishmentInput {
            scopes: vec!["lead".into()],
            ..input
        };
        assert_eq!(
            pointers(validate_establishment(&input, &CodePatterns::defaults(), "")),
            ["/scopes/0"]
        );
    }

    #[test]
    fn an_orchard_area_must_be_positive() {
        let input = EstablishmentInput {
            kind: "orchard".into(),
            code: "VN-TGOR-0095".into(),
            area_hectares: Some(0.0),
            ..packing_house()
        };
        assert_eq!(
            pointers(validate_establishment(&input, &CodePatterns::defaults(), "")),
            ["/area_hectares"]
        );
    }

    #[test]
    fn missing_name_address_commodities_and_source_are_all_reported() {
        let input = EstablishmentInput {
            kind: "orchard".into(),
            code: "X1".into(),
            ..Default::default()
        };
        assert_eq!(
            pointers(validate_establishment(&input, &CodePatterns::defaults(), "")),
            ["/name", "/address", "/commodities", "/source/list", "/source/date"]
        );
    }
}
