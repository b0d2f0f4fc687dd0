//! The protocol versions and their parameters. A consignment is judged by the version in force
//! on its planned departure date.

use super::{Confidence, ProtocolCode};
use crate::domain::establishment::Commodity;
use chrono::NaiveDate;
use serde::Serialize;

/// A value a rule compares against, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    pub name: &'static str,
    pub value: ParameterValue,
    pub unit: Option<&'static str>,
    pub confidence: Confidence,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParameterValue {
    Number(f64),
    Date(NaiveDate),
    Text(String),
    List(Vec<String>),
}

/// A quarantine pest of concern to China.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pest {
    pub scientific_name: String,
    pub common_name: String,
    pub confidence: Confidence,
}

/// One version of one protocol.
#[derive(Debug, Clone, Serialize)]
pub struct ProtocolVersion {
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
    pub parameters: Vec<Parameter>,
}

impl ProtocolVersion {
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|parameter| parameter.name == name)
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        match self.parameter(name)?.value {
            ParameterValue::Number(value) => Some(value),
            _ => None,
        }
    }

    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.parameter(name)?.value {
            ParameterValue::Date(value) => Some(value),
            _ => None,
        }
    }

    pub fn list(&self, name: &str) -> Vec<String> {
        match self.parameter(name).map(|parameter| &parameter.value) {
            Some(ParameterValue::List(values)) => values.clone(),
            _ => Vec::new(),
        }
    }
}

/// Operator-configurable values, with the defaults the sources suggest.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolSettings {
    /// Cadmium limit for durian, mg/kg.
    pub cadmium_limit_mg_per_kg: f64,
    /// Vietnamese border gates or ports of exit for fruit (fresh durian, coconut).
    pub fruit_exit_gates: Vec<String>,
    /// Chinese ports of entry designated for fruit.
    pub fruit_entry_points: Vec<String>,
    pub frozen_exit_gates: Vec<String>,
    pub frozen_entry_points: Vec<String>,
    pub animal_exit_gates: Vec<String>,
    pub animal_entry_points: Vec<String>,
    /// Agents or diseases every crocodile must test negative for.
    pub crocodile_required_agents: Vec<String>,
    /// Coconut pests beyond the seven confirmed ones.
    pub extra_coconut_pests: Vec<String>,
}

