//! Rules every protocol shares: the protocol is in force, the declaration holds only its own
//! product's details, the consignee is in China, and the consignment leaves and enters through
//! places designated for its commodity class.

use super::ProtocolCode;
use super::checker::Checker;
use super::parameter::Parameter;
use super::rule::{Rule, RuleDef, Severity};
use super::settings::ConfiguredList;

pub const PROTOCOL_IN_FORCE: Rule = Rule::confirmed(
    "GEN-PROTOCOL-IN-FORCE",
    Severity::Error,
    "protocols.md §8 rule 55: fresh durian from 2022-07-11 (GACC Ann. 66/2022); frozen durian, coconut and crocodiles from 2024-08-19",
);
pub const PROTOCOL_TERM: Rule = Rule::confirmed(
    "GEN-PROTOCOL-TERM",
    Severity::Warning,
    "protocols.md §8 rule 56: fresh durian had a three-year term from 2022-07-11 (renewal not known); frozen durian five years from 2024-08-19, renewable",
);
pub const PROTOCOL_FIELDS: Rule = Rule::confirmed(
    "GEN-PROTOCOL-FIELDS",
    Severity::Error,
    "Each protocol covers one product (protocols.md §1.1, §2.1, §3.1, §4.1)",
);
pub const CONSIGNEE_IN_CHINA: Rule = Rule::confirmed(
    "GEN-CONSIGNEE-IN-CHINA",
    Severity::Error,
    "The protocols cover exports from Vietnam to China (protocols.md §0)",
);
pub const EXIT_GATE: Rule = Rule::uncertain(
    "GEN-EXIT-GATE-DESIGNATED",
    "protocols.md §6 and §8 rule 57: exports leave through the gates opened for the commodity class; no source lists them, so an error only once the operator configures the list",
);
pub const ENTRY_POINT: Rule = Rule::uncertain(
    "GEN-ENTRY-POINT-DESIGNATED",
    "protocols.md §1.8, §8 rule 57 and §10: entry through GACC-designated ports for the commodity class; no source lists them, so an error only once the operator configures the list",
);

/// The gates of exit and points of entry designated for a commodity class. GACC designates
/// them per class, but the lists were not found, so both are configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Gates {
    pub exit: Parameter<Vec<String>>,
    pub entry: Parameter<Vec<String>>,
    /// The exit rule: an error once the operator configured the list, a warning before.
    pub exit_rule: Rule,
    pub entry_rule: Rule,
}

impl Gates {
    /// `class` names the configuration variables: `EXIT_GATES_<CLASS>`, `ENTRY_POINTS_<CLASS>`.
    pub fn configured(exit: &ConfiguredList, entry: &ConfiguredList, class: &str) -> Self {
        let source = |variable: &str, list: &ConfiguredList| {
            let variable = format!("{variable}_{}", class.to_ascii_uppercase());
            match list.configured_by {
                Some(_) => format!(
                    "set by the operator ({variable}); GACC designates ports per commodity class (protocols.md §1.8, §6 and §8 rule 57)"
                ),
                None => format!(
                    "protocols.md §1.8, §6 and §8 rule 57: GACC designates ports per commodity class; the list for {class} was not found, so this is a suggestion until {variable} is set"
                ),
            }
        };
        Self {
            exit: Parameter::uncertain("exit_gates", exit.values.clone(), None, &source("EXIT_GATES", exit)),
            entry: Parameter::uncertain(
                "entry_points",
                entry.values.clone(),
                None,
                &source("ENTRY_POINTS", entry),
            ),
            exit_rule: EXIT_GATE.enforced_by(exit.configured_by),
            entry_rule: ENTRY_POINT.enforced_by(entry.configured_by),
        }
    }
}

/// The common rules as published.
pub fn rules(gates: &Gates) -> Vec<RuleDef> {
    vec![
        PROTOCOL_IN_FORCE.requires("The planned departure date is on or after the protocol's effective date."),
        PROTOCOL_TERM.requires("The planned departure falls within the protocol's known term (a warning: the protocol may have been renewed)."),
        PROTOCOL_FIELDS.requires("Only the product details of the consignment's own protocol are given."),
        CONSIGNEE_IN_CHINA.requires("The consignee is in China (country CN)."),
        gates
            .exit_rule
            .requires("The border gate of exit is on the configured list for the commodity class."),
        gates
            .entry_rule
            .requires("The declared point of entry is on the configured list for the commodity class."),
    ]
}

pub fn check(checker: &mut Checker, gates: &Gates) {
    let edition = checker.edition;
    if !edition.in_force_on(checker.as_of) {
        let message = format!(
            "{} applies to departures from {}; this consignment is planned to leave on {}.",
            edition.title, edition.effective_from, checker.as_of
        );
        checker.report(PROTOCOL_IN_FORCE, "/planned_departure_date", message);
    }
    if let Some(term) = edition.term.as_ref().filter(|term| checker.as_of > term.until) {
        let message = format!(
            "{} ran until {} as far as the sources say ({}); check that it was renewed before shipping on {}.",
            edition.title, term.until, term.source, checker.as_of
        );
        checker.report(PROTOCOL_TERM, "/planned_departure_date", message);
    }
    check_own_details(checker);
    let body = checker.body;
    if !body.consignee.country.eq_ignore_ascii_case("CN") {
        checker.report(
            CONSIGNEE_IN_CHINA,
            "/consignee/country",
            "The consignee must be in China: set country to CN.",
        );
    }
    let exit_gates = &gates.exit.value;
    if !exit_gates
        .iter()
        .any(|gate| gate.eq_ignore_ascii_case(body.exit_border_gate.trim()))
    {
        let message = format!(
            "{} is not a border gate of exit for this product; use one of: {}.",
            body.exit_border_gate,
            exit_gates.join(", ")
        );
        checker.report(gates.exit_rule, "/exit_border_gate", message);
    }
    let entry_points = &gates.entry.value;
    if !entry_points
        .iter()
        .any(|point| point.eq_ignore_ascii_case(body.entry_point.trim()))
    {
        let message = format!(
            "{} is not a designated point of entry for this product; use one of: {}.",
            body.entry_point,
            entry_points.join(", ")
        );
        checker.report(gates.entry_rule, "/entry_point", message);
    }
}

