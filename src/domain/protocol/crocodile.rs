//! Farmed crocodiles (protocol of 19 August 2024, protocols.md §4): an import permit, the
//! species, animals born and raised in Vietnam on approved farms with unique identification,
//! a valid CITES export permit, and every animal tested negative (for every required agent).

use super::checker::Checker;
use super::common::Gates;
use super::edition::Edition;
use super::parameter::{Parameter, PublishedParameter, date};
use super::rule::{Rule, RuleDef, Severity};
use super::settings::ProtocolSettings;
use super::{ProtocolCode, common};
use crate::domain::consignment::model::TestResult;
use crate::domain::establishment::{Commodity, EstablishmentKind, normalize_code};
use std::collections::{BTreeSet, HashMap, HashSet};

pub const IMPORT_PERMIT: Rule = Rule::confirmed(
    "CROCODILE-IMPORT-PERMIT",
    Severity::Error,
    "protocols.md §4.3 and §8 rule 54: the Chinese importer holds an import quarantine permit",
);
pub const CROCODILE_DETAILS: Rule = Rule::confirmed(
    "CROCODILE-DETAILS-PRESENT",
    Severity::Error,
    "protocols.md §4.2: species, number and identification codes",
);
pub const CROCODILE_SPECIES: Rule = Rule::uncertain(
    "CROCODILE-SPECIES",
    "protocols.md §4.1: the excerpt names no species; Vietnamese farms mainly hold Crocodylus siamensis (uncertain)",
);
pub const CROCODILE_ORIGIN: Rule = Rule::confirmed(
    "CROCODILE-BORN-AND-RAISED-IN-VIETNAM",
    Severity::Error,
    "protocols.md §4.1 and §8 rule 17: farmed crocodiles born and raised in Vietnam",
);
pub const CROCODILE_IDS: Rule = Rule::confirmed(
    "CROCODILE-IDENTIFICATION",
    Severity::Error,
    "protocols.md §4.2 item 4 and §8 rule 18: number and identification codes of the animals",
);
pub const CROCODILE_FARM_APPROVED: Rule = Rule::uncertain(
    "CROCODILE-FARM-APPROVED",
    "protocols.md §4.3 and §8 rule 11 (U): farms register through DAH for GACC approval, confirmed for monkeys, not verbatim for crocodiles; enforce with ENFORCE_UNCERTAIN_RULES",
);
pub const FARM_CODE_USE: Rule = Rule::uncertain(
    "CROCODILE-FARM-CODE-USE",
    "No source sets a code-use rule for crocodile farms; the PPD rule on borrowed codes (protocols.md §8 rule 7) is applied by analogy; enforce with ENFORCE_UNCERTAIN_RULES",
);
pub const CROCODILE_CITES: Rule = Rule::confirmed(
    "CROCODILE-CITES-PERMIT",
    Severity::Error,
    "protocols.md §4.4 and §8 rule 53: CITES Appendix I, an export permit valid for the shipment",
);
pub const CROCODILE_TEST_DATES: Rule = Rule::confirmed(
    "CROCODILE-TEST-DATES",
    Severity::Error,
    "protocols.md §4.2 item 5 and §10: the certificate states each result's sampling and test dates; a sample is tested after it is taken and before departure",
);
pub const CROCODILE_TESTS: Rule = Rule::confirmed(
    "CROCODILE-TESTS-NEGATIVE",
    Severity::Error,
    "protocols.md §4.2 item 5, §4.3 and §8 rule 51: 100% of animals tested; the agent list is a parameter (not found)",
);

/// The parameters of the crocodile protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct CrocodileTerms {
    /// Agents every animal must test negative for; the list was not found, so configuration.
    pub required_agents: Parameter<Vec<String>>,
    pub gates: Gates,
    /// The farm rule, an error only when the operator enforces it.
    pub farm_rule: Rule,
    /// The farm's code-use rule, likewise.
    pub farm_code_use_rule: Rule,
    /// Days an export animal quarantine certificate is valid from its issue.
    pub certificate_validity_days: Parameter<f64>,
}

