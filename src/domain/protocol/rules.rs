//! Every rule: a stable ID, a severity, the protocols it applies to, the clause or source it
//! enforces, and what it requires. `GET /v1/protocols` publishes this table.

use super::ProtocolCode::{self, CoconutFresh as CO, CrocodileFarmed as CR, DurianFresh as FD, DurianFrozen as FZ};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Informs; does not block.
    Warning,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleDef {
    pub id: &'static str,
    pub severity: Severity,
    #[serde(skip)]
    pub protocols: &'static [ProtocolCode],
    pub source: &'static str,
    pub requirement: &'static str,
}

/// One finding of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    pub rule_id: &'static str,
    pub severity: Severity,
    pub source: &'static str,
    pub message: String,
    /// JSON pointer into the consignment body.
    pub pointer: String,
}

impl RuleDef {
    pub fn applies_to(&self, protocol: ProtocolCode) -> bool {
        self.protocols.contains(&protocol)
    }

    pub fn violation(&self, pointer: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            rule_id: self.id,
            severity: self.severity,
            source: self.source,
            message: message.into(),
            pointer: pointer.into(),
        }
    }
}

const ALL: &[ProtocolCode] = &[FD, FZ, CO, CR];
const PLANTS: &[ProtocolCode] = &[FD, FZ, CO];
const FRESH_PLANTS: &[ProtocolCode] = &[FD, CO];
const DURIAN: &[ProtocolCode] = &[FD, FZ];

macro_rules! rule {
    ($name:ident, $id:literal, $severity:ident, $protocols:expr, $source:literal, $requirement:literal) => {
        pub const $name: RuleDef = RuleDef {
            id: $id,
            severity: Severity::$severity,
            protocols: $protocols,
            source: $source,
            requirement: $requirement,
        };
    };
}

