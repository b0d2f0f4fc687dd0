//! Laboratory rules of both durian protocols (GACC measure effective 10 January 2025): every lot
//! covered by a cadmium result within the limit and by Auramine O "not detected" in peel and
//! flesh, each from a laboratory GACC recognises for that analyte.

use super::checker::Checker;
use super::parameter::{Parameter, date};
use super::rule::{Rule, RuleDef, Severity};
use super::settings::ProtocolSettings;
use crate::domain::consignment::model::{Analyte, FrozenForm, LabReport, Matrix};
use crate::domain::establishment::{EstablishmentKind, LabScope, normalize_code};
use crate::domain::registry_status::RegistryStatus;
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};

pub const LAB_REPORT_LOTS: Rule = Rule::confirmed(
    "DURIAN-LAB-REPORT-LOTS",
    Severity::Error,
    "protocols.md §8 rule 31: a result counts for the lot it was sampled from",
);
pub const LAB_SAMPLE_DATE: Rule = Rule::confirmed(
    "DURIAN-LAB-SAMPLE-DATE",
    Severity::Error,
    "Integrity of the declaration (protocols.md §8 rule 33): a sample is taken before the consignment leaves",
);
pub const LAB_RECOGNISED: Rule = Rule::confirmed(
    "DURIAN-LAB-RECOGNISED",
    Severity::Error,
    "protocols.md §1.9: reports from GACC-recognised laboratories (24 for cadmium, 14 for Auramine O by July 2025)",
);
pub const LAB_CADMIUM: Rule = Rule::confirmed(
    "DURIAN-LAB-CADMIUM",
    Severity::Error,
    "protocols.md §1.9: GACC measure effective 10 Jan 2025; the limit is a parameter (GB 2762, 0.05 mg/kg recalled)",
);
pub const LAB_AURAMINE_O: Rule = Rule::confirmed(
    "DURIAN-LAB-AURAMINE-O",
    Severity::Error,
    "protocols.md §1.9: GACC measure effective 10 Jan 2025; Vietnam and China agreed to test both peel and flesh",
);

/// The laboratory parameters of the durian protocols.
#[derive(Debug, Clone, PartialEq)]
pub struct DurianLabTerms {
    /// Departures from this day need the cadmium and Auramine O results.
    pub tests_required_from: Parameter<NaiveDate>,
    /// mg/kg; recalled, so configuration (`CADMIUM_LIMIT_MG_PER_KG`).
    pub cadmium_limit: Parameter<f64>,
}

impl DurianLabTerms {
    pub fn new(settings: &ProtocolSettings) -> Self {
        Self {
            tests_required_from: Parameter::confirmed(
                "lab_tests_required_from",
                date(2025, 1, 10),
                None,
                "protocols.md §1.9: GACC measure of 8 Jan 2025, effective 10 Jan 2025 (cadmium and Auramine O reports from recognised labs)",
            ),
            cadmium_limit: Parameter::uncertain(
                "cadmium_limit",
                settings.cadmium_limit_mg_per_kg,
                Some("mg/kg"),
                "protocols.md §1.9: GB 2762 fresh-fruit row recalled as 0.05 mg/kg, not verified (CADMIUM_LIMIT_MG_PER_KG)",
            ),
        }
    }

    /// The published parameters, in their published order.
    pub fn published(&self) -> [super::parameter::PublishedParameter; 2] {
        [self.tests_required_from.published(), self.cadmium_limit.published()]
    }
}

/// The laboratory rules as published, stating the date and the limit in force.
pub fn rules(terms: &DurianLabTerms) -> Vec<RuleDef> {
    let from = terms.tests_required_from.value;
    vec![
        LAB_REPORT_LOTS.requires("Every lab report refers to lots that exist in the consignment."),
        LAB_SAMPLE_DATE.requires("Every lab sample was taken on or before the planned departure date."),
        LAB_RECOGNISED.requires("Every lab report comes from a laboratory recognised for that analyte on the date of its sample."),
        LAB_CADMIUM.requires(format!(
            "From {from}, every lot is covered by a cadmium result within the limit ({}) from a recognised laboratory.",
            terms.cadmium_limit.stated()
        )),
        LAB_AURAMINE_O.requires(format!(
            "From {from}, every lot has Auramine O not detected in peel and flesh (pulp for shell-less frozen durian) from a recognised laboratory."
        )),
    ]
}

fn analyte_name(analyte: Analyte) -> &'static str {
    match analyte {
        Analyte::Cadmium => "cadmium",
        Analyte::AuramineO => "Auramine O",
    }
}

