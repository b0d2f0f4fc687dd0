//! What identifies one version of a protocol: its code and number, title, commodity, when it
//! is in force, the product's scientific names, the quarantine pests and the source. Each
//! protocol module writes its own; the catalogue pairs it with the typed parameters.

use super::ProtocolCode;
use super::parameter::Pest;
use crate::domain::establishment::Commodity;
use chrono::NaiveDate;
use serde::Serialize;

/// How long a protocol runs, where a source says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// The last day of the known term.
    pub until: NaiveDate,
    pub source: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edition {
    pub code: ProtocolCode,
    pub version: u32,
    pub title: &'static str,
    pub commodity: Commodity,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    /// Scientific names accepted for the product (first is canonical).
    pub scientific_names: Vec<&'static str>,
    pub pests: Vec<Pest>,
    pub source: &'static str,
    /// The known term; a departure after it is a warning (the protocol may have been renewed).
    pub term: Option<Term>,
}

impl Edition {
    /// Whether a departure on `date` falls within this version's term.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_until.is_none_or(|until| date <= until)
    }
}
