//! The four GACC–MARD protocols and the rules that judge a consignment against them. One module
//! per protocol holds its rule definitions, its typed parameters, its check and its tests:
//! `fresh_durian`, `frozen_durian`, `coconut`, `crocodile`; rules several protocols share live in
//! `common`, `plant` and `durian_labs`. Values the sources leave uncertain (protocols.md marks
//! them so) are parameters that carry their source, never presented as the protocol's own
//! wording.

pub mod catalogue;
pub mod check;
pub mod checker;
pub mod coconut;
pub mod common;
pub mod crocodile;
pub mod durian_labs;
pub mod edition;
pub mod facts;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod fresh_durian;
pub mod frozen_durian;
pub mod parameter;
pub mod plant;
pub mod rule;
pub mod settings;

use crate::domain::organization::Authority;
use crate::domain::text_enum::text_enum;
use serde::Serialize;

text_enum! {
    /// The protocol a consignment ships under.
    pub enum ProtocolCode {
        DurianFresh = "vn-cn-durian-fresh-2022",
        DurianFrozen = "vn-cn-durian-frozen-2024",
        CoconutFresh = "vn-cn-coconut-fresh-2024",
        CrocodileFarmed = "vn-cn-crocodile-farmed-2024",
    }
}

impl ProtocolCode {
    /// Plant products go to PPD inspectors; crocodiles to DAH.
    pub fn is_plant(self) -> bool {
        !matches!(self, Self::CrocodileFarmed)
    }

    /// The MARD department that inspects and certifies consignments of this protocol.
    pub fn competent_authority(self) -> Authority {
        if self.is_plant() {
            Authority::Ppd
        } else {
            Authority::Dah
        }
    }
}

/// How well a value is backed by the sources (protocols.md's marks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Backed by a cited source.
    Confirmed,
    /// Recalled or inferred: a configurable parameter, shown with its source.
    Uncertain,
}
