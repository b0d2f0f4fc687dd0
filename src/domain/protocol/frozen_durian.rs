//! Frozen durian (protocol of 19 August 2024, protocols.md §2): the plant and durian laboratory
//! rules, plus an approved processing plant, registered raw-material orchards, the freezing
//! record (medium, duration, core) and a cold chain that keeps the core frozen.

use super::checker::Checker;
use super::common::Gates;
use super::durian_labs::{self, DurianLabTerms};
use super::edition::{Edition, Term};
use super::parameter::{Parameter, Pest, PublishedParameter, date, names, number};
use super::plant::{self, additional_declaration};
use super::rule::{Rule, RuleDef, Severity};
use super::settings::ProtocolSettings;
use super::{Confidence, ProtocolCode, common};
use crate::domain::establishment::{Commodity, EstablishmentKind};

pub const FROZEN_DETAILS: Rule = Rule::confirmed(
    "FROZEN-DETAILS-PRESENT",
    Severity::Error,
    "protocols.md §2.1: product form, processing plant and freezing record",
);
pub const FROZEN_PLANT_APPROVED: Rule = Rule::confirmed(
    "FROZEN-PLANT-APPROVED",
    Severity::Error,
    "protocols.md §2.2 and §8 rule 8: processing plants approved by GACC",
);
pub const FROZEN_RAW_MATERIAL: Rule = Rule::confirmed(
    "FROZEN-RAW-MATERIAL-ORCHARDS",
    Severity::Error,
    "protocols.md §2.1, §2.2 and §8 rule 9: raw durian from registered orchards",
);
pub const PLANT_CODE_USE: Rule = Rule::uncertain(
    "FROZEN-PLANT-CODE-USE",
    "The PPD rule of January 2025 on borrowed codes (protocols.md §1.2, §8 rule 7) names orchards and packing houses; that it covers processing plants is inferred; enforce with ENFORCE_UNCERTAIN_RULES",
);
pub const FREEZING_MEDIUM: Rule = Rule::confirmed(
    "FROZEN-FREEZING-MEDIUM",
    Severity::Error,
    "protocols.md §2.1 and §8 rule 20: freezing at −35 °C or lower",
);
pub const FREEZING_DURATION: Rule = Rule::confirmed(
    "FROZEN-FREEZING-DURATION",
    Severity::Error,
    "protocols.md §2.1 and §8 rule 20: for at least 1 hour",
);
pub const FREEZING_CORE: Rule = Rule::confirmed(
    "FROZEN-CORE-TEMPERATURE",
    Severity::Error,
    "protocols.md §2.1 and §8 rule 21: until the core reaches −18 °C or lower",
);
pub const COLD_CHAIN: Rule = Rule::confirmed(
    "FROZEN-COLD-CHAIN",
    Severity::Error,
    "protocols.md §2.1 and §8 rule 22: the core stays at −18 °C or lower through storage and transport (CAC/RCP 8-1976)",
);

/// The parameters of the frozen-durian protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenDurianTerms {
    /// The freezing medium's temperature, at most (°C).
    pub freezing_medium_max: Parameter<f64>,
    /// How long freezing lasts, at least (minutes).
    pub freezing_min_duration: Parameter<f64>,
    /// The core temperature at the end of freezing and through the cold chain, at most (°C).
    pub core_max: Parameter<f64>,
    pub product_forms: Parameter<Vec<String>>,
    /// Whether the quarantine pest list is known ("no": the list was not found).
    pub pest_list_known: Parameter<String>,
    pub gates: Gates,
    pub additional_declaration: Parameter<String>,
    pub labs: DurianLabTerms,
    /// The processing plant's code-use rule, an error only when the operator enforces it.
    pub plant_code_use_rule: Rule,
}

