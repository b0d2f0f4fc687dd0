//! The name of produce a certificate states: the commodity in the form declared ("Fresh durian,
//! whole fruit", "Frozen durian pulp", "Live farmed Siamese crocodiles"), not the protocol's
//! title. English is what the signed content holds and the ePhyto line carries; Vietnamese and
//! Chinese print beside it on the PDF.
//!
//! The forms come from the declaration (protocols.md: fresh durian whole fruit; frozen durian
//! whole, puree or pulp; coconut green with stalk or dehusked; farmed crocodiles). The
//! Vietnamese and Chinese wordings are ours, not quoted from the protocols: have a translator
//! review them before relying on them.

use crate::domain::consignment::model::{CoconutForm, ConsignmentBody, FreshDurianForm, FrozenForm};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProduceName {
    pub english: &'static str,
    pub vietnamese: &'static str,
    pub chinese: &'static str,
    /// The common name on an ePhyto trade line (`CommonName`).
    pub common_name: &'static str,
}

impl ProduceName {
    /// "English / Vietnamese / Chinese", as the PDF prints it.
    pub fn in_three_languages(&self) -> String {
        format!("{} / {} / {}", self.english, self.vietnamese, self.chinese)
    }
}

const fn name(
    english: &'static str,
    vietnamese: &'static str,
    chinese: &'static str,
    common_name: &'static str,
) -> ProduceName {
    ProduceName {
        english,
        vietnamese,
        chinese,
        common_name,
    }
}

const FRESH_DURIAN: [ProduceName; 3] = [
    name(
        "Fresh durian, whole fruit",
        "Sầu riêng tươi, nguyên quả",
        "鲜榴莲（整果）",
        "durian",
    ),
    name("Fresh durian, pulp", "Sầu riêng tươi, cơm", "鲜榴莲（果肉）", "durian"),
    name(
        "Fresh durian, segments",
        "Sầu riêng tươi, múi",
        "鲜榴莲（果瓣）",
        "durian",
    ),
];

const FROZEN_DURIAN: [ProduceName; 3] = [
    name(
        "Frozen durian, whole fruit with shell",
        "Sầu riêng nguyên quả đông lạnh (còn vỏ)",
        "冷冻带壳榴莲整果",
        "durian",
    ),
    name(
        "Frozen durian puree",
        "Sầu riêng nghiền đông lạnh",
        "冷冻榴莲果泥",
        "durian",
    ),
    name(
        "Frozen durian pulp",
        "Cơm sầu riêng đông lạnh",
        "冷冻榴莲果肉",
        "durian",
    ),
];

const COCONUT: [ProduceName; 2] = [
    name(
        "Fresh coconut, green with stalk",
        "Dừa tươi, dừa xanh còn cuống",
        "鲜椰子（带梗青椰）",
        "coconut",
    ),
    name(
        "Fresh coconut, dehusked",
        "Dừa tươi đã lột vỏ",
        "鲜椰子（去外皮）",
        "coconut",
    ),
];

const CROCODILES: [(&str, ProduceName); 2] = [
    (
        "crocodylus siamensis",
        name(
            "Live farmed Siamese crocodiles",
            "Cá sấu Xiêm nuôi, còn sống",
            "养殖暹罗鳄（活体）",
            "Siamese crocodile",
        ),
    ),
    (
        "crocodylus porosus",
        name(
            "Live farmed saltwater crocodiles",
            "Cá sấu nước mặn nuôi, còn sống",
            "养殖湾鳄（活体）",
            "saltwater crocodile",
        ),
    ),
];

/// The name of produce of a plant consignment's declaration; `None` when it declares no form.
pub fn of_plant_consignment(body: &ConsignmentBody) -> Option<ProduceName> {
    if let Some(fresh) = &body.fresh_durian {
        return Some(
            FRESH_DURIAN[match fresh.product_form {
                FreshDurianForm::WholeFruit => 0,
                FreshDurianForm::Pulp => 1,
                FreshDurianForm::Segments => 2,
            }],
        );
    }
    if let Some(frozen) = &body.frozen_durian {
        return Some(
            FROZEN_DURIAN[match frozen.product_form {
                FrozenForm::WholeWithShell => 0,
                FrozenForm::PureeWithoutShell => 1,
                FrozenForm::PulpWithoutShell => 2,
            }],
        );
    }
    body.coconut.as_ref().map(|coconut| {
        COCONUT[match coconut.form {
            CoconutForm::GreenWithStalk => 0,
            CoconutForm::Dehusked => 1,
        }]
    })
}

/// The name of produce of live crocodiles of a species (scientific name, any case).
pub fn of_crocodiles(species: &str) -> Option<ProduceName> {
    let species = species.trim().to_lowercase();
    CROCODILES
        .iter()
        .find(|(scientific, _)| *scientific == species)
        .map(|(_, name)| *name)
}

/// The three names of a stated English name of produce; `None` for a name the table does not
/// hold (certificates issued before, which state the protocol's title).
pub fn by_english(english: &str) -> Option<ProduceName> {
    FRESH_DURIAN
        .iter()
        .chain(&FROZEN_DURIAN)
        .chain(&COCONUT)
        .chain(CROCODILES.iter().map(|(_, name)| name))
        .find(|name| name.english == english)
        .copied()
}

/// English, Vietnamese and Chinese on one line, or the stated name alone.
pub fn printed(english: &str) -> String {
    match by_english(english) {
        Some(name) => name.in_three_languages(),
        None => english.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::protocol::fixtures;

    #[test]
    fn each_plant_commodity_is_named_with_its_declared_form() {
        let mut frozen = fixtures::frozen();
        assert_eq!(
            of_plant_consignment(&fixtures::fresh()).map(|name| name.english),
            Some("Fresh durian, whole fruit")
        );
        if let Some(declaration) = frozen.frozen_durian.as_mut() {
            declaration.product_form = FrozenForm::PulpWithoutShell;
        }
        assert_eq!(
            of_plant_consignment(&frozen).map(|name| name.english),
            Some("Frozen durian pulp")
        );
        assert_eq!(
            of_plant_consignment(&fixtures::coconut()).map(|name| name.common_name),
            Some("coconut")
        );
    }

    #[test]
    fn crocodiles_are_named_by_species_and_an_unknown_species_has_no_name() {
        assert_eq!(
            of_crocodiles(" Crocodylus Siamensis").map(|name| name.english),
            Some("Live farmed Siamese crocodiles")
        );
        assert_eq!(of_crocodiles("Alligator sinensis"), None);
    }

    #[test]
    fn a_stated_name_prints_in_three_languages_and_an_old_title_as_stated() {
        assert_eq!(
            printed("Frozen durian pulp"),
            "Frozen durian pulp / Cơm sầu riêng đông lạnh / 冷冻榴莲果肉"
        );
        let title = "Phytosanitary requirements for fresh durian exported from Vietnam to China";
        assert_eq!(printed(title), title);
    }
}
