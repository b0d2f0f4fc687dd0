//! Fresh coconut (protocol of 19 August 2024 and GACC announcement, protocols.md §3): the plant
//! rules with label and marking, plus the coconut's form and, for green coconuts, the stalk.

use super::checker::Checker;
use super::common::Gates;
use super::edition::Edition;
use super::parameter::{Parameter, Pest, PublishedParameter, date, names, pests};
use super::plant::{self, Sampling, additional_declaration};
use super::rule::{Rule, RuleDef, Severity};
use super::settings::ProtocolSettings;
use super::{Confidence, ProtocolCode, common};
use crate::domain::consignment::model::CoconutForm;
use crate::domain::establishment::Commodity;

pub const COCONUT_DETAILS: Rule = Rule::confirmed(
    "COCONUT-DETAILS-PRESENT",
    Severity::Error,
    "protocols.md §3.1: green coconut with stalk, or dehusked",
);
pub const COCONUT_STALK: Rule = Rule::confirmed(
    "COCONUT-STALK-LENGTH",
    Severity::Error,
    "protocols.md §3.1 and §8 rule 16: green coconuts with a stalk of at most 5 cm",
);

/// The first seven quarantine pests of the GACC list, the only ones readable (protocols.md §3.4).
const COCONUT_PESTS: [(&str, &str); 7] = [
    ("Aleurodicus dispersus", "spiralling whitefly"),
    ("Aulacaspis tubercularis", "mango white scale"),
    ("Brontispa longissima", "coconut leaf beetle"),
    ("Coptotermes curvignathus", "termite"),
    ("Dysmicoccus lepelleyi", "mealybug"),
    ("Dysmicoccus neobrevipes", "gray pineapple mealybug"),
    ("Milviscutulus mangiferae", "mango shield scale"),
];

/// The parameters of the coconut protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct CoconutTerms {
    /// Green coconuts' stalks, at most (cm).
    pub max_stalk_length: Parameter<f64>,
    pub sampling: Sampling,
    /// Whether the pest list is complete ("no": only part of it was readable).
    pub pest_list_complete: Parameter<String>,
    pub product_forms: Parameter<Vec<String>>,
    pub additional_declaration: Parameter<String>,
    pub gates: Gates,
}

impl CoconutTerms {
    /// The parameters as configured.
    pub fn new(settings: &ProtocolSettings) -> Self {
        Self {
            max_stalk_length: Parameter::confirmed(
                "max_stalk_length_cm",
                5.0,
                Some("cm"),
                "protocols.md §3.1: green coconut with a stalk ≤ 5 cm",
            ),
            sampling: Sampling {
                rate: Parameter::confirmed(
                    "sampling_rate",
                    0.02,
                    Some("fraction of units"),
                    "protocols.md §3.5: MARD samples 2% of each consignment",
                ),
                reduced_rate: settings.coconut_reduced_sampling_rate.map(|rate| {
                    Parameter::uncertain(
                        "reduced_sampling_rate",
                        rate,
                        Some("fraction of units"),
                        "set by the operator (COCONUT_REDUCED_SAMPLING_RATE); protocols.md §3.5: the sources do not confirm a reduction after two clean years for coconut (the durian protocol has one)",
                    )
                }),
            },
            pest_list_complete: Parameter::uncertain(
                "pest_list_complete",
                "no".to_owned(),
                None,
                "protocols.md §3.4: only the first 7 of the GACC list were readable; add the rest with EXTRA_COCONUT_PESTS",
            ),
            product_forms: Parameter::confirmed(
                "product_forms",
                names(&["green_with_stalk", "dehusked"]),
                None,
                "protocols.md §3.1: green coconut with a stalk ≤ 5 cm, and dehusked coconut",
            ),
            additional_declaration: additional_declaration("Fresh Coconut"),
            gates: Gates::configured(&settings.fruit_exit_gates, &settings.fruit_entry_points, "fruit"),
        }
    }

    pub fn published(&self) -> Vec<PublishedParameter> {
        let mut list = vec![self.max_stalk_length.published(), self.sampling.rate.published()];
        list.extend(self.sampling.reduced_rate.iter().map(Parameter::published));
        list.extend([
            self.pest_list_complete.published(),
            self.product_forms.published(),
            self.additional_declaration.published(),
            self.gates.exit.published(),
            self.gates.entry.published(),
        ]);
        list
    }

    pub fn rules(&self) -> Vec<RuleDef> {
        let mut rules = common::rules(&self.gates);
        rules.extend(plant::rules(true));
        rules.extend([
            COCONUT_DETAILS.requires("The coconut form is given."),
            COCONUT_STALK.requires(format!(
                "Green coconuts with stalk have a stalk of at most {}.",
                self.max_stalk_length.stated()
            )),
        ]);
        rules
    }
}

/// This protocol's version: what it is and when it is in force.
pub fn edition(settings: &ProtocolSettings) -> Edition {
    let mut coconut_pests = pests(&COCONUT_PESTS);
    coconut_pests.extend(settings.extra_coconut_pests.iter().map(|extra| Pest {
        scientific_name: extra.clone(),
        common_name: String::new(),
        confidence: Confidence::Uncertain,
    }));
    Edition {
        code: ProtocolCode::CoconutFresh,
        version: 1,
        title: "Phytosanitary requirements for fresh coconut exported from Vietnam to China",
        commodity: Commodity::Coconut,
        effective_from: date(2024, 8, 19),
        effective_until: None,
        scientific_names: vec!["Cocos nucifera", "Cocos nucifera L."],
        pests: coconut_pests,
        source: "Protocol of 19 Aug 2024 and GACC announcement (protocols.md §3)",
        term: None,
    }
}

pub fn check(checker: &mut Checker, terms: &CoconutTerms) {
    let Some(coconut) = checker.body.coconut.clone() else {
        checker.report(
            COCONUT_DETAILS,
            "/coconut",
            "Say whether the coconuts are green with stalk or dehusked.",
        );
        return;
    };
    let max = terms.max_stalk_length.value;
    if coconut.form == CoconutForm::GreenWithStalk {
        match coconut.max_stalk_length_cm {
            None => checker.report(
                COCONUT_STALK,
                "/coconut/max_stalk_length_cm",
                "Give the longest stalk length in cm.",
            ),
            Some(length) if length > max => {
                let message = format!("Stalks may be at most {max} cm; the longest is {length} cm. Trim them.");
                checker.report(COCONUT_STALK, "/coconut/max_stalk_length_cm", message);
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn coconut_without_its_form_is_refused() {
        fails(
            coconut(),
            facts(),
            |b, _| b.coconut = None,
            "COCONUT-DETAILS-PRESENT",
            "/coconut",
        );
    }

    #[test]
    fn a_stalk_longer_than_5_cm_is_refused_and_dehusked_coconut_needs_none() {
        fails(
            coconut(),
            facts(),
            |b, _| {
                b.coconut = Some(Coconut {
                    form: CoconutForm::GreenWithStalk,
                    max_stalk_length_cm: Some(5.1),
                })
            },
            "COCONUT-STALK-LENGTH",
            "/coconut/max_stalk_length_cm",
        );
        let mut body = coconut();
        body.coconut = Some(Coconut {
            form: CoconutForm::Dehusked,
            max_stalk_length_cm: None,
        });
        assert!(run(&body, &facts()).violations.is_empty());
    }
}