fn lab_recognised(checker: &Checker, report: &LabReport) -> bool {
    let scope = match report.analyte {
        Analyte::Cadmium => LabScope::Cadmium,
        Analyte::AuramineO => LabScope::AuramineO,
    };
    // Recognition counts on the day the sample was taken (the report's date).
    checker
        .facts_on(report.sample_date)
        .get(EstablishmentKind::Laboratory, &report.laboratory_code)
        .is_some_and(|fact| fact.status == Some(RegistryStatus::Approved) && fact.scopes.contains(&scope))
}

pub fn check(checker: &mut Checker, terms: &DurianLabTerms) {
    let body = checker.body;
    let reports = &body.lab_reports;
    let lot_count = body.lots.len();
    for (index, report) in reports.iter().enumerate() {
        for (position, lot) in report.lots.iter().enumerate() {
            if *lot >= lot_count {
                let message = format!(
                    "Lot {lot} does not exist; lots are numbered from 0 to {}.",
                    lot_count.saturating_sub(1)
                );
                checker.report(
                    LAB_REPORT_LOTS,
                    format!("/lab_reports/{index}/lots/{position}"),
                    message,
                );
            }
        }
        if report.sample_date > body.planned_departure_date {
            let message = format!(
                "The sample was taken on {}, after the planned departure on {}; correct either date.",
                report.sample_date, body.planned_departure_date
            );
            checker.report(LAB_SAMPLE_DATE, format!("/lab_reports/{index}/sample_date"), message);
        }
        if !lab_recognised(checker, report) {
            let message = format!(
                "Laboratory {} is not recognised for {} on {}, the date of the sample; use a GACC-recognised laboratory.",
                normalize_code(&report.laboratory_code),
                analyte_name(report.analyte),
                report.sample_date
            );
            checker.report(LAB_RECOGNISED, format!("/lab_reports/{index}/laboratory_code"), message);
        }
    }
    if checker.as_of < terms.tests_required_from.value {
        return;
    }
    check_cadmium(checker, reports, &terms.cadmium_limit);
    check_auramine(checker, reports);
}

fn check_cadmium(checker: &mut Checker, reports: &[LabReport], limit_parameter: &Parameter<f64>) {
    let limit = limit_parameter.value;
    let mut covered = vec![false; checker.body.lots.len()];
    for (index, report) in reports
        .iter()
        .enumerate()
        .filter(|(_, report)| report.analyte == Analyte::Cadmium)
    {
        let value = match (report.value, report.unit.as_deref().map(str::trim)) {
            (Some(value), Some("mg/kg")) => value,
            (Some(value), Some("µg/kg" | "ug/kg" | "μg/kg")) => value / 1000.0,
            (Some(_), _) => {
                checker.report(
                    LAB_CADMIUM,
                    format!("/lab_reports/{index}/unit"),
                    "Give the cadmium result in mg/kg or µg/kg.",
                );
                continue;
            }
            (None, _) => {
                checker.report(
                    LAB_CADMIUM,
                    format!("/lab_reports/{index}/value"),
                    "A cadmium report needs a measured value.",
                );
                continue;
            }
        };
        if value > limit {
            let message = format!(
                "Cadmium {value} mg/kg is above the limit of {limit} mg/kg; the lots it covers cannot be exported."
            );
            checker.push(
                LAB_CADMIUM
                    .violation(format!("/lab_reports/{index}/value"), message)
                    .judged_against(limit_parameter),
            );
            continue;
        }
        if lab_recognised(checker, report) {
            for lot in &report.lots {
                if let Some(slot) = covered.get_mut(*lot) {
                    *slot = true;
                }
            }
        }
    }
    for (lot, ok) in covered.iter().enumerate() {
        if !ok {
            let message = format!("Lot {lot} has no cadmium result within the limit from a recognised laboratory.");
            checker.report(LAB_CADMIUM, format!("/lots/{lot}"), message);
        }
    }
}