impl FrozenDurianTerms {
    /// The parameters as configured.
    pub fn new(settings: &ProtocolSettings) -> Self {
        Self {
            freezing_medium_max: Parameter::confirmed(
                "freezing_medium_max_c",
                -35.0,
                Some("°C"),
                "protocols.md §2.1: freezing at −35 °C or lower",
            ),
            freezing_min_duration: Parameter::confirmed(
                "freezing_min_minutes",
                60.0,
                Some("min"),
                "protocols.md §2.1: for at least 1 hour",
            ),
            core_max: Parameter::confirmed(
                "core_max_c",
                -18.0,
                Some("°C"),
                "protocols.md §2.1: core at −18 °C or lower, kept so in storage and transport (CAC/RCP 8-1976)",
            ),
            product_forms: Parameter::confirmed(
                "product_forms",
                names(&["whole_with_shell", "puree_without_shell", "pulp_without_shell"]),
                None,
                "protocols.md §2.1: whole fruit with shell, puree or paste, pulp or flesh",
            ),
            pest_list_known: Parameter::uncertain(
                "pest_list_known",
                "no".to_owned(),
                None,
                "protocols.md §10: the frozen protocol's pest list was not found and is not fresh durian's; add pests with FROZEN_DURIAN_PESTS",
            ),
            gates: Gates::configured(&settings.frozen_exit_gates, &settings.frozen_entry_points, "frozen"),
            additional_declaration: additional_declaration("Frozen Durian"),
            labs: DurianLabTerms::new(settings),
            plant_code_use_rule: PLANT_CODE_USE.enforced_by(settings.enforcing(PLANT_CODE_USE.id)),
        }
    }

    pub fn published(&self) -> Vec<PublishedParameter> {
        let mut list = vec![
            self.freezing_medium_max.published(),
            self.freezing_min_duration.published(),
            self.core_max.published(),
            self.product_forms.published(),
            self.pest_list_known.published(),
            self.gates.exit.published(),
            self.gates.entry.published(),
            self.additional_declaration.published(),
        ];
        list.extend(self.labs.published());
        list
    }

    /// Common, plant and laboratory rules, then this protocol's own, stating the values in force.
    pub fn rules(&self) -> Vec<RuleDef> {
        let mut rules = common::rules(&self.gates);
        rules.extend(plant::rules(false));
        rules.extend(durian_labs::rules(&self.labs));
        rules.extend([
            FROZEN_DETAILS.requires("The frozen-durian details are given, with a production date on or before the departure."),
            FROZEN_PLANT_APPROVED.requires("The processing plant is approved for durian on the production date and the departure date."),
            self.plant_code_use_rule.requires("The processing plant's code is the exporter's own, or it holds a code-use authorisation valid on the departure date."),
            FROZEN_RAW_MATERIAL.requires("Every raw-material orchard is approved for durian on the departure date."),
            FREEZING_MEDIUM.requires(format!(
                "The freezing medium was at or below {}.",
                self.freezing_medium_max.stated()
            )),
            FREEZING_DURATION.requires(format!(
                "Freezing lasted at least {} minutes.",
                number(self.freezing_min_duration.value)
            )),
            FREEZING_CORE.requires(format!(
                "The core was at or below {} at the end of freezing.",
                self.core_max.stated()
            )),
            COLD_CHAIN.requires(format!(
                "A cold-chain log is given and every reading is at or below {}.",
                self.core_max.stated()
            )),
        ]);
        rules
    }
}

/// This protocol's version: what it is and when it is in force. Its quarantine pests are not
/// known (protocols.md §10: not a copy of fresh durian's, and Malaysia's frozen protocol lists
/// fungi instead), so the list holds only what the operator configured, marked uncertain.
pub fn edition(settings: &ProtocolSettings) -> Edition {
    Edition {
        code: ProtocolCode::DurianFrozen,
        version: 1,
        title: "Plant quarantine and food safety requirements for frozen durian exported from Vietnam to China",
        commodity: Commodity::Durian,
        effective_from: date(2024, 8, 19),
        effective_until: None,
        scientific_names: vec!["Durio zibethinus", "Durio zibethinus Murr."],
        pests: settings
            .frozen_durian_pests
            .iter()
            .map(|name| Pest {
                scientific_name: name.clone(),
                common_name: String::new(),
                confidence: Confidence::Uncertain,
            })
            .collect(),
        source: "Protocol of 19 Aug 2024 (protocols.md §2)",
        term: Some(Term {
            until: date(2029, 8, 18),
            source: "protocols.md §8 rule 56 and §10: five years from 2024-08-19, renewable for five",
        }),
    }
}

