//! What every protocol's check reads (the declaration, the registry facts, the version's
//! edition, the exporter and the date) and where it reports.

use super::ProtocolCode;
use super::edition::Edition;
use super::facts::{FactsOn, RegistryFacts, commodity_of};
use super::rule::{Rule, Violation};
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::establishment::{EstablishmentKind, normalize_code};
use crate::domain::registry_status::RegistryStatus;
use chrono::NaiveDate;
use uuid::Uuid;

/// Who is shipping, for code-use authorisation.
#[derive(Debug, Clone, Copy)]
pub struct Exporter {
    pub organization_id: Uuid,
}

/// What every protocol's check reads, and where it reports.
pub struct Checker<'a> {
    pub protocol: ProtocolCode,
    pub edition: &'a Edition,
    pub body: &'a ConsignmentBody,
    pub facts: &'a RegistryFacts,
    /// The registry on the other dates that matter (production, inspection, approval).
    pub other_dates: &'a [FactsOn],
    pub exporter: Exporter,
    pub as_of: NaiveDate,
    pub(super) violations: Vec<Violation>,
}

impl Checker<'_> {
    pub fn report(&mut self, rule: Rule, pointer: impl Into<String>, message: impl Into<String>) {
        self.violations.push(rule.violation(pointer, message));
    }

    /// Reports a violation built by the caller, e.g. one naming the uncertain value it rests on.
    pub fn push(&mut self, violation: Violation) {
        self.violations.push(violation);
    }

    pub fn commodity(&self) -> &'static str {
        commodity_of(self.protocol).as_str()
    }

    /// The registry as of `date`: the departure's, or that of another date that matters.
    pub fn facts_on(&self, date: NaiveDate) -> &RegistryFacts {
        self.other_dates
            .iter()
            .find(|other| other.judged.date == date)
            .map_or(self.facts, |other| &other.facts)
    }

    /// Reports when the establishment is not approved for the commodity on the departure date,
    /// or else on the first other date that matters on which it is not.
    pub fn require_approved(&mut self, rule: Rule, kind: EstablishmentKind, code: &str, pointer: String) {
        let label = kind.as_str().replace('_', " ");
        let code = normalize_code(code);
        let on_departure = self.facts.get(kind, &code).map(|fact| fact.status);
        if on_departure == Some(Some(RegistryStatus::Approved)) {
            let failing = self
                .other_dates
                .iter()
                .filter(|other| other.judged.date_of.binds_establishments())
                .find_map(|other| {
                    let status = other.facts.get(kind, &code).and_then(|fact| fact.status);
                    (status != Some(RegistryStatus::Approved)).then_some((other.judged, status))
                });
            if let Some((judged, status)) = failing {
                let status = status.map_or("not approved", |status| status.as_str());
                let message = format!(
                    "The {label} {code} is {status} for {} on {}, the {} date; it must be approved on that date too.",
                    self.commodity(),
                    judged.date,
                    judged.date_of.as_str()
                );
                self.report(rule, pointer, message);
            }
            return;
        }
        let message = match on_departure {
            None => format!(
                "The {label} code {code} is not in the registry. Use a code GACC approved for {}.",
                self.commodity()
            ),
            Some(Some(RegistryStatus::Approved)) => return,
            Some(Some(status)) => format!(
                "The {label} {code} is {} for {} on {}; it cannot be used for this departure.",
                status.as_str(),
                self.commodity(),
                self.as_of
            ),
            Some(None) => format!(
                "The {label} {code} has no approval for {} on {}.",
                self.commodity(),
                self.as_of
            ),
        };
        self.report(rule, pointer, message);
    }

    /// The exporter holds the code, or a code-use authorisation from its holder valid on the
    /// date; `unknown_holder` (when given) warns that the registry does not say who holds it.
    pub fn check_code_use(
        &mut self,
        authorized: Rule,
        unknown_holder: Option<Rule>,
        kind: EstablishmentKind,
        code: &str,
        pointer: String,
    ) {
        let Some(fact) = self.facts.get(kind, code) else { return };
        let code = normalize_code(code);
        let exporter = self.exporter.organization_id;
        match fact.holder_organization_id {
            None => {
                if let Some(rule) = unknown_holder {
                    let message = format!(
                        "The registry does not record who holds {code}; the service cannot confirm you may ship under it."
                    );
                    self.report(rule, pointer, message);
                }
            }
            Some(holder) if holder == exporter => {}
            Some(_) if fact.authorized_organization_ids.contains(&exporter) => {}
            Some(_) => {
                let message = format!(
                    "{code} belongs to another exporter and you hold no code-use authorisation valid on {}; ask the holder to notify the provincial agency in writing and record it.",
                    self.as_of
                );
                self.report(authorized, pointer, message);
            }
        }
    }
}