fn names(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

impl Default for ProtocolSettings {
    fn default() -> Self {
        // Vietnamese gates and their Chinese counterparts (protocols.md §6): Huu Nghi–Youyiguan,
        // Tan Thanh–Pozhai, Kim Thanh–Hekou, Mong Cai–Dongxing, Dong Dang–Pingxiang and Lao
        // Cai–Hekou by rail, and the sea ports.
        Self {
            cadmium_limit_mg_per_kg: 0.05,
            fruit_exit_gates: names(&[
                "huu_nghi",
                "tan_thanh",
                "kim_thanh",
                "mong_cai",
                "dong_dang_rail",
                "lao_cai_rail",
                "hai_phong_port",
                "cat_lai_port",
            ]),
            fruit_entry_points: names(&[
                "youyiguan",
                "pozhai",
                "hekou",
                "dongxing",
                "pingxiang_rail",
                "hekou_rail",
                "qinzhou_port",
                "guangzhou_port",
            ]),
            frozen_exit_gates: names(&[
                "huu_nghi",
                "tan_thanh",
                "kim_thanh",
                "mong_cai",
                "hai_phong_port",
                "cat_lai_port",
            ]),
            frozen_entry_points: names(&[
                "youyiguan",
                "pozhai",
                "hekou",
                "dongxing",
                "qinzhou_port",
                "guangzhou_port",
            ]),
            animal_exit_gates: names(&["huu_nghi", "mong_cai"]),
            animal_entry_points: names(&["youyiguan", "dongxing"]),
            crocodile_required_agents: Vec::new(),
            extra_coconut_pests: Vec::new(),
        }
    }
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap_or(NaiveDate::MIN)
}

fn confirmed(name: &'static str, value: ParameterValue, unit: Option<&'static str>, source: &str) -> Parameter {
    Parameter {
        name,
        value,
        unit,
        confidence: Confidence::Confirmed,
        source: source.to_owned(),
    }
}

fn uncertain(name: &'static str, value: ParameterValue, unit: Option<&'static str>, source: &str) -> Parameter {
    Parameter {
        name,
        value,
        unit,
        confidence: Confidence::Uncertain,
        source: source.to_owned(),
    }
}

fn gates(exit: &[String], entry: &[String], class: &str) -> [Parameter; 2] {
    let source = |variable: &str| {
        format!(
            "protocols.md §1.8, §6 and §8 rule 57: GACC designates ports per commodity class; the list for {class} was not found, so it is configuration ({variable}_{})",
            class.to_ascii_uppercase()
        )
    };
    [
        uncertain(
            "exit_gates",
            ParameterValue::List(exit.to_vec()),
            None,
            &source("EXIT_GATES"),
        ),
        uncertain(
            "entry_points",
            ParameterValue::List(entry.to_vec()),
            None,
            &source("ENTRY_POINTS"),
        ),
    ]
}

/// The additional declaration for a phytosanitary certificate. The Vietnamese texts were not
/// found; this is the usual GACC pattern (protocols.md §1.6).
fn additional_declaration(product: &str) -> Parameter {
    uncertain(
        "additional_declaration",
        ParameterValue::Text(format!(
            "This consignment complies with the requirements specified in the Protocol of Phytosanitary Requirements for the Export of {product} from Vietnam to China, and is free from any quarantine pests of concern to China."
        )),
        None,
        "protocols.md §1.6: the wording for Vietnam was not found; this is the usual GACC pattern, to verify with PPD",
    )
}

fn durian_lab_parameters(settings: &ProtocolSettings) -> Vec<Parameter> {
    vec![
        confirmed(
            "lab_tests_required_from",
            ParameterValue::Date(date("2025-01-10")),
            None,
            "protocols.md §1.9: GACC measure of 8 Jan 2025, effective 10 Jan 2025 (cadmium and Auramine O reports from recognised labs)",
        ),
        uncertain(
            "cadmium_limit",
            ParameterValue::Number(settings.cadmium_limit_mg_per_kg),
            Some("mg/kg"),
            "protocols.md §1.9: GB 2762 fresh-fruit row recalled as 0.05 mg/kg, not verified (CADMIUM_LIMIT_MG_PER_KG)",
        ),
    ]
}

const DURIAN_PESTS: [(&str, &str); 6] = [
    ("Bactrocera correcta", "guava fruit fly"),
    ("Dysmicoccus neobrevipes", "gray pineapple mealybug"),
    ("Planococcus minor", "passionvine mealybug"),
    ("Planococcus lilacinus", "coffee mealybug"),
    ("Pseudococcus jackbeardsleyi", "Jack Beardsley mealybug"),
    ("Exallomochlus hispidus", "cocoa mealybug"),
];

const COCONUT_PESTS: [(&str, &str); 7] = [
    ("Aleurodicus dispersus", "spiralling whitefly"),
    ("Aulacaspis tubercularis", "mango white scale"),
    ("Brontispa longissima", "coconut leaf beetle"),
    ("Coptotermes curvignathus", "termite"),
    ("Dysmicoccus lepelleyi", "mealybug"),
    ("Dysmicoccus neobrevipes", "gray pineapple mealybug"),
    ("Milviscutulus mangiferae", "mango shield scale"),
];

fn pests(list: &[(&'static str, &'static str)]) -> Vec<Pest> {
    list.iter()
        .map(|(scientific_name, common_name)| Pest {
            scientific_name: (*scientific_name).to_owned(),
            common_name: (*common_name).to_owned(),
            confidence: Confidence::Confirmed,
        })
        .collect()
}

/// Every protocol version, oldest first within each protocol.
pub fn catalogue(settings: &ProtocolSettings) -> Vec<ProtocolVersion> {
    let mut coconut_pests = pests(&COCONUT_PESTS);
    for extra in &settings.extra_coconut_pests {
        coconut_pests.push(Pest {
            scientific_name: extra.clone(),
            common_name: String::new(),
            confidence: Confidence::Uncertain,
        });
    }
    let mut fresh = vec![
        confirmed(
            "sampling_rate",
            ParameterValue::Number(0.02),
            Some("fraction of units"),
            "protocols.md §1.6: MARD inspects 2% of each consignment",
        ),
        confirmed(
            "reduced_sampling_rate",
            ParameterValue::Number(0.01),
            Some("fraction of units"),
            "protocols.md §1.6: 1% after two years without a phytosanitary problem",
        ),
    ];
    fresh.push(additional_declaration("Fresh Durian"));
    fresh.extend(gates(&settings.fruit_exit_gates, &settings.fruit_entry_points, "fruit"));
    fresh.extend(durian_lab_parameters(settings));
    let mut frozen = vec![
        confirmed(
            "freezing_medium_max_c",
            ParameterValue::Number(-35.0),
            Some("°C"),
            "protocols.md §2.1: freezing at −35 °C or lower",
        ),
        confirmed(
            "freezing_min_minutes",
            ParameterValue::Number(60.0),
            Some("min"),
            "protocols.md §2.1: for at least 1 hour",
        ),
        confirmed(
            "core_max_c",
            ParameterValue::Number(-18.0),
            Some("°C"),
            "protocols.md §2.1: core at −18 °C or lower, kept so in storage and transport (CAC/RCP 8-1976)",
        ),
        confirmed(
            "product_forms",
            ParameterValue::List(names(&[
                "whole_with_shell",
                "puree_without_shell",
                "pulp_without_shell",
            ])),
            None,
            "protocols.md §2.1: whole fruit with shell, puree or paste, pulp or flesh",
        ),
    ];
    frozen.extend(gates(
        &settings.frozen_exit_gates,
        &settings.frozen_entry_points,
        "frozen",
    ));
    frozen.push(additional_declaration("Frozen Durian"));
    frozen.extend(durian_lab_parameters(settings));
    vec![
        ProtocolVersion {
            code: ProtocolCode::DurianFresh,
            version: 1,
            title: "Phytosanitary requirements for fresh durian exported from Vietnam to China",
            commodity: Commodity::Durian,
            effective_from: date("2022-07-11"),
            effective_until: None,
            scientific_names: vec!["Durio zibethinus", "Durio zibethinus Murr."],
            pests: pests(&DURIAN_PESTS),
            source: "GACC Announcement 66/2022 (protocols.md §1)",
            parameters: fresh,
        },
        ProtocolVersion {
            code: ProtocolCode::DurianFrozen,
            version: 1,
            title: "Plant quarantine and food safety requirements for frozen durian exported from Vietnam to China",
            commodity: Commodity::Durian,
            effective_from: date("2024-08-19"),
            effective_until: None,
            scientific_names: vec!["Durio zibethinus", "Durio zibethinus Murr."],
            pests: pests(&DURIAN_PESTS),
            source: "Protocol of 19 Aug 2024 (protocols.md §2)",
            parameters: frozen,
        },
        ProtocolVersion {
            code: ProtocolCode::CoconutFresh,
            version: 1,
            title: "Phytosanitary requirements for fresh coconut exported from Vietnam to China",
            commodity: Commodity::Coconut,
            effective_from: date("2024-08-19"),
            effective_until: None,
            scientific_names: vec!["Cocos nucifera", "Cocos nucifera L."],
            pests: coconut_pests,
            source: "Protocol of 19 Aug 2024 and GACC announcement (protocols.md §3)",
            parameters: vec![
                confirmed(
                    "max_stalk_length_cm",
                    ParameterValue::Number(5.0),
                    Some("cm"),
                    "protocols.md §3.1: green coconut with a stalk ≤ 5 cm",
                ),
                confirmed(
                    "sampling_rate",
                    ParameterValue::Number(0.02),
                    Some("fraction of units"),
                    "protocols.md §3.5: MARD samples 2% of each consignment",
                ),
                uncertain(
                    "reduced_sampling_rate",
                    ParameterValue::Number(0.01),
                    Some("fraction of units"),
                    "protocols.md §3.5: whether coconut drops to 1% after two clean years is not confirmed (the durian protocol has this clause)",
                ),
                uncertain(
                    "pest_list_complete",
                    ParameterValue::Text("no".into()),
                    None,
                    "protocols.md §3.4: only the first 7 of the GACC list were readable; add the rest with EXTRA_COCONUT_PESTS",
                ),
                confirmed(
                    "product_forms",
                    ParameterValue::List(names(&["green_with_stalk", "dehusked"])),
                    None,
                    "protocols.md §3.1: green coconut with a stalk ≤ 5 cm, and dehusked coconut",
                ),
                additional_declaration("Fresh Coconut"),
            ]
            .into_iter()
            .chain(gates(&settings.fruit_exit_gates, &settings.fruit_entry_points, "fruit"))
            .collect(),
        },
        ProtocolVersion {
            code: ProtocolCode::CrocodileFarmed,
            version: 1,
            title: "Quarantine and health requirements for farmed crocodiles exported from Vietnam to China",
            commodity: Commodity::Crocodile,
            effective_from: date("2024-08-19"),
            effective_until: None,
            scientific_names: vec!["Crocodylus siamensis", "Crocodylus porosus"],
            pests: Vec::new(),
            source: "Protocol of 19 Aug 2024 (protocols.md §4)",
            parameters: vec![
                uncertain(
                    "required_agents",
                    ParameterValue::List(settings.crocodile_required_agents.clone()),
                    None,
                    "protocols.md §4.3: the protocol sets disease tests but the list was not found (CROCODILE_REQUIRED_AGENTS)",
                ),
            ]
            .into_iter()
            .chain(gates(&settings.animal_exit_gates, &settings.animal_entry_points, "animal"))
            .collect(),
        },
    ]
}

/// The version of `code` in force on `date`, if any.
pub fn version_in_force(versions: &[ProtocolVersion], code: ProtocolCode, date: NaiveDate) -> Option<&ProtocolVersion> {
    versions
        .iter()
        .filter(|version| version.code == code)
        .filter(|version| version.effective_until.is_none_or(|until| date <= until))
        .filter(|version| version.effective_from <= date)
        .max_by_key(|version| version.version)
}

/// The latest version of `code`, for reference pages and for dates before any version.
pub fn latest(versions: &[ProtocolVersion], code: ProtocolCode) -> Option<&ProtocolVersion> {
    versions
        .iter()
        .filter(|version| version.code == code)
        .max_by_key(|version| version.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_has_a_version_and_the_uncertain_values_say_so() {
        let versions = catalogue(&ProtocolSettings::default());
        for code in ProtocolCode::VARIANTS {
            assert!(latest(&versions, code).is_some(), "{code:?}");
        }
        let fresh = latest(&versions, ProtocolCode::DurianFresh).unwrap();
        assert_eq!(
            fresh.parameter("cadmium_limit").unwrap().confidence,
            Confidence::Uncertain
        );
        assert_eq!(
            fresh.parameter("sampling_rate").unwrap().confidence,
            Confidence::Confirmed
        );
        assert_eq!(fresh.pests.len(), 6);
    }

    #[test]
    fn the_version_in_force_depends_on_the_date() {
        let versions = catalogue(&ProtocolSettings::default());
        assert!(version_in_force(&versions, ProtocolCode::DurianFresh, date("2022-07-10")).is_none());
        assert!(version_in_force(&versions, ProtocolCode::DurianFresh, date("2022-07-11")).is_some());
        assert!(version_in_force(&versions, ProtocolCode::CoconutFresh, date("2024-08-18")).is_none());
    }

    #[test]
    fn configured_values_flow_into_parameters() {
        let settings = ProtocolSettings {
            cadmium_limit_mg_per_kg: 0.1,
            extra_coconut_pests: vec!["Rhynchophorus ferrugineus".into()],
            ..Default::default()
        };
        let versions = catalogue(&settings);
        assert_eq!(
            latest(&versions, ProtocolCode::DurianFrozen)
                .unwrap()
                .number("cadmium_limit"),
            Some(0.1)
        );
        let coconut = latest(&versions, ProtocolCode::CoconutFresh).unwrap();
        assert_eq!(coconut.pests.len(), 8);
        assert_eq!(coconut.pests[7].confidence, Confidence::Uncertain);
    }
}
