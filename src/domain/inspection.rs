//! Pre-export inspection: what an inspector records, the sampling rate the protocol requires,
//! and what must hold before a consignment may be approved.

use super::consignment::model::ConsignmentBody;
use super::establishment::normalize_code;
use super::field_violation::FieldViolation;
use super::protocol::ProtocolCode;
use super::protocol::catalogue::{ProtocolVersion, Terms};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::Validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A pest on the protocol's list of quarantine pests of concern to China.
    QuarantinePest,
    Soil,
    LeavesOrBranches,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub kind: FindingKind,
    #[validate(length(min = 1, max = 200))]
    pub scientific_name: Option<String>,
    /// For pests: found alive.
    pub alive: Option<bool>,
    #[validate(length(max = 1000))]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClinicalResult {
    Normal,
    Abnormal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ClinicalExam {
    #[validate(length(min = 1, max = 60))]
    pub animal_code: String,
    pub result: ClinicalResult,
    #[validate(length(max = 1000))]
    pub note: Option<String>,
}

/// An inspection as the inspector records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct InspectionInput {
    #[validate(custom(function = "crate::domain::calendar::date_in_range"))]
    pub inspected_on: NaiveDate,
    #[validate(length(min = 1, max = 200))]
    pub place: String,
    /// Units (packages, or animals) in the consignment.
    #[validate(range(min = 1, max = 10_000_000))]
    pub units_in_lot: u32,
    #[validate(range(max = 10_000_000))]
    pub units_sampled: u32,
    #[serde(default)]
    #[validate(length(max = 200), nested)]
    pub findings: Vec<Finding>,
    /// Frozen durian: core temperature measured at inspection, °C.
    #[validate(range(min = -200.0, max = 60.0))]
    pub core_temperature_c: Option<f64>,
    /// Crocodiles: one clinical examination per animal.
    #[serde(default)]
    #[validate(length(max = 10_000), nested)]
    pub clinical_exams: Vec<ClinicalExam>,
}

/// The units an inspection samples from: the declared packages of every lot, or the animals.
pub fn declared_units(body: &ConsignmentBody) -> u64 {
    match &body.crocodiles {
        Some(crocodiles) => crocodiles.animals.len() as u64,
        None => body.lots.iter().map(|lot| u64::from(lot.package_count)).sum(),
    }
}

/// Checks an inspection against the consignment.
pub fn check_inspection(
    version: &ProtocolVersion,
    body: &ConsignmentBody,
    input: &InspectionInput,
    today: NaiveDate,
) -> Result<(), Vec<FieldViolation>> {
    let mut violations = Vec::new();
    if input.inspected_on > today {
        violations.push(FieldViolation::new(
            "/inspected_on",
            "in_future",
            format!("An inspection cannot be dated after today ({today})."),
        ));
    } else if input.inspected_on > body.planned_departure_date {
        violations.push(FieldViolation::new(
            "/inspected_on",
            "after_departure",
            format!(
                "The consignment is planned to leave on {}; it is inspected before it leaves.",
                body.planned_departure_date
            ),
        ));
    }
    let declared = declared_units(body);
    if declared > 0 && u64::from(input.units_in_lot) != declared {
        violations.push(FieldViolation::new(
            "/units_in_lot",
            "units_mismatch",
            format!(
                "The consignment declares {declared} units (packages, or animals); the inspection says {}.",
                input.units_in_lot
            ),
        ));
    }
    if input.units_sampled > input.units_in_lot {
        violations.push(FieldViolation::new(
            "/units_sampled",
            "out_of_range",
            "More units were sampled than the lot holds.",
        ));
    }
    for (index, finding) in input.findings.iter().enumerate() {
        if finding.kind != FindingKind::QuarantinePest {
            continue;
        }
        let name = finding
            .scientific_name
            .as_deref()
            .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "));
        // A live organism off the protocol's list is still recorded as found (it blocks
        // approval when alive): refusing the record would hide it.
        if name.is_none() {
            violations.push(FieldViolation::new(
                format!("/findings/{index}/scientific_name"),
                "required",
                "Name the quarantine pest found.",
            ));
        }
        if finding.alive.is_none() {
            violations.push(FieldViolation::new(
                format!("/findings/{index}/alive"),
                "required",
                "Say whether the pest was alive.",
            ));
        }
    }
    match version.edition.code {
        ProtocolCode::DurianFrozen if input.core_temperature_c.is_none() => violations.push(FieldViolation::new(
            "/core_temperature_c",
            "required",
            "Record the core temperature measured at inspection.",
        )),
        ProtocolCode::CrocodileFarmed => {
            let animals: Vec<String> = body
                .crocodiles
                .as_ref()
                .map(|crocodiles| {
                    crocodiles
                        .animals
                        .iter()
                        .map(|animal| normalize_code(&animal.identification_code))
                        .collect()
                })
                .unwrap_or_default();
            for (index, exam) in input.clinical_exams.iter().enumerate() {
                if !animals.contains(&normalize_code(&exam.animal_code)) {
                    violations.push(FieldViolation::new(
                        format!("/clinical_exams/{index}/animal_code"),
                        "unknown_animal",
                        "No animal of this consignment has this identification code.",
                    ));
                }
            }
        }
        _ => {}
    }
    if violations.is_empty() { Ok(()) } else { Err(violations) }
}

