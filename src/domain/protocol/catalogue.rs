//! The protocol versions. A consignment is judged by the version in force on its planned
//! departure date; each protocol module builds its own version from the configuration.

use super::coconut::CoconutTerms;
use super::common::Gates;
use super::crocodile::CrocodileTerms;
use super::durian_labs::DurianLabTerms;
use super::edition::Edition;
use super::fresh_durian::FreshDurianTerms;
use super::frozen_durian::FrozenDurianTerms;
use super::parameter::{Parameter, PublishedParameter};
use super::plant::Sampling;
use super::rule::RuleDef;
use super::settings::ProtocolSettings;
use super::{ProtocolCode, coconut, crocodile, fresh_durian, frozen_durian};
use chrono::NaiveDate;
use serde::{Serialize, Serializer};

/// One version of one protocol: its edition and its typed parameters.
#[derive(Debug, Clone, Serialize)]
pub struct ProtocolVersion {
    #[serde(flatten)]
    pub edition: Edition,
    /// Published as the list of parameters, generated from the typed terms.
    #[serde(rename = "parameters", serialize_with = "published_parameters")]
    pub terms: Terms,
}

fn published_parameters<S: Serializer>(terms: &Terms, serializer: S) -> Result<S::Ok, S::Error> {
    terms.parameters().serialize(serializer)
}

/// The typed parameters of a version: one struct per protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum Terms {
    FreshDurian(FreshDurianTerms),
    FrozenDurian(FrozenDurianTerms),
    Coconut(CoconutTerms),
    Crocodile(CrocodileTerms),
}

impl Terms {
    /// The parameters as `GET /v1/protocols/{code}` lists them.
    pub fn parameters(&self) -> Vec<PublishedParameter> {
        match self {
            Self::FreshDurian(terms) => terms.published(),
            Self::FrozenDurian(terms) => terms.published(),
            Self::Coconut(terms) => terms.published(),
            Self::Crocodile(terms) => terms.published(),
        }
    }

    /// The rules of the protocol, their requirements stating these values.
    pub fn rules(&self) -> Vec<RuleDef> {
        match self {
            Self::FreshDurian(terms) => terms.rules(),
            Self::FrozenDurian(terms) => terms.rules(),
            Self::Coconut(terms) => terms.rules(),
            Self::Crocodile(terms) => terms.rules(),
        }
    }

    pub fn gates(&self) -> &Gates {
        match self {
            Self::FreshDurian(terms) => &terms.gates,
            Self::FrozenDurian(terms) => &terms.gates,
            Self::Coconut(terms) => &terms.gates,
            Self::Crocodile(terms) => &terms.gates,
        }
    }

    /// MARD's sampling rates, for the protocols that set them.
    pub fn sampling(&self) -> Option<&Sampling> {
        match self {
            Self::FreshDurian(terms) => Some(&terms.sampling),
            Self::Coconut(terms) => Some(&terms.sampling),
            Self::FrozenDurian(_) | Self::Crocodile(_) => None,
        }
    }

    /// The phytosanitary certificate's additional declaration (plant protocols).
    pub fn additional_declaration(&self) -> Option<&Parameter<String>> {
        match self {
            Self::FreshDurian(terms) => Some(&terms.additional_declaration),
            Self::FrozenDurian(terms) => Some(&terms.additional_declaration),
            Self::Coconut(terms) => Some(&terms.additional_declaration),
            Self::Crocodile(_) => None,
        }
    }

    /// The laboratory parameters of the durian protocols.
    pub fn durian_labs(&self) -> Option<&DurianLabTerms> {
        match self {
            Self::FreshDurian(terms) => Some(&terms.labs),
            Self::FrozenDurian(terms) => Some(&terms.labs),
            Self::Coconut(_) | Self::Crocodile(_) => None,
        }
    }
}

impl ProtocolVersion {
    pub fn rules(&self) -> Vec<RuleDef> {
        self.terms.rules()
    }
}

