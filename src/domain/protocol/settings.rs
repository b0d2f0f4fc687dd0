//! Operator-configurable protocol values: what the sources leave uncertain (protocols.md marks
//! them so) is configuration, with the defaults the sources suggest.

/// Values the configuration may set.
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