rule!(
    PROTOCOL_IN_FORCE,
    "GEN-PROTOCOL-IN-FORCE",
    Error,
    ALL,
    "protocols.md §8 rule 55: fresh durian from 2022-07-11 (GACC Ann. 66/2022); frozen durian, coconut and crocodiles from 2024-08-19",
    "The planned departure date is on or after the protocol's effective date."
);
rule!(
    PROTOCOL_FIELDS,
    "GEN-PROTOCOL-FIELDS",
    Error,
    ALL,
    "Each protocol covers one product (protocols.md §1.1, §2.1, §3.1, §4.1)",
    "Only the product details of the consignment's own protocol are given."
);
rule!(
    CONSIGNEE_IN_CHINA,
    "GEN-CONSIGNEE-IN-CHINA",
    Error,
    ALL,
    "The protocols cover exports from Vietnam to China (protocols.md §0)",
    "The consignee is in China (country CN)."
);
rule!(
    EXIT_GATE,
    "GEN-EXIT-GATE-DESIGNATED",
    Error,
    ALL,
    "protocols.md §6 and §8 rule 57: exports leave through the gates opened for the commodity class; the list is configuration",
    "The border gate of exit is on the configured list for the commodity class."
);
rule!(
    ENTRY_POINT,
    "GEN-ENTRY-POINT-DESIGNATED",
    Error,
    ALL,
    "protocols.md §1.8 and §8 rule 57: entry through GACC-designated ports for the commodity class; the list is configuration",
    "The declared point of entry is on the configured list for the commodity class."
);
rule!(
    IMPORT_PERMIT,
    "CROCODILE-IMPORT-PERMIT",
    Error,
    &[CR],
    "protocols.md §4.3 and §8 rule 54: the Chinese importer holds an import quarantine permit",
    "The Chinese import permit number is given."
);
rule!(
    BOTANICAL_NAME,
    "PLANT-BOTANICAL-NAME",
    Error,
    PLANTS,
    "protocols.md §8 rules 12 and 15: Durio zibethinus Murr.; Cocos nucifera",
    "The botanical name is the protocol's product."
);
rule!(
    LOTS_PRESENT,
    "PLANT-LOTS-PRESENT",
    Error,
    PLANTS,
    "protocols.md §1.2: every lot must be traceable to its orchard and packing house",
    "At least one lot is declared."
);
rule!(
    ORCHARD_APPROVED,
    "PLANT-ORCHARD-APPROVED",
    Error,
    PLANTS,
    "protocols.md §1.2, §2.2, §3.2 and §8 rules 1, 3, 4: orchards registered by MARD and approved by GACC for the commodity; suspended codes are refused",
    "Every lot's orchard is approved for the commodity on the departure date."
);
rule!(
    PACKING_HOUSE_APPROVED,
    "PLANT-PACKING-HOUSE-APPROVED",
    Error,
    PLANTS,
    "protocols.md §1.2, §2.2, §3.2 and §8 rules 2, 3, 4: packing houses registered by MARD and approved by GACC for the commodity",
    "Every lot's packing house is approved for the commodity on the departure date."
);
rule!(
    CODE_USE_AUTHORIZED,
    "PLANT-CODE-USE-AUTHORIZED",
    Error,
    PLANTS,
    "protocols.md §1.2 and §8 rule 7: PPD rule of January 2025, a code holder notifies in writing before another exporter ships under its code",
    "Orchard and packing-house codes are the exporter's own, or it holds a code-use authorisation valid on the departure date."
);
rule!(
    CODE_HOLDER_UNKNOWN,
    "PLANT-CODE-HOLDER-UNKNOWN",
    Warning,
    PLANTS,
    "protocols.md §8 rule 7: the holder is needed to tell a legitimate shipment from a borrowed code",
    "The registry records who holds each code used."
);
rule!(
    CARTON_LABEL,
    "PLANT-CARTON-LABEL",
    Error,
    FRESH_PLANTS,
    "protocols.md §1.7 and §8 rules 35, 37: each box shows the origin and the orchard and packing-house codes, which must be the declared ones",
    "The carton label names Vietnam and shows every lot's orchard and packing-house codes."
);
rule!(
    PALLET_MARKING,
    "PLANT-PALLET-MARKING",
    Error,
    FRESH_PLANTS,
    "protocols.md §1.7 and §8 rule 36: every pallet bears \"Exported to the People's Republic of China\" or \"输往中华人民共和国\"",
    "The pallet marking carries the export phrase."
);
rule!(
    LAB_REPORT_LOTS,
    "DURIAN-LAB-REPORT-LOTS",
    Error,
    DURIAN,
    "protocols.md §8 rule 31: a result counts for the lot it was sampled from",
    "Every lab report refers to lots that exist in the consignment."
);
rule!(
    LAB_RECOGNISED,
    "DURIAN-LAB-RECOGNISED",
    Error,
    DURIAN,
    "protocols.md §1.9: reports from GACC-recognised laboratories (24 for cadmium, 14 for Auramine O by July 2025)",
    "Every lab report comes from a laboratory recognised for that analyte on the departure date."
);
rule!(
    LAB_CADMIUM,
    "DURIAN-LAB-CADMIUM",
    Error,
    DURIAN,
    "protocols.md §1.9: GACC measure effective 10 Jan 2025; the limit is a parameter (GB 2762, 0.05 mg/kg recalled)",
    "From 2025-01-10, every lot is covered by a cadmium result within the limit from a recognised laboratory."
);
rule!(
    LAB_AURAMINE_O,
    "DURIAN-LAB-AURAMINE-O",
    Error,
    DURIAN,
    "protocols.md §1.9: GACC measure effective 10 Jan 2025; Vietnam and China agreed to test both peel and flesh",
    "From 2025-01-10, every lot has Auramine O not detected in peel and flesh (pulp for shell-less frozen durian) from a recognised laboratory."
);
rule!(
    FROZEN_DETAILS,
    "FROZEN-DETAILS-PRESENT",
    Error,
    &[FZ],
    "protocols.md §2.1: product form, processing plant and freezing record",
    "The frozen-durian details are given."
);
rule!(
    FROZEN_PLANT_APPROVED,
    "FROZEN-PLANT-APPROVED",
    Error,
    &[FZ],
    "protocols.md §2.2 and §8 rule 8: processing plants approved by GACC",
    "The processing plant is approved for durian on the departure date."
);
rule!(
    FROZEN_RAW_MATERIAL,
    "FROZEN-RAW-MATERIAL-ORCHARDS",
    Error,
    &[FZ],
    "protocols.md §2.1, §2.2 and §8 rule 9: raw durian from registered orchards",
    "Every raw-material orchard is approved for durian on the departure date."
);
rule!(
    FREEZING_MEDIUM,
    "FROZEN-FREEZING-MEDIUM",
    Error,
    &[FZ],
    "protocols.md §2.1 and §8 rule 20: freezing at −35 °C or lower",
    "The freezing medium was at or below −35 °C."
);
rule!(
    FREEZING_DURATION,
    "FROZEN-FREEZING-DURATION",
    Error,
    &[FZ],
    "protocols.md §2.1 and §8 rule 20: for at least 1 hour",
    "Freezing lasted at least 60 minutes."
);
rule!(
    FREEZING_CORE,
    "FROZEN-CORE-TEMPERATURE",
    Error,
    &[FZ],
    "protocols.md §2.1 and §8 rule 21: until the core reaches −18 °C or lower",
    "The core was at or below −18 °C at the end of freezing."
);
rule!(
    COLD_CHAIN,
    "FROZEN-COLD-CHAIN",
    Error,
    &[FZ],
    "protocols.md §2.1 and §8 rule 22: the core stays at −18 °C or lower through storage and transport (CAC/RCP 8-1976)",
    "A cold-chain log is given and every reading is at or below −18 °C."
);
rule!(
    COCONUT_DETAILS,
    "COCONUT-DETAILS-PRESENT",
    Error,
    &[CO],
    "protocols.md §3.1: green coconut with stalk, or dehusked",
    "The coconut form is given."
);
rule!(
    COCONUT_STALK,
    "COCONUT-STALK-LENGTH",
    Error,
    &[CO],
    "protocols.md §3.1 and §8 rule 16: green coconuts with a stalk of at most 5 cm",
    "Green coconuts with stalk have a stalk of at most 5 cm."
);
rule!(
    CROCODILE_DETAILS,
    "CROCODILE-DETAILS-PRESENT",
    Error,
    &[CR],
    "protocols.md §4.2: species, number and identification codes",
    "The crocodile details are given."
);
rule!(
    CROCODILE_SPECIES,
    "CROCODILE-SPECIES",
    Warning,
    &[CR],
    "protocols.md §4.1: the excerpt names no species; Vietnamese farms mainly hold Crocodylus siamensis (uncertain)",
    "The species is one farmed in Vietnam."
);
rule!(
    CROCODILE_ORIGIN,
    "CROCODILE-BORN-AND-RAISED-IN-VIETNAM",
    Error,
    &[CR],
    "protocols.md §4.1 and §8 rule 17: farmed crocodiles born and raised in Vietnam",
    "Every animal was born and raised in Vietnam."
);
rule!(
    CROCODILE_IDS,
    "CROCODILE-IDENTIFICATION",
    Error,
    &[CR],
    "protocols.md §4.2 item 4 and §8 rule 18: number and identification codes of the animals",
    "Every animal has a unique identification code and their count equals the declared quantity."
);
rule!(
    CROCODILE_FARM_APPROVED,
    "CROCODILE-FARM-APPROVED",
    Error,
    &[CR],
    "protocols.md §4.3 and §8 rule 11: farms registered through DAH and approved by GACC",
    "Every animal's farm is approved for crocodiles on the departure date."
);
rule!(
    CROCODILE_CITES,
    "CROCODILE-CITES-PERMIT",
    Error,
    &[CR],
    "protocols.md §4.4 and §8 rule 53: CITES Appendix I, an export permit valid for the shipment",
    "A CITES export permit valid on the departure date is given."
);
rule!(
    CROCODILE_TESTS,
    "CROCODILE-TESTS-NEGATIVE",
    Error,
    &[CR],
    "protocols.md §4.2 item 5, §4.3 and §8 rule 51: 100% of animals tested; the agent list is a parameter (not found)",
    "Every animal has test results, all negative, including one for every required agent."
);

