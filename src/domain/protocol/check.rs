//! The compliance check: the version in force on the departure date, the common rules, then the
//! rules of the consignment's protocol (each in its own module). Every violation is reported,
//! not only the first.

use super::ProtocolCode;
use super::catalogue::{ProtocolVersion, Terms, latest, version_in_force};
use super::checker::Checker;
pub use super::checker::Exporter;
use super::facts::{FactsOn, RegistryFacts};
use super::rule::{Severity, Violation};
use super::{coconut, common, crocodile, durian_labs, fresh_durian, frozen_durian, plant};
use crate::domain::consignment::model::ConsignmentBody;
use chrono::NaiveDate;
use serde::Serialize;

/// The outcome of a check.
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    pub protocol: ProtocolCode,
    pub protocol_version: u32,
    /// The date registry statuses and time-bound rules were judged for.
    pub as_of: NaiveDate,
    /// No error-level violation.
    pub compliant: bool,
    pub errors: usize,
    pub warnings: usize,
    pub violations: Vec<Violation>,
}

/// Judges `body` (whose protocol is `protocol`) against the version in force on its departure
/// date, reading registry facts as of that date.
pub fn check(
    versions: &[ProtocolVersion],
    protocol: ProtocolCode,
    body: &ConsignmentBody,
    facts: &RegistryFacts,
    exporter: Exporter,
) -> Option<ComplianceReport> {
    check_on_dates(versions, protocol, body, facts, &[], exporter)
}

/// As `check`, with the registry also read on the other dates that matter: an establishment
/// must be approved on each.
pub fn check_on_dates(
    versions: &[ProtocolVersion],
    protocol: ProtocolCode,
    body: &ConsignmentBody,
    facts: &RegistryFacts,
    other_dates: &[FactsOn],
    exporter: Exporter,
) -> Option<ComplianceReport> {
    let as_of = body.planned_departure_date;
    let version = version_in_force(versions, protocol, as_of).or_else(|| latest(versions, protocol))?;
    let mut checker = Checker {
        protocol,
        edition: &version.edition,
        body,
        facts,
        other_dates,
        exporter,
        as_of,
        violations: Vec::new(),
    };
    common::check(&mut checker, version.terms.gates());
    match &version.terms {
        Terms::FreshDurian(terms) => {
            fresh_durian::check(&mut checker);
            plant::check(&mut checker);
            plant::check_labels(&mut checker);
            durian_labs::check(&mut checker, &terms.labs);
        }
        Terms::FrozenDurian(terms) => {
            plant::check(&mut checker);
            durian_labs::check(&mut checker, &terms.labs);
            frozen_durian::check(&mut checker, terms);
        }
        Terms::Coconut(terms) => {
            plant::check(&mut checker);
            plant::check_labels(&mut checker);
            coconut::check(&mut checker, terms);
        }
        Terms::Crocodile(terms) => crocodile::check(&mut checker, terms),
    }
    let violations = checker.violations;
    let errors = violations.iter().filter(|v| v.severity == Severity::Error).count();
    Some(ComplianceReport {
        protocol,
        protocol_version: version.edition.version,
        as_of,
        compliant: errors == 0,
        errors,
        warnings: violations.len() - errors,
        violations,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn the_baselines_of_all_four_protocols_are_compliant() {
        for body in [fresh(), frozen(), coconut(), crocodile()] {
            let report = run(&body, &facts());
            assert!(
                report.violations.is_empty(),
                "{}: {:?}",
                body.protocol,
                report.violations
            );
            assert!(report.compliant);
        }
    }

    #[test]
    fn every_violation_is_reported_not_only_the_first() {
        let mut body = fresh();
        body.consignee.country = "TH".into();
        body.entry_point = "nowhere".into();
        body.lots[0].orchard_code = "VN-XXOR-0000".into();
        let report = run(&body, &facts());
        assert!(
            report.errors >= 3 && report.violations.len() >= 4,
            "{:?}",
            report.violations
        );
        assert!(!report.compliant);
    }
}