fn check_auramine(checker: &mut Checker, reports: &[LabReport]) {
    // Shell-less frozen durian has no peel: the flesh (or pulp) is what is tested.
    let shell_less = matches!(
        checker.body.frozen_durian.as_ref().map(|frozen| frozen.product_form),
        Some(FrozenForm::PureeWithoutShell | FrozenForm::PulpWithoutShell)
    );
    let mut negative: HashMap<usize, BTreeSet<&'static str>> = HashMap::new();
    for (index, report) in reports
        .iter()
        .enumerate()
        .filter(|(_, report)| report.analyte == Analyte::AuramineO)
    {
        match report.detected {
            Some(false) => {
                if lab_recognised(checker, report) {
                    let part = match report.matrix {
                        Matrix::Peel => "peel",
                        Matrix::Flesh | Matrix::Pulp => "flesh",
                    };
                    for lot in &report.lots {
                        negative.entry(*lot).or_default().insert(part);
                    }
                }
            }
            Some(true) => {
                let message = "Auramine O was detected; the lots this report covers cannot be exported.";
                checker.report(LAB_AURAMINE_O, format!("/lab_reports/{index}/detected"), message);
            }
            None => {
                let message = "An Auramine O report must say whether it was detected (detected: true or false).";
                checker.report(LAB_AURAMINE_O, format!("/lab_reports/{index}/detected"), message);
            }
        }
    }
    let required: &[&str] = if shell_less { &["flesh"] } else { &["peel", "flesh"] };
    for lot in 0..checker.body.lots.len() {
        let have = negative.get(&lot).cloned().unwrap_or_default();
        let missing: Vec<&str> = required.iter().copied().filter(|part| !have.contains(part)).collect();
        if !missing.is_empty() {
            let message = format!(
                "Lot {lot} lacks a recognised laboratory's \"not detected\" Auramine O result for: {}.",
                missing.join(" and ")
            );
            checker.report(LAB_AURAMINE_O, format!("/lots/{lot}"), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn a_lab_report_for_a_missing_lot_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.lab_reports[0].lots = vec![0, 3],
            "DURIAN-LAB-REPORT-LOTS",
            "/lab_reports/0/lots/1",
        );
    }

    #[test]
    fn a_laboratory_not_recognised_for_the_analyte_is_refused() {
        fails(
            fresh(),
            facts(),
            |_, f| {
                f.insert(
                    EstablishmentKind::Laboratory,
                    "VILAS-997",
                    EstablishmentFact {
                        scopes: [LabScope::Cadmium].into(),
                        ..approved(None)
                    },
                )
            },
            "DURIAN-LAB-RECOGNISED",
            "/lab_reports/1/laboratory_code",
        );
    }

    #[test]
    fn cadmium_above_the_limit_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.lab_reports[0].value = Some(0.08),
            "DURIAN-LAB-CADMIUM",
            "/lab_reports/0/value",
        );
    }

    #[test]
    fn cadmium_in_micrograms_is_converted() {
        let mut body = fresh();
        body.lab_reports[0].value = Some(30.0);
        body.lab_reports[0].unit = Some("µg/kg".into());
        assert!(run(&body, &facts()).violations.is_empty());
    }

    #[test]
    fn a_lot_without_a_cadmium_result_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| {
                b.lab_reports.remove(0);
            },
            "DURIAN-LAB-CADMIUM",
            "/lots/0",
        );
    }

    #[test]
    fn the_cadmium_limit_is_a_parameter() {
        let mut body = fresh();
        body.lab_reports[0].value = Some(0.08);
        let settings = ProtocolSettings {
            cadmium_limit_mg_per_kg: 0.1,
            ..Default::default()
        };
        assert!(run_with(&body, &facts(), &settings).violations.is_empty());
    }

    #[test]
    fn auramine_o_must_be_tested_in_peel_and_flesh() {
        fails(
            fresh(),
            facts(),
            |b, _| {
                b.lab_reports.remove(1);
            },
            "DURIAN-LAB-AURAMINE-O",
            "/lots/0",
        );
    }

    #[test]
    fn detected_auramine_o_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.lab_reports[2].detected = Some(true),
            "DURIAN-LAB-AURAMINE-O",
            "/lab_reports/2/detected",
        );
    }

    #[test]
    fn lab_results_are_not_required_before_10_january_2025() {
        let mut body = fresh();
        body.planned_departure_date = "2025-01-09".parse().unwrap();
        body.lab_reports.clear();
        assert!(run(&body, &facts()).violations.is_empty());
        body.planned_departure_date = "2025-01-10".parse().unwrap();
        assert_eq!(
            ids(&run(&body, &facts())),
            ["DURIAN-LAB-CADMIUM", "DURIAN-LAB-AURAMINE-O"]
        );
    }

    #[test]
    fn shell_less_frozen_durian_needs_only_the_flesh_tested() {
        let mut body = frozen();
        body.lab_reports.remove(1);
        assert_eq!(ids(&run(&body, &facts())), ["DURIAN-LAB-AURAMINE-O"]);
        if let Some(frozen) = body.frozen_durian.as_mut() {
            frozen.product_form = FrozenForm::PulpWithoutShell;
        }
        assert!(run(&body, &facts()).violations.is_empty());
    }

    #[test]
    fn a_sample_taken_after_the_departure_is_refused() {
        fails(
            fresh(),
            facts(),
            |b, _| b.lab_reports[0].sample_date = "2025-03-02".parse().unwrap(),
            "DURIAN-LAB-SAMPLE-DATE",
            "/lab_reports/0/sample_date",
        );
    }
}
