//! Rules of the plant protocols (fresh durian, frozen durian, coconut): the product's botanical
//! name, lots traceable to approved orchards and packing houses whose codes the exporter may
//! use, and, for fresh fruit, the carton label and pallet marking.

use super::checker::Checker;
use super::parameter::Parameter;
use super::rule::{Rule, RuleDef, Severity};
use crate::domain::establishment::{EstablishmentKind, normalize_code};
use std::collections::{BTreeSet, HashSet};

pub const BOTANICAL_NAME: Rule = Rule::confirmed(
    "PLANT-BOTANICAL-NAME",
    Severity::Error,
    "protocols.md §8 rules 12 and 15: Durio zibethinus Murr.; Cocos nucifera",
);
pub const LOTS_PRESENT: Rule = Rule::confirmed(
    "PLANT-LOTS-PRESENT",
    Severity::Error,
    "protocols.md §1.2: every lot must be traceable to its orchard and packing house",
);
pub const ORCHARD_APPROVED: Rule = Rule::confirmed(
    "PLANT-ORCHARD-APPROVED",
    Severity::Error,
    "protocols.md §1.2, §2.2, §3.2 and §8 rules 1, 3, 4: orchards registered by MARD and approved by GACC for the commodity; suspended codes are refused",
);
pub const PACKING_HOUSE_APPROVED: Rule = Rule::confirmed(
    "PLANT-PACKING-HOUSE-APPROVED",
    Severity::Error,
    "protocols.md §1.2, §2.2, §3.2 and §8 rules 2, 3, 4: packing houses registered by MARD and approved by GACC for the commodity",
);
pub const CODE_USE_AUTHORIZED: Rule = Rule::confirmed(
    "PLANT-CODE-USE-AUTHORIZED",
    Severity::Error,
    "protocols.md §1.2 and §8 rule 7: PPD rule of January 2025, a code holder notifies in writing before another exporter ships under its code",
);
pub const CODE_HOLDER_UNKNOWN: Rule = Rule::confirmed(
    "PLANT-CODE-HOLDER-UNKNOWN",
    Severity::Warning,
    "protocols.md §8 rule 7: the holder is needed to tell a legitimate shipment from a borrowed code",
);
pub const CARTON_LABEL: Rule = Rule::confirmed(
    "PLANT-CARTON-LABEL",
    Severity::Error,
    "protocols.md §1.7 and §8 rules 35, 37: each box shows the origin and the orchard and packing-house codes, which must be the declared ones",
);
pub const PALLET_MARKING: Rule = Rule::confirmed(
    "PLANT-PALLET-MARKING",
    Severity::Error,
    "protocols.md §1.7 and §8 rule 36: every pallet bears \"Exported to the People's Republic of China\" or \"输往中华人民共和国\"",
);

/// The plant rules as published; `fresh` adds the label and marking rules of fresh fruit.
pub fn rules(fresh: bool) -> Vec<RuleDef> {
    let mut rules = vec![
        BOTANICAL_NAME.requires("The botanical name is the protocol's product."),
        LOTS_PRESENT.requires("At least one lot is declared."),
        ORCHARD_APPROVED.requires("Every lot's orchard is approved for the commodity on the departure date."),
        PACKING_HOUSE_APPROVED.requires("Every lot's packing house is approved for the commodity on the departure date."),
        CODE_USE_AUTHORIZED.requires("Orchard and packing-house codes are the exporter's own, or it holds a code-use authorisation valid on the departure date."),
        CODE_HOLDER_UNKNOWN.requires("The registry records who holds each code used."),
    ];
    if fresh {
        rules.push(
            CARTON_LABEL
                .requires("The carton label names Vietnam and shows every lot's orchard and packing-house codes."),
        );
        rules.push(PALLET_MARKING.requires("The pallet marking carries the export phrase."));
    }
    rules
}