impl CrocodileTerms {
    /// The parameters as configured.
    pub fn new(settings: &ProtocolSettings) -> Self {
        Self {
            required_agents: Parameter::uncertain(
                "required_agents",
                settings.crocodile_required_agents.clone(),
                None,
                "protocols.md §4.3: the protocol sets disease tests but the list was not found (CROCODILE_REQUIRED_AGENTS)",
            ),
            gates: Gates::configured(&settings.animal_exit_gates, &settings.animal_entry_points, "animal"),
            farm_rule: CROCODILE_FARM_APPROVED.enforced_by(settings.enforcing(CROCODILE_FARM_APPROVED.id)),
            farm_code_use_rule: FARM_CODE_USE.enforced_by(settings.enforcing(FARM_CODE_USE.id)),
            certificate_validity_days: Parameter::confirmed(
                "certificate_validity_days",
                180.0,
                Some("days"),
                "protocols.md §4.2: an export animal quarantine certificate is valid 180 days (Circular 04/2024/TT-BNNPTNT, a Vietnamese rule)",
            ),
        }
    }

    pub fn published(&self) -> Vec<PublishedParameter> {
        vec![
            self.required_agents.published(),
            self.gates.exit.published(),
            self.gates.entry.published(),
            self.certificate_validity_days.published(),
        ]
    }

    pub fn rules(&self) -> Vec<RuleDef> {
        let mut rules = common::rules(&self.gates);
        rules.extend([
            IMPORT_PERMIT.requires("The Chinese import permit number is given."),
            CROCODILE_DETAILS.requires("The crocodile details are given."),
            CROCODILE_SPECIES.requires("The species is one farmed in Vietnam."),
            CROCODILE_ORIGIN.requires("Every animal was born and raised in Vietnam."),
            CROCODILE_IDS.requires(
                "Every animal has a unique identification code and their count equals the declared quantity.",
            ),
            self.farm_rule
                .requires("Every animal's farm is approved for crocodiles on the departure date."),
            CROCODILE_CITES.requires("A CITES export permit valid on the departure date is given."),
            CROCODILE_TESTS
                .requires("Every animal has test results, all negative, including one for every required agent."),
        ]);
        rules
    }
}

/// This protocol's version: what it is and when it is in force.
pub fn edition() -> Edition {
    Edition {
        code: ProtocolCode::CrocodileFarmed,
        version: 1,
        title: "Quarantine and health requirements for farmed crocodiles exported from Vietnam to China",
        commodity: Commodity::Crocodile,
        effective_from: date(2024, 8, 19),
        effective_until: None,
        scientific_names: vec!["Crocodylus siamensis", "Crocodylus porosus"],
        pests: Vec::new(),
        source: "Protocol of 19 Aug 2024 (protocols.md §4)",
        term: None,
    }
}

