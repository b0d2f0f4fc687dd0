//! The ISPM 12 template: what a phytosanitary certificate shows, section by section.

use super::layout::PageWriter;
use super::{party, shown};
use crate::documents::wording::{conveyance, count, kilograms};
use crate::domain::certificate::content::PhytosanitaryContent;
use crate::domain::places::printed_name;
use crate::domain::produce;

pub fn body(writer: &mut PageWriter, content: &PhytosanitaryContent) {
    let d = &content.description_of_consignment;
    writer.field("From / Từ / 发自", &content.from);
    writer.field("To / Gửi / 致", &content.to);
    writer.rule();
    writer.line(0.0, 10.0, "I. Description of consignment / Mô tả lô hàng / 货物描述");
    writer.field(
        "Name and address of exporter / Tên và địa chỉ người xuất khẩu / 出口商名称及地址",
        &party(&[&d.exporter.name, &d.exporter.address]),
    );
    writer.field(
        "Declared name and address of consignee / Tên và địa chỉ người nhận / 收货人名称及地址",
        &party(&[&d.consignee.name, &d.consignee.address, &d.consignee.country]),
    );
    let packages: Vec<String> = d
        .packages
        .iter()
        .map(|package| count(package.number.into(), &package.description))
        .collect();
    writer.field(
        "Number and description of packages / Số lượng và loại bao bì / 包装件数及种类",
        &packages.join("; "),
    );
    let marks = &d.distinguishing_marks;
    let containers: Vec<String> = marks
        .containers
        .iter()
        .map(|container| {
            format!(
                "{} (seal {})",
                container.number,
                container.seal_number.as_deref().unwrap_or_default()
            )
        })
        .collect();
    writer.field(
        "Distinguishing marks / Ký mã hiệu / 标记",
        &format!(
            "{} | {} | {}",
            marks.carton_label.as_deref().unwrap_or_default(),
            marks.pallet_marking.as_deref().unwrap_or_default(),
            containers.join(", ")
        ),
    );
    writer.field(
        "Place of origin / Nơi sản xuất / 产地",
        &format!(
            "Viet Nam — orchards (PUC) {} — packing houses (PHC) {}",
            d.place_of_origin.orchards.join(", "),
            d.place_of_origin.packing_houses.join(", ")
        ),
    );
    writer.field(
        "Declared means of conveyance / Phương tiện vận chuyển / 运输工具",
        &conveyance(&d.means_of_conveyance),
    );
    writer.field(
        "Declared point of entry / Cửa khẩu nhập / 入境口岸",
        &printed_name(&d.point_of_entry),
    );
    writer.field(
        "Name of produce and quantity declared / Tên hàng và số lượng / 产品名称及数量",
        &format!(
            "{} — net weight {}, {}",
            produce::printed(&d.produce),
            kilograms(d.quantity.net_weight_kg),
            count(d.quantity.packages, "package")
        ),
    );
    writer.field(
        "Botanical name of plants / Tên khoa học / 植物学名",
        d.botanical_name.as_deref().unwrap_or_default(),
    );
    writer.rule();
    writer.line(0.0, 8.5, &content.certifying_statement);
    writer.rule();
    writer.field(
        "II. Additional declaration / Khai báo bổ sung / 附加声明",
        content.additional_declaration.as_deref().unwrap_or_default(),
    );
    let treatment = content.treatment.as_ref().map(|treatment| {
        format!(
            "{} at {} °C for {} min; core {} °C",
            shown(&treatment.kind),
            shown(&treatment.temperature_c),
            shown(&treatment.duration_minutes),
            shown(&treatment.core_temperature_c)
        )
    });
    writer.field(
        "III. Disinfestation and/or disinfection treatment / Xử lý / 除害处理",
        &treatment.unwrap_or_default(),
    );
}
