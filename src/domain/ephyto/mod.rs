//! A phytosanitary certificate as a UN/CEFACT `SPSCertificate` (the IPPC ePhyto message),
//! built from the signed certificate content. Element structure from
//! certificates-and-anchors.md §2.2 and ephyto-mapping.md: type code 851, status 70 (issued)
//! or 40 (withdrawn), the additional declaration as an `ADEDL` note, the certifying statement
//! as clause 1, the inspection as `ADDIEDL` and `ExaminationSPSEvent`, the point of entry by
//! UN/LOCODE, `ADRPN` for the number of a replaced certificate.

use crate::domain::calendar::{vietnam_date_time, vietnam_day_start};
use crate::domain::certificate::Party;
use crate::domain::certificate::content::{PartyInCountry, PhytosanitaryContent};
use crate::domain::places;
use crate::domain::produce;
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Write;
use xml::Xml;
pub use xml::escape;

mod xml;

const RSM: &str = "urn:un:unece:uncefact:data:standard:SPSCertificate:17";
const RAM: &str = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21";
const UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21";

/// A number as JSON writes it (`18000.0`), as in the signed content.
fn number(value: f64) -> String {
    serde_json::Number::from_f64(value)
        .map(|number| number.to_string())
        .unwrap_or_default()
}

fn exporter(party: &Party) -> (&str, &str) {
    (&party.name, &party.address)
}

fn consignee(party: &PartyInCountry) -> (&str, &str) {
    (&party.name, &party.address)
}

/// UN/ECE Recommendation 19 transport mode codes.
fn mode_code(conveyance: &str) -> &'static str {
    match conveyance.split_whitespace().next().unwrap_or_default() {
        "sea" => "1",
        "rail" => "2",
        "road" => "3",
        "air" => "4",
        _ => "9",
    }
}

/// UN/ECE Recommendation 21 package type codes for the package words the service sees most.
fn package_code(description: &str) -> &'static str {
    match description.to_lowercase().as_str() {
        "carton" | "cartons" | "box" => "CT",
        "bag" | "bags" => "BG",
        "crate" | "crates" => "CR",
        "pallet" | "pallets" => "PX",
        _ => "ZZ",
    }
}

/// What the XML states beyond the signed content.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// When the certificate was signed: `IssueDateTime` and the signatory's `ActualDateTime`.
    pub issued_at: DateTime<Utc>,
    /// Revoked or replaced: status 40.
    pub withdrawn: bool,
    /// The inspection the certificate rests on (the consignment's latest).
    pub examination: Option<Examination>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Examination {
    pub date: NaiveDate,
    pub place: String,
}

