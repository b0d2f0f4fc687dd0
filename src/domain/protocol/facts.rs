//! What the registry says about the establishments a consignment names, as of one date. The
//! shell loads these live at check time; the rules only read them.

use super::ProtocolCode;
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::establishment::{Commodity, EstablishmentKind, LabScope, normalize_code};
use crate::domain::registry_status::RegistryStatus;
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// One registered establishment as of the check date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EstablishmentFact {
    /// Status for the consignment's commodity on the date; `None` when no period covers it.
    pub status: Option<RegistryStatus>,
    pub holder_organization_id: Option<Uuid>,
    /// Exporters holding a code-use authorisation valid on the date.
    pub authorized_organization_ids: Vec<Uuid>,
    pub scopes: BTreeSet<LabScope>,
}

/// The registry facts a check reads.
#[derive(Debug, Clone, Default)]
pub struct RegistryFacts {
    entries: HashMap<(EstablishmentKind, String), EstablishmentFact>,
}

impl RegistryFacts {
    pub fn insert(&mut self, kind: EstablishmentKind, code: &str, fact: EstablishmentFact) {
        self.entries.insert((kind, normalize_code(code)), fact);
    }

    /// `None` when the code is not registered under this kind at all.
    pub fn get(&self, kind: EstablishmentKind, code: &str) -> Option<&EstablishmentFact> {
        self.entries.get(&(kind, normalize_code(code)))
    }
}

/// The commodity whose status counts for a protocol.
pub fn commodity_of(protocol: ProtocolCode) -> Commodity {
    match protocol {
        ProtocolCode::DurianFresh | ProtocolCode::DurianFrozen => Commodity::Durian,
        ProtocolCode::CoconutFresh => Commodity::Coconut,
        ProtocolCode::CrocodileFarmed => Commodity::Crocodile,
    }
}

/// Every (kind, normalised code) the body names, for the shell to load.
pub fn referenced_codes(body: &ConsignmentBody) -> BTreeSet<(EstablishmentKind, String)> {
    let mut codes = BTreeSet::new();
    for lot in &body.lots {
        codes.insert((EstablishmentKind::Orchard, normalize_code(&lot.orchard_code)));
        codes.insert((EstablishmentKind::PackingHouse, normalize_code(&lot.packing_house_code)));
    }
    for report in &body.lab_reports {
        codes.insert((EstablishmentKind::Laboratory, normalize_code(&report.laboratory_code)));
    }
    if let Some(frozen) = &body.frozen_durian {
        codes.insert((
            EstablishmentKind::ProcessingPlant,
            normalize_code(&frozen.processing_plant_code),
        ));
        for code in &frozen.raw_material_orchard_codes {
            codes.insert((EstablishmentKind::Orchard, normalize_code(code)));
        }
    }
    if let Some(crocodiles) = &body.crocodiles {
        for animal in &crocodiles.animals {
            codes.insert((EstablishmentKind::CrocodileFarm, normalize_code(&animal.farm_code)));
        }
    }
    codes
}

/// The date registry statuses are read for first: the planned departure.
pub fn as_of(body: &ConsignmentBody) -> NaiveDate {
    body.planned_departure_date
}

/// What happens on a date the registry is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOf {
    /// Frozen durian is frozen: its plant and orchards must be approved.
    Production,
    /// An inspector inspects: every establishment must be approved.
    Inspection,
    /// The certificate is issued: every establishment must be approved.
    Approval,
    /// A laboratory sample is taken: the laboratory must be recognised.
    LabSample,
}

impl DateOf {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Inspection => "inspection",
            Self::Approval => "approval",
            Self::LabSample => "lab sample",
        }
    }

    /// Whether every establishment the declaration names must be approved that day (a lab
    /// sample date concerns only the laboratory).
    pub fn binds_establishments(self) -> bool {
        !matches!(self, Self::LabSample)
    }
}

/// Another date the protocol names on which the registry is judged too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JudgedDate {
    pub date: NaiveDate,
    pub date_of: DateOf,
}

/// The registry as of one such date.
#[derive(Debug, Clone)]
pub struct FactsOn {
    pub judged: JudgedDate,
    pub facts: RegistryFacts,
}

/// The dates the declaration itself names besides the departure: the production (freezing)
/// date of frozen durian, on which its processing plant and raw-material orchards must be
/// approved too (protocols.md §8 rule 8), and each laboratory sample's date, on which its
/// laboratory must be recognised.
pub fn declared_dates(body: &ConsignmentBody) -> Vec<JudgedDate> {
    let production = body
        .frozen_durian
        .as_ref()
        .and_then(|frozen| frozen.production_date)
        .map(|date| JudgedDate {
            date,
            date_of: DateOf::Production,
        });
    let samples = body.lab_reports.iter().map(|report| JudgedDate {
        date: report.sample_date,
        date_of: DateOf::LabSample,
    });
    production
        .into_iter()
        .chain(samples)
        .filter(|judged| judged.date != body.planned_departure_date)
        .collect()
}
