//! Border gates and points of entry as reference data: the names a border officer reads (in
//! English, Vietnamese and Chinese) and the UN/LOCODE a receiving system parses, for the
//! slugs consignments declare (`exit_border_gate`, `entry_point`).
//!
//! Source: `shared/domain/places.md` (§2, §3, §4), which marks every fact confirmed or
//! recalled. `names` is `Confirmed` only where all three names are; most Chinese names of
//! Vietnamese gates and Vietnamese names of Chinese ports are recalled, so they are marked
//! `Uncertain` and must be re-checked before anyone relies on them. UN/LOCODEs are those of
//! the 2024-2 release as read from public extractions (places.md [S61]); the UNECE pages
//! themselves were not read. A slug not in this table is printed as the exporter wrote it.

use crate::domain::protocol::Confidence;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The slug consignments use; `aliases` are the places.md slugs and other spellings.
    pub slug: &'static str,
    #[serde(skip)]
    pub aliases: &'static [&'static str],
    /// ISO 3166-1 alpha-2: `VN` for points of exit, `CN` for points of entry.
    pub country: &'static str,
    pub english: &'static str,
    pub vietnamese: &'static str,
    pub chinese: &'static str,
    pub names: Confidence,
    pub locode: Option<&'static str>,
    pub sources: &'static str,
}

mod entries;
mod exits;

/// Every place the service can name: the Vietnamese side, then the Chinese side.
pub fn all() -> impl Iterator<Item = &'static Place> {
    exits::EXITS.iter().chain(entries::ENTRIES)
}

const fn place(
    slug: &'static str,
    aliases: &'static [&'static str],
    country: &'static str,
    [english, vietnamese, chinese]: [&'static str; 3],
    names: Confidence,
    locode: Option<&'static str>,
    sources: &'static str,
) -> Place {
    Place {
        slug,
        aliases,
        country,
        english,
        vietnamese,
        chinese,
        names,
        locode,
        sources,
    }
}

/// The place a declared slug names, by slug or alias, ignoring case and surrounding blanks.
pub fn find(declared: &str) -> Option<&'static Place> {
    let declared = declared.trim();
    all().find(|place| {
        place.slug.eq_ignore_ascii_case(declared)
            || place.aliases.iter().any(|alias| alias.eq_ignore_ascii_case(declared))
    })
}

/// The three names on one line, with the UN/LOCODE where there is one; a slug the table
/// does not know comes back as declared.
pub fn printed_name(declared: &str) -> String {
    match find(declared) {
        Some(place) => {
            let names = format!("{} / {} / {}", place.english, place.vietnamese, place.chinese);
            match place.locode {
                Some(code) => format!("{names} (UN/LOCODE {code})"),
                None => names,
            }
        }
        None => declared.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::protocol::settings::ProtocolSettings;
    use std::collections::HashSet;

    #[test]
    fn slugs_and_aliases_name_one_place_each() {
        let mut seen = HashSet::new();
        for place in all() {
            for name in std::iter::once(&place.slug).chain(place.aliases) {
                assert!(seen.insert(name.to_ascii_lowercase()), "{name} twice");
            }
        }
    }

    #[test]
    fn every_suggested_gate_and_entry_point_has_names() {
        let settings = ProtocolSettings::default();
        for list in [
            &settings.fruit_exit_gates,
            &settings.fruit_entry_points,
            &settings.frozen_exit_gates,
            &settings.frozen_entry_points,
            &settings.animal_exit_gates,
            &settings.animal_entry_points,
        ] {
            for slug in &list.values {
                assert!(find(slug).is_some(), "{slug} has no names");
            }
        }
    }

    #[test]
    fn points_of_exit_are_in_vietnam_and_points_of_entry_in_china() {
        assert!(exits::EXITS.iter().all(|place| place.country == "VN"));
        assert!(entries::ENTRIES.iter().all(|place| place.country == "CN"));
    }

    #[test]
    fn exit_gates_are_vietnamese_and_entry_points_chinese_with_well_formed_codes() {
        for place in all() {
            assert!(place.slug.len() <= 40 && !place.english.is_empty(), "{}", place.slug);
            if let Some(code) = place.locode {
                assert_eq!(code.len(), 5, "{code}");
                assert!(code.starts_with(place.country), "{code} is not in {}", place.country);
                assert!(code.chars().all(|c| c.is_ascii_uppercase()), "{code}");
            }
        }
    }

    #[test]
    fn a_place_prints_in_three_languages_with_its_locode() {
        assert_eq!(
            printed_name(" Youyiguan "),
            "Youyiguan (Friendship Pass) highway port, Pingxiang / Cửa khẩu Hữu Nghị Quan / 友谊关口岸 (UN/LOCODE CNYYG)"
        );
        assert_eq!(
            printed_name("cn_puzhai"),
            "Puzhai passage of Youyiguan port, Pingxiang / Pò Chài / 浦寨"
        );
        assert_eq!(printed_name("somewhere_else"), "somewhere_else");
    }
}
