//! The four GACC–MARD protocols as versioned data, and the rules that judge a consignment
//! against them. Values the sources leave uncertain (protocols.md marks them so) are parameters
//! that carry their source, never presented as the protocol's own wording.

pub mod catalogue;
pub mod check;
pub mod facts;
pub mod rules;

use serde::Serialize;

/// The protocol a consignment ships under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub enum ProtocolCode {
    #[serde(rename = "vn-cn-durian-fresh-2022")]
    DurianFresh,
    #[serde(rename = "vn-cn-durian-frozen-2024")]
    DurianFrozen,
    #[serde(rename = "vn-cn-coconut-fresh-2024")]
    CoconutFresh,
    #[serde(rename = "vn-cn-crocodile-farmed-2024")]
    CrocodileFarmed,
}

impl ProtocolCode {
    pub const VARIANTS: [Self; 4] = [
        Self::DurianFresh,
        Self::DurianFrozen,
        Self::CoconutFresh,
        Self::CrocodileFarmed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DurianFresh => "vn-cn-durian-fresh-2022",
            Self::DurianFrozen => "vn-cn-durian-frozen-2024",
            Self::CoconutFresh => "vn-cn-coconut-fresh-2024",
            Self::CrocodileFarmed => "vn-cn-crocodile-farmed-2024",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::VARIANTS.into_iter().find(|code| code.as_str() == text)
    }

    /// Plant products go to PPD inspectors; crocodiles to DAH.
    pub fn is_plant(self) -> bool {
        !matches!(self, Self::CrocodileFarmed)
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