pub fn check(checker: &mut Checker, terms: &CrocodileTerms) {
    if checker.body.import_permit_number.is_none() {
        checker.report(
            IMPORT_PERMIT,
            "/import_permit_number",
            "Give the Chinese import quarantine permit number.",
        );
    }
    let Some(crocodiles) = checker.body.crocodiles.clone() else {
        checker.report(
            CROCODILE_DETAILS,
            "/crocodiles",
            "Give the species, the animals, the CITES permit and the test results.",
        );
        return;
    };
    let species = crocodiles.species.split_whitespace().collect::<Vec<_>>().join(" ");
    if !checker
        .edition
        .scientific_names
        .iter()
        .any(|name| name.eq_ignore_ascii_case(&species))
    {
        let message = format!(
            "{species} is not a species known to be farmed for export ({}).",
            checker.edition.scientific_names.join(", ")
        );
        checker.report(CROCODILE_SPECIES, "/crocodiles/species", message);
    }
    let mut codes: HashMap<String, usize> = HashMap::new();
    let mut farms = HashSet::new();
    for (index, animal) in crocodiles.animals.iter().enumerate() {
        for (field, country) in [("born_in", &animal.born_in), ("raised_in", &animal.raised_in)] {
            if !country.eq_ignore_ascii_case("VN") {
                let message = format!(
                    "Animal {} must be {} in Vietnam (VN), not {country}.",
                    animal.identification_code,
                    field.replace('_', " ")
                );
                checker.report(
                    CROCODILE_ORIGIN,
                    format!("/crocodiles/animals/{index}/{field}"),
                    message,
                );
            }
        }
        let code = normalize_code(&animal.identification_code);
        if let Some(first) = codes.insert(code.clone(), index) {
            let message =
                format!("Identification code {code} is also used by animal {first}; each animal needs its own.");
            checker.report(
                CROCODILE_IDS,
                format!("/crocodiles/animals/{index}/identification_code"),
                message,
            );
        }
        if farms.insert(normalize_code(&animal.farm_code)) {
            checker.require_approved(
                terms.farm_rule,
                EstablishmentKind::CrocodileFarm,
                &animal.farm_code,
                format!("/crocodiles/animals/{index}/farm_code"),
            );
            checker.check_code_use(
                terms.farm_code_use_rule,
                None,
                EstablishmentKind::CrocodileFarm,
                &animal.farm_code,
                format!("/crocodiles/animals/{index}/farm_code"),
            );
        }
    }
    if crocodiles.animals.len() != crocodiles.declared_quantity as usize {
        let message = format!(
            "{} animals are identified but {} are declared; the numbers must match.",
            crocodiles.animals.len(),
            crocodiles.declared_quantity
        );
        checker.report(CROCODILE_IDS, "/crocodiles/declared_quantity", message);
    }
    match &crocodiles.cites_permit {
        None => checker.report(
            CROCODILE_CITES,
            "/crocodiles/cites_permit",
            "Give the CITES export permit.",
        ),
        Some(permit) if permit.valid_from > checker.as_of => {
            let message = format!(
                "The CITES permit is valid from {}, after the departure on {}.",
                permit.valid_from, checker.as_of
            );
            checker.report(CROCODILE_CITES, "/crocodiles/cites_permit/valid_from", message);
        }
        Some(permit) if permit.valid_until < checker.as_of => {
            let message = format!(
                "The CITES permit expired on {}, before the departure on {}.",
                permit.valid_until, checker.as_of
            );
            checker.report(CROCODILE_CITES, "/crocodiles/cites_permit/valid_until", message);
        }
        Some(_) => {}
    }
    let required_agents = terms.required_agents.value.clone();
    let mut tested: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (index, test) in crocodiles.tests.iter().enumerate() {
        match test.test_date {
            None => checker.report(
                CROCODILE_TEST_DATES,
                format!("/crocodiles/tests/{index}/test_date"),
                "Give the date the laboratory tested the sample.",
            ),
            Some(tested) if tested < test.sample_date => {
                let message = format!(
                    "The sample was tested on {tested}, before it was taken on {}.",
                    test.sample_date
                );
                checker.report(
                    CROCODILE_TEST_DATES,
                    format!("/crocodiles/tests/{index}/test_date"),
                    message,
                );
            }
            Some(tested) if tested > checker.as_of => {
                let message = format!(
                    "The sample was tested on {tested}, after the planned departure on {}.",
                    checker.as_of
                );
                checker.report(
                    CROCODILE_TEST_DATES,
                    format!("/crocodiles/tests/{index}/test_date"),
                    message,
                );
            }
            Some(_) => {}
        }
        let code = normalize_code(&test.animal_code);
        if !codes.contains_key(&code) {
            let message = format!("No animal has identification code {code}.");
            checker.report(
                CROCODILE_TESTS,
                format!("/crocodiles/tests/{index}/animal_code"),
                message,
            );
        }
        match test.result {
            TestResult::Negative => {
                tested.entry(code).or_default().insert(test.agent.trim().to_lowercase());
            }
            TestResult::Positive => {
                let message = format!(
                    "Animal {code} tested positive for {}; it cannot be exported.",
                    test.agent
                );
                checker.report(CROCODILE_TESTS, format!("/crocodiles/tests/{index}/result"), message);
                tested.entry(code).or_default();
            }
        }
    }
    for (index, animal) in crocodiles.animals.iter().enumerate() {
        let code = normalize_code(&animal.identification_code);
        match tested.get(&code) {
            None => {
                let message = format!("Animal {code} has no test result; every animal must be tested.");
                checker.report(CROCODILE_TESTS, format!("/crocodiles/animals/{index}"), message);
            }
            Some(agents) => {
                let missing: Vec<&String> = required_agents
                    .iter()
                    .filter(|agent| !agents.contains(&agent.trim().to_lowercase()))
                    .collect();
                if !missing.is_empty() {
                    let names: Vec<&str> = missing.iter().map(|agent| agent.as_str()).collect();
                    let message = format!("Animal {code} lacks a negative result for: {}.", names.join(", "));
                    checker.push(
                        CROCODILE_TESTS
                            .violation(format!("/crocodiles/animals/{index}"), message)
                            .judged_against(&terms.required_agents),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn a_crocodile_consignment_without_an_import_permit_is_refused() {
        fails(
            crocodile(),
            facts(),
            |b, _| b.import_permit_number = None,
            "CROCODILE-IMPORT-PERMIT",
            "/import_permit_number",
        );
    }

    fn animals(change: impl FnOnce(&mut Crocodiles)) -> impl FnOnce(&mut ConsignmentBody, &mut RegistryFacts) {
        move |b, _| {
            if let Some(crocodiles) = b.crocodiles.as_mut() {
                change(crocodiles);
            }
        }
    }

    #[test]
    fn crocodiles_without_details_are_refused() {
        fails(
            crocodile(),
            facts(),
            |b, _| b.crocodiles = None,
            "CROCODILE-DETAILS-PRESENT",
            "/crocodiles",
        );
    }

    #[test]
    fn an_unknown_species_is_a_warning() {
        let mut body = crocodile();
        animals(|c| c.species = "Alligator mississippiensis".into())(&mut body, &mut facts());
        let report = run(&body, &facts());
        assert_eq!(ids(&report), ["CROCODILE-SPECIES"]);
        assert!(report.compliant);
    }

    #[test]
    fn an_animal_raised_abroad_is_refused() {
        fails(
            crocodile(),
            facts(),
            animals(|c| c.animals[1].raised_in = "KH".into()),
            "CROCODILE-BORN-AND-RAISED-IN-VIETNAM",
            "/crocodiles/animals/1/raised_in",
        );
    }

    #[test]
    fn a_repeated_identification_code_is_refused() {
        fails(
            crocodile(),
            facts(),
            animals(|c| c.animals[1].identification_code = "cr-0001".into()),
            "CROCODILE-IDENTIFICATION",
            "/crocodiles/animals/1/identification_code",
        );
    }

    #[test]
    fn a_count_that_differs_from_the_declared_quantity_is_refused() {
        fails(
            crocodile(),
            facts(),
            animals(|c| c.declared_quantity = 3),
            "CROCODILE-IDENTIFICATION",
            "/crocodiles/declared_quantity",
        );
    }

    #[test]
    fn an_unapproved_farm_is_a_warning_unless_the_operator_enforces_the_rule() {
        fails(
            crocodile(),
            facts(),
            animals(|c| c.animals[0].farm_code = "DT-CF-99".into()),
            "CROCODILE-FARM-APPROVED",
            "/crocodiles/animals/0/farm_code",
        );
        let mut body = crocodile();
        animals(|c| c.animals[0].farm_code = "DT-CF-99".into())(&mut body, &mut facts());
        let report = run(&body, &facts());
        assert!(report.compliant, "{:?}", report.violations);
        assert_eq!(report.warnings, 1);
        let enforcing = ProtocolSettings {
            enforced_uncertain_rules: vec!["CROCODILE-FARM-APPROVED".into()],
            ..Default::default()
        };
        let report = run_with(&body, &facts(), &enforcing);
        assert!(!report.compliant);
        assert_eq!(report.violations[0].configured_by, Some("ENFORCE_UNCERTAIN_RULES"));
    }

    #[test]
    fn a_cites_permit_that_expired_before_departure_is_refused() {
        fails(
            crocodile(),
            facts(),
            animals(|c| {
                if let Some(p) = c.cites_permit.as_mut() {
                    p.valid_until = "2025-02-28".parse().unwrap()
                }
            }),
            "CROCODILE-CITES-PERMIT",
            "/crocodiles/cites_permit/valid_until",
        );
    }

    #[test]
    fn a_missing_cites_permit_is_refused() {
        fails(
            crocodile(),
            facts(),
            animals(|c| c.cites_permit = None),
            "CROCODILE-CITES-PERMIT",
            "/crocodiles/cites_permit",
        );
    }

    #[test]
    fn a_positive_test_is_refused() {
        fails(
            crocodile(),
            facts(),
            animals(|c| c.tests[0].result = TestResult::Positive),
            "CROCODILE-TESTS-NEGATIVE",
            "/crocodiles/tests/0/result",
        );
    }

    #[test]
    fn an_untested_animal_is_refused() {
        fails(
            crocodile(),
            facts(),
            animals(|c| {
                c.tests.remove(1);
            }),
            "CROCODILE-TESTS-NEGATIVE",
            "/crocodiles/animals/1",
        );
    }

    #[test]
    fn a_required_agent_without_a_result_is_refused() {
        let settings = ProtocolSettings {
            crocodile_required_agents: vec!["Salmonella".into(), "Chlamydia".into()],
            ..Default::default()
        };
        let report = run_with(&crocodile(), &facts(), &settings);
        assert_eq!(ids(&report), ["CROCODILE-TESTS-NEGATIVE", "CROCODILE-TESTS-NEGATIVE"]);
        assert!(report.violations[0].message.contains("Chlamydia"));
    }
}