/// Details of another protocol's product, or plant details on an animal consignment.
fn check_own_details(checker: &mut Checker) {
    let body = checker.body;
    let foreign_blocks = [
        ("/fresh_durian", body.fresh_durian.is_some(), ProtocolCode::DurianFresh),
        (
            "/frozen_durian",
            body.frozen_durian.is_some(),
            ProtocolCode::DurianFrozen,
        ),
        ("/coconut", body.coconut.is_some(), ProtocolCode::CoconutFresh),
        ("/crocodiles", body.crocodiles.is_some(), ProtocolCode::CrocodileFarmed),
    ];
    for (pointer, present, owner) in foreign_blocks {
        if present && owner != checker.protocol {
            checker.report(
                PROTOCOL_FIELDS,
                pointer,
                format!("These details belong to {}; remove them.", owner.as_str()),
            );
        }
    }
    if !checker.protocol.is_plant() {
        let plant_fields = [
            ("/lots", !body.lots.is_empty()),
            ("/lab_reports", !body.lab_reports.is_empty()),
            ("/botanical_name", body.botanical_name.is_some()),
        ];
        for (pointer, present) in plant_fields {
            if present {
                checker.report(
                    PROTOCOL_FIELDS,
                    pointer,
                    "Plant-product details do not apply to crocodiles; remove them.",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::rule::Severity;
    use super::super::settings::ConfiguredList;

    #[test]
    fn a_departure_before_the_protocol_took_effect_is_refused() {
        fails(
            coconut(),
            facts(),
            |b, _| b.planned_departure_date = "2024-08-18".parse().unwrap(),
            "GEN-PROTOCOL-IN-FORCE",
            "/planned_departure_date",
        );
    }

    #[test]
    fn details_of_another_protocol_are_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.coconut = coconut().coconut,
            "GEN-PROTOCOL-FIELDS",
            "/coconut",
        );
    }

    #[test]
    fn a_consignee_outside_china_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.consignee.country = "TH".into(),
            "GEN-CONSIGNEE-IN-CHINA",
            "/consignee/country",
        );
    }

    /// The severity and `configured_by` of the one violation of `rule` in `report`.
    fn graded(report: &ComplianceReport, rule: &str) -> (Severity, Option<&'static str>) {
        let violation = report
            .violations
            .iter()
            .find(|violation| violation.rule_id == rule)
            .unwrap();
        (violation.severity, violation.configured_by)
    }

    #[test]
    fn an_undesignated_point_of_entry_is_a_warning_until_the_operator_configures_the_list() {
        let mut body = fresh();
        body.entry_point = "shanghai_pudong".into();
        let report = run(&body, &facts());
        assert_eq!(graded(&report, "GEN-ENTRY-POINT-DESIGNATED"), (Severity::Warning, None));
        assert!(report.compliant, "{:?}", report.violations);
        let configured = ProtocolSettings {
            fruit_entry_points: ConfiguredList {
                values: vec!["youyiguan".into()],
                configured_by: Some("ENTRY_POINTS_FRUIT"),
            },
            ..Default::default()
        };
        let report = run_with(&body, &facts(), &configured);
        assert_eq!(
            graded(&report, "GEN-ENTRY-POINT-DESIGNATED"),
            (Severity::Error, Some("ENTRY_POINTS_FRUIT"))
        );
        assert!(!report.compliant);
    }

    #[test]
    fn an_undesignated_gate_of_exit_is_a_warning_until_the_operator_configures_the_list() {
        let mut body = crocodile();
        body.exit_border_gate = "tan_thanh".into();
        let report = run(&body, &facts());
        assert_eq!(graded(&report, "GEN-EXIT-GATE-DESIGNATED"), (Severity::Warning, None));
        let configured = ProtocolSettings {
            animal_exit_gates: ConfiguredList {
                values: vec!["mong_cai".into()],
                configured_by: Some("EXIT_GATES_ANIMAL"),
            },
            ..Default::default()
        };
        let report = run_with(&body, &facts(), &configured);
        assert_eq!(
            graded(&report, "GEN-EXIT-GATE-DESIGNATED"),
            (Severity::Error, Some("EXIT_GATES_ANIMAL"))
        );
    }

    #[test]
    fn a_departure_after_the_known_term_warns_and_within_it_does_not() {
        let mut body = fresh();
        body.planned_departure_date = "2025-07-11".parse().unwrap();
        let report = run(&body, &facts());
        assert_eq!(graded(&report, "GEN-PROTOCOL-TERM"), (Severity::Warning, None));
        assert!(report.compliant);
        body.planned_departure_date = "2025-07-10".parse().unwrap();
        assert!(run(&body, &facts()).violations.is_empty());
    }
}