/// What the service's own history says about an exporter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExporterHistory {
    /// First consignment the exporter ever submitted under this protocol.
    pub first_submission: Option<NaiveDate>,
    /// Most recent rejection of one of its consignments under this protocol.
    pub last_rejection: Option<NaiveDate>,
}

/// The sampling rate required on `date`: the reduced rate only for an exporter that has shipped
/// under the protocol for two years with no rejection in those two years.
pub fn required_sampling_rate(version: &ProtocolVersion, history: ExporterHistory, date: NaiveDate) -> Option<f64> {
    let sampling = version.terms.sampling()?;
    let two_years_ago = date.checked_sub_months(chrono::Months::new(24))?;
    let seasoned = history.first_submission.is_some_and(|first| first <= two_years_ago);
    let clean = history.last_rejection.is_none_or(|last| last < two_years_ago);
    Some(match &sampling.reduced_rate {
        Some(reduced) if seasoned && clean => reduced.value,
        _ => sampling.rate.value,
    })
}

/// One reason a consignment cannot be approved yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocker {
    pub code: &'static str,
    pub message: String,
}

/// A recorded inspection as approval reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionRecord {
    pub input: InspectionInput,
    pub required_rate: Option<f64>,
}

/// Everything that stands in the way of approval, from the inspections alone.
pub fn approval_blockers(
    version: &ProtocolVersion,
    body: &ConsignmentBody,
    inspections: &[InspectionRecord],
    today: NaiveDate,
) -> Vec<Blocker> {
    let protocol = version.edition.code;
    let mut blockers = Vec::new();
    if today > body.planned_departure_date {
        blockers.push(Blocker {
            code: "departure_passed",
            message: format!(
                "The planned departure on {} has passed; return the consignment so the exporter corrects the date and submits it again.",
                body.planned_departure_date
            ),
        });
    }
    if inspections.is_empty() {
        blockers.push(Blocker {
            code: "no_inspection",
            message: "Record at least one inspection before approving.".into(),
        });
        return blockers;
    }
    for (index, record) in inspections.iter().enumerate() {
        for finding in &record.input.findings {
            let message = match finding.kind {
                FindingKind::QuarantinePest if finding.alive == Some(true) => format!(
                    "Inspection {index} found a live quarantine pest ({}).",
                    finding.scientific_name.as_deref().unwrap_or_default()
                ),
                FindingKind::Soil => format!("Inspection {index} found soil."),
                FindingKind::LeavesOrBranches => format!("Inspection {index} found leaves or branches."),
                _ => continue,
            };
            blockers.push(Blocker {
                code: "blocking_finding",
                message,
            });
        }
    }
    if let Terms::FrozenDurian(terms) = &version.terms {
        let limit = terms.core_max.value;
        for (index, record) in inspections.iter().enumerate() {
            if let Some(core) = record.input.core_temperature_c.filter(|core| *core > limit) {
                blockers.push(Blocker {
                    code: "core_temperature_too_warm",
                    message: format!(
                        "Inspection {index} measured a core of {core} °C; the protocol requires {limit} °C or lower (FROZEN-COLD-CHAIN)."
                    ),
                });
            }
        }
    }
    if protocol.is_plant() {
        let met = inspections.iter().any(|record| {
            let rate = f64::from(record.input.units_sampled) / f64::from(record.input.units_in_lot.max(1));
            record.required_rate.is_none_or(|required| rate + 1e-9 >= required)
        });
        if !met {
            blockers.push(Blocker {
                code: "sampling_rate_not_met",
                message: "No inspection sampled the share of units the protocol requires.".into(),
            });
        }
    }
    if protocol == ProtocolCode::CrocodileFarmed {
        let animals: Vec<String> = body
            .crocodiles
            .as_ref()
            .map(|crocodiles| {
                crocodiles
                    .animals
                    .iter()
                    .map(|animal| normalize_code(&animal.identification_code))
                    .collect()
            })
            .unwrap_or_default();
        for animal in animals {
            let exams: Vec<&ClinicalExam> = inspections
                .iter()
                .flat_map(|record| record.input.clinical_exams.iter())
                .filter(|exam| normalize_code(&exam.animal_code) == animal)
                .collect();
            if exams.is_empty() {
                blockers.push(Blocker {
                    code: "clinical_exam_missing",
                    message: format!("Animal {animal} has no clinical examination."),
                });
            } else if exams.iter().any(|exam| exam.result == ClinicalResult::Abnormal) {
                blockers.push(Blocker {
                    code: "clinical_exam_abnormal",
                    message: format!("Animal {animal} was found abnormal on examination."),
                });
            }
        }
    }
    blockers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::protocol::catalogue::{catalogue, latest};
    use crate::domain::protocol::settings::ProtocolSettings;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn version(code: ProtocolCode) -> ProtocolVersion {
        latest(&catalogue(&ProtocolSettings::default()), code).unwrap().clone()
    }

    fn body() -> ConsignmentBody {
        serde_json::from_value(serde_json::json!({
            "protocol": "vn-cn-durian-fresh-2022",
            "consignee": {"name": "c", "address": "a", "country": "CN"},
            "planned_departure_date": "2025-03-01",
            "exit_border_gate": "huu_nghi", "entry_point": "youyiguan",
            "conveyance": {"mode": "road", "identifier": "x"}
        }))
        .unwrap()
    }

    fn inspection(sampled: u32, findings: Vec<Finding>) -> InspectionInput {
        InspectionInput {
            inspected_on: day("2025-02-28"),
            place: "Cái Mơn".into(),
            units_in_lot: 1000,
            units_sampled: sampled,
            findings,
            core_temperature_c: None,
            clinical_exams: vec![],
        }
    }

    fn pest(name: &str, alive: bool) -> Finding {
        Finding {
            kind: FindingKind::QuarantinePest,
            scientific_name: Some(name.into()),
            alive: Some(alive),
            note: None,
        }
    }

    #[test]
    fn the_rate_is_two_percent_until_two_clean_years() {
        let durian = version(ProtocolCode::DurianFresh);
        let on = day("2026-03-01");
        assert_eq!(
            required_sampling_rate(&durian, ExporterHistory::default(), on),
            Some(0.02)
        );
        let seasoned = ExporterHistory {
            first_submission: Some(day("2024-01-01")),
            last_rejection: None,
        };
        assert_eq!(required_sampling_rate(&durian, seasoned, on), Some(0.01));
        let rejected = ExporterHistory {
            last_rejection: Some(day("2025-06-01")),
            ..seasoned
        };
        assert_eq!(required_sampling_rate(&durian, rejected, on), Some(0.02));
        let long_ago = ExporterHistory {
            last_rejection: Some(day("2024-02-01")),
            ..seasoned
        };
        assert_eq!(required_sampling_rate(&durian, long_ago, on), Some(0.01));
        let too_new = ExporterHistory {
            first_submission: Some(day("2024-03-02")),
            last_rejection: None,
        };
        assert_eq!(required_sampling_rate(&durian, too_new, on), Some(0.02));
    }

    #[test]
    fn coconut_stays_at_two_percent_unless_the_operator_configures_the_reduction() {
        let seasoned = ExporterHistory {
            first_submission: Some(day("2024-01-01")),
            last_rejection: None,
        };
        let on = day("2026-03-01");
        let coconut = version(ProtocolCode::CoconutFresh);
        assert_eq!(required_sampling_rate(&coconut, seasoned, on), Some(0.02));
        let settings = ProtocolSettings {
            coconut_reduced_sampling_rate: Some(0.01),
            ..Default::default()
        };
        let configured = latest(&catalogue(&settings), ProtocolCode::CoconutFresh)
            .unwrap()
            .clone();
        assert_eq!(required_sampling_rate(&configured, seasoned, on), Some(0.01));
    }

    #[test]
    fn a_pest_off_the_list_is_recorded_like_a_listed_one() {
        let durian = version(ProtocolCode::DurianFresh);
        assert!(
            check_inspection(
                &durian,
                &body(),
                &inspection(20, vec![pest("Bactrocera correcta", false)]),
                day("2026-01-01")
            )
            .is_ok()
        );
        assert!(
            check_inspection(
                &durian,
                &body(),
                &inspection(20, vec![pest("Bactrocera dorsalis", true)]),
                day("2026-01-01")
            )
            .is_ok()
        );
    }

    #[test]
    fn an_inspection_after_the_departure_or_in_the_future_is_refused() {
        let durian = version(ProtocolCode::DurianFresh);
        let mut late = inspection(20, vec![]);
        late.inspected_on = day("2025-03-02");
        let refused = check_inspection(&durian, &body(), &late, day("2026-01-01")).unwrap_err();
        assert_eq!(
            (refused[0].pointer.as_str(), refused[0].code.as_str()),
            ("/inspected_on", "after_departure")
        );
        let refused = check_inspection(&durian, &body(), &inspection(20, vec![]), day("2025-02-27")).unwrap_err();
        assert_eq!(
            (refused[0].pointer.as_str(), refused[0].code.as_str()),
            ("/inspected_on", "in_future")
        );
    }

    #[test]
    fn frozen_durian_needs_a_core_temperature() {
        let frozen = version(ProtocolCode::DurianFrozen);
        assert_eq!(
            check_inspection(&frozen, &body(), &inspection(20, vec![]), day("2026-01-01")).unwrap_err()[0].pointer,
            "/core_temperature_c"
        );
    }

    #[test]
    fn approval_needs_an_inspection_a_clean_result_and_the_sampling_rate() {
        let body = body();
        let record = |input, rate| InspectionRecord {
            input,
            required_rate: Some(rate),
        };
        let codes = |records: &[InspectionRecord]| -> Vec<&'static str> {
            approval_blockers(&version(ProtocolCode::DurianFresh), &body, records, day("2025-02-28"))
                .into_iter()
                .map(|b| b.code)
                .collect()
        };
        assert_eq!(codes(&[]), ["no_inspection"]);
        assert!(codes(&[record(inspection(20, vec![]), 0.02)]).is_empty());
        assert_eq!(
            codes(&[record(inspection(19, vec![]), 0.02)]),
            ["sampling_rate_not_met"]
        );
        assert!(codes(&[record(inspection(10, vec![]), 0.01)]).is_empty());
        assert_eq!(
            codes(&[record(inspection(20, vec![pest("Planococcus minor", true)]), 0.02)]),
            ["blocking_finding"]
        );
        assert!(codes(&[record(inspection(20, vec![pest("Planococcus minor", false)]), 0.02)]).is_empty());
        let soil = Finding {
            kind: FindingKind::Soil,
            scientific_name: None,
            alive: None,
            note: None,
        };
        assert_eq!(codes(&[record(inspection(20, vec![soil]), 0.02)]), ["blocking_finding"]);
    }
}
