//! The veterinary template: the nine contents of the crocodile protocol's certificate.

use super::layout::PageWriter;
use super::{party, shown};
use crate::documents::wording::conveyance;
use crate::domain::certificate::content::VeterinaryContent;
use crate::domain::places::printed_name;
use crate::domain::produce;

pub fn body(writer: &mut PageWriter, content: &VeterinaryContent) {
    writer.field(
        "1. Compliance statement / Tuyên bố phù hợp / 符合性声明",
        &content.compliance_statement,
    );
    let parties = &content.exporter_and_importer;
    writer.field(
        "2. Exporter / Người xuất khẩu / 出口商",
        &party(&[&parties.exporter.name, &parties.exporter.address]),
    );
    writer.field(
        "   Importer / Người nhập khẩu / 进口商",
        &party(&[
            &parties.importer.name,
            &parties.importer.address,
            &parties.importer.country,
        ]),
    );
    let departure = &content.departure;
    writer.field(
        "3. Departure date, port and means of transport / Ngày, cửa khẩu xuất và phương tiện / 启运日期、口岸及运输工具",
        &format!(
            "{}, from {}\n{}\nto {}",
            departure.date,
            printed_name(&departure.port),
            conveyance(&departure.means_of_transport),
            printed_name(&departure.point_of_entry)
        ),
    );
    let animals = &content.animals;
    writer.field(
        "4. Number, species and identification codes / Số lượng, loài và mã số / 数量、种类及识别号",
        &format!(
            "{} × {}: {}",
            shown(&animals.number),
            species_named(animals.species.as_deref().unwrap_or_default()),
            animals.identification_codes.as_deref().unwrap_or_default().join(", ")
        ),
    );
    let exams = &content.examinations_and_tests;
    let clinical: Vec<String> = exams
        .clinical_examinations
        .iter()
        .map(|exam| format!("{} {} ({})", exam.animal_code, shown(&exam.result), exam.date))
        .collect();
    let tests: Vec<String> = exams
        .tests
        .iter()
        .flatten()
        .map(|test| match test.test_date {
            Some(tested) => format!(
                "{} {} by {}, sampled {}, tested {}: {}",
                test.animal_code,
                test.agent,
                test.method,
                test.sample_date,
                tested,
                shown(&test.result)
            ),
            // Certificates issued before test dates were stated.
            None => format!(
                "{} {} by {} on {}: {}",
                test.animal_code,
                test.agent,
                test.method,
                test.sample_date,
                shown(&test.result)
            ),
        })
        .collect();
    writer.field(
        "5. Clinical examination and tests / Khám lâm sàng và xét nghiệm / 临床检查及检测",
        &format!("{}\n{}", clinical.join("; "), tests.join("; ")),
    );
    let treatments: Vec<String> = content
        .treatments
        .iter()
        .flatten()
        .map(|t| {
            format!(
                "{} {} ({}), {} at {}",
                t.product, t.dose, t.manufacturer, t.date, t.place
            )
        })
        .collect();
    writer.field(
        "6. Treatments / Thuốc và hóa chất đã dùng / 驱虫、消毒及药物处理",
        &treatments.join("; "),
    );
    let issue = &content.issue;
    let validity = content
        .valid_until
        .map(|until| format!(" — valid until / có hiệu lực đến / 有效期至 {until}"))
        .unwrap_or_default();
    writer.field(
        "7. Issue / Cấp / 签发",
        &format!(
            "{} — {} — {}{validity}",
            issue.date_of_issue, issue.veterinary_authority, issue.quarantine_officer
        ),
    );
    let farms: Vec<String> = content
        .origin
        .farms
        .iter()
        .map(|farm| {
            format!(
                "{} {} ({}, VN)",
                farm.code,
                farm.name,
                farm.province.as_deref().unwrap_or_default()
            )
        })
        .collect();
    writer.field(
        "8. Farm and place of origin / Trại và nơi xuất xứ / 养殖场及原产地",
        &farms.join("; "),
    );
    let vaccinations: Vec<String> = content
        .vaccinations
        .iter()
        .flatten()
        .map(|v| format!("{} ({}), {} at {}", v.vaccine, shown(&v.valid_until), v.date, v.place))
        .collect();
    writer.field("9. Vaccinations / Tiêm phòng / 疫苗接种", &vaccinations.join("; "));
    let cites = content
        .cites_permit
        .as_ref()
        .map(|permit| {
            format!(
                "{} (source {}), valid {} to {}",
                permit.number, permit.source_code, permit.valid_from, permit.valid_until
            )
        })
        .unwrap_or_default();
    writer.field(
        "CITES export permit / Giấy phép xuất khẩu CITES / CITES出口许可证",
        &cites,
    );
    writer.field(
        "Chinese import permit / Giấy phép nhập khẩu / 进境动物检疫许可证",
        content.import_permit_number.as_deref().unwrap_or_default(),
    );
}

/// "Live farmed Siamese crocodiles / … / … (Crocodylus siamensis)"; an unknown species as stated.
fn species_named(species: &str) -> String {
    match produce::of_crocodiles(species) {
        Some(name) => format!("{} ({species})", name.in_three_languages()),
        None => species.to_owned(),
    }
}
