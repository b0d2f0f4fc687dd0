//! Fresh durian (GACC Announcement 66/2022, protocols.md §1): the plant rules, the carton label
//! and pallet marking, the durian laboratory rules, and MARD's sampling rates.

use super::checker::Checker;
use super::common::Gates;
use super::durian_labs::{self, DurianLabTerms};
use super::edition::{Edition, Term};
use super::parameter::{Parameter, PublishedParameter, date, pests};
use super::plant::{self, Sampling, additional_declaration};
use super::rule::{Rule, RuleDef, Severity};
use super::settings::ProtocolSettings;
use super::{ProtocolCode, common};
use crate::domain::consignment::model::FreshDurianForm;
use crate::domain::establishment::Commodity;

pub const PRODUCT_FORM: Rule = Rule::confirmed(
    "FRESH-DURIAN-WHOLE-FRUIT",
    Severity::Error,
    "protocols.md §1.1 and §8 rule 13: the protocol covers fresh whole fruit; pulp, segments and frozen goods are not covered",
);

/// The quarantine pests of concern to China for durian (protocols.md §1.4).
pub const DURIAN_PESTS: [(&str, &str); 6] = [
    ("Bactrocera correcta", "guava fruit fly"),
    ("Dysmicoccus neobrevipes", "gray pineapple mealybug"),
    ("Planococcus minor", "passionvine mealybug"),
    ("Planococcus lilacinus", "coffee mealybug"),
    ("Pseudococcus jackbeardsleyi", "Jack Beardsley mealybug"),
    ("Exallomochlus hispidus", "cocoa mealybug"),
];

/// The parameters of the fresh-durian protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct FreshDurianTerms {
    pub sampling: Sampling,
    pub additional_declaration: Parameter<String>,
    pub gates: Gates,
    pub labs: DurianLabTerms,
}

impl FreshDurianTerms {
    /// The parameters as configured.
    pub fn new(settings: &ProtocolSettings) -> Self {
        Self {
            sampling: Sampling {
                rate: Parameter::confirmed(
                    "sampling_rate",
                    0.02,
                    Some("fraction of units"),
                    "protocols.md §1.6: MARD inspects 2% of each consignment",
                ),
                reduced_rate: Some(Parameter::confirmed(
                    "reduced_sampling_rate",
                    0.01,
                    Some("fraction of units"),
                    "protocols.md §1.6: 1% after two years without a phytosanitary problem",
                )),
            },
            additional_declaration: additional_declaration("Fresh Durian"),
            gates: Gates::configured(&settings.fruit_exit_gates, &settings.fruit_entry_points, "fruit"),
            labs: DurianLabTerms::new(settings),
        }
    }

    pub fn published(&self) -> Vec<PublishedParameter> {
        let mut list = vec![self.sampling.rate.published()];
        list.extend(self.sampling.reduced_rate.iter().map(Parameter::published));
        list.extend([
            self.additional_declaration.published(),
            self.gates.exit.published(),
            self.gates.entry.published(),
        ]);
        list.extend(self.labs.published());
        list
    }

    pub fn rules(&self) -> Vec<RuleDef> {
        let mut rules = common::rules(&self.gates);
        rules.push(PRODUCT_FORM.requires("The declaration states the product form, and it is fresh whole fruit."));
        rules.extend(plant::rules(true));
        rules.extend(durian_labs::rules(&self.labs));
        rules
    }
}

/// The product is fresh whole fruit.
pub fn check(checker: &mut Checker) {
    match checker.body.fresh_durian.as_ref().map(|fresh| fresh.product_form) {
        Some(FreshDurianForm::WholeFruit) => {}
        None => checker.report(
            PRODUCT_FORM,
            "/fresh_durian/product_form",
            "Give the product form: fresh_durian.product_form = whole_fruit.",
        ),
        Some(_) => checker.report(
            PRODUCT_FORM,
            "/fresh_durian/product_form",
            "Pulp and segments are not fresh whole fruit; ship them frozen under vn-cn-durian-frozen-2024.",
        ),
    }
}

/// This protocol's version: what it is and when it is in force.
pub fn edition() -> Edition {
    Edition {
        code: ProtocolCode::DurianFresh,
        version: 1,
        title: "Phytosanitary requirements for fresh durian exported from Vietnam to China",
        commodity: Commodity::Durian,
        effective_from: date(2022, 7, 11),
        effective_until: None,
        scientific_names: vec!["Durio zibethinus", "Durio zibethinus Murr."],
        pests: pests(&DURIAN_PESTS),
        source: "GACC Announcement 66/2022 (protocols.md §1)",
        term: Some(Term {
            until: date(2025, 7, 10),
            source: "protocols.md §8 rule 56: a three-year term from 2022-07-11 as reported; whether and when it was renewed is not known",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn fresh_durian_is_judged_by_the_plant_label_and_laboratory_rules() {
        let terms = FreshDurianTerms::new(&ProtocolSettings::default());
        let ids: Vec<&str> = terms.rules().iter().map(|rule| rule.id).collect();
        for id in ["GEN-PROTOCOL-IN-FORCE", "PLANT-CARTON-LABEL", "DURIAN-LAB-AURAMINE-O"] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        assert!(
            !ids.iter()
                .any(|id| id.starts_with("FROZEN-") || id.starts_with("COCONUT-"))
        );
    }

    #[test]
    fn pulp_or_segments_under_the_fresh_protocol_are_refused_and_a_missing_form_is_asked_for() {
        for form in [FreshDurianForm::Pulp, FreshDurianForm::Segments] {
            fails(
                fresh(),
                facts(),
                |b, _| b.fresh_durian = Some(FreshDurian { product_form: form }),
                "FRESH-DURIAN-WHOLE-FRUIT",
                "/fresh_durian/product_form",
            );
        }
        fails(
            fresh(),
            facts(),
            |b, _| b.fresh_durian = None,
            "FRESH-DURIAN-WHOLE-FRUIT",
            "/fresh_durian/product_form",
        );
    }

    #[test]
    fn fresh_durian_details_under_another_protocol_are_refused() {
        fails(
            frozen(),
            facts(),
            |b, _| b.fresh_durian = fresh().fresh_durian,
            "GEN-PROTOCOL-FIELDS",
            "/fresh_durian",
        );
    }

    #[test]
    fn mard_samples_two_percent_and_one_percent_after_two_clean_years() {
        let terms = FreshDurianTerms::new(&ProtocolSettings::default());
        assert_eq!(terms.sampling.rate.value, 0.02);
        assert_eq!(terms.sampling.reduced_rate.map(|rate| rate.value), Some(0.01));
    }

    #[test]
    fn a_departure_before_11_july_2022_is_outside_the_protocol() {
        let mut body = fresh();
        body.planned_departure_date = "2022-07-10".parse().unwrap();
        body.lab_reports.clear();
        let report = run(&body, &facts());
        assert_eq!(report.violations[0].rule_id, "GEN-PROTOCOL-IN-FORCE");
        assert!(edition().in_force_on("2022-07-11".parse().unwrap()));
    }
}
