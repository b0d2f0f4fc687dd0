//! The compliance check: every rule of the consignment's protocol, every violation reported.

use super::ProtocolCode;
use super::catalogue::{ProtocolVersion, latest, version_in_force};
use super::facts::{RegistryFacts, commodity_of};
use super::rules::{self as r, RuleDef, Severity, Violation};
use crate::domain::consignment::model::{
    Analyte, CoconutForm, ConsignmentBody, FrozenForm, LabReport, Matrix, TestResult,
};
use crate::domain::establishment::{EstablishmentKind, LabScope, normalize_code};
use crate::domain::registry_status::RegistryStatus;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

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

/// Who is shipping, for code-use authorisation.
#[derive(Debug, Clone, Copy)]
pub struct Exporter {
    pub organization_id: Uuid,
}

struct Checker<'a> {
    protocol: ProtocolCode,
    version: &'a ProtocolVersion,
    body: &'a ConsignmentBody,
    facts: &'a RegistryFacts,
    exporter: Exporter,
    as_of: NaiveDate,
    violations: Vec<Violation>,
}

impl Checker<'_> {
    fn report(&mut self, rule: &RuleDef, pointer: impl Into<String>, message: impl Into<String>) {
        if rule.applies_to(self.protocol) {
            self.violations.push(rule.violation(pointer, message));
        }
    }

    fn commodity(&self) -> &'static str {
        commodity_of(self.protocol).as_str()
    }

    /// Reports when the establishment is not approved for the commodity on the date.
    fn require_approved(&mut self, rule: &RuleDef, kind: EstablishmentKind, code: &str, pointer: String) {
        let label = kind.as_str().replace('_', " ");
        let code = normalize_code(code);
        let message = match self.facts.get(kind, &code).map(|fact| fact.status) {
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

    fn check_common(&mut self) {
        if version_in_force(std::slice::from_ref(self.version), self.protocol, self.as_of).is_none() {
            let message = format!(
                "{} applies to departures from {}; this consignment is planned to leave on {}.",
                self.version.title, self.version.effective_from, self.as_of
            );
            self.report(&r::PROTOCOL_IN_FORCE, "/planned_departure_date", message);
        }
        let foreign_blocks = [
            (
                "/frozen_durian",
                self.body.frozen_durian.is_some(),
                ProtocolCode::DurianFrozen,
            ),
            ("/coconut", self.body.coconut.is_some(), ProtocolCode::CoconutFresh),
            (
                "/crocodiles",
                self.body.crocodiles.is_some(),
                ProtocolCode::CrocodileFarmed,
            ),
        ];
        for (pointer, present, owner) in foreign_blocks {
            if present && owner != self.protocol {
                self.report(
                    &r::PROTOCOL_FIELDS,
                    pointer,
                    format!("These details belong to {}; remove them.", owner.as_str()),
                );
            }
        }
        if !self.protocol.is_plant() {
            let plant_fields = [
                ("/lots", !self.body.lots.is_empty()),
                ("/lab_reports", !self.body.lab_reports.is_empty()),
                ("/botanical_name", self.body.botanical_name.is_some()),
            ];
            for (pointer, present) in plant_fields {
                if present {
                    self.report(
                        &r::PROTOCOL_FIELDS,
                        pointer,
                        "Plant-product details do not apply to crocodiles; remove them.",
                    );
                }
            }
        }
        if !self.body.consignee.country.eq_ignore_ascii_case("CN") {
            self.report(
                &r::CONSIGNEE_IN_CHINA,
                "/consignee/country",
                "The consignee must be in China: set country to CN.",
            );
        }
        let exit_gates = self.version.list("exit_gates");
        if !exit_gates
            .iter()
            .any(|gate| gate.eq_ignore_ascii_case(self.body.exit_border_gate.trim()))
        {
            let message = format!(
                "{} is not a border gate of exit for this product; use one of: {}.",
                self.body.exit_border_gate,
                exit_gates.join(", ")
            );
            self.report(&r::EXIT_GATE, "/exit_border_gate", message);
        }
        let entry_points = self.version.list("entry_points");
        if !entry_points
            .iter()
            .any(|point| point.eq_ignore_ascii_case(self.body.entry_point.trim()))
        {
            let message = format!(
                "{} is not a designated point of entry for this product; use one of: {}.",
                self.body.entry_point,
                entry_points.join(", ")
            );
            self.report(&r::ENTRY_POINT, "/entry_point", message);
        }
        if self.body.import_permit_number.is_none() {
            self.report(
                &r::IMPORT_PERMIT,
                "/import_permit_number",
                "Give the Chinese import quarantine permit number.",
            );
        }
    }

    fn check_plant(&mut self) {
        if !self.protocol.is_plant() {
            return;
        }
        let declared = self
            .body
            .botanical_name
            .as_deref()
            .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "));
        match declared {
            None => self.report(
                &r::BOTANICAL_NAME,
                "/botanical_name",
                format!("Give the botanical name: {}.", self.scientific_name()),
            ),
            Some(name)
                if !self
                    .version
                    .scientific_names
                    .iter()
                    .any(|accepted| accepted.eq_ignore_ascii_case(&name)) =>
            {
                let message = format!(
                    "{name} is not the product of this protocol; it must be {}.",
                    self.scientific_name()
                );
                self.report(&r::BOTANICAL_NAME, "/botanical_name", message);
            }
            Some(_) => {}
        }
        if self.body.lots.is_empty() {
            self.report(
                &r::LOTS_PRESENT,
                "/lots",
                "Declare at least one lot with its orchard and packing-house codes.",
            );
        }
        let lots = self.body.lots.clone();
        let mut seen_codes = HashSet::new();
        for (index, lot) in lots.iter().enumerate() {
            self.require_approved(
                &r::ORCHARD_APPROVED,
                EstablishmentKind::Orchard,
                &lot.orchard_code,
                format!("/lots/{index}/orchard_code"),
            );
            self.require_approved(
                &r::PACKING_HOUSE_APPROVED,
                EstablishmentKind::PackingHouse,
                &lot.packing_house_code,
                format!("/lots/{index}/packing_house_code"),
            );
            for (kind, code, field) in [
                (EstablishmentKind::Orchard, &lot.orchard_code, "orchard_code"),
                (
                    EstablishmentKind::PackingHouse,
                    &lot.packing_house_code,
                    "packing_house_code",
                ),
            ] {
                if seen_codes.insert((kind, normalize_code(code))) {
                    self.check_code_use(kind, code, format!("/lots/{index}/{field}"));
                }
            }
        }
        self.check_labels();
        self.check_labs();
    }

    fn scientific_name(&self) -> &'static str {
        self.version.scientific_names.first().copied().unwrap_or_default()
    }

    fn check_code_use(&mut self, kind: EstablishmentKind, code: &str, pointer: String) {
        let Some(fact) = self.facts.get(kind, code) else { return };
        let code = normalize_code(code);
        match fact.holder_organization_id {
            None => {
                let message = format!(
                    "The registry does not record who holds {code}; the service cannot confirm you may ship under it."
                );
                self.report(&r::CODE_HOLDER_UNKNOWN, pointer, message);
            }
            Some(holder) if holder == self.exporter.organization_id => {}
            Some(_)
                if fact
                    .authorized_organization_ids
                    .contains(&self.exporter.organization_id) => {}
            Some(_) => {
                let message = format!(
                    "{code} belongs to another exporter and you hold no code-use authorisation valid on {}; ask the holder to notify the provincial agency in writing and record it.",
                    self.as_of
                );
                self.report(&r::CODE_USE_AUTHORIZED, pointer, message);
            }
        }
    }

    fn check_labels(&mut self) {
        let squeeze = |text: &str| normalize_code(text);
        match self.body.carton_label.as_deref() {
            None => self.report(
                &r::CARTON_LABEL,
                "/carton_label",
                "Give the carton label text as printed.",
            ),
            Some(label) => {
                let printed = squeeze(label);
                let lower = label.to_lowercase();
                if !["vietnam", "viet nam", "việt nam", "越南"]
                    .iter()
                    .any(|origin| lower.contains(origin))
                {
                    self.report(
                        &r::CARTON_LABEL,
                        "/carton_label",
                        "The carton label must name the country of origin: Vietnam.",
                    );
                }
                let mut missing = BTreeSet::new();
                for lot in &self.body.lots {
                    for code in [&lot.orchard_code, &lot.packing_house_code] {
                        if !printed.contains(&squeeze(code)) {
                            missing.insert(squeeze(code));
                        }
                    }
                }
                for code in missing {
                    let message = format!(
                        "The carton label does not show {code}; print the orchard and packing-house codes of every lot."
                    );
                    self.report(&r::CARTON_LABEL, "/carton_label", message);
                }
            }
        }
        let marking = self.body.pallet_marking.as_deref().unwrap_or_default();
        let english = marking
            .to_lowercase()
            .replace('’', "'")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !english.contains("exported to the people's republic of china") && !marking.contains("输往中华人民共和国")
        {
            let message = "The pallet marking must read \"Exported to the People's Republic of China\" or \"输往中华人民共和国\".";
            self.report(&r::PALLET_MARKING, "/pallet_marking", message);
        }
    }

    fn lab_recognised(&self, report: &LabReport) -> bool {
        let scope = match report.analyte {
            Analyte::Cadmium => LabScope::Cadmium,
            Analyte::AuramineO => LabScope::AuramineO,
        };
        self.facts
            .get(EstablishmentKind::Laboratory, &report.laboratory_code)
            .is_some_and(|fact| fact.status == Some(RegistryStatus::Approved) && fact.scopes.contains(&scope))
    }

    fn check_labs(&mut self) {
        if !matches!(self.protocol, ProtocolCode::DurianFresh | ProtocolCode::DurianFrozen) {
            return;
        }
        let reports = self.body.lab_reports.clone();
        let lot_count = self.body.lots.len();
        for (index, report) in reports.iter().enumerate() {
            for (position, lot) in report.lots.iter().enumerate() {
                if *lot >= lot_count {
                    let message = format!(
                        "Lot {lot} does not exist; lots are numbered from 0 to {}.",
                        lot_count.saturating_sub(1)
                    );
                    self.report(
                        &r::LAB_REPORT_LOTS,
                        format!("/lab_reports/{index}/lots/{position}"),
                        message,
                    );
                }
            }
            if !self.lab_recognised(report) {
                let message = format!(
                    "Laboratory {} is not recognised for {} on {}; use a GACC-recognised laboratory.",
                    normalize_code(&report.laboratory_code),
                    analyte_name(report.analyte),
                    self.as_of
                );
                self.report(
                    &r::LAB_RECOGNISED,
                    format!("/lab_reports/{index}/laboratory_code"),
                    message,
                );
            }
        }
        let required_from = self.version.date("lab_tests_required_from");
        if required_from.is_some_and(|from| self.as_of < from) {
            return;
        }
        self.check_cadmium(&reports);
        self.check_auramine(&reports);
    }

    fn check_cadmium(&mut self, reports: &[LabReport]) {
        let limit = self.version.number("cadmium_limit").unwrap_or(f64::MAX);
        let mut covered = vec![false; self.body.lots.len()];
        for (index, report) in reports
            .iter()
            .enumerate()
            .filter(|(_, report)| report.analyte == Analyte::Cadmium)
        {
            let value = match (report.value, report.unit.as_deref().map(str::trim)) {
                (Some(value), Some("mg/kg")) => value,
                (Some(value), Some("µg/kg" | "ug/kg" | "μg/kg")) => value / 1000.0,
                (Some(_), _) => {
                    self.report(
                        &r::LAB_CADMIUM,
                        format!("/lab_reports/{index}/unit"),
                        "Give the cadmium result in mg/kg or µg/kg.",
                    );
                    continue;
                }
                (None, _) => {
                    self.report(
                        &r::LAB_CADMIUM,
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
                self.report(&r::LAB_CADMIUM, format!("/lab_reports/{index}/value"), message);
                continue;
            }
            if self.lab_recognised(report) {
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
                self.report(&r::LAB_CADMIUM, format!("/lots/{lot}"), message);
            }
        }
    }

    fn check_auramine(&mut self, reports: &[LabReport]) {
        // Shell-less frozen durian has no peel: the flesh (or pulp) is what is tested.
        let shell_less = matches!(
            self.body.frozen_durian.as_ref().map(|frozen| frozen.product_form),
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
                    if self.lab_recognised(report) {
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
                    self.report(&r::LAB_AURAMINE_O, format!("/lab_reports/{index}/detected"), message);
                }
                None => {
                    let message = "An Auramine O report must say whether it was detected (detected: true or false).";
                    self.report(&r::LAB_AURAMINE_O, format!("/lab_reports/{index}/detected"), message);
                }
            }
        }
        let required: &[&str] = if shell_less { &["flesh"] } else { &["peel", "flesh"] };
        for lot in 0..self.body.lots.len() {
            let have = negative.get(&lot).cloned().unwrap_or_default();
            let missing: Vec<&str> = required.iter().copied().filter(|part| !have.contains(part)).collect();
            if !missing.is_empty() {
                let message = format!(
                    "Lot {lot} lacks a recognised laboratory's \"not detected\" Auramine O result for: {}.",
                    missing.join(" and ")
                );
                self.report(&r::LAB_AURAMINE_O, format!("/lots/{lot}"), message);
            }
        }
    }

    fn check_frozen(&mut self) {
        if self.protocol != ProtocolCode::DurianFrozen {
            return;
        }
        let Some(frozen) = self.body.frozen_durian.clone() else {
            let message = "Give the frozen-durian details: product form, processing plant, raw-material orchards, freezing record and cold-chain log.";
            self.report(&r::FROZEN_DETAILS, "/frozen_durian", message);
            return;
        };
        self.require_approved(
            &r::FROZEN_PLANT_APPROVED,
            EstablishmentKind::ProcessingPlant,
            &frozen.processing_plant_code,
            "/frozen_durian/processing_plant_code".into(),
        );
        for (index, code) in frozen.raw_material_orchard_codes.iter().enumerate() {
            self.require_approved(
                &r::FROZEN_RAW_MATERIAL,
                EstablishmentKind::Orchard,
                code,
                format!("/frozen_durian/raw_material_orchard_codes/{index}"),
            );
        }
        let medium_max = self.version.number("freezing_medium_max_c").unwrap_or(-35.0);
        let minutes = self.version.number("freezing_min_minutes").unwrap_or(60.0);
        let core_max = self.version.number("core_max_c").unwrap_or(-18.0);
        let freezing = &frozen.freezing;
        if freezing.medium_temperature_c > medium_max {
            let message = format!(
                "Freezing must be at {medium_max} °C or lower; the record shows {} °C.",
                freezing.medium_temperature_c
            );
            self.report(
                &r::FREEZING_MEDIUM,
                "/frozen_durian/freezing/medium_temperature_c",
                message,
            );
        }
        if freezing.duration_minutes < minutes {
            let message = format!(
                "Freezing must last at least {minutes} minutes; the record shows {}.",
                freezing.duration_minutes
            );
            self.report(
                &r::FREEZING_DURATION,
                "/frozen_durian/freezing/duration_minutes",
                message,
            );
        }
        if freezing.core_temperature_c > core_max {
            let message = format!(
                "The core must reach {core_max} °C or lower; the record shows {} °C.",
                freezing.core_temperature_c
            );
            self.report(&r::FREEZING_CORE, "/frozen_durian/freezing/core_temperature_c", message);
        }
        if frozen.cold_chain.is_empty() {
            let message = "Give the cold-chain temperature log from freezing to the border.";
            self.report(&r::COLD_CHAIN, "/frozen_durian/cold_chain", message);
        }
        for (index, reading) in frozen.cold_chain.iter().enumerate() {
            if reading.temperature_c > core_max {
                let message = format!(
                    "At {} the product was at {} °C; it must stay at {core_max} °C or lower throughout storage and transport.",
                    reading.at.to_rfc3339(),
                    reading.temperature_c
                );
                self.report(
                    &r::COLD_CHAIN,
                    format!("/frozen_durian/cold_chain/{index}/temperature_c"),
                    message,
                );
            }
        }
    }

    fn check_coconut(&mut self) {
        if self.protocol != ProtocolCode::CoconutFresh {
            return;
        }
        let Some(coconut) = self.body.coconut.clone() else {
            self.report(
                &r::COCONUT_DETAILS,
                "/coconut",
                "Say whether the coconuts are green with stalk or dehusked.",
            );
            return;
        };
        let max = self.version.number("max_stalk_length_cm").unwrap_or(5.0);
        if coconut.form == CoconutForm::GreenWithStalk {
            match coconut.max_stalk_length_cm {
                None => self.report(
                    &r::COCONUT_STALK,
                    "/coconut/max_stalk_length_cm",
                    "Give the longest stalk length in cm.",
                ),
                Some(length) if length > max => {
                    let message = format!("Stalks may be at most {max} cm; the longest is {length} cm. Trim them.");
                    self.report(&r::COCONUT_STALK, "/coconut/max_stalk_length_cm", message);
                }
                Some(_) => {}
            }
        }
    }

    fn check_crocodiles(&mut self) {
        if self.protocol != ProtocolCode::CrocodileFarmed {
            return;
        }
        let Some(crocodiles) = self.body.crocodiles.clone() else {
            self.report(
                &r::CROCODILE_DETAILS,
                "/crocodiles",
                "Give the species, the animals, the CITES permit and the test results.",
            );
            return;
        };
        let species = crocodiles.species.split_whitespace().collect::<Vec<_>>().join(" ");
        if !self
            .version
            .scientific_names
            .iter()
            .any(|name| name.eq_ignore_ascii_case(&species))
        {
            let message = format!(
                "{species} is not a species known to be farmed for export ({}).",
                self.version.scientific_names.join(", ")
            );
            self.report(&r::CROCODILE_SPECIES, "/crocodiles/species", message);
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
                    self.report(
                        &r::CROCODILE_ORIGIN,
                        format!("/crocodiles/animals/{index}/{field}"),
                        message,
                    );
                }
            }
            let code = normalize_code(&animal.identification_code);
            if let Some(first) = codes.insert(code.clone(), index) {
                let message =
                    format!("Identification code {code} is also used by animal {first}; each animal needs its own.");
                self.report(
                    &r::CROCODILE_IDS,
                    format!("/crocodiles/animals/{index}/identification_code"),
                    message,
                );
            }
            if farms.insert(normalize_code(&animal.farm_code)) {
                self.require_approved(
                    &r::CROCODILE_FARM_APPROVED,
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
            self.report(&r::CROCODILE_IDS, "/crocodiles/declared_quantity", message);
        }
        match &crocodiles.cites_permit {
            None => self.report(
                &r::CROCODILE_CITES,
                "/crocodiles/cites_permit",
                "Give the CITES export permit.",
            ),
            Some(permit) if permit.valid_from > self.as_of => {
                let message = format!(
                    "The CITES permit is valid from {}, after the departure on {}.",
                    permit.valid_from, self.as_of
                );
                self.report(&r::CROCODILE_CITES, "/crocodiles/cites_permit/valid_from", message);
            }
            Some(permit) if permit.valid_until < self.as_of => {
                let message = format!(
                    "The CITES permit expired on {}, before the departure on {}.",
                    permit.valid_until, self.as_of
                );
                self.report(&r::CROCODILE_CITES, "/crocodiles/cites_permit/valid_until", message);
            }
            Some(_) => {}
        }
        let required_agents = self.version.list("required_agents");
        let mut tested: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (index, test) in crocodiles.tests.iter().enumerate() {
            let code = normalize_code(&test.animal_code);
            if !codes.contains_key(&code) {
                let message = format!("No animal has identification code {code}.");
                self.report(
                    &r::CROCODILE_TESTS,
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
                    self.report(
                        &r::CROCODILE_TESTS,
                        format!("/crocodiles/tests/{index}/result"),
                        message,
                    );
                    tested.entry(code).or_default();
                }
            }
        }
        for (index, animal) in crocodiles.animals.iter().enumerate() {
            let code = normalize_code(&animal.identification_code);
            match tested.get(&code) {
                None => {
                    let message = format!("Animal {code} has no test result; every animal must be tested.");
                    self.report(&r::CROCODILE_TESTS, format!("/crocodiles/animals/{index}"), message);
                }
                Some(agents) => {
                    let missing: Vec<&String> = required_agents
                        .iter()
                        .filter(|agent| !agents.contains(&agent.trim().to_lowercase()))
                        .collect();
                    if !missing.is_empty() {
                        let names: Vec<&str> = missing.iter().map(|agent| agent.as_str()).collect();
                        let message = format!("Animal {code} lacks a negative result for: {}.", names.join(", "));
                        self.report(&r::CROCODILE_TESTS, format!("/crocodiles/animals/{index}"), message);
                    }
                }
            }
        }
    }
}

fn analyte_name(analyte: Analyte) -> &'static str {
    match analyte {
        Analyte::Cadmium => "cadmium",
        Analyte::AuramineO => "Auramine O",
    }
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
    let as_of = body.planned_departure_date;
    let version = version_in_force(versions, protocol, as_of).or_else(|| latest(versions, protocol))?;
    let mut checker = Checker {
        protocol,
        version,
        body,
        facts,
        exporter,
        as_of,
        violations: Vec::new(),
    };
    checker.check_common();
    checker.check_plant();
    checker.check_frozen();
    checker.check_coconut();
    checker.check_crocodiles();
    let violations = checker.violations;
    let errors = violations.iter().filter(|v| v.severity == Severity::Error).count();
    Some(ComplianceReport {
        protocol,
        protocol_version: version.version,
        as_of,
        compliant: errors == 0,
        errors,
        warnings: violations.len() - errors,
        violations,
    })
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