/// How much of each consignment MARD inspects.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    pub rate: Parameter<f64>,
    /// After two years without a phytosanitary problem; `None` where the reduction is not
    /// established (or configured).
    pub reduced_rate: Option<Parameter<f64>>,
}

/// The additional declaration of a phytosanitary certificate. The Vietnamese texts were not
/// found; this is the usual GACC pattern (protocols.md §1.6).
pub fn additional_declaration(product: &str) -> Parameter<String> {
    Parameter::uncertain(
        "additional_declaration",
        format!(
            "This consignment complies with the requirements specified in the Protocol of Phytosanitary Requirements for the Export of {product} from Vietnam to China, and is free from any quarantine pests of concern to China."
        ),
        None,
        "protocols.md §1.6: the wording for Vietnam was not found; this is the usual GACC pattern, to verify with PPD",
    )
}

fn scientific_name(checker: &Checker) -> &'static str {
    checker.edition.scientific_names.first().copied().unwrap_or_default()
}

/// The botanical name and every lot's orchard and packing house.
pub fn check(checker: &mut Checker) {
    let body = checker.body;
    let declared = body
        .botanical_name
        .as_deref()
        .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "));
    match declared {
        None => {
            let message = format!("Give the botanical name: {}.", scientific_name(checker));
            checker.report(BOTANICAL_NAME, "/botanical_name", message);
        }
        Some(name)
            if !checker
                .edition
                .scientific_names
                .iter()
                .any(|accepted| accepted.eq_ignore_ascii_case(&name)) =>
        {
            let message = format!(
                "{name} is not the product of this protocol; it must be {}.",
                scientific_name(checker)
            );
            checker.report(BOTANICAL_NAME, "/botanical_name", message);
        }
        Some(_) => {}
    }
    if body.lots.is_empty() {
        checker.report(
            LOTS_PRESENT,
            "/lots",
            "Declare at least one lot with its orchard and packing-house codes.",
        );
    }
    let mut seen_codes = HashSet::new();
    for (index, lot) in body.lots.iter().enumerate() {
        checker.require_approved(
            ORCHARD_APPROVED,
            EstablishmentKind::Orchard,
            &lot.orchard_code,
            format!("/lots/{index}/orchard_code"),
        );
        checker.require_approved(
            PACKING_HOUSE_APPROVED,
            EstablishmentKind::PackingHouse,
            &lot.packing_house_code,
            format!("/lots/{index}/packing_house_code"),
        );
        for (kind, code, field) in [
            (EstablishmentKind::Orchard, &lot.orchard_code, "orchard_code"),
            (
                EstablishmentKind::PackingHouse,
                &lot.packing_house_code,
                "packing_house_code",
            ),
        ] {
            if seen_codes.insert((kind, normalize_code(code))) {
                checker.check_code_use(
                    CODE_USE_AUTHORIZED,
                    Some(CODE_HOLDER_UNKNOWN),
                    kind,
                    code,
                    format!("/lots/{index}/{field}"),
                );
            }
        }
    }
}

