//! Operator-configurable protocol values: what the sources leave uncertain (protocols.md marks
//! them so) is configuration, with the defaults the sources suggest.

/// A list with the setting that configured it; `None` when it is the built-in suggestion.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfiguredList {
    pub values: Vec<String>,
    pub configured_by: Option<&'static str>,
}

impl ConfiguredList {
    /// A built-in suggestion, not configured by the operator.
    pub fn suggested(values: &[&str]) -> Self {
        Self {
            values: names(values),
            configured_by: None,
        }
    }
}

/// The setting with which an operator enforces uncertain rules at error level.
pub const ENFORCE_UNCERTAIN_RULES: &str = "ENFORCE_UNCERTAIN_RULES";

/// The uncertain rules an operator may enforce that way (the gate and entry rules are enforced
/// by configuring their lists instead).
pub const ENFORCEABLE_RULES: [&str; 3] = [
    "CROCODILE-FARM-APPROVED",
    "CROCODILE-FARM-CODE-USE",
    "FROZEN-PLANT-CODE-USE",
];

/// Values the configuration may set.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolSettings {
    /// Cadmium limit for durian, mg/kg.
    pub cadmium_limit_mg_per_kg: f64,
    /// Vietnamese border gates or ports of exit for fruit (fresh durian, coconut).
    pub fruit_exit_gates: ConfiguredList,
    /// Chinese ports of entry designated for fruit.
    pub fruit_entry_points: ConfiguredList,
    pub frozen_exit_gates: ConfiguredList,
    pub frozen_entry_points: ConfiguredList,
    pub animal_exit_gates: ConfiguredList,
    pub animal_entry_points: ConfiguredList,
    /// Agents or diseases every crocodile must test negative for.
    pub crocodile_required_agents: Vec<String>,
    /// Coconut pests beyond the seven confirmed ones.
    pub extra_coconut_pests: Vec<String>,
    /// Quarantine pests of frozen durian (the protocol's list was not found).
    pub frozen_durian_pests: Vec<String>,
    /// The 1% coconut sampling rate after two clean years, applied only when configured: the
    /// sources do not confirm the reduction for coconut.
    pub coconut_reduced_sampling_rate: Option<f64>,
    /// IDs of uncertain rules the operator enforces at error level (`ENFORCE_UNCERTAIN_RULES`).
    pub enforced_uncertain_rules: Vec<String>,
}

impl ProtocolSettings {
    /// The setting that enforces the uncertain rule `id`, if the operator listed it.
    pub fn enforcing(&self, id: &str) -> Option<&'static str> {
        self.enforced_uncertain_rules
            .iter()
            .any(|enforced| enforced.eq_ignore_ascii_case(id))
            .then_some(ENFORCE_UNCERTAIN_RULES)
    }
}

fn names(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

impl Default for ProtocolSettings {
    fn default() -> Self {
        // Vietnamese gates and their Chinese counterparts (protocols.md §6): Huu Nghi–Youyiguan,
        // Tan Thanh–Pozhai, Kim Thanh–Hekou, Mong Cai–Dongxing, Dong Dang–Pingxiang and Lao
        // Cai–Hekou by rail, and the sea ports. Suggestions only: no source gives the lists, so
        // until an operator configures them a departure elsewhere is a warning.
        Self {
            cadmium_limit_mg_per_kg: 0.05,
            fruit_exit_gates: ConfiguredList::suggested(&[
                "huu_nghi",
                "tan_thanh",
                "kim_thanh",
                "mong_cai",
                "dong_dang_rail",
                "lao_cai_rail",
                "hai_phong_port",
                "cat_lai_port",
            ]),
            fruit_entry_points: ConfiguredList::suggested(&[
                "youyiguan",
                "pozhai",
                "hekou",
                "dongxing",
                "pingxiang_rail",
                "hekou_rail",
                "qinzhou_port",
                "guangzhou_port",
            ]),
            frozen_exit_gates: ConfiguredList::suggested(&[
                "huu_nghi",
                "tan_thanh",
                "kim_thanh",
                "mong_cai",
                "hai_phong_port",
                "cat_lai_port",
            ]),
            frozen_entry_points: ConfiguredList::suggested(&[
                "youyiguan",
                "pozhai",
                "hekou",
                "dongxing",
                "qinzhou_port",
                "guangzhou_port",
            ]),
            animal_exit_gates: ConfiguredList::suggested(&["huu_nghi", "mong_cai"]),
            animal_entry_points: ConfiguredList::suggested(&["youyiguan", "dongxing"]),
            crocodile_required_agents: Vec::new(),
            extra_coconut_pests: Vec::new(),
            frozen_durian_pests: Vec::new(),
            coconut_reduced_sampling_rate: None,
            enforced_uncertain_rules: Vec::new(),
        }
    }
}