/// The ePhyto XML of a phytosanitary certificate's content, in the element order and with the
/// note subjects receiving systems parse (ephyto-mapping.md §1.2–§1.4).
pub fn spscertificate(content: &PhytosanitaryContent, issue: &Issue) -> String {
    let description = &content.description_of_consignment;
    let issued_at = vietnam_date_time(issue.issued_at);
    let mut xml = Xml {
        out: String::with_capacity(8192),
    };
    let _ = write!(
        xml.out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rsm:SPSCertificate xmlns:rsm=\"{RSM}\" xmlns:ram=\"{RAM}\" xmlns:udt=\"{UDT}\">"
    );
    xml.open("rsm:SPSExchangedDocument");
    xml.leaf("ram:Name", "Phytosanitary Certificate");
    xml.leaf("ram:ID", &content.number);
    xml.leaf("ram:TypeCode", "851");
    xml.leaf("ram:StatusCode", if issue.withdrawn { "40" } else { "70" });
    xml.open("ram:IssueDateTime");
    xml.leaf("udt:DateTimeString", &issued_at);
    xml.close("ram:IssueDateTime");
    xml.open("ram:IssuerSPSParty");
    xml.leaf("ram:Name", &content.issuing_authority);
    xml.close("ram:IssuerSPSParty");
    // Notes in the order emitters use: additional declaration, date of inspection,
    // replacement, distinguishing marks.
    if let Some(declaration) = content.additional_declaration.as_deref() {
        xml.note("ADEDL", declaration);
    }
    if let Some(examination) = &issue.examination {
        xml.note("ADDIEDL", &vietnam_day_start(examination.date));
    }
    if let Some(replaced) = content.replaces.as_deref() {
        xml.note("ADRPN", replaced);
    }
    let marks = &description.distinguishing_marks;
    let marks_text = [
        marks.carton_label.as_deref().unwrap_or_default(),
        marks.pallet_marking.as_deref().unwrap_or_default(),
    ]
    .join(" / ");
    xml.note("DMCL", &marks_text);
    xml.open("ram:SignatorySPSAuthentication");
    xml.open("ram:ActualDateTime");
    xml.leaf("udt:DateTimeString", &issued_at);
    xml.close("ram:ActualDateTime");
    xml.open("ram:IssueSPSLocation");
    xml.leaf("ram:Name", &content.place_of_issue);
    xml.close("ram:IssueSPSLocation");
    xml.open("ram:ProviderSPSParty");
    xml.leaf("ram:Name", &content.issuing_authority);
    xml.open("ram:SpecifiedSPSPerson");
    xml.leaf("ram:Name", &content.authorized_officer);
    xml.close("ram:SpecifiedSPSPerson");
    xml.close("ram:ProviderSPSParty");
    xml.open("ram:IncludedSPSClause");
    xml.leaf("ram:ID", "1");
    xml.leaf("ram:Content", &content.certifying_statement);
    xml.close("ram:IncludedSPSClause");
    xml.close("ram:SignatorySPSAuthentication");
    xml.close("rsm:SPSExchangedDocument");

    xml.open("rsm:SPSConsignment");
    let (name, address) = exporter(&description.exporter);
    xml.party("ram:ConsignorSPSParty", name, address);
    let (name, address) = consignee(&description.consignee);
    xml.party("ram:ConsigneeSPSParty", name, address);
    xml.open("ram:ExportSPSCountry");
    xml.leaf("ram:ID", "VN");
    xml.leaf("ram:Name", "Viet Nam");
    xml.close("ram:ExportSPSCountry");
    xml.open("ram:ImportSPSCountry");
    xml.leaf("ram:ID", "CN");
    xml.leaf("ram:Name", "China");
    xml.close("ram:ImportSPSCountry");
    xml.open("ram:UnloadingBaseportSPSLocation");
    // Receivers read the UN/LOCODE from `ID` (ephyto-mapping.md §3), without a schemeID.
    match places::find(&description.point_of_entry) {
        Some(place) => {
            if let Some(code) = place.locode {
                xml.leaf("ram:ID", code);
            }
            xml.leaf("ram:Name", place.english);
        }
        None => xml.leaf("ram:Name", &description.point_of_entry),
    }
    xml.close("ram:UnloadingBaseportSPSLocation");
    // Mandatory in the schema; empty where no inspection is on record, as emitters do.
    xml.open("ram:ExaminationSPSEvent");
    xml.open("ram:OccurrenceSPSLocation");
    let place = issue.examination.as_ref().map(|examination| examination.place.as_str());
    xml.leaf("ram:Name", place.unwrap_or_default());
    xml.close("ram:OccurrenceSPSLocation");
    xml.close("ram:ExaminationSPSEvent");
    let conveyance = description.means_of_conveyance.as_str();
    xml.open("ram:MainCarriageSPSTransportMovement");
    xml.leaf("ram:ModeCode", mode_code(conveyance));
    xml.open("ram:UsedSPSTransportMeans");
    // The mode is in ModeCode; the name is the vehicle, train, vessel or flight.
    let vehicle = conveyance.split_once(' ').map_or(conveyance, |(_, vehicle)| vehicle);
    xml.leaf("ram:Name", vehicle.trim());
    xml.close("ram:UsedSPSTransportMeans");
    xml.close("ram:MainCarriageSPSTransportMovement");
    for container in &marks.containers {
        xml.open("ram:UtilizedSPSTransportEquipment");
        xml.leaf("ram:ID", &container.number);
        if let Some(seal) = container.seal_number.as_deref() {
            xml.open("ram:AffixedSPSSeal");
            xml.leaf("ram:ID", seal);
            xml.close("ram:AffixedSPSSeal");
        }
        xml.close("ram:UtilizedSPSTransportEquipment");
    }
    xml.open("ram:IncludedSPSConsignmentItem");
    for (index, lot) in description.lots.iter().enumerate() {
        xml.open("ram:IncludedSPSTradeLineItem");
        xml.leaf("ram:SequenceNumeric", &(index + 1).to_string());
        xml.leaf("ram:Description", &format!("{} ({})", description.produce, lot.variety));
        if let Some(name) = produce::by_english(&description.produce) {
            xml.leaf_with("ram:CommonName", ("languageID", "en"), name.common_name);
        }
        xml.leaf(
            "ram:ScientificName",
            description.botanical_name.as_deref().unwrap_or_default(),
        );
        xml.leaf_with("ram:NetWeightMeasure", ("unitCode", "KGM"), &number(lot.net_weight_kg));
        xml.open("ram:PhysicalSPSPackage");
        xml.leaf("ram:LevelCode", "1");
        xml.leaf("ram:TypeCode", package_code(&lot.package_type));
        xml.leaf("ram:ItemQuantity", &lot.packages.to_string());
        xml.close("ram:PhysicalSPSPackage");
        xml.open("ram:OriginSPSCountry");
        xml.leaf("ram:ID", "VN");
        xml.open("ram:SubordinateSPSCountrySubDivision");
        xml.leaf(
            "ram:Name",
            &format!(
                "Orchard {} / packing house {}",
                lot.orchard_code, lot.packing_house_code
            ),
        );
        xml.close("ram:SubordinateSPSCountrySubDivision");
        xml.close("ram:OriginSPSCountry");
        if let Some(treatment) = &content.treatment {
            xml.open("ram:AppliedSPSProcess");
            xml.leaf("ram:TypeCode", "ZZZ");
            xml.open("ram:CompletionSPSPeriod");
            xml.leaf_with(
                "ram:DurationMeasure",
                ("unitCode", "MIN"),
                &number(treatment.duration_minutes),
            );
            xml.close("ram:CompletionSPSPeriod");
            // Coded characteristics (ephyto-mapping.md §1.6): the first Description is the
            // code. TTTM: temperature; TTFT: the whole treatment as text, for receivers that
            // cannot read structured treatments (no code exists for the core temperature).
            xml.open("ram:ApplicableSPSProcessCharacteristic");
            xml.leaf("ram:Description", "TTTM");
            xml.leaf_with(
                "ram:ValueMeasure",
                ("unitCode", "CEL"),
                &number(treatment.temperature_c),
            );
            xml.close("ram:ApplicableSPSProcessCharacteristic");
            xml.open("ram:ApplicableSPSProcessCharacteristic");
            xml.leaf("ram:Description", "TTFT");
            xml.leaf(
                "ram:Description",
                &format!(
                    "Type: freezing; Temperature: {} C; Duration: {} min; Core temperature at the end: {} C",
                    number(treatment.temperature_c),
                    number(treatment.duration_minutes),
                    number(treatment.core_temperature_c)
                ),
            );
            xml.close("ram:ApplicableSPSProcessCharacteristic");
            xml.close("ram:AppliedSPSProcess");
        }
        xml.close("ram:IncludedSPSTradeLineItem");
    }
    xml.close("ram:IncludedSPSConsignmentItem");
    xml.close("rsm:SPSConsignment");
    xml.out.push_str("</rsm:SPSCertificate>");
    xml.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_and_package_codes_follow_the_un_ece_recommendations() {
        assert_eq!(mode_code("road 51C-123.45"), "3");
        assert_eq!(mode_code("rail SP3"), "2");
        assert_eq!(package_code("Carton"), "CT");
    }
}