/// The carton label and the pallet marking of fresh fruit.
pub fn check_labels(checker: &mut Checker) {
    let body = checker.body;
    match body.carton_label.as_deref() {
        None => checker.report(CARTON_LABEL, "/carton_label", "Give the carton label text as printed."),
        Some(label) => {
            let printed = normalize_code(label);
            let lower = label.to_lowercase();
            if !["vietnam", "viet nam", "việt nam", "越南"]
                .iter()
                .any(|origin| lower.contains(origin))
            {
                checker.report(
                    CARTON_LABEL,
                    "/carton_label",
                    "The carton label must name the country of origin: Vietnam.",
                );
            }
            let mut missing = BTreeSet::new();
            for lot in &body.lots {
                for code in [&lot.orchard_code, &lot.packing_house_code] {
                    if !printed.contains(&normalize_code(code)) {
                        missing.insert(normalize_code(code));
                    }
                }
            }
            for code in missing {
                let message = format!(
                    "The carton label does not show {code}; print the orchard and packing-house codes of every lot."
                );
                checker.report(CARTON_LABEL, "/carton_label", message);
            }
        }
    }
    let marking = body.pallet_marking.as_deref().unwrap_or_default();
    let english = marking
        .to_lowercase()
        .replace('’', "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !english.contains("exported to the people's republic of china") && !marking.contains("输往中华人民共和国")
    {
        let message =
            "The pallet marking must read \"Exported to the People's Republic of China\" or \"输往中华人民共和国\".";
        checker.report(PALLET_MARKING, "/pallet_marking", message);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn a_wrong_botanical_name_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.botanical_name = Some("Durio kutejensis".into()),
            "PLANT-BOTANICAL-NAME",
            "/botanical_name",
        );
    }

    #[test]
    fn a_plant_consignment_without_lots_is_refused() {
        fails(coconut(), facts(), |b, _| b.lots.clear(), "PLANT-LOTS-PRESENT", "/lots");
    }

    #[test]
    fn a_suspended_orchard_is_refused() {
        fails(
            fresh(),
            facts(),
            |_, f| {
                f.insert(
                    EstablishmentKind::Orchard,
                    "VN-TGOR-0095",
                    EstablishmentFact {
                        status: Some(RegistryStatus::Suspended),
                        ..approved(Some(EXPORTER))
                    },
                )
            },
            "PLANT-ORCHARD-APPROVED",
            "/lots/0/orchard_code",
        );
    }

    #[test]
    fn an_unregistered_packing_house_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.lots[0].packing_house_code = "VN-BTPH-999".into(),
            "PLANT-PACKING-HOUSE-APPROVED",
            "/lots/0/packing_house_code",
        );
    }

    #[test]
    fn another_exporters_code_without_authorisation_is_refused_and_with_one_is_accepted() {
        let other = Some(Uuid::from_u128(99));
        fails(
            fresh(),
            facts(),
            |_, f| f.insert(EstablishmentKind::PackingHouse, "VN-BTPH-036", approved(other)),
            "PLANT-CODE-USE-AUTHORIZED",
            "/lots/0/packing_house_code",
        );
        let mut authorised = facts();
        authorised.insert(
            EstablishmentKind::PackingHouse,
            "VN-BTPH-036",
            EstablishmentFact {
                authorized_organization_ids: vec![EXPORTER],
                ..approved(other)
            },
        );
        assert!(run(&fresh(), &authorised).violations.is_empty());
    }

    #[test]
    fn a_code_without_a_recorded_holder_is_a_warning_only() {
        let mut facts = facts();
        facts.insert(EstablishmentKind::Orchard, "VN-TGOR-0095", approved(None));
        let report = run(&fresh(), &facts);
        assert_eq!(ids(&report), ["PLANT-CODE-HOLDER-UNKNOWN"]);
        assert!(report.compliant);
        assert_eq!(report.warnings, 1);
    }

    #[test]
    fn a_carton_label_without_the_packing_house_code_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.carton_label = Some("Product of Vietnam, PUC VN-TGOR-0095".into()),
            "PLANT-CARTON-LABEL",
            "/carton_label",
        );
    }

    #[test]
    fn a_carton_label_without_the_origin_is_refused() {
        fails(
            coconut(),
            facts(),
            |b, _| b.carton_label = Some("VN-TGOR-0095 VN-BTPH-036".into()),
            "PLANT-CARTON-LABEL",
            "/carton_label",
        );
    }

    #[test]
    fn a_pallet_marking_without_the_export_phrase_is_refused_and_the_chinese_one_is_accepted() {
        fails(
            fresh(),
            facts(),
            |b, _| b.pallet_marking = Some("Export to China".into()),
            "PLANT-PALLET-MARKING",
            "/pallet_marking",
        );
        let mut body = fresh();
        body.pallet_marking = Some("输往中华人民共和国".into());
        assert!(run(&body, &facts()).violations.is_empty());
    }
}