pub fn check(checker: &mut Checker, terms: &FrozenDurianTerms) {
    let body = checker.body;
    let Some(frozen) = body.frozen_durian.as_ref() else {
        let message = "Give the frozen-durian details: product form, production date, processing plant, raw-material orchards, freezing record and cold-chain log.";
        checker.report(FROZEN_DETAILS, "/frozen_durian", message);
        return;
    };
    match frozen.production_date {
        None => checker.report(
            FROZEN_DETAILS,
            "/frozen_durian/production_date",
            "Give the production (freezing) date: the plant must be approved on it.",
        ),
        Some(produced) if produced > body.planned_departure_date => {
            let message = format!(
                "The durian was frozen on {produced}, after the planned departure on {}; correct either date.",
                body.planned_departure_date
            );
            checker.report(FROZEN_DETAILS, "/frozen_durian/production_date", message);
        }
        Some(_) => {}
    }
    checker.require_approved(
        FROZEN_PLANT_APPROVED,
        EstablishmentKind::ProcessingPlant,
        &frozen.processing_plant_code,
        "/frozen_durian/processing_plant_code".into(),
    );
    checker.check_code_use(
        terms.plant_code_use_rule,
        None,
        EstablishmentKind::ProcessingPlant,
        &frozen.processing_plant_code,
        "/frozen_durian/processing_plant_code".into(),
    );
    for (index, code) in frozen.raw_material_orchard_codes.iter().enumerate() {
        checker.require_approved(
            FROZEN_RAW_MATERIAL,
            EstablishmentKind::Orchard,
            code,
            format!("/frozen_durian/raw_material_orchard_codes/{index}"),
        );
    }
    let medium_max = terms.freezing_medium_max.value;
    let minutes = terms.freezing_min_duration.value;
    let core_max = terms.core_max.value;
    let freezing = &frozen.freezing;
    if freezing.medium_temperature_c > medium_max {
        let message = format!(
            "Freezing must be at {medium_max} °C or lower; the record shows {} °C.",
            freezing.medium_temperature_c
        );
        checker.report(FREEZING_MEDIUM, "/frozen_durian/freezing/medium_temperature_c", message);
    }
    if freezing.duration_minutes < minutes {
        let message = format!(
            "Freezing must last at least {minutes} minutes; the record shows {}.",
            freezing.duration_minutes
        );
        checker.report(FREEZING_DURATION, "/frozen_durian/freezing/duration_minutes", message);
    }
    if freezing.core_temperature_c > core_max {
        let message = format!(
            "The core must reach {core_max} °C or lower; the record shows {} °C.",
            freezing.core_temperature_c
        );
        checker.report(FREEZING_CORE, "/frozen_durian/freezing/core_temperature_c", message);
    }
    if frozen.cold_chain.is_empty() {
        let message = "Give the cold-chain temperature log from freezing to the border.";
        checker.report(COLD_CHAIN, "/frozen_durian/cold_chain", message);
    }
    for (index, reading) in frozen.cold_chain.iter().enumerate() {
        if reading.temperature_c > core_max {
            let message = format!(
                "At {} the product was at {} °C; it must stay at {core_max} °C or lower throughout storage and transport.",
                reading.at.to_rfc3339(),
                reading.temperature_c
            );
            checker.report(
                COLD_CHAIN,
                format!("/frozen_durian/cold_chain/{index}/temperature_c"),
                message,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn frozen_durian_without_its_details_is_refused() {
        fails(
            frozen(),
            facts(),
            |b, _| b.frozen_durian = None,
            "FROZEN-DETAILS-PRESENT",
            "/frozen_durian",
        );
    }

    #[test]
    fn an_unapproved_processing_plant_is_refused() {
        fails(
            frozen(),
            facts(),
            |_, f| {
                f.insert(
                    EstablishmentKind::ProcessingPlant,
                    "NAMDO-01",
                    EstablishmentFact {
                        status: Some(RegistryStatus::Revoked),
                        ..approved(None)
                    },
                )
            },
            "FROZEN-PLANT-APPROVED",
            "/frozen_durian/processing_plant_code",
        );
    }

    #[test]
    fn an_unregistered_raw_material_orchard_is_refused() {
        fails(
            frozen(),
            facts(),
            |b, _| {
                if let Some(f) = b.frozen_durian.as_mut() {
                    f.raw_material_orchard_codes.push("VN-XXOR-0001".into())
                }
            },
            "FROZEN-RAW-MATERIAL-ORCHARDS",
            "/frozen_durian/raw_material_orchard_codes/1",
        );
    }

    fn freezing(change: impl FnOnce(&mut FreezingRecord)) -> impl FnOnce(&mut ConsignmentBody, &mut RegistryFacts) {
        move |b, _| {
            if let Some(frozen) = b.frozen_durian.as_mut() {
                change(&mut frozen.freezing);
            }
        }
    }

    #[test]
    fn freezing_above_minus_35_is_refused_and_exactly_minus_35_is_accepted() {
        fails(
            frozen(),
            facts(),
            freezing(|f| f.medium_temperature_c = -34.9),
            "FROZEN-FREEZING-MEDIUM",
            "/frozen_durian/freezing/medium_temperature_c",
        );
        let mut body = frozen();
        freezing(|f| f.medium_temperature_c = -35.0)(&mut body, &mut facts());
        assert!(run(&body, &facts()).violations.is_empty());
    }

    #[test]
    fn freezing_shorter_than_an_hour_is_refused() {
        fails(
            frozen(),
            facts(),
            freezing(|f| f.duration_minutes = 59.0),
            "FROZEN-FREEZING-DURATION",
            "/frozen_durian/freezing/duration_minutes",
        );
    }

    #[test]
    fn a_core_warmer_than_minus_18_is_refused() {
        fails(
            frozen(),
            facts(),
            freezing(|f| f.core_temperature_c = -17.5),
            "FROZEN-CORE-TEMPERATURE",
            "/frozen_durian/freezing/core_temperature_c",
        );
    }

    #[test]
    fn a_warm_cold_chain_reading_is_refused() {
        fails(
            frozen(),
            facts(),
            |b, _| {
                if let Some(f) = b.frozen_durian.as_mut() {
                    f.cold_chain[1].temperature_c = -15.0
                }
            },
            "FROZEN-COLD-CHAIN",
            "/frozen_durian/cold_chain/1/temperature_c",
        );
    }

    #[test]
    fn a_missing_cold_chain_log_is_refused() {
        fails(
            frozen(),
            facts(),
            |b, _| {
                if let Some(f) = b.frozen_durian.as_mut() {
                    f.cold_chain.clear()
                }
            },
            "FROZEN-COLD-CHAIN",
            "/frozen_durian/cold_chain",
        );
    }

    #[test]
    fn another_exporters_processing_plant_warns_unless_the_operator_enforces_the_rule() {
        let mut borrowed = facts();
        borrowed.insert(
            EstablishmentKind::ProcessingPlant,
            "NAMDO-01",
            EstablishmentFact {
                status: Some(RegistryStatus::Approved),
                holder_organization_id: Some(Uuid::from_u128(99)),
                ..Default::default()
            },
        );
        let report = run(&frozen(), &borrowed);
        assert_eq!(report.violations.len(), 1, "{:?}", report.violations);
        assert_eq!(report.violations[0].rule_id, "FROZEN-PLANT-CODE-USE");
        assert!(report.compliant);
        let enforcing = ProtocolSettings {
            enforced_uncertain_rules: vec!["FROZEN-PLANT-CODE-USE".into()],
            ..Default::default()
        };
        assert!(!run_with(&frozen(), &borrowed, &enforcing).compliant);
    }

    #[test]
    fn a_missing_or_late_production_date_is_refused() {
        fails(
            frozen(),
            facts(),
            |b, _| {
                if let Some(frozen) = b.frozen_durian.as_mut() {
                    frozen.production_date = None;
                }
            },
            "FROZEN-DETAILS-PRESENT",
            "/frozen_durian/production_date",
        );
        fails(
            frozen(),
            facts(),
            |b, _| {
                if let Some(frozen) = b.frozen_durian.as_mut() {
                    frozen.production_date = Some("2025-03-02".parse().unwrap());
                }
            },
            "FROZEN-DETAILS-PRESENT",
            "/frozen_durian/production_date",
        );
    }

    #[test]
    fn a_plant_suspended_on_the_production_date_is_refused_naming_that_date() {
        let body = frozen();
        let mut on_production = facts();
        on_production.insert(
            EstablishmentKind::ProcessingPlant,
            "NAMDO-01",
            EstablishmentFact {
                status: Some(RegistryStatus::Suspended),
                holder_organization_id: Some(EXPORTER),
                ..Default::default()
            },
        );
        let other = [FactsOn {
            judged: JudgedDate {
                date: "2025-02-20".parse().unwrap(),
                date_of: DateOf::Production,
            },
            facts: on_production,
        }];
        let report = check_on_dates(
            &catalogue(&ProtocolSettings::default()),
            ProtocolCode::DurianFrozen,
            &body,
            &facts(),
            &other,
            Exporter {
                organization_id: EXPORTER,
            },
        )
        .unwrap();
        assert_eq!(report.violations.len(), 1, "{:?}", report.violations);
        assert_eq!(report.violations[0].rule_id, "FROZEN-PLANT-APPROVED");
        assert!(report.violations[0].message.contains("2025-02-20, the production date"));
    }
}