/// Every rule, in the order they are reported.
pub const RULES: &[RuleDef] = &[
    PROTOCOL_IN_FORCE,
    PROTOCOL_FIELDS,
    CONSIGNEE_IN_CHINA,
    EXIT_GATE,
    ENTRY_POINT,
    IMPORT_PERMIT,
    BOTANICAL_NAME,
    LOTS_PRESENT,
    ORCHARD_APPROVED,
    PACKING_HOUSE_APPROVED,
    CODE_USE_AUTHORIZED,
    CODE_HOLDER_UNKNOWN,
    CARTON_LABEL,
    PALLET_MARKING,
    LAB_REPORT_LOTS,
    LAB_RECOGNISED,
    LAB_CADMIUM,
    LAB_AURAMINE_O,
    FROZEN_DETAILS,
    FROZEN_PLANT_APPROVED,
    FROZEN_RAW_MATERIAL,
    FREEZING_MEDIUM,
    FREEZING_DURATION,
    FREEZING_CORE,
    COLD_CHAIN,
    COCONUT_DETAILS,
    COCONUT_STALK,
    CROCODILE_DETAILS,
    CROCODILE_SPECIES,
    CROCODILE_ORIGIN,
    CROCODILE_IDS,
    CROCODILE_FARM_APPROVED,
    CROCODILE_CITES,
    CROCODILE_TESTS,
];

/// The rules of one protocol.
pub fn rules_for(protocol: ProtocolCode) -> impl Iterator<Item = &'static RuleDef> {
    RULES.iter().filter(move |rule| rule.applies_to(protocol))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn rule_ids_are_unique_and_every_protocol_has_rules() {
        let ids: HashSet<&str> = RULES.iter().map(|rule| rule.id).collect();
        assert_eq!(ids.len(), RULES.len());
        for protocol in ProtocolCode::VARIANTS {
            assert!(rules_for(protocol).count() >= 5, "{protocol:?}");
        }
    }
}
