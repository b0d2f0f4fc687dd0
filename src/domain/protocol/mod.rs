//! The four GACC–MARD protocols as versioned data, and the rules that judge a consignment
//! against them. Values the sources leave uncertain (protocols.md marks them so) are parameters
//! that carry their source, never presented as the protocol's own wording.

pub mod catalogue;
pub mod check;
pub mod facts;
pub mod rules;

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
