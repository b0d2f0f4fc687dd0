//! Building a certificate's content from the approved consignment, its inspections and the
//! issuing details. Phytosanitary certificates follow the ISPM 12 model fields with the
//! protocol's additional declaration; veterinary certificates carry the nine contents the
//! crocodile protocol lists (protocols.md §4.2).

use super::content::*;
use super::{CertificateInput, CertificateKind};
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::produce;
use crate::domain::protocol::catalogue::Terms;

const ISPM12_CERTIFYING_STATEMENT: &str = "This is to certify that the plants, plant products or other regulated articles described herein have been inspected and/or tested according to appropriate official procedures and are considered to be free from the quarantine pests specified by the importing contracting party and to conform with the current phytosanitary requirements of the importing contracting party, including those for regulated non-quarantine pests.";

/// What the certificate says, for signing once.
pub fn content(input: &CertificateInput) -> CertificateContent {
    match CertificateKind::for_protocol(input.version.edition.code) {
        CertificateKind::Phytosanitary => CertificateContent::Phytosanitary(phytosanitary(input)),
        CertificateKind::Veterinary => CertificateContent::Veterinary(veterinary(input)),
    }
}

fn conveyance(body: &ConsignmentBody) -> String {
    format!("{} {}", body.conveyance.mode.name(), body.conveyance.identifier)
}

fn protocol(input: &CertificateInput) -> ProtocolReference {
    ProtocolReference {
        code: input.version.edition.code,
        version: input.version.edition.version,
        title: input.version.edition.title.to_owned(),
    }
}

fn consignee(body: &ConsignmentBody) -> PartyInCountry {
    PartyInCountry {
        name: body.consignee.name.clone(),
        address: body.consignee.address.clone(),
        country: body.consignee.country.clone(),
    }
}

fn phytosanitary(input: &CertificateInput) -> PhytosanitaryContent {
    let body = input.body;
    PhytosanitaryContent {
        number: input.number.clone(),
        replaces: input.replaces.clone(),
        consignment_id: input.consignment_id,
        protocol: protocol(input),
        from: "Plant Protection Organization of Viet Nam".to_owned(),
        to: "Plant Protection Organization of the People's Republic of China".to_owned(),
        description_of_consignment: ConsignmentDescription {
            exporter: input.exporter.clone(),
            consignee: consignee(body),
            packages: body
                .lots
                .iter()
                .map(|lot| PackageCount {
                    number: lot.package_count,
                    description: lot.package_type.clone(),
                })
                .collect(),
            lots: body
                .lots
                .iter()
                .map(|lot| CertifiedLot {
                    orchard_code: lot.orchard_code.clone(),
                    packing_house_code: lot.packing_house_code.clone(),
                    variety: lot.variety.clone(),
                    net_weight_kg: lot.net_weight_kg,
                    packages: lot.package_count,
                    package_type: lot.package_type.clone(),
                })
                .collect(),
            distinguishing_marks: DistinguishingMarks {
                carton_label: body.carton_label.clone(),
                pallet_marking: body.pallet_marking.clone(),
                containers: body
                    .containers
                    .iter()
                    .map(|container| SealedContainer {
                        number: container.number.clone(),
                        seal_number: container.seal_number.clone(),
                    })
                    .collect(),
            },
            place_of_origin: PlaceOfOrigin {
                country: "VN".to_owned(),
                orchards: body.lots.iter().map(|lot| lot.orchard_code.clone()).collect(),
                packing_houses: body.lots.iter().map(|lot| lot.packing_house_code.clone()).collect(),
            },
            means_of_conveyance: conveyance(body),
            border_gate_of_exit: body.exit_border_gate.clone(),
            point_of_entry: body.entry_point.clone(),
            // The commodity in its declared form; the title only if no form is declared.
            produce: produce::of_plant_consignment(body).map_or_else(
                || input.version.edition.title.to_owned(),
                |name| name.english.to_owned(),
            ),
            quantity: Quantity {
                net_weight_kg: body.lots.iter().map(|lot| lot.net_weight_kg).sum(),
                packages: body.lots.iter().map(|lot| u64::from(lot.package_count)).sum(),
            },
            botanical_name: body.botanical_name.clone(),
        },
        certifying_statement: ISPM12_CERTIFYING_STATEMENT.to_owned(),
        additional_declaration: input
            .version
            .terms
            .additional_declaration()
            .map(|declaration| declaration.value.clone()),
        treatment: body.frozen_durian.as_ref().map(|frozen| FreezingTreatment {
            kind: TreatmentKind::Freezing,
            temperature_c: frozen.freezing.medium_temperature_c,
            duration_minutes: frozen.freezing.duration_minutes,
            core_temperature_c: frozen.freezing.core_temperature_c,
        }),
        place_of_issue: input.place_of_issue.clone(),
        date_of_issue: input.date_of_issue,
        issuing_authority: input.issuing_authority.clone(),
        authorized_officer: input.authorized_officer.clone(),
    }
}

fn veterinary(input: &CertificateInput) -> VeterinaryContent {
    let body = input.body;
    let crocodiles = body.crocodiles.as_ref();
    let clinical_examinations = input
        .inspections
        .iter()
        .flat_map(|inspection| {
            inspection.clinical_exams.iter().map(move |exam| ClinicalExamination {
                animal_code: exam.animal_code.clone(),
                date: inspection.inspected_on,
                result: exam.result,
                note: exam.note.clone(),
            })
        })
        .collect();
    let title = input.version.edition.title;
    VeterinaryContent {
        number: input.number.clone(),
        replaces: input.replaces.clone(),
        consignment_id: input.consignment_id,
        protocol: protocol(input),
        compliance_statement: format!(
            "The animals described herein meet all inspection and quarantine requirements of the {title}."
        ),
        exporter_and_importer: ExporterAndImporter {
            exporter: input.exporter.clone(),
            importer: consignee(body),
        },
        departure: Departure {
            date: body.planned_departure_date,
            port: body.exit_border_gate.clone(),
            means_of_transport: conveyance(body),
            point_of_entry: body.entry_point.clone(),
        },
        animals: Animals {
            number: crocodiles.map(|c| c.animals.len() as u64),
            species: crocodiles.map(|c| c.species.clone()),
            identification_codes: crocodiles.map(|c| c.animals.iter().map(|a| a.identification_code.clone()).collect()),
        },
        examinations_and_tests: ExaminationsAndTests {
            clinical_examinations,
            tests: crocodiles.map(|c| c.tests.clone()),
        },
        treatments: crocodiles.map(|c| c.treatments.clone()),
        issue: VeterinaryIssue {
            date_of_issue: input.date_of_issue,
            veterinary_authority: input.issuing_authority.clone(),
            quarantine_officer: input.authorized_officer.clone(),
            place_of_issue: input.place_of_issue.clone(),
            signature: "Ed25519 signature of the service over this document".to_owned(),
        },
        valid_until: match &input.version.terms {
            Terms::Crocodile(terms) => input
                .date_of_issue
                .checked_add_days(chrono::Days::new(terms.certificate_validity_days.value as u64)),
            _ => None,
        },
        origin: Origin {
            farms: input.farms.clone(),
            country: "VN".to_owned(),
        },
        vaccinations: crocodiles.map(|c| c.vaccinations.clone()),
        cites_permit: crocodiles.and_then(|c| c.cites_permit.clone()),
        import_permit_number: body.import_permit_number.clone(),
        copies: Copies {
            originals: 1,
            copies: 2,
        },
    }
}