/// Every protocol version, oldest first within each protocol.
pub fn catalogue(settings: &ProtocolSettings) -> Vec<ProtocolVersion> {
    vec![
        ProtocolVersion {
            edition: fresh_durian::edition(),
            terms: Terms::FreshDurian(FreshDurianTerms::new(settings)),
        },
        ProtocolVersion {
            edition: frozen_durian::edition(settings),
            terms: Terms::FrozenDurian(FrozenDurianTerms::new(settings)),
        },
        ProtocolVersion {
            edition: coconut::edition(settings),
            terms: Terms::Coconut(CoconutTerms::new(settings)),
        },
        ProtocolVersion {
            edition: crocodile::edition(),
            terms: Terms::Crocodile(CrocodileTerms::new(settings)),
        },
    ]
}

/// The version of `code` in force on `date`, if any.
pub fn version_in_force(versions: &[ProtocolVersion], code: ProtocolCode, date: NaiveDate) -> Option<&ProtocolVersion> {
    versions
        .iter()
        .filter(|version| version.edition.code == code && version.edition.in_force_on(date))
        .max_by_key(|version| version.edition.version)
}

/// The latest version of `code`, for reference pages and for dates before any version.
pub fn latest(versions: &[ProtocolVersion], code: ProtocolCode) -> Option<&ProtocolVersion> {
    versions
        .iter()
        .filter(|version| version.edition.code == code)
        .max_by_key(|version| version.edition.version)
}

#[cfg(test)]
mod tests {
    use super::super::Confidence;
    use super::super::parameter::date;
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_protocol_has_a_version_and_the_uncertain_values_say_so() {
        let versions = catalogue(&ProtocolSettings::default());
        for code in ProtocolCode::VARIANTS {
            let version = latest(&versions, code).unwrap();
            assert_eq!(version.edition.code, code);
        }
        let fresh = latest(&versions, ProtocolCode::DurianFresh).unwrap();
        let labs = fresh.terms.durian_labs().unwrap();
        assert_eq!(labs.cadmium_limit.confidence, Confidence::Uncertain);
        assert_eq!(fresh.terms.sampling().unwrap().rate.confidence, Confidence::Confirmed);
        assert_eq!(fresh.edition.pests.len(), 6);
    }

    #[test]
    fn the_version_in_force_depends_on_the_date() {
        let versions = catalogue(&ProtocolSettings::default());
        assert!(version_in_force(&versions, ProtocolCode::DurianFresh, date(2022, 7, 10)).is_none());
        assert!(version_in_force(&versions, ProtocolCode::DurianFresh, date(2022, 7, 11)).is_some());
        assert!(version_in_force(&versions, ProtocolCode::CoconutFresh, date(2024, 8, 18)).is_none());
    }

    #[test]
    fn configured_values_flow_into_parameters_and_rule_texts() {
        let settings = ProtocolSettings {
            cadmium_limit_mg_per_kg: 0.1,
            extra_coconut_pests: vec!["Rhynchophorus ferrugineus".into()],
            ..Default::default()
        };
        let versions = catalogue(&settings);
        let frozen = latest(&versions, ProtocolCode::DurianFrozen).unwrap();
        assert_eq!(frozen.terms.durian_labs().unwrap().cadmium_limit.value, 0.1);
        let cadmium = frozen
            .rules()
            .into_iter()
            .find(|rule| rule.id == "DURIAN-LAB-CADMIUM")
            .unwrap();
        assert!(cadmium.requirement.contains("0.1 mg/kg"), "{}", cadmium.requirement);
        let coconut = latest(&versions, ProtocolCode::CoconutFresh).unwrap();
        assert_eq!(coconut.edition.pests.len(), 8);
        assert_eq!(coconut.edition.pests[7].confidence, Confidence::Uncertain);
    }

    #[test]
    fn rule_ids_are_unique_within_each_protocol_and_each_protocol_has_rules() {
        for version in catalogue(&ProtocolSettings::default()) {
            let rules = version.rules();
            let ids: HashSet<&str> = rules.iter().map(|rule| rule.id).collect();
            assert_eq!(ids.len(), rules.len(), "{:?}", version.edition.code);
            assert!(rules.len() >= 5, "{:?}", version.edition.code);
        }
    }

    #[test]
    fn each_parameter_is_published_once_per_version() {
        for version in catalogue(&ProtocolSettings::default()) {
            let parameters = version.terms.parameters();
            let names: HashSet<&str> = parameters.iter().map(|parameter| parameter.name).collect();
            assert_eq!(names.len(), parameters.len(), "{:?}", version.edition.code);
        }
    }
}
